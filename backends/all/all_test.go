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
	for _, want := range []string{"file", "http", "https", "mem", "s3"} {
		if !slices.Contains(got, want) {
			t.Errorf("scheme %q not registered; have %v", want, got)
		}
	}
}
