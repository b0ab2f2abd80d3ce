package store

import (
	"context"
	"errors"
	"io"
	"sync"
)

// SeekableReader reads one file at random offsets. ReadAt is safe for
// concurrent use (arrow-go's parallel Parquet reader relies on it); Read and
// Seek share a cursor and are not. It satisfies io.ReaderAt, io.ReadSeeker
// and arrow-go's parquet.ReaderAtSeeker.
//
// The context given to OpenSeekable governs every later read: cancelling it
// fails them. The size is fixed at open time.
type SeekableReader struct {
	ctx  context.Context
	s    *Store
	path string // relative to s
	full string // relative to the backend
	size int64
	ra   ReaderAtCloser // set when the backend opened its own

	mu  sync.Mutex
	off int64
}

// OpenSeekable opens the file at path for random access. Backends with
// ReaderAtOpener serve it natively (pread on a file descriptor); the others
// answer each ReadAt with one ranged read.
func (s *Store) OpenSeekable(ctx context.Context, path string) (*SeekableReader, error) {
	const op = "read"
	rel, full, err := s.clean(op, path)
	if err != nil {
		return nil, err
	}
	if err := s.need(op, rel, CapRead|CapRangeRead); err != nil {
		return nil, err
	}
	if err := s.live(ctx, op, rel); err != nil {
		return nil, err
	}
	r := &SeekableReader{ctx: ctx, s: s, path: rel, full: full}
	if o, ok := s.backend.(ReaderAtOpener); ok {
		ra, err := o.OpenReaderAt(ctx, full)
		if err != nil {
			return nil, s.wrapErr(op, rel, err)
		}
		r.ra, r.size = ra, ra.Size()
		return r, nil
	}
	info, err := s.backend.Stat(ctx, full)
	if err != nil {
		return nil, s.wrapErr(op, rel, err)
	}
	if info.IsFolder {
		return nil, s.errorf(op, rel, ErrIsFolder, "cannot open a folder for reading")
	}
	r.size = info.Size
	return r, nil
}

// Size returns the file's length in bytes.
func (r *SeekableReader) Size() int64 { return r.size }

// ReadAt reads len(p) bytes at offset off. Like io.ReaderAt it returns
// io.EOF with n < len(p) at the end of the file.
func (r *SeekableReader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, r.s.errorf("read", r.path, ErrInvalidPath, "negative offset %d", off)
	}
	if off >= r.size {
		return 0, io.EOF
	}
	want := int64(len(p))
	if rest := r.size - off; want > rest {
		want = rest
	}
	if err := r.ctx.Err(); err != nil {
		return 0, r.s.wrapErr("read", r.path, err)
	}
	var n int
	var err error
	if r.ra != nil {
		n, err = r.ra.ReadAt(p[:want], off)
		if err == io.EOF && int64(n) == want {
			err = nil
		}
	} else {
		var rc io.ReadCloser
		rc, err = r.s.backend.OpenRange(r.ctx, r.full, off, want)
		if err == nil {
			n, err = io.ReadFull(rc, p[:want])
			if cerr := rc.Close(); err == nil {
				err = cerr
			}
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			err = r.s.errorf("read", r.path, ErrPrecondition,
				"file shrank while reading: got %d of %d bytes at offset %d", n, want, off)
		}
	}
	if err != nil {
		return n, r.s.wrapErr("read", r.path, err)
	}
	if int64(n) < int64(len(p)) {
		return n, io.EOF
	}
	return n, nil
}

// Read reads from the cursor and advances it.
func (r *SeekableReader) Read(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.off >= r.size {
		return 0, io.EOF
	}
	n, err := r.ReadAt(p, r.off)
	r.off += int64(n)
	if err == io.EOF && n > 0 {
		err = nil
	}
	return n, err
}

// Seek moves the cursor, as io.Seeker.
func (r *SeekableReader) Seek(offset int64, whence int) (int64, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var abs int64
	switch whence {
	case io.SeekStart:
		abs = offset
	case io.SeekCurrent:
		abs = r.off + offset
	case io.SeekEnd:
		abs = r.size + offset
	default:
		return 0, r.s.errorf("seek", r.path, ErrInvalidPath, "invalid whence %d", whence)
	}
	if abs < 0 {
		return 0, r.s.errorf("seek", r.path, ErrInvalidPath, "negative position %d", abs)
	}
	r.off = abs
	return abs, nil
}

// Close releases the reader.
func (r *SeekableReader) Close() error {
	if r.ra != nil {
		return r.s.wrapErr("read", r.path, r.ra.Close())
	}
	return nil
}
