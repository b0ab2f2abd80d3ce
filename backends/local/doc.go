// Package local is the Backend for a folder of the local filesystem, and the
// default one: a bare path given to store.OpenURL ("/data", "./data") opens
// it. Every file operation goes through an os.Root opened on the folder, so
// neither ".." nor a symbolic link can reach outside it.
//
// # URL and config
//
//	file:///abs/path                absolute folder
//	file://localhost/abs/path       the same (RFC 8089 local host)
//	file://./rel/path               folder relative to the working directory
//	file://../rel/path              likewise
//	/abs/path  ./rel  rel           bare paths, as passed to store.OpenURL
//
// Other hosts ("file://server/share") are refused, as are a user, a fragment
// and the opaque form "file:rel" (store.OpenURL would take it as a path named
// "file:rel"). Percent escapes in file:// URLs are decoded ("%20" is a
// space); bare paths are taken literally. On Windows "file:///C:/data" names
// C:\data. Query parameters, each optional; any other key is an error:
//
//	create_root=true   create the root folder (and parents) if missing
//	no_sync=true       skip fsync (see Durability)
//
// In a YAML config the type is "file" and the options are Config's fields:
//
//	backends:
//	  disk:
//	    type: file
//	    options:
//	      root: /srv/data
//	      create_root: true
//
// A relative root is made absolute against the working directory when the
// backend opens. Without create_root a missing root fails with
// store.ErrNotFound, a root that is a file with store.ErrNotFolder.
//
// # Capabilities
//
// read, range-read, write, atomic-write, list, delete, server-side-copy
// (copy_file_range where the kernel has it), atomic-move (rename(2)),
// real-folders, mod-time. No etag: a checksum would mean reading the whole
// file on every Stat.
//
// Optional interfaces: store.Copier, store.Mover, store.FolderDeleter,
// store.ReaderAtOpener (pread on one descriptor, safe for concurrent use),
// store.Pinger and store.Aser (As(**os.Root) yields the confined root).
//
// # Writes
//
// A write goes to a hidden temporary file in the target's folder, named
// ".<name>.tmp-<16 hex digits>". Commit fsyncs it and renames it over the
// target (with Overwrite), or publishes it with a no-replace primitive
// (renameat2 RENAME_NOREPLACE on Linux, otherwise link(2) then unlink of the
// temporary), so of two racing writers without Overwrite exactly one
// succeeds and the other gets store.ErrAlreadyExists. The folder is fsynced
// after the rename. Abort, Close without Commit and a failed Commit remove
// the temporary file and any folder the write created. Temporary files never
// appear in List, and writing to a name of that pattern fails with
// store.ErrInvalidPath. A crash can leave a temporary file behind; it stays
// hidden from List, and DeleteFolder removes it.
//
// Copy is a local copy into a temporary file published the same way; Move
// is one rename (no-replace without Overwrite).
//
// # Durability
//
// By default a committed file and its folder entry are fsynced, so a file
// that Commit reported survives power loss. no_sync skips both fsyncs:
// writes stay atomic (readers never see a partial file) but the last writes
// may be lost on a crash of the machine. Use it for scratch data and tests.
//
// # Streaming
//
// The writer implements io.ReaderFrom and the stream from Open implements
// io.WriterTo, both over the *os.File, so io.Copy between a store file and
// an *os.File or a socket uses copy_file_range, sendfile or splice and
// copies no bytes through user space; memory never grows with file size.
// Context cancellation is checked on every Write and Read call and at
// Commit (a cancelled write is never published), but not inside one
// kernel-side copy.
//
// # Folders, symbolic links and names
//
// Stat of "" is the root folder. List yields nothing for a missing folder or
// a file. A path below a file ("a.txt/x") is not found for Stat, Open and
// Delete; writing there fails with store.ErrNotFolder. Symbolic links are followed while they stay inside the root; one
// that leaves it (or any path through it) fails with store.ErrPermission,
// and List skips such links and dangling ones rather than failing the whole
// listing. Delete of a link removes the link, never its target. List also
// skips entries whose names are not valid store paths (a backslash, control
// characters, invalid UTF-8): they could not be named back.
//
// # Errors
//
// Classify maps: not-exist → store.ErrNotFound; EACCES, EPERM, EROFS and a
// path escaping the root → store.ErrPermission; ENOTDIR → store.ErrNotFolder;
// EISDIR → store.ErrIsFolder; EEXIST → store.ErrAlreadyExists; ENAMETOOLONG
// → store.ErrInvalidPath. ENOSPC, EDQUOT and EIO stay unclassified: they are
// not transient, so ErrUnavailable (which invites a retry) would mislead.
// The *fs.PathError stays reachable through errors.As.
package local
