package storetest

import (
	"errors"
	"io"
	"slices"
	"strings"

	"github.com/remotestore/remotestore/store"
)

const rwa = rw | store.CapAtomicWrite

func atomicTests() []test {
	return []test{
		{name: "InvisibleBeforeCommit", needs: rwa, fn: testInvisibleBeforeCommit},
		{name: "OldContentUntilCommit", needs: rwa, fn: testOldUntilCommit},
		{name: "WriteAtomic", needs: rwa, fn: testWriteAtomic},
		{name: "NoLeftovers", needs: rw | store.CapList, fn: testNoLeftovers},
	}
}

func testInvisibleBeforeCommit(e *env) {
	w, err := e.st.NewAtomicWriter(e.ctx, "atomic/new.bin", nil)
	if err != nil {
		e.t.Fatalf("NewAtomicWriter: %v", err)
	}
	defer w.Close()
	data := pattern(70).bytes(512 << 10)
	if _, err := w.Write(data[:300<<10]); err != nil {
		e.t.Fatalf("Write: %v", err)
	}
	e.wantMissing(e.st, "atomic/new.bin")
	if _, err := e.st.ReadBytes(e.ctx, "atomic/new.bin"); !errors.Is(err, store.ErrNotFound) {
		e.t.Errorf("ReadBytes before Commit = %v, want ErrNotFound", err)
	}
	if e.has(store.CapList) {
		if got := e.collect(e.st.ListFiles(e.ctx, "", nil), "ListFiles"); len(got) != 0 {
			e.t.Errorf("before Commit, ListFiles = %q, want nothing", got)
		}
	}
	if _, err := w.Write(data[300<<10:]); err != nil {
		e.t.Fatalf("Write: %v", err)
	}
	if err := w.Commit(); err != nil {
		e.t.Fatalf("Commit: %v", err)
	}
	e.wantContent(e.st, "atomic/new.bin", data)
}

func testOldUntilCommit(e *env) {
	e.put(e.st, "atomic/old.txt", []byte("old content"))
	w, err := e.st.NewAtomicWriter(e.ctx, "atomic/old.txt", overwrite)
	if err != nil {
		e.t.Fatalf("NewAtomicWriter(Overwrite): %v", err)
	}
	defer w.Close()
	io.WriteString(w, "new content, longer than the old")
	e.wantContent(e.st, "atomic/old.txt", []byte("old content"))
	if info, err := e.st.Stat(e.ctx, "atomic/old.txt"); err != nil || info.Size != int64(len("old content")) {
		e.t.Errorf("Stat before Commit = %+v, %v; want the old size", info, err)
	}
	if err := w.Commit(); err != nil {
		e.t.Fatalf("Commit: %v", err)
	}
	e.wantContent(e.st, "atomic/old.txt", []byte("new content, longer than the old"))
}

func testWriteAtomic(e *env) {
	if err := e.st.WriteAtomic(e.ctx, "wa.txt", strings.NewReader("atomic"), nil); err != nil {
		e.t.Fatalf("WriteAtomic: %v", err)
	}
	e.wantContent(e.st, "wa.txt", []byte("atomic"))
	err := e.st.WriteAtomic(e.ctx, "wa.txt", strings.NewReader("again"), nil)
	e.wantErr(err, store.ErrAlreadyExists, "WriteAtomic over an existing file")
	if err := e.st.WriteAtomic(e.ctx, "wa.txt", strings.NewReader("replaced"), overwrite); err != nil {
		e.t.Errorf("WriteAtomic(Overwrite): %v", err)
	}
	e.wantContent(e.st, "wa.txt", []byte("replaced"))
	err = e.st.WriteAtomic(e.ctx, "wa2.txt", &failingReader{n: 1000}, nil)
	if !errors.Is(err, errSource) {
		e.t.Errorf("WriteAtomic from a failing reader = %v, want the reader's error", err)
	}
	e.wantMissing(e.st, "wa2.txt")
}

// testNoLeftovers checks that commits, aborts and failed writes leave no
// temporary files or folders behind (a local backend's temp files, an
// object store's staging keys).
func testNoLeftovers(e *env) {
	if err := e.st.WriteString(e.ctx, "t/committed.txt", "ok", nil); err != nil {
		e.t.Fatal(err)
	}
	w, err := e.st.NewWriter(e.ctx, "t/aborted.txt", nil)
	if err != nil {
		e.t.Fatal(err)
	}
	io.WriteString(w, "abort me")
	w.Abort()
	w, err = e.st.NewWriter(e.ctx, "t/closed.txt", nil)
	if err != nil {
		e.t.Fatal(err)
	}
	io.WriteString(w, "close me")
	w.Close()
	e.st.Write(e.ctx, "t/failed.txt", &failingReader{n: 10}, nil)
	e.st.WriteString(e.ctx, "t/committed.txt", "refused", nil)
	want := []string{"t/", "t/committed.txt"}
	got := e.collect(e.st.List(e.ctx, "", nil), "List")
	if !slices.Equal(got, want) {
		e.t.Errorf("List = %q, want %q: something was left behind", got, want)
	}
	e.wantContent(e.st, "t/committed.txt", []byte("ok"))
}
