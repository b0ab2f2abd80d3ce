package azure_test

import (
	"io"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"

	azstore "github.com/remotestore/remotestore/backends/azure"
	"github.com/remotestore/remotestore/store"
)

// Benchmarks on the local Azurite, the store and the raw SDK side by side
// in one run. The size comes from the environment:
//
//	REMOTESTORE_AZURE_BENCH_SIZE   bytes per transfer (default 256 MiB)
//	REMOTESTORE_AZURITE_DATA_DIR   where Azurite keeps its data (/dev/shm keeps the disk out of it)
//
//	go test ./backends/azure -run '^$' -bench Transfer -benchtime 4x

// benchSize returns REMOTESTORE_AZURE_BENCH_SIZE or 256 MiB.
func benchSize(b *testing.B) int64 {
	v := os.Getenv("REMOTESTORE_AZURE_BENCH_SIZE")
	if v == "" {
		return 256 << 20
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		b.Fatalf("REMOTESTORE_AZURE_BENCH_SIZE=%q: want a positive integer", v)
	}
	return n
}

// chunk is the repeating content of pattern: 64 KiB of varied bytes.
var chunk = func() []byte {
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
		c := copy(b[n:], chunk[p.off:])
		n += c
		p.off = (p.off + c) % len(chunk)
	}
	return n, nil
}

// BenchmarkTransfer uploads and downloads one blob of
// REMOTESTORE_AZURE_BENCH_SIZE bytes, alternating the store and the raw
// SDK in each iteration (blockblob.Client.UploadStream and
// DownloadStream, with the store's block size and concurrency; which
// goes first alternates), so both see the same machine load; it reports
// both throughputs and the ratio of their times. Use an even -benchtime.
func BenchmarkTransfer(b *testing.B) {
	size := benchSize(b)
	c := config(b)
	c.BlockSize, c.Concurrency = 0, 0 // the defaults
	be, err := azstore.New(b.Context(), c)
	if err != nil {
		b.Fatal(err)
	}
	st := store.New(be)
	defer st.Close()
	ctx := b.Context()
	raw := be.ContainerClient().NewBlockBlobClient(be.Prefix() + "/sdk.bin")
	upOpts := &blockblob.UploadStreamOptions{BlockSize: azstore.DefaultBlockSize, Concurrency: azstore.DefaultConcurrency}
	storeUpload := func() error {
		return st.Write(ctx, "store.bin", io.LimitReader(&pattern{}, size), &store.WriteOptions{Overwrite: true})
	}
	sdkUpload := func() error {
		_, err := raw.UploadStream(ctx, io.LimitReader(&pattern{}, size), upOpts)
		return err
	}

	b.Run("upload", func(b *testing.B) {
		var tStore, tSDK time.Duration
		for i := 0; b.Loop(); i++ {
			alternate(i, &tStore, &tSDK, func() {
				if err := storeUpload(); err != nil {
					b.Fatal(err)
				}
			}, func() {
				if err := sdkUpload(); err != nil {
					b.Fatal(err)
				}
			})
		}
		report(b, size, tStore, tSDK)
	})
	b.Run("download", func(b *testing.B) {
		// The blobs of the upload run, or new ones when it did not run.
		if ok, _ := st.IsFile(ctx, "store.bin"); !ok {
			if err := storeUpload(); err != nil {
				b.Fatal(err)
			}
			if err := sdkUpload(); err != nil {
				b.Fatal(err)
			}
		}
		b.ResetTimer()
		var tStore, tSDK time.Duration
		for i := 0; b.Loop(); i++ {
			alternate(i, &tStore, &tSDK, func() {
				rc, err := st.Open(ctx, "store.bin")
				if err != nil {
					b.Fatal(err)
				}
				n, err := io.Copy(io.Discard, rc)
				rc.Close()
				if err != nil || n != size {
					b.Fatalf("store read %d bytes, %v", n, err)
				}
			}, func() {
				resp, err := raw.DownloadStream(ctx, nil)
				if err != nil {
					b.Fatal(err)
				}
				body := resp.NewRetryReader(ctx, nil)
				n, err := io.Copy(io.Discard, body)
				body.Close()
				if err != nil || n != size {
					b.Fatalf("SDK read %d bytes, %v", n, err)
				}
			})
		}
		report(b, size, tStore, tSDK)
	})
}

// alternate times storeOp and sdkOp, adding to tStore and tSDK; even
// iterations run the store first, odd ones the SDK, since on Azurite the
// second transfer of a pair runs measurably faster than the first.
func alternate(i int, tStore, tSDK *time.Duration, storeOp, sdkOp func()) {
	timed := func(t *time.Duration, op func()) {
		t0 := time.Now()
		op()
		*t += time.Since(t0)
	}
	if i%2 == 0 {
		timed(tStore, storeOp)
		timed(tSDK, sdkOp)
	} else {
		timed(tSDK, sdkOp)
		timed(tStore, storeOp)
	}
}

func report(b *testing.B, size int64, tStore, tSDK time.Duration) {
	n := float64(b.N)
	b.ReportMetric(float64(size)*n/tStore.Seconds()/1e6, "store-MB/s")
	b.ReportMetric(float64(size)*n/tSDK.Seconds()/1e6, "sdk-MB/s")
	b.ReportMetric(tStore.Seconds()/tSDK.Seconds(), "store/sdk-time")
	b.ReportMetric(0, "ns/op") // the pair's time is not one operation
}
