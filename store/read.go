package store

import (
	"bytes"
	"context"
	"io"
)

// Open opens the file at path as a stream. The caller closes it.
func (s *Store) Open(ctx context.Context, path string) (io.ReadCloser, error) {
	return s.OpenRange(ctx, path, 0, -1)
}

// OpenRange opens length bytes of the file at path from offset off (to the
// end when length < 0). Needs CapRangeRead unless off is 0 and length < 0.
func (s *Store) OpenRange(ctx context.Context, path string, off, length int64) (io.ReadCloser, error) {
	const op = "read"
	rel, full, err := s.clean(op, path)
	if err != nil {
		return nil, err
	}
	if err := s.need(op, rel, CapRead); err != nil {
		return nil, err
	}
	if err := s.live(ctx, op, rel); err != nil {
		return nil, err
	}
	if off < 0 {
		return nil, s.errorf(op, rel, ErrInvalidPath, "negative offset %d", off)
	}
	if off != 0 || length >= 0 {
		if err := s.need(op, rel, CapRangeRead); err != nil {
			return nil, err
		}
	}
	if length == 0 {
		// Still report a missing file or a folder.
		info, err := s.backend.Stat(ctx, full)
		if err != nil {
			return nil, s.wrapErr(op, rel, err)
		}
		if info.IsFolder {
			return nil, s.errorf(op, rel, ErrIsFolder, "cannot read a folder")
		}
		return io.NopCloser(bytes.NewReader(nil)), nil
	}
	rc, err := s.backend.OpenRange(ctx, full, off, length)
	if err != nil {
		return nil, s.wrapErr(op, rel, err)
	}
	return &readCloser{rc: rc, ctx: ctx, s: s, path: rel}, nil
}

// ReadBytes reads the whole file at path.
func (s *Store) ReadBytes(ctx context.Context, path string) ([]byte, error) {
	rc, err := s.Open(ctx, path)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

// ReadString reads the whole file at path as a string.
func (s *Store) ReadString(ctx context.Context, path string) (string, error) {
	b, err := s.ReadBytes(ctx, path)
	return string(b), err
}

// readCloser wraps a backend stream so read errors carry the path, and so
// a canceled context stops the stream on every backend.
type readCloser struct {
	rc   io.ReadCloser
	ctx  context.Context
	s    *Store
	path string
}

func (r *readCloser) Read(p []byte) (int, error) {
	if err := r.s.live(r.ctx, "read", r.path); err != nil {
		return 0, err
	}
	n, err := r.rc.Read(p)
	if err != nil && err != io.EOF {
		err = r.s.wrapErr("read", r.path, err)
	}
	return n, err
}

// WriteTo lets io.Copy use the backend stream's own WriteTo (sendfile for
// local files) when it has one.
func (r *readCloser) WriteTo(w io.Writer) (int64, error) {
	if err := r.s.live(r.ctx, "read", r.path); err != nil {
		return 0, err
	}
	var n int64
	var err error
	if wt, ok := r.rc.(io.WriterTo); ok {
		n, err = wt.WriteTo(w)
	} else {
		n, err = io.Copy(w, struct{ io.Reader }{r.rc})
	}
	if err != nil {
		err = r.s.wrapErr("read", r.path, err)
	}
	return n, err
}

func (r *readCloser) Close() error {
	return r.s.wrapErr("read", r.path, r.rc.Close())
}
