package parquet_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/remotestore/remotestore/parquet"
	"github.com/remotestore/remotestore/parquet/parquettest"
)

// The benchmark data: id int64, f float64, s a 16-character string, ts a
// microsecond timestamp, and part = id % 30 for the partitioned dataset.
// testdata/bench.py builds the same columns for pyarrow.
var benchSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "f", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Microsecond}, Nullable: true},
}, nil)

var benchPartSchema = arrow.NewSchema(append(benchSchema.Fields(),
	arrow.Field{Name: "part", Type: arrow.PrimitiveTypes.Int64, Nullable: true}), nil)

// benchRows is REMOTESTORE_BENCH_ROWS, default 10 million.
func benchRows() int {
	if v, err := strconv.Atoi(os.Getenv("REMOTESTORE_BENCH_ROWS")); err == nil && v > 0 {
		return v
	}
	return 10_000_000
}

var benchCache struct {
	sync.Mutex
	recs map[string][]arrow.RecordBatch
}

// benchRecords builds n rows in batches of 64Ki (cached per size).
func benchRecords(n int, withPart bool) []arrow.RecordBatch {
	benchCache.Lock()
	defer benchCache.Unlock()
	key := fmt.Sprint(n, withPart)
	if r, ok := benchCache.recs[key]; ok {
		return r
	}
	sc := benchSchema
	if withPart {
		sc = benchPartSchema
	}
	base, _ := arrow.TimestampFromTime(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), arrow.Microsecond)
	var recs []arrow.RecordBatch
	const batch = 64 << 10
	for off := 0; off < n; off += batch {
		m := min(batch, n-off)
		b := array.NewRecordBuilder(memory.DefaultAllocator, sc)
		ids := make([]int64, m)
		fs := make([]float64, m)
		ss := make([]string, m)
		ts := make([]arrow.Timestamp, m)
		parts := make([]int64, m)
		for i := range ids {
			id := int64(off + i)
			ids[i], fs[i] = id, float64(id)*0.5
			ss[i] = fmt.Sprintf("%016x", uint64(id)*2654435761)
			ts[i] = base + arrow.Timestamp(id*1000)
			parts[i] = id % 30
		}
		b.Field(0).(*array.Int64Builder).AppendValues(ids, nil)
		b.Field(1).(*array.Float64Builder).AppendValues(fs, nil)
		b.Field(2).(*array.StringBuilder).AppendValues(ss, nil)
		b.Field(3).(*array.TimestampBuilder).AppendValues(ts, nil)
		if withPart {
			b.Field(4).(*array.Int64Builder).AppendValues(parts, nil)
		}
		recs = append(recs, b.NewRecordBatch())
		b.Release()
	}
	if benchCache.recs == nil {
		benchCache.recs = map[string][]arrow.RecordBatch{}
	}
	benchCache.recs[key] = recs
	return recs
}

func benchReader(tb testing.TB, recs []arrow.RecordBatch) array.RecordReader {
	rr, err := array.NewRecordReader(recs[0].Schema(), recs)
	if err != nil {
		tb.Fatal(err)
	}
	return rr
}

// pyBench runs testdata/bench.py and reports its own timing as ns/op and
// rows/s (process start and data generation are not counted).
func pyBench(b *testing.B, args ...string) {
	py := python(b)
	out, err := exec.Command(py, append([]string{"testdata/bench.py"}, args...)...).Output()
	if err != nil {
		b.Fatalf("bench.py %v: %v", args, err)
	}
	var r struct {
		Seconds float64 `json:"seconds"`
		Rows    int64   `json:"rows"`
	}
	if err := json.Unmarshal(out, &r); err != nil {
		b.Fatalf("bench.py output %q: %v", out, err)
	}
	b.ReportMetric(r.Seconds*1e9/float64(b.N), "ns/op")
	b.ReportMetric(float64(r.Rows)*float64(b.N)/r.Seconds, "rows/s")
}

