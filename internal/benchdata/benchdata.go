// Package benchdata builds the tables the load benchmarks share, so the
// local (iomanager) and S3 (backends/s3) runs measure the same data.
package benchdata

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// EventsSchema is the schema of Events: id int64, value float64, category
// string.
var EventsSchema = arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "value", Type: arrow.PrimitiveTypes.Float64}, {Name: "category", Type: arrow.BinaryTypes.String}}, nil)

// Events returns partition number part of the benchmark's events table:
// rows rows with ids part·rows…, values i/4 and four categories in turn,
// as a reader over one batch. The caller releases it.
func Events(part, rows int) array.RecordReader {
	bld := array.NewRecordBuilder(memory.DefaultAllocator, EventsSchema)
	defer bld.Release()
	cats := []string{"alpha", "beta", "gamma", "delta"}
	for i := 0; i < rows; i++ {
		bld.Field(0).(*array.Int64Builder).Append(int64(part*rows + i))
		bld.Field(1).(*array.Float64Builder).Append(float64(i) * 0.25)
		bld.Field(2).(*array.StringBuilder).Append(cats[i%4])
	}
	rec := bld.NewRecordBatch()
	defer rec.Release()
	rr, _ := array.NewRecordReader(EventsSchema, []arrow.RecordBatch{rec})
	return rr
}
