package storetest

import (
	"bytes"
	"errors"
	"io"
	"strings"

	"github.com/remotestore/remotestore/store"
)

const rw = store.CapRead | store.CapWrite

func writeTests() []test {
	return []test{
		{name: "WriteBytesString", needs: rw, fn: testWriteBytesString},
		{name: "WriteStream", needs: rw, fn: testWriteStream},
		{name: "NewWriterCommit", needs: rw, fn: testNewWriterCommit},
		{name: "CreatesParents", needs: rw, fn: testWriteCreatesParents},
		{name: "OverwriteRefused", needs: rw, fn: testOverwriteRefused},
		{name: "Overwrite", needs: rw, fn: testOverwrite},
		{name: "CommitRefusesLateConflict", needs: rw, fn: testCommitLateConflict},
		{name: "FolderInTheWay", needs: rw, fn: testWriteOverFolder},
		{name: "ParentIsFile", needs: rw, fn: testWriteParentIsFile},
		{name: "CloseWithoutCommit", needs: rw, fn: testCloseWithoutCommit},
		{name: "Abort", needs: rw, fn: testAbort},
		{name: "UseAfterCommit", needs: rw, fn: testUseAfterCommit},
		{name: "FailingSource", needs: rw, fn: testFailingSource},
		{name: "EmptyFile", needs: rw, fn: testWriteEmpty},
		{name: "InvalidPath", needs: rw, fn: testWriteInvalidPath},
	}
}

var overwrite = &store.WriteOptions{Overwrite: true}

func testWriteBytesString(e *env) {
	if err := e.st.WriteBytes(e.ctx, "w/bytes.bin", []byte{0, 1, 2, 255}, nil); err != nil {
		e.t.Fatalf("WriteBytes: %v", err)
	}
	e.wantContent(e.st, "w/bytes.bin", []byte{0, 1, 2, 255})
	if err := e.st.WriteString(e.ctx, "w/string.txt", "héllo\n", &store.WriteOptions{ContentType: "text/plain"}); err != nil {
		e.t.Fatalf("WriteString: %v", err)
	}
	e.wantContent(e.st, "w/string.txt", []byte("héllo\n"))
	info, err := e.st.Stat(e.ctx, "w/string.txt")
	if err != nil || info.Size != int64(len("héllo\n")) {
		e.t.Errorf("Stat after WriteString = %+v, %v; want size %d", info, err, len("héllo\n"))
	}
}

func testWriteStream(e *env) {
	// A reader that hides WriterTo/Len, so the store sees only a stream of
	// unknown length.
	p := pattern(10)
	src := io.LimitReader(p.reader(3<<20+17), 3<<20+17)
	if err := e.st.Write(e.ctx, "stream.bin", src, nil); err != nil {
		e.t.Fatalf("Write: %v", err)
	}
	e.wantContent(e.st, "stream.bin", p.bytes(3<<20+17))
}

func testNewWriterCommit(e *env) {
	w, err := e.st.NewWriter(e.ctx, "nw/file.txt", nil)
	if err != nil {
		e.t.Fatalf("NewWriter: %v", err)
	}
	defer w.Close()
	var want bytes.Buffer
	for i := range 100 {
		chunk := strings.Repeat(string(rune('a'+i%26)), i*37)
		if _, err := io.WriteString(w, chunk); err != nil {
			e.t.Fatalf("Write #%d: %v", i, err)
		}
		want.WriteString(chunk)
	}
	if w.Written() != int64(want.Len()) {
		e.t.Errorf("Written() = %d, want %d", w.Written(), want.Len())
	}
	if err := w.Commit(); err != nil {
		e.t.Fatalf("Commit: %v", err)
	}
	if err := w.Close(); err != nil {
		e.t.Errorf("Close after Commit: %v", err)
	}
	e.wantContent(e.st, "nw/file.txt", want.Bytes())
}

func testWriteCreatesParents(e *env) {
	if err := e.st.WriteString(e.ctx, "p1/p2/p3/p4/leaf.txt", "leaf", nil); err != nil {
		e.t.Fatalf("WriteString into missing folders: %v", err)
	}
	e.wantContent(e.st, "p1/p2/p3/p4/leaf.txt", []byte("leaf"))
	if e.has(store.CapList) {
		for _, d := range []string{"p1", "p1/p2", "p1/p2/p3", "p1/p2/p3/p4"} {
			if ok, err := e.st.IsFolder(e.ctx, d); err != nil || !ok {
				e.t.Errorf("IsFolder(%q) = %v, %v; want true", d, ok, err)
			}
		}
	}
}

