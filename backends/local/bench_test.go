package local_test

// Throughput and memory of streaming through store.Store on the local
// backend, measured beside plain os file I/O in the same run.
//
//	go test -run '^$' -bench . -benchtime 3x -v ./backends/local/
//
// (-v prints the store/os ratios as log lines; they are also the x-os
// metric of each store case.)
//
// REMOTESTORE_BENCH_SIZE takes bytes or a KiB/MiB/GiB suffix; the default is
// 1 GiB, or 16 MiB with -short. REMOTESTORE_BENCH_DIR picks the folder for
// the files (default: the test's temporary folder under $TMPDIR).

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/remotestore/remotestore/backends/local"
	"github.com/remotestore/remotestore/store"
)

const chunk = 1 << 20

// source is the 1 MiB block every generated stream repeats.
var source = func() []byte {
	b := make([]byte, chunk)
	r := rand.New(rand.NewChaCha8([32]byte{1}))
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}()

// repeatReader yields n bytes cut from source: cheap next to disk I/O, and
// deliberately Read-only (as a network body is), so both sides of a
// comparison take the writer's ReadFrom path.
type repeatReader struct{ n, off int64 }

func newSource(n int64) *repeatReader { return &repeatReader{n: n} }

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.off >= r.n {
		return 0, io.EOF
	}
	p = p[:min(int64(len(p)), r.n-r.off)]
	k := copy(p, source[r.off%chunk:])
	r.off += int64(k)
	return k, nil
}

func benchSize(tb testing.TB) int64 {
	s := os.Getenv("REMOTESTORE_BENCH_SIZE")
	if s == "" {
		if testing.Short() {
			return 16 << 20
		}
		return 1 << 30
	}
	n, err := parseSize(s)
	if err != nil {
		tb.Fatalf("REMOTESTORE_BENCH_SIZE: %v", err)
	}
	return n
}

func parseSize(s string) (int64, error) {
	mult := int64(1)
	for suf, m := range map[string]int64{"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30} {
		if strings.HasSuffix(s, suf) {
			s, mult = strings.TrimSuffix(s, suf), m
			break
		}
	}
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%q is not a size (like 1GiB, 64MiB or 1048576)", s)
	}
	return n * mult, nil
}

func sizeName(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%dGiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%dMiB", n>>20)
	}
	return fmt.Sprintf("%dB", n)
}

func benchDir(tb testing.TB) string {
	if d := os.Getenv("REMOTESTORE_BENCH_DIR"); d != "" {
		dir, err := os.MkdirTemp(d, "local-bench-")
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { os.RemoveAll(dir) })
		return dir
	}
	return tb.TempDir()
}

func openStore(tb testing.TB, dir string, noSync bool) *store.Store {
	b, err := local.New(context.Background(), local.Config{Root: dir, NoSync: noSync})
	if err != nil {
		tb.Fatal(err)
	}
	st := store.New(b)
	tb.Cleanup(func() { st.Close() })
	return st
}

// osWrite is the baseline: os.Create (truncating an existing file) and
// io.Copy, with an fsync when sync is set.
func osWrite(path string, n int64, sync bool) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, newSource(n)); err != nil {
		f.Close()
		return err
	}
	if sync {
		if err := f.Sync(); err != nil {
			f.Close()
			return err
		}
	}
	return f.Close()
}

func osRead(path string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	return io.Copy(io.Discard, f)
}

func storeRead(st *store.Store, name string) (int64, error) {
	rc, err := st.Open(context.Background(), name)
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	return io.Copy(io.Discard, rc)
}

// benchCase is one measured operation: before runs untimed ahead of every
// run of op, which must move size bytes.
type benchCase struct {
	name   string
	before func(b *testing.B)
	op     func() (int64, error)
}

// benchPair is a store case and the os case it is compared to.
type benchPair struct {
	name      string
	os, store benchCase
}

func (c benchCase) do(b *testing.B, size int64) time.Duration {
	if c.before != nil {
		b.StopTimer()
		c.before(b)
		b.StartTimer()
	}
	start := time.Now()
	n, err := c.op()
	d := time.Since(start)
	if err != nil {
		b.Fatalf("%s: %v", c.name, err)
	}
	if n != size {
		b.Fatalf("%s: moved %d bytes, want %d", c.name, n, size)
	}
	return d
}

