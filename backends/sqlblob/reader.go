package sqlblob

import (
	"context"
	"fmt"
	"io"
	"math"
	"sync"

	"github.com/remotestore/remotestore/store"
)

// OpenRange implements store.Backend. One query reads the file's row and
// the chunks of the range, in order, from one snapshot: the stream is
// one version of the file even while writers replace it. Rows arrive as
// the caller reads, so memory stays at about one chunk; the stream holds a
// database connection until it is closed or read to the end.
func (b *Backend) OpenRange(ctx context.Context, p string, off, length int64) (io.ReadCloser, error) {
	last := int64(math.MaxInt64)
	if length >= 0 && off <= math.MaxInt64-length {
		last = off + length - 1
	}
	qctx, cancel := context.WithCancel(ctx)
	r, err := b.eng.query(qctx, b.d.open, p, off, last)
	if err != nil {
		cancel()
		return nil, b.fail(ctx, err)
	}
	if !r.Next() {
		err := r.Err()
		r.Close()
		cancel()
		if err != nil {
			return nil, b.fail(ctx, err)
		}
		return nil, b.missing(ctx, b.eng, p)
	}
	var size, cs int64
	var seq *int64
	var data []byte
	if err := r.Scan(&size, &cs, &seq, &data); err != nil {
		r.Close()
		cancel()
		return nil, b.fail(ctx, err)
	}
	end := size
	if length >= 0 && last < size-1 {
		end = last + 1
	}
	cr := &chunkReader{b: b, ctx: ctx, cancel: cancel, rows: r, pos: off, end: end, cs: cs}
	if seq == nil || off >= end {
		cr.finish()
		return cr, nil
	}
	cr.next = off / cs
	if err := cr.take(*seq, data); err != nil {
		cr.Close()
		return nil, err
	}
	return cr, nil
}

// chunkReader streams the chunks of one range query.
type chunkReader struct {
	b      *Backend
	ctx    context.Context
	cancel context.CancelFunc // ends the query when the stream is closed early
	rows   rows               // nil once finished

	cur  []byte // the unread bytes of the current chunk (driver memory)
	pos  int64  // offset of cur[0] in the file
	end  int64  // offset where the range ends
	next int64  // the chunk expected next
	cs   int64
	err  error
}

// take makes chunk seq (its bytes data) current, cut to the range.
func (r *chunkReader) take(seq int64, data []byte) error {
	if seq != r.next {
		return fmt.Errorf("%w: chunk %d missing (got %d): the stored file is damaged",
			store.ErrPrecondition, r.next, seq)
	}
	start := seq * r.cs
	lo, hi := r.pos-start, min(int64(len(data)), r.end-start)
	if lo < 0 || lo > hi {
		return fmt.Errorf("%w: chunk %d holds %d bytes, too few for offset %d: the stored file is damaged",
			store.ErrPrecondition, seq, len(data), r.pos)
	}
	r.cur = data[lo:hi]
	r.next++
	return nil
}

// finish closes the query once the range is read, so the connection goes
// back to the pool before the caller calls Close.
func (r *chunkReader) finish() {
	if r.rows != nil {
		r.rows.Close()
		r.rows = nil
	}
	r.cancel()
}

func (r *chunkReader) Read(p []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	if err := r.ctx.Err(); err != nil {
		r.err = err
		r.finish()
		return 0, err
	}
	for len(r.cur) == 0 {
		if r.pos >= r.end || r.rows == nil {
			r.finish()
			if r.pos < r.end {
				r.err = fmt.Errorf("%w: stream ended at %d of %d bytes: the stored file is damaged", store.ErrPrecondition, r.pos, r.end)
				return 0, r.err
			}
			return 0, io.EOF
		}
		if !r.rows.Next() {
			err := r.rows.Err()
			r.finish()
			if err == nil {
				err = fmt.Errorf("%w: chunk %d missing: the stored file is damaged", store.ErrPrecondition, r.next)
			}
			r.err = r.b.fail(r.ctx, err)
			return 0, r.err
		}
		var size, cs int64
		var seq *int64
		var data []byte
		if err := r.rows.Scan(&size, &cs, &seq, &data); err != nil {
			r.finish()
			r.err = r.b.fail(r.ctx, err)
			return 0, r.err
		}
		if seq == nil {
			r.rows = nil
			continue
		}
		if err := r.take(*seq, data); err != nil {
			r.finish()
			r.err = err
			return 0, err
		}
	}
	n := copy(p, r.cur)
	r.cur = r.cur[n:]
	r.pos += int64(n)
	if r.pos >= r.end {
		r.finish()
	}
	return n, nil
}

// Close ends the query (early when the range was not read to the end).
func (r *chunkReader) Close() error {
	r.cur = nil
	r.cancel() // before Close: pgx would otherwise read the rest of the rows
	if r.rows != nil {
		r.rows.Close()
		r.rows = nil
	}
	if r.err == nil {
		r.err = fmt.Errorf("%w: read after close", store.ErrPrecondition)
	}
	return nil
}

