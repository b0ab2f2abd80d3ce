package iomanager

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/remotestore/remotestore/store"
)

// writeSplit writes a table covering several partitions (a single-run
// backfill): each row goes to the partition its partition_expr column(s)
// name; every partition file is written in full before any is committed,
// so a bad row or a failed input publishes nothing. A partition without
// rows gets an empty file (it was materialized, with no rows).
func (m *Manager) writeSplit(ctx context.Context, oc OutputContext, s *settings, rr array.RecordReader) (*Result, error) {
	sc := rr.Schema()
	asg, err := m.newAssigner(s, oc.Partitions, sc)
	if err != nil {
		return nil, err
	}
	base, err := TargetPath(oc.Target)
	if err != nil {
		return nil, err
	}
	n := len(oc.Partitions)
	paths := make([]string, n)
	for i := range oc.Partitions {
		if paths[i], err = Path(oc.Target, &oc.Partitions[i], s.ext); err != nil {
			return nil, err
		}
	}
	res := &Result{Kind: KindTable, Format: s.format, Path: base, URI: m.st.URI(base), Schema: sc}
	// Modes error and ignore look at every partition first.
	skip := make([]bool, n)
	for i, p := range paths {
		if skip[i], err = m.checkMode(ctx, s, p); err != nil {
			return nil, err
		}
	}
	files := make([]*pendingFile, n)
	writers := make([]batchWriter, n)
	rows := make([]int64, n)
	defer func() {
		for i, f := range files {
			if f != nil {
				if writers[i] != nil {
					writers[i].Close()
				}
				f.abort()
			}
		}
	}()
	open := func(i int) error {
		f, err := createFile(ctx, m.st, paths[i], 0)
		if err != nil {
			return err
		}
		files[i] = f
		w, err := codecFor(s.format).newWriter(f, sc, s)
		if err != nil {
			return err
		}
		writers[i] = w
		return nil
	}
	for rr.Next() {
		rec := rr.RecordBatch()
		groups, err := asg.assign(rec)
		if err != nil {
			return nil, err
		}
		for i, idx := range groups {
			if len(idx) == 0 || skip[i] {
				continue
			}
			if files[i] == nil {
				if err := open(i); err != nil {
					return nil, err
				}
			}
			part, err := takeRows(compute.WithAllocator(ctx, m.mem), m.mem, rec, idx)
			if err != nil {
				return nil, err
			}
			err = writers[i].Write(part)
			part.Release()
			if err != nil {
				return nil, fmt.Errorf("%s: %w", m.st.URI(paths[i]), err)
			}
			rows[i] += int64(len(idx))
		}
	}
	if err := rr.Err(); err != nil {
		return nil, fmt.Errorf("reading the table: %w", err)
	}
	for i := range files {
		if files[i] == nil && !skip[i] {
			if err := open(i); err != nil { // an empty partition: an empty file
				return nil, err
			}
		}
	}
	// Finish every file, then publish them all.
	for i, w := range writers {
		if w == nil {
			continue
		}
		writers[i] = nil
		if err := w.Close(); err != nil {
			return nil, fmt.Errorf("%s: %w", m.st.URI(paths[i]), err)
		}
	}
	for i, f := range files {
		if f == nil {
			continue
		}
		if err := f.commit(ctx); err != nil {
			return nil, err
		}
		res.Files = append(res.Files, paths[i])
		res.Bytes += f.bytes
		res.Rows += rows[i]
		res.Partitions = append(res.Partitions, PartitionResult{Key: oc.Partitions[i].String(), Path: paths[i],
			URI: m.st.URI(paths[i]), Rows: rows[i], Bytes: f.bytes})
	}
	return res, nil
}

// takeRows returns the rows idx of rec.
func takeRows(ctx context.Context, mem memory.Allocator, rec arrow.RecordBatch, idx []int32) (arrow.RecordBatch, error) {
	if int64(len(idx)) == rec.NumRows() {
		rec.Retain()
		return rec, nil
	}
	b := array.NewInt32Builder(mem)
	b.AppendValues(idx, nil)
	ia := b.NewInt32Array()
	defer ia.Release()
	cols := make([]arrow.Array, rec.NumCols())
	for j := range cols {
		c, err := compute.TakeArray(ctx, rec.Column(j), ia)
		if err != nil {
			for _, d := range cols[:j] {
				d.Release()
			}
			return nil, err
		}
		cols[j] = c
	}
	out := array.NewRecordBatch(rec.Schema(), cols, int64(len(idx)))
	for _, c := range cols {
		c.Release()
	}
	return out, nil
}

