package parquet

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"path"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/remotestore/remotestore/store"
)

// txn is one Write in progress: the files it has written and where.
type txn struct {
	d      *DatasetStore
	ds     *store.Store // the dataset folder
	uri    string
	id     string // random, in every file name of this write
	opts   WriteOptions
	layout Layout
	stage  bool // write under _remotestore/staging/<id>/ and move into place

	schema     *arrow.Schema // the dataset's schema after this write (input cast to it)
	fileSchema *arrow.Schema // schema of the data files: schema minus partition columns
	partIdx    []int         // partition columns in schema
	dataIdx    []int         // data columns in schema
	popts      []pq.WriterProperty
	tuned      bool // dictionary choices made from the first batch
	props      *pq.WriterProperties
	arrProps   pqarrow.ArrowWriterProperties

	rsBase  *snapshot              // remote-store layout: the dataset being replaced or appended to
	open    map[string]*fileWriter // by partition folder
	tick    int64
	seq     int
	written []writtenFile
	rows    int64
}

// writtenFile is a committed data file of this write (still staged when
// stage is set).
type writtenFile struct {
	final, staged string
	partition     string
	rows, bytes   int64
}

type fileWriter struct {
	w         *store.Writer
	fw        recordFileWriter
	final     string
	staged    string
	partition string
	rows      int64
	lastUse   int64
}

func newTxnID() string {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b[:])
}

func (t *txn) init(schema *arrow.Schema) error {
	t.schema = schema
	for _, col := range t.opts.PartitionBy {
		idx := schema.FieldIndices(col)
		if len(idx) == 0 {
			return fmt.Errorf("partition column %q is not in the data (columns: %v)", col, fieldNames(schema))
		}
		if err := checkPartitionType(schema.Field(idx[0]).Type); err != nil {
			return fmt.Errorf("partition column %q: %w", col, err)
		}
		t.partIdx = append(t.partIdx, idx[0])
	}
	t.fileSchema, t.dataIdx = withoutColumns(schema, t.opts.PartitionBy)
	if len(t.dataIdx) == 0 {
		return fmt.Errorf("every column is a partition column; nothing is left to store in the files")
	}
	codec, err := t.opts.Compression.codec()
	if err != nil {
		return err
	}
	t.popts = []pq.WriterProperty{
		pq.WithAllocator(t.d.mem),
		pq.WithCompression(codec),
		pq.WithMaxRowGroupLength(t.opts.RowGroupSize),
		pq.WithStats(true),
		pq.WithCreatedBy("remotestore parquet (arrow-go v18)"),
	}
	level := t.opts.CompressionLevel
	if level == 0 && t.opts.Compression == Zstd {
		level = 1 // Arrow C++'s (pyarrow's) zstd default; arrow-go's would be 3
	}
	if level != 0 {
		t.popts = append(t.popts, pq.WithCompressionLevel(level))
	}
	t.props = pq.NewWriterProperties(t.popts...)
	t.arrProps = pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema(), pqarrow.WithAllocator(t.d.mem))
	t.open = map[string]*fileWriter{}
	return nil
}

// writeAll reads rr to the end, writing every batch.
func (t *txn) writeAll(ctx context.Context, rr array.RecordReader) error {
	for rr.Next() {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := t.writeBatch(ctx, rr.RecordBatch()); err != nil {
			return err
		}
	}
	if err := rr.Err(); err != nil {
		return fmt.Errorf("reading the input: %w", err)
	}
	return t.closeAll()
}

