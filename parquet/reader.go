package parquet

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/scalar"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/remotestore/remotestore/store"
)

// readPlan is everything a Read decided before opening a file.
type readPlan struct {
	d        *DatasetStore
	ds       *store.Store
	snap     *snapshot
	opts     ReadOptions
	out      *arrow.Schema  // the yielded schema
	work     *arrow.Schema  // data columns read + partition columns, before the row filter
	dataCols []arrow.Field  // data columns to read from files (dataset types)
	isPart   map[string]int // partition column -> index in snap.partitionBy
	rowFilt  []boundFilter  // filters on data columns
	workIdx  map[string]int // column -> index in work
	tasks    []*readTask
	// sem bounds the decoders running at once (ReadOptions.Concurrency):
	// every file task holds a slot, and a file's row groups are decoded in
	// parallel on slots no other file needs yet.
	sem chan struct{}
}

// readTask is one file to read, with its partition values.
type readTask struct {
	file  dataFile
	parts []scalar.Scalar // by snap.partitionBy
	out   chan readResult
}

type readResult struct {
	rec arrow.RecordBatch
	err error
}

// Read opens the dataset at path as a stream of record batches (see
// ReadOptions for projection, filters and concurrency). Only files of the
// committed version are read (or, for datasets without our manifest, the
// files a listing finds, as pyarrow would). The caller must Release the
// reader; an error while streaming is reported by Err after Next returns
// false.
func (d *DatasetStore) Read(ctx context.Context, path string, opts *ReadOptions) (array.RecordReader, error) {
	const op = "read"
	ds, err := d.sub(op, path)
	if err != nil {
		return nil, err
	}
	uri := d.st.URI(path)
	o := opts.withDefaults()
	snap, err := d.loadSnapshot(ctx, ds, o.Version, o.PartitionSchema)
	if err != nil {
		return nil, opError(op, uri, err)
	}
	if !snap.exists() {
		return nil, opError(op, uri, fmt.Errorf("%w: no dataset here", store.ErrNotFound))
	}
	p, err := d.plan(ds, snap, o)
	if err != nil {
		return nil, opError(op, uri, err)
	}
	return p.start(ctx, uri), nil
}

// ReadTable reads the whole (projected, filtered) dataset into a table.
func (d *DatasetStore) ReadTable(ctx context.Context, path string, opts *ReadOptions) (arrow.Table, error) {
	rr, err := d.Read(ctx, path, opts)
	if err != nil {
		return nil, err
	}
	defer rr.Release()
	return CollectTable(rr)
}

// CollectTable drains rr into a table (which the caller releases). It does
// not release rr. On a stream error the batches read so far are released.
func CollectTable(rr array.RecordReader) (arrow.Table, error) {
	var recs []arrow.RecordBatch
	defer func() {
		for _, r := range recs {
			r.Release()
		}
	}()
	for rr.Next() {
		r := rr.RecordBatch()
		r.Retain()
		recs = append(recs, r)
	}
	if err := rr.Err(); err != nil {
		return nil, err
	}
	return array.NewTableFromRecords(rr.Schema(), recs), nil
}

func (d *DatasetStore) plan(ds *store.Store, snap *snapshot, o ReadOptions) (*readPlan, error) {
	p := &readPlan{d: d, ds: ds, snap: snap, opts: o, isPart: map[string]int{}}
	sc := snap.schema
	if sc == nil {
		sc = arrow.NewSchema(nil, nil)
	}
	for i, c := range snap.partitionBy {
		p.isPart[c] = i
	}
	// Output columns.
	outFields := sc.Fields()
	if o.Columns != nil {
		outFields = nil
		for _, c := range o.Columns {
			idx := sc.FieldIndices(c)
			if len(idx) == 0 {
				return nil, fmt.Errorf("%w: no column %q (columns: %v)", ErrSchemaMismatch, c, fieldNames(sc))
			}
			outFields = append(outFields, sc.Field(idx[0]))
		}
	}
	md := sc.Metadata()
	p.out = arrow.NewSchema(outFields, &md)
	// Filters.
	bound, err := bindFilters(o.Filters, sc)
	if err != nil {
		return nil, err
	}
	var partFilt []boundFilter
	for _, b := range bound {
		if _, ok := p.isPart[b.Column]; ok {
			partFilt = append(partFilt, b)
		} else {
			p.rowFilt = append(p.rowFilt, b)
		}
	}
	// Columns to read: output data columns plus row-filter columns.
	need := map[string]bool{}
	for _, f := range outFields {
		need[f.Name] = true
	}
	for _, b := range p.rowFilt {
		need[b.Column] = true
	}
	var workFields []arrow.Field
	for _, f := range sc.Fields() {
		if _, part := p.isPart[f.Name]; !part && need[f.Name] {
			p.dataCols = append(p.dataCols, f)
			workFields = append(workFields, f)
		}
	}
	for _, c := range snap.partitionBy {
		workFields = append(workFields, sc.Field(sc.FieldIndices(c)[0]))
	}
	p.work = arrow.NewSchema(workFields, nil)
	p.workIdx = map[string]int{}
	for i, f := range workFields {
		p.workIdx[f.Name] = i
	}
	// Files, pruned by partition values before any is opened.
	cache := map[string][]scalar.Scalar{}
	for _, f := range snap.files {
		vals, ok := cache[f.Partition]
		if !ok {
			vals, err = partitionValues(f.Partition, snap.partitionBy, sc)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", ds.URI(f.Path), err)
			}
			cache[f.Partition] = vals
		}
		keep := true
		for i := range partFilt {
			if !partFilt[i].matchValue(vals[p.isPart[partFilt[i].Column]]) {
				keep = false
				break
			}
		}
		if keep && f.Rows != 0 {
			p.tasks = append(p.tasks, &readTask{file: f, parts: vals, out: make(chan readResult, 2)})
		}
	}
	return p, nil
}

