package iomanager_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	membackend "github.com/remotestore/remotestore/backends/memory"
	"github.com/remotestore/remotestore/iomanager"
	"github.com/remotestore/remotestore/parquet"
	"github.com/remotestore/remotestore/store"
)

// newManager returns a manager over a fresh memory store and a checked
// allocator that the test asserts is empty at the end.
func newManager(t *testing.T) (*iomanager.Manager, *store.Store) {
	t.Helper()
	b, err := membackend.New(context.Background(), membackend.Config{})
	if err != nil {
		t.Fatal(err)
	}
	st := store.New(b)
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() {
		mem.AssertSize(t, 0)
		st.Close()
	})
	return iomanager.New(st, iomanager.Config{Allocator: mem}), st
}

// table builds a reader over id (int64) and name (string) rows [lo, hi),
// plus a "day" column when day != "".
func table(lo, hi int, day string) array.RecordReader {
	fields := []arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int64}, {Name: "name", Type: arrow.BinaryTypes.String}}
	if day != "" {
		fields = append(fields, arrow.Field{Name: "day", Type: arrow.BinaryTypes.String})
	}
	sc := arrow.NewSchema(fields, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, sc)
	defer b.Release()
	for i := lo; i < hi; i++ {
		b.Field(0).(*array.Int64Builder).Append(int64(i))
		b.Field(1).(*array.StringBuilder).Append(fmt.Sprintf("n%d", i))
		if day != "" {
			b.Field(2).(*array.StringBuilder).Append(day)
		}
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	rr, _ := array.NewRecordReader(sc, []arrow.RecordBatch{rec})
	return rr
}

func write(t *testing.T, m *iomanager.Manager, oc iomanager.OutputContext, rr array.RecordReader) *iomanager.Result {
	t.Helper()
	defer rr.Release()
	res, err := m.HandleOutput(context.Background(), oc, iomanager.Table(rr))
	if err != nil {
		t.Fatalf("HandleOutput: %v", err)
	}
	return res
}

func ids(t *testing.T, tbl arrow.Table) []int64 {
	t.Helper()
	var out []int64
	col := tbl.Column(tbl.Schema().FieldIndices("id")[0])
	for _, ch := range col.Data().Chunks() {
		out = append(out, ch.(*array.Int64).Int64Values()...)
	}
	return out
}

func strs(tbl arrow.Table, name string) []string {
	var out []string
	col := tbl.Column(tbl.Schema().FieldIndices(name)[0])
	for _, ch := range col.Data().Chunks() {
		for i := 0; i < ch.Len(); i++ {
			out = append(out, ch.ValueStr(i))
		}
	}
	return out
}

func TestUnpartitionedRoundTripAndMetadata(t *testing.T) {
	for _, format := range []string{"parquet", "arrow", "dataset"} {
		t.Run(format, func(t *testing.T) {
			m, st := newManager(t)
			ctx := context.Background()
			target := iomanager.Asset("warehouse", "orders")
			md := map[string]string{"format": format}
			res := write(t, m, iomanager.OutputContext{Target: target, Metadata: md}, table(0, 100, ""))
			if res.Rows != 100 || res.Bytes <= 0 || len(res.Files) == 0 {
				t.Fatalf("result %+v", res)
			}
			meta := res.Metadata()
			if meta[iomanager.KeyRowCount].Int != 100 || len(meta[iomanager.KeyColumnSchema].Schema) != 2 || meta[iomanager.KeyURI].Text == "" {
				t.Fatalf("metadata %+v", meta)
			}
			want := map[string]string{"parquet": "warehouse/orders.parquet", "arrow": "warehouse/orders.arrow", "dataset": "warehouse/orders"}[format]
			if res.Path != want {
				t.Fatalf("path %q, want %q", res.Path, want)
			}
			if ok, _ := st.Exists(ctx, want); !ok {
				t.Fatalf("%s not in store", want)
			}
			tbl, err := m.ReadTable(ctx, iomanager.InputContext{Target: target, Metadata: md})
			if err != nil {
				t.Fatal(err)
			}
			defer tbl.Release()
			got := ids(t, tbl)
			if len(got) != 100 || got[0] != 0 || got[99] != 99 {
				t.Fatalf("ids %v", got)
			}
			// Projection and filters.
			tbl2, err := m.ReadTable(ctx, iomanager.InputContext{Target: target, Metadata: md, Columns: []string{"name"},
				Filters: []parquet.Filter{parquet.Ge("id", 90), parquet.Ne("name", "n95")}})
			if err != nil {
				t.Fatal(err)
			}
			defer tbl2.Release()
			if tbl2.NumCols() != 1 || tbl2.NumRows() != 9 {
				t.Fatalf("projected+filtered: %d cols, %d rows", tbl2.NumCols(), tbl2.NumRows())
			}
		})
	}
}

