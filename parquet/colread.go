package parquet

import (
	"context"
	"fmt"
	"math"
	"sync"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pq "github.com/apache/arrow-go/v18/parquet"
	pqfile "github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	pqschema "github.com/apache/arrow-go/v18/parquet/schema"
)

// columnStream yields one column of one row group as arrays of a given
// length, in row order.
type columnStream interface {
	// next returns the next n rows (n > 0, at most the rows left).
	next(n int64) (arrow.Array, error)
	release()
}

// openColumn returns the stream of top-level field fi of fr in row group
// rg. Flat columns of the common types (integers, floats, timestamps,
// dates, strings, binary; at most one definition level) are decoded by
// fixedStream and bytesStream straight into Arrow buffers; everything else
// goes through pqarrow's column reader.
func openColumn(ctx context.Context, fr *pqarrow.FileReader, fi, rg int, mem memory.Allocator) (columnStream, error) {
	sf := &fr.Manifest.Fields[fi]
	if sf.IsLeaf() {
		rgr := fr.ParquetReader().RowGroup(rg)
		descr := fr.ParquetReader().MetaData().Schema.Column(sf.ColIndex)
		if kind := fastKind(sf.Field.Type, descr); kind != fastNone {
			cr, err := rgr.Column(sf.ColIndex)
			if err != nil {
				return nil, err
			}
			return newFastStream(kind, sf.Field.Type, cr, descr.MaxDefinitionLevel(), mem, rgr, sf.ColIndex)
		}
	}
	leaves := map[int]bool{}
	for _, l := range appendLeaves(nil, sf) {
		leaves[l] = true
	}
	cr, err := fr.GetFieldReader(ctx, fi, leaves, []int{rg})
	if err != nil {
		return nil, err
	}
	return &arrowStream{cr: cr, mem: mem}, nil
}

// arrowStream is pqarrow's reader of one field.
type arrowStream struct {
	cr  *pqarrow.ColumnReader
	mem memory.Allocator
}

func (s *arrowStream) next(n int64) (arrow.Array, error) {
	ch, err := s.cr.NextBatch(n)
	if err != nil {
		return nil, err
	}
	defer ch.Release()
	if int64(ch.Len()) != n {
		return nil, fmt.Errorf("column %q: read %d rows, want %d", s.cr.Field().Name, ch.Len(), n)
	}
	if len(ch.Chunks()) == 1 {
		a := ch.Chunk(0)
		a.Retain()
		return a, nil
	}
	return array.Concatenate(ch.Chunks(), s.mem)
}

func (s *arrowStream) release() { s.cr.Release() }

type fastType int

const (
	fastNone  fastType = iota
	fast32             // INT32 or FLOAT: 4-byte values
	fast64             // INT64 or DOUBLE: 8-byte values
	fastBytes          // BYTE_ARRAY as string or binary
)

// fastKind says whether Arrow type dt reads from the flat Parquet column
// descr without conversion, and how.
func fastKind(dt arrow.DataType, descr *pqschema.Column) fastType {
	if descr.MaxRepetitionLevel() != 0 || descr.MaxDefinitionLevel() > 1 {
		return fastNone
	}
	phys := descr.PhysicalType()
	intOf := func(bits int8) bool {
		switch lt := descr.LogicalType().(type) {
		case nil, pqschema.NoLogicalType:
			return true
		case pqschema.IntLogicalType:
			return lt.BitWidth() == bits && lt.IsSigned()
		}
		return false
	}
	switch dt.ID() {
	case arrow.INT32:
		if phys == pq.Types.Int32 && intOf(32) {
			return fast32
		}
	case arrow.INT64:
		if phys == pq.Types.Int64 && intOf(64) {
			return fast64
		}
	case arrow.FLOAT32:
		if phys == pq.Types.Float {
			return fast32
		}
	case arrow.FLOAT64:
		if phys == pq.Types.Double {
			return fast64
		}
	case arrow.DATE32:
		if _, ok := descr.LogicalType().(pqschema.DateLogicalType); ok && phys == pq.Types.Int32 {
			return fast32
		}
	case arrow.TIMESTAMP:
		lt, ok := descr.LogicalType().(pqschema.TimestampLogicalType)
		if !ok || phys != pq.Types.Int64 {
			return fastNone
		}
		unit := map[pqschema.TimeUnitType]arrow.TimeUnit{
			pqschema.TimeUnitMillis: arrow.Millisecond, pqschema.TimeUnitMicros: arrow.Microsecond, pqschema.TimeUnitNanos: arrow.Nanosecond,
		}
		if u, ok := unit[lt.TimeUnit()]; ok && u == dt.(*arrow.TimestampType).Unit {
			return fast64
		}
	case arrow.STRING, arrow.BINARY:
		if phys == pq.Types.ByteArray {
			switch descr.LogicalType().(type) {
			case nil, pqschema.NoLogicalType, pqschema.StringLogicalType:
				return fastBytes
			}
		}
	}
	return fastNone
}