// partitionValues parses a file's folder into scalars of the partition
// columns' types.
func partitionValues(dir string, cols []string, sc *arrow.Schema) ([]scalar.Scalar, error) {
	if len(cols) == 0 {
		return nil, nil
	}
	keys, ok, err := parseHivePath(dir)
	if err != nil {
		return nil, err
	}
	if !ok || len(keys) != len(cols) {
		return nil, fmt.Errorf("%w: folder %q does not match partition columns %v", ErrCorrupt, dir, cols)
	}
	out := make([]scalar.Scalar, len(cols))
	for i, k := range keys {
		if k.Column != cols[i] {
			return nil, fmt.Errorf("%w: folder %q: expected column %q at level %d", ErrCorrupt, dir, cols[i], i+1)
		}
		dt := sc.Field(sc.FieldIndices(k.Column)[0]).Type
		if dt.ID() == arrow.NULL {
			out[i] = scalar.MakeNullScalar(dt)
			continue
		}
		v, err := parsePartitionValue(k.Value, k.Null, dt)
		if err != nil {
			return nil, fmt.Errorf("folder %q: column %q: %w", dir, k.Column, err)
		}
		out[i] = v
	}
	return out, nil
}

// datasetReader is the RecordReader Read returns. Tasks run with bounded
// concurrency; batches come out in file order.
type datasetReader struct {
	refCount atomic.Int64
	schema   *arrow.Schema
	tasks    []*readTask
	cancel   context.CancelFunc
	ctx      context.Context // the workers' context: cancelled by Release, an error or the caller
	uri      string          // what is read, for a cancellation error
	wg       sync.WaitGroup
	cur      int
	rec      arrow.RecordBatch
	err      error
	released bool
}

func (p *readPlan) start(ctx context.Context, uri string) *datasetReader {
	ctx, cancel := context.WithCancel(ctx)
	r := &datasetReader{schema: p.out, tasks: p.tasks, cancel: cancel, ctx: ctx, uri: uri}
	r.refCount.Store(1)
	p.sem = make(chan struct{}, p.opts.Concurrency)
	sem := p.sem
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		for i, t := range p.tasks {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				for _, rest := range p.tasks[i:] {
					close(rest.out)
				}
				return
			}
			r.wg.Add(1)
			go func(t *readTask) {
				defer r.wg.Done()
				defer func() { <-sem }()
				defer close(t.out)
				if err := p.readFile(ctx, t); err != nil {
					err = fmt.Errorf("parquet: read %s: %w", uri, err)
					select {
					case t.out <- readResult{err: err}:
					case <-ctx.Done():
					}
				}
			}(t)
		}
	}()
	return r
}

// send hands one batch to the consumer, or drops it when the read was
// cancelled.
func send(ctx context.Context, out chan readResult, rec arrow.RecordBatch) bool {
	select {
	case out <- readResult{rec: rec}:
		return true
	case <-ctx.Done():
		rec.Release()
		return false
	}
}

func (r *datasetReader) Schema() *arrow.Schema { return r.schema }

