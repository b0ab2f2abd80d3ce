package parquet_test

import (
	"testing"

	"github.com/remotestore/remotestore/backends/local"
	"github.com/remotestore/remotestore/backends/memory"
	"github.com/remotestore/remotestore/parquet/parquettest"
	"github.com/remotestore/remotestore/store"
)

// storeFactories is the backend matrix the suite runs on. Other backends
// (S3, …) run the same suite from their own tests with parquettest.Run.
var storeFactories = []struct {
	name string
	new  parquettest.Factory
}{
	{"memory", func(t *testing.T) *store.Store { return memory.NewStore() }},
	{"memory-sub", func(t *testing.T) *store.Store {
		st, err := memory.NewStore().Sub("some/prefix")
		if err != nil {
			t.Fatal(err)
		}
		return st
	}},
	{"dir", newDirStore},
	{"local", func(t *testing.T) *store.Store {
		st, err := local.NewStore(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return st
	}},
}

func TestSuite(t *testing.T) {
	for _, f := range storeFactories {
		t.Run(f.name, func(t *testing.T) { parquettest.Run(t, f.new) })
	}
}
