package iomanager

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/remotestore/remotestore/store"
)

// Status tells whether an output is stored (see Manager.Stat).
type Status struct {
	// Exists is true when the output (every partition asked about) is stored.
	Exists     bool
	Kind       Kind // of the first stored file found
	URI        string
	Size       int64
	ModTime    time.Time
	Partitions []PartitionStatus
}

// PartitionStatus tells whether one partition is stored.
type PartitionStatus struct {
	Key     string
	Exists  bool
	Path    string
	URI     string
	Size    int64
	ModTime time.Time
}

// Stat reports which of ref's partitions (or, with none, whether the
// unpartitioned output) are stored. Only ref's Target, Partitions, Metadata
// and Format are used.
func (m *Manager) Stat(ctx context.Context, ref OutputContext) (*Status, error) {
	st, err := m.stat(ctx, ref)
	return st, wrap("stat", ref.Target, "", err)
}

func (m *Manager) stat(ctx context.Context, ref OutputContext) (*Status, error) {
	s, err := m.settings(ref.Metadata, ref.Format)
	if err != nil {
		return nil, err
	}
	base, err := TargetPath(ref.Target)
	if err != nil {
		return nil, err
	}
	if s.format == FormatDataset {
		return m.statDataset(ctx, ref, s, base)
	}
	keys := ref.Partitions
	if len(keys) == 0 {
		keys = []PartitionKey{{}}
	}
	ic := InputContext{Target: ref.Target, Partitions: ref.Partitions, Metadata: ref.Metadata, Format: ref.Format}
	parts, err := m.locate(ctx, ic, s, keys, m.cfg.Concurrency)
	if err != nil {
		return nil, err
	}
	out := &Status{Exists: true, URI: m.st.URI(base)}
	for _, p := range parts {
		ps := PartitionStatus{Key: p.label, Exists: p.kind != 0, Path: p.path, URI: m.st.URI(p.path), Size: p.size}
		if !ps.Exists {
			out.Exists = false
		} else {
			if out.Kind == 0 {
				out.Kind = p.kind
			}
			out.Size += p.size
			if info, err := m.st.Stat(ctx, p.path); err == nil && info.ModTime.After(out.ModTime) {
				ps.ModTime = info.ModTime
				out.ModTime = info.ModTime
			}
		}
		if len(ref.Partitions) > 0 {
			out.Partitions = append(out.Partitions, ps)
		} else {
			out.URI = ps.URI
		}
	}
	return out, nil
}

// Delete removes the listed partitions of ref, or with none the whole
// output: its unpartitioned file and its partition folder. Note that an
// asset whose key extends ref's (["a", "b"] below ["a"]) is stored inside
// that folder too: delete by partition to spare it. It returns the number
// of files deleted; missing ones are not an error.
func (m *Manager) Delete(ctx context.Context, ref OutputContext) (int, error) {
	n, err := m.delete(ctx, ref)
	return n, wrap("delete", ref.Target, "", err)
}

func (m *Manager) delete(ctx context.Context, ref OutputContext) (int, error) {
	s, err := m.settings(ref.Metadata, ref.Format)
	if err != nil {
		return 0, err
	}
	base, err := TargetPath(ref.Target)
	if err != nil {
		return 0, err
	}
	if s.format == FormatDataset {
		return m.deleteDataset(ctx, ref, s, base)
	}
	st, err := m.stat(ctx, ref)
	if err != nil {
		return 0, err
	}
	n := 0
	var paths []string
	if len(ref.Partitions) == 0 {
		if st.Exists {
			p, _ := Path(ref.Target, nil, "")
			if st.Kind == KindTable {
				p, _ = Path(ref.Target, nil, s.ext)
			}
			paths = append(paths, p)
		}
	} else {
		for _, ps := range st.Partitions {
			if ps.Exists {
				paths = append(paths, ps.Path)
			}
		}
	}
	for _, p := range paths {
		if err := m.st.Delete(ctx, p, &store.DeleteOptions{MissingOK: true}); err != nil {
			return n, err
		}
		n++
	}
	if len(ref.Partitions) == 0 {
		var below []string
		for f, err := range m.st.ListFiles(ctx, base, nil) {
			if err != nil {
				return n, err
			}
			below = append(below, f.Path)
		}
		for _, p := range below {
			if err := m.st.Delete(ctx, p, &store.DeleteOptions{MissingOK: true}); err != nil {
				return n, err
			}
			n++
		}
		if err := m.st.DeleteFolder(ctx, base); err != nil && !errors.Is(err, store.ErrNotFolder) && !errors.Is(err, store.ErrNotSupported) {
			return n, err
		}
	}
	return n, nil
}

// ListPartitions lists the partitions stored for asset t: for a
// multi-partitioned asset pass its dimension names (any order), else none.
// Keys come back unescaped and sorted; files of other formats and hidden
// files (leftovers of interrupted writes) are skipped.
func (m *Manager) ListPartitions(ctx context.Context, t Target, dims []string, md map[string]string, format string) ([]PartitionKey, error) {
	out, err := m.listPartitions(ctx, t, dims, md, format)
	return out, wrap("list-partitions", t, "", err)
}

func (m *Manager) listPartitions(ctx context.Context, t Target, dims []string, md map[string]string, format string) ([]PartitionKey, error) {
	s, err := m.settings(md, format)
	if err != nil {
		return nil, err
	}
	base, err := TargetPath(t)
	if err != nil {
		return nil, err
	}
	if s.format == FormatDataset {
		return m.listDatasetPartitions(ctx, s, base, dims)
	}
	dims = slices.Sorted(slices.Values(dims))
	depth := max(1, len(dims))
	var out []PartitionKey
	for f, err := range m.st.ListFiles(ctx, base, &store.ListOptions{MaxDepth: depth}) {
		if err != nil {
			return nil, err
		}
		rel := strings.TrimPrefix(f.Path, base+"/")
		segs := strings.Split(rel, "/")
		if len(segs) != depth || strings.HasPrefix(segs[len(segs)-1], ".") {
			continue
		}
		last := segs[len(segs)-1]
		if s.format != FormatPickle && s.ext != "" {
			if !strings.HasSuffix(last, s.ext) {
				continue
			}
			last = strings.TrimSuffix(last, s.ext)
		}
		segs[len(segs)-1] = last
		vals := make([]string, len(segs))
		bad := false
		for i, sg := range segs {
			if vals[i], err = UnescapeSegment(sg); err != nil {
				bad = true
				break
			}
		}
		if bad {
			continue
		}
		if len(dims) > 1 {
			d := map[string]string{}
			for i, name := range dims {
				d[name] = vals[i]
			}
			out = append(out, MultiPartition(d))
		} else {
			out = append(out, Partition(vals[0]))
		}
	}
	slices.SortFunc(out, func(a, b PartitionKey) int { return strings.Compare(a.String(), b.String()) })
	return out, nil
}