func (r *datasetReader) Next() bool {
	if r.rec != nil {
		r.rec.Release()
		r.rec = nil
	}
	for r.err == nil && r.cur < len(r.tasks) {
		res, ok := <-r.tasks[r.cur].out
		if !ok {
			r.cur++
			continue
		}
		if res.err != nil {
			r.err = res.err
			r.cancel()
			return false
		}
		r.rec = res.rec
		return true
	}
	if r.err == nil && !r.released {
		// A worker that sees its context cancelled may stop without
		// sending an error: do not let the stream end look complete.
		if err := r.ctx.Err(); err != nil {
			r.err = fmt.Errorf("parquet: read %s: %w", r.uri, err)
		}
	}
	return false
}

func (r *datasetReader) RecordBatch() arrow.RecordBatch { return r.rec }

// Record is RecordBatch (for the deprecated interface method).
func (r *datasetReader) Record() arrow.RecordBatch { return r.rec }

func (r *datasetReader) Err() error { return r.err }

func (r *datasetReader) Retain() { r.refCount.Add(1) }

// Release stops the workers and frees every buffered batch once the last
// reference is gone.
func (r *datasetReader) Release() {
	if r.refCount.Add(-1) != 0 || r.released {
		return
	}
	r.released = true
	r.cancel()
	if r.rec != nil {
		r.rec.Release()
		r.rec = nil
	}
	for _, t := range r.tasks[min(r.cur, len(r.tasks)):] {
		for res := range t.out {
			if res.rec != nil {
				res.rec.Release()
			}
		}
	}
	r.wg.Wait()
}

// readFile streams the selected row groups of one file into t.out.
func (p *readPlan) readFile(ctx context.Context, t *readTask) error {
	f, err := p.d.openParquet(ctx, p.ds, t.file.Path)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) && p.snap.version > 0 {
			return fmt.Errorf("%w: file %s of version %d is gone (a concurrent overwrite replaced it): read again",
				ErrIncomplete, t.file.Path, p.snap.version)
		}
		return err
	}
	defer f.Close()
	fr, err := pqarrow.NewFileReader(f.rdr, pqarrow.ArrowReadProperties{BatchSize: p.opts.BatchSize}, p.d.mem)
	if err != nil {
		return fmt.Errorf("%s: %w", p.ds.URI(t.file.Path), err)
	}
	fsc, err := fr.Schema()
	if err != nil {
		return fmt.Errorf("%s: %w", p.ds.URI(t.file.Path), err)
	}
	// The file's top-level fields this read needs.
	var cols fileColumns
	var fields []arrow.Field
	for _, c := range p.dataCols {
		idx := fsc.FieldIndices(c.Name)
		if len(idx) == 0 {
			if !c.Nullable {
				return fmt.Errorf("%w: %s lacks the not-null column %q", ErrSchemaMismatch, p.ds.URI(t.file.Path), c.Name)
			}
			continue
		}
		cols.idx = append(cols.idx, idx[0])
		fields = append(fields, fsc.Field(idx[0]))
	}
	cols.schema = arrow.NewSchema(fields, nil)
	rowGroups := p.selectRowGroups(fr, fsc)
	if len(rowGroups) == 0 {
		return nil
	}
	var nrows int64
	for _, rg := range rowGroups {
		nrows += f.rdr.MetaData().RowGroup(rg).NumRows()
	}
	if len(cols.idx) == 0 {
		// Only partition columns (or missing columns) wanted: emit row
		// counts without decoding anything.
		for off := int64(0); off < nrows; off += p.opts.BatchSize {
			rec, err := p.assemble(ctx, nil, t, min(p.opts.BatchSize, nrows-off))
			if err != nil {
				return err
			}
			if rec != nil && !send(ctx, t.out, rec) {
				return ctx.Err()
			}
		}
		return nil
	}
	fd := &fileDecode{fr: fr, cols: &cols, uri: p.ds.URI(t.file.Path), batch: p.opts.BatchSize, mem: p.d.mem,
		conc: p.opts.Concurrency, sem: p.sem,
		finish: func(ctx context.Context, rec arrow.RecordBatch, n int64) (arrow.RecordBatch, error) {
			return p.assemble(ctx, rec, t, n)
		}}
	return fd.readRowGroups(ctx, rowGroups, t.out)
}

