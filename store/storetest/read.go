package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"testing/iotest"

	"github.com/remotestore/remotestore/store"
)

func readTests() []test {
	return []test{
		{name: "ReadBytes", needs: store.CapRead, fixtures: true, fn: testReadBytes},
		{name: "Open", needs: store.CapRead, fixtures: true, fn: testOpen},
		{name: "EmptyFile", needs: store.CapRead, fixtures: true, fn: testReadEmpty},
		{name: "Missing", needs: store.CapRead, fn: testReadMissing},
		{name: "Folder", needs: store.CapRead, fixtures: true, fn: testReadFolder},
		{name: "OpenRange", needs: store.CapRead | store.CapRangeRead, fixtures: true, fn: testOpenRange},
		{name: "OpenSeekable", needs: store.CapRead | store.CapRangeRead, fixtures: true, fn: testOpenSeekable},
		{name: "SeekableIOTest", needs: store.CapRead | store.CapRangeRead, fixtures: true, fn: testSeekableIOTest},
		{name: "SeekableEmpty", needs: store.CapRead | store.CapRangeRead, fixtures: true, fn: testSeekableEmpty},
		{name: "SeekableParallelReadAt", needs: store.CapRead | store.CapRangeRead, fixtures: true, fn: testParallelReadAt},
		{name: "Stat", fixtures: true, fn: testStat},
		{name: "StatRoot", fn: testStatRoot},
		{name: "ExistsIsFileIsFolder", fixtures: true, fn: testExists},
		{name: "NativePath", needs: store.CapRead, fixtures: true, fn: testNativePath},
	}
}

func testReadBytes(e *env) {
	data := pattern(1).bytes(1000)
	e.put(e.st, "r/data.bin", data)
	e.wantContent(e.st, "r/data.bin", data)
	e.put(e.st, "r/hello.txt", []byte("hello, world\n"))
	s, err := e.st.ReadString(e.ctx, "r/hello.txt")
	if err != nil || s != "hello, world\n" {
		e.t.Errorf("ReadString = %q, %v; want %q", s, err, "hello, world\n")
	}
	// Unclean spellings of the same path read the same file.
	for _, p := range []string{"r//data.bin", "./r/data.bin", "r/x/../data.bin", "r/data.bin/"} {
		e.wantContent(e.st, p, data)
	}
}

func testOpen(e *env) {
	data := pattern(2).bytes(300 << 10)
	e.put(e.st, "open.bin", data)
	rc, err := e.st.Open(e.ctx, "open.bin")
	if err != nil {
		e.t.Fatalf("Open: %v", err)
	}
	// Small reads, to exercise the stream rather than one big copy.
	var got bytes.Buffer
	buf := make([]byte, 4093)
	for {
		n, err := rc.Read(buf)
		got.Write(buf[:n])
		if err == io.EOF {
			break
		}
		if err != nil {
			e.t.Fatalf("Read after %d bytes: %v", got.Len(), err)
		}
	}
	if err := rc.Close(); err != nil {
		e.t.Errorf("Close: %v", err)
	}
	if !bytes.Equal(got.Bytes(), data) {
		e.t.Errorf("Open read %s, want %s", preview(got.Bytes()), preview(data))
	}
	// A second, independent stream of the same file.
	rc2, err := e.st.Open(e.ctx, "open.bin")
	if err != nil {
		e.t.Fatalf("second Open: %v", err)
	}
	defer rc2.Close()
	if err := iotest.TestReader(rc2, data); err != nil {
		e.t.Errorf("iotest.TestReader on Open: %v", err)
	}
}

func testReadEmpty(e *env) {
	e.put(e.st, "empty", nil)
	e.wantContent(e.st, "empty", nil)
	info, err := e.st.Stat(e.ctx, "empty")
	if err != nil {
		e.t.Fatalf("Stat(empty): %v", err)
	}
	if info.Size != 0 || info.IsFolder {
		e.t.Errorf("Stat(empty) = %+v, want a file of size 0", info)
	}
	rc, err := e.st.Open(e.ctx, "empty")
	if err != nil {
		e.t.Fatalf("Open(empty): %v", err)
	}
	defer rc.Close()
	if n, err := rc.Read(make([]byte, 10)); n != 0 || (err != nil && err != io.EOF) {
		e.t.Errorf("Read(empty) = %d, %v; want 0, EOF", n, err)
	}
}