// writeBatch routes one batch to its partitions' files.
func (t *txn) writeBatch(ctx context.Context, rec arrow.RecordBatch) error {
	if rec.NumRows() == 0 {
		return nil
	}
	rec, err := conform(ctx, rec, t.schema)
	if err != nil {
		return err
	}
	defer rec.Release()
	if !t.tuned {
		t.tuned = true
		t.props = pq.NewWriterProperties(append(t.popts, EncodingChoices(rec, t.dataIdx)...)...)
	}
	if len(t.partIdx) == 0 {
		return t.writeTo(ctx, "", t.project(rec))
	}
	groups, err := groupRows(rec, t.partIdx)
	if err != nil {
		return err
	}
	if len(groups) == 1 {
		return t.writeTo(ctx, groups[0].dir, t.project(rec))
	}
	for _, g := range groups {
		b := array.NewInt32Builder(t.d.mem)
		b.AppendValues(g.rows, nil)
		indices := b.NewArray()
		b.Release()
		data := t.project(rec)
		out, err := compute.Take(ctx, *compute.DefaultTakeOptions(), compute.NewDatumWithoutOwning(data), compute.NewDatumWithoutOwning(indices))
		data.Release()
		indices.Release()
		if err != nil {
			return fmt.Errorf("splitting partitions: %w", err)
		}
		sub := out.(*compute.RecordDatum).Value
		sub.Retain()
		out.Release()
		if err := t.writeTo(ctx, g.dir, sub); err != nil {
			return err
		}
	}
	return nil
}

// project returns the data columns of rec as a batch of fileSchema; the
// caller releases it (writeTo does).
func (t *txn) project(rec arrow.RecordBatch) arrow.RecordBatch {
	cols := make([]arrow.Array, len(t.dataIdx))
	for i, j := range t.dataIdx {
		cols[i] = rec.Column(j)
	}
	return array.NewRecordBatch(t.fileSchema, cols, rec.NumRows())
}

// writeTo writes rec (and releases it) to the open file of partition dir,
// rolling files at MaxRowsPerFile.
func (t *txn) writeTo(ctx context.Context, dir string, rec arrow.RecordBatch) error {
	defer rec.Release()
	for off := int64(0); off < rec.NumRows(); {
		fw, err := t.fileFor(ctx, dir)
		if err != nil {
			return err
		}
		n := rec.NumRows() - off
		if m := t.opts.MaxRowsPerFile; m > 0 && fw.rows+n > m {
			n = m - fw.rows
		}
		part := rec
		if off != 0 || n != rec.NumRows() {
			part = rec.NewSlice(off, off+n)
		} else {
			part.Retain()
		}
		err = fw.fw.WriteBuffered(part)
		part.Release()
		if err != nil {
			return fmt.Errorf("encoding %s: %w", t.ds.URI(fw.final), err)
		}
		fw.rows += n
		off += n
		if m := t.opts.MaxRowsPerFile; m > 0 && fw.rows >= m {
			if err := t.finish(fw); err != nil {
				return err
			}
		}
	}
	return nil
}

// fileFor returns the open file of partition dir, opening one (and closing
// the least recently used past MaxOpenFiles) as needed.
func (t *txn) fileFor(ctx context.Context, dir string) (*fileWriter, error) {
	t.tick++
	if fw, ok := t.open[dir]; ok {
		fw.lastUse = t.tick
		return fw, nil
	}
	if len(t.open) >= t.opts.MaxOpenFiles {
		var lru *fileWriter
		for _, fw := range t.open {
			if lru == nil || fw.lastUse < lru.lastUse {
				lru = fw
			}
		}
		if err := t.finish(lru); err != nil {
			return nil, err
		}
	}
	final := t.fileName(dir)
	fw := &fileWriter{final: final, staged: final, partition: dir, lastUse: t.tick}
	if t.stage {
		fw.staged = path.Join(stagingDir, t.id, final)
	}
	// Names are unique to this write, except a new remote-store dataset's
	// Python-style names, which may replace leftovers of a failed write.
	wo := &store.WriteOptions{ContentType: "application/vnd.apache.parquet", Overwrite: t.layout == LayoutRemoteStore}
	w, err := t.ds.NewAtomicWriter(ctx, fw.staged, wo)
	if err != nil {
		return nil, err
	}
	// pqarrow closes its sink when it implements io.Closer; a Writer closed
	// without Commit aborts, so hand it a Write-only view and commit only
	// after pqarrow's Close has succeeded.
	var pw recordFileWriter
	if flatSchema(t.fileSchema) {
		pw, err = newParallelFileWriter(t.fileSchema, struct{ io.Writer }{w}, t.props, t.arrProps)
	} else {
		pw, err = pqarrow.NewFileWriter(t.fileSchema, struct{ io.Writer }{w}, t.props, t.arrProps)
	}
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("starting %s: %w", t.ds.URI(fw.staged), err)
	}
	fw.w, fw.fw = w, pw
	t.open[dir] = fw
	return fw, nil
}

