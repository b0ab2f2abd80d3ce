package store

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"sync"
)

// Write streams r into the file at path and commits it. Memory use does not
// grow with the size of r. Without opts.Overwrite (opts may be nil) an
// existing file is left alone and ErrAlreadyExists returned. On a backend
// with CapAtomicWrite readers see the old content or the new, never a part.
func (s *Store) Write(ctx context.Context, path string, r io.Reader, opts *WriteOptions) error {
	w, err := s.NewWriter(ctx, path, opts)
	if err != nil {
		return err
	}
	defer w.Close()
	if _, err := io.Copy(w, r); err != nil {
		return err
	}
	return w.Commit()
}

// WriteBytes writes b as the file at path (see Write).
func (s *Store) WriteBytes(ctx context.Context, path string, b []byte, opts *WriteOptions) error {
	o := withSizeHint(opts, int64(len(b)))
	return s.Write(ctx, path, bytes.NewReader(b), o)
}

// WriteString writes str as the file at path (see Write).
func (s *Store) WriteString(ctx context.Context, path string, str string, opts *WriteOptions) error {
	o := withSizeHint(opts, int64(len(str)))
	return s.Write(ctx, path, strings.NewReader(str), o)
}

// WriteAtomic is Write that fails with ErrNotSupported unless the backend
// guarantees all-or-nothing visibility (CapAtomicWrite).
func (s *Store) WriteAtomic(ctx context.Context, path string, r io.Reader, opts *WriteOptions) error {
	w, err := s.NewAtomicWriter(ctx, path, opts)
	if err != nil {
		return err
	}
	defer w.Close()
	if _, err := io.Copy(w, r); err != nil {
		return err
	}
	return w.Commit()
}

// NewAtomicWriter is NewWriter that fails with ErrNotSupported unless the
// backend has CapAtomicWrite: nothing is visible until Commit.
func (s *Store) NewAtomicWriter(ctx context.Context, path string, opts *WriteOptions) (*Writer, error) {
	if err := s.need("write", path, CapAtomicWrite); err != nil {
		return nil, err
	}
	return s.NewWriter(ctx, path, opts)
}

// NewWriter starts a streaming write of the file at path. Write to it, then
// Commit to publish. Close without Commit aborts, so
//
//	w, err := st.NewWriter(ctx, "a.bin", nil)
//	if err != nil { return err }
//	defer w.Close()
//	if _, err := io.Copy(w, src); err != nil { return err }
//	return w.Commit()
//
// never publishes a partial file. Without opts.Overwrite an existing file
// fails fast here (ErrAlreadyExists) and again at Commit if one appeared
// meanwhile; a folder at path fails with ErrIsFolder.
func (s *Store) NewWriter(ctx context.Context, path string, opts *WriteOptions) (*Writer, error) {
	const op = "write"
	rel, full, err := s.clean(op, path)
	if err != nil {
		return nil, err
	}
	if err := s.need(op, rel, CapWrite); err != nil {
		return nil, err
	}
	if err := s.live(ctx, op, rel); err != nil {
		return nil, err
	}
	if rel == "" {
		return nil, s.errorf(op, rel, ErrIsFolder, "cannot write to the store root")
	}
	o := WriteOptions{}
	if opts != nil {
		o = *opts
	}
	info, err := s.backend.Stat(ctx, full)
	switch {
	case err == nil && info.IsFolder:
		return nil, s.errorf(op, rel, ErrIsFolder, "a folder exists at this path")
	case err == nil && !o.Overwrite:
		return nil, s.errorf(op, rel, ErrAlreadyExists, "file exists; pass Overwrite to replace it")
	case err != nil && !errors.Is(s.wrapErr(op, rel, err), ErrNotFound):
		return nil, s.wrapErr(op, rel, err)
	}
	bw, err := s.backend.NewWriter(ctx, full, &o)
	if err != nil {
		return nil, s.wrapErr(op, rel, err)
	}
	return &Writer{w: bw, ctx: ctx, s: s, path: rel}, nil
}

