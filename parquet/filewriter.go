package parquet

import (
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// FileWriter writes record batches into one Parquet file, buffering a row
// group until it reaches the properties' maximum length.
type FileWriter interface {
	// WriteBuffered appends a batch to the current row group.
	WriteBuffered(rec arrow.RecordBatch) error
	// Close flushes the last row group and writes the footer. It does not
	// close the underlying writer.
	Close() error
}

// NewFileWriter returns the writer the dataset store itself uses for one
// file: for schemas of flat columns, each column encoded and compressed by
// its own goroutine (the file is the same as pqarrow.FileWriter's), else
// pqarrow.FileWriter. w is never closed by it.
func NewFileWriter(sc *arrow.Schema, w io.Writer, props *pq.WriterProperties, arrProps pqarrow.ArrowWriterProperties) (FileWriter, error) {
	sink := struct{ io.Writer }{w} // pqarrow closes an io.Closer sink: hide it
	if flatSchema(sc) {
		return newParallelFileWriter(sc, sink, props, arrProps)
	}
	return pqarrow.NewFileWriter(sc, sink, props, arrProps)
}
