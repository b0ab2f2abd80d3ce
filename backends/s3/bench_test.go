package s3_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	s3store "github.com/remotestore/remotestore/backends/s3"
	s3server "github.com/remotestore/remotestore/internal/testserver/s3"
	"github.com/remotestore/remotestore/store"
)

// Benchmarks on the local versitygw, the store and the raw SDK side by
// side in one run. Sizes come from the environment, so a quick run is
// possible:
//
//	REMOTESTORE_S3_BENCH_SIZE   bytes per transfer (default 1 GiB)
//	REMOTESTORE_S3_BENCH_KEYS   keys for the listing benchmark (default 100,000)
//	REMOTESTORE_S3_DATA_DIR     where versitygw keeps its data (/dev/shm keeps the disk out of it)
//
//	go test ./backends/s3 -run '^$' -bench 'Transfer|ListFlat' -benchtime 3x

func envInt(t testing.TB, name string, def int64) int64 {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		t.Fatalf("%s=%q: want a positive integer", name, v)
	}
	return n
}

// block is the repeating content of pattern: 64 KiB of varied bytes.
var block = func() []byte {
	b := make([]byte, 64<<10)
	for i := range b {
		b[i] = byte(i*31 + i>>9)
	}
	return b
}()

// pattern is an endless, cheap (memmove speed), non-seekable byte stream
// (no WriterTo, no Seek, no Len), so neither side can learn the size in
// advance.
type pattern struct{ off int }

func (p *pattern) Read(b []byte) (int, error) {
	n := 0
	for n < len(b) {
		c := copy(b[n:], block[p.off:])
		n += c
		p.off = (p.off + c) % len(block)
	}
	return n, nil
}

// discardAt is an io.WriterAt that drops the bytes, for the SDK downloader.
type discardAt struct{}

func (discardAt) WriteAt(p []byte, _ int64) (int, error) { return len(p), nil }

// benchSetup opens the store (default part size and concurrency) and an
// SDK upload/download manager with the same part size and concurrency.
func benchSetup(b *testing.B) (*store.Store, *s3.Client, string, string) {
	c := config(b)
	c.PartSize, c.Concurrency = 0, 0 // the defaults
	be, err := s3store.New(b.Context(), c)
	if err != nil {
		b.Fatal(err)
	}
	return store.New(be), be.Client(), c.Bucket, be.Prefix()
}

// BenchmarkTransfer uploads and downloads one object of
// REMOTESTORE_S3_BENCH_SIZE bytes, alternating the store and the SDK's
// transfer manager (feature/s3/manager) in each iteration, so both see the
// same machine load; it reports both throughputs and their ratio.
func BenchmarkTransfer(b *testing.B) {
	size := envInt(b, "REMOTESTORE_S3_BENCH_SIZE", 1<<30)
	st, client, bucket, prefix := benchSetup(b)
	defer st.Close()
	partSize, conc := int64(s3store.DefaultPartSize), s3store.DefaultConcurrency
	up := manager.NewUploader(client, func(u *manager.Uploader) { u.PartSize, u.Concurrency = partSize, conc })
	down := manager.NewDownloader(client, func(d *manager.Downloader) { d.PartSize, d.Concurrency = partSize, conc })
	ctx := b.Context()
	sdkKey := prefix + "/sdk.bin"

	b.Run("upload", func(b *testing.B) {
		var tStore, tSDK time.Duration
		for b.Loop() {
			t0 := time.Now()
			if err := st.Write(ctx, "store.bin", io.LimitReader(&pattern{}, size), &store.WriteOptions{Overwrite: true}); err != nil {
				b.Fatal(err)
			}
			t1 := time.Now()
			if _, err := up.Upload(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: &sdkKey, Body: io.LimitReader(&pattern{}, size)}); err != nil {
				b.Fatal(err)
			}
			tStore, tSDK = tStore+t1.Sub(t0), tSDK+time.Since(t1)
		}
		report(b, size, tStore, tSDK)
	})
	b.Run("download", func(b *testing.B) {
		// The objects of the upload run, or new ones when it did not run.
		if ok, _ := st.IsFile(ctx, "store.bin"); !ok {
			if err := st.Write(ctx, "store.bin", io.LimitReader(&pattern{}, size), &store.WriteOptions{Overwrite: true}); err != nil {
				b.Fatal(err)
			}
			if _, err := up.Upload(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: &sdkKey, Body: io.LimitReader(&pattern{}, size)}); err != nil {
				b.Fatal(err)
			}
		}
		b.ResetTimer()
		var tStore, tSDK time.Duration
		for b.Loop() {
			t0 := time.Now()
			rc, err := st.Open(ctx, "store.bin")
			if err != nil {
				b.Fatal(err)
			}
			n, err := io.Copy(io.Discard, rc)
			rc.Close()
			if err != nil || n != size {
				b.Fatalf("store read %d bytes, %v", n, err)
			}
			t1 := time.Now()
			n, err = down.Download(ctx, discardAt{}, &s3.GetObjectInput{Bucket: &bucket, Key: &sdkKey})
			if err != nil || n != size {
				b.Fatalf("SDK read %d bytes, %v", n, err)
			}
			tStore, tSDK = tStore+t1.Sub(t0), tSDK+time.Since(t1)
		}
		report(b, size, tStore, tSDK)
	})
}

