package parquet

import "testing"

// TestUnescapeSegment: hive folder values decode any valid %XX and refuse
// truncated or non-hex escapes; "+" is not a space.
func TestUnescapeSegment(t *testing.T) {
	for _, bad := range []string{"%", "a%4", "%zz"} {
		if got, err := unescapeSegment(bad); err == nil {
			t.Errorf("unescapeSegment(%q) = %q, want an error", bad, got)
		}
	}
	for in, want := range map[string]string{"a%3Db": "a=b", "x%2fy": "x/y", "a+b": "a+b"} {
		if got, err := unescapeSegment(in); err != nil || got != want {
			t.Errorf("unescapeSegment(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}
