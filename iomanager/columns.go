package iomanager

import (
	"context"
	"math"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// constColumn returns a string array of n copies of v, built as two
// buffers (offsets i·len(v), v repeated) rather than n appends. Columns
// whose characters would overflow 32-bit offsets are built by appending,
// which fails the way any too-large string array does.
func constColumn(mem memory.Allocator, v string, n int) arrow.Array {
	if int64(n)*int64(len(v)) >= math.MaxInt32 {
		b := array.NewStringBuilder(mem)
		defer b.Release()
		for i := 0; i < n; i++ {
			b.Append(v)
		}
		return b.NewArray()
	}
	offsets := memory.NewResizableBuffer(mem)
	offsets.Resize(arrow.Int32Traits.BytesRequired(n + 1))
	offs := arrow.Int32Traits.CastFromBytes(offsets.Bytes())
	for i := range offs {
		offs[i] = int32(i * len(v))
	}
	data := memory.NewResizableBuffer(mem)
	data.Resize(n * len(v))
	if db := data.Bytes(); len(db) > 0 {
		copy(db, v)
		for filled := len(v); filled < len(db); filled *= 2 {
			copy(db[filled:], db[:filled])
		}
	}
	d := array.NewData(arrow.BinaryTypes.String, n, []*memory.Buffer{nil, offsets, data}, nil, 0, 0)
	offsets.Release()
	data.Release()
	defer d.Release()
	return array.NewStringData(d)
}

// appendConstColumns returns sc with a string field per column of add.
func appendConstColumns(sc *arrow.Schema, add []partCol) *arrow.Schema {
	fields := append([]arrow.Field(nil), sc.Fields()...)
	for _, c := range add {
		fields = append(fields, arrow.Field{Name: c.col, Type: arrow.BinaryTypes.String})
	}
	md := sc.Metadata()
	return arrow.NewSchema(fields, &md)
}

// withConstColumns returns rec with the columns of add appended (schema sc,
// from appendConstColumns).
func withConstColumns(rec arrow.RecordBatch, sc *arrow.Schema, add []partCol, mem memory.Allocator) arrow.RecordBatch {
	n := int(rec.NumRows())
	cols := append([]arrow.Array(nil), rec.Columns()...)
	var made []arrow.Array
	for _, c := range add {
		a := constColumn(mem, c.value, n)
		made = append(made, a)
		cols = append(cols, a)
	}
	out := array.NewRecordBatch(sc, cols, rec.NumRows())
	for _, a := range made {
		a.Release()
	}
	return out
}

// constColumnsReader appends constant columns to every batch of a reader.
type constColumnsReader struct {
	refs atomic.Int64
	rr   array.RecordReader
	sc   *arrow.Schema
	add  []partCol
	mem  memory.Allocator
	cur  arrow.RecordBatch
}

func newConstColumnsReader(rr array.RecordReader, add []partCol, mem memory.Allocator) array.RecordReader {
	r := &constColumnsReader{rr: rr, sc: appendConstColumns(rr.Schema(), add), add: add, mem: mem}
	r.refs.Store(1)
	return r
}

func (r *constColumnsReader) Retain() { r.refs.Add(1) }
func (r *constColumnsReader) Release() {
	if r.refs.Add(-1) == 0 && r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
}
func (r *constColumnsReader) Schema() *arrow.Schema          { return r.sc }
func (r *constColumnsReader) Err() error                     { return r.rr.Err() }
func (r *constColumnsReader) RecordBatch() arrow.RecordBatch { return r.cur }
func (r *constColumnsReader) Record() arrow.RecordBatch      { return r.cur }
func (r *constColumnsReader) Next() bool {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	if !r.rr.Next() {
		return false
	}
	r.cur = withConstColumns(r.rr.RecordBatch(), r.sc, r.add, r.mem)
	return true
}

// projector turns a loaded batch into the requested shape: partition
// columns added, filters applied, columns projected.
type projector struct {
	add     []partCol     // partition columns to append
	addSc   *arrow.Schema // file schema + add
	filters []*boundFilter
	keep    []int // indices into addSc of the output columns; nil: all
	out     *arrow.Schema
	mem     memory.Allocator
}

func (p *projector) release() {
	for _, f := range p.filters {
		f.release()
	}
}

func (p *projector) apply(ctx context.Context, rec arrow.RecordBatch) (arrow.RecordBatch, error) {
	cur := rec
	cur.Retain()
	if len(p.add) > 0 {
		next := withConstColumns(cur, p.addSc, p.add, p.mem)
		cur.Release()
		cur = next
	}
	if len(p.filters) > 0 {
		next, err := filterBatch(compute.WithAllocator(ctx, p.mem), cur, p.filters)
		cur.Release()
		if err != nil {
			return nil, err
		}
		cur = next
	}
	if p.keep != nil {
		cols := make([]arrow.Array, len(p.keep))
		for i, k := range p.keep {
			cols[i] = cur.Column(k)
		}
		next := array.NewRecordBatch(p.out, cols, cur.NumRows())
		cur.Release()
		cur = next
	}
	return cur, nil
}