// assigner maps each row to the partition its columns name.
type assigner struct {
	n       int
	cols    []int           // column index per dimension
	names   []string        // column name per dimension
	windows [][]*TimeWindow // per dimension: the window per partition (temporal columns only)
	keys    map[string]int  // dimension tokens joined by \x00 → partition
	dimKeys [][]string      // per dimension, per partition: the key
}

func (m *Manager) newAssigner(s *settings, parts []PartitionKey, sc *arrow.Schema) (*assigner, error) {
	first := m.partitionColumns(s, parts[0])
	a := &assigner{n: len(parts), keys: map[string]int{}}
	for _, c := range first {
		idx := sc.FieldIndices(c.col)
		if len(idx) == 0 {
			return nil, errorf(store.ErrInvalidConfig,
				"an output covering %d partitions is split by its partition column %q, which the table lacks (columns: %s; set the %q metadata)",
				len(parts), c.col, strings.Join(fieldNames(sc), ", "), MetaPartitionExpr)
		}
		a.cols = append(a.cols, idx[0])
		a.names = append(a.names, c.col)
	}
	a.windows = make([][]*TimeWindow, len(first))
	a.dimKeys = make([][]string, len(first))
	for pi, p := range parts {
		cols := m.partitionColumns(s, p)
		if len(cols) != len(first) {
			return nil, errorf(store.ErrInvalidConfig, "partition %q has %d dimensions, partition %q has %d", p.String(), len(cols), parts[0].String(), len(first))
		}
		toks := make([]string, len(cols))
		for d, c := range cols {
			toks[d] = c.value
			a.dimKeys[d] = append(a.dimKeys[d], c.value)
			if isTemporal(sc.Field(a.cols[d]).Type) && p.Window != nil && !p.Window.IsZero() {
				a.windows[d] = append(a.windows[d], p.Window)
			} else {
				a.windows[d] = append(a.windows[d], nil)
			}
		}
		k := strings.Join(toks, "\x00")
		if _, dup := a.keys[k]; dup {
			return nil, errorf(store.ErrInvalidConfig, "partition %q is listed twice", p.String())
		}
		a.keys[k] = pi
	}
	return a, nil
}

func isTemporal(dt arrow.DataType) bool {
	switch dt.ID() {
	case arrow.TIMESTAMP, arrow.DATE32, arrow.DATE64:
		return true
	}
	return false
}

// assign returns, per partition, the row indices of rec that belong to it.
func (a *assigner) assign(rec arrow.RecordBatch) ([][]int32, error) {
	out := make([][]int32, a.n)
	toks := make([]string, len(a.cols))
	for r := 0; r < int(rec.NumRows()); r++ {
		for d, ci := range a.cols {
			col := rec.Column(ci)
			if col.IsNull(r) {
				return nil, errorf(store.ErrInvalidConfig, "row %d: partition column %q is null", r, a.names[d])
			}
			tok, ok := a.windowKey(d, col, r)
			if !ok {
				tok = valueString(col, r)
			}
			toks[d] = tok
		}
		k := strings.Join(toks, "\x00")
		pi, ok := a.keys[k]
		if !ok {
			return nil, errorf(store.ErrInvalidConfig, "row with %s is in none of the %d partitions of this output",
				describeRow(a.names, toks), a.n)
		}
		out[pi] = append(out[pi], int32(r))
	}
	return out, nil
}

// windowKey finds the partition window of dimension d holding row r's time.
func (a *assigner) windowKey(d int, col arrow.Array, r int) (string, bool) {
	var t time.Time
	switch c := col.(type) {
	case *array.Timestamp:
		unit := c.DataType().(*arrow.TimestampType).Unit
		t = c.Value(r).ToTime(unit)
	case *array.Date32:
		t = c.Value(r).ToTime()
	case *array.Date64:
		t = c.Value(r).ToTime()
	default:
		return "", false
	}
	hasWindow := false
	for pi, w := range a.windows[d] {
		if w == nil {
			continue
		}
		hasWindow = true
		if w.Contains(t) {
			return a.dimKeys[d][pi], true
		}
	}
	if hasWindow {
		return t.UTC().Format(time.RFC3339), true // matches no partition key: reported as out of range
	}
	return "", false
}

// valueString formats a partition column value like its partition key
// ("2024-01-31" for a date, decimal for integers, the value for strings).
func valueString(col arrow.Array, r int) string {
	if d, ok := col.(*array.Dictionary); ok {
		return valueString(d.Dictionary(), d.GetValueIndex(r))
	}
	return col.ValueStr(r)
}

func describeRow(names, vals []string) string {
	parts := make([]string, len(names))
	for i := range names {
		parts[i] = fmt.Sprintf("%s=%q", names[i], vals[i])
	}
	return strings.Join(parts, ", ")
}
