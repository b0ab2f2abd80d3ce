package parquet

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pqfile "github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/remotestore/remotestore/store"
)

// FileReadOptions tune OpenFile. The zero value reads every column in
// batches of DefaultBatchSize rows with memory.DefaultAllocator.
type FileReadOptions struct {
	// Columns names the top-level columns to read. They come in the file's
	// order, whatever the order here; names the file lacks are skipped
	// (compare the reader's Schema to find them). Nil reads every column;
	// an empty, non-nil list reads none (batches carry row counts only).
	Columns []string
	// BatchSize is the rows per batch (default DefaultBatchSize). A row
	// group's last batch may be shorter.
	BatchSize int64
	// Allocator makes every buffer of the batches (default
	// memory.DefaultAllocator); pages and decoder scratch use Go's.
	Allocator memory.Allocator
	// Concurrency is how many row groups decode at once (default
	// GOMAXPROCS, at least 2); each decodes its columns on goroutines of
	// their own. Memory is bounded by Concurrency row groups in flight.
	Concurrency int
	// SchemaMetadata puts the file's schema-level metadata (the stored
	// Arrow schema's, as pyarrow reads it) on the reader's schema. Without
	// it the schema carries the fields only, as pqarrow's record reader.
	SchemaMetadata bool
}

// OpenFile reads the single Parquet file at path of st as a stream of
// record batches, in file order, with the decoder Read uses: each column
// of a row group decodes on its own goroutine, flat columns straight into
// Arrow buffers. The footer is read before OpenFile returns: a file that
// is not Parquet fails here, with an error naming its URI; errors of the
// store (store.ErrNotFound, ...) come back as the store reports them.
// A decoding error ends the stream and is reported by Err after Next
// returns false, as is a cancelled ctx. The caller must Release the
// reader; Release stops the decoders and closes the file.
func OpenFile(ctx context.Context, st *store.Store, path string, opts *FileReadOptions) (array.RecordReader, error) {
	var o FileReadOptions
	if opts != nil {
		o = *opts
	}
	if o.BatchSize <= 0 {
		o.BatchSize = DefaultBatchSize
	}
	if o.Allocator == nil {
		o.Allocator = memory.DefaultAllocator
	}
	ro := ReadOptions{Concurrency: o.Concurrency}
	o.Concurrency = ro.withDefaults().Concurrency
	uri := st.URI(path)
	sr, err := st.OpenSeekable(ctx, path)
	if err != nil {
		return nil, err
	}
	rdr, err := pqfile.NewParquetReader(sr, pqfile.WithReadProps(readerProps()))
	if err != nil {
		sr.Close()
		return nil, fmt.Errorf("parquet: read %s: not a readable Parquet file: %w", uri, err)
	}
	f := &openedFile{sr: sr, rdr: rdr}
	fr, err := pqarrow.NewFileReader(f.rdr, pqarrow.ArrowReadProperties{BatchSize: o.BatchSize}, o.Allocator)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("parquet: read %s: %w", uri, err)
	}
	var cols fileColumns
	var fields []arrow.Field
	for i := range fr.Manifest.Fields {
		fld := *fr.Manifest.Fields[i].Field
		if o.Columns == nil || contains(o.Columns, fld.Name) {
			cols.idx = append(cols.idx, i)
			fields = append(fields, fld)
		}
	}
	var md *arrow.Metadata
	if o.SchemaMetadata && fr.Manifest.OriginSchema != nil {
		m := fr.Manifest.OriginSchema.Metadata()
		md = &m
	}
	cols.schema = arrow.NewSchema(fields, md)
	rowGroups := make([]int, f.rdr.NumRowGroups())
	for i := range rowGroups {
		rowGroups[i] = i
	}
	var sem chan struct{}
	if o.Concurrency > 1 {
		sem = make(chan struct{}, o.Concurrency-1) // the file's own slot is the first
	}
	fd := &fileDecode{fr: fr, cols: &cols, uri: uri, batch: o.BatchSize, mem: o.Allocator, conc: o.Concurrency, sem: sem}

	ctx, cancel := context.WithCancel(ctx)
	t := &readTask{out: make(chan readResult, 2)}
	r := &datasetReader{schema: cols.schema, tasks: []*readTask{t}, cancel: cancel, ctx: ctx, uri: uri}
	r.refCount.Store(1)
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		defer f.Close()
		defer close(t.out)
		if err := fd.readRowGroups(ctx, rowGroups, t.out); err != nil {
			if err == ctx.Err() {
				err = fmt.Errorf("%s: %w", uri, err)
			}
			select {
			case t.out <- readResult{err: fmt.Errorf("parquet: read %w", err)}:
			case <-ctx.Done():
			}
		}
	}()
	return r, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
