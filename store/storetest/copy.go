package storetest

import (
	"github.com/remotestore/remotestore/backends/memory"
	"github.com/remotestore/remotestore/store"
)

const rwd = store.CapRead | store.CapWrite | store.CapDelete

func copyTests() []test {
	return []test{
		{name: "Copy", needs: rw, fn: testCopy},
		{name: "CopyOverwriteRefused", needs: rw, fn: testCopyOverwriteRefused},
		{name: "CopyOverwrite", needs: rw, fn: testCopyOverwrite},
		{name: "CopyErrors", needs: rw, fn: testCopyErrors},
		{name: "CopyAcrossStores", needs: rw, fn: testCopyAcross},
		{name: "Move", needs: rwd, fn: testMove},
		{name: "MoveOverwriteRefused", needs: rwd, fn: testMoveOverwriteRefused},
		{name: "MoveOverwrite", needs: rwd, fn: testMoveOverwrite},
		{name: "MoveErrors", needs: rwd, fn: testMoveErrors},
	}
}

var copyOverwrite = &store.CopyOptions{Overwrite: true}

func testCopy(e *env) {
	data := pattern(20).bytes(200 << 10)
	e.put(e.st, "src/data.bin", data)
	if err := e.st.Copy(e.ctx, "src/data.bin", "dst/deep/copy.bin", nil); err != nil {
		e.t.Fatalf("Copy: %v", err)
	}
	e.wantContent(e.st, "dst/deep/copy.bin", data)
	e.wantContent(e.st, "src/data.bin", data)
	// The copy is independent of its source.
	e.put(e.st, "src/data.bin", []byte("changed"))
	e.wantContent(e.st, "dst/deep/copy.bin", data)
	// Empty file, and a copy onto itself (a no-op).
	e.put(e.st, "empty", nil)
	if err := e.st.Copy(e.ctx, "empty", "empty-copy", nil); err != nil {
		e.t.Errorf("Copy(empty file): %v", err)
	}
	e.wantContent(e.st, "empty-copy", nil)
	if err := e.st.Copy(e.ctx, "src/data.bin", "src//data.bin", nil); err != nil {
		e.t.Errorf("Copy onto itself: %v", err)
	}
	e.wantContent(e.st, "src/data.bin", []byte("changed"))
}

func testCopyOverwriteRefused(e *env) {
	e.put(e.st, "a.txt", []byte("source"))
	e.put(e.st, "b.txt", []byte("destination"))
	err := e.st.Copy(e.ctx, "a.txt", "b.txt", nil)
	e.wantErr(err, store.ErrAlreadyExists, "Copy onto an existing file")
	e.wantContent(e.st, "b.txt", []byte("destination"))
	e.wantContent(e.st, "a.txt", []byte("source"))
}

func testCopyOverwrite(e *env) {
	e.put(e.st, "a.txt", []byte("src"))
	e.put(e.st, "b.txt", []byte("a longer destination"))
	if err := e.st.Copy(e.ctx, "a.txt", "b.txt", copyOverwrite); err != nil {
		e.t.Fatalf("Copy with Overwrite: %v", err)
	}
	e.wantContent(e.st, "b.txt", []byte("src"))
}

func testCopyErrors(e *env) {
	e.put(e.st, "file.txt", []byte("f"))
	e.put(e.st, "dir/inner.txt", []byte("i"))
	e.wantErr(e.st.Copy(e.ctx, "missing", "x", nil), store.ErrNotFound, "Copy(missing source)")
	e.wantErr(e.st.Copy(e.ctx, "dir", "dir2", nil), store.ErrIsFolder, "Copy(folder source)")
	e.wantErr(e.st.Copy(e.ctx, "file.txt", "dir", copyOverwrite), store.ErrIsFolder, "Copy onto a folder")
	e.wantErr(e.st.Copy(e.ctx, "file.txt", "", copyOverwrite), store.ErrIsFolder, "Copy onto the root")
	e.wantErr(e.st.Copy(e.ctx, "../file.txt", "x", nil), store.ErrInvalidPath, "Copy(../)")
	e.wantErr(e.st.Copy(e.ctx, "file.txt", "../x", nil), store.ErrInvalidPath, "Copy(to ../)")
	e.wantMissing(e.st, "x")
	e.wantMissing(e.st, "dir2")
	e.wantContent(e.st, "dir/inner.txt", []byte("i"))
}

