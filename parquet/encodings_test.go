package parquet_test

import (
	"bytes"
	"fmt"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pq "github.com/apache/arrow-go/v18/parquet"
	pqfile "github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/remotestore/remotestore/parquet"
)

// TestEncodingChoices writes a file with the encodings EncodingChoices
// picks from its batch and checks each column chunk's encodings: nearly
// distinct integers and timestamps DELTA_BINARY_PACKED, nearly distinct
// floats and strings plain, few distinct values a dictionary.
func TestEncodingChoices(t *testing.T) {
	const n = 10000
	sc := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "few", Type: arrow.PrimitiveTypes.Int64},
		{Name: "day", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
		{Name: "ts", Type: arrow.FixedWidthTypes.Timestamp_us},
		{Name: "x", Type: arrow.PrimitiveTypes.Float64},
		{Name: "name", Type: arrow.BinaryTypes.String},
		{Name: "kind", Type: arrow.BinaryTypes.String},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, sc)
	defer b.Release()
	for i := range n {
		b.Field(0).(*array.Int64Builder).Append(int64(i))
		b.Field(1).(*array.Int64Builder).Append(int64(i % 10))
		if i%100 == 7 {
			b.Field(2).AppendNull()
		} else {
			b.Field(2).(*array.Date32Builder).Append(arrow.Date32(19000 + i))
		}
		b.Field(3).(*array.TimestampBuilder).Append(arrow.Timestamp(1_700_000_000_000_000 + int64(i)*1000))
		b.Field(4).(*array.Float64Builder).Append(float64(i) * 1.25)
		b.Field(5).(*array.StringBuilder).Append(fmt.Sprintf("user-%d", i))
		b.Field(6).(*array.StringBuilder).Append([]string{"click", "view", "buy"}[i%3])
	}
	rec := b.NewRecordBatch()
	defer rec.Release()

	cols := []int{0, 1, 2, 3, 4, 5, 6}
	var buf bytes.Buffer
	props := pq.NewWriterProperties(append([]pq.WriterProperty{pq.WithStats(true)}, parquet.EncodingChoices(rec, cols)...)...)
	fw, err := parquet.NewFileWriter(sc, &buf, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		t.Fatal(err)
	}
	if err := fw.WriteBuffered(rec); err != nil {
		t.Fatal(err)
	}
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	rd, err := pqfile.NewParquetReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	want := map[string]pq.Encoding{
		"id": pq.Encodings.DeltaBinaryPacked, "few": pq.Encodings.RLEDict, "day": pq.Encodings.DeltaBinaryPacked,
		"ts": pq.Encodings.DeltaBinaryPacked, "x": pq.Encodings.Plain, "name": pq.Encodings.Plain, "kind": pq.Encodings.RLEDict,
	}
	for i, f := range sc.Fields() {
		cc, err := rd.MetaData().RowGroup(0).ColumnChunk(i)
		if err != nil {
			t.Fatal(err)
		}
		var data []pq.Encoding
		for _, s := range cc.EncodingStats() {
			if int64(s.PageType) != 2 { // not the dictionary page
				data = append(data, s.Encoding)
			}
		}
		if len(data) == 0 || slices.ContainsFunc(data, func(e pq.Encoding) bool { return e != want[f.Name] }) {
			t.Errorf("column %s: data pages encoded %v, want all %v", f.Name, data, want[f.Name])
		}
	}

	// The file reads back as written.
	got, err := pqarrow.ReadTable(t.Context(), bytes.NewReader(buf.Bytes()), pq.NewReaderProperties(memory.DefaultAllocator), pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	defer got.Release()
	for i := range sc.NumFields() {
		g, err := array.Concatenate(got.Column(i).Data().Chunks(), memory.DefaultAllocator)
		if err != nil {
			t.Fatal(err)
		}
		if !array.Equal(g, rec.Column(i)) {
			t.Errorf("column %s does not read back as written", sc.Field(i).Name)
		}
		g.Release()
	}
}

// TestEncodingChoicesSmallBatch: a batch too short to judge by keeps the
// writer's defaults.
func TestEncodingChoicesSmallBatch(t *testing.T) {
	b := array.NewRecordBuilder(memory.DefaultAllocator, arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int64}}, nil))
	defer b.Release()
	for i := range 100 {
		b.Field(0).(*array.Int64Builder).Append(int64(i))
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	if got := parquet.EncodingChoices(rec, []int{0}); got != nil {
		t.Errorf("EncodingChoices of 100 rows = %d properties, want none", len(got))
	}
}
