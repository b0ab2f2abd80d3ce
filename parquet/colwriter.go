package parquet

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"runtime"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/flight"
	pq "github.com/apache/arrow-go/v18/parquet"
	pqfile "github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"golang.org/x/sync/errgroup"
)

// recordFileWriter writes record batches into one Parquet file.
type recordFileWriter interface {
	WriteBuffered(rec arrow.RecordBatch) error
	Close() error
}

// flatSchema reports whether every column is a single Parquet leaf, which
// parallelFileWriter handles.
func flatSchema(sc *arrow.Schema) bool {
	for _, f := range sc.Fields() {
		switch f.Type.(type) {
		case arrow.NestedType, arrow.ExtensionType:
			return false
		}
		if d, ok := f.Type.(*arrow.DictionaryType); ok {
			if _, nested := d.ValueType.(arrow.NestedType); nested {
				return false
			}
		}
	}
	return true
}

// parallelFileWriter is pqarrow.FileWriter.WriteBuffered for flat schemas
// with the columns of each batch encoded and compressed in parallel: the
// columns of a buffered row group have independent writers and page
// buffers. The file is the same as pqarrow's (ARROW:schema stored).
type parallelFileWriter struct {
	base   *pqfile.Writer
	rg     pqfile.BufferedRowGroupWriter
	rgRows int64
	maxRG  int64
	sc     *arrow.Schema
	ctxs   []context.Context
	defs   [][]int16
	limit  int
}

func newParallelFileWriter(sc *arrow.Schema, w io.Writer, props *pq.WriterProperties, arrProps pqarrow.ArrowWriterProperties) (*parallelFileWriter, error) {
	pqs, err := pqarrow.ToParquet(sc, props, arrProps)
	if err != nil {
		return nil, err
	}
	meta := make(metadata.KeyValueMetadata, 0)
	md := sc.Metadata()
	for i, k := range md.Keys() {
		meta.Append(k, md.Values()[i])
	}
	meta.Append("ARROW:schema", base64.StdEncoding.EncodeToString(flight.SerializeSchema(sc, props.Allocator())))
	base, err := pqfile.NewParquetWriterWithError(w, pqs.Root(), pqfile.WithWriterProps(props), pqfile.WithWriteMetadata(meta))
	if err != nil {
		return nil, err
	}
	p := &parallelFileWriter{base: base, maxRG: props.MaxRowGroupLength(), sc: sc, limit: runtime.GOMAXPROCS(0)}
	p.ctxs = make([]context.Context, sc.NumFields())
	p.defs = make([][]int16, sc.NumFields())
	for i := range p.ctxs {
		p.ctxs[i] = pqarrow.NewArrowWriteContext(context.Background(), &arrProps)
	}
	return p, nil
}

// WriteBuffered appends rec to the current row group, starting new ones at
// the maximum row-group length.
func (p *parallelFileWriter) WriteBuffered(rec arrow.RecordBatch) error {
	if !rec.Schema().Equal(p.sc) {
		return fmt.Errorf("record schema %s does not match the file's %s", rec.Schema(), p.sc)
	}
	n := rec.NumRows()
	for off := int64(0); off < n; {
		if p.rg == nil {
			rg, err := p.base.AppendBufferedRowGroupChecked()
			if err != nil {
				return err
			}
			p.rg, p.rgRows = rg, 0
		}
		m := min(n-off, p.maxRG-p.rgRows)
		var g errgroup.Group
		g.SetLimit(p.limit)
		for i := 0; i < int(rec.NumCols()); i++ {
			g.Go(func() error { return p.writeColumn(i, rec.Column(i), off, m) })
		}
		if err := g.Wait(); err != nil {
			return err
		}
		p.rgRows += m
		off += m
		if p.rgRows >= p.maxRG {
			if err := p.rg.Close(); err != nil {
				return err
			}
			p.rg = nil
		}
	}
	return nil
}

func (p *parallelFileWriter) writeColumn(i int, col arrow.Array, off, m int64) error {
	cw, err := p.rg.Column(i)
	if err != nil {
		return err
	}
	arr := col
	if off != 0 || m != int64(col.Len()) {
		arr = array.NewSlice(col, off, off+m)
		defer arr.Release()
	}
	nullable := p.sc.Field(i).Nullable
	var defs []int16
	if nullable {
		if cap(p.defs[i]) < int(m) {
			p.defs[i] = make([]int16, m)
		}
		defs = p.defs[i][:m]
		if arr.NullN() == 0 {
			for j := range defs {
				defs[j] = 1
			}
		} else {
			for j := range defs {
				if arr.IsValid(j) {
					defs[j] = 1
				} else {
					defs[j] = 0
				}
			}
		}
	}
	return pqarrow.WriteArrowToColumn(p.ctxs[i], cw, arr, defs, nil, nullable)
}

// Close finishes the row group and writes the footer.
func (p *parallelFileWriter) Close() error {
	if p.rg != nil {
		if err := p.rg.Close(); err != nil {
			p.base.Close()
			return err
		}
		p.rg = nil
	}
	return p.base.Close()
}
