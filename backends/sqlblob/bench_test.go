package sqlblob_test

import (
	"io"
	"os"
	"strconv"
	"testing"

	"github.com/remotestore/remotestore/store"
)

// BenchmarkThroughput streams one large file in and out of each database
// through the store (go test prints MB/s), and reports the peak heap
// growth. Settings from the environment:
//
//	REMOTESTORE_SQL_BENCH_SIZE   bytes per transfer (default 256 MiB)
//	REMOTESTORE_SQL_BENCH_CHUNK  chunk size (default sqlblob.DefaultChunkSize)
//	REMOTESTORE_PG_FSYNC=1       PostgreSQL with fsync and synchronous_commit on
//	REMOTESTORE_PG_DATA_DIR      where the PostgreSQL cluster lives (/dev/shm: no disk)
//
//	go test ./backends/sqlblob -run '^$' -bench Throughput -benchtime 3x
func BenchmarkThroughput(b *testing.B) {
	size := envInt(b, "REMOTESTORE_SQL_BENCH_SIZE", 256<<20)
	chunkSize := int(envInt(b, "REMOTESTORE_SQL_BENCH_CHUNK", 0))
	for _, d := range drivers {
		b.Run(d.name, func(b *testing.B) {
			st := store.New(d.open(b, chunkSize))
			ctx := b.Context()
			b.Run("Write", func(b *testing.B) {
				b.SetBytes(size)
				var peak float64
				for b.Loop() {
					hp := newHeapPeak()
					if err := st.Write(ctx, "bench.bin", onlyReader{newPatternReader(1, size, hp.sample)},
						&store.WriteOptions{Overwrite: true}); err != nil {
						b.Fatal(err)
					}
					peak = max(peak, hp.growth())
				}
				b.ReportMetric(peak, "peak-heap-MiB")
			})
			b.Run("Read", func(b *testing.B) {
				if ok, _ := st.Exists(ctx, "bench.bin"); !ok {
					if err := st.Write(ctx, "bench.bin", onlyReader{newPatternReader(1, size, nil)}, nil); err != nil {
						b.Fatal(err)
					}
				}
				buf := make([]byte, 256<<10)
				b.SetBytes(size)
				var peak float64
				for b.Loop() {
					hp := newHeapPeak()
					rc, err := st.Open(ctx, "bench.bin")
					if err != nil {
						b.Fatal(err)
					}
					n, err := io.CopyBuffer(&tickWriter{w: io.Discard, tick: hp.sample}, onlyReader{rc}, buf)
					rc.Close()
					if err != nil || n != size {
						b.Fatalf("read %d bytes, %v; want %d", n, err, size)
					}
					peak = max(peak, hp.growth())
				}
				b.ReportMetric(peak, "peak-heap-MiB")
			})
		})
	}
}

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