// Writer is a streaming write in progress (see Store.NewWriter). Write,
// Commit and Abort must not be called concurrently.
type Writer struct {
	w    BackendWriter
	ctx  context.Context // canceling it aborts the write
	s    *Store
	path string

	done bool // committed or aborted
	err  error
	n    int64
}

// Write writes p. After a failed Write the writer is aborted.
func (w *Writer) Write(p []byte) (int, error) {
	if w.done {
		return 0, w.s.errorf("write", w.path, ErrPrecondition, "write after commit or abort")
	}
	if err := w.s.live(w.ctx, "write", w.path); err != nil {
		w.abort()
		w.err = err
		return 0, err
	}
	n, err := w.w.Write(p)
	w.n += int64(n)
	if err != nil {
		err = w.s.wrapErr("write", w.path, err)
		w.abort()
		w.err = err
	}
	return n, err
}

// ReadFrom copies from r, letting the backend writer's ReadFrom (a file's
// copy_file_range) do it when it has one.
func (w *Writer) ReadFrom(r io.Reader) (int64, error) {
	if w.done {
		return 0, w.s.errorf("write", w.path, ErrPrecondition, "write after commit or abort")
	}
	if err := w.s.live(w.ctx, "write", w.path); err != nil {
		w.abort()
		w.err = err
		return 0, err
	}
	var n int64
	var err error
	if rf, ok := w.w.(io.ReaderFrom); ok {
		n, err = rf.ReadFrom(r)
	} else {
		n, err = copyPooled(struct{ io.Writer }{w.w}, r)
	}
	w.n += n
	if err != nil {
		err = w.s.wrapErr("write", w.path, err)
		w.abort()
		w.err = err
	}
	return n, err
}

// Written returns the number of bytes written so far.
func (w *Writer) Written() int64 { return w.n }

// Commit publishes the file. It fails with ErrAlreadyExists if overwriting
// was not asked for and the file appeared meanwhile; after a failed Commit
// nothing is published.
func (w *Writer) Commit() error {
	if w.done {
		if w.err != nil {
			return w.err
		}
		return w.s.errorf("write", w.path, ErrPrecondition, "commit after commit or abort")
	}
	if err := w.s.live(w.ctx, "write", w.path); err != nil {
		w.abort()
		w.err = err
		return err
	}
	w.done = true
	if err := w.w.Commit(); err != nil {
		w.w.Abort()
		w.err = w.s.wrapErr("write", w.path, err)
		return w.err
	}
	return nil
}

// Abort discards what was written. It is safe after Commit (a no-op) and
// more than once.
func (w *Writer) Abort() error {
	if w.done {
		return nil
	}
	return w.abort()
}

func (w *Writer) abort() error {
	w.done = true
	return w.s.wrapErr("write", w.path, w.w.Abort())
}

// Close aborts unless Commit succeeded; it never publishes.
func (w *Writer) Close() error {
	if !w.done {
		w.abort()
	}
	return nil
}

// copyBufs holds the 1 MiB buffers of copyPooled: allocating one per write
// dominated the cost of writing small files.
var copyBufs = sync.Pool{New: func() any { b := make([]byte, 1<<20); return &b }}

// copyPooled is io.Copy with a large pooled buffer (fewer, bigger backend
// writes: multipart parts, network packets).
func copyPooled(dst io.Writer, src io.Reader) (int64, error) {
	if wt, ok := src.(io.WriterTo); ok {
		return wt.WriteTo(dst)
	}
	bp := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(bp)
	return io.CopyBuffer(dst, src, *bp)
}

func withSizeHint(opts *WriteOptions, n int64) *WriteOptions {
	o := WriteOptions{}
	if opts != nil {
		o = *opts
	}
	if o.SizeHint == 0 {
		o.SizeHint = n
	}
	return &o
}
