package local_test

import (
	"context"
	"testing"

	"github.com/remotestore/remotestore/backends/local"
	"github.com/remotestore/remotestore/store"
	"github.com/remotestore/remotestore/store/storetest"
)

// harness gives the conformance suite a store on a new, empty temporary
// folder per test, with the default (fsyncing) configuration.
var harness = storetest.Harness{
	NewStore: func(ctx context.Context, t testing.TB) (*store.Store, error) {
		b, err := local.New(ctx, local.Config{Root: t.TempDir()})
		if err != nil {
			return nil, err
		}
		return store.New(b), nil
	},
}

func TestConformance(t *testing.T) { storetest.Run(t, harness) }

func BenchmarkConformance(b *testing.B) { storetest.RunBenchmarks(b, harness) }
