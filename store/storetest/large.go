package storetest

import (
	"bytes"
	"io"
	"testing"

	"github.com/remotestore/remotestore/store"
)

func largeTests() []test {
	return []test{
		{name: "Stream", needs: store.CapRead, fixtures: true, fn: testLarge},
		{name: "OddChunks", needs: rw, fn: testOddChunks},
		{name: "Copy", needs: rw, fn: testLargeCopy},
	}
}

// largeSize is the size of the large-file tests.
func (e *env) largeSize() int64 {
	if n := e.h.Options.LargeSize; n > 0 {
		return n
	}
	if testing.Short() {
		return 4 << 20
	}
	return 64 << 20
}

// onlyReader hides every method but Read, so nothing can learn the size or
// take the bytes whole.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

// testLarge streams a large file in from a generated reader and checks it by
// hash, by ranges and by ReadAt: the test never holds it whole.
func testLarge(e *env) {
	size := e.largeSize()
	p := pattern(40)
	e.putReader(e.st, "large/big.bin", onlyReader{p.reader(size)})
	want := p.sum(size)
	info, err := e.st.Stat(e.ctx, "large/big.bin")
	if err != nil || info.Size != size {
		e.t.Fatalf("Stat = %+v, %v; want size %d", info, err, size)
	}
	rc, err := e.st.Open(e.ctx, "large/big.bin")
	if err != nil {
		e.t.Fatalf("Open: %v", err)
	}
	got, n, err := hashReader(onlyReader{rc})
	rc.Close()
	if err != nil || n != size || got != want {
		e.t.Fatalf("read back %d bytes (err %v), sha256 %s; want %d bytes, sha256 %s", n, err, got, size, want)
	}
	if !e.has(store.CapRangeRead) {
		return
	}
	// A range across the middle.
	off, length := size/2-12345, int64(3<<20+1)
	rc, err = e.st.OpenRange(e.ctx, "large/big.bin", off, length)
	if err != nil {
		e.t.Fatalf("OpenRange: %v", err)
	}
	buf, err := io.ReadAll(rc)
	rc.Close()
	exp := make([]byte, min(length, size-off))
	p.fill(exp, off)
	if err != nil || !bytes.Equal(buf, exp) {
		e.t.Errorf("OpenRange(%d, %d) = %d bytes, %v; content ok=%v", off, length, len(buf), err, bytes.Equal(buf, exp))
	}
	// ReadAt near the start, the middle and the end.
	r, err := e.st.OpenSeekable(e.ctx, "large/big.bin")
	if err != nil {
		e.t.Fatalf("OpenSeekable: %v", err)
	}
	defer r.Close()
	for _, off := range []int64{0, 1<<20 - 3, size / 3, size - 64<<10} {
		got, exp := make([]byte, 64<<10), make([]byte, 64<<10)
		n, err := r.ReadAt(got, off)
		p.fill(exp, off)
		if n != len(got) || (err != nil && err != io.EOF) || !bytes.Equal(got, exp) {
			e.t.Errorf("ReadAt(64 KiB at %d) = %d, %v; content ok=%v", off, n, err, bytes.Equal(got[:n], exp[:n]))
		}
	}
}

// testOddChunks writes through NewWriter in small uneven chunks across the
// part sizes of multipart uploads (5 MiB for S3).
func testOddChunks(e *env) {
	size := min(e.largeSize(), 11<<20+333)
	p := pattern(41)
	w, err := e.st.NewWriter(e.ctx, "odd.bin", nil)
	if err != nil {
		e.t.Fatalf("NewWriter: %v", err)
	}
	defer w.Close()
	buf := make([]byte, 70000)
	for off, i := int64(0), 0; off < size; i++ {
		n := min(int64(1+(i*4099)%len(buf)), size-off)
		p.fill(buf[:n], off)
		if _, err := w.Write(buf[:n]); err != nil {
			e.t.Fatalf("Write at %d: %v", off, err)
		}
		off += n
	}
	if err := w.Commit(); err != nil {
		e.t.Fatalf("Commit: %v", err)
	}
	rc, err := e.st.Open(e.ctx, "odd.bin")
	if err != nil {
		e.t.Fatalf("Open: %v", err)
	}
	defer rc.Close()
	got, n, err := hashReader(rc)
	if want := p.sum(size); err != nil || n != size || got != want {
		e.t.Errorf("read back %d bytes (err %v), sha256 %s; want %d bytes, sha256 %s", n, err, got, size, want)
	}
}

func testLargeCopy(e *env) {
	size := min(e.largeSize(), 16<<20)
	p := pattern(42)
	if err := e.st.Write(e.ctx, "lc/src.bin", onlyReader{p.reader(size)}, nil); err != nil {
		e.t.Fatalf("Write: %v", err)
	}
	if err := e.st.Copy(e.ctx, "lc/src.bin", "lc/dst.bin", nil); err != nil {
		e.t.Fatalf("Copy: %v", err)
	}
	rc, err := e.st.Open(e.ctx, "lc/dst.bin")
	if err != nil {
		e.t.Fatalf("Open: %v", err)
	}
	defer rc.Close()
	got, n, err := hashReader(rc)
	if want := p.sum(size); err != nil || n != size || got != want {
		e.t.Errorf("copy holds %d bytes (err %v), sha256 %s; want %d bytes, sha256 %s", n, err, got, size, want)
	}
}
