package s3_test

import (
	"context"
	"os"
	"testing"

	s3store "github.com/remotestore/remotestore/backends/s3"
	s3server "github.com/remotestore/remotestore/internal/testserver/s3"
	"github.com/remotestore/remotestore/store"
	"github.com/remotestore/remotestore/store/storetest"
)

// The tests run against versitygw, a real S3-compatible server started on
// 127.0.0.1 for this test binary (see internal/testserver/s3).
func TestMain(m *testing.M) { os.Exit(s3server.Main(m)) }

// config returns a backend config for the test server, rooted at a new
// prefix of the run's bucket.
func config(t testing.TB) s3store.Config {
	srv := s3server.Get(t)
	return s3store.Config{
		Bucket:          srv.Bucket(t),
		Prefix:          s3server.Prefix(t),
		Endpoint:        srv.Endpoint,
		Region:          s3server.Region,
		UsePathStyle:    true,
		AccessKeyID:     store.Secret(srv.AccessKey),
		SecretAccessKey: store.Secret(srv.SecretKey),
		PartSize:        s3store.MinPartSize, // several parts even in the short large tests
	}
}

// harness gives the suite a store over an empty prefix of the run's bucket
// per test; the prefix is the backend's own root, and the suite's second
// pass adds a Sub on top.
var harness = storetest.Harness{
	NewStore: func(ctx context.Context, t testing.TB) (*store.Store, error) {
		b, err := s3store.New(ctx, config(t))
		if err != nil {
			return nil, err
		}
		return store.New(b), nil
	},
	Options: storetest.Options{LargeSize: 24 << 20},
}

func TestConformance(t *testing.T) { storetest.Run(t, harness) }

func BenchmarkConformance(b *testing.B) { storetest.RunBenchmarks(b, harness) }