func testOverwriteRefused(e *env) {
	e.put(e.st, "keep.txt", []byte("original"))
	err := e.st.WriteString(e.ctx, "keep.txt", "replacement", nil)
	e.wantErr(err, store.ErrAlreadyExists, "WriteString over an existing file")
	if err != nil && !strings.Contains(err.Error(), "keep.txt") {
		e.t.Errorf("error %q does not name the path", err)
	}
	err = e.st.Write(e.ctx, "keep.txt", strings.NewReader("replacement"), &store.WriteOptions{})
	e.wantErr(err, store.ErrAlreadyExists, "Write over an existing file")
	_, err = e.st.NewWriter(e.ctx, "keep.txt", nil)
	e.wantErr(err, store.ErrAlreadyExists, "NewWriter over an existing file")
	e.wantContent(e.st, "keep.txt", []byte("original"))
}

func testOverwrite(e *env) {
	e.put(e.st, "ow.txt", []byte("a long original content"))
	if err := e.st.WriteString(e.ctx, "ow.txt", "short", overwrite); err != nil {
		e.t.Fatalf("WriteString with Overwrite: %v", err)
	}
	// A shorter replacement leaves no tail of the old content.
	e.wantContent(e.st, "ow.txt", []byte("short"))
	w, err := e.st.NewWriter(e.ctx, "ow.txt", overwrite)
	if err != nil {
		e.t.Fatalf("NewWriter with Overwrite: %v", err)
	}
	defer w.Close()
	io.WriteString(w, "third")
	if err := w.Commit(); err != nil {
		e.t.Fatalf("Commit with Overwrite: %v", err)
	}
	e.wantContent(e.st, "ow.txt", []byte("third"))
	// Overwrite also creates.
	if err := e.st.WriteString(e.ctx, "ow-new.txt", "new", overwrite); err != nil {
		e.t.Errorf("WriteString with Overwrite on a new path: %v", err)
	}
	e.wantContent(e.st, "ow-new.txt", []byte("new"))
}

// testCommitLateConflict starts a write without Overwrite, lets another
// write create the file meanwhile, and checks that Commit refuses to
// replace it.
func testCommitLateConflict(e *env) {
	if why := e.h.Options.NoExclusiveCreate; why != "" {
		e.t.Skipf("declared exception NoExclusiveCreate: %s", why)
	}
	w, err := e.st.NewWriter(e.ctx, "late.txt", nil)
	if err != nil {
		e.t.Fatalf("NewWriter: %v", err)
	}
	defer w.Close()
	io.WriteString(w, "loser")
	if err := e.st.WriteString(e.ctx, "late.txt", "winner", nil); err != nil {
		e.t.Fatalf("competing WriteString: %v", err)
	}
	e.wantErr(w.Commit(), store.ErrAlreadyExists, "Commit after the file appeared")
	e.wantContent(e.st, "late.txt", []byte("winner"))
}

func testWriteOverFolder(e *env) {
	e.put(e.st, "folder/inside.txt", []byte("inside"))
	err := e.st.WriteString(e.ctx, "folder", "file over folder", overwrite)
	e.wantErr(err, store.ErrIsFolder, "WriteString where a folder exists")
	_, err = e.st.NewWriter(e.ctx, "folder", nil)
	e.wantErr(err, store.ErrIsFolder, "NewWriter where a folder exists")
	err = e.st.WriteString(e.ctx, "", "x", overwrite)
	e.wantErr(err, store.ErrIsFolder, "WriteString at the store root")
	e.wantContent(e.st, "folder/inside.txt", []byte("inside"))
}

func testWriteParentIsFile(e *env) {
	e.put(e.st, "plain.txt", []byte("plain"))
	err := e.st.WriteString(e.ctx, "plain.txt/child.txt", "child", nil)
	if err == nil {
		e.t.Fatal("writing below a file succeeded")
	}
	if !errors.Is(err, store.ErrNotFolder) {
		e.t.Logf("writing below a file failed with %v (ErrNotFolder preferred)", err)
	}
	e.wantContent(e.st, "plain.txt", []byte("plain"))
	if _, err := e.st.ReadBytes(e.ctx, "plain.txt/child.txt"); err == nil {
		e.t.Error("a file below a file can be read")
	}
}

func testCloseWithoutCommit(e *env) {
	w, err := e.st.NewWriter(e.ctx, "uncommitted.txt", nil)
	if err != nil {
		e.t.Fatalf("NewWriter: %v", err)
	}
	io.WriteString(w, "never published")
	if err := w.Close(); err != nil {
		e.t.Errorf("Close without Commit: %v", err)
	}
	e.wantMissing(e.st, "uncommitted.txt")
	if err := w.Commit(); err == nil {
		e.t.Error("Commit after Close succeeded")
	}
	e.wantMissing(e.st, "uncommitted.txt")

	// Over an existing file, the old content stays.
	e.put(e.st, "existing.txt", []byte("old"))
	w, err = e.st.NewWriter(e.ctx, "existing.txt", overwrite)
	if err != nil {
		e.t.Fatalf("NewWriter(Overwrite): %v", err)
	}
	io.WriteString(w, "new but abandoned")
	w.Close()
	e.wantContent(e.st, "existing.txt", []byte("old"))
	if e.has(store.CapList) {
		e.wantListing(e.st, "", []string{"existing.txt"})
	}
}