// streamPairs builds the compared cases on files in dir.
func streamPairs(b *testing.B, dir string, size int64) []benchPair {
	synced := openStore(b, dir, false)
	unsynced := openStore(b, dir, true)
	osPath := filepath.Join(dir, "os.bin")
	// Every write starts with no dirty pages of ours left, so no case pays
	// for the writeback of the one before.
	remove := func(name string) func(*testing.B) {
		return func(b *testing.B) {
			if err := os.Remove(filepath.Join(dir, name)); err != nil && !os.IsNotExist(err) {
				b.Fatal(err)
			}
			flushDir(b, dir)
		}
	}
	prepare := func(name string) func(*testing.B) {
		return func(b *testing.B) {
			if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
				if err := osWrite(filepath.Join(dir, name), size, false); err != nil {
					b.Fatal(err)
				}
			}
			flushDir(b, dir)
		}
	}
	storeWrite := func(st *store.Store, overwrite bool) func() (int64, error) {
		return func() (int64, error) {
			err := st.Write(context.Background(), "store.bin", newSource(size), &store.WriteOptions{Overwrite: overwrite})
			return size, err
		}
	}
	osWriteOp := func(sync bool) func() (int64, error) {
		return func() (int64, error) { return size, osWrite(osPath, size, sync) }
	}
	// osRenameOp is the plain-os form of an atomic overwrite: a temporary
	// file, then a rename over the target.
	osRenameOp := func() (int64, error) {
		f, err := os.CreateTemp(dir, ".os.bin.tmp-")
		if err != nil {
			return 0, err
		}
		n, err := io.Copy(f, newSource(size))
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Rename(f.Name(), osPath)
		}
		return n, err
	}
	osCase := func(name string, before func(*testing.B), op func() (int64, error)) benchCase {
		return benchCase{name: name + "/os", before: before, op: op}
	}
	stCase := func(name string, before func(*testing.B), op func() (int64, error)) benchCase {
		return benchCase{name: name + "/store", before: before, op: op}
	}
	return []benchPair{
		// New files: the target does not exist before each write.
		{"write", osCase("write", remove("os.bin"), osWriteOp(false)),
			stCase("write", remove("store.bin"), storeWrite(unsynced, false))},
		{"write-fsync", osCase("write-fsync", remove("os.bin"), osWriteOp(true)),
			stCase("write-fsync", remove("store.bin"), storeWrite(synced, false))},
		// Replacing a file of the same size. The store writes a temporary
		// file and renames it over the old one; os truncates in place
		// (overwrite) or does the same temp+rename (overwrite-rename).
		{"overwrite", osCase("overwrite", prepare("os.bin"), osWriteOp(false)),
			stCase("overwrite", prepare("store.bin"), storeWrite(unsynced, true))},
		{"overwrite-rename", osCase("overwrite-rename", prepare("os.bin"), osRenameOp),
			stCase("overwrite-rename", prepare("store.bin"), storeWrite(unsynced, true))},
		{"overwrite-fsync", osCase("overwrite-fsync", prepare("os.bin"), osWriteOp(true)),
			stCase("overwrite-fsync", prepare("store.bin"), storeWrite(synced, true))},
		// Reads of one page-cached file, to io.Discard.
		{"read", osCase("read", prepare("os.bin"), func() (int64, error) { return osRead(osPath) }),
			stCase("read", prepare("os.bin"), func() (int64, error) { return storeRead(unsynced, "os.bin") })},
	}
}

