package s3

import (
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"golang.org/x/sync/errgroup"

	"github.com/remotestore/remotestore/store"
)

// Small reads through OpenReaderAt are served from a few cached blocks, so
// that many tiny ReadAt calls (a Parquet footer, a byte-wise reader) cost
// one request per block rather than one each.
const (
	blockSize   = 256 << 10 // bytes per cached block
	blockCache  = 8         // blocks kept per reader
	smallReadAt = 64 << 10  // reads up to this size go through the cache
)

// OpenReaderAt implements store.ReaderAtOpener: one HEAD request for the
// size and ETag, then each ReadAt is a ranged GET pinned to that ETag (so a
// replaced object fails with ErrPrecondition instead of mixing versions),
// split into concurrent chunk GETs when it spans several chunks. Small reads
// go through a cache of a few 256 KiB blocks.
func (b *Backend) OpenReaderAt(ctx context.Context, p string) (store.ReaderAtCloser, error) {
	key := b.key(p)
	out, err := b.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &b.bucket, Key: &key})
	if err != nil {
		if classify(err) == store.ErrNotFound {
			return nil, b.missing(ctx, p, err)
		}
		return nil, err
	}
	return &readerAt{b: b, ctx: ctx, key: key, etag: aws.ToString(out.ETag), size: aws.ToInt64(out.ContentLength),
		blocks: map[int64]*block{}}, nil
}

type readerAt struct {
	b    *Backend
	ctx  context.Context
	key  string
	etag string
	size int64

	mu     sync.Mutex
	blocks map[int64]*block // by block index
	lru    []int64          // block indexes, least recently used first
}

// block is a cached block, possibly still downloading (ready open).
type block struct {
	data  []byte
	err   error
	ready chan struct{}
}

func (r *readerAt) Size() int64 { return r.size }

// Close drops the cache.
func (r *readerAt) Close() error {
	r.mu.Lock()
	r.blocks, r.lru = map[int64]*block{}, nil
	r.mu.Unlock()
	return nil
}

// ReadAt implements io.ReaderAt; it is safe for concurrent use.
func (r *readerAt) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("%w: negative offset %d", store.ErrInvalidPath, off)
	}
	if off >= r.size {
		return 0, io.EOF
	}
	dst := p
	if rest := r.size - off; int64(len(dst)) > rest {
		dst = dst[:rest]
	}
	var err error
	switch {
	case len(dst) <= smallReadAt:
		err = r.readCached(dst, off)
	case int64(len(dst)) <= r.b.partSize:
		err = r.b.getRange(r.ctx, r.key, r.etag, dst, off)
	default:
		g, ctx := errgroup.WithContext(r.ctx)
		g.SetLimit(r.b.concurrency)
		for s := int64(0); s < int64(len(dst)); s += r.b.partSize {
			part := dst[s:min(s+r.b.partSize, int64(len(dst)))]
			g.Go(func() error { return r.b.getRange(ctx, r.key, r.etag, part, off+s) })
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
func (r *readerAt) readCached(dst []byte, off int64) error {
	for len(dst) > 0 {
		idx := off / blockSize
		blk, err := r.block(idx)
		if err != nil {
			return err
		}
		n := copy(dst, blk.data[off-idx*blockSize:])
		dst, off = dst[n:], off+int64(n)
	}
	return nil
}

// block returns block idx, downloading it once however many readers want
// it at the same time.
func (r *readerAt) block(idx int64) (*block, error) {
	r.mu.Lock()
	blk, ok := r.blocks[idx]
	if ok {
		r.touch(idx)
		r.mu.Unlock()
		<-blk.ready
		return blk, blk.err
	}
	blk = &block{ready: make(chan struct{})}
	r.blocks[idx] = blk
	r.lru = append(r.lru, idx)
	if len(r.lru) > blockCache {
		delete(r.blocks, r.lru[0])
		r.lru = r.lru[1:]
	}
	r.mu.Unlock()

	start := idx * blockSize
	blk.data = make([]byte, min(blockSize, r.size-start))
	blk.err = r.b.getRange(r.ctx, r.key, r.etag, blk.data, start)
	close(blk.ready)
	if blk.err != nil {
		r.mu.Lock()
		if r.blocks[idx] == blk {
			delete(r.blocks, idx)
			r.removeLRU(idx)
		}
		r.mu.Unlock()
	}
	return blk, blk.err
}

// touch marks idx most recently used; mu is held.
func (r *readerAt) touch(idx int64) {
	r.removeLRU(idx)
	r.lru = append(r.lru, idx)
}

func (r *readerAt) removeLRU(idx int64) {
	for i, v := range r.lru {
		if v == idx {
			r.lru = append(r.lru[:i], r.lru[i+1:]...)
			return
		}
	}
}
