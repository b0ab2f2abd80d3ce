package azure

import (
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
	"golang.org/x/sync/errgroup"

	"github.com/remotestore/remotestore/store"
)

// Small reads through OpenReaderAt are served from a few cached blocks, so
// that many tiny ReadAt calls (a Parquet footer, a byte-wise reader) cost
// one request per block rather than one each.
const (
	cacheBlockSize = 256 << 10 // bytes per cached block
	cacheBlocks    = 8         // blocks kept per reader
	smallReadAt    = 64 << 10  // reads up to this size go through the cache
)

// OpenReaderAt implements store.ReaderAtOpener: one Get Blob Properties
// request for the size and ETag, then each ReadAt is a ranged GET pinned
// with If-Match to that ETag (so a replaced blob fails with
// store.ErrPrecondition instead of mixing versions), split into
// concurrent chunk GETs when it spans several chunks. Small reads go
// through a cache of a few 256 KiB blocks.
func (b *Backend) OpenReaderAt(ctx context.Context, p string) (store.ReaderAtCloser, error) {
	bc := b.blob(p)
	props, err := call(bc.GetProperties(ctx, nil))
	if err != nil {
		if classify(err) == store.ErrNotFound {
			return nil, b.missing(ctx, p, err)
		}
		return nil, err
	}
	if isMarker(props.Metadata) {
		return nil, kindErr(store.ErrIsFolder, fmt.Errorf("%s is a folder (a directory marker blob)", b.URI(p)))
	}
	if props.ETag == nil {
		return nil, fmt.Errorf("azure: the server sent no ETag for %s", b.URI(p))
	}
	return &readerAt{b: b, ctx: ctx, blob: bc, etag: props.ETag, size: deref(props.ContentLength),
		blocks: map[int64]*block{}}, nil
}

type readerAt struct {
	b    *Backend
	ctx  context.Context
	blob *blockblob.Client
	etag *azcore.ETag
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

// Size returns the blob's length when it was opened.
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
		return 0, kindErr(store.ErrInvalidPath, fmt.Errorf("negative offset %d", off))
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
	case int64(len(dst)) <= r.b.blockSize:
		err = getRange(r.ctx, r.blob, r.etag, dst, off)
	default:
		g, ctx := errgroup.WithContext(r.ctx)
		g.SetLimit(r.b.concurrency)
		for s := int64(0); s < int64(len(dst)); s += r.b.blockSize {
			part := dst[s:min(s+r.b.blockSize, int64(len(dst)))]
			g.Go(func() error { return getRange(ctx, r.blob, r.etag, part, off+s) })
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
		idx := off / cacheBlockSize
		blk, err := r.block(idx)
		if err != nil {
			return err
		}
		n := copy(dst, blk.data[off-idx*cacheBlockSize:])
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
	if len(r.lru) > cacheBlocks {
		delete(r.blocks, r.lru[0])
		r.lru = r.lru[1:]
	}
	r.mu.Unlock()

	start := idx * cacheBlockSize
	blk.data = make([]byte, min(cacheBlockSize, r.size-start))
	blk.err = getRange(r.ctx, r.blob, r.etag, blk.data, start)
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
