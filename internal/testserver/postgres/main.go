package postgres

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"
)

// running is the server Main started for this test binary, or nil.
var (
	running  *Server
	startErr error
)

// Main starts a server, runs the tests and stops the server; call it from
// TestMain and pass its result to os.Exit. Missing PostgreSQL binaries are
// reported and the tests that need the server skip — unless
// REMOTESTORE_REQUIRE_SERVERS=1, when Main fails without running them. Any
// other start failure fails.
func Main(m *testing.M) int {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	running, startErr = Start(ctx)
	cancel()
	switch {
	case startErr == ErrNoBinary && !Required():
		fmt.Fprintf(os.Stderr, "%v; PostgreSQL tests will skip\n", startErr)
	case startErr != nil:
		fmt.Fprintf(os.Stderr, "%v (%s=%s)\n", startErr, EnvRequire, os.Getenv(EnvRequire))
		return 1
	}
	code := m.Run()
	if running != nil {
		if err := running.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "testserver/postgres: stop: %v\n", err)
		}
	}
	return code
}

// Required reports whether REMOTESTORE_REQUIRE_SERVERS=1 is set.
func Required() bool { return os.Getenv(EnvRequire) == "1" }

// Get returns the server Main started. Without one it skips the test (or
// fails it when servers are required, or when Main was not called).
func Get(t testing.TB) *Server {
	t.Helper()
	if running != nil {
		return running
	}
	if startErr == nil {
		t.Fatal("testserver/postgres: no server: call pgserver.Main from TestMain")
	}
	if Required() {
		t.Fatalf("%v (%s=1)", startErr, EnvRequire)
	}
	t.Skipf("%v", startErr)
	return nil
}
