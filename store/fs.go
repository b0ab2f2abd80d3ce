package store

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"slices"
	"strings"
	"sync"
	"time"
)

// FS returns a read-only io/fs view of the store, so the standard library
// works on any backend: fs.WalkDir, fs.Glob, http.FileServer(http.FS(…)),
// template.ParseFS. It implements fs.StatFS, fs.ReadDirFS, fs.ReadFileFS and
// fs.SubFS; opened files implement io.Seeker and io.ReaderAt when the
// backend has CapRangeRead. ctx governs every call made through the view.
//
// fs paths follow io/fs rules: "." is the root and names are unrooted. The
// view passes testing/fstest.TestFS.
func (s *Store) FS(ctx context.Context) fs.FS { return &storeFS{ctx: ctx, s: s} }

type storeFS struct {
	ctx context.Context
	s   *Store
}

var (
	_ fs.StatFS     = (*storeFS)(nil)
	_ fs.ReadDirFS  = (*storeFS)(nil)
	_ fs.ReadFileFS = (*storeFS)(nil)
	_ fs.SubFS      = (*storeFS)(nil)
)

func toStorePath(op, name string) (string, error) {
	if !fs.ValidPath(name) {
		return "", &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	if name == "." {
		return "", nil
	}
	return name, nil
}

// fsErr converts a store error to what io/fs callers expect: a *fs.PathError
// whose Err matches fs.ErrNotExist and friends, still wrapping the store error.
func fsErr(op, name string, err error) error {
	if err == nil {
		return nil
	}
	var kind error
	switch {
	case errors.Is(err, ErrNotFound):
		kind = fs.ErrNotExist
	case errors.Is(err, ErrPermission):
		kind = fs.ErrPermission
	case errors.Is(err, ErrInvalidPath):
		kind = fs.ErrInvalid
	case errors.Is(err, ErrAlreadyExists):
		kind = fs.ErrExist
	}
	if kind != nil {
		err = &kindErr{kind: kind, err: err}
	}
	return &fs.PathError{Op: op, Path: name, Err: err}
}

type kindErr struct{ kind, err error }

func (k *kindErr) Error() string   { return k.err.Error() }
func (k *kindErr) Unwrap() []error { return []error{k.kind, k.err} }

func (f *storeFS) Open(name string) (fs.File, error) {
	p, err := toStorePath("open", name)
	if err != nil {
		return nil, err
	}
	info, err := f.s.Stat(f.ctx, p)
	if err != nil {
		return nil, fsErr("open", name, err)
	}
	if info.IsFolder {
		return &fsDir{fs: f, info: info, name: name}, nil
	}
	return &fsFile{fs: f, info: info}, nil
}

func (f *storeFS) Stat(name string) (fs.FileInfo, error) {
	p, err := toStorePath("stat", name)
	if err != nil {
		return nil, err
	}
	info, err := f.s.Stat(f.ctx, p)
	if err != nil {
		return nil, fsErr("stat", name, err)
	}
	return fileInfo{info}, nil
}

func (f *storeFS) ReadFile(name string) ([]byte, error) {
	p, err := toStorePath("read", name)
	if err != nil {
		return nil, err
	}
	b, err := f.s.ReadBytes(f.ctx, p)
	if err != nil {
		return nil, fsErr("read", name, err)
	}
	return b, nil
}

func (f *storeFS) ReadDir(name string) ([]fs.DirEntry, error) {
	p, err := toStorePath("readdir", name)
	if err != nil {
		return nil, err
	}
	info, err := f.s.Stat(f.ctx, p)
	if err != nil {
		return nil, fsErr("readdir", name, err)
	}
	if !info.IsFolder {
		return nil, fsErr("readdir", name, f.s.errorf("readdir", p, ErrNotFolder, "not a folder"))
	}
	var out []fs.DirEntry
	for e, err := range f.s.List(f.ctx, p, &ListOptions{MaxDepth: 1}) {
		if err != nil {
			return out, fsErr("readdir", name, err)
		}
		e.Path = BaseName(e.Path)
		out = append(out, fs.FileInfoToDirEntry(fileInfo{e}))
	}
	slices.SortFunc(out, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return out, nil
}

func (f *storeFS) Sub(dir string) (fs.FS, error) {
	p, err := toStorePath("sub", dir)
	if err != nil {
		return nil, err
	}
	sub, err := f.s.Sub(p)
	if err != nil {
		return nil, fsErr("sub", dir, err)
	}
	return &storeFS{ctx: f.ctx, s: sub}, nil
}

// fileInfo adapts Info to fs.FileInfo.
type fileInfo struct{ i Info }

func (fi fileInfo) Name() string {
	if fi.i.Path == "" {
		return "."
	}
	return BaseName(fi.i.Path)
}
func (fi fileInfo) Size() int64        { return fi.i.Size }
func (fi fileInfo) ModTime() time.Time { return fi.i.ModTime }
func (fi fileInfo) IsDir() bool        { return fi.i.IsFolder }
func (fi fileInfo) Sys() any           { return fi.i }
func (fi fileInfo) Mode() fs.FileMode {
	if fi.i.IsFolder {
		return fs.ModeDir | 0o555
	}
	return 0o444
}

// fsFile reads lazily: a stream opened at the cursor on the first Read and
// reopened after a Seek; ReadAt goes through one SeekableReader opened on
// first use, so a backend's ReaderAtOpener (with its caching) serves it.
type fsFile struct {
	fs     *storeFS
	info   Info
	rc     io.ReadCloser
	off    int64
	closed bool

	raOnce sync.Once
	ra     *SeekableReader
	raErr  error
}

func (f *fsFile) Stat() (fs.FileInfo, error) { return fileInfo{f.info}, nil }

func (f *fsFile) Read(p []byte) (int, error) {
	if f.closed {
		return 0, &fs.PathError{Op: "read", Path: f.info.Path, Err: fs.ErrClosed}
	}
	if f.off >= f.info.Size {
		return 0, io.EOF
	}
	if f.rc == nil {
		var err error
		if f.off == 0 {
			f.rc, err = f.fs.s.Open(f.fs.ctx, f.info.Path)
		} else {
			f.rc, err = f.fs.s.OpenRange(f.fs.ctx, f.info.Path, f.off, -1)
		}
		if err != nil {
			return 0, fsErr("read", f.info.Path, err)
		}
	}
	n, err := f.rc.Read(p)
	f.off += int64(n)
	return n, err
}

func (f *fsFile) ReadAt(p []byte, off int64) (int, error) {
	if f.closed {
		return 0, &fs.PathError{Op: "read", Path: f.info.Path, Err: fs.ErrClosed}
	}
	if off < 0 {
		return 0, &fs.PathError{Op: "readat", Path: f.info.Path, Err: fs.ErrInvalid}
	}
	if off >= f.info.Size {
		return 0, io.EOF
	}
	f.raOnce.Do(func() { f.ra, f.raErr = f.fs.s.OpenSeekable(f.fs.ctx, f.info.Path) })
	if f.raErr != nil {
		return 0, fsErr("readat", f.info.Path, f.raErr)
	}
	n, err := f.ra.ReadAt(p, off)
	if err != nil && err != io.EOF {
		return n, fsErr("readat", f.info.Path, err)
	}
	return n, err
}

func (f *fsFile) Seek(offset int64, whence int) (int64, error) {
	if f.closed {
		return 0, &fs.PathError{Op: "seek", Path: f.info.Path, Err: fs.ErrClosed}
	}
	abs := offset
	switch whence {
	case io.SeekCurrent:
		abs += f.off
	case io.SeekEnd:
		abs += f.info.Size
	case io.SeekStart:
	default:
		return 0, &fs.PathError{Op: "seek", Path: f.info.Path, Err: fs.ErrInvalid}
	}
	if abs < 0 {
		return 0, &fs.PathError{Op: "seek", Path: f.info.Path, Err: fs.ErrInvalid}
	}
	if abs != f.off && f.rc != nil {
		f.rc.Close()
		f.rc = nil
	}
	f.off = abs
	return abs, nil
}

func (f *fsFile) Close() error {
	if f.closed {
		return &fs.PathError{Op: "close", Path: f.info.Path, Err: fs.ErrClosed}
	}
	f.closed = true
	var err error
	if f.rc != nil {
		err = f.rc.Close()
	}
	if f.ra != nil {
		if rerr := f.ra.Close(); err == nil {
			err = rerr
		}
	}
	return err
}

// fsDir is an open folder; ReadDir pages through a sorted listing.
type fsDir struct {
	fs      *storeFS
	info    Info
	name    string
	entries []fs.DirEntry
	loaded  bool
	pos     int
}

func (d *fsDir) Stat() (fs.FileInfo, error) { return fileInfo{d.info}, nil }
func (d *fsDir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.name, Err: errors.New("is a directory")}
}
func (d *fsDir) Close() error { return nil }

func (d *fsDir) ReadDir(n int) ([]fs.DirEntry, error) {
	if !d.loaded {
		es, err := d.fs.ReadDir(d.name)
		if err != nil {
			return nil, err
		}
		d.entries, d.loaded = es, true
	}
	rest := d.entries[d.pos:]
	if n <= 0 {
		d.pos = len(d.entries)
		return rest, nil
	}
	if len(rest) == 0 {
		return nil, io.EOF
	}
	if n > len(rest) {
		n = len(rest)
	}
	d.pos += n
	return rest[:n], nil
}
