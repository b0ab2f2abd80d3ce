package store

import (
	"context"
	"sync"
)

// Store is the portable, folder-scoped handle users call. It wraps a Backend
// and owns everything that must behave the same on every backend: path
// cleaning and root confinement, overwrite refusal, capability checks, error
// wrapping, depth-limited listing, glob, the io/fs view and the fallbacks
// (copy as read+write, move as copy+delete, ReaderAt over ranged reads).
//
// A Store is safe for concurrent use. Sub returns a child store that shares
// the backend and can never reach outside its folder.
type Store struct {
	backend Backend
	root    string   // clean path of this store's folder inside the backend
	secrets []string // values to scrub from error messages
	owner   *closer  // shared by a store and its sub-stores
}

type closer struct {
	once sync.Once
	err  error
}

// New returns a Store over backend, rooted at the backend's root. Closing
// the store closes the backend.
func New(backend Backend) *Store {
	return &Store{backend: backend, owner: &closer{}}
}

// Sub returns a store rooted at the folder dir of s. dir is cleaned and may
// not climb out of s ("..") — so no path given to the child can reach
// outside it either. Sub does no I/O; the folder need not exist.
func (s *Store) Sub(dir string) (*Store, error) {
	c, err := CleanPath(dir)
	if err != nil {
		return nil, s.wrapErr("sub", dir, err)
	}
	child := *s
	child.root = JoinPath(s.root, c)
	return &child, nil
}

// Root returns the store's folder as a clean path inside its backend ("" for
// the backend's root).
func (s *Store) Root() string { return s.root }

// Backend returns the driver under the store. Most callers never need it.
func (s *Store) Backend() Backend { return s.backend }

// Capabilities returns what the store's backend supports.
func (s *Store) Capabilities() Capability { return s.backend.Capabilities() }

// URI returns the native location of path (no I/O), e.g. "s3://bkt/a/b".
// An invalid path returns "".
func (s *Store) URI(path string) string {
	c, err := CleanPath(path)
	if err != nil {
		return ""
	}
	return s.uriOf(JoinPath(s.root, c))
}

// As exposes the backend's native client when the backend offers one (an
// *s3.Client for S3): target is a pointer to the wanted type. It reports
// whether target was set.
func (s *Store) As(target any) bool {
	if a, ok := s.backend.(Aser); ok {
		return a.As(target)
	}
	return false
}

// Close closes the backend. Closing a store closes it for all its sub-stores
// too; a second Close returns the first result.
func (s *Store) Close() error {
	s.owner.once.Do(func() { s.owner.err = s.backend.Close() })
	return s.owner.err
}

// String returns the store's root URI.
func (s *Store) String() string { return s.uriOf(s.root) }

func (s *Store) scheme() string { return s.backend.Scheme() }

func (s *Store) uriOf(full string) string { return redact(s.backend.URI(full), s.secrets) }

// clean validates a caller's path and returns it clean (relative to s) and
// full (relative to the backend root).
func (s *Store) clean(op, p string) (rel, full string, err error) {
	rel, err = CleanPath(p)
	if err != nil {
		return "", "", s.wrapErr(op, p, err)
	}
	return rel, JoinPath(s.root, rel), nil
}

// need fails with ErrNotSupported unless the backend has every capability in c.
func (s *Store) need(op, p string, c Capability) error {
	have := s.backend.Capabilities()
	if have.Has(c) {
		return nil
	}
	return s.errorf(op, p, ErrNotSupported, "%s backend lacks %s", s.scheme(), c&^have)
}

// rel turns a backend path below s.root into a path relative to s.
func (s *Store) rel(full string) string {
	if s.root == "" {
		return full
	}
	if full == s.root {
		return ""
	}
	return full[len(s.root)+1:]
}

// live fails with the context's error, wrapped, once ctx is done: every
// operation checks it first, so a canceled call fails the same way on every
// backend, even one whose calls never block.
func (s *Store) live(ctx context.Context, op, p string) error {
	if err := ctx.Err(); err != nil {
		return s.wrapErr(op, p, err)
	}
	return nil
}
