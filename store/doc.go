// Package store is the portable core of remotestore: a folder-scoped Store
// over a small Backend interface, so that one piece of code reads and writes
// local disk, memory, S3, Azure Blob, SFTP, HTTP or a SQL database alike.
//
//	st, err := store.OpenURL(ctx, "s3://analytics/raw?region=eu-west-1")
//	if err != nil { … }
//	defer st.Close()
//	err = st.Write(ctx, "events/2026-11-28.json", body, nil)      // streamed, atomic
//	r, err := st.OpenSeekable(ctx, "events/part-0.parquet")        // io.ReaderAt
//	for f, err := range st.ListFiles(ctx, "events", &store.ListOptions{MaxDepth: 1}) { … }
//
// Every method takes a context.Context; cancelling it stops the I/O.
//
// # Paths
//
// Store paths use "/" and are relative to the store's root; "" is the root.
// CleanPath normalises them ("a//b/" → "a/b") and rejects, with
// ErrInvalidPath, absolute paths, NUL and control bytes, backslashes, invalid
// UTF-8 and ".." that would leave the root. Sub returns a child store that
// shares the backend; since ".." cannot climb out of a store, a child can
// never reach its parent's files.
//
// # Errors
//
// Every failure is an *Error naming the operation, the path and the backend
// ("store: write s3://bkt/a/b.parquet: already exists"). It wraps one
// sentinel — ErrNotFound, ErrAlreadyExists, ErrPermission, ErrInvalidPath,
// ErrNotSupported, ErrUnavailable, ErrIsFolder, ErrNotFolder,
// ErrPrecondition, ErrInvalidConfig — so errors.Is classifies it, and the
// backend's own error stays reachable with errors.As. Context errors stay
// reachable with errors.Is too; io.EOF from Read is never wrapped.
//
// # Capabilities
//
// Each backend declares a Capability set (read, range-read, write,
// atomic-write, list, delete, server-side-copy, …). A call that needs an
// undeclared capability fails with ErrNotSupported before reaching the
// backend: an HTTP store refuses writes this way. Optional interfaces
// (Copier, Mover, FolderDeleter, WalkLister, ReaderAtOpener, Pinger) are
// faster ways of doing supported things; without them Store falls back to
// the portable way (copy = read+write, ReaderAt = ranged reads, …).
//
// # Writes
//
// Writes stream (memory does not grow with the file) and refuse to replace
// an existing file unless WriteOptions.Overwrite is set. NewWriter returns a
// Writer with Commit and Abort: nothing is published before Commit, and Close
// without Commit aborts, so a deferred Close after a failure never leaves a
// truncated file. On backends with CapAtomicWrite a reader sees the old
// content or the new one, never a mix.
//
// # URLs and config
//
// Backends register a Driver for their URL scheme from their package's init
// (import backends/all for all of them). OpenURL opens "file:///data",
// "mem://", "s3://bucket/prefix", …; a bare path is a file URL. LoadConfig
// reads a YAML file naming backends and stores, with ${ENV} interpolation
// for secrets, which are then scrubbed from error messages.
//
// # The io/fs view
//
// FS returns an fs.FS (StatFS, ReadDirFS, ReadFileFS, SubFS) over any store,
// so fs.WalkDir, http.FileServer and templates work on every backend.
//
// # Conformance
//
// Package storetest is the one conformance suite every backend passes.
package store
