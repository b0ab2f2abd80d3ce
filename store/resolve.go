package store

import "context"

// Resolution says where a store path lives, without any I/O.
type Resolution struct {
	Backend string // backend scheme, e.g. "s3"
	Path    string // the clean path relative to the store
	Key     string // the clean path relative to the backend's root
	URI     string // the native location, e.g. "s3://bkt/prefix/a/b.parquet"
}

// Resolve maps path to its backend location. It does no I/O and fails only
// for an invalid path.
func (s *Store) Resolve(path string) (Resolution, error) {
	rel, full, err := s.clean("resolve", path)
	if err != nil {
		return Resolution{}, err
	}
	return Resolution{Backend: s.scheme(), Path: rel, Key: full, URI: s.uriOf(full)}, nil
}

// Ping checks that the backend is reachable and the credentials work: the
// backend's own check where it has one (Pinger), otherwise a Stat of the
// backend's root (a sub-store's folder need not exist yet).
func (s *Store) Ping(ctx context.Context) error {
	if err := s.live(ctx, "ping", ""); err != nil {
		return err
	}
	if p, ok := s.backend.(Pinger); ok {
		return s.wrapErr("ping", "", p.Ping(ctx))
	}
	_, err := s.backend.Stat(ctx, "")
	return s.wrapErr("ping", "", err)
}