func TestDailyPartitionsPathsAndLoadShapes(t *testing.T) {
	m, st := newManager(t)
	ctx := context.Background()
	target := iomanager.Asset("events")
	days := []string{"2024-01-01", "2024-01-02", "2024-01-03"}
	for i, d := range days {
		res := write(t, m, iomanager.OutputContext{Target: target, Partitions: []iomanager.PartitionKey{iomanager.Partition(d)}},
			table(i*10, i*10+10, ""))
		if res.Path != "events/"+d+".parquet" {
			t.Fatalf("path %q", res.Path)
		}
	}
	var keys []iomanager.PartitionKey
	for _, d := range days {
		keys = append(keys, iomanager.Partition(d))
	}
	ic := iomanager.InputContext{Target: target, Partitions: keys, Metadata: map[string]string{"partition_expr": "day"}, Concurrency: 2}
	tbl, err := m.ReadTable(ctx, ic)
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	if got := ids(t, tbl); !slices.Equal(got, seq(0, 30)) {
		t.Fatalf("ids out of partition order: %v", got)
	}
	if dd := strs(tbl, "day"); dd[0] != days[0] || dd[29] != days[2] {
		t.Fatalf("partition column: %v", dd)
	}
	parts, err := m.ReadPartitions(ctx, ic)
	if err != nil {
		t.Fatal(err)
	}
	for k, p := range parts {
		if p.NumRows() != 10 || p.NumCols() != 2 {
			t.Errorf("partition %s: %d rows %d cols", k, p.NumRows(), p.NumCols())
		}
		p.Release()
	}
	if len(parts) != 3 {
		t.Fatalf("%d partitions", len(parts))
	}
	got, err := m.ListPartitions(ctx, target, nil, nil, "")
	if err != nil || len(got) != 3 || got[0].Key != days[0] {
		t.Fatalf("ListPartitions %v %v", got, err)
	}
	if ok, _ := st.Exists(ctx, "events/2024-01-02.parquet"); !ok {
		t.Fatal("partition file missing")
	}
}

func seq(lo, hi int64) []int64 {
	var out []int64
	for i := lo; i < hi; i++ {
		out = append(out, i)
	}
	return out
}

func TestMultiPartitionPathOrderedByDimensionName(t *testing.T) {
	m, _ := newManager(t)
	ctx := context.Background()
	target := iomanager.Asset("sales")
	pk := iomanager.MultiPartition(map[string]string{"region": "eu", "date": "2024-01-01"})
	if pk.Key != "2024-01-01|eu" {
		t.Fatalf("key %q", pk.Key)
	}
	res := write(t, m, iomanager.OutputContext{Target: target, Partitions: []iomanager.PartitionKey{pk}}, table(0, 5, ""))
	if res.Path != "sales/2024-01-01/eu.parquet" {
		t.Fatalf("path %q", res.Path)
	}
	tbl, err := m.ReadTable(ctx, iomanager.InputContext{Target: target, Partitions: []iomanager.PartitionKey{pk}})
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	if strs(tbl, "region")[0] != "eu" || strs(tbl, "date")[0] != "2024-01-01" {
		t.Fatalf("dimension columns: %v", tbl.Schema())
	}
	got, err := m.ListPartitions(ctx, target, []string{"region", "date"}, nil, "")
	if err != nil || len(got) != 1 || got[0].Dimensions["region"] != "eu" || got[0].Dimensions["date"] != "2024-01-01" {
		t.Fatalf("ListPartitions %+v %v", got, err)
	}
}

