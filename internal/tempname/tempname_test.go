package tempname

import (
	"strings"
	"testing"
)

func TestNew(t *testing.T) {
	for _, name := range []string{"a", "data.parquet", ".hidden", strings.Repeat("é", 200), strings.Repeat("x", 300), "ü" + strings.Repeat("é", 200)} {
		tmp := New(name)
		if !Is(tmp) {
			t.Errorf("New(%.20q…) = %q is not recognised as temporary", name, tmp)
		}
		if len(tmp) > MaxNameLen {
			t.Errorf("New(%.20q…) is %d bytes, over %d", name, len(tmp), MaxNameLen)
		}
		if !strings.HasPrefix(tmp, ".") {
			t.Errorf("New(%q) = %q is not hidden", name, tmp)
		}
	}
	if a, b := New("x"), New("x"); a == b {
		t.Errorf("two temp names for x are equal: %q", a)
	}
}

func TestIs(t *testing.T) {
	for _, name := range []string{"a.tmp-0123456789abcdef", ".a.tmp-0123456789ABCDEF", ".a.tmp-0123456789abcde",
		".a.tmp_0123456789abcdef", "data.parquet", ".tmp-0123456789abcdef", "", ".hidden", ".a.tmp-123", ".a.tmp-0123456789abcdeX"} {
		if Is(name) {
			t.Errorf("Is(%q) = true, want false", name)
		}
	}
}
