package s3_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	s3store "github.com/remotestore/remotestore/backends/s3"
	"github.com/remotestore/remotestore/internal/benchdata"
	"github.com/remotestore/remotestore/internal/testserver/latency"
	s3server "github.com/remotestore/remotestore/internal/testserver/s3"
	"github.com/remotestore/remotestore/iomanager"
	"github.com/remotestore/remotestore/store"
)

// benchPartitions is how many daily partitions BenchmarkLoadPartitionsS3
// writes and loads.
const benchPartitions = 30

// benchRemoteDelay is what the proxy of the "s3+20ms" runs waits before
// forwarding each request: a remote object store's round trip.
const benchRemoteDelay = 20 * time.Millisecond

// partitionRows is the rows per partition: $REMOTESTORE_BENCH_ROWS,
// default 1M (the same variable as iomanager's BenchmarkLoadPartitions).
func partitionRows(b *testing.B) int {
	s := os.Getenv("REMOTESTORE_BENCH_ROWS")
	if s == "" {
		return 1 << 20
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		b.Fatalf("REMOTESTORE_BENCH_ROWS=%q: want a positive integer", s)
	}
	return n
}

var (
	partsOnce   sync.Once
	partsPrefix string
	partsErr    error
)

// benchKeys are the 30 daily partition keys, 2024-04-01 to 2024-04-30.
func benchKeys() []iomanager.PartitionKey {
	keys := make([]iomanager.PartitionKey, benchPartitions)
	for i := range keys {
		keys[i] = iomanager.Partition(time.Date(2024, 4, 1+i, 0, 0, 0, 0, time.UTC).Format("2006-01-02"))
	}
	return keys
}

// seedPartitions writes the partitions of rows rows each (id int64, value
// float64, category string: the data of iomanager's benchmark) as Parquet
// through HandleOutput under a new prefix of the run's bucket, once per
// test binary, and returns the prefix.
func seedPartitions(b *testing.B, rows int) string {
	partsOnce.Do(func() {
		c := benchConfig(b, "")
		partsPrefix = c.Prefix
		be, err := s3store.New(context.Background(), c)
		if err != nil {
			partsErr = err
			return
		}
		st := store.New(be)
		defer st.Close()
		m := iomanager.New(st, iomanager.Config{})
		start := time.Now()
		for pi, k := range benchKeys() {
			rr := benchdata.Events(pi, rows)
			_, err := m.HandleOutput(context.Background(), iomanager.OutputContext{Target: iomanager.Asset("bench", "events"),
				Partitions: []iomanager.PartitionKey{k}}, iomanager.Table(rr))
			rr.Release()
			if err != nil {
				partsErr = fmt.Errorf("write partition %s: %w", k, err)
				return
			}
		}
		b.Logf("wrote %d partitions of %d rows in %v", benchPartitions, rows, time.Since(start).Round(time.Millisecond))
	})
	if partsErr != nil {
		b.Fatal(partsErr)
	}
	return partsPrefix
}

// benchConfig is the test server's config with the backend's default part
// size and concurrency (what a user gets), under prefix (a new one when
// empty).
func benchConfig(b *testing.B, prefix string) s3store.Config {
	c := config(b)
	c.PartSize, c.Concurrency = 0, 0
	if prefix != "" {
		c.Prefix = prefix
	}
	return c
}