// BenchmarkStream compares streaming a generated stream into a file, and a
// file into io.Discard, through store.Store on the local backend with doing
// the same with os, as sibling sub-benchmarks <case>/os and <case>/store.
// Each store case reports its throughput over its os sibling's as x-os
// ("store" alone is the default durable store; "-fsync" cases compare it
// with os plus an fsync, the others a no_sync store with plain os).
// Sequential siblings are sensitive to load that changes between them;
// BenchmarkStreamPaired interleaves the two sides instead.
func BenchmarkStream(b *testing.B) {
	size := benchSize(b)
	mbps := map[string]float64{}
	for _, p := range streamPairs(b, benchDir(b), size) {
		for _, c := range []benchCase{p.os, p.store} {
			b.Run(c.name, func(b *testing.B) {
				b.SetBytes(size)
				for b.Loop() {
					c.do(b, size)
				}
				mbps[c.name] = float64(size) * float64(b.N) / b.Elapsed().Seconds() / 1e6
				if base := mbps[p.os.name]; c.name == p.store.name && base > 0 {
					b.ReportMetric(mbps[c.name]/base, "x-os")
				}
			})
		}
		if o, s := mbps[p.os.name], mbps[p.store.name]; o > 0 && s > 0 {
			b.Logf("%-17s store %6.0f MB/s  os %6.0f MB/s  ratio %.2f", p.name, s, o, s/o)
		}
	}
	b.Logf("size %s, GOMAXPROCS %d", sizeName(size), runtime.GOMAXPROCS(0))
}

// BenchmarkStreamPaired runs the cases of BenchmarkStream with both sides in
// every iteration, alternating which goes first, so both see the same
// background load. It reports os-MB/s and store-MB/s over all iterations
// and x-os, the median of the per-iteration ratios store/os.
func BenchmarkStreamPaired(b *testing.B) {
	size := benchSize(b)
	for _, p := range streamPairs(b, benchDir(b), size) {
		b.Run(p.name, func(b *testing.B) {
			var tOS, tStore time.Duration
			var ratios []float64
			i := 0
			for b.Loop() {
				var dOS, dStore time.Duration
				if i%2 == 0 {
					dOS, dStore = p.os.do(b, size), p.store.do(b, size)
				} else {
					dStore, dOS = p.store.do(b, size), p.os.do(b, size)
				}
				i++
				tOS, tStore = tOS+dOS, tStore+dStore
				ratios = append(ratios, dOS.Seconds()/dStore.Seconds())
			}
			n := float64(size) * float64(i) / 1e6
			slices.Sort(ratios)
			b.ReportMetric(n/tOS.Seconds(), "os-MB/s")
			b.ReportMetric(n/tStore.Seconds(), "store-MB/s")
			b.ReportMetric(ratios[len(ratios)/2], "x-os")
			b.Logf("%-17s store %6.0f MB/s  os %6.0f MB/s  median ratio %.2f (of %d, range %.2f–%.2f)",
				p.name, n/tStore.Seconds(), n/tOS.Seconds(), ratios[len(ratios)/2], len(ratios), ratios[0], ratios[len(ratios)-1])
		})
	}
	b.Logf("size %s, GOMAXPROCS %d", sizeName(size), runtime.GOMAXPROCS(0))
}

// flushDir fsyncs every file in dir, then dir itself, so the journal holds
// no block frees of an earlier case either.
func flushDir(tb testing.TB, dir string) {
	defer func() {
		if d, err := os.Open(dir); err == nil {
			d.Sync() // fails harmlessly where folders cannot be synced
			d.Close()
		}
	}()
	ents, err := os.ReadDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	for _, e := range ents {
		if !e.Type().IsRegular() {
			continue
		}
		f, err := os.OpenFile(filepath.Join(dir, e.Name()), os.O_RDWR, 0)
		if err != nil {
			tb.Fatal(err)
		}
		err = f.Sync()
		f.Close()
		if err != nil {
			tb.Fatal(err)
		}
	}
}

// heapProbe samples HeapInuse while a function runs and reports the peak
// growth over the starting value, and the bytes allocated meanwhile.
func heapProbe(fn func() error) (peakGrowth, allocated uint64, err error) {
	runtime.GC()
	var start runtime.MemStats
	runtime.ReadMemStats(&start)
	var peak atomic.Uint64
	peak.Store(start.HeapInuse)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		var m runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				runtime.ReadMemStats(&m)
				if m.HeapInuse > peak.Load() {
					peak.Store(m.HeapInuse)
				}
			}
		}
	})
	err = fn()
	close(stop)
	wg.Wait()
	var end runtime.MemStats
	runtime.ReadMemStats(&end)
	if end.HeapInuse > peak.Load() {
		peak.Store(end.HeapInuse)
	}
	return peak.Load() - start.HeapInuse, end.TotalAlloc - start.TotalAlloc, err
}

