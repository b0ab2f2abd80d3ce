package iomanager

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"golang.org/x/sync/errgroup"

	"github.com/remotestore/remotestore/store"
)

// Input is a load in progress (see LoadInput). Its parts come in order from
// Next; Close releases everything, and must be called.
//
// Partitions are read concurrently, at most Concurrency at a time, ahead of
// the consumer: memory is bounded by a few batches per partition being
// read, not by the data's size.
type Input struct {
	// Kind is what was stored: a table or an object.
	Kind Kind
	// URI is the native location of the asset or op output.
	URI string
	// Partitions are the keys that will come, in order; Missing those
	// skipped because AllowMissingPartitions was set.
	Partitions []string
	Missing    []string
	// Shape is the shape asked for. ShapeTable and ShapeBatches give one
	// part (Key "") holding every partition, with partition columns.
	Shape Shape
	// Schema is the schema of every table part (for ShapeTable and
	// ShapeBatches); nil for objects or when no partition was found.
	Schema *arrow.Schema

	m        *Manager
	isDirect bool         // dataset loads: parts opened on demand
	pass     bool         // Parquet files handed over as stored (Passthrough)
	direct   []directPart // …these
	opened   array.RecordReader
	ctx      context.Context
	cancel   context.CancelFunc
	parts    []*partLoad
	wg       sync.WaitGroup
	next     int
	rows     atomic.Int64
	closed   bool
}

// Part is one piece of an Input: the whole table (Key ""), one
// partition's table, or one stored object.
type Part struct {
	// Key is the partition key ("" for an unpartitioned output or a
	// combined table); Partition the key's dimensions (nil when Key is "").
	Key       string
	Partition *PartitionKey
	// Records streams a table; the caller must Release it.
	Records array.RecordReader
	// Object holds a stored object's bytes.
	Object []byte
	// Path is the store path read (partitioned parts only).
	Path string
	// Parquet is set instead of Records when the load was asked with
	// InputContext.Passthrough: the partition's file as stored.
	Parquet *ParquetFile
}

// partLoad is one stored file being read by a producer goroutine.
type partLoad struct {
	key   PartitionKey
	label string
	path  string
	kind  Kind
	size  int64
	ch    chan loadItem
}

// loadItem is what a producer sends: first a schema (tables) or the object,
// then batches; an error ends the part.
type loadItem struct {
	sc  *arrow.Schema
	rec arrow.RecordBatch
	obj []byte
	pq  *ParquetFile
	err error
}

// LoadInput starts loading the input ic describes: it finds the stored
// files (an error naming every missing partition, unless
// AllowMissingPartitions), then reads them concurrently in the background.
// For tables it waits for the first partition's schema before returning.
func (m *Manager) LoadInput(ctx context.Context, ic InputContext) (*Input, error) {
	const op = "load-input"
	in, err := m.loadInput(ctx, ic)
	if err != nil {
		return nil, wrap(op, ic.Target, "", err)
	}
	return in, nil
}

func (m *Manager) loadInput(ctx context.Context, ic InputContext) (*Input, error) {
	s, err := m.settings(ic.Metadata, ic.Format)
	if err != nil {
		return nil, err
	}
	if len(ic.Partitions) > 0 && !ic.Target.IsAsset() {
		return nil, errorf(store.ErrInvalidPath, "op outputs are not partitioned")
	}
	base, err := TargetPath(ic.Target)
	if err != nil {
		return nil, err
	}
	if s.format == FormatDataset {
		return m.loadDataset(ctx, ic, s, base)
	}
	conc := ic.Concurrency
	if conc <= 0 {
		conc = m.cfg.Concurrency
	}
	in := &Input{m: m, Shape: ic.Shape, URI: m.st.URI(base)}
	keys := ic.Partitions
	if len(keys) == 0 {
		keys = []PartitionKey{{}}
	}
	parts, err := m.locate(ctx, ic, s, keys, conc)
	if err != nil {
		return nil, err
	}
	var missing []*partLoad
	for _, p := range parts {
		if p.kind == 0 {
			missing = append(missing, p)
			in.Missing = append(in.Missing, p.label)
			continue
		}
		in.parts = append(in.parts, p)
		in.Partitions = append(in.Partitions, p.label)
	}
	if len(missing) > 0 && (!ic.AllowMissingPartitions || len(ic.Partitions) == 0) {
		return nil, missingError(m, ic, s, missing, len(parts))
	}
	for _, p := range in.parts {
		if in.Kind == 0 {
			in.Kind = p.kind
		} else if p.kind != in.Kind {
			return nil, errorf(store.ErrInvalidConfig, "partition %s is stored as a %s but partition %s as a %s",
				p.label, p.kind, in.parts[0].label, in.parts[0].kind)
		}
	}
	if in.Kind == 0 {
		in.Kind = KindTable // every partition missing and allowed: an empty load
	}
	in.ctx, in.cancel = context.WithCancel(ctx)
	in.pass = in.passes(ic, s)
	in.start(ic, s, conc)
	if in.Kind == KindTable && len(in.parts) > 0 && ic.Shape != ShapePartitions {
		first := <-in.parts[0].ch
		if first.err != nil {
			in.Close()
			return nil, partError(in.parts[0], first.err)
		}
		in.Schema = first.sc
	}
	return in, nil
}

