package memory_test

import (
	"context"
	"testing"

	"github.com/remotestore/remotestore/backends/memory"
	"github.com/remotestore/remotestore/store"
	"github.com/remotestore/remotestore/store/storetest"
)

// harness gives the conformance suite a new, empty memory store per test.
var harness = storetest.Harness{
	NewStore: func(context.Context, testing.TB) (*store.Store, error) {
		return memory.NewStore(), nil
	},
}

func TestConformance(t *testing.T) { storetest.Run(t, harness) }

func BenchmarkConformance(b *testing.B) { storetest.RunBenchmarks(b, harness) }
