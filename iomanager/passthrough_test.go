package iomanager_test

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pqfile "github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/remotestore/remotestore/backends/local"
	"github.com/remotestore/remotestore/iomanager"
	"github.com/remotestore/remotestore/parquet"
	"github.com/remotestore/remotestore/store"
)

// passthroughInto returns a Passthrough creating its copies in a fresh
// folder, and that folder.
func passthroughInto(t *testing.T, native bool) (*iomanager.Passthrough, string) {
	dir := t.TempDir()
	return &iomanager.Passthrough{Native: native, Create: func() (*os.File, error) {
		return os.CreateTemp(dir, "part-*.parquet")
	}}, dir
}

// applyParquetFile does what a passthrough consumer does: read the file's
// Columns, append Constants, select Select.
func applyParquetFile(t *testing.T, pf *iomanager.ParquetFile) arrow.Table {
	t.Helper()
	path := pf.Native
	if path == "" {
		path = pf.Copy
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rd, err := pqfile.NewParquetReader(f)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	fr, err := pqarrow.NewFileReader(rd, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	var cols []int
	if pf.Columns != nil {
		sc, _ := fr.Schema()
		cols = []int{}
		for _, c := range pf.Columns {
			cols = append(cols, sc.FieldIndices(c)[0])
		}
	}
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	var fields []arrow.Field
	var columns []arrow.Array
	add := func(f arrow.Field, a arrow.Array) { fields = append(fields, f); columns = append(columns, a) }
	if cols == nil {
		for i := range int(tbl.NumCols()) {
			cols = append(cols, i)
		}
	}
	for _, i := range cols {
		a, _ := array.Concatenate(tbl.Column(i).Data().Chunks(), memory.DefaultAllocator)
		add(tbl.Schema().Field(i), a)
	}
	for _, c := range pf.Constants {
		b := array.NewStringBuilder(memory.DefaultAllocator)
		for range tbl.NumRows() {
			b.Append(c.Value)
		}
		add(arrow.Field{Name: c.Name, Type: arrow.BinaryTypes.String}, b.NewArray())
		b.Release()
	}
	if pf.Select != nil {
		var sf []arrow.Field
		var sa []arrow.Array
		for _, name := range pf.Select {
			i := slices.IndexFunc(fields, func(f arrow.Field) bool { return f.Name == name })
			if i < 0 {
				t.Fatalf("select %q: not among %v", name, fields)
			}
			sf, sa = append(sf, fields[i]), append(sa, columns[i])
		}
		fields, columns = sf, sa
	}
	chunks := make([][]arrow.Array, len(columns))
	for i, a := range columns {
		chunks[i] = []arrow.Array{a}
	}
	out := array.NewTableFromSlice(arrow.NewSchema(fields, nil), chunks)
	for _, a := range columns {
		a.Release()
	}
	return out
}

// passthroughParts loads ic with pt and returns every part.
func passthroughParts(t *testing.T, m *iomanager.Manager, ic iomanager.InputContext) ([]*iomanager.Part, *iomanager.Input) {
	t.Helper()
	in, err := m.LoadInput(context.Background(), ic)
	if err != nil {
		t.Fatalf("LoadInput: %v", err)
	}
	var parts []*iomanager.Part
	for {
		p, err := in.Next()
		if errors.Is(err, io.EOF) {
			return parts, in
		}
		if err != nil {
			in.Close()
			t.Fatalf("Next: %v", err)
		}
		parts = append(parts, p)
	}
}

func writeDays(t *testing.T, m *iomanager.Manager, target iomanager.Target, days []string) []iomanager.PartitionKey {
	var keys []iomanager.PartitionKey
	for i, d := range days {
		k := iomanager.Partition(d)
		write(t, m, iomanager.OutputContext{Target: target, Partitions: []iomanager.PartitionKey{k}}, table(i*10, i*10+10, ""))
		keys = append(keys, k)
	}
	return keys
}

// TestPassthroughGivesWhatDecodingGives: on a store without native paths,
// each partition's file comes as a copy whose content is the stored file,
// and reading it as told gives the table LoadInput decodes, for every
// shape and with a projection naming the partition column.
func TestPassthroughGivesWhatDecodingGives(t *testing.T) {
	m, st := newManager(t)
	ctx := context.Background()
	target := iomanager.Asset("events")
	days := []string{"2024-01-01", "2024-01-02", "2024-01-03"}
	keys := writeDays(t, m, target, days)
	md := map[string]string{"partition_expr": "day"}
	for _, tc := range []struct {
		name    string
		shape   iomanager.Shape
		columns []string
	}{
		{"table", iomanager.ShapeTable, nil},
		{"partitions", iomanager.ShapePartitions, nil},
		{"batches", iomanager.ShapeBatches, nil},
		{"projected", iomanager.ShapeTable, []string{"day", "id"}},
		{"projected-partitions", iomanager.ShapePartitions, []string{"id", "day"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pt, dir := passthroughInto(t, true) // memory has no native paths: copies
			ic := iomanager.InputContext{Target: target, Partitions: keys, Metadata: md, Shape: tc.shape, Columns: tc.columns, Concurrency: 2}
			want, err := m.ReadPartitions(ctx, ic)
			if err != nil {
				t.Fatal(err)
			}
			ic.Passthrough = pt
			parts, in := passthroughParts(t, m, ic)
			if len(parts) != 3 {
				t.Fatalf("%d parts, want one per partition", len(parts))
			}
			for i, p := range parts {
				pf := p.Parquet
				if p.Key != days[i] || pf == nil || pf.Native != "" || filepath.Dir(pf.Copy) != dir || pf.Rows != 10 {
					t.Fatalf("part %d: key %q file %+v", i, p.Key, pf)
				}
				// "name" (10 distinct strings) is stored with dictionary pages only
				if wantDict := map[bool][]string{true: {"name"}, false: nil}[tc.columns == nil]; !slices.Equal(pf.Dictionary, wantDict) {
					t.Fatalf("part %d: dictionary columns %q, want %q", i, pf.Dictionary, wantDict)
				}
				stored, _ := st.ReadBytes(ctx, p.Path)
				copied, _ := os.ReadFile(pf.Copy)
				if !slices.Equal(stored, copied) || pf.Size != int64(len(stored)) {
					t.Fatalf("copy of %s differs from the stored file", p.Path)
				}
				got := applyParquetFile(t, pf)
				w := want[days[i]]
				if tc.shape != iomanager.ShapePartitions && tc.columns == nil {
					// the combined shapes add the partition column
					if got.NumCols() != w.NumCols()+1 || strs(got, "day")[0] != days[i] {
						t.Fatalf("part %d: %v, want %v plus day", i, got.Schema(), w.Schema())
					}
				} else if !array.TableEqual(got, w) {
					t.Fatalf("part %d:\n got %v\nwant %v", i, got, w)
				}
				got.Release()
				os.Remove(pf.Copy)
			}
			if in.Rows() != 30 {
				t.Errorf("Rows() = %d", in.Rows())
			}
			in.Close()
			for _, tb := range want {
				tb.Release()
			}
			if left, _ := os.ReadDir(dir); len(left) != 0 {
				t.Errorf("copies left behind: %v", left)
			}
		})
	}
}

// TestPassthroughNativeOnLocalDisk: a local store hands its files over in
// place, no copy made.
func TestPassthroughNativeOnLocalDisk(t *testing.T) {
	st, err := local.NewStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	m := iomanager.New(st, iomanager.Config{})
	target := iomanager.Asset("events")
	keys := writeDays(t, m, target, []string{"a", "b"})
	pt, dir := passthroughInto(t, true)
	parts, in := passthroughParts(t, m, iomanager.InputContext{Target: target, Partitions: keys, Passthrough: pt})
	defer in.Close()
	for _, p := range parts {
		want, _ := st.NativePath(context.Background(), p.Path)
		if p.Parquet.Native != want || p.Parquet.Copy != "" || p.Parquet.Rows != 10 {
			t.Fatalf("part %s: %+v, want native %s", p.Key, p.Parquet, want)
		}
		if got := applyParquetFile(t, p.Parquet); got.NumRows() != 10 || strs(got, "partition")[0] != p.Key {
			t.Fatalf("part %s read as %v", p.Key, got)
		}
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("copies made for a local store: %v", left)
	}
	// Without Native the same store copies.
	pt2, dir2 := passthroughInto(t, false)
	parts, in2 := passthroughParts(t, m, iomanager.InputContext{Target: target, Partitions: keys, Passthrough: pt2})
	defer in2.Close()
	if parts[0].Parquet.Native != "" || filepath.Dir(parts[0].Parquet.Copy) != dir2 {
		t.Fatalf("Native unset but got %+v", parts[0].Parquet)
	}
}

// TestPassthroughErrorsAndFallbacks: unknown columns and schema drift are
// caught from the footer with the decoding path's errors; an abandoned load
// leaves no copies; filters fall back to decoding.
func TestPassthroughErrorsAndFallbacks(t *testing.T) {
	m, _ := newManager(t)
	ctx := context.Background()
	target := iomanager.Asset("evolving")
	write(t, m, iomanager.OutputContext{Target: target, Partitions: []iomanager.PartitionKey{iomanager.Partition("a")}}, table(0, 2, ""))
	write(t, m, iomanager.OutputContext{Target: target, Partitions: []iomanager.PartitionKey{iomanager.Partition("b")}}, table(0, 2, "x"))
	keys := []iomanager.PartitionKey{iomanager.Partition("a"), iomanager.Partition("b")}

	pt, dir := passthroughInto(t, false)
	in, err := m.LoadInput(ctx, iomanager.InputContext{Target: target, Partitions: keys, Passthrough: pt})
	if err != nil {
		t.Fatal(err)
	}
	if p, err := in.Next(); err != nil || p.Parquet == nil {
		t.Fatalf("first part: %v %v", p, err)
	} else {
		os.Remove(p.Parquet.Copy)
	}
	_, err = in.Next()
	if !errors.Is(err, store.ErrInvalidConfig) || !strings.Contains(err.Error(), "partition b has schema") {
		t.Fatalf("want a schema mismatch naming partition b, got %v", err)
	}
	in.Close()

	_, err = m.LoadInput(ctx, iomanager.InputContext{Target: target, Partitions: keys[:1], Columns: []string{"nope"}, Passthrough: pt})
	if !errors.Is(err, store.ErrInvalidConfig) || !strings.Contains(err.Error(), `column "nope"`) {
		t.Fatalf("unknown column: %v", err)
	}

	// Taken by nobody: Close removes the copies.
	in, err = m.LoadInput(ctx, iomanager.InputContext{Target: target, Partitions: keys, Shape: iomanager.ShapePartitions, Passthrough: pt})
	if err != nil {
		t.Fatal(err)
	}
	in.Close()

	// Filters need decoding: batches come instead of files.
	in, err = m.LoadInput(ctx, iomanager.InputContext{Target: target, Partitions: keys[:1], Passthrough: pt,
		Filters: []parquet.Filter{parquet.Eq("id", int64(1))}})
	if err != nil {
		t.Fatal(err)
	}
	p, err := in.Next()
	if err != nil || p.Parquet != nil || p.Records == nil {
		t.Fatalf("filtered load: %+v %v", p, err)
	}
	p.Records.Release()
	in.Close()
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("copies left behind: %v", left)
	}
}