// BenchmarkStreamMemory shows that streaming through a Store does not use
// memory in proportion to the file: peak-heap-B (HeapInuse growth) and
// alloc-B (bytes allocated) per operation stay the same at 64 MiB and at
// REMOTESTORE_BENCH_SIZE.
func BenchmarkStreamMemory(b *testing.B) {
	dir := benchDir(b)
	st := openStore(b, dir, true)
	ctx := context.Background()
	sizes := []int64{64 << 20}
	if n := benchSize(b); n != sizes[0] {
		sizes = append(sizes, n)
	}
	for _, size := range sizes {
		b.Run("write/"+sizeName(size), func(b *testing.B) {
			b.SetBytes(size)
			var peak, alloc uint64
			for b.Loop() {
				p, a, err := heapProbe(func() error {
					return st.Write(ctx, "mem.bin", newSource(size), &store.WriteOptions{Overwrite: true})
				})
				if err != nil {
					b.Fatal(err)
				}
				peak, alloc = max(peak, p), max(alloc, a)
			}
			b.ReportMetric(float64(peak), "peak-heap-B")
			b.ReportMetric(float64(alloc), "alloc-B")
		})
		b.Run("read/"+sizeName(size), func(b *testing.B) {
			b.SetBytes(size)
			var peak, alloc uint64
			for b.Loop() {
				p, a, err := heapProbe(func() error {
					n, err := storeRead(st, "mem.bin")
					if err == nil && n != size {
						err = fmt.Errorf("read %d bytes, want %d", n, size)
					}
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
				peak, alloc = max(peak, p), max(alloc, a)
			}
			b.ReportMetric(float64(peak), "peak-heap-B")
			b.ReportMetric(float64(alloc), "alloc-B")
		})
	}
}

// TestStreamingMemoryIsFlat asserts the memory bound: writing, copying and
// reading 256 MiB (64 MiB with -short) through a Store grows the heap by
// less than 16 MiB and allocates less than 4 MiB in all. A buffered
// implementation would need the whole file.
func TestStreamingMemoryIsFlat(t *testing.T) {
	size := int64(256 << 20)
	if testing.Short() {
		size = 64 << 20
	}
	const maxPeak, maxAlloc = 16 << 20, 4 << 20
	ctx := t.Context()
	st := openStore(t, t.TempDir(), true)
	steps := []struct {
		name string
		fn   func() error
	}{
		{"write", func() error { return st.Write(ctx, "big.bin", newSource(size), nil) }},
		{"read", func() error {
			n, err := storeRead(st, "big.bin")
			if err == nil && n != size {
				err = fmt.Errorf("read %d bytes, want %d", n, size)
			}
			return err
		}},
		{"seekable-read", func() error {
			r, err := st.OpenSeekable(ctx, "big.bin")
			if err != nil {
				return err
			}
			defer r.Close()
			n, err := io.Copy(io.Discard, io.NewSectionReader(r, 0, r.Size()))
			if err == nil && n != size {
				err = fmt.Errorf("read %d bytes, want %d", n, size)
			}
			return err
		}},
		{"copy", func() error { return st.Copy(ctx, "big.bin", "copy.bin", nil) }},
	}
	for _, s := range steps {
		peak, alloc, err := heapProbe(s.fn)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		t.Logf("%s %s: peak heap growth %d KiB, allocated %d KiB", s.name, sizeName(size), peak>>10, alloc>>10)
		if peak >= maxPeak || alloc >= maxAlloc {
			t.Errorf("%s of %s: peak heap growth %d B, allocated %d B; want < %d and < %d",
				s.name, sizeName(size), peak, alloc, maxPeak, maxAlloc)
		}
	}
	if info, err := st.Stat(ctx, "copy.bin"); err != nil || info.Size != size {
		t.Errorf("copy.bin: %+v, %v", info, err)
	}
}
