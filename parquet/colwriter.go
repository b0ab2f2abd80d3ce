package parquet

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/flight"
	pq "github.com/apache/arrow-go/v18/parquet"
	pqfile "github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
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
// with each column encoded and compressed by its own goroutine: the columns
// of a buffered row group have independent writers and page buffers, so a
// column runs ahead of the others until the row group ends (the only
// barrier). The file is the same as pqarrow's (ARROW:schema stored).
type parallelFileWriter struct {
	base   *pqfile.Writer
	rg     pqfile.BufferedRowGroupWriter
	rgRows int64
	maxRG  int64
	sc     *arrow.Schema
	ctxs   []context.Context
	defs   [][]int16

	jobs    []chan arrow.Array // per column: slices to encode (released by the worker)
	pending sync.WaitGroup     // slices sent and not yet encoded
	workers sync.WaitGroup
	errMu   sync.Mutex
	err     error // the first encoding error
	closed  bool
}

// colQueue is how many batches a column may lag behind the input.
const colQueue = 8

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
	p := &parallelFileWriter{base: base, maxRG: props.MaxRowGroupLength(), sc: sc}
	p.ctxs = make([]context.Context, sc.NumFields())
	p.defs = make([][]int16, sc.NumFields())
	p.jobs = make([]chan arrow.Array, sc.NumFields())
	for i := range p.ctxs {
		p.ctxs[i] = pqarrow.NewArrowWriteContext(context.Background(), &arrProps)
		p.jobs[i] = make(chan arrow.Array, colQueue)
		p.workers.Add(1)
		go p.work(i)
	}
	return p, nil
}

// work encodes the slices of column i until its queue is closed. After an
// error it only releases what it is sent.
func (p *parallelFileWriter) work(i int) {
	defer p.workers.Done()
	for arr := range p.jobs[i] {
		if p.failed() == nil {
			if err := p.writeColumn(i, arr); err != nil {
				p.fail(fmt.Errorf("column %q: %w", p.sc.Field(i).Name, err))
			}
		}
		arr.Release()
		p.pending.Done()
	}
}

func (p *parallelFileWriter) failed() error {
	p.errMu.Lock()
	defer p.errMu.Unlock()
	return p.err
}

func (p *parallelFileWriter) fail(err error) {
	p.errMu.Lock()
	defer p.errMu.Unlock()
	if p.err == nil {
		p.err = err
	}
}

// WriteBuffered queues rec's columns for encoding into the current row
// group, starting new ones at the maximum row-group length. An encoding
// error is returned by a later call or by Close.
func (p *parallelFileWriter) WriteBuffered(rec arrow.RecordBatch) error {
	if !rec.Schema().Equal(p.sc) {
		return fmt.Errorf("record schema %s does not match the file's %s", rec.Schema(), p.sc)
	}
	if p.closed {
		return fmt.Errorf("parquet file writer already closed")
	}
	if err := p.failed(); err != nil {
		return err
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
		for i := 0; i < int(rec.NumCols()); i++ {
			col := rec.Column(i)
			var arr arrow.Array
			if off != 0 || m != int64(col.Len()) {
				arr = array.NewSlice(col, off, off+m)
			} else {
				col.Retain()
				arr = col
			}
			p.pending.Add(1)
			p.jobs[i] <- arr
		}
		p.rgRows += m
		off += m
		if p.rgRows >= p.maxRG {
			if err := p.closeRowGroup(); err != nil {
				return err
			}
		}
	}
	return nil
}

// closeRowGroup waits for every column of the current row group and
// closes it.
func (p *parallelFileWriter) closeRowGroup() error {
	p.pending.Wait()
	if err := p.failed(); err != nil {
		return err
	}
	rg := p.rg
	p.rg = nil
	return rg.Close()
}

func (p *parallelFileWriter) writeColumn(i int, arr arrow.Array) error {
	cw, err := p.rg.Column(i)
	if err != nil {
		return err
	}
	m := arr.Len()
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

// Close finishes the row group, stops the column goroutines and writes
// the footer (or, after an error, returns it).
func (p *parallelFileWriter) Close() error {
	if p.closed {
		return fmt.Errorf("parquet file writer already closed")
	}
	p.closed = true
	var err error
	if p.rg != nil {
		err = p.closeRowGroup()
	}
	p.pending.Wait()
	for _, ch := range p.jobs {
		close(ch)
	}
	p.workers.Wait()
	if err == nil {
		err = p.failed()
	}
	if err != nil {
		p.base.Close()
		return err
	}
	return p.base.Close()
}