func testReadMissing(e *env) {
	_, err := e.st.ReadBytes(e.ctx, "no/such/file.txt")
	e.wantErr(err, store.ErrNotFound, "ReadBytes(missing)")
	_, err = e.st.Open(e.ctx, "no-such-file")
	e.wantErr(err, store.ErrNotFound, "Open(missing)")
	_, err = e.st.Stat(e.ctx, "no-such-file")
	e.wantErr(err, store.ErrNotFound, "Stat(missing)")
	if e.has(store.CapRangeRead) {
		_, err = e.st.OpenRange(e.ctx, "no-such-file", 3, 5)
		e.wantErr(err, store.ErrNotFound, "OpenRange(missing)")
		_, err = e.st.OpenRange(e.ctx, "no-such-file", 0, 0)
		e.wantErr(err, store.ErrNotFound, "OpenRange(missing, length 0)")
		_, err = e.st.OpenSeekable(e.ctx, "no-such-file")
		e.wantErr(err, store.ErrNotFound, "OpenSeekable(missing)")
	}
}

// testReadFolder reads a folder as a file. A backend that cannot list may
// be unable to tell a folder from a missing file: NotFound is accepted
// there, but never success.
func testReadFolder(e *env) {
	e.put(e.st, "dir/inner.txt", []byte("x"))
	check := func(err error, call string) {
		e.t.Helper()
		if !e.has(store.CapList) && errors.Is(err, store.ErrNotFound) {
			return
		}
		e.wantErr(err, store.ErrIsFolder, call)
	}
	_, err := e.st.ReadBytes(e.ctx, "dir")
	check(err, "ReadBytes(folder)")
	if e.has(store.CapRangeRead) {
		_, err = e.st.OpenRange(e.ctx, "dir", 1, 2)
		check(err, "OpenRange(folder)")
		_, err = e.st.OpenRange(e.ctx, "dir", 0, 0)
		check(err, "OpenRange(folder, length 0)")
		_, err = e.st.OpenSeekable(e.ctx, "dir")
		check(err, "OpenSeekable(folder)")
	}
}

func testOpenRange(e *env) {
	data := pattern(3).bytes(10000)
	e.put(e.st, "range.bin", data)
	n := int64(len(data))
	cases := []struct{ off, length int64 }{
		{0, -1}, {0, n}, {0, 1}, {1, 1}, {5, 10}, {5, -1}, {n - 1, -1}, {n - 1, 1},
		{n - 3, 10},     // cut at the end
		{n, -1}, {n, 5}, // at the end: empty
		{n + 7, -1},      // beyond the end: empty
		{4096, 4096 * 2}, // across 4 KiB boundaries
		{0, 0}, {100, 0}, // zero length
	}
	for _, c := range cases {
		lo, hi := min(c.off, n), n
		if c.length >= 0 {
			hi = min(c.off+c.length, n)
		}
		want := data[lo:max(lo, hi)]
		rc, err := e.st.OpenRange(e.ctx, "range.bin", c.off, c.length)
		if err != nil {
			e.t.Errorf("OpenRange(%d, %d): %v", c.off, c.length, err)
			continue
		}
		got, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			e.t.Errorf("OpenRange(%d, %d) read: %v", c.off, c.length, err)
		} else if !bytes.Equal(got, want) {
			e.t.Errorf("OpenRange(%d, %d) = %s, want %s", c.off, c.length, preview(got), preview(want))
		}
	}
	_, err := e.st.OpenRange(e.ctx, "range.bin", -1, 5)
	e.wantErr(err, store.ErrInvalidPath, "OpenRange(negative offset)")
}

