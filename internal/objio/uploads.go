package objio

import (
	"context"
	"sync"
)

// Uploads runs the part uploads of one writer in the background with
// bounded memory: part buffers come from TakeBuffer, which allocates up
// to Concurrency+1 of them (the writer's first buffer counts as one) and
// beyond that waits for an upload to end and hand its buffer back. The
// first upload failure is kept. Go and TakeBuffer are called by one
// goroutine.
//
// The methods Err and Wait may be called on a nil *Uploads (a writer that
// never uploaded a part): there is no failure and nothing to wait for.
type Uploads struct {
	ctx         context.Context
	partSize    int64
	concurrency int

	free  chan []byte // part buffers back from finished uploads
	nbufs int         // part buffers allocated
	wg    sync.WaitGroup

	mu  sync.Mutex
	err error // first upload failure
}

// NewUploads returns the uploads of parts of partSize bytes, concurrency
// at a time; ctx ends a wait for a buffer (it should also be the one the
// uploads use, so that canceling it ends them).
func NewUploads(ctx context.Context, partSize int64, concurrency int) *Uploads {
	return &Uploads{
		ctx: ctx, partSize: partSize, concurrency: concurrency,
		free:  make(chan []byte, concurrency+1),
		nbufs: 1, // the full first buffer, recycled after its upload
	}
}

// Go runs upload(part) in the background. A part buffer of full capacity
// (partSize) is recycled once upload returns; a failure is kept for Err
// and Wait.
func (u *Uploads) Go(part []byte, upload func(part []byte) error) {
	u.wg.Add(1)
	go func() {
		defer u.wg.Done()
		err := upload(part)
		if int64(cap(part)) == u.partSize {
			u.free <- part[:0]
		}
		if err != nil {
			u.mu.Lock()
			if u.err == nil {
				u.err = err
			}
			u.mu.Unlock()
		}
	}()
}

// TakeBuffer returns an empty part buffer, allocating up to
// Concurrency+1 of them and waiting for an upload to finish beyond that.
func (u *Uploads) TakeBuffer() ([]byte, error) {
	select {
	case b := <-u.free:
		return b, nil
	default:
	}
	if u.nbufs < u.concurrency+1 {
		u.nbufs++
		return make([]byte, 0, u.partSize), nil
	}
	select {
	case b := <-u.free:
		return b, nil
	case <-u.ctx.Done():
		return nil, u.ctx.Err()
	}
}

// Err returns the first upload failure so far.
func (u *Uploads) Err() error {
	if u == nil {
		return nil
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.err
}

// Wait waits for every upload started to end and returns the first
// failure.
func (u *Uploads) Wait() error {
	if u == nil {
		return nil
	}
	u.wg.Wait()
	return u.err
}

// Buffers returns the number of part buffers allocated so far, the
// writer's first one included.
func (u *Uploads) Buffers() int { return u.nbufs }
