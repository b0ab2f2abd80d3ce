// Package sqlblob is a store.Backend that keeps files as rows of an SQL
// database: SQLite (embedded, pure Go: modernc.org/sqlite) or PostgreSQL
// (github.com/jackc/pgx/v5). A file's bytes are split into chunks of
// ChunkSize (1 MiB by default), one row each, so reads stream and seek,
// and writes stream, with memory of about one chunk whatever the file's
// size. Folders are implicit, as in object stores: a folder exists while a
// file lies below it.
//
// # URLs
//
//	sqlite:///var/lib/app/files.db?table=files
//	sqlite://./data/files.db                  (relative to the working directory)
//	postgres://app@db.internal:5432/appdb?table=files&sslmode=verify-full
//	postgresql://app@/appdb?host=/var/run/postgresql
//
// SQLite query parameters: table, chunk_size, busy_timeout (a Go duration),
// no_create. PostgreSQL: table, chunk_size, max_conns, no_create, sslmode,
// sslrootcert, sslcert, sslkey, connect_timeout, application_name,
// search_path, host. Unknown parameters are errors. A password in a
// postgres URL is refused: use PGPASSWORD, ~/.pgpass, or a YAML config.
// Connection settings left empty come from libpq's environment variables
// (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE, PGSSLMODE, …).
//
// Opening by URL or config needs the package imported, for its
// registration:
//
//	import _ "github.com/remotestore/remotestore/backends/sqlblob"
//
//	st, err := store.OpenURL(ctx, "sqlite:///data/files.db?table=raw")
//
// In a YAML config, `type: sqlite` or `type: postgres`, with the fields of
// SQLiteConfig or PostgresConfig as options:
//
//	backends:
//	  db:
//	    type: postgres
//	    options:
//	      host: db.internal
//	      user: app
//	      password: ${APP_DB_PASSWORD}
//	      database: appdb
//	      sslmode: verify-full
//	      table: files
//	  local-db:
//	    type: sqlite
//	    options:
//	      path: /var/lib/app/files.db
//
// Or directly:
//
//	b, err := sqlblob.NewSQLite(ctx, sqlblob.SQLiteConfig{Path: "/data/files.db"})
//	st := store.New(b)
//
// # Schema
//
// Three tables per store, named after Table (default "remotestore"):
// Table holds one row per file (path primary key, blob id, size, chunk
// size, modification time in Unix nanoseconds, hex SHA-256);
// Table_chunks holds the bytes (blob id, sequence number, data; primary key
// blob id and sequence); Table_uploads hands out blob ids and records
// writes in progress. Several stores share a database by using different
// tables; several processes share a store by using the same one. Tables
// are created when missing (unless NoCreate). On PostgreSQL, paths sort
// bytewise (COLLATE "C") and chunks are stored uncompressed and out of line
// (STORAGE EXTERNAL).
//
// # Capabilities
//
// read, range-read, write, atomic-write, list, delete, server-side-copy,
// atomic-move, mod-time, etag (the SHA-256 of the content). Not
// real-folders. Optional interfaces: store.Copier, store.Mover,
// store.FolderDeleter, store.WalkLister, store.ReaderAtOpener,
// store.Pinger, store.Aser (a **sql.DB on SQLite).
//
// # Writes
//
// A writer stages each full chunk at once under a new blob id, which no
// file row points at, so nothing is visible before Commit. Commit writes
// the last chunk and publishes in one transaction: it inserts or updates
// the file's row and deletes the replaced blob's chunks. Without Overwrite
// the insert is INSERT … ON CONFLICT DO NOTHING on the primary key, so of
// racing writers exactly one wins and the others fail with
// store.ErrAlreadyExists. Abort, Close without Commit and a failed Commit
// delete the staged chunks. A process that dies mid-write leaves its staged
// chunks behind; Backend.CleanUploads removes those of old uploads.
//
// On SQLite the database runs in WAL mode: readers never wait, and the
// writes of one backend take turns in the process (no SQLITE_BUSY between
// them); other processes are waited for up to BusyTimeout. On PostgreSQL
// writes run concurrently in READ COMMITTED transactions, retried on
// deadlock or serialization failure.
//
// # Reads
//
// A stream is one query reading the file's row and the chunks of the
// range in order, from one snapshot: a reader sees the version it opened
// whole even while a writer replaces it. Rows arrive as the caller reads,
// and the stream holds a connection until it is read to the end or closed.
// Seekable reads (store.ReaderAtOpener) run one query per ReadAt, cut to
// the requested bytes in the database (substr); reads of up to 64 KiB are
// served from a cache of four 256 KiB blocks. A seekable reader is pinned
// to the version it opened: once that is replaced or deleted, ReadAt fails
// with store.ErrPrecondition.
//
// # Listing, copy, move, delete
//
// List reads pages of rows in path order and skips each subfolder with one
// range query; the flat listing (store.WalkLister) pages through the range
// of the folder. Folders are selected by a range of the primary key
// (path >= "dir/" AND path < "dir0"), never with LIKE, so no name needs
// escaping. Move renames the row in one transaction (the chunks stay put,
// whatever the size; the modification time is kept). Copy duplicates the
// chunks with INSERT … SELECT inside the database, in one transaction.
// DeleteFolder deletes the rows and their chunks in one transaction (one
// statement on PostgreSQL).
//
// # Limits
//
// Paths are at most MaxPathLen (1024) bytes. A chunk is at most
// MaxChunkSize. On PostgreSQL every open stream holds one of MaxConns
// connections (16 by default) until closed: a caller holding that many
// open readers waits for a connection to write. The check that a file is
// not written below another file (or over a folder) runs inside the
// publishing transaction; on PostgreSQL two clients creating "a" and
// "a/b" at the same instant may both succeed, as on object stores.
//
// # Errors
//
// Classify maps SQLite's SQLITE_BUSY, SQLITE_LOCKED, SQLITE_IOERR,
// SQLITE_FULL to store.ErrUnavailable; SQLITE_READONLY, SQLITE_PERM,
// SQLITE_AUTH, SQLITE_CANTOPEN to store.ErrPermission; SQLITE_NOTADB and
// SQLITE_CORRUPT to store.ErrInvalidConfig; a missing table to
// store.ErrNotFound. PostgreSQL's SQLSTATE class 28 (authentication) and
// 42501 to store.ErrPermission; 3D000 (no such database), 42P01 and 3F000
// to store.ErrNotFound; classes 08 and 53, 57P01–03, 57014, 55P03, 40001
// and 40P01 (after retries), and network failures to store.ErrUnavailable.
// The driver's error stays reachable with errors.As (*sqlite.Error,
// *pgconn.PgError). Passwords never appear in messages.
package sqlblob
