package harness

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"testing"
	"time"
)

// EnvRequire, set to "1", turns a missing server binary into a failure.
const EnvRequire = "REMOTESTORE_REQUIRE_SERVERS"

// Required reports whether REMOTESTORE_REQUIRE_SERVERS=1 is set.
func Required() bool { return os.Getenv(EnvRequire) == "1" }

// Stopper is a running server: Harness stops it after the tests.
type Stopper interface {
	// Stop stops the server and removes what it left behind.
	Stop() error
}

// Runner runs a test binary's tests; *testing.M is one.
type Runner interface {
	// Run runs the tests and returns the exit code.
	Run() int
}

// Harness starts one server of type S per test binary (Main) and hands it
// to the tests (Get). Declare one per server package, as a package
// variable, with every field but the unexported ones set.
type Harness[S Stopper] struct {
	// Name prefixes messages ("testserver/s3").
	Name string
	// Tests names the tests that skip without the server ("S3" in
	// "…; S3 tests will skip").
	Tests string
	// MainCall is what a test binary must call from TestMain
	// ("s3server.Main"), for the message of Get without Main.
	MainCall string
	// Timeout bounds Start.
	Timeout time.Duration
	// Start starts a server; it returns NoBinary when the server's binary
	// is not installed.
	Start func(context.Context) (S, error)
	// NoBinary is the error Start returns for a missing binary: the only
	// start failure that skips instead of failing (unless Required).
	NoBinary error

	running  S
	started  bool  // running holds a server
	startErr error // why Start failed
	stderr   io.Writer
}

// Main starts the server, runs the tests and stops the server; call it from
// TestMain and pass its result to os.Exit. A missing binary is reported and
// the tests that need the server skip — unless REMOTESTORE_REQUIRE_SERVERS=1,
// when Main fails without running them. Any other start failure fails.
func (h *Harness[S]) Main(m Runner) int {
	stderr := h.stderr
	if stderr == nil {
		stderr = os.Stderr
	}
	ctx, cancel := context.WithTimeout(context.Background(), h.Timeout)
	h.running, h.startErr = h.Start(ctx)
	cancel()
	h.started = h.startErr == nil
	switch {
	case errors.Is(h.startErr, h.NoBinary) && !Required():
		fmt.Fprintf(stderr, "%v; %s tests will skip\n", h.startErr, h.Tests)
	case h.startErr != nil:
		fmt.Fprintf(stderr, "%v (%s=%s)\n", h.startErr, EnvRequire, os.Getenv(EnvRequire))
		return 1
	}
	code := m.Run()
	if h.started {
		if err := h.running.Stop(); err != nil {
			fmt.Fprintf(stderr, "%s: stop: %v\n", h.Name, err)
		}
	}
	return code
}

// Get returns the server Main started. Without one it skips the test (or
// fails it when servers are required, or when Main was not called).
func (h *Harness[S]) Get(t testing.TB) S {
	t.Helper()
	if h.started {
		return h.running
	}
	if h.startErr == nil {
		t.Fatalf("%s: no server: call %s from TestMain", h.Name, h.MainCall)
	}
	if Required() {
		t.Fatalf("%v (%s=1)", h.startErr, EnvRequire)
	}
	t.Skipf("%v", h.startErr)
	var zero S
	return zero
}
