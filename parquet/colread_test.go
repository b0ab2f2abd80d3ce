package parquet_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pq "github.com/apache/arrow-go/v18/parquet"
	pqcompress "github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/remotestore/remotestore/parquet"
)

// colTypesTable has a column of every type the direct column decoders
// handle, in nullable and not-null variants, with nulls in different
// patterns (none, sparse, leading, trailing, all), plus columns that go
// through pqarrow's readers (unsigned, bool, large string, dictionary,
// list, struct).
func colTypesTable(t *testing.T, mem memory.Allocator, n int) arrow.Table {
	t.Helper()
	tsType := func(u arrow.TimeUnit, tz string) arrow.DataType { return &arrow.TimestampType{Unit: u, TimeZone: tz} }
	fields := []arrow.Field{
		{Name: "i32", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "i64", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "i64req", Type: arrow.PrimitiveTypes.Int64},
		{Name: "f32", Type: arrow.PrimitiveTypes.Float32, Nullable: true},
		{Name: "f64", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "date", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
		{Name: "ts_ms", Type: tsType(arrow.Millisecond, ""), Nullable: true},
		{Name: "ts_us", Type: tsType(arrow.Microsecond, "UTC"), Nullable: true},
		{Name: "ts_ns", Type: tsType(arrow.Nanosecond, "Europe/Paris"), Nullable: true},
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "sreq", Type: arrow.BinaryTypes.String},
		{Name: "s_late_nulls", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "s_all_null", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "s_burst", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "s_lowcard", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "bin", Type: arrow.BinaryTypes.Binary, Nullable: true},
		{Name: "i64_late_nulls", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "u16", Type: arrow.PrimitiveTypes.Uint16, Nullable: true},
		{Name: "b", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
		{Name: "ls", Type: arrow.BinaryTypes.LargeString, Nullable: true},
		{Name: "dict", Type: &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}, Nullable: true},
		{Name: "list", Type: arrow.ListOf(arrow.PrimitiveTypes.Int64), Nullable: true},
		{Name: "st", Type: arrow.StructOf(arrow.Field{Name: "a", Type: arrow.PrimitiveTypes.Int64, Nullable: true}), Nullable: true},
	}
	sc := arrow.NewSchema(fields, nil)
	b := array.NewRecordBuilder(mem, sc)
	defer b.Release()
	base := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		isNull := func(f arrow.Field) bool {
			switch {
			case !f.Nullable:
				return false
			case f.Name == "s_all_null":
				return true
			case f.Name == "s_late_nulls" || f.Name == "i64_late_nulls":
				return i > n*2/3 && i%5 == 0 // the first nulls come pages in
			case f.Name == "s_burst":
				return i%1800 >= 100 && i%1800 < 103 // then pages without nulls
			}
			return i%7 == 3
		}
		for c, f := range fields {
			fb := b.Field(c)
			if isNull(f) {
				fb.AppendNull()
				continue
			}
			switch fb := fb.(type) {
			case *array.Int32Builder:
				fb.Append(int32(i*31 - n))
			case *array.Int64Builder:
				fb.Append(int64(i)*1_000_003 - 7)
			case *array.Float32Builder:
				fb.Append(float32(i) / 3)
			case *array.Float64Builder:
				fb.Append(float64(i) * 0.25)
			case *array.Date32Builder:
				fb.Append(arrow.Date32(19000 + i%400))
			case *array.TimestampBuilder:
				ts, _ := arrow.TimestampFromTime(base.Add(time.Duration(i)*time.Second+time.Duration(i)*time.Microsecond), f.Type.(*arrow.TimestampType).Unit)
				fb.Append(ts)
			case *array.StringBuilder:
				switch {
				case f.Name == "s_lowcard":
					fb.Append([]string{"alpha", "beta", "", "gamma"}[i%4])
				case i%11 == 0:
					fb.Append("")
				default:
					fb.Append(fmt.Sprintf("v%d-%x", i, i*2654435761))
				}
			case *array.BinaryBuilder:
				fb.Append([]byte{byte(i), 0, byte(i >> 8)})
			case *array.Uint16Builder:
				fb.Append(uint16(i))
			case *array.BooleanBuilder:
				fb.Append(i%3 == 0)
			case *array.LargeStringBuilder:
				fb.Append(fmt.Sprint("large", i))
			case *array.BinaryDictionaryBuilder:
				fb.AppendString([]string{"x", "y", "z"}[i%3])
			case *array.ListBuilder:
				fb.Append(true)
				fb.ValueBuilder().(*array.Int64Builder).AppendValues([]int64{int64(i), int64(-i)}, nil)
			case *array.StructBuilder:
				fb.Append(true)
				fb.FieldBuilder(0).(*array.Int64Builder).Append(int64(i))
			default:
				t.Fatalf("no value for %T", fb)
			}
		}
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	return array.NewTableFromRecords(sc, []arrow.RecordBatch{rec})
}

