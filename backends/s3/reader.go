package s3

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

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
	size, ok := totalSize(aws.ToString(out.ContentRange))
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
	return b.newParallelReader(ctx, key, aws.ToString(out.ETag), out.Body, off, firstEnd, end), nil
}

// totalSize parses the size from a Content-Range "bytes a-b/size".
func totalSize(cr string) (int64, bool) {
	i := strings.LastIndexByte(cr, '/')
	if i < 0 {
		return 0, false
	}
	n, err := strconv.ParseInt(cr[i+1:], 10, 64)
	return n, err == nil
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

func (b *Backend) newParallelReader(ctx context.Context, key, etag string, first io.ReadCloser, off, firstEnd, end int64) *parallelReader {
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
		n, err := io.ReadFull(first, c0.buf)
		first.Close()
		if err != nil && ctx.Err() == nil {
			err = b.getRange(ctx, key, etag, c0.buf[n:], off+int64(n))
		}
		c0.err = err
	}()
	go func() { // the producer: starts chunk downloads, Concurrency ahead
		defer r.wg.Done()
		defer close(r.queue)
		nbufs := 1
		for s := firstEnd; s < end; s += b.partSize {
			n := min(b.partSize, end-s)
			var buf []byte
			select {
			case buf = <-r.free:
			default:
				if nbufs <= b.concurrency {
					nbufs++
					buf = make([]byte, b.partSize)
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
				c.err = b.getRange(ctx, key, etag, c.buf, s)
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
		r.err = fmt.Errorf("%w: read after close", store.ErrPrecondition)
	}
	return nil
}
