package all_test

import (
	"slices"
	"testing"

	_ "github.com/remotestore/remotestore/backends/all"
	"github.com/remotestore/remotestore/store"
)

// TestSchemes checks that importing the package registers every backend.
func TestSchemes(t *testing.T) {
	got := store.DefaultRegistry.Schemes()
	for _, want := range []string{"az", "azure", "file", "http", "https", "mem", "postgres", "postgresql", "s3", "sftp", "sqlite"} {
		if !slices.Contains(got, want) {
			t.Errorf("scheme %q not registered; have %v", want, got)
		}
	}
}
