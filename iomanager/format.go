package iomanager

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pq "github.com/apache/arrow-go/v18/parquet"
	pqcompress "github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/remotestore/remotestore/parquet"
	"github.com/remotestore/remotestore/store"
)

// Format is how a table is stored.
type Format string

// The formats.
const (
	// FormatParquet stores each partition as one Parquet file
	// (<path>.parquet), as Dagster's Parquet UPath IO managers do.
	FormatParquet Format = "parquet"
	// FormatArrow stores each partition as one Arrow IPC file (<path>.arrow).
	FormatArrow Format = "arrow"
	// FormatPickle marks opaque bytes (a pickled Python object), stored as
	// they are without an extension, as Dagster's FilesystemIOManager does.
	// Objects are stored this way whatever the format; the name only makes
	// loads look for an object first.
	FormatPickle Format = "pickle"
	// FormatDataset stores an asset as one hive-partitioned Parquet dataset
	// folder (package parquet: versioned manifests, atomic commits), its
	// partitions as partition columns; loads push partition and column
	// filters down.
	FormatDataset Format = "dataset"
)

// Formats lists the formats, for error messages and capability answers.
var Formats = []Format{FormatParquet, FormatArrow, FormatPickle, FormatDataset}

// ParseFormat parses a format name; "" gives def. Aliases: "ipc",
// "feather" for arrow; "object", "bytes" for pickle.
func ParseFormat(s string, def Format) (Format, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "":
		return def, nil
	case "parquet", "pq":
		return FormatParquet, nil
	case "arrow", "ipc", "feather":
		return FormatArrow, nil
	case "pickle", "object", "bytes":
		return FormatPickle, nil
	case "dataset", "parquet-dataset", "hive":
		return FormatDataset, nil
	}
	return "", fmt.Errorf("iomanager: %w: unknown format %q (have: parquet, arrow, pickle, dataset)", store.ErrInvalidConfig, s)
}

// batchWriter writes the batches of one file; Close finishes it (footer).
type batchWriter interface {
	Write(rec arrow.RecordBatch) error
	Close() error
}

// tableCodec is the seam between the IO manager and a file format: it
// writes batches to a byte stream and reads a stored file back, projected.
type tableCodec interface {
	ext() string
	newWriter(w io.Writer, schema *arrow.Schema, s *settings) (batchWriter, error)
	// open reads the file at path; cols (nil: all) names the file columns
	// wanted, in file order or any order. Unknown names are skipped (the
	// caller checks what is missing).
	open(ctx context.Context, st *store.Store, path string, cols []string, m *Manager) (array.RecordReader, error)
}

func codecFor(f Format) tableCodec {
	if f == FormatArrow {
		return ipcCodec{}
	}
	return parquetCodec{}
}

// ---- Parquet ---------------------------------------------------------------

type parquetCodec struct{}

func (parquetCodec) ext() string { return ".parquet" }

func pqCompression(c parquet.Compression) pqcompress.Compression {
	switch c {
	case parquet.Snappy:
		return pqcompress.Codecs.Snappy
	case parquet.Uncompressed:
		return pqcompress.Codecs.Uncompressed
	}
	return pqcompress.Codecs.Zstd
}

func (parquetCodec) newWriter(w io.Writer, schema *arrow.Schema, s *settings) (batchWriter, error) {
	opts := []pq.WriterProperty{
		pq.WithCompression(pqCompression(s.compression)),
		pq.WithAllocator(s.mem),
		pq.WithMaxRowGroupLength(parquet.DefaultRowGroupSize),
		pq.WithStats(true),
	}
	level := s.compressionLevel
	if level == 0 && s.compression == parquet.Zstd {
		level = 1 // as the dataset store and pyarrow; arrow-go's default would be 3
	}
	if level != 0 {
		opts = append(opts, pq.WithCompressionLevel(level))
	}
	return &pqWriter{w: w, schema: schema, opts: opts,
		arrProps: pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema(), pqarrow.WithAllocator(s.mem))}, nil
}

// pqWriter starts its Parquet file at the first batch, whose leading rows
// choose the column encodings (parquet.EncodingChoices). Columns encode in
// parallel; the writer never closes w, so only our commit publishes the
// file.
type pqWriter struct {
	w        io.Writer
	schema   *arrow.Schema
	opts     []pq.WriterProperty
	arrProps pqarrow.ArrowWriterProperties
	fw       parquet.FileWriter
}

// start creates the file writer, with encodings chosen from first (nil
// for a file without rows).
func (p *pqWriter) start(first arrow.RecordBatch) error {
	opts := p.opts
	if first != nil {
		opts = append(opts[:len(opts):len(opts)], parquet.EncodingChoices(first, allColumns(first))...)
	}
	fw, err := parquet.NewFileWriter(p.schema, p.w, pq.NewWriterProperties(opts...), p.arrProps)
	if err != nil {
		return err
	}
	p.fw = fw
	return nil
}

