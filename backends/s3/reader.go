package s3

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/remotestore/remotestore/internal/objio"
	"github.com/remotestore/remotestore/store"
)

// bodyAttempts is how many times a chunk is requested when its body breaks
// off mid-stream (the SDK retries failed requests, not failed bodies).
const bodyAttempts = 3

// OpenRange implements store.Backend. The first request asks for at most
// one chunk (PartSize bytes) and learns the object's size from its
// Content-Range; when more is wanted, the rest is fetched with concurrent
// ranged GETs, Concurrency at a time, each pinned to the first response's
// ETag, and handed out in order.
func (b *Backend) OpenRange(ctx context.Context, p string, off, length int64) (io.ReadCloser, error) {
	key := b.key(p)
	in := &s3.GetObjectInput{Bucket: &b.bucket, Key: &key}
	firstEnd := off + b.partSize // exclusive
	if length >= 0 && off+length < firstEnd {
		firstEnd = off + length
	}
	in.Range = aws.String(fmt.Sprintf("bytes=%d-%d", off, firstEnd-1))
	out, err := b.client.GetObject(ctx, in)
	if err != nil {
		switch {
		case isCode(err, http.StatusRequestedRangeNotSatisfiable, "InvalidRange"):
			// off is at or past the end (or the object is empty).
			return io.NopCloser(bytes.NewReader(nil)), nil
		case classify(err) == store.ErrNotFound:
			return nil, b.missing(ctx, p, err)
		}
		return nil, err
	}
	size, ok := objio.TotalSize(aws.ToString(out.ContentRange))
	if !ok { // a server that ignored Range sent it all
		if off == 0 && length < 0 {
			return out.Body, nil
		}
		out.Body.Close()
		return nil, fmt.Errorf("s3: server answered a ranged GET without Content-Range")
	}
	end := size
	if length >= 0 && off+length < end {
		end = off + length
	}
	if end <= firstEnd {
		return out.Body, nil
	}
	etag := aws.ToString(out.ETag)
	return objio.NewParallelReader(ctx, objio.Chunks{
		Size: b.partSize, Concurrency: b.concurrency,
		First: func(ctx context.Context, dst []byte) error {
			// The first chunk streams from the response already open.
			n, err := io.ReadFull(out.Body, dst)
			out.Body.Close()
			if err != nil && ctx.Err() == nil {
				err = b.getRange(ctx, key, etag, dst[n:], off+int64(n))
			}
			return err
		},
		Fetch: func(ctx context.Context, dst []byte, off int64) error {
			return b.getRange(ctx, key, etag, dst, off)
		},
		AfterClose: fmt.Errorf("%w: read after close", store.ErrPrecondition),
	}, off, firstEnd, end), nil
}

// getRange reads the bytes [off, off+len(dst)) of key into dst, pinned to
// etag, retrying a body that breaks off.
func (b *Backend) getRange(ctx context.Context, key, etag string, dst []byte, off int64) error {
	var err error
	for attempt := 0; attempt < bodyAttempts; attempt++ {
		if len(dst) == 0 {
			return nil
		}
		in := &s3.GetObjectInput{
			Bucket: &b.bucket, Key: &key,
			Range: aws.String(fmt.Sprintf("bytes=%d-%d", off, off+int64(len(dst))-1)),
		}
		if etag != "" {
			in.IfMatch = &etag
		}
		var out *s3.GetObjectOutput
		out, err = b.client.GetObject(ctx, in)
		if err != nil {
			if isCode(err, http.StatusPreconditionFailed, "PreconditionFailed") {
				return kindErr(store.ErrPrecondition, fmt.Errorf("object changed while reading: %w", err))
			}
			return err
		}
		var n int
		n, err = io.ReadFull(out.Body, dst)
		out.Body.Close()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		dst, off = dst[n:], off+int64(n)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return kindErr(store.ErrPrecondition, fmt.Errorf("object shrank while reading: %w", err))
	}
	return err
}
