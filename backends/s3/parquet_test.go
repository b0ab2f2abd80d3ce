package s3_test

import (
	"testing"

	s3store "github.com/remotestore/remotestore/backends/s3"
	"github.com/remotestore/remotestore/parquet/parquettest"
	"github.com/remotestore/remotestore/store"
)

// TestParquetDatasets runs the parquet dataset store's suite (modes,
// projection, filters, pruning, interrupted writes, concurrent writers) on
// the real S3 server: a fresh prefix per store.
func TestParquetDatasets(t *testing.T) {
	parquettest.Run(t, func(t *testing.T) *store.Store {
		b, err := s3store.New(t.Context(), config(t))
		if err != nil {
			t.Fatalf("s3 backend: %v", err)
		}
		st := store.New(b)
		t.Cleanup(func() { st.Close() })
		return st
	})
}