func TestEscapingKeepsKeysInsideTheAssetFolder(t *testing.T) {
	m, st := newManager(t)
	ctx := context.Background()
	for _, tc := range []struct{ key, path string }{
		{"a/b", "x/a%2Fb.parquet"},
		{"..", "x/%2E%2E.parquet"},
		{"../../etc", "x/..%2F..%2Fetc.parquet"},
		{"50%", "x/50%25.parquet"},
		{"tab\tkey", "x/tab%09key.parquet"},
	} {
		res := write(t, m, iomanager.OutputContext{Target: iomanager.Asset("x"), Partitions: []iomanager.PartitionKey{iomanager.Partition(tc.key)}}, table(0, 1, ""))
		if res.Path != tc.path {
			t.Errorf("key %q → %q, want %q", tc.key, res.Path, tc.path)
		}
		back, err := iomanager.UnescapeSegment(strings.TrimSuffix(strings.TrimPrefix(tc.path, "x/"), ".parquet"))
		if err != nil || back != tc.key {
			t.Errorf("unescape %q = %q, %v", tc.path, back, err)
		}
	}
	var files []string
	for f, err := range st.ListFiles(ctx, "", nil) {
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f.Path)
	}
	for _, f := range files {
		if !strings.HasPrefix(f, "x/") || strings.Count(f, "/") != 1 {
			t.Errorf("file %q outside the asset folder or nested", f)
		}
	}
	if _, err := iomanager.EscapeSegment(""); !errors.Is(err, store.ErrInvalidPath) {
		t.Errorf("empty key: %v", err)
	}
}

func TestOpOutputObjectRoundTrip(t *testing.T) {
	m, st := newManager(t)
	ctx := context.Background()
	target := iomanager.Target{Op: iomanager.OpOutput{RunID: "r-123", StepKey: "my_op", OutputName: "result"}}
	payload := []byte("\x80\x05pickled")
	res, err := m.HandleOutput(ctx, iomanager.OutputContext{Target: target}, iomanager.Object(bytes.NewReader(payload), int64(len(payload))))
	if err != nil {
		t.Fatal(err)
	}
	if res.Path != "r-123/my_op/result" || res.Kind != iomanager.KindObject {
		t.Fatalf("result %+v", res)
	}
	if b, _ := st.ReadBytes(ctx, "r-123/my_op/result"); !bytes.Equal(b, payload) {
		t.Fatal("stored bytes differ")
	}
	got, err := m.ReadObject(ctx, iomanager.InputContext{Target: target})
	if err != nil || !bytes.Equal(got, payload) {
		t.Fatalf("ReadObject %q %v", got, err)
	}
	if _, ok := res.Metadata()[iomanager.KeyRowCount]; ok {
		t.Error("objects have no row count")
	}
}

func TestMissingPartitions(t *testing.T) {
	m, _ := newManager(t)
	ctx := context.Background()
	target := iomanager.Asset("events")
	write(t, m, iomanager.OutputContext{Target: target, Partitions: []iomanager.PartitionKey{iomanager.Partition("2024-01-02")}}, table(0, 3, ""))
	keys := []iomanager.PartitionKey{iomanager.Partition("2024-01-01"), iomanager.Partition("2024-01-02"), iomanager.Partition("2024-01-03")}
	_, err := m.ReadTable(ctx, iomanager.InputContext{Target: target, Partitions: keys})
	if !errors.Is(err, store.ErrNotFound) || !strings.Contains(err.Error(), "2024-01-01, 2024-01-03") || !strings.Contains(err.Error(), "2 of 3") {
		t.Fatalf("want a NotFound naming both missing partitions, got %v", err)
	}
	in, err := m.LoadInput(ctx, iomanager.InputContext{Target: target, Partitions: keys, AllowMissingPartitions: true})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	if !slices.Equal(in.Missing, []string{"2024-01-01", "2024-01-03"}) || !slices.Equal(in.Partitions, []string{"2024-01-02"}) {
		t.Fatalf("missing %v present %v", in.Missing, in.Partitions)
	}
	p, err := in.Next()
	if err != nil {
		t.Fatal(err)
	}
	var rows int64
	for p.Records.Next() {
		rows += p.Records.RecordBatch().NumRows()
	}
	p.Records.Release()
	if rows != 3 {
		t.Fatalf("%d rows", rows)
	}
	// Unpartitioned and missing.
	if _, err := m.ReadTable(ctx, iomanager.InputContext{Target: iomanager.Asset("nope")}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("missing asset: %v", err)
	}
}

