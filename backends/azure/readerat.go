package azure

import (
	"context"
	"fmt"

	"github.com/remotestore/remotestore/internal/objio"
	"github.com/remotestore/remotestore/store"
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
		return nil, store.WithKind(store.ErrIsFolder, fmt.Errorf("%s is a folder (a directory marker blob)", b.URI(p)))
	}
	if props.ETag == nil {
		return nil, fmt.Errorf("azure: the server sent no ETag for %s", b.URI(p))
	}
	etag := props.ETag
	return objio.NewReaderAt(ctx, objio.ReaderAtConfig{
		Size: deref(props.ContentLength), ChunkSize: b.blockSize, Concurrency: b.concurrency,
		Fetch: func(ctx context.Context, dst []byte, off int64) error {
			return getRange(ctx, bc, etag, dst, off)
		},
		NegativeOffset: func(off int64) error {
			return store.WithKind(store.ErrInvalidPath, fmt.Errorf("negative offset %d", off))
		},
	}), nil
}
