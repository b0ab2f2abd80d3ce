package parquettest

import (
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Schema is the schema of the generated test data: id (not null), a float,
// a string with nulls, a microsecond timestamp, and two partition-friendly
// columns (region: string with a null, year: int64).
var Schema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "x", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Microsecond}, Nullable: true},
	{Name: "region", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "year", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
}, nil)

// Regions are the region values: one needs escaping, and every 7th row's
// region is null.
var Regions = []string{"eu", "us", "a b/c=d%"}

// Batch builds rows [start, start+n) of the test data. Row i has id i,
// x = i/2, s = "s<i>" (null when i%5 == 0), ts = 2024-01-01 + i seconds,
// region = Regions[i%3] (null when i%7 == 3), year = 2020 + i%4.
func Batch(mem memory.Allocator, start, n int) arrow.RecordBatch {
	b := array.NewRecordBuilder(mem, Schema)
	defer b.Release()
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := start; i < start+n; i++ {
		b.Field(0).(*array.Int64Builder).Append(int64(i))
		b.Field(1).(*array.Float64Builder).Append(float64(i) / 2)
		if i%5 == 0 {
			b.Field(2).(*array.StringBuilder).AppendNull()
		} else {
			b.Field(2).(*array.StringBuilder).Append(fmt.Sprintf("s%d", i))
		}
		ts, _ := arrow.TimestampFromTime(base.Add(time.Duration(i)*time.Second), arrow.Microsecond)
		b.Field(3).(*array.TimestampBuilder).Append(ts)
		if i%7 == 3 {
			b.Field(4).(*array.StringBuilder).AppendNull()
		} else {
			b.Field(4).(*array.StringBuilder).Append(Regions[i%3])
		}
		b.Field(5).(*array.Int64Builder).Append(int64(2020 + i%4))
	}
	return b.NewRecordBatch()
}

// Reader yields rows [start, start+n) in batches of batch rows.
func Reader(mem memory.Allocator, start, n, batch int) array.RecordReader {
	var recs []arrow.RecordBatch
	for off := 0; off < n; off += batch {
		recs = append(recs, Batch(mem, start+off, min(batch, n-off)))
	}
	rr, err := array.NewRecordReader(Schema, recs)
	if err != nil {
		panic(err)
	}
	for _, r := range recs {
		r.Release()
	}
	return rr
}

// failingReader yields the batches of an inner reader, then fails.
type failingReader struct {
	array.RecordReader
	left int
	err  error
}

// FailingReader yields n batches of inner and then fails with err.
func FailingReader(inner array.RecordReader, n int, err error) array.RecordReader {
	return &failingReader{RecordReader: inner, left: n, err: err}
}

func (f *failingReader) Next() bool {
	if f.left == 0 {
		return false
	}
	f.left--
	return f.RecordReader.Next()
}

func (f *failingReader) Err() error {
	if f.left == 0 {
		return f.err
	}
	return f.RecordReader.Err()
}

// Row is one row of a read-back dataset, as comparable Go values.
type Row struct {
	ID     int64
	X      any
	S      any
	TS     any
	Region any
	Year   any
}

// Rows reads every row of the record batches of rr into Rows sorted by id;
// columns missing from rr are left nil. It releases nothing.
func Rows(t testing.TB, rr array.RecordReader) []Row {
	t.Helper()
	var out []Row
	for rr.Next() {
		rec := rr.RecordBatch()
		get := func(name string, i int) any {
			idx := rec.Schema().FieldIndices(name)
			if len(idx) == 0 {
				return nil
			}
			col := rec.Column(idx[0])
			if col.IsNull(i) {
				return "<null>"
			}
			if d, ok := col.(*array.Dictionary); ok {
				return d.Dictionary().GetOneForMarshal(d.GetValueIndex(i))
			}
			switch c := col.(type) {
			case *array.Timestamp:
				return c.Value(i).ToTime(arrow.Microsecond).UTC().Format(time.RFC3339)
			case *array.Int32:
				return int64(c.Value(i))
			case *array.Int64:
				return c.Value(i)
			}
			return col.GetOneForMarshal(i)
		}
		for i := 0; i < int(rec.NumRows()); i++ {
			id, _ := get("id", i).(int64)
			out = append(out, Row{ID: id, X: get("x", i), S: get("s", i), TS: get("ts", i), Region: get("region", i), Year: get("year", i)})
		}
	}
	if err := rr.Err(); err != nil {
		t.Fatalf("reading: %v", err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Want returns the expected Rows for ids [start, start+n) that keep(i).
func Want(start, n int, keep func(i int) bool) []Row {
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	var out []Row
	for i := start; i < start+n; i++ {
		if keep != nil && !keep(i) {
			continue
		}
		r := Row{ID: int64(i), X: float64(i) / 2, S: fmt.Sprintf("s%d", i),
			TS:     base.Add(time.Duration(i) * time.Second).Format(time.RFC3339),
			Region: Regions[i%3], Year: int64(2020 + i%4)}
		if i%5 == 0 {
			r.S = "<null>"
		}
		if i%7 == 3 {
			r.Region = "<null>"
		}
		out = append(out, r)
	}
	return out
}
