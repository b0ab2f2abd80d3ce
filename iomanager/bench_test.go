package iomanager_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	_ "github.com/remotestore/remotestore/backends/local"
	"github.com/remotestore/remotestore/internal/benchdata"
	"github.com/remotestore/remotestore/iomanager"
	"github.com/remotestore/remotestore/store"
)

// benchRows is the rows per partition of BenchmarkLoadPartitions:
// $REMOTESTORE_BENCH_ROWS, default 1M.
func benchRows(b *testing.B) int {
	if s := os.Getenv("REMOTESTORE_BENCH_ROWS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			b.Fatal(err)
		}
		return n
	}
	return 1 << 20
}

var (
	benchOnce sync.Once
	benchDir  string
	benchErr  error
)

// benchDataset writes 30 daily partitions of rows rows each (id int64,
// value float64, category string) as Parquet into a local store, once per
// process.
func benchDataset(b *testing.B, rows int) (string, []iomanager.PartitionKey) {
	var keys []iomanager.PartitionKey
	for i := 0; i < 30; i++ {
		keys = append(keys, iomanager.Partition(time.Date(2024, 4, 1+i, 0, 0, 0, 0, time.UTC).Format("2006-01-02")))
	}
	benchOnce.Do(func() {
		benchDir, benchErr = os.MkdirTemp("", "iomanager-bench-")
		if benchErr != nil {
			return
		}
		st, err := store.OpenURL(context.Background(), "file://"+benchDir)
		if err != nil {
			benchErr = err
			return
		}
		defer st.Close()
		m := iomanager.New(st, iomanager.Config{})
		for pi, k := range keys {
			rr := benchdata.Events(pi, rows)
			_, err := m.HandleOutput(context.Background(), iomanager.OutputContext{Target: iomanager.Asset("bench", "events"),
				Partitions: []iomanager.PartitionKey{k}}, iomanager.Table(rr))
			rr.Release()
			if err != nil {
				benchErr = err
				return
			}
		}
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchDir, keys
}

// latencyBackend adds a fixed delay to every request that reaches the
// backend, like a remote object store's round trip.
type latencyBackend struct {
	store.Backend
	d time.Duration
}

func (l latencyBackend) Stat(ctx context.Context, p string) (store.Info, error) {
	time.Sleep(l.d)
	return l.Backend.Stat(ctx, p)
}

func (l latencyBackend) OpenRange(ctx context.Context, p string, off, n int64) (io.ReadCloser, error) {
	time.Sleep(l.d)
	return l.Backend.OpenRange(ctx, p, off, n)
}

// BenchmarkLoadPartitions loads 30 partitions of 1M rows (about 20 MB of
// Parquet each) as one table stream, reading 1 or 8 partitions at once,
// from a local store and from the same store behind 5 ms of latency per
// request (a remote object store's round trip). Compare the ns/op of the
// concurrency-1 and concurrency-8 runs of each store for the speed-up.
//
//	go test ./iomanager -run '^$' -bench LoadPartitions -benchtime 3x
func BenchmarkLoadPartitions(b *testing.B) {
	rows := benchRows(b)
	dir, keys := benchDataset(b, rows)
	for _, remote := range []time.Duration{0, 5 * time.Millisecond} {
		st, err := store.OpenURL(context.Background(), "file://"+dir)
		if err != nil {
			b.Fatal(err)
		}
		name := "local"
		if remote > 0 {
			st = store.New(latencyBackend{Backend: st.Backend(), d: remote})
			name = fmt.Sprintf("local+%s", remote)
		}
		m := iomanager.New(st, iomanager.Config{})
		for _, conc := range []int{1, 8} {
			b.Run(fmt.Sprintf("%s/concurrency=%d", name, conc), func(b *testing.B) {
				b.SetBytes(int64(30 * rows * 8 * 2))
				for b.Loop() {
					in, err := m.LoadInput(context.Background(), iomanager.InputContext{Target: iomanager.Asset("bench", "events"),
						Partitions: keys, Concurrency: conc, Shape: iomanager.ShapeBatches})
					if err != nil {
						b.Fatal(err)
					}
					p, err := in.Next()
					if err != nil {
						b.Fatal(err)
					}
					var n int64
					for p.Records.Next() {
						n += p.Records.RecordBatch().NumRows()
					}
					if err := p.Records.Err(); err != nil {
						b.Fatal(err)
					}
					p.Records.Release()
					in.Close()
					if n != int64(30*rows) {
						b.Fatalf("%d rows", n)
					}
				}
			})
		}
		st.Close()
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}
