package storetest

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/remotestore/remotestore/store"
)

// benchSizes are the file sizes of the throughput benchmarks.
var benchSizes = []struct {
	name string
	size int64
}{{"1KiB", 1 << 10}, {"1MiB", 1 << 20}, {"16MiB", 16 << 20}}

// RunBenchmarks measures the store Harness gives: streaming write and read
// throughput at a few sizes (b.SetBytes, so go test prints MB/s), random
// 64 KiB ReadAt on a 16 MiB file, and listing a folder of
// Options.BenchListEntries files (10,000 by default). Benchmarks whose
// capabilities the backend lacks are skipped.
func RunBenchmarks(b *testing.B, h Harness) {
	if h.NewStore == nil {
		b.Fatal("storetest: Harness.NewStore is required")
	}
	if h.Close != nil {
		b.Cleanup(h.Close)
	}
	for _, sz := range benchSizes {
		b.Run("Write/"+sz.name, func(b *testing.B) { benchWrite(b, &h, sz.size) })
	}
	for _, sz := range benchSizes {
		b.Run("Read/"+sz.name, func(b *testing.B) { benchRead(b, &h, sz.size) })
	}
	b.Run("ReadAt/64KiB", func(b *testing.B) { benchReadAt(b, &h) })
	b.Run("List", func(b *testing.B) { benchList(b, &h) })
}

// benchStore opens a store for b, skipping unless it has caps and can be
// given fixtures.
func benchStore(b *testing.B, h *Harness, caps store.Capability) *store.Store {
	b.Helper()
	st, err := h.NewStore(b.Context(), b)
	if err != nil {
		b.Fatalf("Harness.NewStore: %v", err)
	}
	b.Cleanup(func() { st.Close() })
	if missing := caps &^ st.Capabilities(); missing != 0 {
		b.Skipf("backend lacks capability %s", missing)
	}
	if !st.Capabilities().Has(store.CapWrite) && h.Seed == nil {
		b.Skipf("cannot create fixtures: backend lacks capability %s and the harness has no Seed", store.CapWrite)
	}
	return st
}

// benchPut creates a fixture for a benchmark.
func benchPut(b *testing.B, h *Harness, st *store.Store, path string, r io.Reader) {
	b.Helper()
	var err error
	if st.Capabilities().Has(store.CapWrite) {
		err = st.Write(b.Context(), path, r, overwrite)
	} else {
		err = h.Seed(b.Context(), st, path, r)
	}
	if err != nil {
		b.Fatalf("creating fixture %s: %v", path, err)
	}
}

func benchWrite(b *testing.B, h *Harness, size int64) {
	st := benchStore(b, h, store.CapWrite)
	ctx := b.Context()
	p := pattern(60)
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := st.Write(ctx, "bench/write.bin", onlyReader{p.reader(size)}, overwrite); err != nil {
			b.Fatal(err)
		}
	}
}

func benchRead(b *testing.B, h *Harness, size int64) {
	st := benchStore(b, h, store.CapRead)
	ctx := b.Context()
	benchPut(b, h, st, "bench/read.bin", pattern(61).reader(size))
	buf := make([]byte, 256<<10)
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rc, err := st.Open(ctx, "bench/read.bin")
		if err != nil {
			b.Fatal(err)
		}
		n, err := io.CopyBuffer(io.Discard, onlyReader{rc}, buf)
		rc.Close()
		if err != nil || n != size {
			b.Fatalf("read %d bytes, %v; want %d", n, err, size)
		}
	}
}

func benchReadAt(b *testing.B, h *Harness) {
	st := benchStore(b, h, store.CapRead|store.CapRangeRead)
	ctx := b.Context()
	const size, chunk = 16 << 20, 64 << 10
	benchPut(b, h, st, "bench/readat.bin", pattern(62).reader(size))
	r, err := st.OpenSeekable(ctx, "bench/readat.bin")
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	buf := make([]byte, chunk)
	b.SetBytes(chunk)
	b.ReportAllocs()
	b.ResetTimer()
	for i := uint64(0); b.Loop(); i++ {
		off := int64(mix(i) % (size - chunk))
		if n, err := r.ReadAt(buf, off); err != nil || n != chunk {
			b.Fatalf("ReadAt(%d) = %d, %v", off, n, err)
		}
	}
}

func benchList(b *testing.B, h *Harness) {
	st := benchStore(b, h, store.CapList)
	ctx := b.Context()
	n := h.Options.BenchListEntries
	if n <= 0 {
		n = 10000
	}
	// Create the entries in parallel: setup, not measured.
	var wg sync.WaitGroup
	next := make(chan int)
	var mu sync.Mutex
	var firstErr error
	for range 8 {
		wg.Go(func() {
			for i := range next {
				p := fmt.Sprintf("bench/list/f%05d", i)
				var err error
				if st.Capabilities().Has(store.CapWrite) {
					err = st.WriteString(ctx, p, "x", overwrite)
				} else {
					err = h.Seed(ctx, st, p, strings.NewReader("x"))
				}
				if err != nil {
					mu.Lock()
					firstErr = cmpOr(firstErr, err)
					mu.Unlock()
				}
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	if firstErr != nil {
		b.Fatalf("creating %d files: %v", n, firstErr)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		got := 0
		for _, err := range st.ListFiles(ctx, "bench/list", &store.ListOptions{MaxDepth: 1}) {
			if err != nil {
				b.Fatal(err)
			}
			got++
		}
		if got != n {
			b.Fatalf("listed %d files, want %d", got, n)
		}
	}
	b.ReportMetric(float64(n), "entries/op")
}
