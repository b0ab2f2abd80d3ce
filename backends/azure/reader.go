package azure

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"

	"github.com/remotestore/remotestore/internal/objio"
	"github.com/remotestore/remotestore/store"
)

// bodyRetries is how many times a response body that breaks off is
// resumed (the SDK's retry reader, pinned to the blob's ETag).
const bodyRetries = 3

// OpenRange implements store.Backend. The first request asks for at most
// one chunk (BlockSize bytes) and learns the blob's size and ETag from its
// Content-Range; when more is wanted, the rest is fetched with concurrent
// ranged GETs, Concurrency at a time, each pinned with If-Match to that
// ETag (a replaced blob fails the read with store.ErrPrecondition instead
// of mixing versions), and handed out in order.
func (b *Backend) OpenRange(ctx context.Context, p string, off, length int64) (io.ReadCloser, error) {
	bc := b.blob(p)
	firstEnd := off + b.blockSize // exclusive
	if length >= 0 && off+length < firstEnd {
		firstEnd = off + length
	}
	resp, err := call(bc.DownloadStream(ctx, &blob.DownloadStreamOptions{
		Range: blob.HTTPRange{Offset: off, Count: firstEnd - off},
	}))
	if err != nil {
		switch {
		case isCode(err, bloberror.InvalidRange) || status(err) == 416:
			// off is at or past the end, or the blob is empty: a file, or
			// a directory marker.
			props, perr := call(bc.GetProperties(ctx, nil))
			if perr == nil && isMarker(props.Metadata) {
				return nil, store.WithKind(store.ErrIsFolder, fmt.Errorf("%s is a folder (a directory marker blob)", b.URI(p)))
			}
			return io.NopCloser(bytes.NewReader(nil)), nil
		case classify(err) == store.ErrNotFound:
			return nil, b.missing(ctx, p, err)
		}
		return nil, err
	}
	if isMarker(resp.Metadata) {
		resp.Body.Close()
		return nil, store.WithKind(store.ErrIsFolder, fmt.Errorf("%s is a folder (a directory marker blob)", b.URI(p)))
	}
	body := &bodyReader{rc: resp.NewRetryReader(ctx, &blob.RetryReaderOptions{MaxRetries: bodyRetries, EarlyCloseAsError: true})}
	size, ok := objio.TotalSize(deref(resp.ContentRange))
	if !ok { // a server that ignored Range sent it all
		if off == 0 && length < 0 {
			return body, nil
		}
		body.Close()
		return nil, fmt.Errorf("azure: server answered a ranged GET without Content-Range")
	}
	end := size
	if length >= 0 && off+length < end {
		end = off + length
	}
	if end <= firstEnd {
		return body, nil
	}
	etag := resp.ETag
	return objio.NewParallelReader(ctx, objio.Chunks{
		Size: b.blockSize, Concurrency: b.concurrency,
		First: func(ctx context.Context, dst []byte) error {
			// The first chunk streams from the response already open.
			_, err := io.ReadFull(body, dst)
			body.Close()
			if err != nil && ctx.Err() != nil {
				err = ctx.Err()
			}
			return err
		},
		Fetch: func(ctx context.Context, dst []byte, off int64) error {
			return getRange(ctx, bc, etag, dst, off)
		},
		AfterClose: store.WithKind(store.ErrPrecondition, errors.New("read after close")),
	}, off, firstEnd, end), nil
}

// bodyReader passes a response body's errors through wrap, so a failed
// resumption reads as an Azure error of one line.
type bodyReader struct{ rc io.ReadCloser }

// Read implements io.Reader.
func (r *bodyReader) Read(p []byte) (int, error) {
	n, err := r.rc.Read(p)
	if err != nil && err != io.EOF {
		err = wrap(err)
	}
	return n, err
}

// Close closes the body.
func (r *bodyReader) Close() error { return r.rc.Close() }

// getRange reads the bytes [off, off+len(dst)) of the blob into dst,
// pinned to etag; a body that breaks off is resumed.
func getRange(ctx context.Context, bc *blockblob.Client, etag *azcore.ETag, dst []byte, off int64) error {
	if len(dst) == 0 {
		return nil
	}
	opts := &blob.DownloadStreamOptions{Range: blob.HTTPRange{Offset: off, Count: int64(len(dst))}}
	if etag != nil {
		opts.AccessConditions = &blob.AccessConditions{ModifiedAccessConditions: &blob.ModifiedAccessConditions{IfMatch: etag}}
	}
	resp, err := call(bc.DownloadStream(ctx, opts))
	if err != nil {
		if isCode(err, bloberror.ConditionNotMet) || status(err) == 412 {
			return store.WithKind(store.ErrPrecondition, fmt.Errorf("blob changed while reading: %w", err))
		}
		return err
	}
	body := resp.NewRetryReader(ctx, &blob.RetryReaderOptions{MaxRetries: bodyRetries, EarlyCloseAsError: true})
	defer body.Close()
	_, err = io.ReadFull(body, dst)
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return store.WithKind(store.ErrPrecondition, fmt.Errorf("blob shrank while reading: %w", err))
	case isCode(err, bloberror.ConditionNotMet) || status(err) == 412:
		return store.WithKind(store.ErrPrecondition, fmt.Errorf("blob changed while reading: %w", wrap(err)))
	}
	return wrap(err)
}
