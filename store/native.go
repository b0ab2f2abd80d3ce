package store

import "context"

// NativePather is an optional interface for Backend: the operating-system
// path of a file, for backends on a filesystem the calling machine can
// open. It lets a co-located process (a Python host decoding Parquet with
// pyarrow) read or memory-map the file itself instead of receiving a copy.
//
// NativePath must fail with ErrNotFound for a missing file, ErrIsFolder for
// a folder, and must never return a path outside the backend's root
// (symbolic links resolved).
type NativePather interface {
	NativePath(ctx context.Context, path string) (string, error)
}

// NativePath returns the operating-system path of the file at path when
// the backend keeps files on a local filesystem (NativePather), so another
// process on this machine can open it directly. Backends without one fail
// with ErrNotSupported. Reading through the path bypasses the store: the
// caller sees the file as it is at the moment it opens it (an atomic
// rewrite replaces it whole, never half).
func (s *Store) NativePath(ctx context.Context, path string) (string, error) {
	const op = "native-path"
	rel, full, err := s.clean(op, path)
	if err != nil {
		return "", err
	}
	if err := s.live(ctx, op, rel); err != nil {
		return "", err
	}
	np, ok := s.backend.(NativePather)
	if !ok {
		return "", s.errorf(op, rel, ErrNotSupported, "%s keeps no files on a local filesystem", s.scheme())
	}
	p, err := np.NativePath(ctx, full)
	if err != nil {
		return "", s.wrapErr(op, rel, err)
	}
	return p, nil
}
