package iomanager

import (
	"context"
	"fmt"
	"reflect"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/arrow/scalar"

	"github.com/remotestore/remotestore/parquet"
)

// Filters use parquet.Filter, so the dataset format pushes the same values
// down; for file formats they are evaluated on each loaded batch here.

var cmpFuncs = map[parquet.Op]string{
	parquet.OpEq: "equal", parquet.OpNe: "not_equal", parquet.OpLt: "less",
	parquet.OpLe: "less_equal", parquet.OpGt: "greater", parquet.OpGe: "greater_equal",
}

// boundFilter is a filter with its literal(s) as scalars of the column type.
type boundFilter struct {
	f    parquet.Filter
	col  int
	lits []scalar.Scalar
	set  arrow.Array // OpIn
}

func (b *boundFilter) release() {
	if b.set != nil {
		b.set.Release()
	}
}

// bindFilters checks filters against sc and converts their values.
func bindFilters(filters []parquet.Filter, sc *arrow.Schema, mem memory.Allocator) ([]*boundFilter, error) {
	var out []*boundFilter
	fail := func(err error) ([]*boundFilter, error) {
		for _, b := range out {
			b.release()
		}
		return nil, err
	}
	for _, f := range filters {
		idx := sc.FieldIndices(f.Column)
		if len(idx) == 0 {
			return fail(errorf(parquet.ErrInvalidFilter, "filter %s: no column %q (columns: %v)", f, f.Column, fieldNames(sc)))
		}
		dt := sc.Field(idx[0]).Type
		if d, ok := dt.(*arrow.DictionaryType); ok {
			dt = d.ValueType
		}
		b := &boundFilter{f: f, col: idx[0]}
		var vals []any
		switch f.Op {
		case parquet.OpIn:
			rv := reflect.ValueOf(f.Value)
			if rv.Kind() != reflect.Slice {
				return fail(errorf(parquet.ErrInvalidFilter, "filter %s: \"in\" needs a list of values", f))
			}
			for i := 0; i < rv.Len(); i++ {
				vals = append(vals, rv.Index(i).Interface())
			}
		default:
			if _, ok := cmpFuncs[f.Op]; !ok {
				return fail(errorf(parquet.ErrInvalidFilter, "filter %s: unknown operator %q", f, f.Op))
			}
			vals = []any{f.Value}
		}
		for _, v := range vals {
			s, err := toScalar(v, dt)
			if err != nil {
				return fail(errorf(parquet.ErrInvalidFilter, "filter %s: value %v does not fit column %q of type %s: %v", f, v, f.Column, dt, err))
			}
			b.lits = append(b.lits, s)
		}
		if f.Op == parquet.OpIn {
			bld := array.NewBuilder(mem, dt)
			for _, s := range b.lits {
				if err := scalar.Append(bld, s); err != nil {
					bld.Release()
					return fail(errorf(parquet.ErrInvalidFilter, "filter %s: %v", f, err))
				}
			}
			b.set = bld.NewArray()
			bld.Release()
		}
		out = append(out, b)
	}
	return out, nil
}

// toScalar converts a Go value to a scalar of type dt; strings are parsed.
func toScalar(v any, dt arrow.DataType) (scalar.Scalar, error) {
	var s scalar.Scalar
	switch x := v.(type) {
	case string:
		s = scalar.NewStringScalar(x)
	case time.Time:
		s = scalar.NewTimestampScalar(arrow.Timestamp(x.UnixMicro()), &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"})
	case int:
		s = scalar.NewInt64Scalar(int64(x))
	case float32:
		s = scalar.NewFloat64Scalar(float64(x))
	default:
		s = scalar.MakeScalar(v)
	}
	if arrow.TypeEqual(s.DataType(), dt) {
		return s, nil
	}
	if ts, ok := s.(*scalar.Timestamp); ok && (dt.ID() == arrow.DATE32 || dt.ID() == arrow.DATE64) {
		t := time.UnixMicro(int64(ts.Value)).UTC()
		return scalar.ParseScalar(dt, t.Format("2006-01-02"))
	}
	if st, ok := s.(*scalar.String); ok && dt.ID() == arrow.TIMESTAMP {
		// Accept RFC 3339 and plain dates for timestamp columns.
		str := string(st.Value.Bytes())
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02"} {
			if t, err := time.Parse(layout, str); err == nil {
				unit := dt.(*arrow.TimestampType).Unit
				v, err := arrow.TimestampFromTime(t, unit)
				if err != nil {
					return nil, err
				}
				return scalar.NewTimestampScalar(v, dt), nil
			}
		}
	}
	if st, ok := s.(*scalar.String); ok && dt.ID() == arrow.BOOL {
		b, err := strconv.ParseBool(string(st.Value.Bytes()))
		if err != nil {
			return nil, err
		}
		return scalar.NewBooleanScalar(b), nil
	}
	return s.CastTo(dt)
}

// mask returns the boolean selection of the filter over col.
func (b *boundFilter) mask(ctx context.Context, col arrow.Array) (arrow.Array, error) {
	if d, ok := col.(*array.Dictionary); ok {
		dense, err := compute.CastArray(ctx, d, compute.SafeCastOptions(d.DataType().(*arrow.DictionaryType).ValueType))
		if err != nil {
			return nil, err
		}
		defer dense.Release()
		col = dense
	}
	var out compute.Datum
	var err error
	if b.f.Op == parquet.OpIn {
		out, err = compute.IsIn(ctx, compute.SetOptions{ValueSet: compute.NewDatumWithoutOwning(b.set)}, compute.NewDatumWithoutOwning(col))
	} else {
		out, err = compute.CallFunction(ctx, cmpFuncs[b.f.Op], nil, compute.NewDatumWithoutOwning(col), compute.NewDatum(b.lits[0]))
	}
	if err != nil {
		return nil, err
	}
	defer out.Release()
	return out.(*compute.ArrayDatum).MakeArray(), nil
}

// filterBatch keeps the rows of rec matching every filter (nulls never
// match). It returns rec itself, retained, when there are no filters.
func filterBatch(ctx context.Context, rec arrow.RecordBatch, fs []*boundFilter) (arrow.RecordBatch, error) {
	if len(fs) == 0 {
		rec.Retain()
		return rec, nil
	}
	var sel arrow.Array
	for _, b := range fs {
		m, err := b.mask(ctx, rec.Column(b.col))
		if err != nil {
			if sel != nil {
				sel.Release()
			}
			return nil, fmt.Errorf("filter %s: %w", b.f, err)
		}
		if sel == nil {
			sel = m
			continue
		}
		and, err := compute.CallFunction(ctx, "and_kleene", nil, compute.NewDatumWithoutOwning(sel), compute.NewDatumWithoutOwning(m))
		sel.Release()
		m.Release()
		if err != nil {
			return nil, err
		}
		sel = and.(*compute.ArrayDatum).MakeArray()
		and.Release()
	}
	defer sel.Release()
	opts := compute.DefaultFilterOptions() // nulls dropped
	return compute.FilterRecordBatch(ctx, rec, sel, opts)
}
