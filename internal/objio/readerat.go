package objio

import (
	"context"
	"io"

	"golang.org/x/sync/errgroup"
)

// Small reads through a ReaderAt are served from a few cached blocks, so
// that many tiny ReadAt calls (a Parquet footer, a byte-wise reader) cost
// one fetch per block rather than one each.
const (
	CacheBlockSize = 256 << 10 // bytes per cached block
	CacheBlocks    = 8         // blocks kept per reader
	SmallReadAt    = 64 << 10  // reads up to this size go through the cache
)

// ReaderAtConfig configures a ReaderAt.
type ReaderAtConfig struct {
	// Size is the object's length.
	Size int64
	// ChunkSize is the largest fetch; larger reads are split into chunks.
	ChunkSize int64
	// Concurrency is how many chunks of one read are fetched at a time.
	Concurrency int
	// Fetch reads a range of the object.
	Fetch FetchFunc
	// NegativeOffset returns the error of a ReadAt at a negative offset.
	NegativeOffset func(off int64) error
}

// ReaderAt implements io.ReaderAt over a FetchFunc; it is safe for
// concurrent use. Reads of at most SmallReadAt bytes go through a
// BlockCache of CacheBlocks blocks of CacheBlockSize bytes; reads up to
// ChunkSize bytes are one fetch; larger ones are fetched in chunks,
// Concurrency at a time.
type ReaderAt struct {
	ctx   context.Context
	c     ReaderAtConfig
	cache *BlockCache
}

// NewReaderAt returns a ReaderAt whose fetches use ctx.
func NewReaderAt(ctx context.Context, c ReaderAtConfig) *ReaderAt {
	r := &ReaderAt{ctx: ctx, c: c}
	r.cache = NewBlockCache(CacheBlocks, func(idx int64) ([]byte, error) {
		start := idx * CacheBlockSize
		data := make([]byte, min(CacheBlockSize, c.Size-start))
		return data, c.Fetch(ctx, data, start)
	})
	return r
}

// Size returns the object's length.
func (r *ReaderAt) Size() int64 { return r.c.Size }

// Close drops the cache.
func (r *ReaderAt) Close() error {
	r.cache.Reset()
	return nil
}

// ReadAt implements io.ReaderAt.
func (r *ReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, r.c.NegativeOffset(off)
	}
	if off >= r.c.Size {
		return 0, io.EOF
	}
	dst := p
	if rest := r.c.Size - off; int64(len(dst)) > rest {
		dst = dst[:rest]
	}
	var err error
	switch {
	case len(dst) <= SmallReadAt:
		err = r.readCached(dst, off)
	case int64(len(dst)) <= r.c.ChunkSize:
		err = r.c.Fetch(r.ctx, dst, off)
	default:
		g, ctx := errgroup.WithContext(r.ctx)
		g.SetLimit(r.c.Concurrency)
		for s := int64(0); s < int64(len(dst)); s += r.c.ChunkSize {
			part := dst[s:min(s+r.c.ChunkSize, int64(len(dst)))]
			g.Go(func() error { return r.c.Fetch(ctx, part, off+s) })
		}
		err = g.Wait()
	}
	if err != nil {
		return 0, err
	}
	if len(dst) < len(p) {
		return len(dst), io.EOF
	}
	return len(dst), nil
}

// readCached fills dst from the (at most two) blocks it spans.
func (r *ReaderAt) readCached(dst []byte, off int64) error {
	for len(dst) > 0 {
		idx := off / CacheBlockSize
		data, err := r.cache.Block(idx)
		if err != nil {
			return err
		}
		n := copy(dst, data[off-idx*CacheBlockSize:])
		dst, off = dst[n:], off+int64(n)
	}
	return nil
}