// TestColumnDecodersMatchPqarrow reads files written with several page
// layouts (dictionary or plain pages, tiny pages so a batch spans many,
// data page v2, row groups and batches that do not divide each other)
// through the dataset reader and compares every column with pqarrow's
// own reading of the same file.
func TestColumnDecodersMatchPqarrow(t *testing.T) {
	const n = 5000
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl := colTypesTable(t, mem, n)
	defer tbl.Release()
	layouts := map[string][]pq.WriterProperty{
		"dict-small-pages":  {pq.WithDictionaryDefault(true), pq.WithDataPageSize(2 << 10), pq.WithDictionaryPageSizeLimit(4 << 10)},
		"plain-small-pages": {pq.WithDictionaryDefault(false), pq.WithDataPageSize(1 << 10)},
		"plain-v2":          {pq.WithDictionaryDefault(false), pq.WithDataPageVersion(pq.DataPageV2), pq.WithDataPageSize(3 << 10)},
		"default-zstd":      {pq.WithCompression(pqcompress.Codecs.Zstd)},
		"delta-ints":        deltaInts("i32", "i64", "i64req", "date", "ts_ms", "ts_us", "ts_ns", "i64_late_nulls"),
	}
	ctx := context.Background()
	for name, props := range layouts {
		t.Run(name, func(t *testing.T) {
			root := t.TempDir()
			file := filepath.Join(root, "ds", "data.parquet")
			if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
				t.Fatal(err)
			}
			f, err := os.Create(file)
			if err != nil {
				t.Fatal(err)
			}
			wp := pq.NewWriterProperties(append([]pq.WriterProperty{pq.WithAllocator(mem)}, props...)...)
			if err := pqarrow.WriteTable(tbl, f, 1800, wp, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema())); err != nil {
				t.Fatal(err)
			}
			want := readWithPqarrow(t, file)
			defer want.Release()
			d := parquet.New(dirStoreAt(root), parquet.WithAllocator(mem))
			for _, batch := range []int64{777, 1 << 16} {
				got, err := d.ReadTable(ctx, "ds", &parquet.ReadOptions{BatchSize: batch})
				if err != nil {
					t.Fatalf("batch %d: %v", batch, err)
				}
				if got.NumRows() != n || got.NumCols() != want.NumCols() {
					t.Fatalf("batch %d: %d rows %d columns, want %d and %d", batch, got.NumRows(), got.NumCols(), n, want.NumCols())
				}
				for c := 0; c < int(want.NumCols()); c++ {
					g, w := got.Column(c), want.Column(c)
					if !arrow.TypeEqual(g.DataType(), w.DataType()) {
						t.Errorf("batch %d: column %s is %s, pqarrow reads %s", batch, w.Name(), g.DataType(), w.DataType())
						continue
					}
					if !array.ChunkedEqual(g.Data(), w.Data()) && !sameStrings(g.Data(), w.Data()) {
						t.Errorf("batch %d: column %s differs from pqarrow's read", batch, w.Name())
					}
					var nulls int
					for _, ch := range g.Data().Chunks() {
						nulls += ch.NullN()
					}
					if nulls != w.Data().NullN() {
						t.Errorf("batch %d: column %s has %d nulls, pqarrow %d", batch, w.Name(), nulls, w.Data().NullN())
					}
				}
				got.Release()
			}
		})
	}
}

// deltaInts writes the named integer columns DELTA_BINARY_PACKED (as
// parquet.EncodingChoices picks for nearly distinct integers), in small
// pages so a batch spans several miniblocks and pages.
func deltaInts(cols ...string) []pq.WriterProperty {
	props := []pq.WriterProperty{pq.WithDataPageSize(1 << 10)}
	for _, c := range cols {
		props = append(props, pq.WithDictionaryFor(c, false), pq.WithEncodingFor(c, pq.Encodings.DeltaBinaryPacked))
	}
	return props
}

// sameStrings compares two columns row by row as strings, for dictionary
// columns whose chunks may carry different dictionaries for equal values.
func sameStrings(a, b *arrow.Chunked) bool {
	if _, ok := a.DataType().(*arrow.DictionaryType); !ok {
		return false
	}
	strs := func(c *arrow.Chunked) []string {
		var out []string
		for _, ch := range c.Chunks() {
			for i := 0; i < ch.Len(); i++ {
				out = append(out, ch.ValueStr(i))
			}
		}
		return out
	}
	x, y := strs(a), strs(b)
	if len(x) != len(y) {
		return false
	}
	for i := range x {
		if x[i] != y[i] {
			return false
		}
	}
	return true
}

// readWithPqarrow reads file with pqarrow itself, the reference the
// dataset reader is compared with.
func readWithPqarrow(t *testing.T, file string) arrow.Table {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// The reference read stays off the checked allocator: arrow-go's delta
	// decoder never frees its bit-width buffer (the dataset reader keeps
	// its decoders on Go's allocator for that reason).
	tbl, err := pqarrow.ReadTable(context.Background(), f, pq.NewReaderProperties(memory.DefaultAllocator), pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	return tbl
}