func newFastStream(kind fastType, dt arrow.DataType, cr pqfile.ColumnChunkReader, maxDef int16, mem memory.Allocator, rgr *pqfile.RowGroupReader, col int) (columnStream, error) {
	switch kind {
	case fast32:
		s := &fixedStream[int32]{dt: dt, maxDef: maxDef, mem: mem, cr: cr}
		switch r := cr.(type) {
		case *pqfile.Int32ColumnChunkReader:
			s.read = r.ReadBatch
		case *pqfile.Float32ColumnChunkReader:
			s.read = func(n int64, v []int32, d, rep []int16) (int64, int, error) {
				return r.ReadBatch(n, unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(v))), len(v)), d, rep)
			}
		}
		if s.read == nil {
			cr.Close()
			return nil, fmt.Errorf("no 4-byte reader for %s in a %T", dt, cr)
		}
		return s, nil
	case fast64:
		s := &fixedStream[int64]{dt: dt, maxDef: maxDef, mem: mem, cr: cr}
		switch r := cr.(type) {
		case *pqfile.Int64ColumnChunkReader:
			s.read = r.ReadBatch
		case *pqfile.Float64ColumnChunkReader:
			s.read = func(n int64, v []int64, d, rep []int16) (int64, int, error) {
				return r.ReadBatch(n, unsafe.Slice((*float64)(unsafe.Pointer(unsafe.SliceData(v))), len(v)), d, rep)
			}
		}
		if s.read == nil {
			cr.Close()
			return nil, fmt.Errorf("no 8-byte reader for %s in a %T", dt, cr)
		}
		return s, nil
	case fastBytes:
		s := &bytesStream{dt: dt, maxDef: maxDef, mem: mem, cr: cr.(*pqfile.ByteArrayColumnChunkReader)}
		if cc, err := rgr.MetaData().ColumnChunk(col); err == nil && rgr.NumRows() > 0 {
			// Plain pages: 4 length bytes per value, then the value.
			s.bytesPerRow = max(0, float64(cc.TotalUncompressedSize())/float64(rgr.NumRows())-4)
		}
		return s, nil
	}
	return nil, fmt.Errorf("no fast reader for %s", dt)
}

// fixedStream decodes 4- or 8-byte values (T is int32 or int64 for their
// bits) into the values buffer of the output array.
type fixedStream[T int32 | int64] struct {
	dt     arrow.DataType
	maxDef int16
	mem    memory.Allocator
	read   func(n int64, vals []T, defs, reps []int16) (int64, int, error)
	cr     pqfile.ColumnChunkReader
	defs   []int16
}

func (s *fixedStream[T]) next(n int64) (arrow.Array, error) {
	vbuf := memory.NewResizableBuffer(s.mem)
	vbuf.Resize(int(n) * int(unsafe.Sizeof(T(0))))
	vals := unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(vbuf.Bytes()))), n)
	var defs []int16
	if s.maxDef > 0 {
		if int64(cap(s.defs)) < n {
			s.defs = make([]int16, n)
		}
		defs = s.defs[:n]
	}
	total, nvals, err := s.read(n, vals, defs, nil)
	if err == nil && total != n {
		err = fmt.Errorf("column chunk ended after %d of %d rows", total, n)
	}
	if err != nil {
		vbuf.Release()
		return nil, err
	}
	var valid *memory.Buffer
	nulls := int(n) - nvals
	if nulls > 0 {
		valid = validity(defs, s.maxDef, s.mem)
		// Values came dense; spread them to their rows from the back.
		j := nvals - 1
		for i := int(n) - 1; i >= 0 && i > j; i-- {
			if defs[i] == s.maxDef {
				vals[i] = vals[j]
				j--
			} else {
				vals[i] = 0
			}
		}
	}
	data := array.NewData(s.dt, int(n), []*memory.Buffer{valid, vbuf}, nil, nulls, 0)
	vbuf.Release()
	if valid != nil {
		valid.Release()
	}
	defer data.Release()
	return array.MakeFromData(data), nil
}

