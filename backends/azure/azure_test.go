package azure_test

import (
	"context"
	"os"
	"testing"

	azstore "github.com/remotestore/remotestore/backends/azure"
	"github.com/remotestore/remotestore/internal/testserver/azurite"
	"github.com/remotestore/remotestore/store"
	"github.com/remotestore/remotestore/store/storetest"
)

// The tests run against Azurite, a real Azure Blob Storage emulator
// started on 127.0.0.1 for this test binary (see internal/testserver/azurite).
func TestMain(m *testing.M) { os.Exit(azurite.Main(m)) }

// config returns a backend config for the test server, rooted at a new
// prefix of a new container, signed with the account key (credential
// auto, which picks the key of the config). A container per
// test, deleted after it, keeps Azurite's listings (which scan its
// records) fast.
func config(t testing.TB) azstore.Config {
	srv := azurite.Get(t)
	container, err := srv.NewContainer(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Client().DeleteContainer(context.Background(), container, nil) })
	return azstore.Config{
		Container:   container,
		Prefix:      azurite.Prefix(t),
		Endpoint:    srv.Endpoint,
		AccountKey:  store.Secret(srv.Key),
		BlockSize:   256 << 10, // many blocks even in the short large tests
		MaxAttempts: 2,
	}
}

// harness gives the suite a store over an empty prefix of the run's
// container per test, with blocks of blockSize bytes; the prefix is the
// backend's own root, and the suite's second pass adds a Sub on top.
func harness(blockSize int64, skip map[string]string) storetest.Harness {
	return storetest.Harness{
		NewStore: func(ctx context.Context, t testing.TB) (*store.Store, error) {
			c := config(t)
			c.BlockSize = blockSize
			b, err := azstore.New(ctx, c)
			if err != nil {
				return nil, err
			}
			return store.New(b), nil
		},
		Options: storetest.Options{LargeSize: 24 << 20, Skip: skip},
	}
}

// TestConformance runs the suite twice: with the default block size, as
// users run the backend (files up to 8 MiB go in one Put Blob), and with
// 256 KiB blocks, so that the suite's small files take the staged-block
// and chunked-read paths. The second run declares two exceptions that
// only files of several blocks meet; TestRacingOverwriters and
// TestReadPinsETag check what holds instead.
func TestConformance(t *testing.T) {
	t.Run("default-blocks", func(t *testing.T) { storetest.Run(t, harness(0, nil)) })
	t.Run("small-blocks", func(t *testing.T) {
		storetest.Run(t, harness(256<<10, map[string]string{
			"concurrency/WritersOverwrite": "Azure keeps one list of uncommitted blocks per blob name, and a commit " +
				"discards the blocks other writers staged: of racing overwriters of a multi-block file the first to " +
				"commit wins and the others fail with ErrPrecondition (never a mix; see TestRacingOverwriters)",
			"concurrency/ReadersSeeWholeVersions": "Azurite (not Azure) updates a blob's record in place while a " +
				"download of it is under way, so one ranged GET can carry the new ETag with the old bytes and the " +
				"ETag pin of the next chunk passes; the pin itself is checked by TestReadPinsETag",
		}))
	})
}

// BenchmarkConformance runs the suite's benchmarks with the default
// block size.
func BenchmarkConformance(b *testing.B) { storetest.RunBenchmarks(b, harness(0, nil)) }
