package sqlblob

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/remotestore/remotestore/store"
)

// Backend stores files as rows of an SQLite or PostgreSQL database. It is
// safe for concurrent use; several backends, in one process or many, may
// share a database and a table.
type Backend struct {
	scheme    string
	eng       engine
	d         *dialect
	chunkSize int
	uriBase   string  // "sqlite:///abs/db.sqlite?table=t", "postgres://u@h:p/db?table=t"
	sqldb     *sql.DB // SQLite only
}

var (
	_ store.Backend        = (*Backend)(nil)
	_ store.Copier         = (*Backend)(nil)
	_ store.Mover          = (*Backend)(nil)
	_ store.FolderDeleter  = (*Backend)(nil)
	_ store.WalkLister     = (*Backend)(nil)
	_ store.ReaderAtOpener = (*Backend)(nil)
	_ store.Pinger         = (*Backend)(nil)
	_ store.Aser           = (*Backend)(nil)
)

// Scheme implements store.Backend: "sqlite" or "postgres".
func (b *Backend) Scheme() string { return b.scheme }

// Capabilities implements store.Backend.
func (b *Backend) Capabilities() store.Capability {
	return store.CapRead | store.CapRangeRead | store.CapWrite | store.CapAtomicWrite | store.CapList |
		store.CapDelete | store.CapServerSideCopy | store.CapAtomicMove | store.CapModTime | store.CapETag
}

// Table returns the name of the files table.
func (b *Backend) Table() string { return b.d.table }

// ChunkSize returns the chunk size new files are written with.
func (b *Backend) ChunkSize() int { return b.chunkSize }

// URI implements store.Backend: the database, the table and the path,
// "sqlite:///data/files.db?table=files#a/b.txt". It holds no password.
func (b *Backend) URI(p string) string {
	if p == "" {
		return b.uriBase
	}
	return b.uriBase + "#" + p
}

// As implements store.Aser: on SQLite, target may be a **sql.DB (the
// database/sql handle the backend uses).
func (b *Backend) As(target any) bool {
	if p, ok := target.(**sql.DB); ok && b.sqldb != nil {
		*p = b.sqldb
		return true
	}
	return false
}

// Close implements store.Backend: it closes the database connections.
func (b *Backend) Close() error { return b.eng.close() }

// Classify implements store.Backend; see the package doc for the mapping.
func (b *Backend) Classify(err error) error { return b.eng.classify(err) }

// Ping implements store.Pinger: one query of the files table checks the
// connection, the credentials and the table.
func (b *Backend) Ping(ctx context.Context) error {
	_, err := queryRow(ctx, b.eng, b.d.probe, nil)
	return b.fail(ctx, err)
}

// Stat implements store.Backend. A file is its row; a folder is a path
// with rows below it; the root is always a folder.
func (b *Backend) Stat(ctx context.Context, p string) (store.Info, error) {
	if p == "" {
		if err := ctx.Err(); err != nil {
			return store.Info{}, err
		}
		return store.Info{IsFolder: true}, nil
	}
	var size, mod int64
	var sum string
	ok, err := queryRow(ctx, b.eng, b.d.stat, []any{p}, &size, &mod, &sum)
	if err != nil {
		return store.Info{}, b.fail(ctx, err)
	}
	if ok {
		return store.Info{Path: p, Size: size, ModTime: time.Unix(0, mod), ETag: sum}, nil
	}
	folder, err := b.isFolder(ctx, b.eng, p)
	switch {
	case err != nil:
		return store.Info{}, err
	case folder:
		return store.Info{Path: p, IsFolder: true}, nil
	}
	return store.Info{}, fmt.Errorf("%w", store.ErrNotFound)
}

// isFolder reports whether some file lies below p.
func (b *Backend) isFolder(ctx context.Context, q querier, p string) (bool, error) {
	lo, hi := folderRange(p)
	ok, err := queryRow(ctx, q, b.d.folder, []any{lo, hi}, new(int))
	return ok, b.fail(ctx, err)
}

// missing returns the error for a path that names no file: ErrIsFolder
// for a folder, else ErrNotFound.
func (b *Backend) missing(ctx context.Context, q querier, p string) error {
	folder, err := b.isFolder(ctx, q, p)
	switch {
	case err != nil:
		return err
	case folder:
		return fmt.Errorf("%w", store.ErrIsFolder)
	}
	return fmt.Errorf("%w", store.ErrNotFound)
}

// fail returns err, or the context's error when ctx ended (drivers report
// an interrupted statement in their own words).
func (b *Backend) fail(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		return fmt.Errorf("%w (%v)", cerr, err)
	}
	return err
}

// CleanUploads deletes what writers that never finished left behind: the
// staged chunks of uploads started more than olderThan ago (a process that
// died between Write and Commit or Abort). It returns the number of
// chunk rows removed. A writer still running that started before the
// cutoff fails at its next Write or at Commit with store.ErrPrecondition,
// so pick olderThan longer than any write takes.
func (b *Backend) CleanUploads(ctx context.Context, olderThan time.Duration) (int64, error) {
	cutoff := time.Now().Add(-olderThan).UnixNano()
	var n int64
	err := b.eng.tx(ctx, func(q querier) error {
		n = 0
		for i, s := range b.d.cleanUploads {
			k, err := q.exec(ctx, s, cutoff)
			if err != nil {
				return err
			}
			if i == 0 {
				n = k
			}
		}
		return nil
	})
	return n, b.fail(ctx, err)
}

// DropTables drops the backend's three tables and everything in them. The
// backend is unusable afterwards (until opened again, which recreates
// them). Meant for tests and for tearing a store down.
func (b *Backend) DropTables(ctx context.Context) error {
	err := b.eng.tx(ctx, func(q querier) error {
		for _, s := range b.d.drop {
			if _, err := q.exec(ctx, s); err != nil {
				return err
			}
		}
		return nil
	})
	return b.fail(ctx, err)
}

// openError describes a failure to open the database at loc, classified
// when the error carries no sentinel yet.
func openError(e engine, driver, loc string, err error) error {
	if store.KindOf(err) == nil {
		if kind := e.classify(err); kind != nil {
			return fmt.Errorf("%w: %s: open %s: %w", kind, driver, loc, err)
		}
	}
	return fmt.Errorf("%s: open %s: %w", driver, loc, err)
}

// containsFold reports whether s contains sub, ignoring case.
func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}

// cleanupContext returns a context for cleanup statements (deleting staged
// chunks, rolling back) that still runs when ctx was canceled, bounded in
// time.
func cleanupContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
}
