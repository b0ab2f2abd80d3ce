package parquet

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"math"
	"reflect"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/arrow/scalar"
)

// Op is a filter's comparison.
type Op string

// The comparisons a Filter can make.
const (
	OpEq Op = "="
	OpNe Op = "!="
	OpLt Op = "<"
	OpLe Op = "<="
	OpGt Op = ">"
	OpGe Op = ">="
	OpIn Op = "in"
)

// Filter keeps the rows whose Column compares to Value by Op. Value is a Go
// value (int, int64, float64, string, bool, time.Time, …) converted to the
// column's type; a string is parsed for non-string columns ("2024-01-02"
// for a date). For OpIn, Value is a slice. Rows where the column is null
// never match, as in SQL and pyarrow.
type Filter struct {
	Column string
	Op     Op
	Value  any
}

// Eq keeps rows where col = v.
func Eq(col string, v any) Filter { return Filter{col, OpEq, v} }

// Ne keeps rows where col != v.
func Ne(col string, v any) Filter { return Filter{col, OpNe, v} }

// Lt keeps rows where col < v.
func Lt(col string, v any) Filter { return Filter{col, OpLt, v} }

// Le keeps rows where col <= v.
func Le(col string, v any) Filter { return Filter{col, OpLe, v} }

// Gt keeps rows where col > v.
func Gt(col string, v any) Filter { return Filter{col, OpGt, v} }

// Ge keeps rows where col >= v.
func Ge(col string, v any) Filter { return Filter{col, OpGe, v} }

// In keeps rows where col is one of vs.
func In(col string, vs ...any) Filter { return Filter{col, OpIn, vs} }

// String renders the filter like "year >= 2024".
func (f Filter) String() string { return fmt.Sprintf("%s %s %v", f.Column, f.Op, f.Value) }

var computeFuncs = map[Op]string{
	OpEq: "equal", OpNe: "not_equal", OpLt: "less", OpLe: "less_equal", OpGt: "greater", OpGe: "greater_equal",
}

// boundFilter is a Filter whose literals are scalars of the column's type.
type boundFilter struct {
	Filter
	dt   arrow.DataType  // the column's dataset type, dictionary unwrapped
	lits []scalar.Scalar // one, or the set for OpIn
}

// bindFilters checks filters against the dataset schema and converts their
// values.
func bindFilters(filters []Filter, sc *arrow.Schema) ([]boundFilter, error) {
	out := make([]boundFilter, 0, len(filters))
	for _, f := range filters {
		idx := sc.FieldIndices(f.Column)
		if len(idx) == 0 {
			return nil, fmt.Errorf("%w: %s: no column %q", ErrInvalidFilter, f, f.Column)
		}
		if _, ok := computeFuncs[f.Op]; !ok && f.Op != OpIn {
			return nil, fmt.Errorf("%w: %s: unknown operator %q", ErrInvalidFilter, f, f.Op)
		}
		dt := valueType(sc.Field(idx[0]).Type)
		b := boundFilter{Filter: f, dt: dt}
		vals := []any{f.Value}
		if f.Op == OpIn {
			rv := reflect.ValueOf(f.Value)
			if rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array {
				return nil, fmt.Errorf("%w: %s: OpIn needs a slice of values", ErrInvalidFilter, f)
			}
			vals = make([]any, rv.Len())
			for i := range vals {
				vals[i] = rv.Index(i).Interface()
			}
		}
		for _, v := range vals {
			s, err := toScalar(v, dt)
			if err != nil {
				return nil, fmt.Errorf("%w: %s: %v", ErrInvalidFilter, f, err)
			}
			b.lits = append(b.lits, s)
		}
		out = append(out, b)
	}
	return out, nil
}

func valueType(dt arrow.DataType) arrow.DataType {
	if d, ok := dt.(*arrow.DictionaryType); ok {
		return d.ValueType
	}
	return dt
}