func (s *fixedStream[T]) release() { s.cr.Close() }

// validity builds the validity bitmap of definition levels.
func validity(defs []int16, maxDef int16, mem memory.Allocator) *memory.Buffer {
	buf := memory.NewResizableBuffer(mem)
	buf.Resize(int(bitutil.BytesForBits(int64(len(defs)))))
	bits := buf.Bytes()
	for i, d := range defs {
		if d == maxDef {
			bitutil.SetBit(bits, i)
		}
	}
	return buf
}

// bytesStream decodes BYTE_ARRAY values (plain or dictionary pages) into
// the offsets and data buffers of a string or binary array, a page at a
// time (a page's values point into its buffer, which the next page
// reuses).
type bytesStream struct {
	dt          arrow.DataType
	maxDef      int16
	mem         memory.Allocator
	cr          *pqfile.ByteArrayColumnChunkReader
	bytesPerRow float64 // uncompressed chunk bytes per row: the first guess of a batch's data size
	defs        []int16
	vals        []pq.ByteArray
}

func (s *bytesStream) next(n int64) (arrow.Array, error) {
	if int64(cap(s.vals)) < n {
		s.vals = make([]pq.ByteArray, n)
		s.defs = make([]int16, n)
	}
	offBuf := memory.NewResizableBuffer(s.mem)
	offBuf.Resize(int(n+1) * 4)
	offsets := arrow.Int32Traits.CastFromBytes(offBuf.Bytes())
	dataBuf := memory.NewResizableBuffer(s.mem)
	dataBuf.Reserve(int(s.bytesPerRow*float64(n)) + 64)
	var valid *memory.Buffer
	release := func() {
		offBuf.Release()
		dataBuf.Release()
		if valid != nil {
			valid.Release()
		}
	}
	var defs []int16
	if s.maxDef > 0 {
		defs = s.defs[:n]
	}
	data := dataBuf.Buf()[:0]
	nulls := 0
	for pos := int64(0); pos < n; {
		var d []int16
		if defs != nil {
			d = defs[pos:]
		}
		lv, nv, err := s.cr.ReadBatchInPage(n-pos, s.vals[:n-pos], d, nil)
		if err == nil && lv == 0 {
			err = s.cr.Err()
			if err == nil {
				err = fmt.Errorf("column chunk ended after %d of %d rows", pos, n)
			}
		}
		if err != nil {
			release()
			return nil, err
		}
		vals := s.vals[:nv]
		size := len(data)
		for _, v := range vals {
			size += len(v)
		}
		if size > math.MaxInt32 {
			release()
			return nil, fmt.Errorf("%d bytes of %s values in %d rows exceed 2 GiB; read with a smaller BatchSize", size, s.dt, n)
		}
		if size > cap(data) {
			dataBuf.ResizeNoShrink(len(data))
			dataBuf.Reserve(max(size, 2*cap(data)))
			data = dataBuf.Buf()[:len(data)]
		}
		if int64(nv) == lv {
			for k, v := range vals {
				offsets[pos+int64(k)] = int32(len(data))
				data = append(data, v...)
			}
		} else {
			if valid == nil {
				// The first null: every earlier row was valid.
				valid = memory.NewResizableBuffer(s.mem)
				valid.Resize(int(bitutil.BytesForBits(n)))
				bitutil.SetBitsTo(valid.Bytes(), 0, pos, true)
			}
			bits := valid.Bytes()
			j := 0
			for k := int64(0); k < lv; k++ {
				offsets[pos+k] = int32(len(data))
				if d[k] == s.maxDef {
					bitutil.SetBit(bits, int(pos+k))
					data = append(data, vals[j]...)
					j++
				}
			}
			nulls += int(lv) - nv
		}
		if valid != nil && int64(nv) == lv {
			bitutil.SetBitsTo(valid.Bytes(), pos, lv, true)
		}
		pos += lv
	}
	offsets[n] = int32(len(data))
	dataBuf.ResizeNoShrink(len(data))
	ad := array.NewData(s.dt, int(n), []*memory.Buffer{valid, offBuf, dataBuf}, nil, nulls, 0)
	release()
	defer ad.Release()
	return array.MakeFromData(ad), nil
}

