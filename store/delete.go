package store

import (
	"context"
	"errors"
)

// DeleteOptions tune Delete. The zero value fails on a missing file.
type DeleteOptions struct {
	// MissingOK makes deleting a file that does not exist succeed.
	MissingOK bool
}

// Delete removes the file at path (opts may be nil). A folder fails with
// ErrIsFolder: use DeleteFolder.
func (s *Store) Delete(ctx context.Context, path string, opts *DeleteOptions) error {
	const op = "delete"
	rel, full, err := s.clean(op, path)
	if err != nil {
		return err
	}
	if err := s.need(op, rel, CapDelete); err != nil {
		return err
	}
	if err := s.live(ctx, op, rel); err != nil {
		return err
	}
	if rel == "" {
		return s.errorf(op, rel, ErrIsFolder, "cannot delete the store root as a file")
	}
	err = s.wrapErr(op, rel, s.backend.Delete(ctx, full))
	if opts != nil && opts.MissingOK && errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}

// DeleteFolder removes the folder at path and everything below it. A
// missing folder is not an error; a file fails with ErrNotFolder. Deleting
// the store's root empties the store.
func (s *Store) DeleteFolder(ctx context.Context, path string) error {
	const op = "delete-folder"
	rel, full, err := s.clean(op, path)
	if err != nil {
		return err
	}
	if err := s.need(op, rel, CapDelete|CapList); err != nil {
		return err
	}
	if err := s.live(ctx, op, rel); err != nil {
		return err
	}
	info, err := s.backend.Stat(ctx, full)
	if err != nil {
		if err = s.wrapErr(op, rel, err); errors.Is(err, ErrNotFound) {
			return nil
		}
		return err
	}
	if !info.IsFolder {
		return s.errorf(op, rel, ErrNotFolder, "path is a file; use Delete")
	}
	if fd, ok := s.backend.(FolderDeleter); ok {
		return s.wrapErr(op, rel, fd.DeleteFolder(ctx, full))
	}
	// Portable fallback: delete every file below; folders of an object
	// store vanish with their last file.
	for f, err := range s.ListFiles(ctx, rel, nil) {
		if err != nil {
			return err
		}
		if err := s.Delete(ctx, f.Path, &DeleteOptions{MissingOK: true}); err != nil {
			return err
		}
	}
	return nil
}