// toScalar converts a Go value to a scalar of type dt.
func toScalar(v any, dt arrow.DataType) (scalar.Scalar, error) {
	switch x := v.(type) {
	case nil:
		return nil, fmt.Errorf("null is not a comparable value")
	case scalar.Scalar:
		return x.CastTo(dt)
	case time.Time:
		switch t := dt.(type) {
		case *arrow.TimestampType:
			ts, err := arrow.TimestampFromTime(x, t.Unit)
			if err != nil {
				return nil, err
			}
			return scalar.NewTimestampScalar(ts, dt), nil
		case *arrow.Date32Type:
			return scalar.NewDate32Scalar(arrow.Date32FromTime(x)), nil
		case *arrow.Date64Type:
			return scalar.NewDate64Scalar(arrow.Date64FromTime(x)), nil
		}
		return nil, fmt.Errorf("a time cannot be compared with a %s column", dt)
	case string:
		switch dt.ID() {
		case arrow.STRING:
			return scalar.NewStringScalar(x), nil
		case arrow.LARGE_STRING:
			return scalar.NewLargeStringScalar(x), nil
		case arrow.BINARY:
			return scalar.NewBinaryScalar(memory.NewBufferBytes([]byte(x)), dt), nil
		}
		return parsePartitionValue(x, false, dt)
	case bool:
		if dt.ID() != arrow.BOOL {
			return nil, fmt.Errorf("a bool cannot be compared with a %s column", dt)
		}
		return scalar.NewBooleanScalar(x), nil
	}
	rv := reflect.ValueOf(v)
	var s scalar.Scalar
	switch {
	case rv.CanInt():
		s = scalar.NewInt64Scalar(rv.Int())
	case rv.CanUint():
		s = scalar.NewUint64Scalar(rv.Uint())
	case rv.CanFloat():
		s = scalar.NewFloat64Scalar(rv.Float())
	default:
		return nil, fmt.Errorf("unsupported value type %T", v)
	}
	if !arrow.IsInteger(dt.ID()) && !arrow.IsFloating(dt.ID()) {
		return nil, fmt.Errorf("a number cannot be compared with a %s column", dt)
	}
	if arrow.IsInteger(dt.ID()) && rv.CanFloat() {
		if f := rv.Float(); f != math.Trunc(f) {
			return nil, fmt.Errorf("%v is not an integer, the column is %s", v, dt)
		}
	}
	out, err := s.CastTo(dt)
	if err != nil {
		return nil, err
	}
	// CastTo wraps silently; check the value survived.
	back, err := out.CastTo(s.DataType())
	if err != nil || !scalar.Equals(back, s) {
		return nil, fmt.Errorf("%v does not fit a %s column", v, dt)
	}
	return out, nil
}

// ordered is a comparable form of a scalar, for statistics and partition
// values.
type ordered struct {
	kind byte // 'i' int64, 'u' uint64, 'f' float64, 's' bytes, 'b' bool
	i    int64
	u    uint64
	f    float64
	s    []byte
}

func orderedOf(s scalar.Scalar) (ordered, bool) {
	if s == nil || !s.IsValid() {
		return ordered{}, false
	}
	if d, ok := s.(*scalar.Dictionary); ok {
		v, err := d.GetEncodedValue()
		if err != nil {
			return ordered{}, false
		}
		return orderedOf(v)
	}
	switch x := s.(type) {
	case *scalar.Int8:
		return ordered{kind: 'i', i: int64(x.Value)}, true
	case *scalar.Int16:
		return ordered{kind: 'i', i: int64(x.Value)}, true
	case *scalar.Int32:
		return ordered{kind: 'i', i: int64(x.Value)}, true
	case *scalar.Int64:
		return ordered{kind: 'i', i: x.Value}, true
	case *scalar.Uint8:
		return ordered{kind: 'u', u: uint64(x.Value)}, true
	case *scalar.Uint16:
		return ordered{kind: 'u', u: uint64(x.Value)}, true
	case *scalar.Uint32:
		return ordered{kind: 'u', u: uint64(x.Value)}, true
	case *scalar.Uint64:
		return ordered{kind: 'u', u: x.Value}, true
	case *scalar.Date32:
		return ordered{kind: 'i', i: int64(x.Value)}, true
	case *scalar.Date64:
		return ordered{kind: 'i', i: int64(x.Value)}, true
	case *scalar.Timestamp:
		return ordered{kind: 'i', i: int64(x.Value)}, true
	case *scalar.Float32:
		if math.IsNaN(float64(x.Value)) {
			return ordered{}, false
		}
		return ordered{kind: 'f', f: float64(x.Value)}, true
	case *scalar.Float64:
		if math.IsNaN(x.Value) {
			return ordered{}, false
		}
		return ordered{kind: 'f', f: x.Value}, true
	case *scalar.String:
		return ordered{kind: 's', s: x.Data()}, true
	case *scalar.LargeString:
		return ordered{kind: 's', s: x.Data()}, true
	case *scalar.Binary:
		return ordered{kind: 's', s: x.Data()}, true
	case *scalar.Boolean:
		if x.Value {
			return ordered{kind: 'i', i: 1}, true
		}
		return ordered{kind: 'i', i: 0}, true
	}
	return ordered{}, false
}

func compareOrdered(a, b ordered) int {
	switch a.kind {
	case 'i':
		return cmp.Compare(a.i, b.i)
	case 'u':
		return cmp.Compare(a.u, b.u)
	case 'f':
		return cmp.Compare(a.f, b.f)
	}
	return bytes.Compare(a.s, b.s)
}