func report(b *testing.B, size int64, tStore, tSDK time.Duration) {
	n := float64(b.N)
	b.ReportMetric(float64(size)*n/tStore.Seconds()/1e6, "store-MB/s")
	b.ReportMetric(float64(size)*n/tSDK.Seconds()/1e6, "sdk-MB/s")
	b.ReportMetric(tStore.Seconds()/tSDK.Seconds(), "store/sdk-time")
	b.ReportMetric(0, "ns/op") // the pair's time is not one operation
}

var (
	listOnce   sync.Once
	listPrefix string
	listErr    error
)

// seedListing puts n small objects under one prefix (100 folders of n/100
// files, like hive partitions), once per test binary.
func seedListing(b *testing.B, client *s3.Client, bucket string, n int64) string {
	listOnce.Do(func() {
		listPrefix = "bench-list-" + strconv.FormatInt(n, 10)
		start := time.Now()
		sem := make(chan struct{}, 32)
		var wg sync.WaitGroup
		var mu sync.Mutex
		for i := range n {
			sem <- struct{}{}
			wg.Add(1)
			go func() {
				defer func() { <-sem; wg.Done() }()
				key := fmt.Sprintf("%s/part=%03d/file-%07d.parquet", listPrefix, i%100, i)
				_, err := client.PutObject(context.Background(), &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: bytes.NewReader(nil)})
				if err != nil {
					mu.Lock()
					listErr = err
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		b.Logf("seeded %d keys in %v", n, time.Since(start).Round(time.Millisecond))
	})
	if listErr != nil {
		b.Fatal(listErr)
	}
	return listPrefix
}

// liveHeap returns the live heap after a collection, in MiB.
func liveHeap() float64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapAlloc) / (1 << 20)
}

// BenchmarkListFlat lists REMOTESTORE_S3_BENCH_KEYS keys recursively
// through Store.ListFiles (the backend's flat, paginated ListObjectsV2),
// measuring the live heap every 10% of the keys: streaming keeps it flat.
// The "collect" run holds every entry, for comparison.
func BenchmarkListFlat(b *testing.B) {
	n := envInt(b, "REMOTESTORE_S3_BENCH_KEYS", 100_000)
	srv := s3server.Get(b)
	c := config(b)
	c.Prefix = ""
	be, err := s3store.New(b.Context(), c)
	if err != nil {
		b.Fatal(err)
	}
	prefix := seedListing(b, srv.Client(), c.Bucket, n)
	st, _ := store.New(be).Sub(prefix)
	ctx := b.Context()

	b.Run("stream", func(b *testing.B) {
		var base, peak, last float64
		for b.Loop() {
			base, peak = liveHeap(), 0
			count := int64(0)
			for _, err := range st.ListFiles(ctx, "", nil) {
				if err != nil {
					b.Fatal(err)
				}
				count++
				if count%(n/10) == 0 {
					last = liveHeap() - base
					peak = max(peak, last)
				}
			}
			if count != n {
				b.Fatalf("listed %d keys, want %d", count, n)
			}
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "keys/s")
		b.ReportMetric(peak, "peak-live-heap-MiB")
		b.ReportMetric(last, "end-live-heap-MiB")
	})
	b.Run("collect", func(b *testing.B) {
		var held float64
		for b.Loop() {
			base := liveHeap()
			var all []store.Info
			for info, err := range st.ListFiles(ctx, "", nil) {
				if err != nil {
					b.Fatal(err)
				}
				all = append(all, info)
			}
			held = liveHeap() - base
			if int64(len(all)) != n {
				b.Fatalf("listed %d keys, want %d", len(all), n)
			}
			runtime.KeepAlive(all)
		}
		b.ReportMetric(held, "live-heap-MiB")
	})
}
