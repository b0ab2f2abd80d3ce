package objio

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"testing"
)

func TestBlockCacheLoadsOnce(t *testing.T) {
	var loads atomic.Int64
	release := make(chan struct{})
	c := NewBlockCache(2, func(idx int64) ([]byte, error) {
		loads.Add(1)
		<-release
		return []byte{byte(idx)}, nil
	})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if b, err := c.Block(3); err != nil || !bytes.Equal(b, []byte{3}) {
				t.Errorf("Block(3) = %v, %v", b, err)
			}
		})
	}
	close(release)
	wg.Wait()
	if n := loads.Load(); n != 1 {
		t.Errorf("block loaded %d times, want once", n)
	}
}

func TestBlockCacheEviction(t *testing.T) {
	loads := map[int64]int{}
	c := NewBlockCache(2, func(idx int64) ([]byte, error) {
		loads[idx]++
		return []byte{byte(idx)}, nil
	})
	for _, idx := range []int64{0, 1, 0, 2, 0, 1} { // 2 evicts 1 (0 was used since); 1 evicts 2
		if b, err := c.Block(idx); err != nil || b[0] != byte(idx) {
			t.Fatalf("Block(%d) = %v, %v", idx, b, err)
		}
	}
	if want := map[int64]int{0: 1, 1: 2, 2: 1}; fmt.Sprint(loads) != fmt.Sprint(want) {
		t.Errorf("loads = %v, want %v", loads, want)
	}
	c.Reset()
	c.Block(0)
	if loads[0] != 2 {
		t.Errorf("block 0 loaded %d times after Reset, want 2", loads[0])
	}
}

func TestBlockCacheDropsFailures(t *testing.T) {
	boom := errors.New("boom")
	fail := true
	c := NewBlockCache(2, func(idx int64) ([]byte, error) {
		if fail {
			return nil, boom
		}
		return []byte{1}, nil
	})
	if _, err := c.Block(0); !errors.Is(err, boom) {
		t.Fatalf("Block = %v, want boom", err)
	}
	fail = false
	if b, err := c.Block(0); err != nil || b[0] != 1 {
		t.Errorf("Block after a failure = %v, %v; want it loaded again", b, err)
	}
}

// readerAt returns a ReaderAt over src whose fetches are counted.
func readerAt(ctx context.Context, src []byte, chunk int64, calls *atomic.Int64) *ReaderAt {
	return NewReaderAt(ctx, ReaderAtConfig{
		Size: int64(len(src)), ChunkSize: chunk, Concurrency: 3, Fetch: memFetch(src, calls),
		NegativeOffset: func(off int64) error { return fmt.Errorf("negative %d", off) },
	})
}

func TestReaderAtContent(t *testing.T) {
	src := data(3*CacheBlockSize + 1234)
	size := int64(len(src))
	r := readerAt(t.Context(), src, 100_000, nil)
	defer r.Close()
	if r.Size() != size {
		t.Fatalf("Size = %d", r.Size())
	}
	for _, tc := range []struct{ off, n int64 }{
		{0, 1}, {CacheBlockSize - 3, 10}, {5, SmallReadAt}, {7, SmallReadAt + 1}, {100, 100_000},
		{1, 350_001}, {0, size}, {size - 10, 10}, {size - 10, 20}, {size - 200_000, 300_000},
	} {
		p := make([]byte, tc.n)
		n, err := r.ReadAt(p, tc.off)
		want := src[tc.off:min(tc.off+tc.n, size)]
		wantErr := error(nil)
		if tc.off+tc.n > size {
			wantErr = io.EOF
		}
		if n != len(want) || err != wantErr || !bytes.Equal(p[:n], want) {
			t.Errorf("ReadAt(%d bytes at %d) = %d, %v; want %d, %v (content equal %v)",
				tc.n, tc.off, n, err, len(want), wantErr, bytes.Equal(p[:n], want))
		}
	}
	if n, err := r.ReadAt(make([]byte, 1), size); n != 0 || err != io.EOF {
		t.Errorf("ReadAt at the end = %d, %v; want 0, EOF", n, err)
	}
	if _, err := r.ReadAt(make([]byte, 1), -1); err == nil || err.Error() != "negative -1" {
		t.Errorf("ReadAt at -1 = %v, want the NegativeOffset error", err)
	}
}

// TestReaderAtCache reads a block byte by byte: one fetch in all, and one
// more once the block was evicted or the cache dropped.
func TestReaderAtCache(t *testing.T) {
	src := data(20 * CacheBlockSize)
	var calls atomic.Int64
	r := readerAt(t.Context(), src, 1<<20, &calls)
	b := make([]byte, 1)
	for off := int64(0); off < 1000; off++ {
		if _, err := r.ReadAt(b, off); err != nil || b[0] != src[off] {
			t.Fatalf("ReadAt(%d) = %v, %v", off, b, err)
		}
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("%d fetches for 1000 small reads in one block, want 1", n)
	}
	for i := int64(1); i <= CacheBlocks; i++ { // evict block 0
		r.ReadAt(b, i*CacheBlockSize)
	}
	r.ReadAt(b, 0)
	if n := calls.Load(); n != 2+CacheBlocks {
		t.Errorf("%d fetches after evicting block 0, want %d", n, 2+CacheBlocks)
	}
	r.Close()
	r.ReadAt(b, 0)
	if n := calls.Load(); n != 3+CacheBlocks {
		t.Errorf("%d fetches after Close, want %d", n, 3+CacheBlocks)
	}
	// A large read is fetched in chunks, not through the cache.
	calls.Store(0)
	r.ReadAt(make([]byte, 3<<20+1), 0)
	if n := calls.Load(); n != 4 {
		t.Errorf("%d fetches for 3 MiB + 1 in 1 MiB chunks, want 4", n)
	}
}

// TestReaderAtError fails the fetches that cover one byte: each kind of
// read (cached, one fetch, chunked) fails when it needs that byte, and
// only then.
func TestReaderAtError(t *testing.T) {
	const bad = 5 << 20
	boom := errors.New("boom")
	r := NewReaderAt(t.Context(), ReaderAtConfig{
		Size: 10 << 20, ChunkSize: 1 << 20, Concurrency: 2,
		Fetch: func(ctx context.Context, dst []byte, off int64) error {
			if off <= bad && bad < off+int64(len(dst)) {
				return boom
			}
			return ctx.Err()
		},
	})
	for _, tc := range []struct {
		off  int64
		n    int
		fail bool
	}{
		{bad, 1, true}, {bad - 100, 50, false}, {bad - CacheBlockSize, 10, false}, // cached
		{bad - 1<<20 + 1, 1 << 20, true}, {bad - 1<<20, 1 << 20, false}, // one fetch
		{bad - 2<<20 + 7, 3 << 20, true}, {bad + 1, 3 << 20, false}, // chunked
	} {
		n, err := r.ReadAt(make([]byte, tc.n), tc.off)
		if tc.fail && (n != 0 || !errors.Is(err, boom)) || !tc.fail && (n != tc.n || err != nil) {
			t.Errorf("ReadAt(%d bytes at %d) = %d, %v; want failure %v", tc.n, tc.off, n, err, tc.fail)
		}
	}
}