func testAbort(e *env) {
	w, err := e.st.NewWriter(e.ctx, "aborted/file.txt", nil)
	if err != nil {
		e.t.Fatalf("NewWriter: %v", err)
	}
	io.WriteString(w, "discard me")
	if err := w.Abort(); err != nil {
		e.t.Errorf("Abort: %v", err)
	}
	if err := w.Abort(); err != nil {
		e.t.Errorf("second Abort: %v", err)
	}
	e.wantErr(w.Commit(), store.ErrPrecondition, "Commit after Abort")
	if _, err := w.Write([]byte("x")); !errors.Is(err, store.ErrPrecondition) {
		e.t.Errorf("Write after Abort = %v, want ErrPrecondition", err)
	}
	w.Close()
	e.wantMissing(e.st, "aborted/file.txt")
	if e.has(store.CapList) && !e.has(store.CapRealFolders) {
		e.wantMissing(e.st, "aborted")
	}
}

func testUseAfterCommit(e *env) {
	w, err := e.st.NewWriter(e.ctx, "done.txt", nil)
	if err != nil {
		e.t.Fatalf("NewWriter: %v", err)
	}
	io.WriteString(w, "final")
	if err := w.Commit(); err != nil {
		e.t.Fatalf("Commit: %v", err)
	}
	_, err = w.Write([]byte("more"))
	e.wantErr(err, store.ErrPrecondition, "Write after Commit")
	e.wantErr(w.Commit(), store.ErrPrecondition, "second Commit")
	if err := w.Abort(); err != nil {
		e.t.Errorf("Abort after Commit = %v, want nil (a no-op)", err)
	}
	if err := w.Close(); err != nil {
		e.t.Errorf("Close after Commit: %v", err)
	}
	e.wantContent(e.st, "done.txt", []byte("final"))
}

// failingReader yields n bytes, then fails.
type failingReader struct {
	n   int
	err error
}

var errSource = errors.New("storetest: source failed on purpose")

func (r *failingReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, errSource
	}
	k := min(len(p), r.n)
	for i := range p[:k] {
		p[i] = 'x'
	}
	r.n -= k
	return k, nil
}

func testFailingSource(e *env) {
	err := e.st.Write(e.ctx, "failed.txt", &failingReader{n: 100 << 10}, nil)
	if !errors.Is(err, errSource) {
		e.t.Errorf("Write from a failing reader = %v, want an error wrapping the reader's", err)
	}
	e.wantMissing(e.st, "failed.txt")
	e.put(e.st, "kept.txt", []byte("kept"))
	err = e.st.Write(e.ctx, "kept.txt", &failingReader{n: 10}, overwrite)
	if err == nil {
		e.t.Error("Write from a failing reader succeeded")
	}
	e.wantContent(e.st, "kept.txt", []byte("kept"))
}

func testWriteEmpty(e *env) {
	if err := e.st.WriteBytes(e.ctx, "zero", nil, nil); err != nil {
		e.t.Fatalf("WriteBytes(nil): %v", err)
	}
	e.wantContent(e.st, "zero", nil)
	w, err := e.st.NewWriter(e.ctx, "zero2", nil)
	if err != nil {
		e.t.Fatalf("NewWriter: %v", err)
	}
	if err := w.Commit(); err != nil {
		e.t.Fatalf("Commit with nothing written: %v", err)
	}
	e.wantContent(e.st, "zero2", nil)
	if ok, err := e.st.IsFile(e.ctx, "zero2"); !ok || err != nil {
		e.t.Errorf("IsFile(empty file) = %v, %v", ok, err)
	}
}

func testWriteInvalidPath(e *env) {
	for _, p := range []string{"../escape.txt", "a/../../escape.txt", "/abs.txt", "back\\slash", "nul\x00byte", "ctl\x01"} {
		err := e.st.WriteString(e.ctx, p, "x", overwrite)
		e.wantErr(err, store.ErrInvalidPath, "WriteString("+strings.ToValidUTF8(p, "?")+")")
	}
	if e.has(store.CapList) {
		e.wantListing(e.st, "", nil)
	}
	if e.prefix != "" && e.base.Capabilities().Has(store.CapList) {
		e.wantListing(e.base, "", nil)
	}
}
