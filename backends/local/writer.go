package local

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/remotestore/remotestore/internal/tempname"
	"github.com/remotestore/remotestore/store"
)

var (
	_ store.BackendWriter = (*writer)(nil)
	_ io.ReaderFrom       = (*writer)(nil)
)

func checkName(p string) error {
	if p == "" {
		return store.WithKind(store.ErrIsFolder, errors.New("the root is a folder"))
	}
	if tempname.Is(store.BaseName(p)) {
		return store.WithKind(store.ErrInvalidPath,
			fmt.Errorf("name %q has the pattern of this backend's temporary files (.<name>.tmp-<hex>)", store.BaseName(p)))
	}
	return nil
}

// NewWriter implements store.Backend: the bytes go to a temporary file in
// the target's folder, published by Commit (see the package doc).
func (b *Backend) NewWriter(ctx context.Context, p string, opts *store.WriteOptions) (store.BackendWriter, error) {
	return b.newWriter(ctx, p, opts.Overwrite)
}

func (b *Backend) newWriter(ctx context.Context, p string, overwrite bool) (*writer, error) {
	if err := checkName(p); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, tmp, created, err := b.createTemp(store.ParentPath(p), store.BaseName(p))
	if err != nil {
		return nil, err
	}
	return &writer{b: b, ctx: ctx, path: p, tmp: tmp, f: f, overwrite: overwrite, created: created}, nil
}

// createTemp creates a temporary file for name in dir, creating dir when
// missing. created lists the folders it made, deepest first.
func (b *Backend) createTemp(dir, name string) (f *os.File, tmp string, created []string, err error) {
	for range 8 {
		tmp = store.JoinPath(dir, tempname.New(name))
		f, err = b.root.OpenFile(native(tmp), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
		switch {
		case err == nil:
			return f, tmp, created, nil
		case errors.Is(err, fs.ErrExist):
			continue // name clash: draw again
		case errors.Is(err, fs.ErrNotExist) && dir != "":
			// The folder is missing, or was removed by an aborting writer
			// since: (re)create it.
			made, merr := b.mkdirs(dir)
			created = append(made, created...)
			if merr != nil {
				b.removeDirs(created)
				return nil, "", nil, merr
			}
			continue
		}
		break
	}
	b.removeDirs(created)
	return nil, "", nil, err
}

// mkdirs creates folder dir and its missing parents, and returns the ones
// it found missing, deepest first. A file in the way fails with ENOTDIR.
func (b *Backend) mkdirs(dir string) ([]string, error) {
	var missing []string
	for d := dir; d != ""; d = store.ParentPath(d) {
		_, err := b.root.Stat(native(d))
		if err == nil {
			break
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		missing = append(missing, d)
	}
	if len(missing) == 0 {
		return nil, nil
	}
	return missing, b.root.MkdirAll(native(dir), 0o777)
}

// removeDirs removes the given folders, deepest first, where still empty.
func (b *Backend) removeDirs(dirs []string) {
	for _, d := range dirs {
		if fi, err := b.root.Lstat(native(d)); err != nil || !fi.IsDir() {
			return
		}
		if b.root.Remove(native(d)) != nil {
			return // not empty: someone else uses it, and so its parents
		}
	}
}

// writer is an in-progress write to a temporary file.
type writer struct {
	b         *Backend
	ctx       context.Context
	path      string // target
	tmp       string // temporary file, in the target's folder
	f         *os.File
	overwrite bool
	created   []string // folders this write made, deepest first
	state     writerState
}

type writerState uint8

const (
	open writerState = iota
	committed
	discarded
)

func (w *writer) usable(op string) error {
	if w.state != open {
		return fmt.Errorf("%w: %s after commit or abort", store.ErrPrecondition, op)
	}
	return w.ctx.Err()
}

// Write implements io.Writer.
func (w *writer) Write(p []byte) (int, error) {
	if err := w.usable("write"); err != nil {
		return 0, err
	}
	return w.f.Write(p)
}

// ReadFrom implements io.ReaderFrom with the *os.File's own, which copies
// from files with copy_file_range and from sockets and pipes with splice.
func (w *writer) ReadFrom(r io.Reader) (int64, error) {
	if err := w.usable("write"); err != nil {
		return 0, err
	}
	return w.f.ReadFrom(r)
}

// Commit syncs the temporary file and publishes it (see the package doc).
// On failure nothing is published and the temporary file is gone.
func (w *writer) Commit() error {
	if w.state != open {
		return fmt.Errorf("%w: commit after commit or abort", store.ErrPrecondition)
	}
	err := w.ctx.Err()
	if err == nil && !w.b.noSync {
		err = w.f.Sync()
	}
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	w.f = nil
	if err == nil {
		err = w.b.rename(w.tmp, w.path, w.overwrite)
		var ue *unlinkError
		if errors.As(err, &ue) {
			// Published by link(2); only the temporary name is left over.
			w.b.root.Remove(native(w.tmp))
			err = nil
		}
	}
	if err != nil {
		w.discard()
		return err
	}
	w.state = committed
	return nil
}

// Abort discards the write; it does nothing after Commit or a first Abort.
func (w *writer) Abort() error {
	if w.state == open {
		w.discard()
	}
	return nil
}

// Close aborts unless Commit succeeded.
func (w *writer) Close() error { return w.Abort() }

// discard removes the temporary file and the folders the write created.
func (w *writer) discard() {
	w.state = discarded
	if w.f != nil {
		w.f.Close()
		w.f = nil
	}
	w.b.root.Remove(native(w.tmp))
	w.b.removeDirs(w.created)
	w.created = nil
}