// testCopyAcross copies between the store under test and a memory store,
// both ways, through store.Copy's streaming path.
func testCopyAcross(e *env) {
	mem := memory.NewStore()
	defer mem.Close()
	data := pattern(21).bytes(1<<20 + 3)
	if err := mem.WriteBytes(e.ctx, "in.bin", data, nil); err != nil {
		e.t.Fatal(err)
	}
	if err := store.Copy(e.ctx, e.st, "from-mem/in.bin", mem, "in.bin", nil); err != nil {
		e.t.Fatalf("Copy(memory → store): %v", err)
	}
	e.wantContent(e.st, "from-mem/in.bin", data)
	err := store.Copy(e.ctx, e.st, "from-mem/in.bin", mem, "in.bin", nil)
	e.wantErr(err, store.ErrAlreadyExists, "Copy(memory → store) onto an existing file")
	if err := store.Copy(e.ctx, mem, "back.bin", e.st, "from-mem/in.bin", nil); err != nil {
		e.t.Fatalf("Copy(store → memory): %v", err)
	}
	got, err := mem.ReadBytes(e.ctx, "back.bin")
	if err != nil || string(got) != string(data) {
		e.t.Errorf("round trip through the store: %s, %v", preview(got), err)
	}
	err = store.Copy(e.ctx, mem, "x", e.st, "missing", nil)
	e.wantErr(err, store.ErrNotFound, "Copy(store → memory) of a missing file")
}

func testMove(e *env) {
	data := pattern(22).bytes(100 << 10)
	e.put(e.st, "m/src.bin", data)
	if err := e.st.Move(e.ctx, "m/src.bin", "m2/deep/dst.bin", nil); err != nil {
		e.t.Fatalf("Move: %v", err)
	}
	e.wantContent(e.st, "m2/deep/dst.bin", data)
	e.wantMissing(e.st, "m/src.bin")
	if !e.has(store.CapRealFolders) && e.has(store.CapList) {
		e.wantMissing(e.st, "m") // the folder went with its last file
	}
	// Moving onto itself changes nothing.
	if err := e.st.Move(e.ctx, "m2/deep/dst.bin", "m2/deep/./dst.bin", nil); err != nil {
		e.t.Errorf("Move onto itself: %v", err)
	}
	e.wantContent(e.st, "m2/deep/dst.bin", data)
}

func testMoveOverwriteRefused(e *env) {
	e.put(e.st, "a.txt", []byte("source"))
	e.put(e.st, "b.txt", []byte("destination"))
	err := e.st.Move(e.ctx, "a.txt", "b.txt", nil)
	e.wantErr(err, store.ErrAlreadyExists, "Move onto an existing file")
	e.wantContent(e.st, "a.txt", []byte("source"))
	e.wantContent(e.st, "b.txt", []byte("destination"))
}

func testMoveOverwrite(e *env) {
	e.put(e.st, "a.txt", []byte("src"))
	e.put(e.st, "b.txt", []byte("a longer destination"))
	if err := e.st.Move(e.ctx, "a.txt", "b.txt", copyOverwrite); err != nil {
		e.t.Fatalf("Move with Overwrite: %v", err)
	}
	e.wantContent(e.st, "b.txt", []byte("src"))
	e.wantMissing(e.st, "a.txt")
}

func testMoveErrors(e *env) {
	e.put(e.st, "file.txt", []byte("f"))
	e.put(e.st, "dir/inner.txt", []byte("i"))
	e.wantErr(e.st.Move(e.ctx, "missing", "x", nil), store.ErrNotFound, "Move(missing source)")
	e.wantErr(e.st.Move(e.ctx, "dir", "dir2", nil), store.ErrIsFolder, "Move(folder source)")
	e.wantErr(e.st.Move(e.ctx, "file.txt", "dir", copyOverwrite), store.ErrIsFolder, "Move onto a folder")
	e.wantErr(e.st.Move(e.ctx, "file.txt", "../x", nil), store.ErrInvalidPath, "Move(to ../)")
	e.wantContent(e.st, "file.txt", []byte("f"))
	e.wantContent(e.st, "dir/inner.txt", []byte("i"))
	e.wantMissing(e.st, "x")
	e.wantMissing(e.st, "dir2")
}
