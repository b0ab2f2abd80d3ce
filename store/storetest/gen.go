package storetest

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"io"
)

// pattern is a deterministic pseudo-random byte stream: any byte range of it
// can be generated on its own, so large files are written from a reader and
// checked by hash or by range without the test ever holding them whole.
type pattern uint64

// mix is splitmix64's finaliser.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// fill writes the stream's bytes [off, off+len(b)) into b.
func (p pattern) fill(b []byte, off int64) {
	var word [8]byte
	seed := uint64(p) * 0x2545f4914f6cdd1d
	if off%8 == 0 { // fast path: whole words
		for len(b) >= 8 {
			binary.LittleEndian.PutUint64(b, mix(seed^uint64(off)/8))
			b, off = b[8:], off+8
		}
	}
	for len(b) > 0 {
		w := uint64(off) / 8
		binary.LittleEndian.PutUint64(word[:], mix(seed^w))
		n := copy(b, word[off%8:])
		b, off = b[n:], off+int64(n)
	}
}

// bytes returns the stream's first n bytes (for small files only).
func (p pattern) bytes(n int) []byte {
	b := make([]byte, n)
	p.fill(b, 0)
	return b
}

// reader streams the stream's first n bytes.
func (p pattern) reader(n int64) io.Reader { return &patternReader{p: p, n: n} }

// sum returns the hex SHA-256 of the stream's first n bytes, streaming.
func (p pattern) sum(n int64) string {
	h := sha256.New()
	if _, err := io.CopyBuffer(h, p.reader(n), make([]byte, 256<<10)); err != nil {
		panic(err) // a patternReader never fails
	}
	return hex.EncodeToString(h.Sum(nil))
}

type patternReader struct {
	p      pattern
	off, n int64
}

func (r *patternReader) Read(b []byte) (int, error) {
	if r.off >= r.n {
		return 0, io.EOF
	}
	if rest := r.n - r.off; int64(len(b)) > rest {
		b = b[:rest]
	}
	r.p.fill(b, r.off)
	r.off += int64(len(b))
	return len(b), nil
}

// hashReader returns the hex SHA-256 of everything r yields and its length.
func hashReader(r io.Reader) (string, int64, error) {
	h := sha256.New()
	n, err := io.CopyBuffer(h, r, make([]byte, 256<<10))
	return hex.EncodeToString(h.Sum(nil)), n, err
}