func (s *bytesStream) release() { s.cr.Close() }

// colAhead is how many batches a column's decoder may run ahead of the
// slowest column of its row group.
const colAhead = 2

// fileColumns are the top-level fields of a file that a read decodes.
type fileColumns struct {
	idx    []int         // indices in the file's Arrow schema
	schema *arrow.Schema // those fields
}

// fileDecode decodes row groups of one open file into batches: the
// machinery Read (per dataset file) and OpenFile share.
type fileDecode struct {
	fr    *pqarrow.FileReader
	cols  *fileColumns
	uri   string // the file's URI, for errors
	batch int64  // rows per batch
	mem   memory.Allocator
	// conc bounds the row groups decoded at once; sem holds the decoder
	// slots besides the file's own (see readRowGroups).
	conc int
	sem  chan struct{}
	// finish turns a decoded batch of n rows into the batch to send, or nil
	// to drop it; it must not keep rec. Nil finish sends rec itself.
	finish func(ctx context.Context, rec arrow.RecordBatch, n int64) (arrow.RecordBatch, error)
}

// readRowGroup decodes the columns of row group rg, each on its own
// goroutine in batches of f.batch rows, and sends the finished batches to
// out in row order. A column runs at most colAhead batches ahead of the
// slowest.
func (f *fileDecode) readRowGroup(ctx context.Context, rg int, out chan readResult) error {
	fr, cols := f.fr, f.cols
	nrows := fr.ParquetReader().MetaData().RowGroup(rg).NumRows()
	sc := cols.schema
	batch := f.batch
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// Column i is opened (its chunk read) and decoded by its own goroutine;
	// its arrays arrive on arrays[i]. After a failure the goroutine records
	// errs[i] and closes the channel.
	arrays := make([]chan arrow.Array, len(cols.idx))
	errs := make([]error, len(cols.idx))
	var wg sync.WaitGroup
	for i, fi := range cols.idx {
		arrays[i] = make(chan arrow.Array, colAhead)
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(arrays[i])
			s, err := openColumn(ctx, fr, fi, rg, f.mem)
			if err != nil {
				errs[i] = err
				return
			}
			defer s.release()
			for off := int64(0); off < nrows; off += batch {
				a, err := s.next(min(batch, nrows-off))
				if err != nil {
					errs[i] = err
					return
				}
				select {
				case arrays[i] <- a:
				case <-ctx.Done():
					a.Release()
					return
				}
			}
		}()
	}
	defer func() {
		cancel()
		for _, ch := range arrays {
			for a := range ch {
				a.Release()
			}
		}
		wg.Wait()
	}()
	arrs := make([]arrow.Array, len(cols.idx))
	for off := int64(0); off < nrows; off += batch {
		n := min(batch, nrows-off)
		for i, ch := range arrays {
			a, ok := <-ch
			if !ok {
				for _, a := range arrs[:i] {
					a.Release()
				}
				err := errs[i]
				if err == nil {
					err = ctx.Err()
				}
				return fmt.Errorf("%s: row group %d: column %q: %w", f.uri, rg, sc.Field(i).Name, err)
			}
			arrs[i] = a
		}
		rec := array.NewRecordBatch(sc, arrs, n)
		for _, a := range arrs {
			a.Release()
		}
		res := rec
		if f.finish != nil {
			var err error
			res, err = f.finish(ctx, rec, n)
			rec.Release()
			if err != nil {
				return err
			}
			if res == nil {
				continue
			}
		}
		select {
		case out <- readResult{rec: res}:
		case <-ctx.Done():
			res.Release()
			return ctx.Err()
		}
	}
	return ctx.Err()
}
