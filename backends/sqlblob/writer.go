package sqlblob

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"time"

	"github.com/remotestore/remotestore/store"
)

// NewWriter implements store.Backend. The writer keeps at most one chunk
// in memory: every full chunk goes into the chunks table at once, under a
// new blob id that no file row points at yet, so nothing is visible. Commit
// writes the last chunk and points the file's row at the blob in one
// transaction; Abort, Close without Commit, or a failed Commit delete the
// staged chunks.
func (b *Backend) NewWriter(ctx context.Context, p string, opts *store.WriteOptions) (store.BackendWriter, error) {
	if err := checkPath(p); err != nil {
		return nil, err
	}
	return &writer{b: b, ctx: ctx, path: p, overwrite: opts.Overwrite, cs: b.chunkSize, h: sha256.New()}, nil
}

// checkPath refuses paths the database cannot index.
func checkPath(p string) error {
	if len(p) > MaxPathLen {
		return fmt.Errorf("%w: path is %d bytes long, more than the %d a SQL store keeps", store.ErrInvalidPath, len(p), MaxPathLen)
	}
	return nil
}

// writer is an upload in progress.
type writer struct {
	b         *Backend
	ctx       context.Context
	path      string
	overwrite bool
	cs        int

	buf  []byte // bytes of the chunk being filled; grows up to cs
	id   int64  // blob id once the first chunk is staged; 0 before
	seq  int64  // number of chunks staged
	size int64
	h    hash.Hash
	done bool
}

func (w *writer) Write(p []byte) (int, error) {
	if w.done {
		return 0, fmt.Errorf("%w: write after commit or abort", store.ErrPrecondition)
	}
	if err := w.ctx.Err(); err != nil {
		return 0, err
	}
	n := len(p)
	w.h.Write(p)
	for len(p) > 0 {
		if len(w.buf) == 0 && len(p) >= w.cs {
			// A whole chunk straight from the caller's buffer.
			if err := w.stage(p[:w.cs]); err != nil {
				return n - len(p), err
			}
			p = p[w.cs:]
			continue
		}
		k := min(len(p), w.cs-len(w.buf))
		w.buf = append(w.buf, p[:k]...)
		p = p[k:]
		if len(w.buf) == w.cs {
			if err := w.stage(w.buf); err != nil {
				return n - len(p), err
			}
			w.buf = w.buf[:0]
		}
	}
	w.size += int64(n)
	return n, nil
}

// stage stores one full chunk, starting the upload on the first.
func (w *writer) stage(chunk []byte) error {
	b := w.b
	if w.id == 0 {
		// In a transaction: on SQLite that is what takes the writers' turn.
		var id int64
		err := b.eng.tx(w.ctx, func(q querier) (err error) {
			id, err = b.newUpload(w.ctx, q, w.path)
			return err
		})
		if err != nil {
			return b.fail(w.ctx, err)
		}
		w.id = id
	}
	n, err := b.eng.exec(w.ctx, b.d.stageChunk, w.id, w.seq, chunk)
	if err != nil {
		return b.fail(w.ctx, err)
	}
	if n != 1 {
		return fmt.Errorf("%w: the upload was removed by CleanUploads", store.ErrPrecondition)
	}
	w.seq++
	return nil
}

// newUpload registers an upload and returns its id, the new blob's id.
func (b *Backend) newUpload(ctx context.Context, q querier, p string) (int64, error) {
	var id int64
	if _, err := queryRow(ctx, q, b.d.newUpload, []any{p, time.Now().UnixNano()}, &id); err != nil {
		return 0, b.fail(ctx, err)
	}
	return id, nil
}

func (w *writer) Commit() error {
	if w.done {
		return fmt.Errorf("%w: commit after commit or abort", store.ErrPrecondition)
	}
	w.done = true
	if err := w.ctx.Err(); err != nil {
		w.discard()
		return err
	}
	b := w.b
	row := fileRow{size: w.size, cs: int64(w.cs), sum: hex.EncodeToString(w.h.Sum(nil))}
	err := b.eng.tx(w.ctx, func(q querier) error {
		row.blob = w.id
		if w.id == 0 {
			// A file of one chunk: all of it in this transaction.
			id, err := b.newUpload(w.ctx, q, w.path)
			if err != nil {
				return err
			}
			row.blob = id
		}
		if len(w.buf) > 0 {
			if _, err := q.exec(w.ctx, b.d.insertChunk, row.blob, w.seq, w.buf); err != nil {
				return err
			}
		}
		// The upload's row goes with the publication; when CleanUploads
		// took it, the staged chunks are gone too.
		if n, err := q.exec(w.ctx, b.d.dropUpload, row.blob); err != nil {
			return err
		} else if n != 1 {
			return fmt.Errorf("%w: the upload was removed by CleanUploads before Commit", store.ErrPrecondition)
		}
		row.mod = time.Now().UnixNano()
		return b.place(w.ctx, q, w.path, row, w.overwrite)
	})
	if err != nil {
		w.discard()
		return b.fail(w.ctx, err)
	}
	w.id, w.buf = 0, nil // published: no longer the writer's to discard
	return nil
}

// discard deletes the staged chunks and the upload's row, even when the
// writer's context has ended. The chunks go only when the upload's row was
// still there: a Commit whose outcome the client could not learn (the
// connection broke during COMMIT) may have published them, and publishing
// removes the row.
func (w *writer) discard() error {
	w.buf = nil
	if w.id == 0 {
		return nil
	}
	id := w.id
	w.id = 0
	ctx, cancel := cleanupContext(w.ctx)
	defer cancel()
	b := w.b
	return b.eng.tx(ctx, func(q querier) error {
		n, err := q.exec(ctx, b.d.dropUpload, id)
		if err != nil || n == 0 {
			return err // published, or removed with its chunks by CleanUploads
		}
		_, err = q.exec(ctx, b.d.dropBlob, id)
		return err
	})
}

func (w *writer) Abort() error {
	if w.done && w.id == 0 {
		return nil
	}
	w.done = true
	return w.discard()
}

func (w *writer) Close() error { return w.Abort() }
