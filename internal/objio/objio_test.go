package objio

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"testing/iotest"
)

var errAfterClose = errors.New("read after close")

// data returns n bytes of a fixed pseudo-random pattern.
func data(n int) []byte {
	b := make([]byte, n)
	r := rand.New(rand.NewPCG(1, uint64(n)))
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// memFetch returns a FetchFunc over src that counts its calls.
func memFetch(src []byte, calls *atomic.Int64) FetchFunc {
	return func(ctx context.Context, dst []byte, off int64) error {
		if calls != nil {
			calls.Add(1)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if off+int64(len(dst)) > int64(len(src)) {
			return io.ErrUnexpectedEOF
		}
		copy(dst, src[off:])
		return nil
	}
}

// chunks returns the configuration of a reader of src from off.
func chunks(src []byte, off, size int64, concurrency int, fetch FetchFunc) Chunks {
	return Chunks{
		Size: size, Concurrency: concurrency, Fetch: fetch, AfterClose: errAfterClose,
		First: func(ctx context.Context, dst []byte) error { return fetch(ctx, dst, off) },
	}
}

// open returns a ParallelReader of src[off:end] whose first chunk is one
// chunk long (or shorter, at the end), as the backends open it.
func open(ctx context.Context, src []byte, off, end, size int64, concurrency int, fetch FetchFunc) *ParallelReader {
	firstEnd := min(off+size, end)
	return NewParallelReader(ctx, chunks(src, off, size, concurrency, fetch), off, firstEnd, end)
}

func TestParallelReaderContent(t *testing.T) {
	src := data(10_000)
	for _, tc := range []struct {
		off, end, size int64
		concurrency    int
	}{
		{0, 10_000, 1000, 1}, {0, 10_000, 1000, 4}, {3, 9_999, 7, 3}, {17, 10_000, 4096, 2},
		{0, 10_000, 10_000, 2}, {5000, 5001, 100, 2}, {0, 10_000, 1, 8},
	} {
		t.Run(fmt.Sprintf("%d-%d/%d/%d", tc.off, tc.end, tc.size, tc.concurrency), func(t *testing.T) {
			want := src[tc.off:tc.end]
			r := open(t.Context(), src, tc.off, tc.end, tc.size, tc.concurrency, memFetch(src, nil))
			if err := iotest.TestReader(r, want); err != nil {
				t.Error(err)
			}
			r.Close()
			var got bytes.Buffer
			r = open(t.Context(), src, tc.off, tc.end, tc.size, tc.concurrency, memFetch(src, nil))
			n, err := r.WriteTo(&got)
			r.Close()
			if err != nil || n != int64(len(want)) || !bytes.Equal(got.Bytes(), want) {
				t.Errorf("WriteTo = %d, %v; content equal %v", n, err, bytes.Equal(got.Bytes(), want))
			}
		})
	}
}

// TestParallelReaderOrder makes the chunks complete last first: the
// reader still hands them out in order.
func TestParallelReaderOrder(t *testing.T) {
	src := data(8 * 100)
	done := make([]chan struct{}, 8)
	for i := range done {
		done[i] = make(chan struct{})
	}
	mem := memFetch(src, nil)
	fetch := func(ctx context.Context, dst []byte, off int64) error {
		i := off / 100
		if i+1 < int64(len(done)) {
			select {
			case <-done[i+1]:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		defer close(done[i])
		return mem(ctx, dst, off)
	}
	c := chunks(src, 0, 100, 8, fetch)
	c.First = func(ctx context.Context, dst []byte) error { return fetch(ctx, dst, 0) }
	r := NewParallelReader(t.Context(), c, 0, 100, int64(len(src)))
	defer r.Close()
	got, err := io.ReadAll(r)
	if err != nil || !bytes.Equal(got, src) {
		t.Fatalf("ReadAll = %d bytes, %v; equal %v", len(got), err, bytes.Equal(got, src))
	}
}

// TestParallelReaderConcurrency leaves the reader unread: it starts
// Concurrency fetches ahead, all at once, and no more; Close ends them.
func TestParallelReaderConcurrency(t *testing.T) {
	const size, n, concurrency = 10, 20, 3
	src := data(size * n)
	var starts atomic.Int64
	started := make(chan struct{}, n)
	fetch := func(ctx context.Context, dst []byte, off int64) error {
		starts.Add(1)
		started <- struct{}{}
		<-ctx.Done() // held until Close
		return ctx.Err()
	}
	c := chunks(src, 0, size, concurrency, fetch)
	c.First = func(ctx context.Context, dst []byte) error { return memFetch(src, nil)(ctx, dst, 0) }
	r := NewParallelReader(t.Context(), c, 0, size, int64(len(src)))
	for range concurrency {
		<-started // all of them run at the same time
	}
	r.Close() // waits for every goroutine the reader started
	if got := starts.Load(); got != concurrency {
		t.Errorf("%d fetches started ahead of the reader, want %d", got, concurrency)
	}
}

func TestParallelReaderError(t *testing.T) {
	src := data(1000)
	boom := errors.New("boom")
	mem := memFetch(src, nil)
	fetch := func(ctx context.Context, dst []byte, off int64) error {
		if off == 500 {
			return boom
		}
		return mem(ctx, dst, off)
	}
	r := open(t.Context(), src, 0, 1000, 100, 3, fetch)
	defer r.Close()
	got, err := io.ReadAll(r)
	if !errors.Is(err, boom) || !bytes.Equal(got, src[:500]) {
		t.Fatalf("ReadAll = %d bytes, %v; want 500 bytes, boom", len(got), err)
	}
	if _, err := r.Read(make([]byte, 1)); !errors.Is(err, boom) {
		t.Errorf("Read after the error = %v, want it again", err)
	}

	r = open(t.Context(), src, 0, 1000, 100, 3, fetch)
	defer r.Close()
	n, err := r.WriteTo(io.Discard)
	if !errors.Is(err, boom) || n != 500 {
		t.Errorf("WriteTo = %d, %v; want 500, boom", n, err)
	}

	c := chunks(src, 0, 100, 3, mem)
	c.First = func(context.Context, []byte) error { return boom }
	r = NewParallelReader(t.Context(), c, 0, 100, 1000)
	defer r.Close()
	if _, err := r.Read(make([]byte, 10)); !errors.Is(err, boom) {
		t.Errorf("Read with a failed first chunk = %v, want boom", err)
	}
}

// TestParallelReaderClose closes a reader whose fetches wait for their
// context: Close ends them and later reads fail with AfterClose.
func TestParallelReaderClose(t *testing.T) {
	src := data(1000)
	var waiting sync.WaitGroup
	waiting.Add(2)
	fetch := func(ctx context.Context, dst []byte, off int64) error {
		waiting.Done()
		<-ctx.Done()
		return ctx.Err()
	}
	c := chunks(src, 0, 100, 2, fetch)
	c.First = func(ctx context.Context, dst []byte) error { return memFetch(src, nil)(ctx, dst, 0) }
	r := NewParallelReader(t.Context(), c, 0, 100, 1000)
	buf := make([]byte, 100)
	if _, err := io.ReadFull(r, buf); err != nil { // the first chunk
		t.Fatal(err)
	}
	waiting.Wait()
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Read(buf); err != errAfterClose {
		t.Errorf("Read after Close = %v, want %v", err, errAfterClose)
	}
}

// TestParallelReaderCancel cancels the context the reader was opened
// with: the waiting read fails with the context's error.
func TestParallelReaderCancel(t *testing.T) {
	src := data(1000)
	ctx, cancel := context.WithCancel(t.Context())
	fetch := func(ctx context.Context, dst []byte, off int64) error {
		cancel()
		<-ctx.Done()
		return ctx.Err()
	}
	c := chunks(src, 0, 100, 2, fetch)
	c.First = func(ctx context.Context, dst []byte) error { return memFetch(src, nil)(ctx, dst, 0) }
	r := NewParallelReader(ctx, c, 0, 100, 1000)
	defer r.Close()
	_, err := io.ReadAll(r)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("ReadAll = %v, want context.Canceled", err)
	}
}

func TestTotalSize(t *testing.T) {
	for cr, want := range map[string]int64{"bytes 0-9/100": 100, "bytes 0-0/1": 1, "": -1, "bytes */x": -1} {
		n, ok := TotalSize(cr)
		if !ok {
			n = -1
		}
		if n != want {
			t.Errorf("TotalSize(%q) = %d, want %d", cr, n, want)
		}
	}
}