func TestBackfillSplitWritesEveryPartition(t *testing.T) {
	m, st := newManager(t)
	ctx := context.Background()
	target := iomanager.Asset("daily")
	// One table holding three days, unordered rows, plus an empty partition.
	sc := arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int64}, {Name: "day", Type: arrow.FixedWidthTypes.Date32}}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, sc)
	days := []string{"2024-03-01", "2024-03-02", "2024-03-03"}
	for i := 0; i < 30; i++ {
		b.Field(0).(*array.Int64Builder).Append(int64(i))
		d, _ := time.Parse("2006-01-02", days[i%3])
		b.Field(1).(*array.Date32Builder).Append(arrow.Date32FromTime(d))
	}
	rec := b.NewRecordBatch()
	b.Release()
	rr, _ := array.NewRecordReader(sc, []arrow.RecordBatch{rec})
	rec.Release()
	keys := []iomanager.PartitionKey{iomanager.Partition(days[0]), iomanager.Partition(days[1]), iomanager.Partition(days[2]), iomanager.Partition("2024-03-04")}
	res := write(t, m, iomanager.OutputContext{Target: target, Partitions: keys, Metadata: map[string]string{"partition_expr": "day"}}, rr)
	if res.Rows != 30 || len(res.Partitions) != 4 {
		t.Fatalf("result %+v", res)
	}
	counts := res.Metadata()[iomanager.KeyPartitionRowCounts].Text
	if counts != `{"2024-03-01":10,"2024-03-02":10,"2024-03-03":10,"2024-03-04":0}` {
		t.Fatalf("partition_row_counts %s", counts)
	}
	for _, k := range keys {
		if ok, _ := st.Exists(ctx, "daily/"+k.Key+".parquet"); !ok {
			t.Errorf("partition %s not written", k.Key)
		}
	}
	parts, err := m.ReadPartitions(ctx, iomanager.InputContext{Target: target, Partitions: keys[:1]})
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(t, parts[days[0]]); !slices.Equal(got, []int64{0, 3, 6, 9, 12, 15, 18, 21, 24, 27}) {
		t.Fatalf("2024-03-01 ids %v", got)
	}
	parts[days[0]].Release()

	// A row outside the partitions: nothing is published, old files stay.
	before, _ := st.ReadBytes(ctx, "daily/2024-03-01.parquet")
	bad := table(0, 4, "2024-03-09")
	defer bad.Release()
	_, err = m.HandleOutput(ctx, iomanager.OutputContext{Target: target, Partitions: keys, Metadata: map[string]string{"partition_expr": "day"}}, iomanager.Table(bad))
	if !errors.Is(err, store.ErrInvalidConfig) || !strings.Contains(err.Error(), `day="2024-03-09"`) {
		t.Fatalf("want an error naming the stray row, got %v", err)
	}
	after, _ := st.ReadBytes(ctx, "daily/2024-03-01.parquet")
	if !bytes.Equal(before, after) {
		t.Fatal("a failed split replaced a partition")
	}
}

func TestMultiPartitionBackfillSplit(t *testing.T) {
	m, _ := newManager(t)
	ctx := context.Background()
	target := iomanager.Asset("grid")
	sc := arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "date", Type: arrow.BinaryTypes.String}, {Name: "reg", Type: arrow.BinaryTypes.String}}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, sc)
	var keys []iomanager.PartitionKey
	for i, d := range []string{"2024-01-01", "2024-01-02"} {
		for j, r := range []string{"eu", "us"} {
			keys = append(keys, iomanager.MultiPartition(map[string]string{"date": d, "region": r}))
			for k := 0; k < 3; k++ {
				b.Field(0).(*array.Int64Builder).Append(int64(i*100 + j*10 + k))
				b.Field(1).(*array.StringBuilder).Append(d)
				b.Field(2).(*array.StringBuilder).Append(r)
			}
		}
	}
	rec := b.NewRecordBatch()
	b.Release()
	rr, _ := array.NewRecordReader(sc, []arrow.RecordBatch{rec})
	rec.Release()
	md := map[string]string{"partition_expr": `{"region": "reg"}`}
	res := write(t, m, iomanager.OutputContext{Target: target, Partitions: keys, Metadata: md}, rr)
	if len(res.Files) != 4 || res.Files[1] != "grid/2024-01-01/us.parquet" {
		t.Fatalf("files %v", res.Files)
	}
	tbl, err := m.ReadTable(ctx, iomanager.InputContext{Target: target, Partitions: keys, Metadata: md})
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	if tbl.NumRows() != 12 || tbl.NumCols() != 3 {
		t.Fatalf("%d rows, schema %v", tbl.NumRows(), tbl.Schema())
	}
}

