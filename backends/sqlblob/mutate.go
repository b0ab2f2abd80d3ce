package sqlblob

import (
	"context"
	"fmt"
	"time"

	"github.com/remotestore/remotestore/store"
)

// fileRow is a row of the files table.
type fileRow struct {
	blob, size, cs, mod int64
	sum                 string
}

// place points the file p at the blob of f, inside the transaction q: the
// step that publishes a write or a copy. p must not be a folder nor lie
// below a file; without overwrite it must not exist — the primary key
// decides between racing writers, so exactly one of them wins. An
// overwritten file's chunks are deleted.
func (b *Backend) place(ctx context.Context, q querier, p string, f fileRow, overwrite bool) error {
	if err := checkPath(p); err != nil {
		return err
	}
	if err := b.checkTarget(ctx, q, p); err != nil {
		return err
	}
	args := []any{p, f.blob, f.size, f.cs, f.mod, f.sum}
	if !overwrite {
		n, err := q.exec(ctx, b.d.insertFile, args...)
		if err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("%w: %q exists", store.ErrAlreadyExists, p)
		}
		return nil
	}
	for range 4 {
		// Lock the row when there is one (PostgreSQL: FOR UPDATE), so the
		// old blob read here is the one replaced.
		var old int64
		ok, err := queryRow(ctx, q, b.d.lockFile, []any{p}, &old)
		if err != nil {
			return err
		}
		if ok {
			if _, err := q.exec(ctx, b.d.updateFile, args...); err != nil {
				return err
			}
			_, err := q.exec(ctx, b.d.dropBlob, old)
			return err
		}
		n, err := q.exec(ctx, b.d.insertFile, args...)
		if err != nil || n == 1 {
			return err
		}
		// Another writer created p after the lookup; look again (each
		// statement of a PostgreSQL READ COMMITTED transaction sees what
		// was committed before it).
	}
	return fmt.Errorf("%w: %q keeps being replaced", errRetry, p)
}

// checkTarget refuses to put a file at p when p is a folder or a parent
// of p is a file.
func (b *Backend) checkTarget(ctx context.Context, q querier, p string) error {
	folder, err := b.isFolder(ctx, q, p)
	if err != nil {
		return err
	}
	if folder {
		return fmt.Errorf("%w: %q is a folder", store.ErrIsFolder, p)
	}
	var parents []any
	for d := store.ParentPath(p); d != ""; d = store.ParentPath(d) {
		parents = append(parents, d)
	}
	if len(parents) == 0 {
		return nil
	}
	var file string
	ok, err := queryRow(ctx, q, b.d.anyOf(len(parents)), parents, &file)
	if err != nil {
		return err
	}
	if ok {
		return fmt.Errorf("%w: parent %q is a file", store.ErrNotFolder, file)
	}
	return nil
}

// Delete implements store.Backend: the file's row and its chunks go in one
// transaction.
func (b *Backend) Delete(ctx context.Context, p string) error {
	err := b.eng.tx(ctx, func(q querier) error {
		var blob int64
		ok, err := queryRow(ctx, q, b.d.deleteFile, []any{p}, &blob)
		if err != nil {
			return err
		}
		if !ok {
			return b.missing(ctx, q, p)
		}
		_, err = q.exec(ctx, b.d.dropBlob, blob)
		return err
	})
	return b.fail(ctx, err)
}

// DeleteFolder implements store.FolderDeleter: every file below p, with its
// chunks, in one transaction, selected by a range of the primary key
// (p/ <= path < p0) rather than a LIKE pattern, so no name needs escaping.
// On PostgreSQL it is a single statement.
func (b *Backend) DeleteFolder(ctx context.Context, p string) error {
	stmts, args := b.d.deleteAll, []any(nil)
	if p != "" {
		lo, hi := folderRange(p)
		stmts, args = b.d.deleteFolder, []any{lo, hi}
	}
	err := b.eng.tx(ctx, func(q querier) error {
		for _, s := range stmts {
			if _, err := q.exec(ctx, s, args...); err != nil {
				return err
			}
		}
		return nil
	})
	return b.fail(ctx, err)
}

// Move implements store.Mover: one transaction renames the file's row (the
// chunks stay where they are, whatever the size). The file keeps its
// modification time.
func (b *Backend) Move(ctx context.Context, src, dst string, overwrite bool) error {
	if err := checkPath(dst); err != nil {
		return err
	}
	err := b.eng.tx(ctx, func(q querier) error {
		var blob int64
		ok, err := queryRow(ctx, q, b.d.lockFile, []any{src}, &blob)
		if err != nil {
			return err
		}
		if !ok {
			return b.missing(ctx, q, src)
		}
		if err := b.checkTarget(ctx, q, dst); err != nil {
			return err
		}
		var old int64
		ok, err = queryRow(ctx, q, b.d.lockFile, []any{dst}, &old)
		if err != nil {
			return err
		}
		if ok {
			if !overwrite {
				return fmt.Errorf("%w: destination %q exists", store.ErrAlreadyExists, dst)
			}
			if _, err := q.exec(ctx, b.d.deleteFile, dst); err != nil {
				return err
			}
			if _, err := q.exec(ctx, b.d.dropBlob, old); err != nil {
				return err
			}
		}
		if _, err := q.exec(ctx, b.d.moveFile, src, dst); err != nil {
			if b.eng.classify(err) == store.ErrAlreadyExists {
				// dst was created after the lookup.
				if overwrite {
					return fmt.Errorf("%w: %v", errRetry, err)
				}
				return fmt.Errorf("%w: destination %q exists", store.ErrAlreadyExists, dst)
			}
			return err
		}
		return nil
	})
	return b.fail(ctx, err)
}

// Copy implements store.Copier: one transaction copies the chunks inside
// the database (INSERT … SELECT, never through this process) under a new
// blob id and publishes the copy as a write would.
func (b *Backend) Copy(ctx context.Context, src, dst string, overwrite bool) error {
	if err := checkPath(dst); err != nil {
		return err
	}
	err := b.eng.tx(ctx, func(q querier) error {
		var s fileRow
		ok, err := queryRow(ctx, q, b.d.lockShared, []any{src}, &s.blob, &s.size, &s.cs, &s.sum)
		if err != nil {
			return err
		}
		if !ok {
			return b.missing(ctx, q, src)
		}
		id, err := b.newUpload(ctx, q, dst)
		if err != nil {
			return err
		}
		if _, err := q.exec(ctx, b.d.copyChunks, s.blob, id); err != nil {
			return err
		}
		if _, err := q.exec(ctx, b.d.dropUpload, id); err != nil {
			return err
		}
		return b.place(ctx, q, dst, fileRow{blob: id, size: s.size, cs: s.cs, mod: time.Now().UnixNano(), sum: s.sum}, overwrite)
	})
	return b.fail(ctx, err)
}
