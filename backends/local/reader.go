package local

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/remotestore/remotestore/store"
)

var (
	_ io.WriterTo          = (*fileReader)(nil)
	_ store.ReaderAtCloser = (*fileReaderAt)(nil)
)

// openFile opens the regular file at p for reading; a folder fails with
// store.ErrIsFolder.
func (b *Backend) openFile(p string) (*os.File, os.FileInfo, error) {
	f, err := b.root.Open(native(p))
	if err != nil {
		return nil, nil, belowFile(err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if fi.IsDir() {
		f.Close()
		return nil, nil, store.WithKind(store.ErrIsFolder, fmt.Errorf("%s is a folder", p))
	}
	return f, fi, nil
}

// OpenRange implements store.Backend. The stream reads the *os.File itself
// and implements io.WriterTo, so io.Copy to a file or socket takes the
// kernel's copy paths.
func (b *Backend) OpenRange(ctx context.Context, p string, off, length int64) (io.ReadCloser, error) {
	f, _, err := b.openFile(p)
	if err != nil {
		return nil, err
	}
	if off > 0 {
		if _, err := f.Seek(off, io.SeekStart); err != nil {
			f.Close()
			return nil, err
		}
	}
	return &fileReader{ctx: ctx, f: f, n: length}, nil
}

// fileReader reads an open file, up to n bytes (n < 0: to the end).
type fileReader struct {
	ctx context.Context
	f   *os.File
	n   int64
}

func (r *fileReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.EOF
	}
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	if r.n > 0 && int64(len(p)) > r.n {
		p = p[:r.n]
	}
	n, err := r.f.Read(p)
	if r.n > 0 {
		r.n -= int64(n)
	}
	return n, err
}

// WriteTo hands the file (or a LimitedReader over it, which the os and net
// packages also recognise) to w's fast paths.
func (r *fileReader) WriteTo(w io.Writer) (int64, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	if r.n < 0 {
		return r.f.WriteTo(w)
	}
	lr := &io.LimitedReader{R: r.f, N: r.n}
	n, err := io.Copy(w, lr)
	r.n = lr.N
	return n, err
}

func (r *fileReader) Close() error { return r.f.Close() }

// OpenReaderAt implements store.ReaderAtOpener: ReadAt is pread(2) on one
// descriptor, safe for concurrent use. The size is fixed at open.
func (b *Backend) OpenReaderAt(_ context.Context, p string) (store.ReaderAtCloser, error) {
	f, fi, err := b.openFile(p)
	if err != nil {
		return nil, err
	}
	return &fileReaderAt{f: f, size: fi.Size()}, nil
}

// fileReaderAt is an open file read with pread(2).
type fileReaderAt struct {
	f    *os.File
	size int64
}

func (r *fileReaderAt) ReadAt(p []byte, off int64) (int, error) { return r.f.ReadAt(p, off) }
func (r *fileReaderAt) Size() int64                             { return r.size }
func (r *fileReaderAt) Close() error                            { return r.f.Close() }