// readRowGroups sends the batches of rowGroups to out in row-group order.
// With conc > 1 and several row groups, they decode concurrently: the
// file's own slot (the one its caller holds) decodes one row group at a
// time; further row groups run on free slots of f.sem, so the decoders of
// a whole read stay within its Concurrency. The earliest file always keeps
// its own slot, so waiting for a slot cannot deadlock.
func (f *fileDecode) readRowGroups(ctx context.Context, rowGroups []int, out chan readResult) error {
	if len(rowGroups) <= 1 || f.conc <= 1 {
		for _, rg := range rowGroups {
			if err := f.readRowGroup(ctx, rg, out); err != nil {
				return err
			}
		}
		return ctx.Err()
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	own := make(chan struct{}, 1)
	own <- struct{}{}
	type run struct {
		out chan readResult
		err chan error
	}
	order := make(chan run, f.conc)
	var wg sync.WaitGroup
	defer wg.Wait()
	go func() {
		defer close(order)
		for _, rg := range rowGroups {
			var release func()
			select {
			case <-own:
				release = func() { own <- struct{}{} }
			case f.sem <- struct{}{}:
				release = func() { <-f.sem }
			case <-ctx.Done():
				return
			}
			r := run{out: make(chan readResult, 1), err: make(chan error, 1)}
			wg.Add(1)
			go func(rg int) {
				defer wg.Done()
				defer release()
				defer close(r.out)
				r.err <- f.readRowGroup(ctx, rg, r.out)
			}(rg)
			select {
			case order <- r:
			case <-ctx.Done():
				for res := range r.out {
					res.rec.Release()
				}
				return
			}
		}
	}()
	drain := func(r run) {
		for res := range r.out {
			res.rec.Release()
		}
	}
	defer func() {
		cancel()
		for r := range order {
			drain(r)
		}
	}()
	for r := range order {
		for res := range r.out {
			if !send(ctx, out, res.rec) {
				drain(r)
				return ctx.Err()
			}
		}
		if err := <-r.err; err != nil {
			return err
		}
	}
	return ctx.Err()
}

func appendLeaves(out []int, f *pqarrow.SchemaField) []int {
	if f.IsLeaf() {
		return append(out, f.ColIndex)
	}
	for i := range f.Children {
		out = appendLeaves(out, &f.Children[i])
	}
	return out
}

// assemble turns one file batch into an output batch: data columns cast to
// the dataset's types (nulls for columns the file lacks), partition columns
// added, row filters applied, projected. It returns nil when no row is
// left.
func (p *readPlan) assemble(ctx context.Context, rec arrow.RecordBatch, t *readTask, n int64) (arrow.RecordBatch, error) {
	cols := make([]arrow.Array, 0, p.work.NumFields())
	defer func() {
		for _, c := range cols {
			c.Release()
		}
	}()
	for _, f := range p.dataCols {
		var col arrow.Array
		if rec != nil {
			if idx := rec.Schema().FieldIndices(f.Name); len(idx) > 0 {
				col = rec.Column(idx[0])
			}
		}
		switch {
		case col == nil:
			cols = append(cols, array.MakeArrayOfNull(p.d.mem, f.Type, int(n)))
		case arrow.TypeEqual(col.DataType(), f.Type):
			col.Retain()
			cols = append(cols, col)
		default:
			c, err := compute.CastArray(ctx, col, compute.SafeCastOptions(f.Type))
			if err != nil {
				return nil, fmt.Errorf("%w: %s: column %q: cannot read %s as %s: %v",
					ErrSchemaMismatch, p.ds.URI(t.file.Path), f.Name, col.DataType(), f.Type, err)
			}
			cols = append(cols, c)
		}
	}
	for i, c := range p.snap.partitionBy {
		f := p.work.Field(p.workIdx[c])
		var a arrow.Array
		var err error
		if !t.parts[i].IsValid() {
			a = array.MakeArrayOfNull(p.d.mem, f.Type, int(n))
		} else {
			a, err = scalar.MakeArrayFromScalar(t.parts[i], int(n), p.d.mem)
			if err != nil {
				return nil, fmt.Errorf("partition column %q: %w", c, err)
			}
		}
		cols = append(cols, a)
	}
	work := array.NewRecordBatch(p.work, cols, n)
	defer work.Release()
	filtered, err := filterRecord(ctx, work, p.rowFilt, p.workIdx)
	if err != nil {
		return nil, fmt.Errorf("filtering %s by %s: %w", p.ds.URI(t.file.Path), filterNames(p.rowFilt), err)
	}
	defer filtered.Release()
	if filtered.NumRows() == 0 {
		return nil, nil
	}
	outCols := make([]arrow.Array, p.out.NumFields())
	for i, f := range p.out.Fields() {
		outCols[i] = filtered.Column(p.workIdx[f.Name])
	}
	return array.NewRecordBatch(p.out, outCols, filtered.NumRows()), nil
}