// fileName is the final relative path of the next file in partition dir.
func (t *txn) fileName(dir string) string {
	t.seq++
	var name string
	if t.layout == LayoutRemoteStore {
		name = t.rsPartName(t.seq - 1)
	} else {
		name = fmt.Sprintf("part-%s-%05d.parquet", t.id, t.seq-1)
	}
	if dir == "" {
		return name
	}
	return dir + "/" + name
}

// finish closes one file's Parquet writer and commits it.
func (t *txn) finish(fw *fileWriter) error {
	delete(t.open, fw.partition)
	if err := fw.fw.Close(); err != nil {
		fw.w.Close()
		return fmt.Errorf("finishing %s: %w", t.ds.URI(fw.staged), err)
	}
	if err := fw.w.Commit(); err != nil {
		return err
	}
	t.written = append(t.written, writtenFile{final: fw.final, staged: fw.staged, partition: fw.partition, rows: fw.rows, bytes: fw.w.Written()})
	t.rows += fw.rows
	return nil
}

func (t *txn) closeAll() error {
	for len(t.open) > 0 {
		var first *fileWriter
		for _, fw := range t.open {
			if first == nil || fw.lastUse < first.lastUse {
				first = fw
			}
		}
		if err := t.finish(first); err != nil {
			return err
		}
	}
	return nil
}

// abort drops open files and deletes the committed ones of this write
// (best effort: a failure leaves files no manifest names).
func (t *txn) abort(ctx context.Context) {
	for _, fw := range t.open {
		fw.fw.Close()
		fw.w.Close()
	}
	t.open = nil
	ctx = context.WithoutCancel(ctx)
	for _, f := range t.written {
		t.ds.Delete(ctx, f.staged, &store.DeleteOptions{MissingOK: true})
		if f.final != f.staged {
			t.ds.Delete(ctx, f.final, &store.DeleteOptions{MissingOK: true})
		}
	}
	if t.stage {
		t.ds.DeleteFolder(ctx, path.Join(stagingDir, t.id))
	}
}

// conform casts rec to schema sc when their types or nullability differ
// (a widened append). It returns a new reference.
func conform(ctx context.Context, rec arrow.RecordBatch, sc *arrow.Schema) (arrow.RecordBatch, error) {
	if rec.Schema().Equal(sc) {
		rec.Retain()
		return rec, nil
	}
	if int(rec.NumCols()) != sc.NumFields() {
		return nil, fmt.Errorf("%w: batch has %d columns, the schema %d", ErrSchemaMismatch, rec.NumCols(), sc.NumFields())
	}
	cols := make([]arrow.Array, sc.NumFields())
	defer func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}()
	for i, f := range sc.Fields() {
		idx := rec.Schema().FieldIndices(f.Name)
		if len(idx) == 0 {
			return nil, fmt.Errorf("%w: batch lacks column %q", ErrSchemaMismatch, f.Name)
		}
		c := rec.Column(idx[0])
		if !f.Nullable && c.NullN() > 0 {
			return nil, fmt.Errorf("%w: column %q is not null in the schema but the batch has %d nulls", ErrSchemaMismatch, f.Name, c.NullN())
		}
		if arrow.TypeEqual(c.DataType(), f.Type) {
			c.Retain()
			cols[i] = c
			continue
		}
		out, err := compute.CastArray(ctx, c, compute.SafeCastOptions(f.Type))
		if err != nil {
			return nil, fmt.Errorf("%w: column %q: cannot cast %s to %s: %v", ErrSchemaMismatch, f.Name, c.DataType(), f.Type, err)
		}
		cols[i] = out
	}
	return array.NewRecordBatch(sc, cols, rec.NumRows()), nil
}
