package azure

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"

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
				return nil, kindErr(store.ErrIsFolder, fmt.Errorf("%s is a folder (a directory marker blob)", b.URI(p)))
			}
			return io.NopCloser(bytes.NewReader(nil)), nil
		case classify(err) == store.ErrNotFound:
			return nil, b.missing(ctx, p, err)
		}
		return nil, err
	}
	if isMarker(resp.Metadata) {
		resp.Body.Close()
		return nil, kindErr(store.ErrIsFolder, fmt.Errorf("%s is a folder (a directory marker blob)", b.URI(p)))
	}
	body := &bodyReader{rc: resp.NewRetryReader(ctx, &blob.RetryReaderOptions{MaxRetries: bodyRetries, EarlyCloseAsError: true})}
	size, ok := totalSize(resp.ContentRange)
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
	return b.newParallelReader(ctx, bc, resp.ETag, body, off, firstEnd, end), nil
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

// totalSize parses the size from a Content-Range "bytes a-b/size".
func totalSize(cr *string) (int64, bool) {
	if cr == nil {
		return 0, false
	}
	i := strings.LastIndexByte(*cr, '/')
	if i < 0 {
		return 0, false
	}
	n, err := strconv.ParseInt((*cr)[i+1:], 10, 64)
	return n, err == nil
}

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
			return kindErr(store.ErrPrecondition, fmt.Errorf("blob changed while reading: %w", err))
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
		return kindErr(store.ErrPrecondition, fmt.Errorf("blob shrank while reading: %w", err))
	case isCode(err, bloberror.ConditionNotMet) || status(err) == 412:
		return kindErr(store.ErrPrecondition, fmt.Errorf("blob changed while reading: %w", wrap(err)))
	}
	return wrap(err)
}

// parallelReader hands out the chunks of a range in order while up to
// Concurrency of the following ones download. It holds at most
// Concurrency+1 chunk buffers.
type parallelReader struct {
	cancel context.CancelFunc
	queue  chan *chunk // chunks in order, as they are started
	free   chan []byte // buffers of consumed chunks
	wg     sync.WaitGroup

	cur *chunk // the chunk being read
	pos int    // read position in cur
	err error  // sticky error
}

type chunk struct {
	buf   []byte
	err   error
	ready chan struct{}
}

func (b *Backend) newParallelReader(ctx context.Context, bc *blockblob.Client, etag *azcore.ETag, first io.ReadCloser, off, firstEnd, end int64) *parallelReader {
	ctx, cancel := context.WithCancel(ctx)
	r := &parallelReader{
		cancel: cancel,
		queue:  make(chan *chunk, b.concurrency+1),
		free:   make(chan []byte, b.concurrency+2),
	}
	// The first chunk streams from the response already open.
	c0 := &chunk{buf: make([]byte, firstEnd-off), ready: make(chan struct{})}
	r.queue <- c0
	r.wg.Add(2)
	go func() {
		defer r.wg.Done()
		defer close(c0.ready)
		_, err := io.ReadFull(first, c0.buf)
		first.Close()
		if err != nil && ctx.Err() != nil {
			err = ctx.Err()
		}
		c0.err = err
	}()
	go func() { // the producer: starts chunk downloads, Concurrency ahead
		defer r.wg.Done()
		defer close(r.queue)
		nbufs := 1
		for s := firstEnd; s < end; s += b.blockSize {
			n := min(b.blockSize, end-s)
			var buf []byte
			select {
			case buf = <-r.free:
			default:
				if nbufs <= b.concurrency {
					nbufs++
					buf = make([]byte, b.blockSize)
				} else {
					select {
					case buf = <-r.free:
					case <-ctx.Done():
						return
					}
				}
			}
			c := &chunk{buf: buf[:n], ready: make(chan struct{})}
			select {
			case r.queue <- c:
			case <-ctx.Done():
				return
			}
			r.wg.Add(1)
			go func(s int64) {
				defer r.wg.Done()
				defer close(c.ready)
				c.err = getRange(ctx, bc, etag, c.buf, s)
			}(s)
		}
	}()
	return r
}

// next makes the following chunk current, recycling the finished one.
func (r *parallelReader) next() error {
	if r.cur != nil {
		if cap(r.cur.buf) > 0 {
			select {
			case r.free <- r.cur.buf[:cap(r.cur.buf)]:
			default:
			}
		}
		r.cur = nil
	}
	c, ok := <-r.queue
	if !ok {
		return io.EOF
	}
	<-c.ready
	if c.err != nil {
		return c.err
	}
	r.cur, r.pos = c, 0
	return nil
}

// Read implements io.Reader: the chunks in order.
func (r *parallelReader) Read(p []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	for r.cur == nil || r.pos == len(r.cur.buf) {
		if err := r.next(); err != nil {
			r.err = err
			return 0, err
		}
	}
	n := copy(p, r.cur.buf[r.pos:])
	r.pos += n
	return n, nil
}

// WriteTo writes the chunks to w as they complete, without an extra copy.
func (r *parallelReader) WriteTo(w io.Writer) (int64, error) {
	var total int64
	for {
		if r.err != nil {
			if r.err == io.EOF {
				return total, nil
			}
			return total, r.err
		}
		if r.cur != nil && r.pos < len(r.cur.buf) {
			n, err := w.Write(r.cur.buf[r.pos:])
			r.pos += n
			total += int64(n)
			if err != nil {
				return total, err
			}
			continue
		}
		if err := r.next(); err != nil {
			r.err = err
		}
	}
}

// Close stops the downloads and waits for them to end.
func (r *parallelReader) Close() error {
	r.cancel()
	go func() { // unblock a producer waiting to queue a chunk
		for range r.queue {
		}
	}()
	r.wg.Wait()
	if r.err == nil {
		r.err = kindErr(store.ErrPrecondition, errors.New("read after close"))
	}
	return nil
}
