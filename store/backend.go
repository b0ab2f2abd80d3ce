package store

import (
	"context"
	"io"
	"iter"
	"time"
)

// Info describes a file or a folder.
type Info struct {
	// Path is the entry's clean path. From a Backend it is relative to the
	// backend's root; from a Store, relative to the store's root.
	Path string
	// IsFolder tells a folder from a file.
	IsFolder bool
	// Size is the file's length in bytes (0 for folders).
	Size int64
	// ModTime is the last modification time, when the backend has one
	// (CapModTime); zero otherwise, and often zero for folders.
	ModTime time.Time
	// ETag is an opaque content version (an S3 ETag, a checksum), when the
	// backend has one (CapETag).
	ETag string
}

// Name returns the last segment of Path.
func (i Info) Name() string { return BaseName(i.Path) }

// Backend is the driver interface a storage provider implements. Users never
// call it directly: Store wraps it, validates paths, enforces capabilities,
// confines sub-stores and wraps errors. Contracts every implementation keeps:
//
//   - Every path is already clean (see CleanPath) and relative to the
//     backend's root; "" is the root itself. Backends never see "..".
//   - Methods are safe for concurrent use.
//   - Errors need not be wrapped: Store wraps them with Op and Path, and
//     asks Classify for the kind. Returning an error that already wraps a
//     sentinel (ErrNotFound, …) is also fine.
//   - Methods whose capability is not declared are never called.
type Backend interface {
	// Scheme returns the URL scheme the backend registers under ("s3").
	Scheme() string

	// Capabilities returns what the backend supports. It must not change
	// over the backend's life.
	Capabilities() Capability

	// Stat describes the file or folder at path. For the root and for
	// folders it returns IsFolder=true. A folder of an object store exists
	// while some file lies below it. A missing path must classify as
	// ErrNotFound.
	Stat(ctx context.Context, path string) (Info, error)

	// OpenRange opens the file at path for reading from byte offset off
	// (0 <= off) for length bytes, or to the end when length < 0. A range
	// reaching past the end is cut at the end; off beyond the end yields an
	// empty stream. A missing file classifies as ErrNotFound, a folder as
	// ErrIsFolder. Backends without CapRangeRead are only called with off 0
	// and length -1.
	OpenRange(ctx context.Context, path string, off, length int64) (io.ReadCloser, error)

	// NewWriter starts writing the file at path; opts is never nil. Nothing
	// needs to be visible before Commit; with CapAtomicWrite nothing may
	// be. Missing parent folders are created. Without opts.Overwrite the
	// writer must fail with ErrAlreadyExists when the file exists (at the
	// latest at Commit, and without replacing it).
	NewWriter(ctx context.Context, path string, opts *WriteOptions) (BackendWriter, error)

	// List yields the direct children (files and folders) of the folder at
	// path, in no particular order. A missing folder, or a path naming a
	// file, yields nothing. Iteration stops early when yield returns false.
	List(ctx context.Context, path string) iter.Seq2[Info, error]

	// Delete removes the file at path. A missing file classifies as
	// ErrNotFound; a folder as ErrIsFolder.
	Delete(ctx context.Context, path string) error

	// URI returns the native location of path ("s3://bkt/prefix/a"), for
	// messages and Resolve. It does no I/O and never contains secrets.
	URI(path string) string

	// Classify maps a backend error to a sentinel (ErrNotFound, …), or
	// returns nil when it has no better answer than "unknown".
	Classify(err error) error

	// Close releases the backend's resources.
	Close() error
}

// BackendWriter is an in-progress write returned by Backend.NewWriter.
//
// Commit makes the written bytes the file's content and reports whether it
// worked. Abort discards them and is safe to call after Commit (then it does
// nothing) and more than once. Close without Commit aborts: a writer closed
// by deferred cleanup after a failure never publishes a truncated file.
type BackendWriter interface {
	io.Writer
	Commit() error
	Abort() error
	Close() error
}

// WriteOptions tune a write. The zero value refuses to overwrite.
type WriteOptions struct {
	// Overwrite replaces an existing file instead of failing with
	// ErrAlreadyExists.
	Overwrite bool
	// ContentType is stored where the backend keeps one (S3, Azure, HTTP).
	ContentType string
	// SizeHint is the expected size in bytes, or 0 when unknown; backends
	// may pick a single request or multipart upload from it.
	SizeHint int64
}

// Optional interfaces. Store detects each by a type assertion where it is
// used and falls back to the portable way otherwise.

// Copier is an optional interface for Backend: a copy inside the backend
// (server-side). Copy must honour overwrite as NewWriter does.
type Copier interface {
	Copy(ctx context.Context, src, dst string, overwrite bool) error
}

// Mover is an optional interface for Backend: a move inside the backend,
// atomic where CapAtomicMove is declared.
type Mover interface {
	Move(ctx context.Context, src, dst string, overwrite bool) error
}

// FolderDeleter is an optional interface for Backend: delete a folder and
// everything below it faster than file by file. A missing folder is not an
// error.
type FolderDeleter interface {
	DeleteFolder(ctx context.Context, path string) error
}

// WalkLister is an optional interface for Backend: yield every file (not
// folder) below path at any depth, faster than walking folder by folder (an
// object store's flat listing). Paths are relative to the backend root.
type WalkLister interface {
	ListAll(ctx context.Context, path string) iter.Seq2[Info, error]
}

// ReaderAtOpener is an optional interface for Backend: open a file for
// random access more cheaply than one ranged request per ReadAt (a local
// file descriptor, an in-memory slice).
type ReaderAtOpener interface {
	OpenReaderAt(ctx context.Context, path string) (ReaderAtCloser, error)
}

// ReaderAtCloser is a random-access reader of known size. ReadAt must be safe
// for concurrent use.
type ReaderAtCloser interface {
	io.ReaderAt
	io.Closer
	Size() int64
}

// Pinger is an optional interface for Backend: a cheap reachability and
// credentials check. Without it, Ping stats the root.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Aser is an optional interface for Backend: give callers the backend's
// native client (see Store.As).
type Aser interface {
	As(target any) bool
}
