package parquet

import (
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// selectRowGroups returns the row groups of a file whose statistics allow
// a match for every row filter (all row groups when there is none).
func (p *readPlan) selectRowGroups(fr *pqarrow.FileReader, fsc *arrow.Schema) []int {
	md := fr.ParquetReader().MetaData()
	out := make([]int, 0, md.NumRowGroups())
	for rg := 0; rg < md.NumRowGroups(); rg++ {
		if md.RowGroup(rg).NumRows() == 0 {
			continue
		}
		keep := true
		for i := range p.rowFilt {
			b := &p.rowFilt[i]
			lo, hi, ok := columnRange(fr, fsc, md.RowGroup(rg), b)
			if ok && !b.mayMatch(lo, hi) {
				keep = false
				break
			}
		}
		if keep {
			out = append(out, rg)
		}
	}
	return out
}

// columnRange reads the min and max of the filter's column in one row
// group, when the file has trustworthy statistics for a top-level column
// of the same type as the dataset's.
func columnRange(fr *pqarrow.FileReader, fsc *arrow.Schema, rg *metadata.RowGroupMetaData, b *boundFilter) (lo, hi ordered, ok bool) {
	idx := fsc.FieldIndices(b.Column)
	if len(idx) == 0 {
		return lo, hi, false
	}
	sf := &fr.Manifest.Fields[idx[0]]
	if !sf.IsLeaf() || !arrow.TypeEqual(valueType(fsc.Field(idx[0]).Type), b.dt) {
		return lo, hi, false
	}
	cc, err := rg.ColumnChunk(sf.ColIndex)
	if err != nil {
		return lo, hi, false
	}
	if set, err := cc.StatsSet(); err != nil || !set {
		return lo, hi, false
	}
	st, err := cc.Statistics()
	if err != nil || st == nil || !st.HasMinMax() {
		return lo, hi, false
	}
	id := b.dt.ID()
	signed32 := id == arrow.INT8 || id == arrow.INT16 || id == arrow.INT32 || id == arrow.DATE32 || id == arrow.TIME32
	signed64 := id == arrow.INT64 || id == arrow.TIMESTAMP || id == arrow.DATE64 || id == arrow.TIME64 || id == arrow.DURATION
	switch s := st.(type) {
	case *metadata.Int32Statistics:
		if signed32 {
			return ordered{kind: 'i', i: int64(s.Min())}, ordered{kind: 'i', i: int64(s.Max())}, true
		}
	case *metadata.Int64Statistics:
		if signed64 {
			return ordered{kind: 'i', i: s.Min()}, ordered{kind: 'i', i: s.Max()}, true
		}
	case *metadata.Float32Statistics:
		if id == arrow.FLOAT32 && !math.IsNaN(float64(s.Min())) && !math.IsNaN(float64(s.Max())) {
			return ordered{kind: 'f', f: float64(s.Min())}, ordered{kind: 'f', f: float64(s.Max())}, true
		}
	case *metadata.Float64Statistics:
		if id == arrow.FLOAT64 && !math.IsNaN(s.Min()) && !math.IsNaN(s.Max()) {
			return ordered{kind: 'f', f: s.Min()}, ordered{kind: 'f', f: s.Max()}, true
		}
	case *metadata.ByteArrayStatistics:
		if id == arrow.STRING || id == arrow.LARGE_STRING || id == arrow.BINARY || id == arrow.LARGE_BINARY {
			return ordered{kind: 's', s: s.Min()}, ordered{kind: 's', s: s.Max()}, true
		}
	case *metadata.BooleanStatistics:
		if id == arrow.BOOL {
			return ordered{kind: 'i', i: b2i(s.Min())}, ordered{kind: 'i', i: b2i(s.Max())}, true
		}
	}
	return lo, hi, false
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
