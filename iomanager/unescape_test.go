package iomanager_test

import (
	"errors"
	"testing"

	"github.com/remotestore/remotestore/iomanager"
	"github.com/remotestore/remotestore/store"
)

// TestUnescapeSegmentRejectsBadEscapes: a truncated or non-hex escape is an
// invalid path naming the segment; valid escapes decode, "+" stays "+".
func TestUnescapeSegmentRejectsBadEscapes(t *testing.T) {
	for _, bad := range []string{"%", "a%4", "%zz", "x%g1"} {
		if got, err := iomanager.UnescapeSegment(bad); !errors.Is(err, store.ErrInvalidPath) {
			t.Errorf("UnescapeSegment(%q) = %q, %v; want ErrInvalidPath", bad, got, err)
		}
	}
	for in, want := range map[string]string{"a%2Fb": "a/b", "%2e%2E": "..", "a+b": "a+b", "plain": "plain"} {
		if got, err := iomanager.UnescapeSegment(in); err != nil || got != want {
			t.Errorf("UnescapeSegment(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}
