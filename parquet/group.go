package parquet

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// group is the rows of one batch that belong to one partition folder.
type group struct {
	dir  string
	rows []int32
}

// groupRows splits the rows of rec by the values of the partition columns
// at partIdx, in order of first appearance. Each column's values are first
// interned to small ids (typed, without formatting every row); the ids are
// combined into one key per row.
func groupRows(rec arrow.RecordBatch, partIdx []int) ([]group, error) {
	n := int(rec.NumRows())
	keys := make([]uint64, n)
	mult := uint64(1)
	formatters := make([]func(int) (string, bool), len(partIdx))
	for c, j := range partIdx {
		col := rec.Column(j)
		f, err := valueFormatter(col)
		if err != nil {
			return nil, fmt.Errorf("partition column %q: %w", rec.ColumnName(j), err)
		}
		formatters[c] = f
		ids, card := internColumn(col, f)
		if card > 0 && mult > (1<<62)/uint64(card+1) {
			return nil, fmt.Errorf("too many distinct partition values in one batch")
		}
		for i := range keys {
			keys[i] += uint64(ids[i]) * mult
		}
		mult *= uint64(card + 1)
	}
	index := map[uint64]int{}
	var groups []group
	for i, k := range keys {
		g, ok := index[k]
		if !ok {
			g = len(groups)
			index[k] = g
			pk := make([]partitionKey, len(partIdx))
			for c, j := range partIdx {
				v, null := formatters[c](i)
				pk[c] = partitionKey{Column: rec.ColumnName(j), Value: v, Null: null}
			}
			groups = append(groups, group{dir: hivePath(pk)})
		}
		groups[g].rows = append(groups[g].rows, int32(i))
	}
	return groups, nil
}

// internColumn gives every row an id of its value (0 for null) and returns
// the number of distinct non-null values.
func internColumn(col arrow.Array, format func(int) (string, bool)) ([]int32, int) {
	n := col.Len()
	ids := make([]int32, n)
	switch a := col.(type) {
	case *array.Dictionary:
		// Equal indices are equal values; different indices may repeat a
		// value, which only makes two groups with one folder name: merge by
		// formatting the dictionary once.
		dict := map[int]int32{}
		byName := map[string]int32{}
		df, _ := valueFormatter(a.Dictionary())
		for i := 0; i < n; i++ {
			if a.IsNull(i) {
				continue
			}
			k := a.GetValueIndex(i)
			id, ok := dict[k]
			if !ok {
				s, null := df(k)
				if null {
					dict[k] = 0
					continue
				}
				if id, ok = byName[s]; !ok {
					id = int32(len(byName) + 1)
					byName[s] = id
				}
				dict[k] = id
			}
			ids[i] = id
		}
		return ids, len(byName)
	case *array.String:
		return internBy(n, a.IsNull, a.Value, ids)
	case *array.LargeString:
		return internBy(n, a.IsNull, a.Value, ids)
	case *array.Int64:
		return internBy(n, a.IsNull, a.Value, ids)
	case *array.Int32:
		return internBy(n, a.IsNull, a.Value, ids)
	case *array.Int16:
		return internBy(n, a.IsNull, a.Value, ids)
	case *array.Int8:
		return internBy(n, a.IsNull, a.Value, ids)
	case *array.Date32:
		return internBy(n, a.IsNull, a.Value, ids)
	case *array.Timestamp:
		return internBy(n, a.IsNull, a.Value, ids)
	}
	return internBy(n, col.IsNull, func(i int) string { s, _ := format(i); return s }, ids)
}

func internBy[K comparable](n int, isNull func(int) bool, value func(int) K, ids []int32) ([]int32, int) {
	m := map[K]int32{}
	for i := 0; i < n; i++ {
		if isNull(i) {
			continue
		}
		v := value(i)
		id, ok := m[v]
		if !ok {
			id = int32(len(m) + 1)
			m[v] = id
		}
		ids[i] = id
	}
	return ids, len(m)
}