func reportRows(b *testing.B, rows int64) {
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkParquet compares this store with pyarrow on local disk, side by
// side: write and full read of the same rows (zstd, 1Mi-row row groups),
// and a filtered read of 1 of 30 partitions. scripts/bench-parquet.sh
// runs it and prints the ratios.
func BenchmarkParquet(b *testing.B) {
	n := benchRows()
	dir := b.TempDir()
	st := dirStoreAt(dir)
	d := parquet.New(st)
	ctx := context.Background()
	recs := benchRecords(n, false)

	b.Run("write/go", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			rr := benchReader(b, recs)
			if _, err := d.Write(ctx, fmt.Sprintf("w/go-%d-%d", b.N, i), rr, nil); err != nil {
				b.Fatal(err)
			}
			rr.Release()
		}
		reportRows(b, int64(n))
	})
	b.Run("write/pyarrow-write_table", func(b *testing.B) {
		pyBench(b, "write", b.TempDir(), strconv.Itoa(n), strconv.Itoa(b.N))
	})
	b.Run("write/pyarrow-write_dataset", func(b *testing.B) {
		pyBench(b, "write-dataset", b.TempDir(), strconv.Itoa(n), strconv.Itoa(b.N))
	})

	rr := benchReader(b, recs)
	if _, err := d.Write(ctx, "src", rr, nil); err != nil {
		b.Fatal(err)
	}
	rr.Release()
	b.Run("read/go", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			tbl, err := d.ReadTable(ctx, "src", nil)
			if err != nil {
				b.Fatal(err)
			}
			if tbl.NumRows() != int64(n) {
				b.Fatalf("read %d rows", tbl.NumRows())
			}
			tbl.Release()
		}
		reportRows(b, int64(n))
	})
	b.Run("read/pyarrow-read_table", func(b *testing.B) {
		pyBench(b, "read-table", filepath.Join(dir, "src"), strconv.Itoa(b.N))
	})
	b.Run("read/pyarrow-dataset", func(b *testing.B) {
		pyBench(b, "read-dataset", filepath.Join(dir, "src"), strconv.Itoa(b.N))
	})

	precs := benchRecords(n, true)
	rr = benchReader(b, precs)
	if _, err := d.Write(ctx, "parts", rr, &parquet.WriteOptions{PartitionBy: []string{"part"}}); err != nil {
		b.Fatal(err)
	}
	rr.Release()
	ws, counter := parquettest.Wrap(st)
	dw := parquet.New(ws)
	b.Run("read-1-of-30/go", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			counter.Reset()
			tbl, err := dw.ReadTable(ctx, "parts", &parquet.ReadOptions{Filters: []parquet.Filter{parquet.Eq("part", 7)}})
			if err != nil {
				b.Fatal(err)
			}
			if want := int64(n/30 + boolInt(n%30 > 7)); tbl.NumRows() != want {
				b.Fatalf("read %d rows, want %d", tbl.NumRows(), want)
			}
			tbl.Release()
			if opened := counter.OpenedData(); len(opened) != 1 || !strings.Contains(opened[0], "part=7/") {
				b.Fatalf("opened %v", opened)
			}
		}
		reportRows(b, int64(n/30))
		b.ReportMetric(float64(counter.BytesRead()), "bytes-read/op")
	})
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestFilteredReadTouchesOnePartition asserts that a partition filter opens
// only that partition's files and reads a thirtieth of the bytes.
func TestFilteredReadTouchesOnePartition(t *testing.T) {
	const n = 300_000
	st := newDirStore(t)
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	d := parquet.New(st, parquet.WithAllocator(mem))
	ctx := context.Background()
	rr := benchReader(t, benchRecords(n, true))
	res, err := d.Write(ctx, "parts", rr, &parquet.WriteOptions{PartitionBy: []string{"part"}, MaxRowsPerFile: 5000})
	rr.Release()
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, f := range res.Files {
		if strings.HasPrefix(f, "part=7/") {
			want = append(want, "parts/"+f)
		}
	}
	if len(want) != 2 || len(res.Files) != 60 {
		t.Fatalf("wrote %d files, %d in part=7; want 60 and 2", len(res.Files), len(want))
	}
	ws, counter := parquettest.Wrap(st)
	dw := parquet.New(ws, parquet.WithAllocator(mem))
	all, err := dw.ReadTable(ctx, "parts", nil)
	if err != nil {
		t.Fatal(err)
	}
	all.Release()
	total := counter.BytesRead()
	counter.Reset()
	tbl, err := dw.ReadTable(ctx, "parts", &parquet.ReadOptions{Filters: []parquet.Filter{parquet.Eq("part", 7)}})
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	if tbl.NumRows() != n/30 {
		t.Fatalf("rows %d", tbl.NumRows())
	}
	opened := counter.OpenedData()
	if len(opened) != len(want) || !sameSet(opened, want) {
		t.Fatalf("opened %v, want only %v", opened, want)
	}
	if read := counter.BytesRead(); read*20 > total {
		t.Fatalf("read %d bytes of %d: more than one partition's share", read, total)
	}
}

func sameSet(a, b []string) bool {
	m := map[string]bool{}
	for _, x := range a {
		m[x] = true
	}
	for _, x := range b {
		if !m[x] {
			return false
		}
	}
	return len(a) == len(b)
}
