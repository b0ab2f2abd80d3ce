package parquet_test

// A minimal local-directory backend for this package's tests (interop with
// pyarrow and the benchmarks need real files), until they can use
// backends/local. Atomic writes: a hidden temp file, fsync-free, then
// link (create-if-absent) or rename (overwrite) into place.

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"iter"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/remotestore/remotestore/store"
)

type dirBackend struct{ root string }

func newDirStore(t *testing.T) *store.Store { return store.New(&dirBackend{root: t.TempDir()}) }

func dirStoreAt(root string) *store.Store { return store.New(&dirBackend{root: root}) }

var (
	_ store.Backend        = (*dirBackend)(nil)
	_ store.Mover          = (*dirBackend)(nil)
	_ store.ReaderAtOpener = (*dirBackend)(nil)
)

func (b *dirBackend) abs(p string) string { return filepath.Join(b.root, filepath.FromSlash(p)) }

func (b *dirBackend) Scheme() string { return "dir" }
func (b *dirBackend) Capabilities() store.Capability {
	return store.CapRead | store.CapRangeRead | store.CapWrite | store.CapAtomicWrite | store.CapList |
		store.CapDelete | store.CapAtomicMove | store.CapRealFolders | store.CapModTime
}
func (b *dirBackend) URI(p string) string { return "file://" + filepath.ToSlash(b.abs(p)) }
func (b *dirBackend) Close() error        { return nil }

func (b *dirBackend) Classify(err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return store.ErrNotFound
	case errors.Is(err, fs.ErrExist):
		return store.ErrAlreadyExists
	}
	return nil
}

func (b *dirBackend) Stat(_ context.Context, p string) (store.Info, error) {
	fi, err := os.Stat(b.abs(p))
	if err != nil {
		return store.Info{}, err
	}
	return store.Info{Path: p, IsFolder: fi.IsDir(), Size: sizeOf(fi), ModTime: fi.ModTime()}, nil
}

func sizeOf(fi fs.FileInfo) int64 {
	if fi.IsDir() {
		return 0
	}
	return fi.Size()
}

type sectionCloser struct {
	*io.SectionReader
	f *os.File
}

func (s sectionCloser) Close() error { return s.f.Close() }

func (b *dirBackend) OpenRange(_ context.Context, p string, off, length int64) (io.ReadCloser, error) {
	f, err := os.Open(b.abs(p))
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil || fi.IsDir() {
		f.Close()
		if err == nil {
			err = store.ErrIsFolder
		}
		return nil, err
	}
	if length < 0 {
		length = fi.Size()
	}
	return sectionCloser{io.NewSectionReader(f, off, length), f}, nil
}

type fileRA struct {
	*os.File
	size int64
}

func (f fileRA) Size() int64 { return f.size }

func (b *dirBackend) OpenReaderAt(_ context.Context, p string) (store.ReaderAtCloser, error) {
	f, err := os.Open(b.abs(p))
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	return fileRA{f, fi.Size()}, nil
}

type dirWriter struct {
	f         *os.File
	final     string
	overwrite bool
	done      bool
}

func (b *dirBackend) NewWriter(_ context.Context, p string, opts *store.WriteOptions) (store.BackendWriter, error) {
	final := b.abs(p)
	if err := os.MkdirAll(filepath.Dir(final), 0o755); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(filepath.Dir(final), ".tmp-"+filepath.Base(final)+"-*")
	if err != nil {
		return nil, err
	}
	return &dirWriter{f: f, final: final, overwrite: opts.Overwrite}, nil
}

func (w *dirWriter) Write(p []byte) (int, error) { return w.f.Write(p) }

func (w *dirWriter) Commit() error {
	if w.done {
		return nil
	}
	w.done = true
	defer os.Remove(w.f.Name())
	if err := w.f.Close(); err != nil {
		return err
	}
	if w.overwrite {
		return os.Rename(w.f.Name(), w.final)
	}
	return os.Link(w.f.Name(), w.final) // fails with EEXIST: create-if-absent
}

func (w *dirWriter) Abort() error {
	if w.done {
		return nil
	}
	w.done = true
	w.f.Close()
	return os.Remove(w.f.Name())
}

func (w *dirWriter) Close() error { return w.Abort() }

func (b *dirBackend) List(_ context.Context, p string) iter.Seq2[store.Info, error] {
	return func(yield func(store.Info, error) bool) {
		ents, err := os.ReadDir(b.abs(p))
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) && !strings.Contains(err.Error(), "not a directory") {
				yield(store.Info{}, err)
			}
			return
		}
		for _, e := range ents {
			if strings.HasPrefix(e.Name(), ".tmp-") {
				continue
			}
			fi, err := e.Info()
			if err != nil {
				continue
			}
			child := e.Name()
			if p != "" {
				child = p + "/" + child
			}
			if !yield(store.Info{Path: child, IsFolder: fi.IsDir(), Size: sizeOf(fi), ModTime: fi.ModTime()}, nil) {
				return
			}
		}
	}
}

func (b *dirBackend) Delete(_ context.Context, p string) error {
	fi, err := os.Stat(b.abs(p))
	if err != nil {
		return err
	}
	if fi.IsDir() {
		return store.ErrIsFolder
	}
	if err := os.Remove(b.abs(p)); err != nil {
		return err
	}
	// Drop empty parent folders, as an object store would.
	for dir := filepath.Dir(b.abs(p)); dir != b.root && strings.HasPrefix(dir, b.root); dir = filepath.Dir(dir) {
		if os.Remove(dir) != nil {
			break
		}
	}
	return nil
}

func (b *dirBackend) Move(_ context.Context, src, dst string, overwrite bool) error {
	if err := os.MkdirAll(filepath.Dir(b.abs(dst)), 0o755); err != nil {
		return err
	}
	if !overwrite {
		if err := os.Link(b.abs(src), b.abs(dst)); err != nil {
			return err
		}
		return os.Remove(b.abs(src))
	}
	return os.Rename(b.abs(src), b.abs(dst))
}

// TestDirStoreSanity keeps the helper honest: create-if-absent and abort.
func TestDirStoreSanity(t *testing.T) {
	st := newDirStore(t)
	ctx := context.Background()
	if err := st.WriteString(ctx, "a/b.txt", "x", nil); err != nil {
		t.Fatal(err)
	}
	if err := st.WriteString(ctx, "a/b.txt", "y", nil); !errors.Is(err, store.ErrAlreadyExists) {
		t.Fatalf("second create: %v", err)
	}
	w, _ := st.NewWriter(ctx, "a/c.txt", nil)
	w.Write([]byte("partial"))
	w.Close()
	if ok, _ := st.Exists(ctx, "a/c.txt"); ok {
		t.Fatal("aborted write visible")
	}
}