func TestModesAndAtomicOverwrite(t *testing.T) {
	m, st := newManager(t)
	ctx := context.Background()
	target := iomanager.Asset("a")
	write(t, m, iomanager.OutputContext{Target: target}, table(0, 5, ""))
	orig, _ := st.ReadBytes(ctx, "a.parquet")
	rr := table(0, 7, "")
	_, err := m.HandleOutput(ctx, iomanager.OutputContext{Target: target, Metadata: map[string]string{"mode": "error"}}, iomanager.Table(rr))
	rr.Release()
	if !errors.Is(err, store.ErrAlreadyExists) {
		t.Fatalf("mode error: %v", err)
	}
	res := write(t, m, iomanager.OutputContext{Target: target, Metadata: map[string]string{"mode": "ignore"}}, table(0, 7, ""))
	if !res.Skipped {
		t.Fatal("mode ignore wrote")
	}
	// A table stream that fails half-way leaves the old file.
	failing := &failingReader{RecordReader: table(0, 9, "")}
	_, err = m.HandleOutput(ctx, iomanager.OutputContext{Target: target}, iomanager.Table(failing))
	failing.Release()
	if err == nil || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("failing input: %v", err)
	}
	now, _ := st.ReadBytes(ctx, "a.parquet")
	if !bytes.Equal(orig, now) {
		t.Fatal("failed write replaced the file")
	}
	if _, err := m.HandleOutput(ctx, iomanager.OutputContext{Target: target, Metadata: map[string]string{"mode": "append"}}, iomanager.Table(table(0, 1, ""))); !errors.Is(err, store.ErrInvalidConfig) {
		t.Fatalf("append on a file format: %v", err)
	}
}

// failingReader yields its batches, then an error.
type failingReader struct {
	array.RecordReader
	done bool
}

func (f *failingReader) Next() bool {
	if f.done {
		return false
	}
	if !f.RecordReader.Next() {
		f.done = true
	}
	return !f.done
}
func (f *failingReader) Err() error {
	if f.done {
		return errors.New("boom")
	}
	return nil
}

func TestConcurrentLoadOf30PartitionsAndCancel(t *testing.T) {
	m, _ := newManager(t)
	ctx := context.Background()
	target := iomanager.Asset("big")
	var keys []iomanager.PartitionKey
	for i := 0; i < 30; i++ {
		k := iomanager.Partition(fmt.Sprintf("p%02d", i))
		keys = append(keys, k)
		write(t, m, iomanager.OutputContext{Target: target, Partitions: []iomanager.PartitionKey{k}}, table(i*1000, i*1000+1000, ""))
	}
	for _, conc := range []int{1, 8} {
		in, err := m.LoadInput(ctx, iomanager.InputContext{Target: target, Partitions: keys, Concurrency: conc, Shape: iomanager.ShapeBatches})
		if err != nil {
			t.Fatal(err)
		}
		p, err := in.Next()
		if err != nil {
			t.Fatal(err)
		}
		var last int64 = -1
		var rows int64
		for p.Records.Next() {
			rec := p.Records.RecordBatch()
			col := rec.Column(0).(*array.Int64)
			for _, v := range col.Int64Values() {
				if v <= last {
					t.Fatalf("concurrency %d: out of order %d after %d", conc, v, last)
				}
				last = v
			}
			rows += rec.NumRows()
		}
		if err := p.Records.Err(); err != nil {
			t.Fatal(err)
		}
		p.Records.Release()
		if _, err := in.Next(); err != io.EOF {
			t.Fatalf("after the table: %v", err)
		}
		in.Close()
		if rows != 30000 || in.Rows() != 30000 {
			t.Fatalf("rows %d", rows)
		}
	}
	// Closing early stops the producers and releases their batches (the
	// checked allocator would report a leak).
	in, err := m.LoadInput(ctx, iomanager.InputContext{Target: target, Partitions: keys, Concurrency: 4})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := in.Next()
	p.Records.Next()
	p.Records.Release()
	in.Close()
}

