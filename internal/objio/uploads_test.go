package objio

import (
	"bytes"
	"context"
	"errors"
	"io"
	"slices"
	"sync"
	"testing"
	"testing/iotest"
)

// partWriter is a minimal writer over WriteParts, ReadParts and Uploads
// that collects the parts it uploads, as the backends do.
type partWriter struct {
	partSize int64
	buf      []byte
	uploads  *Uploads
	upload   func(n int, part []byte) error

	n     int
	mu    sync.Mutex
	parts map[int][]byte
}

func newPartWriter(ctx context.Context, sizeHint, partSize int64, concurrency int, upload func(n int, part []byte) error) *partWriter {
	w := &partWriter{partSize: partSize, buf: FirstBuffer(sizeHint, partSize), parts: map[int][]byte{}}
	w.uploads = NewUploads(ctx, partSize, concurrency)
	w.upload = func(n int, part []byte) error {
		if upload != nil {
			if err := upload(n, part); err != nil {
				return err
			}
		}
		w.mu.Lock()
		w.parts[n] = bytes.Clone(part)
		w.mu.Unlock()
		return nil
	}
	return w
}

func (w *partWriter) send(part []byte) {
	n := w.n
	w.n++
	w.uploads.Go(part, func(part []byte) error { return w.upload(n, part) })
}

func (w *partWriter) flush() error {
	w.send(w.buf)
	buf, err := w.uploads.TakeBuffer()
	if err != nil {
		return err
	}
	w.buf = buf[:0]
	return w.uploads.Err()
}

// finish sends the last part and returns the parts in order.
func (w *partWriter) finish() ([]byte, error) {
	if len(w.buf) > 0 || w.n == 0 {
		w.send(w.buf)
	}
	err := w.uploads.Wait()
	var all []byte
	for i := range w.n {
		all = append(all, w.parts[i]...)
	}
	return all, err
}

func TestPartsContent(t *testing.T) {
	for _, size := range []int{0, 1, 99, 100, 101, 1000, 100_000, 300_000} {
		src := data(size)
		for _, hint := range []int64{0, int64(size)} {
			w := newPartWriter(t.Context(), hint, 100_000, 2, nil)
			n, err := WriteParts(&w.buf, w.partSize, src, w.flush)
			got, ferr := w.finish()
			if n != size || err != nil || ferr != nil || !bytes.Equal(got, src) {
				t.Errorf("WriteParts(%d bytes, hint %d) = %d, %v, %v; content equal %v", size, hint, n, err, ferr, bytes.Equal(got, src))
			}
			if want := max(1, (size+99_999)/100_000); w.n != want {
				t.Errorf("WriteParts(%d bytes) sent %d parts, want %d", size, w.n, want)
			}

			w = newPartWriter(t.Context(), hint, 100_000, 2, nil)
			m, err := ReadParts(&w.buf, w.partSize, iotest.HalfReader(bytes.NewReader(src)), w.flush)
			got, ferr = w.finish()
			if m != int64(size) || err != nil || ferr != nil || !bytes.Equal(got, src) {
				t.Errorf("ReadParts(%d bytes, hint %d) = %d, %v, %v; content equal %v", size, hint, m, err, ferr, bytes.Equal(got, src))
			}
			if want := max(1, (size+99_999)/100_000); w.n != want {
				t.Errorf("ReadParts(%d bytes) sent %d parts, want %d", size, w.n, want)
			}
		}
	}
}

func TestFirstBuffer(t *testing.T) {
	for _, tc := range []struct{ hint, part, want int64 }{{0, 1 << 20, 64 << 10}, {10, 1 << 20, 10}, {5 << 20, 1 << 20, 1 << 20}} {
		if b := FirstBuffer(tc.hint, tc.part); len(b) != 0 || int64(cap(b)) != tc.want {
			t.Errorf("FirstBuffer(%d, %d) has len %d, cap %d; want 0, %d", tc.hint, tc.part, len(b), cap(b), tc.want)
		}
	}
}

// TestUploadsBound holds every upload until Concurrency+1 buffers are in
// use: the next TakeBuffer waits, and takes the buffer of the first upload
// released.
func TestUploadsBound(t *testing.T) {
	const concurrency = 3
	u := NewUploads(t.Context(), 10, concurrency)
	release := make([]chan struct{}, concurrency+1)
	buf := make([]byte, 10) // the first buffer, full
	for i := range release {
		rel := make(chan struct{})
		release[i] = rel
		u.Go(buf, func([]byte) error { <-rel; return nil })
		if i == concurrency {
			break
		}
		var err error
		if buf, err = u.TakeBuffer(); err != nil {
			t.Fatal(err)
		}
		buf = buf[:10]
	}
	if n := u.Buffers(); n != concurrency+1 {
		t.Fatalf("%d buffers allocated, want %d", n, concurrency+1)
	}
	got := make(chan []byte)
	go func() {
		b, _ := u.TakeBuffer()
		got <- b
	}()
	close(release[2])
	b := <-got
	if len(b) != 0 || cap(b) != 10 {
		t.Errorf("TakeBuffer after an upload = len %d cap %d, want an empty part buffer", len(b), cap(b))
	}
	if n := u.Buffers(); n != concurrency+1 {
		t.Errorf("%d buffers allocated, want still %d", n, concurrency+1)
	}
	for _, r := range slices.Delete(release, 2, 3) {
		close(r)
	}
	if err := u.Wait(); err != nil {
		t.Fatal(err)
	}
}

func TestUploadsError(t *testing.T) {
	boom := errors.New("boom")
	w := newPartWriter(t.Context(), 0, 100_000, 2, func(n int, part []byte) error {
		if n == 3 {
			return boom
		}
		return nil
	})
	// The writing may end before the failure is seen, or stop at it;
	// Wait always reports it.
	if _, err := WriteParts(&w.buf, w.partSize, data(1_000_000), w.flush); err != nil && !errors.Is(err, boom) {
		t.Errorf("WriteParts = %v, want nil or boom", err)
	}
	if _, err := w.finish(); !errors.Is(err, boom) {
		t.Errorf("Wait = %v, want boom", err)
	}
	if err := w.uploads.Err(); !errors.Is(err, boom) {
		t.Errorf("Err = %v, want boom", err)
	}
	var none *Uploads
	if none.Err() != nil || none.Wait() != nil {
		t.Error("a nil *Uploads reports a failure")
	}
}

// TestUploadsCancel cancels the context while every buffer is in flight:
// TakeBuffer stops waiting with the context's error.
func TestUploadsCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	u := NewUploads(ctx, 10, 1)
	hold := make(chan struct{})
	u.Go(make([]byte, 10), func([]byte) error { <-hold; return nil })
	b, err := u.TakeBuffer() // the second buffer
	if err != nil {
		t.Fatal(err)
	}
	u.Go(b[:10], func([]byte) error { <-hold; return nil })
	cancel()
	if _, err := u.TakeBuffer(); !errors.Is(err, context.Canceled) {
		t.Errorf("TakeBuffer = %v, want context.Canceled", err)
	}
	close(hold)
	u.Wait()
}

// TestReadPartsError passes a reader's failure through.
func TestReadPartsError(t *testing.T) {
	w := newPartWriter(t.Context(), 0, 100, 2, nil)
	boom := errors.New("boom")
	n, err := ReadParts(&w.buf, w.partSize, io.MultiReader(bytes.NewReader(data(250)), iotest.ErrReader(boom)), w.flush)
	if n != 250 || !errors.Is(err, boom) {
		t.Errorf("ReadParts = %d, %v; want 250, boom", n, err)
	}
	w.finish()
}
