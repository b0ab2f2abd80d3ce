package s3

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/remotestore/remotestore/internal/objio"
	"github.com/remotestore/remotestore/store"
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
	etag := aws.ToString(out.ETag)
	return objio.NewReaderAt(ctx, objio.ReaderAtConfig{
		Size: aws.ToInt64(out.ContentLength), ChunkSize: b.partSize, Concurrency: b.concurrency,
		Fetch: func(ctx context.Context, dst []byte, off int64) error {
			return b.getRange(ctx, key, etag, dst, off)
		},
		NegativeOffset: func(off int64) error {
			return fmt.Errorf("%w: negative offset %d", store.ErrInvalidPath, off)
		},
	}), nil
}