func (p *pqWriter) Write(rec arrow.RecordBatch) error {
	if p.fw == nil {
		if err := p.start(rec); err != nil {
			return err
		}
	}
	return p.fw.WriteBuffered(rec)
}

func (p *pqWriter) Close() error {
	if p.fw == nil {
		if err := p.start(nil); err != nil {
			return err
		}
	}
	return p.fw.Close()
}

// allColumns returns the indices of rec's columns.
func allColumns(rec arrow.RecordBatch) []int {
	idx := make([]int, rec.NumCols())
	for i := range idx {
		idx[i] = i
	}
	return idx
}

// open reads the file with the dataset store's decoder (parquet.OpenFile):
// each column of a row group decodes on its own goroutine. Partitions are
// already read in parallel, so a file decodes at most two row groups at
// once.
func (parquetCodec) open(ctx context.Context, st *store.Store, path string, cols []string, m *Manager) (array.RecordReader, error) {
	return parquet.OpenFile(ctx, st, path, &parquet.FileReadOptions{
		Columns: cols, BatchSize: m.cfg.BatchSize, Allocator: m.mem, Concurrency: 2})
}

// closingReader runs close once after its last Release.
type closingReader struct {
	array.RecordReader
	refs  atomic.Int64
	close func()
}

func (c *closingReader) Retain() { c.refs.Add(1); c.RecordReader.Retain() }

func (c *closingReader) Release() {
	c.RecordReader.Release()
	if c.refs.Add(-1) == -1 {
		c.close()
	}
}

// ---- Arrow IPC -------------------------------------------------------------

type ipcCodec struct{}

func (ipcCodec) ext() string { return ".arrow" }

func (ipcCodec) newWriter(w io.Writer, schema *arrow.Schema, s *settings) (batchWriter, error) {
	fw, err := ipc.NewFileWriter(struct{ io.Writer }{w}, ipc.WithSchema(schema), ipc.WithAllocator(s.mem))
	if err != nil {
		return nil, err
	}
	return fw, nil
}

func (ipcCodec) open(ctx context.Context, st *store.Store, path string, cols []string, m *Manager) (array.RecordReader, error) {
	sr, err := st.OpenSeekable(ctx, path)
	if err != nil {
		return nil, err
	}
	fr, err := ipc.NewFileReader(sr, ipc.WithAllocator(m.mem))
	if err != nil {
		sr.Close()
		return nil, fmt.Errorf("iomanager: %s: not a readable Arrow IPC file: %w", st.URI(path), err)
	}
	r := &ipcFileReader{ctx: ctx, fr: fr, mem: m.mem}
	r.schema, r.idx = projectSchema(fr.Schema(), cols)
	return &closingReader{RecordReader: r, close: func() { fr.Close(); sr.Close() }}, nil
}

// projectSchema keeps the fields of sc named in cols (nil: all), in sc's
// order, and returns their indices.
func projectSchema(sc *arrow.Schema, cols []string) (*arrow.Schema, []int) {
	if cols == nil {
		return sc, nil
	}
	var fields []arrow.Field
	var idx []int
	for i, f := range sc.Fields() {
		if contains(cols, f.Name) {
			fields = append(fields, f)
			idx = append(idx, i)
		}
	}
	md := sc.Metadata()
	return arrow.NewSchema(fields, &md), idx
}

// ipcFileReader yields the batches of an IPC file, projected.
type ipcFileReader struct {
	ctx    context.Context
	fr     *ipc.FileReader
	mem    memory.Allocator
	schema *arrow.Schema
	idx    []int
	i      int
	cur    arrow.RecordBatch
	err    error
}

func (r *ipcFileReader) Retain()                        {}
func (r *ipcFileReader) Release()                       { r.drop() }
func (r *ipcFileReader) Schema() *arrow.Schema          { return r.schema }
func (r *ipcFileReader) RecordBatch() arrow.RecordBatch { return r.cur }
func (r *ipcFileReader) Record() arrow.RecordBatch      { return r.cur }
func (r *ipcFileReader) Err() error                     { return r.err }

func (r *ipcFileReader) drop() {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
}

func (r *ipcFileReader) Next() bool {
	r.drop()
	if r.err != nil || r.i >= r.fr.NumRecords() {
		return false
	}
	if err := r.ctx.Err(); err != nil {
		r.err = err
		return false
	}
	rec, err := r.fr.RecordBatch(r.i)
	if err != nil {
		if !errors.Is(err, io.EOF) {
			r.err = err
		}
		return false
	}
	r.i++
	if r.idx == nil {
		rec.Retain()
		r.cur = rec
		return true
	}
	cols := make([]arrow.Array, len(r.idx))
	for j, k := range r.idx {
		cols[j] = rec.Column(k)
	}
	r.cur = array.NewRecordBatch(r.schema, cols, rec.NumRows())
	return true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
