package azure_test

import (
	"io"
	"runtime"
	"testing"

	azstore "github.com/remotestore/remotestore/backends/azure"
)

// liveHeap returns the live heap after a collection, in bytes.
func liveHeap() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

// sampler is a reader of n pattern bytes that measures the live heap
// every 4 MiB, keeping the peak.
type sampler struct {
	r         io.Reader
	base      int64
	peak      int64
	sinceLast int
}

func (s *sampler) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if s.sinceLast += n; s.sinceLast >= 4<<20 {
		s.sinceLast = 0
		s.peak = max(s.peak, liveHeap()-s.base)
	}
	return n, err
}

// TestStreamingMemoryBounded writes and reads 48 MiB with 1 MiB blocks,
// two in flight, and checks that the live heap stays near the
// (Concurrency+1) block buffers the writer and the reader may hold,
// rather than growing with the file.
func TestStreamingMemoryBounded(t *testing.T) {
	const size = 48 << 20
	st, _ := open(t, func(c *azstore.Config) { c.BlockSize, c.Concurrency = 1<<20, 2 })
	ctx := t.Context()
	const limit = 12 << 20 // 3 buffers of 1 MiB, the SDK's and the runtime's own, and slack

	w := &sampler{r: io.LimitReader(&pattern{}, size), base: liveHeap()}
	if err := st.Write(ctx, "big.bin", w, nil); err != nil {
		t.Fatal(err)
	}
	t.Logf("write: peak live heap %.1f MiB above the start", float64(w.peak)/(1<<20))
	if w.peak > limit {
		t.Errorf("writing %d MiB held %.1f MiB of live heap, want under %d MiB", size>>20, float64(w.peak)/(1<<20), limit>>20)
	}

	base := liveHeap()
	rc, err := st.Open(ctx, "big.bin")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	r := &sampler{r: rc, base: base}
	n, err := io.Copy(io.Discard, struct{ io.Reader }{r})
	if err != nil || n != size {
		t.Fatalf("read %d bytes, %v", n, err)
	}
	t.Logf("read: peak live heap %.1f MiB above the start", float64(r.peak)/(1<<20))
	if r.peak > limit {
		t.Errorf("reading %d MiB held %.1f MiB of live heap, want under %d MiB", size>>20, float64(r.peak)/(1<<20), limit>>20)
	}
}
