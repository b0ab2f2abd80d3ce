package storetest

import (
	"errors"
	"io"
	"io/fs"
	"slices"
	"testing/fstest"

	"github.com/remotestore/remotestore/store"
)

func fsTests() []test {
	return []test{
		{name: "TestFS", needs: store.CapRead | store.CapList, fixtures: true, fn: testFSTestFS},
		{name: "TestFSSub", needs: store.CapRead | store.CapList, fixtures: true, fn: testFSSub},
		{name: "WalkDirGlob", needs: store.CapRead | store.CapList, fixtures: true, fn: testFSWalk},
		{name: "ReadFileStat", needs: store.CapRead, fixtures: true, fn: testFSReadFile},
		{name: "Errors", needs: store.CapRead, fixtures: true, fn: testFSErrors},
	}
}

// fsTree is the io/fs fixture: the deep tree plus an empty file and a
// larger one (so fstest's ReadAt and Seek checks cross buffer sizes).
func (e *env) putFSTree() []string {
	e.putTree(e.st, deepTree)
	e.put(e.st, "a/empty", nil)
	e.put(e.st, "x/big.bin", pattern(30).bytes(70<<10))
	files := append(sortedKeys(deepTree), "a/empty", "x/big.bin")
	slices.Sort(files)
	return files
}

func testFSTestFS(e *env) {
	files := e.putFSTree()
	if err := fstest.TestFS(e.st.FS(e.ctx), files...); err != nil {
		e.t.Errorf("fstest.TestFS: %v", err)
	}
}

func testFSSub(e *env) {
	e.putFSTree()
	sub, err := fs.Sub(e.st.FS(e.ctx), "a/b")
	if err != nil {
		e.t.Fatalf("fs.Sub: %v", err)
	}
	if err := fstest.TestFS(sub, "two.txt", "c/three.txt", "c/d/four.txt"); err != nil {
		e.t.Errorf("fstest.TestFS(fs.Sub(a/b)): %v", err)
	}
}

func testFSWalk(e *env) {
	files := e.putFSTree()
	fsys := e.st.FS(e.ctx)
	var walked []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			walked = append(walked, p)
		}
		return nil
	})
	if err != nil {
		e.t.Fatalf("fs.WalkDir: %v", err)
	}
	if !slices.Equal(walked, files) {
		e.t.Errorf("fs.WalkDir files = %q, want %q", walked, files)
	}
	got, err := fs.Glob(fsys, "a/*/*.txt")
	if err != nil || !slices.Equal(got, []string{"a/b/two.txt"}) {
		e.t.Errorf("fs.Glob(a/*/*.txt) = %q, %v", got, err)
	}
	entries, err := fs.ReadDir(fsys, "a")
	if err != nil {
		e.t.Fatalf("fs.ReadDir(a): %v", err)
	}
	var names []string
	for _, d := range entries {
		n := d.Name()
		if d.IsDir() {
			n += "/"
		}
		names = append(names, n)
	}
	if want := []string{"b/", "empty", "one.txt"}; !slices.Equal(names, want) {
		e.t.Errorf("fs.ReadDir(a) = %q, want %q", names, want)
	}
}

func testFSReadFile(e *env) {
	e.put(e.st, "f/data.txt", []byte("through io/fs"))
	fsys := e.st.FS(e.ctx)
	b, err := fs.ReadFile(fsys, "f/data.txt")
	if err != nil || string(b) != "through io/fs" {
		e.t.Errorf("fs.ReadFile = %q, %v", b, err)
	}
	fi, err := fs.Stat(fsys, "f/data.txt")
	if err != nil {
		e.t.Fatalf("fs.Stat: %v", err)
	}
	if fi.Name() != "data.txt" || fi.Size() != 13 || fi.IsDir() || !fi.Mode().IsRegular() {
		e.t.Errorf("fs.Stat = name %q size %d dir %v mode %v", fi.Name(), fi.Size(), fi.IsDir(), fi.Mode())
	}
	f, err := fsys.Open("f/data.txt")
	if err != nil {
		e.t.Fatalf("Open: %v", err)
	}
	if _, ok := f.(io.ReaderAt); !ok && e.has(store.CapRangeRead) {
		e.t.Error("opened file does not implement io.ReaderAt")
	}
	if err := f.Close(); err != nil {
		e.t.Errorf("Close: %v", err)
	}
	if _, err := f.Read(make([]byte, 1)); !errors.Is(err, fs.ErrClosed) {
		e.t.Errorf("Read after Close = %v, want fs.ErrClosed", err)
	}
}

func testFSErrors(e *env) {
	e.put(e.st, "f/data.txt", []byte("x"))
	fsys := e.st.FS(e.ctx)
	_, err := fs.ReadFile(fsys, "f/missing.txt")
	if !errors.Is(err, fs.ErrNotExist) || !errors.Is(err, store.ErrNotFound) {
		e.t.Errorf("fs.ReadFile(missing) = %v, want fs.ErrNotExist and store.ErrNotFound", err)
	}
	var pe *fs.PathError
	if !errors.As(err, &pe) || pe.Path != "f/missing.txt" {
		e.t.Errorf("fs.ReadFile(missing) = %v, want a *fs.PathError naming f/missing.txt", err)
	}
	if _, err := fs.Stat(fsys, "nope"); !errors.Is(err, fs.ErrNotExist) {
		e.t.Errorf("fs.Stat(missing) = %v, want fs.ErrNotExist", err)
	}
	for _, bad := range []string{"../x", "/abs", "a//b", "./a", "a/"} {
		if _, err := fsys.Open(bad); !errors.Is(err, fs.ErrInvalid) {
			e.t.Errorf("Open(%q) = %v, want fs.ErrInvalid", bad, err)
		}
	}
}
