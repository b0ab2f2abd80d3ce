package parquet

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
)

// mergeSchemas checks that incoming can be added to a dataset whose schema
// is base and returns the dataset's schema afterwards. Without widening the
// two must agree on names (in order), types and nullability. With widening,
// a field may become nullable and a type may widen (see widerType); the
// result is the wider of the two. Partition columns whose type was only
// inferred from folder names (skipTypes) are matched by name.
func mergeSchemas(base, incoming *arrow.Schema, allowWidening bool, skipTypes map[string]bool) (*arrow.Schema, error) {
	var problems []string
	bn, in := fieldNames(base), fieldNames(incoming)
	if strings.Join(bn, ",") != strings.Join(in, ",") {
		// Order may differ only for partition columns of discovered datasets,
		// which sit last there; compare as sets then.
		if !sameSet(bn, in) {
			return nil, fmt.Errorf("%w: columns differ: dataset has [%s], new data has [%s]",
				ErrSchemaMismatch, strings.Join(bn, ", "), strings.Join(in, ", "))
		}
	}
	out := make([]arrow.Field, 0, len(in))
	for _, nf := range incoming.Fields() {
		bf := base.Field(base.FieldIndices(nf.Name)[0])
		if skipTypes[nf.Name] {
			out = append(out, nf)
			continue
		}
		f := nf
		switch {
		case arrow.TypeEqual(bf.Type, nf.Type):
		case allowWidening && widerType(bf.Type, nf.Type) != nil:
			f.Type = widerType(bf.Type, nf.Type)
		default:
			hint := ""
			if !allowWidening && widerType(bf.Type, nf.Type) != nil {
				hint = " (a safe widening: pass AllowWidening to accept it)"
			}
			problems = append(problems, fmt.Sprintf("column %q: dataset has %s, new data has %s%s", nf.Name, bf.Type, nf.Type, hint))
			continue
		}
		switch {
		case bf.Nullable && !nf.Nullable:
			// Not-null data fits a nullable column.
			f.Nullable = true
		case !bf.Nullable && nf.Nullable:
			if !allowWidening {
				problems = append(problems, fmt.Sprintf("column %q: dataset is %s, new data is %s (pass AllowWidening to make it nullable)",
					nf.Name, nullability(bf.Nullable), nullability(nf.Nullable)))
				continue
			}
			f.Nullable = true
		}
		out = append(out, f)
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%w: %s", ErrSchemaMismatch, strings.Join(problems, "; "))
	}
	md := base.Metadata()
	return arrow.NewSchema(out, &md), nil
}

func nullability(n bool) string {
	if n {
		return "nullable"
	}
	return "not null"
}

func fieldNames(sc *arrow.Schema) []string {
	n := make([]string, sc.NumFields())
	for i, f := range sc.Fields() {
		n[i] = f.Name
	}
	return n
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	m := map[string]int{}
	for _, x := range a {
		m[x]++
	}
	for _, x := range b {
		if m[x]--; m[x] < 0 {
			return false
		}
	}
	return true
}

var intRank = map[arrow.Type]int{
	arrow.INT8: 1, arrow.INT16: 2, arrow.INT32: 3, arrow.INT64: 4,
	arrow.UINT8: 1, arrow.UINT16: 2, arrow.UINT32: 3, arrow.UINT64: 4,
}

// widerType returns the type both a and b convert to without loss, when
// one is a safe widening of the other: signed integers to wider signed
// integers, unsigned to wider unsigned or to strictly wider signed, float32
// to float64, string to large_string, binary to large_binary. Otherwise nil.
func widerType(a, b arrow.DataType) arrow.DataType {
	if arrow.TypeEqual(a, b) {
		return a
	}
	if canWiden(a, b) {
		return b
	}
	if canWiden(b, a) {
		return a
	}
	return nil
}

// canWiden reports whether every value of from fits to.
func canWiden(from, to arrow.DataType) bool {
	f, t := from.ID(), to.ID()
	switch {
	case arrow.IsSignedInteger(f) && arrow.IsSignedInteger(t):
		return intRank[f] < intRank[t]
	case arrow.IsUnsignedInteger(f) && arrow.IsUnsignedInteger(t):
		return intRank[f] < intRank[t]
	case arrow.IsUnsignedInteger(f) && arrow.IsSignedInteger(t):
		return intRank[f] < intRank[t]
	case f == arrow.FLOAT32 && t == arrow.FLOAT64:
		return true
	case f == arrow.STRING && t == arrow.LARGE_STRING, f == arrow.BINARY && t == arrow.LARGE_BINARY:
		return true
	}
	return false
}

// withoutColumns returns sc minus the named columns, and the indices kept.
func withoutColumns(sc *arrow.Schema, drop []string) (*arrow.Schema, []int) {
	skip := map[string]bool{}
	for _, d := range drop {
		skip[d] = true
	}
	var fields []arrow.Field
	var idx []int
	for i, f := range sc.Fields() {
		if !skip[f.Name] {
			fields = append(fields, f)
			idx = append(idx, i)
		}
	}
	md := sc.Metadata()
	return arrow.NewSchema(fields, &md), idx
}
