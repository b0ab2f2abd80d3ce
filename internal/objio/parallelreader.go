package objio

import (
	"context"
	"io"
	"sync"
)

// Chunks configures a ParallelReader.
type Chunks struct {
	// Size is the number of bytes per chunk.
	Size int64
	// Concurrency is how many chunks download at a time.
	Concurrency int
	// First fills the first chunk, typically from a response already
	// open. It runs on its own goroutine, with the reader's context.
	First func(ctx context.Context, dst []byte) error
	// Fetch fills each following chunk.
	Fetch FetchFunc
	// AfterClose is the error Read returns after Close.
	AfterClose error
}

// ParallelReader hands out the chunks of a range in order while up to
// Concurrency of the following ones download. It holds at most
// Concurrency+1 chunk buffers.
type ParallelReader struct {
	afterClose error
	cancel     context.CancelFunc
	queue      chan *chunk // chunks in order, as they are started
	free       chan []byte // buffers of consumed chunks
	wg         sync.WaitGroup

	cur *chunk // the chunk being read
	pos int    // read position in cur
	err error  // sticky error
}

// chunk is a chunk of a ParallelReader, possibly still downloading (ready
// open).
type chunk struct {
	buf   []byte
	err   error
	ready chan struct{}
}

// NewParallelReader returns a reader of the bytes [off, end): the first
// chunk [off, firstEnd) is filled by c.First, the rest by c.Fetch in
// chunks of c.Size, c.Concurrency at a time. The downloads stop when ctx
// ends or the reader is closed.
func NewParallelReader(ctx context.Context, c Chunks, off, firstEnd, end int64) *ParallelReader {
	ctx, cancel := context.WithCancel(ctx)
	r := &ParallelReader{
		afterClose: c.AfterClose,
		cancel:     cancel,
		queue:      make(chan *chunk, c.Concurrency+1),
		free:       make(chan []byte, c.Concurrency+2),
	}
	// The first chunk streams from the response already open.
	c0 := &chunk{buf: make([]byte, firstEnd-off), ready: make(chan struct{})}
	r.queue <- c0
	r.wg.Add(2)
	go func() {
		defer r.wg.Done()
		defer close(c0.ready)
		c0.err = c.First(ctx, c0.buf)
	}()
	go func() { // the producer: starts chunk downloads, Concurrency ahead
		defer r.wg.Done()
		defer close(r.queue)
		nbufs := 1
		for s := firstEnd; s < end; s += c.Size {
			n := min(c.Size, end-s)
			var buf []byte
			select {
			case buf = <-r.free:
			default:
				if nbufs <= c.Concurrency {
					nbufs++
					buf = make([]byte, c.Size)
				} else {
					select {
					case buf = <-r.free:
					case <-ctx.Done():
						return
					}
				}
			}
			ch := &chunk{buf: buf[:n], ready: make(chan struct{})}
			select {
			case r.queue <- ch:
			case <-ctx.Done():
				return
			}
			r.wg.Add(1)
			go func(s int64) {
				defer r.wg.Done()
				defer close(ch.ready)
				ch.err = c.Fetch(ctx, ch.buf, s)
			}(s)
		}
	}()
	return r
}

// next makes the following chunk current, recycling the finished one.
func (r *ParallelReader) next() error {
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

// Read implements io.Reader: the chunks in order. The first error is
// sticky.
func (r *ParallelReader) Read(p []byte) (int, error) {
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

// WriteTo implements io.WriterTo: it writes the chunks to w as they
// complete, without an extra copy.
func (r *ParallelReader) WriteTo(w io.Writer) (int64, error) {
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

// Close implements io.Closer: it stops the downloads and waits for them
// to end. Reads after Close fail with the configured AfterClose error.
func (r *ParallelReader) Close() error {
	r.cancel()
	go func() { // unblock a producer waiting to queue a chunk
		for range r.queue {
		}
	}()
	r.wg.Wait()
	if r.err == nil {
		r.err = r.afterClose
	}
	return nil
}