// OpenReaderAt implements store.ReaderAtOpener. Each ReadAt is one query
// for the chunks it covers, cut in the database (substr) to the bytes
// asked for; reads of up to 64 KiB are served from a small cache of
// 256 KiB blocks (a few queries for many small reads). The reader is
// pinned to the version of the file it opened: when that version is
// replaced or deleted, ReadAt fails with store.ErrPrecondition.
func (b *Backend) OpenReaderAt(ctx context.Context, p string) (store.ReaderAtCloser, error) {
	var blob, size, cs int64
	ok, err := queryRow(ctx, b.eng, b.d.fileBlob, []any{p}, &blob, &size, &cs)
	if err != nil {
		return nil, b.fail(ctx, err)
	}
	if !ok {
		return nil, b.missing(ctx, b.eng, p)
	}
	return &readerAt{b: b, ctx: ctx, blob: blob, size: size, cs: cs}, nil
}

// readerAt reads one version (blob) of a file at random offsets. A blob
// never changes, so cached blocks never go stale.
type readerAt struct {
	b    *Backend
	ctx  context.Context
	blob int64
	size int64
	cs   int64

	mu     sync.Mutex
	blocks []block // most recently used last
}

// The block cache of small reads.
const (
	blockSize    = 256 << 10
	smallRead    = 64 << 10
	cachedBlocks = 4
)

// block is a cached piece of the file: bytes from off on.
type block struct {
	off  int64
	data []byte
}

func (r *readerAt) Size() int64  { return r.size }
func (r *readerAt) Close() error { return nil }

// ReadAt implements io.ReaderAt; it is safe for concurrent use.
func (r *readerAt) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("%w: negative offset %d", store.ErrInvalidPath, off)
	}
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	if off >= r.size {
		return 0, io.EOF
	}
	want := min(int64(len(p)), r.size-off)
	if want <= smallRead {
		if blk, err := r.block(off, want); err != nil {
			return 0, err
		} else if blk != nil {
			n := copy(p[:want], blk.data[off-blk.off:])
			if int64(n) < int64(len(p)) {
				return n, io.EOF
			}
			return n, nil
		}
	}
	got := int64(0)
	for got < want { // at most 256 chunks per query
		n, err := r.read(p[got:want], off+got)
		got += n
		if err == nil && n == 0 {
			err = fmt.Errorf("%w: empty chunk at offset %d: the stored file is damaged", store.ErrPrecondition, off+got)
		}
		if err != nil {
			return int(got), err
		}
	}
	if want < int64(len(p)) {
		return int(got), io.EOF
	}
	return int(got), nil
}

// block returns the cached block holding [off, off+n), reading it when
// missing, or nil when the range crosses a block's end.
func (r *readerAt) block(off, n int64) (*block, error) {
	seq := off / r.cs
	k := (off - seq*r.cs) / blockSize
	start := seq*r.cs + k*blockSize
	length := min(blockSize, r.cs-k*blockSize, r.size-start)
	if off+n > start+length {
		return nil, nil
	}
	r.mu.Lock()
	for i, blk := range r.blocks {
		if blk.off == start {
			r.blocks = append(append(r.blocks[:i:i], r.blocks[i+1:]...), blk)
			r.mu.Unlock()
			return &blk, nil
		}
	}
	r.mu.Unlock()
	data := make([]byte, length)
	got, err := r.read(data, start)
	if err != nil {
		return nil, err
	}
	if got != length {
		return nil, fmt.Errorf("%w: %d bytes at offset %d, want %d: the stored file is damaged",
			store.ErrPrecondition, got, start, length)
	}
	blk := block{off: start, data: data}
	r.mu.Lock()
	if len(r.blocks) >= cachedBlocks {
		r.blocks = append(r.blocks[:0], r.blocks[1:]...)
	}
	r.blocks = append(r.blocks, blk)
	r.mu.Unlock()
	return &blk, nil
}

// read fills p (within the file) from the chunks from off on, up to 256
// chunks; it returns how many bytes it filled.
func (r *readerAt) read(p []byte, off int64) (int64, error) {
	first := off / r.cs
	last := min((off+int64(len(p))-1)/r.cs, first+255)
	rows, err := r.b.eng.query(r.ctx, r.b.d.readAt, r.blob, first, last, off-first*r.cs+1, min(int64(len(p)), r.cs))
	if err != nil {
		return 0, r.b.fail(r.ctx, err)
	}
	defer rows.Close()
	got := int64(0)
	next := first
	for rows.Next() {
		var seq int64
		var data []byte
		if err := rows.Scan(&seq, &data); err != nil {
			return got, r.b.fail(r.ctx, err)
		}
		if seq != next {
			break
		}
		got += int64(copy(p[got:], data))
		next++
	}
	if err := rows.Err(); err != nil {
		return got, r.b.fail(r.ctx, err)
	}
	if next != last+1 {
		return got, fmt.Errorf("%w: the file was replaced or deleted since it was opened", store.ErrPrecondition)
	}
	return got, nil
}
