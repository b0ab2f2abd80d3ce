package iomanager

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/remotestore/remotestore/parquet"
	"github.com/remotestore/remotestore/store"
)

// The dataset format keeps an asset in one hive-partitioned dataset folder
// (base/asset/key/col=value/…), written and read by package parquet:
// partitions are partition columns, a write replaces only its partitions
// (mode overwrite-partitions), and a load pushes the partition keys, the
// filters and the projection down to the files.

// directPart is a part whose reader is opened on demand (dataset loads).
type directPart struct {
	key   *PartitionKey
	label string
	open  func() (array.RecordReader, error)
}

// datasetPartitions returns the partitions stored in the dataset at base,
// as dimension → value maps keyed by their hive folder ("day=2024-01-01").
func (m *Manager) datasetPartitions(ctx context.Context, base string) (map[string]bool, *parquet.Description, error) {
	d, err := m.ds.Describe(ctx, base)
	if err != nil {
		return nil, nil, err
	}
	have := map[string]bool{}
	for _, p := range d.Partitions {
		segs := strings.Split(p, "/")
		for i, sg := range segs {
			col, val, _ := strings.Cut(sg, "=")
			if u, err := UnescapeSegment(val); err == nil {
				val = u
			}
			segs[i] = col + "=" + val
		}
		have[strings.Join(segs, "/")] = true
	}
	return have, d, nil
}

// hiveKey is partition p's folder in the dataset, unescaped.
func (m *Manager) hiveKey(s *settings, p PartitionKey) string {
	cols := m.partitionColumns(s, p)
	segs := make([]string, len(cols))
	for i, c := range cols {
		segs[i] = c.col + "=" + c.value
	}
	return strings.Join(segs, "/")
}

func (m *Manager) loadDataset(ctx context.Context, ic InputContext, s *settings, base string) (*Input, error) {
	in := &Input{m: m, Shape: ic.Shape, URI: m.st.URI(base), Kind: KindTable, isDirect: true}
	in.ctx, in.cancel = context.WithCancel(ctx)
	conc := ic.Concurrency
	if conc <= 0 {
		conc = m.cfg.Concurrency
	}
	opts := func(filters []parquet.Filter) *parquet.ReadOptions {
		return &parquet.ReadOptions{Columns: ic.Columns, Filters: append(filters, ic.Filters...),
			Concurrency: conc, BatchSize: m.cfg.BatchSize}
	}
	if len(ic.Partitions) == 0 {
		in.direct = []directPart{{open: func() (array.RecordReader, error) { return m.ds.Read(in.ctx, base, opts(nil)) }}}
		return in.finishDirect()
	}
	have, _, err := m.datasetPartitions(ctx, base)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		in.Close()
		return nil, err
	}
	var present []PartitionKey
	var missing []*partLoad
	for _, p := range ic.Partitions {
		if have[m.hiveKey(s, p)] {
			present = append(present, p)
			in.Partitions = append(in.Partitions, p.String())
		} else {
			missing = append(missing, &partLoad{label: p.String(), path: base + "/" + m.hiveKey(s, p)})
			in.Missing = append(in.Missing, p.String())
		}
	}
	if len(missing) > 0 && !ic.AllowMissingPartitions {
		in.Close()
		return nil, missingError(m, ic, s, missing, len(ic.Partitions))
	}
	if len(present) == 0 {
		return in, nil
	}
	keyFilters := func(ps []PartitionKey) []parquet.Filter {
		byCol := map[string][]any{}
		var order []string
		for _, p := range ps {
			for _, c := range m.partitionColumns(s, p) {
				if _, ok := byCol[c.col]; !ok {
					order = append(order, c.col)
				}
				if !slices.Contains(byCol[c.col], any(c.value)) {
					byCol[c.col] = append(byCol[c.col], c.value)
				}
			}
		}
		var fs []parquet.Filter
		for _, col := range order {
			fs = append(fs, parquet.In(col, byCol[col]...))
		}
		return fs
	}
	if ic.Shape == ShapePartitions {
		for i := range present {
			p := present[i]
			in.direct = append(in.direct, directPart{key: &p, label: p.String(), open: func() (array.RecordReader, error) {
				return m.ds.Read(in.ctx, base, opts(keyFilters([]PartitionKey{p})))
			}})
		}
	} else {
		in.direct = []directPart{{open: func() (array.RecordReader, error) { return m.ds.Read(in.ctx, base, opts(keyFilters(present))) }}}
	}
	return in.finishDirect()
}

// finishDirect opens the combined reader up front, so that Schema is set.
func (in *Input) finishDirect() (*Input, error) {
	if in.Shape == ShapePartitions && len(in.direct) > 1 || len(in.direct) == 0 {
		return in, nil
	}
	rr, err := in.direct[0].open()
	if err != nil {
		in.Close()
		return nil, err
	}
	in.Schema = rr.Schema()
	in.direct[0].open = func() (array.RecordReader, error) { return rr, nil }
	in.opened = rr
	return in, nil
}

func (m *Manager) statDataset(ctx context.Context, ref OutputContext, s *settings, base string) (*Status, error) {
	out := &Status{URI: m.st.URI(base), Kind: KindTable}
	have, d, err := m.datasetPartitions(ctx, base)
	if errors.Is(err, store.ErrNotFound) {
		for _, p := range ref.Partitions {
			out.Partitions = append(out.Partitions, PartitionStatus{Key: p.String(), Path: base, URI: out.URI})
		}
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	out.Exists, out.Size, out.URI = true, d.Bytes, d.URI
	for _, p := range ref.Partitions {
		ok := have[m.hiveKey(s, p)]
		out.Exists = out.Exists && ok
		out.Partitions = append(out.Partitions, PartitionStatus{Key: p.String(), Exists: ok, Path: base, URI: d.URI})
	}
	return out, nil
}

func (m *Manager) deleteDataset(ctx context.Context, ref OutputContext, s *settings, base string) (int, error) {
	if len(ref.Partitions) > 0 {
		return 0, errorf(store.ErrNotSupported, "deleting single partitions of a dataset: overwrite them, or delete the whole dataset")
	}
	ok, err := m.ds.Exists(ctx, base)
	if err != nil || !ok {
		return 0, err
	}
	return 1, m.ds.Delete(ctx, base)
}

func (m *Manager) listDatasetPartitions(ctx context.Context, s *settings, base string, dims []string) ([]PartitionKey, error) {
	have, _, err := m.datasetPartitions(ctx, base)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	dims = slices.Sorted(slices.Values(dims))
	colToDim := map[string]string{}
	for _, d := range dims {
		c := s.partExpr[d]
		if c == "" {
			c = d
		}
		colToDim[c] = d
	}
	var out []PartitionKey
	for k := range have {
		vals := map[string]string{}
		for _, sg := range strings.Split(k, "/") {
			col, val, _ := strings.Cut(sg, "=")
			vals[col] = val
		}
		if len(dims) > 1 {
			d := map[string]string{}
			for col, v := range vals {
				if dim, ok := colToDim[col]; ok {
					d[dim] = v
				}
			}
			out = append(out, MultiPartition(d))
			continue
		}
		for _, v := range vals {
			out = append(out, Partition(v))
		}
	}
	slices.SortFunc(out, func(a, b PartitionKey) int { return strings.Compare(a.String(), b.String()) })
	return out, nil
}