func testOpenSeekable(e *env) {
	data := pattern(4).bytes(100 << 10)
	e.put(e.st, "seek.bin", data)
	r, err := e.st.OpenSeekable(e.ctx, "seek.bin")
	if err != nil {
		e.t.Fatalf("OpenSeekable: %v", err)
	}
	defer r.Close()
	if r.Size() != int64(len(data)) {
		e.t.Errorf("Size() = %d, want %d", r.Size(), len(data))
	}
	// ReadAt at assorted offsets.
	for _, c := range []struct{ off, n int }{{0, 10}, {1, 1}, {4095, 2}, {50000, 8192}, {len(data) - 5, 5}} {
		p := make([]byte, c.n)
		n, err := r.ReadAt(p, int64(c.off))
		if err != nil || n != c.n || !bytes.Equal(p, data[c.off:c.off+c.n]) {
			e.t.Errorf("ReadAt(%d bytes at %d) = %d, %v; content ok=%v", c.n, c.off, n, err, bytes.Equal(p[:n], data[c.off:c.off+n]))
		}
	}
	// Across the end: the rest, then io.EOF.
	p := make([]byte, 20)
	n, err := r.ReadAt(p, int64(len(data)-7))
	if n != 7 || err != io.EOF || !bytes.Equal(p[:7], data[len(data)-7:]) {
		e.t.Errorf("ReadAt across the end = %d, %v; want 7, io.EOF", n, err)
	}
	if n, err := r.ReadAt(p, int64(len(data))); n != 0 || err != io.EOF {
		e.t.Errorf("ReadAt at the end = %d, %v; want 0, io.EOF", n, err)
	}
	if _, err := r.ReadAt(p, -1); err == nil {
		e.t.Error("ReadAt(negative offset) succeeded")
	}
	// Seek and Read share a cursor.
	if pos, err := r.Seek(-10, io.SeekEnd); err != nil || pos != int64(len(data)-10) {
		e.t.Errorf("Seek(-10, End) = %d, %v", pos, err)
	}
	rest, err := io.ReadAll(r)
	if err != nil || !bytes.Equal(rest, data[len(data)-10:]) {
		e.t.Errorf("Read after Seek(End-10) = %s, %v", preview(rest), err)
	}
	if pos, err := r.Seek(100, io.SeekStart); err != nil || pos != 100 {
		e.t.Errorf("Seek(100, Start) = %d, %v", pos, err)
	}
	if pos, err := r.Seek(50, io.SeekCurrent); err != nil || pos != 150 {
		e.t.Errorf("Seek(50, Current) = %d, %v", pos, err)
	}
	p = make([]byte, 16)
	if _, err := io.ReadFull(r, p); err != nil || !bytes.Equal(p, data[150:166]) {
		e.t.Errorf("Read after Seek(150) = %v, content ok=%v", err, bytes.Equal(p, data[150:166]))
	}
	if _, err := r.Seek(-1, io.SeekStart); err == nil {
		e.t.Error("Seek to a negative position succeeded")
	}
	if _, err := r.Seek(0, 42); err == nil {
		e.t.Error("Seek with an invalid whence succeeded")
	}
}

func testSeekableIOTest(e *env) {
	data := pattern(5).bytes(70000)
	e.put(e.st, "iotest.bin", data)
	r, err := e.st.OpenSeekable(e.ctx, "iotest.bin")
	if err != nil {
		e.t.Fatalf("OpenSeekable: %v", err)
	}
	defer r.Close()
	// iotest.TestReader checks Read, ReadAt and Seek against the content.
	if err := iotest.TestReader(r, data); err != nil {
		e.t.Errorf("iotest.TestReader: %v", err)
	}
}

func testSeekableEmpty(e *env) {
	e.put(e.st, "empty.bin", nil)
	r, err := e.st.OpenSeekable(e.ctx, "empty.bin")
	if err != nil {
		e.t.Fatalf("OpenSeekable(empty): %v", err)
	}
	defer r.Close()
	if r.Size() != 0 {
		e.t.Errorf("Size() = %d, want 0", r.Size())
	}
	if n, err := r.ReadAt(make([]byte, 4), 0); n != 0 || err != io.EOF {
		e.t.Errorf("ReadAt on an empty file = %d, %v; want 0, io.EOF", n, err)
	}
	if err := iotest.TestReader(r, nil); err != nil {
		e.t.Errorf("iotest.TestReader(empty): %v", err)
	}
}