func TestSchemaMismatchAcrossPartitions(t *testing.T) {
	m, _ := newManager(t)
	ctx := context.Background()
	target := iomanager.Asset("evolving")
	write(t, m, iomanager.OutputContext{Target: target, Partitions: []iomanager.PartitionKey{iomanager.Partition("a")}}, table(0, 2, ""))
	write(t, m, iomanager.OutputContext{Target: target, Partitions: []iomanager.PartitionKey{iomanager.Partition("b")}}, table(0, 2, "x"))
	keys := []iomanager.PartitionKey{iomanager.Partition("a"), iomanager.Partition("b")}
	_, err := m.ReadTable(ctx, iomanager.InputContext{Target: target, Partitions: keys, Metadata: map[string]string{"partition_expr": "p"}})
	if err == nil || !strings.Contains(err.Error(), "partition b has schema") {
		t.Fatalf("want a schema mismatch naming partition b, got %v", err)
	}
	parts, err := m.ReadPartitions(ctx, iomanager.InputContext{Target: target, Partitions: keys})
	if err != nil {
		t.Fatal(err)
	}
	if parts["a"].NumCols() != 2 || parts["b"].NumCols() != 3 {
		t.Fatal("per-partition schemas")
	}
	for _, p := range parts {
		p.Release()
	}
}

func TestStatAndDelete(t *testing.T) {
	m, _ := newManager(t)
	ctx := context.Background()
	target := iomanager.Asset("s")
	keys := []iomanager.PartitionKey{iomanager.Partition("1"), iomanager.Partition("2")}
	write(t, m, iomanager.OutputContext{Target: target, Partitions: keys[:1]}, table(0, 2, ""))
	st, err := m.Stat(ctx, iomanager.OutputContext{Target: target, Partitions: keys})
	if err != nil || st.Exists || !st.Partitions[0].Exists || st.Partitions[1].Exists || st.Size <= 0 {
		t.Fatalf("stat %+v %v", st, err)
	}
	n, err := m.Delete(ctx, iomanager.OutputContext{Target: target})
	if err != nil || n != 1 {
		t.Fatalf("delete %d %v", n, err)
	}
	if ok, _ := m.Exists(ctx, iomanager.OutputContext{Target: target, Partitions: keys[:1]}); ok {
		t.Fatal("still there")
	}
}

func TestDatasetFormatPartitions(t *testing.T) {
	m, _ := newManager(t)
	ctx := context.Background()
	target := iomanager.Asset("ds")
	md := map[string]string{"format": "dataset", "partition_expr": "day"}
	for i, d := range []string{"2024-01-01", "2024-01-02"} {
		write(t, m, iomanager.OutputContext{Target: target, Metadata: md, Partitions: []iomanager.PartitionKey{iomanager.Partition(d)}}, table(i*10, i*10+10, ""))
	}
	// Rewriting one partition keeps the other.
	write(t, m, iomanager.OutputContext{Target: target, Metadata: md, Partitions: []iomanager.PartitionKey{iomanager.Partition("2024-01-02")}}, table(50, 55, ""))
	keys := []iomanager.PartitionKey{iomanager.Partition("2024-01-01"), iomanager.Partition("2024-01-02")}
	tbl, err := m.ReadTable(ctx, iomanager.InputContext{Target: target, Metadata: md, Partitions: keys})
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	if tbl.NumRows() != 15 {
		t.Fatalf("%d rows", tbl.NumRows())
	}
	_, err = m.ReadTable(ctx, iomanager.InputContext{Target: target, Metadata: md, Partitions: append(keys, iomanager.Partition("2024-01-09"))})
	if !errors.Is(err, store.ErrNotFound) || !strings.Contains(err.Error(), "2024-01-09") {
		t.Fatalf("missing dataset partition: %v", err)
	}
	got, err := m.ListPartitions(ctx, target, nil, md, "")
	if err != nil || len(got) != 2 {
		t.Fatalf("ListPartitions %v %v", got, err)
	}
}