// BenchmarkLoadPartitionsS3 is iomanager's BenchmarkLoadPartitions on the
// S3 server: 30 daily partitions of $REMOTESTORE_BENCH_ROWS rows (default
// 1M: about 2.6 MB of zstd Parquet each) loaded as one batch stream,
// reading 1 or 8 partitions at once, straight from versitygw ("s3") and
// through a proxy that waits 20 ms before forwarding each request
// ("s3+20ms"), since loopback hides what concurrency buys. Compare the ns/op of the
// concurrency-1 and concurrency-8 runs of each for the speed-up. MB/s
// counts the id and value columns, 16 bytes a row, as iomanager's
// benchmark does. The proxied runs also report the requests per load, in
// all and by kind (HEAD, GET, LIST).
//
//	REMOTESTORE_S3_DATA_DIR=/dev/shm go test ./backends/s3 -run '^$' -bench LoadPartitionsS3 -benchtime 3x -timeout 30m
func BenchmarkLoadPartitionsS3(b *testing.B) {
	rows := partitionRows(b)
	srv := s3server.Get(b)
	prefix := seedPartitions(b, rows)
	keys := benchKeys()

	proxy, err := latency.Start(srv.Endpoint, benchRemoteDelay)
	if err != nil {
		b.Fatal(err)
	}
	defer proxy.Close()

	for _, loc := range []struct {
		name  string
		proxy *latency.Proxy
	}{{"s3", nil}, {fmt.Sprintf("s3+%s", benchRemoteDelay), proxy}} {
		c := benchConfig(b, prefix)
		if loc.proxy != nil {
			c.Endpoint = loc.proxy.URL
		}
		be, err := s3store.New(b.Context(), c)
		if err != nil {
			b.Fatal(err)
		}
		st := store.New(be)
		m := iomanager.New(st, iomanager.Config{})
		for _, conc := range []int{1, 8} {
			b.Run(fmt.Sprintf("%s/concurrency=%d", loc.name, conc), func(b *testing.B) {
				b.SetBytes(int64(benchPartitions * rows * 8 * 2)) // id and value, as in iomanager's benchmark
				if loc.proxy != nil {
					loc.proxy.Reset()
				}
				for b.Loop() {
					if n := loadAll(b, m, keys, conc); n != int64(benchPartitions*rows) {
						b.Fatalf("loaded %d rows, want %d", n, benchPartitions*rows)
					}
				}
				b.ReportMetric(float64(benchPartitions*rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
				if loc.proxy != nil {
					counts := loc.proxy.Counts()
					var total int64
					for kind, n := range counts {
						total += n
						b.ReportMetric(float64(n)/float64(b.N), kind+"/load")
					}
					b.ReportMetric(float64(total)/float64(b.N), "requests/load")
					b.Logf("requests in %d loads: %s", b.N, latency.String(counts))
				}
			})
		}
		b.Run(loc.name+"/passthrough/concurrency=8", func(b *testing.B) {
			// What the Python shim's plugin does: fetch each partition's
			// file into a transfer folder for pyarrow, check its footer.
			dir := b.TempDir()
			pt := &iomanager.Passthrough{Create: func() (*os.File, error) { return os.CreateTemp(dir, "part-*.parquet") }}
			for b.Loop() {
				in, err := m.LoadInput(b.Context(), iomanager.InputContext{Target: iomanager.Asset("bench", "events"),
					Partitions: keys, Concurrency: 8, Shape: iomanager.ShapePartitions, Passthrough: pt})
				if err != nil {
					b.Fatal(err)
				}
				var n int64
				for {
					p, err := in.Next()
					if err == io.EOF {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
					n += p.Parquet.Rows
					os.Remove(p.Parquet.Copy)
				}
				in.Close()
				if n != int64(benchPartitions*rows) {
					b.Fatalf("handed over %d rows, want %d", n, benchPartitions*rows)
				}
			}
			b.ReportMetric(float64(benchPartitions*rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
		st.Close()
	}
}

// loadAll loads keys as one batch stream, conc partitions at a time, and
// returns the rows read.
func loadAll(b *testing.B, m *iomanager.Manager, keys []iomanager.PartitionKey, conc int) int64 {
	in, err := m.LoadInput(b.Context(), iomanager.InputContext{Target: iomanager.Asset("bench", "events"),
		Partitions: keys, Concurrency: conc, Shape: iomanager.ShapeBatches})
	if err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	p, err := in.Next()
	if err != nil {
		b.Fatal(err)
	}
	defer p.Records.Release()
	var n int64
	for p.Records.Next() {
		n += p.Records.RecordBatch().NumRows()
	}
	if err := p.Records.Err(); err != nil {
		b.Fatal(err)
	}
	return n
}
