package sftp_test

import (
	"context"
	"os"
	"testing"

	sftpstore "github.com/remotestore/remotestore/backends/sftp"
	sftpserver "github.com/remotestore/remotestore/internal/testserver/sftp"
	"github.com/remotestore/remotestore/store"
	"github.com/remotestore/remotestore/store/storetest"
)

// The tests run against OpenSSH's sshd, started on 127.0.0.1 for this test
// binary with a temporary config and keys (see internal/testserver/sftp).
func TestMain(m *testing.M) { os.Exit(sftpserver.Main(m)) }

// config returns a backend config for the test server, rooted at a new
// empty folder, logging in with the server's client key and checking the
// host key against its known_hosts file.
func config(t testing.TB) sftpstore.Config {
	srv := sftpserver.Get(t)
	return sftpstore.Config{
		Host:       srv.Host,
		Port:       srv.Port,
		User:       srv.User,
		Path:       srv.NewDir(t),
		KeyFile:    srv.KeyFile,
		KnownHosts: srv.KnownHosts,
		NoAgent:    true,
	}
}

// open opens a backend on c, failing the test on error; the backend is
// closed when the test ends.
func open(t testing.TB, c sftpstore.Config) *sftpstore.Backend {
	t.Helper()
	b, err := sftpstore.New(t.Context(), c)
	if err != nil {
		t.Fatalf("sftp backend: %v", err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

// harness gives the suite a store over a new empty folder per test, on a
// connection of its own; the suite's second pass adds a Sub on top.
var harness = storetest.Harness{
	NewStore: func(ctx context.Context, t testing.TB) (*store.Store, error) {
		b, err := sftpstore.New(ctx, config(t))
		if err != nil {
			return nil, err
		}
		return store.New(b), nil
	},
	Options: storetest.Options{LargeSize: 24 << 20},
}

func TestConformance(t *testing.T) { storetest.Run(t, harness) }

func BenchmarkConformance(b *testing.B) { storetest.RunBenchmarks(b, harness) }