// mayMatch reports whether some value in [lo, hi] can satisfy the filter.
// With lo == hi it is exact (used for partition values).
func (b *boundFilter) mayMatch(lo, hi ordered) bool {
	for _, lit := range b.lits {
		v, ok := orderedOf(lit)
		if !ok || v.kind != lo.kind || v.kind != hi.kind {
			return true // cannot tell: keep
		}
		cl, ch := compareOrdered(lo, v), compareOrdered(hi, v)
		var m bool
		switch b.Op {
		case OpEq, OpIn:
			m = cl <= 0 && ch >= 0
		case OpNe:
			m = !(cl == 0 && ch == 0)
		case OpLt:
			m = cl < 0
		case OpLe:
			m = cl <= 0
		case OpGt:
			m = ch > 0
		case OpGe:
			m = ch >= 0
		}
		if m {
			return true
		}
	}
	return false
}

// matchValue evaluates the filter on one partition value exactly: a null
// never matches.
func (b *boundFilter) matchValue(v scalar.Scalar) bool {
	o, ok := orderedOf(v)
	if !ok {
		return v != nil && v.IsValid() // not comparable here (NaN): keep, rows are filtered later
	}
	return b.mayMatch(o, o)
}

// mask computes the filter over a column: true where the row matches.
func (b *boundFilter) mask(ctx context.Context, col arrow.Array) (arrow.Array, error) {
	if d, ok := col.(*array.Dictionary); ok {
		dec, err := compute.TakeArray(ctx, d.Dictionary(), d.Indices())
		if err != nil {
			return nil, err
		}
		defer dec.Release()
		col = dec
	}
	if !arrow.TypeEqual(col.DataType(), b.dt) {
		return nil, fmt.Errorf("%w: %s: column is %s, filter bound to %s", ErrInvalidFilter, b.Filter, col.DataType(), b.dt)
	}
	if b.Op == OpIn {
		set, err := scalarsToArray(b.lits, b.dt)
		if err != nil {
			return nil, err
		}
		defer set.Release()
		out, err := compute.IsIn(ctx, compute.SetOptions{ValueSet: compute.NewDatumWithoutOwning(set)}, compute.NewDatumWithoutOwning(col))
		if err != nil {
			return nil, err
		}
		return out.(*compute.ArrayDatum).MakeArray(), releaseDatum(out)
	}
	out, err := compute.CallFunction(ctx, computeFuncs[b.Op], nil, compute.NewDatumWithoutOwning(col), compute.NewDatum(b.lits[0]))
	if err != nil {
		return nil, err
	}
	return out.(*compute.ArrayDatum).MakeArray(), releaseDatum(out)
}

func releaseDatum(d compute.Datum) error {
	d.Release()
	return nil
}

func scalarsToArray(ss []scalar.Scalar, dt arrow.DataType) (arrow.Array, error) {
	arrs := make([]arrow.Array, 0, len(ss))
	defer func() {
		for _, a := range arrs {
			a.Release()
		}
	}()
	for _, s := range ss {
		a, err := scalar.MakeArrayFromScalar(s, 1, memory.DefaultAllocator)
		if err != nil {
			return nil, err
		}
		arrs = append(arrs, a)
	}
	if len(arrs) == 0 {
		return array.MakeArrayOfNull(memory.DefaultAllocator, dt, 0), nil
	}
	return array.Concatenate(arrs, memory.DefaultAllocator)
}

// filterRecord keeps the rows of rec matching every filter; cols maps a
// filter column to its index in rec. It returns rec itself (retained) when
// no filter applies.
func filterRecord(ctx context.Context, rec arrow.RecordBatch, filters []boundFilter, cols map[string]int) (arrow.RecordBatch, error) {
	var acc arrow.Array
	defer func() {
		if acc != nil {
			acc.Release()
		}
	}()
	for i := range filters {
		m, err := filters[i].mask(ctx, rec.Column(cols[filters[i].Column]))
		if err != nil {
			return nil, err
		}
		if acc == nil {
			acc = m
			continue
		}
		both, err := compute.CallFunction(ctx, "and_kleene", nil, compute.NewDatumWithoutOwning(acc), compute.NewDatumWithoutOwning(m))
		m.Release()
		if err != nil {
			return nil, err
		}
		acc.Release()
		acc = both.(*compute.ArrayDatum).MakeArray()
		both.Release()
	}
	if acc == nil {
		rec.Retain()
		return rec, nil
	}
	return compute.FilterRecordBatch(ctx, rec, acc, compute.DefaultFilterOptions())
}

func filterNames(fs []boundFilter) string {
	s := make([]string, len(fs))
	for i, f := range fs {
		s[i] = f.String()
	}
	return strings.Join(s, " and ")
}
