package store

import (
	"context"
	"errors"
)

// CopyOptions tune Copy and Move. The zero value refuses to overwrite.
type CopyOptions struct {
	// Overwrite replaces an existing destination file.
	Overwrite bool
}

// Copy copies the file src to dst within the store, server-side when the
// backend can (Copier), otherwise by streaming through this process.
func (s *Store) Copy(ctx context.Context, src, dst string, opts *CopyOptions) error {
	return Copy(ctx, s, dst, s, src, opts)
}

// Move moves the file src to dst within the store: one rename when the
// backend can (Mover), otherwise copy then delete. Without Overwrite an
// existing dst fails with ErrAlreadyExists and both files stay as they were.
func (s *Store) Move(ctx context.Context, src, dst string, opts *CopyOptions) error {
	const op = "move"
	srcRel, srcFull, err := s.clean(op, src)
	if err != nil {
		return err
	}
	dstRel, dstFull, err := s.clean(op, dst)
	if err != nil {
		return err
	}
	if err := s.need(op, srcRel, CapRead|CapWrite|CapDelete); err != nil {
		return err
	}
	if err := s.live(ctx, op, srcRel); err != nil {
		return err
	}
	o := CopyOptions{}
	if opts != nil {
		o = *opts
	}
	if err := s.checkCopy(ctx, op, srcRel, srcFull, dstRel, dstFull, o.Overwrite); err != nil {
		return err
	}
	if srcFull == dstFull {
		return nil
	}
	if m, ok := s.backend.(Mover); ok {
		return s.wrapErr(op, srcRel, m.Move(ctx, srcFull, dstFull, o.Overwrite))
	}
	if err := s.Copy(ctx, srcRel, dstRel, &o); err != nil {
		return err
	}
	return s.Delete(ctx, srcRel, nil)
}

// checkCopy validates a copy or move: src must be a file, dst must not be a
// folder, and must not exist unless overwrite.
func (s *Store) checkCopy(ctx context.Context, op, srcRel, srcFull, dstRel, dstFull string, overwrite bool) error {
	info, err := s.backend.Stat(ctx, srcFull)
	if err != nil {
		return s.wrapErr(op, srcRel, err)
	}
	if info.IsFolder {
		return s.errorf(op, srcRel, ErrIsFolder, "source is a folder")
	}
	if dstRel == "" {
		return s.errorf(op, dstRel, ErrIsFolder, "destination is the store root")
	}
	dinfo, err := s.backend.Stat(ctx, dstFull)
	switch {
	case err == nil && dinfo.IsFolder:
		return s.errorf(op, dstRel, ErrIsFolder, "destination is a folder")
	case err == nil && !overwrite && srcFull != dstFull:
		return s.errorf(op, dstRel, ErrAlreadyExists, "destination exists; pass Overwrite to replace it")
	case err != nil:
		if werr := s.wrapErr(op, dstRel, err); !errors.Is(werr, ErrNotFound) {
			return werr
		}
	}
	return nil
}

// Copy copies the file srcPath of src to dstPath of dst; the two stores may
// be on different backends. Within one backend that has a Copier the copy
// runs server-side; otherwise the bytes stream through this process with
// memory independent of the file's size, and the destination is written
// atomically where its backend allows.
func Copy(ctx context.Context, dst *Store, dstPath string, src *Store, srcPath string, opts *CopyOptions) error {
	const op = "copy"
	srcRel, srcFull, err := src.clean(op, srcPath)
	if err != nil {
		return err
	}
	dstRel, dstFull, err := dst.clean(op, dstPath)
	if err != nil {
		return err
	}
	if err := src.need(op, srcRel, CapRead); err != nil {
		return err
	}
	if err := dst.need(op, dstRel, CapWrite); err != nil {
		return err
	}
	if err := src.live(ctx, op, srcRel); err != nil {
		return err
	}
	o := CopyOptions{}
	if opts != nil {
		o = *opts
	}
	if src.backend == dst.backend {
		if err := src.checkCopy(ctx, op, srcRel, srcFull, dstRel, dstFull, o.Overwrite); err != nil {
			return err
		}
		if srcFull == dstFull {
			return nil
		}
		if c, ok := src.backend.(Copier); ok {
			return src.wrapErr(op, srcRel, c.Copy(ctx, srcFull, dstFull, o.Overwrite))
		}
	}
	info, err := src.Stat(ctx, srcRel)
	if err != nil {
		return err
	}
	if info.IsFolder {
		return src.errorf(op, srcRel, ErrIsFolder, "source is a folder")
	}
	r, err := src.Open(ctx, srcRel)
	if err != nil {
		return err
	}
	defer r.Close()
	return dst.Write(ctx, dstRel, r, &WriteOptions{Overwrite: o.Overwrite, SizeHint: info.Size})
}