// testParallelReadAt reads a multi-MiB file from 16 goroutines at once,
// every one checking its bytes exactly: ReadAt must be safe for concurrent
// use (arrow-go's parallel Parquet reader relies on it).
func testParallelReadAt(e *env) {
	const size = 4<<20 + 12345
	p := pattern(6)
	e.putReader(e.st, "parallel.bin", p.reader(size))
	r, err := e.st.OpenSeekable(e.ctx, "parallel.bin")
	if err != nil {
		e.t.Fatalf("OpenSeekable: %v", err)
	}
	defer r.Close()
	if r.Size() != size {
		e.t.Fatalf("Size() = %d, want %d", r.Size(), size)
	}
	const workers, reads = 16, 24
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Go(func() {
			got, want := make([]byte, 0, 256<<10), make([]byte, 0, 256<<10)
			for i := range reads {
				x := mix(uint64(w*1000 + i))
				n := int(x%(200<<10)) + 1
				off := int64(x>>20) % (size - int64(n) + 1)
				got, want = got[:n], want[:n]
				m, err := r.ReadAt(got, off)
				if err != nil && !(err == io.EOF && off+int64(n) == size) {
					errs <- fmt.Errorf("worker %d: ReadAt(%d bytes at %d): %w", w, n, off, err)
					return
				}
				p.fill(want, off)
				if m != n || !bytes.Equal(got, want) {
					errs <- fmt.Errorf("worker %d: ReadAt(%d bytes at %d) returned %d bytes, wrong content", w, n, off, m)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		e.t.Error(err)
	}
}

func testStat(e *env) {
	data := []byte("twelve bytes")
	e.put(e.st, "s/dir/file.txt", data)
	info, err := e.st.Stat(e.ctx, "s/dir/file.txt")
	if err != nil {
		e.t.Fatalf("Stat(file): %v", err)
	}
	if info.Path != "s/dir/file.txt" || info.IsFolder || info.Size != int64(len(data)) || info.Name() != "file.txt" {
		e.t.Errorf("Stat(file) = %+v, want Path s/dir/file.txt, a file of %d bytes", info, len(data))
	}
	info, err = e.st.Stat(e.ctx, "s//dir/./file.txt")
	if err != nil || info.Path != "s/dir/file.txt" {
		e.t.Errorf("Stat(unclean path) = %+v, %v; want Path s/dir/file.txt", info, err)
	}
	info, err = e.st.Stat(e.ctx, "s/dir")
	switch {
	case err == nil && !info.IsFolder:
		e.t.Errorf("Stat(folder) = %+v, want IsFolder", info)
	case err == nil && info.Path != "s/dir":
		e.t.Errorf("Stat(folder).Path = %q, want s/dir", info.Path)
	case err != nil && !(errors.Is(err, store.ErrNotFound) && !e.has(store.CapList)):
		// Only a backend that cannot list may fail to see a folder.
		e.t.Errorf("Stat(folder): %v", err)
	}
	_, err = e.st.Stat(e.ctx, "s/dir/file.txt/below")
	if err == nil {
		e.t.Error("Stat(below a file) succeeded")
	}
	_, err = e.st.Stat(e.ctx, "s/di")
	e.wantErr(err, store.ErrNotFound, "Stat(prefix of a folder name)")
}

func testStatRoot(e *env) {
	info, err := e.st.Stat(e.ctx, "")
	if err != nil {
		e.t.Fatalf("Stat(root of an empty store): %v", err)
	}
	if !info.IsFolder || info.Path != "" {
		e.t.Errorf("Stat(root) = %+v, want a folder with Path \"\"", info)
	}
	ok, err := e.st.IsFolder(e.ctx, ".")
	if err != nil || !ok {
		e.t.Errorf("IsFolder(root) = %v, %v; want true", ok, err)
	}
}

func testExists(e *env) {
	e.put(e.st, "x/file", []byte("1"))
	type want struct{ exists, file, folder bool }
	cases := map[string]want{
		"x/file":    {true, true, false},
		"x/missing": {false, false, false},
		"nothing":   {false, false, false},
	}
	if e.has(store.CapList) {
		cases["x"] = want{true, false, true}
	}
	for _, p := range sortedKeys(cases) {
		w := cases[p]
		ex, err1 := e.st.Exists(e.ctx, p)
		f, err2 := e.st.IsFile(e.ctx, p)
		d, err3 := e.st.IsFolder(e.ctx, p)
		if err := errors.Join(err1, err2, err3); err != nil {
			e.t.Errorf("%q: %v", p, err)
			continue
		}
		if (want{ex, f, d}) != w {
			e.t.Errorf("%q: Exists, IsFile, IsFolder = %v, %v, %v; want %v, %v, %v", p, ex, f, d, w.exists, w.file, w.folder)
		}
	}
	for _, bad := range []string{"../x", "/abs"} {
		if _, err := e.st.Exists(e.ctx, bad); !errors.Is(err, store.ErrInvalidPath) {
			e.t.Errorf("Exists(%q) error = %v, want ErrInvalidPath", bad, err)
		}
	}
}

// testNativePath: a backend that offers native paths gives one that reads
// back the stored bytes through the operating system, and classifies
// missing files and folders; the others refuse with ErrNotSupported.
func testNativePath(e *env) {
	want := []byte("native bytes")
	e.put(e.st, "native/file.bin", want)
	p, err := e.st.NativePath(e.ctx, "native/file.bin")
	if _, ok := e.st.Backend().(store.NativePather); !ok {
		e.wantErr(err, store.ErrNotSupported, "NativePath without NativePather")
		return
	}
	if err != nil {
		e.t.Fatalf("NativePath: %v", err)
	}
	got, err := os.ReadFile(p)
	if err != nil || !bytes.Equal(got, want) {
		e.t.Errorf("os.ReadFile(NativePath) = %q, %v; want %q", got, err, want)
	}
	_, err = e.st.NativePath(e.ctx, "native/missing.bin")
	e.wantErr(err, store.ErrNotFound, "NativePath(missing)")
	_, err = e.st.NativePath(e.ctx, "native")
	e.wantErr(err, store.ErrIsFolder, "NativePath(folder)")
	_, err = e.st.NativePath(e.ctx, "../escape")
	e.wantErr(err, store.ErrInvalidPath, "NativePath(../escape)")
}