func missingError(m *Manager, ic InputContext, s *settings, missing []*partLoad, total int) error {
	if len(ic.Partitions) == 0 {
		return &Error{Op: "load-input", Target: ic.Target.String(), Path: missing[0].path,
			Err: errorf(store.ErrNotFound, "nothing stored at %s", m.st.URI(missing[0].path))}
	}
	labels := make([]string, len(missing))
	for i, p := range missing {
		labels[i] = p.label
	}
	list := strings.Join(labels, ", ")
	if len(labels) > 20 {
		list = strings.Join(labels[:20], ", ") + fmt.Sprintf(", … (%d more)", len(labels)-20)
	}
	return &Error{Op: "load-input", Target: ic.Target.String(), Path: missing[0].path,
		Err: errorf(store.ErrNotFound, "%d of %d partitions are missing: %s (set allow_missing_partitions to skip them)",
			len(missing), total, list)}
}

func partError(p *partLoad, err error) error {
	if p.label == "" {
		return err
	}
	return fmt.Errorf("partition %s: %w", p.label, err)
}

// locate finds each partition's file: the table file first, then an object
// without extension (the other way round for the pickle format). kind is
// 0 when neither exists.
func (m *Manager) locate(ctx context.Context, ic InputContext, s *settings, keys []PartitionKey, conc int) ([]*partLoad, error) {
	parts := make([]*partLoad, len(keys))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(conc)
	objExt := ""
	if _, ok := ic.Metadata[MetaExtension]; ok {
		objExt = s.ext
	}
	for i, k := range keys {
		var kp *PartitionKey
		if len(ic.Partitions) > 0 {
			kp = &keys[i]
		}
		tablePath, err := Path(ic.Target, kp, codecFor(s.format).ext())
		if err != nil {
			return nil, err
		}
		if _, ok := ic.Metadata[MetaExtension]; ok && s.format != FormatPickle {
			tablePath, _ = Path(ic.Target, kp, s.ext)
		}
		objPath, err := Path(ic.Target, kp, objExt)
		if err != nil {
			return nil, err
		}
		p := &partLoad{key: k, label: k.String(), path: tablePath}
		parts[i] = p
		order := []struct {
			path string
			kind Kind
		}{{tablePath, KindTable}, {objPath, KindObject}}
		if s.format == FormatPickle {
			order[0], order[1] = order[1], order[0]
		}
		g.Go(func() error {
			for _, c := range order {
				info, err := m.st.Stat(gctx, c.path)
				if errors.Is(err, store.ErrNotFound) || (err == nil && info.IsFolder) {
					continue
				}
				if err != nil {
					return err
				}
				p.path, p.kind, p.size = c.path, c.kind, info.Size
				return nil
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return parts, nil
}

// start launches the producers: at most conc at a time, in order, so the
// partition the consumer waits for is always being read.
func (in *Input) start(ic InputContext, s *settings, conc int) {
	sem := make(chan struct{}, conc)
	for _, p := range in.parts {
		if in.pass {
			// The schema waits in the buffer, the file until the consumer
			// reaches the part: at most conc files fetched ahead.
			p.ch = make(chan loadItem, 1)
		} else {
			p.ch = make(chan loadItem, 2)
		}
	}
	in.wg.Add(1)
	go func() {
		defer in.wg.Done()
		for i, p := range in.parts {
			select {
			case sem <- struct{}{}:
			case <-in.ctx.Done():
				for _, q := range in.parts[i:] {
					close(q.ch)
				}
				return
			}
			in.wg.Add(1)
			go func() {
				defer in.wg.Done()
				defer func() { <-sem }()
				defer close(p.ch)
				if p.kind == KindObject {
					in.produceObject(p)
				} else if in.pass {
					in.produceParquetFile(ic, s, p)
				} else {
					in.produceTable(ic, s, p)
				}
			}()
		}
	}()
}

func (in *Input) send(p *partLoad, it loadItem) bool {
	select {
	case p.ch <- it:
		return true
	case <-in.ctx.Done():
		if it.rec != nil {
			it.rec.Release()
		}
		it.pq.remove()
		return false
	}
}

func (in *Input) produceObject(p *partLoad) {
	b, err := in.m.st.ReadBytes(in.ctx, p.path)
	in.send(p, loadItem{obj: b, err: err})
}

func (in *Input) produceTable(ic InputContext, s *settings, p *partLoad) {
	m := in.m
	var fileCols []string
	if ic.Columns != nil {
		fileCols = append(append(fileCols, ic.Columns...), filterColumns(ic)...)
	}
	rr, err := codecFor(s.format).open(in.ctx, m.st, p.path, fileCols, m)
	if err != nil {
		in.send(p, loadItem{err: err})
		return
	}
	defer rr.Release()
	proj, err := m.newProjector(ic, s, p, rr.Schema())
	if err != nil {
		in.send(p, loadItem{err: err})
		return
	}
	defer proj.release()
	if !in.send(p, loadItem{sc: proj.out}) {
		return
	}
	for rr.Next() {
		out, err := proj.apply(in.ctx, rr.RecordBatch())
		if err != nil {
			in.send(p, loadItem{err: err})
			return
		}
		if out.NumRows() == 0 {
			out.Release()
			continue
		}
		if !in.send(p, loadItem{rec: out}) {
			return
		}
	}
	if err := rr.Err(); err != nil {
		in.send(p, loadItem{err: fmt.Errorf("%s: %w", m.st.URI(p.path), err)})
	}
}

func filterColumns(ic InputContext) []string {
	var out []string
	for _, f := range ic.Filters {
		out = append(out, f.Column)
	}
	return out
}

// newProjector plans how batches of a file with schema fsc become output.
func (m *Manager) newProjector(ic InputContext, s *settings, p *partLoad, fsc *arrow.Schema) (*projector, error) {
	pr := &projector{mem: m.mem}
	if len(ic.Partitions) > 0 {
		wanted := ic.Shape != ShapePartitions
		for _, c := range m.partitionColumns(s, p.key) {
			named := contains(ic.Columns, c.col) || contains(filterColumns(ic), c.col)
			if (wanted || named) && len(fsc.FieldIndices(c.col)) == 0 {
				pr.add = append(pr.add, c)
			}
		}
	}
	pr.addSc = appendConstColumns(fsc, pr.add)
	var err error
	if pr.filters, err = bindFilters(ic.Filters, pr.addSc, m.mem); err != nil {
		return nil, err
	}
	pr.out = pr.addSc
	if ic.Columns != nil {
		fields := make([]arrow.Field, len(ic.Columns))
		pr.keep = make([]int, len(ic.Columns))
		for i, c := range ic.Columns {
			idx := pr.addSc.FieldIndices(c)
			if len(idx) == 0 {
				pr.release()
				return nil, errorf(store.ErrInvalidConfig, "column %q is not in %s (columns: %s)", c, m.st.URI(p.path), strings.Join(fieldNames(pr.addSc), ", "))
			}
			pr.keep[i] = idx[0]
			fields[i] = pr.addSc.Field(idx[0])
		}
		md := pr.addSc.Metadata()
		pr.out = arrow.NewSchema(fields, &md)
	}
	return pr, nil
}

// Next returns the next part, or io.EOF after the last.
func (in *Input) Next() (*Part, error) {
	if in.closed {
		return nil, errors.New("iomanager: Next after Close")
	}
	if in.isDirect {
		return in.nextDirect()
	}
	if in.Kind == KindTable && in.Shape != ShapePartitions && !in.pass {
		if in.next > 0 {
			return nil, io.EOF
		}
		in.next++
		sc := in.Schema
		if sc == nil {
			sc = arrow.NewSchema(nil, nil)
		}
		r := &combinedReader{in: in, schema: sc}
		r.refs.Store(1)
		return &Part{Records: r}, nil
	}
	if in.next >= len(in.parts) {
		return nil, io.EOF
	}
	idx := in.next
	p := in.parts[idx]
	in.next++
	part := &Part{Key: p.label, Path: p.path}
	if len(in.Partitions) > 0 && p.label != "" {
		k := p.key
		part.Partition = &k
	}
	if in.pass && p.kind == KindTable {
		return in.parquetPart(idx, p, part)
	}
	first, err := in.recv(p)
	if err != nil {
		return nil, err
	}
	if p.kind == KindObject {
		part.Object = first.obj
		return part, nil
	}
	r := &combinedReader{in: in, schema: first.sc, parts: []*partLoad{p}, started: true}
	r.refs.Store(1)
	part.Records = r
	return part, nil
}

// recv takes the next item of part p from its producer; an error item,
// a closed channel or a cancelled load ends the part with an error.
func (in *Input) recv(p *partLoad) (loadItem, error) {
	select {
	case it, ok := <-p.ch:
		if !ok {
			return loadItem{}, partError(p, in.ctx.Err())
		}
		if it.err != nil {
			return loadItem{}, partError(p, it.err)
		}
		return it, nil
	case <-in.ctx.Done():
		return loadItem{}, in.ctx.Err()
	}
}

// schemaMismatch is the error of a partition whose schema differs from
// the first partition's in a combined load.
func schemaMismatch(p *partLoad, sc *arrow.Schema, first *partLoad, firstSc *arrow.Schema) error {
	return errorf(store.ErrInvalidConfig, "partition %s has schema %s, unlike partition %s's %s (load them per partition)",
		p.label, schemaString(sc), first.label, schemaString(firstSc))
}

func (in *Input) nextDirect() (*Part, error) {
	if in.Shape != ShapePartitions {
		if in.next > 0 {
			return nil, io.EOF
		}
		in.next++
		if len(in.direct) == 0 {
			rr, _ := array.NewRecordReader(arrow.NewSchema(nil, nil), nil)
			return &Part{Records: rr}, nil
		}
		rr, err := in.direct[0].open()
		if err != nil {
			return nil, err
		}
		in.opened = nil
		return &Part{Records: rr}, nil
	}
	if in.next >= len(in.direct) {
		return nil, io.EOF
	}
	d := in.direct[in.next]
	in.next++
	rr, err := d.open()
	if err != nil {
		return nil, partError(&partLoad{label: d.label}, err)
	}
	if in.opened == rr {
		in.opened = nil
	}
	return &Part{Key: d.label, Partition: d.key, Records: rr}, nil
}

// Rows returns the number of table rows handed out so far.
func (in *Input) Rows() int64 { return in.rows.Load() }

// Close stops the producers and releases what they hold.
func (in *Input) Close() {
	if in.closed {
		return
	}
	in.closed = true
	if in.opened != nil {
		in.opened.Release()
		in.opened = nil
	}
	if in.cancel != nil {
		in.cancel()
	}
	for _, p := range in.parts {
		if p.ch == nil {
			continue
		}
		for it := range p.ch {
			if it.rec != nil {
				it.rec.Release()
			}
			it.pq.remove()
		}
	}
	in.wg.Wait()
}

// combinedReader reads the batches of its parts in order (every part of
// the Input when parts is nil).
type combinedReader struct {
	refs    atomic.Int64
	in      *Input
	schema  *arrow.Schema
	parts   []*partLoad
	idx     int
	started bool // the first part's schema item was already consumed
	cur     arrow.RecordBatch
	err     error
}

func (r *combinedReader) Retain() { r.refs.Add(1) }
func (r *combinedReader) Release() {
	if r.refs.Add(-1) == 0 && r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
}
func (r *combinedReader) Schema() *arrow.Schema          { return r.schema }
func (r *combinedReader) RecordBatch() arrow.RecordBatch { return r.cur }
func (r *combinedReader) Record() arrow.RecordBatch      { return r.cur }
func (r *combinedReader) Err() error                     { return r.err }

func (r *combinedReader) Next() bool {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	parts := r.parts
	if parts == nil {
		parts = r.in.parts
		if !r.started { // LoadInput consumed part 0's schema
			r.started = true
		}
	}
	for r.err == nil && r.idx < len(parts) {
		p := parts[r.idx]
		var it loadItem
		var ok bool
		select {
		case it, ok = <-p.ch:
		case <-r.in.ctx.Done():
			r.err = r.in.ctx.Err()
			return false
		}
		switch {
		case !ok:
			if err := r.in.ctx.Err(); err != nil {
				r.err = err
				return false
			}
			r.idx++
		case it.err != nil:
			r.err = partError(p, it.err)
		case it.sc != nil:
			if !it.sc.Equal(r.schema) {
				r.err = schemaMismatch(p, it.sc, parts[0], r.schema)
			}
		case it.rec != nil:
			r.cur = it.rec
			r.in.rows.Add(it.rec.NumRows())
			return true
		}
	}
	return false
}

func schemaString(sc *arrow.Schema) string {
	var b strings.Builder
	b.WriteString("(")
	for i, f := range sc.Fields() {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(f.Name + " " + f.Type.String())
	}
	b.WriteString(")")
	return b.String()
}
