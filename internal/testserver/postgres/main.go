package postgres

import (
	"testing"
	"time"

	"github.com/remotestore/remotestore/internal/testserver/harness"
)

// h starts the server once per test binary.
var h = &harness.Harness[*Server]{
	Name: "testserver/postgres", Tests: "PostgreSQL", MainCall: "pgserver.Main",
	Timeout: 2 * time.Minute, Start: Start, NoBinary: ErrNoBinary,
}

// Main starts a server, runs the tests and stops the server; call it from
// TestMain and pass its result to os.Exit. Missing PostgreSQL binaries are reported and
// the tests that need the server skip — unless REMOTESTORE_REQUIRE_SERVERS=1,
// when Main fails without running them. Any other start failure fails.
func Main(m *testing.M) int { return h.Main(m) }

// Required reports whether REMOTESTORE_REQUIRE_SERVERS=1 is set.
func Required() bool { return harness.Required() }

// Get returns the server Main started. Without one it skips the test (or
// fails it when servers are required, or when Main was not called).
func Get(t testing.TB) *Server {
	t.Helper()
	return h.Get(t)
}
