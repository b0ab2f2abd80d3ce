package storetest

import (
	"bytes"
	"io"
	"testing"
)

// TestPatternConsistent checks that any range of a pattern, generated on its
// own, equals the same range of the whole stream: the large-file tests rely
// on it.
func TestPatternConsistent(t *testing.T) {
	p := pattern(7)
	whole := p.bytes(10000)
	for _, c := range []struct{ off, n int }{{0, 10000}, {1, 7}, {3, 100}, {8, 8}, {9999, 1}, {4093, 4099}, {17, 0}} {
		got := make([]byte, c.n)
		p.fill(got, int64(c.off))
		if !bytes.Equal(got, whole[c.off:c.off+c.n]) {
			t.Errorf("fill(%d bytes at %d) differs from the whole stream", c.n, c.off)
		}
	}
	var buf bytes.Buffer
	if _, err := io.CopyBuffer(&buf, p.reader(10000), make([]byte, 333)); err != nil || !bytes.Equal(buf.Bytes(), whole) {
		t.Errorf("reader in 333-byte reads differs from the whole stream (%v)", err)
	}
	if bytes.Equal(whole, pattern(8).bytes(10000)) {
		t.Error("two seeds give the same stream")
	}
	if h1, h2 := p.sum(10000), pattern(7).sum(10000); h1 != h2 {
		t.Error("sum is not deterministic")
	}
}
