package parquettest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/remotestore/remotestore/parquet"
	"github.com/remotestore/remotestore/store"
)

// Factory returns a fresh, empty store for one test.
type Factory func(t *testing.T) *store.Store

// Run runs the whole suite against stores from newStore.
func Run(t *testing.T, newStore Factory) {
	tests := []struct {
		name string
		fn   func(*testing.T, *store.Store)
	}{
		{"RoundTrip", testRoundTrip},
		{"ModeError", testModeError},
		{"ModeIgnore", testModeIgnore},
		{"ModeOverwrite", testModeOverwrite},
		{"ModeOverwritePartitions", testModeOverwritePartitions},
		{"ModeAppend", testModeAppend},
		{"SchemaMismatch", testSchemaMismatch},
		{"Widening", testWidening},
		{"Projection", testProjection},
		{"Filters", testFilters},
		{"PartitionPruning", testPartitionPruning},
		{"RowGroupPruning", testRowGroupPruning},
		{"FilesAndRowGroups", testFilesAndRowGroups},
		{"InterruptedInput", testInterruptedInput},
		{"FailedStoreWrites", testFailedStoreWrites},
		{"ConcurrentAppends", testConcurrentAppends},
		{"ConcurrentOverwrites", testConcurrentOverwrites},
		{"RemoteStoreLayout", testRemoteStoreLayout},
		{"RemoteStoreIncomplete", testRemoteStoreIncomplete},
		{"Describe", testDescribe},
		{"EarlyRelease", testEarlyRelease},
		{"RowGroupsInParallel", testRowGroupsInParallel},
		{"Versions", testVersions},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, newStore(t)) })
	}
}

// env is one test's allocator and dataset store; check asserts no leak.
type env struct {
	t   *testing.T
	ctx context.Context
	mem *memory.CheckedAllocator
	d   *parquet.DatasetStore
	st  *store.Store
}

func newEnv(t *testing.T, st *store.Store) *env {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	e := &env{t: t, ctx: context.Background(), mem: mem, d: parquet.New(st, parquet.WithAllocator(mem)), st: st}
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	return e
}

func (e *env) write(path string, start, n int, o *parquet.WriteOptions) (*parquet.WriteResult, error) {
	rr := Reader(e.mem, start, n, 1000)
	defer rr.Release()
	return e.d.Write(e.ctx, path, rr, o)
}

func (e *env) mustWrite(path string, start, n int, o *parquet.WriteOptions) *parquet.WriteResult {
	e.t.Helper()
	res, err := e.write(path, start, n, o)
	if err != nil {
		e.t.Fatalf("write %s: %v", path, err)
	}
	return res
}

func (e *env) rows(path string, o *parquet.ReadOptions) []Row {
	e.t.Helper()
	rr, err := e.d.Read(e.ctx, path, o)
	if err != nil {
		e.t.Fatalf("read %s: %v", path, err)
	}
	defer rr.Release()
	return Rows(e.t, rr)
}

func (e *env) expect(path string, o *parquet.ReadOptions, want []Row) {
	e.t.Helper()
	got := e.rows(path, o)
	if len(got) != len(want) {
		e.t.Fatalf("read %s: %d rows, want %d", path, len(got), len(want))
	}
	for i := range got {
		if !reflect.DeepEqual(got[i], want[i]) {
			e.t.Fatalf("read %s: row %d = %+v, want %+v", path, i, got[i], want[i])
		}
	}
}

// dataFiles lists the .parquet files under path that pyarrow would see
// (no segment starting with "_" or ".").
func (e *env) dataFiles(path string) []string {
	e.t.Helper()
	var out []string
	for info, err := range e.st.ListFiles(e.ctx, path, nil) {
		if err != nil {
			e.t.Fatal(err)
		}
		rel := strings.TrimPrefix(info.Path, path+"/")
		hidden := false
		for _, seg := range strings.Split(rel, "/") {
			if strings.HasPrefix(seg, "_") || strings.HasPrefix(seg, ".") {
				hidden = true
			}
		}
		if !hidden && strings.HasSuffix(rel, ".parquet") {
			out = append(out, rel)
		}
	}
	sort.Strings(out)
	return out
}

var byRegionYear = &parquet.WriteOptions{PartitionBy: []string{"region", "year"}}

func testRoundTrip(t *testing.T, st *store.Store) {
	e := newEnv(t, st)
	for _, o := range []*parquet.WriteOptions{
		nil,
		{Compression: parquet.Snappy},
		{Compression: parquet.Uncompressed, PartitionBy: []string{"region"}},
		byRegionYear,
	} {
		path := fmt.Sprintf("rt/%v", o != nil && len(o.PartitionBy) > 0)
		if o != nil {
			path += o.Compression.String() + strings.Join(o.PartitionBy, "-")
		}
		res := e.mustWrite(path, 0, 2500, o)
		if res.Rows != 2500 || res.Version != 1 || len(res.Files) == 0 {
			t.Fatalf("write result %+v", res)
		}
		e.expect(path, nil, Want(0, 2500, nil))
		// The yielded schema keeps the written types.
		rr, err := e.d.Read(e.ctx, path, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range Schema.Fields() {
			got, ok := rr.Schema().FieldsByName(f.Name)
			if !ok || !arrow.TypeEqual(got[0].Type, f.Type) {
				t.Errorf("%s: column %s read as %v, written as %s", path, f.Name, got, f.Type)
			}
		}
		rr.Release()
	}
}

func testModeError(t *testing.T, st *store.Store) {
	e := newEnv(t, st)
	e.mustWrite("ds", 0, 100, byRegionYear)
	before := e.dataFiles("ds")
	_, err := e.write("ds", 100, 100, byRegionYear)
	if !errors.Is(err, store.ErrAlreadyExists) {
		t.Fatalf("second write in mode error: %v, want ErrAlreadyExists", err)
	}
	e.expect("ds", nil, Want(0, 100, nil))
	if after := e.dataFiles("ds"); !reflect.DeepEqual(before, after) {
		t.Fatalf("files changed: %v -> %v", before, after)
	}
}

func testModeIgnore(t *testing.T, st *store.Store) {
	e := newEnv(t, st)
	e.mustWrite("ds", 0, 100, nil)
	res := e.mustWrite("ds", 100, 100, &parquet.WriteOptions{Mode: parquet.ModeIgnore})
	if !res.Skipped || res.Rows != 0 {
		t.Fatalf("ignore wrote: %+v", res)
	}
	e.expect("ds", nil, Want(0, 100, nil))
	res = e.mustWrite("new", 0, 10, &parquet.WriteOptions{Mode: parquet.ModeIgnore})
	if res.Skipped {
		t.Fatal("ignore on a missing dataset skipped")
	}
	e.expect("new", nil, Want(0, 10, nil))
}

func testModeOverwrite(t *testing.T, st *store.Store) {
	e := newEnv(t, st)
	e.mustWrite("ds", 0, 300, byRegionYear)
	old := e.dataFiles("ds")
	o := *byRegionYear
	o.Mode = parquet.ModeOverwrite
	res := e.mustWrite("ds", 1000, 50, &o)
	if res.Version != 2 || len(res.Removed) != len(old) {
		t.Fatalf("overwrite: version %d, removed %d of %d old files", res.Version, len(res.Removed), len(old))
	}
	e.expect("ds", nil, Want(1000, 50, nil))
	if got := e.dataFiles("ds"); len(got) != len(res.Files) {
		t.Fatalf("after overwrite, files visible to pyarrow: %v, want only %v", got, res.Files)
	}
	// Overwrite may change the schema and the partitioning.
	e.mustWrite("ds", 0, 20, &parquet.WriteOptions{Mode: parquet.ModeOverwrite})
	e.expect("ds", nil, Want(0, 20, nil))
}

func testModeOverwritePartitions(t *testing.T, st *store.Store) {
	e := newEnv(t, st)
	o := &parquet.WriteOptions{PartitionBy: []string{"year"}}
	e.mustWrite("ds", 0, 400, o) // years 2020..2023
	// New rows 1000..1099 with only even i%4 → years 2020 and 2022.
	b := Batch(e.mem, 1000, 100)
	keep := make([]int64, 0)
	for i := 0; i < 100; i++ {
		if (1000+i)%4 == 0 || (1000+i)%4 == 2 {
			keep = append(keep, int64(i))
		}
	}
	tbl := takeRows(t, e.mem, b, keep)
	b.Release()
	defer tbl.Release()
	res, err := e.d.WriteTable(e.ctx, "ds", tbl, &parquet.WriteOptions{Mode: parquet.ModeOverwritePartitions, PartitionBy: []string{"year"}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Version != 2 {
		t.Fatalf("version %d", res.Version)
	}
	want := append(Want(0, 400, func(i int) bool { return i%4 == 1 || i%4 == 3 }),
		Want(1000, 100, func(i int) bool { return i%4 == 0 || i%4 == 2 })...)
	sort.Slice(want, func(i, j int) bool { return want[i].ID < want[j].ID })
	e.expect("ds", nil, want)
	for _, f := range e.dataFiles("ds") {
		if strings.HasPrefix(f, "year=2020/") || strings.HasPrefix(f, "year=2022/") {
			found := false
			for _, n := range res.Files {
				found = found || n == f
			}
			if !found {
				t.Fatalf("old file %s of a replaced partition still visible", f)
			}
		}
	}
}

func takeRows(t *testing.T, mem memory.Allocator, rec arrow.RecordBatch, rows []int64) arrow.Table {
	t.Helper()
	var recs []arrow.RecordBatch
	for _, r := range rows {
		recs = append(recs, rec.NewSlice(r, r+1))
	}
	tbl := array.NewTableFromRecords(rec.Schema(), recs)
	for _, r := range recs {
		r.Release()
	}
	return tbl
}

func testModeAppend(t *testing.T, st *store.Store) {
	e := newEnv(t, st)
	e.mustWrite("ds", 0, 100, byRegionYear)
	o := &parquet.WriteOptions{Mode: parquet.ModeAppend} // partitioning taken from the dataset
	res := e.mustWrite("ds", 100, 150, o)
	if res.Version != 2 || res.Rows != 150 {
		t.Fatalf("append result %+v", res)
	}
	e.mustWrite("ds", 250, 10, o)
	e.expect("ds", nil, Want(0, 260, nil))
	// Append to a missing dataset creates it.
	e.mustWrite("fresh", 0, 5, o)
	e.expect("fresh", nil, Want(0, 5, nil))
	// A different partitioning is refused.
	_, err := e.write("ds", 0, 5, &parquet.WriteOptions{Mode: parquet.ModeAppend, PartitionBy: []string{"year"}})
	if !errors.Is(err, parquet.ErrSchemaMismatch) || !strings.Contains(err.Error(), "partitioned by") {
		t.Fatalf("append with other partitioning: %v", err)
	}
}

// recordOf builds a one-row batch of schema sc from Go values.
func recordOf(mem memory.Allocator, sc *arrow.Schema, vals ...any) arrow.RecordBatch {
	b := array.NewRecordBuilder(mem, sc)
	defer b.Release()
	for i, v := range vals {
		switch fb := b.Field(i).(type) {
		case *array.Int64Builder:
			fb.Append(v.(int64))
		case *array.Int32Builder:
			fb.Append(v.(int32))
		case *array.Float64Builder:
			fb.Append(v.(float64))
		case *array.StringBuilder:
			fb.Append(v.(string))
		}
	}
	return b.NewRecordBatch()
}

func (e *env) writeRec(path string, rec arrow.RecordBatch, o *parquet.WriteOptions) (*parquet.WriteResult, error) {
	defer rec.Release()
	rr, _ := array.NewRecordReader(rec.Schema(), []arrow.RecordBatch{rec})
	defer rr.Release()
	return e.d.Write(e.ctx, path, rr, o)
}

func testSchemaMismatch(t *testing.T, st *store.Store) {
	e := newEnv(t, st)
	base := arrow.NewSchema([]arrow.Field{{Name: "a", Type: arrow.PrimitiveTypes.Int64}, {Name: "b", Type: arrow.BinaryTypes.String, Nullable: true}}, nil)
	if _, err := e.writeRec("ds", recordOf(e.mem, base, int64(1), "x"), nil); err != nil {
		t.Fatal(err)
	}
	appendOpts := &parquet.WriteOptions{Mode: parquet.ModeAppend}
	cases := []struct {
		name string
		sc   *arrow.Schema
		vals []any
		want string
	}{
		{"type", arrow.NewSchema([]arrow.Field{{Name: "a", Type: arrow.BinaryTypes.String}, {Name: "b", Type: arrow.BinaryTypes.String, Nullable: true}}, nil),
			[]any{"1", "x"}, `column "a": dataset has int64, new data has utf8`},
		{"names", arrow.NewSchema([]arrow.Field{{Name: "a", Type: arrow.PrimitiveTypes.Int64}, {Name: "c", Type: arrow.BinaryTypes.String, Nullable: true}}, nil),
			[]any{int64(1), "x"}, "columns differ"},
		{"nullability", arrow.NewSchema([]arrow.Field{{Name: "a", Type: arrow.PrimitiveTypes.Int64, Nullable: true}, {Name: "b", Type: arrow.BinaryTypes.String, Nullable: true}}, nil),
			[]any{int64(1), "x"}, `column "a": dataset is not null, new data is nullable`},
		{"narrower", arrow.NewSchema([]arrow.Field{{Name: "a", Type: arrow.PrimitiveTypes.Int32}, {Name: "b", Type: arrow.BinaryTypes.String, Nullable: true}}, nil),
			[]any{int32(1), "x"}, "pass AllowWidening"},
	}
	for _, c := range cases {
		_, err := e.writeRec("ds", recordOf(e.mem, c.sc, c.vals...), appendOpts)
		if !errors.Is(err, parquet.ErrSchemaMismatch) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: append error %v, want ErrSchemaMismatch mentioning %q", c.name, err, c.want)
		}
	}
	d, err := e.d.Describe(e.ctx, "ds")
	if err != nil || d.Rows != 1 || d.Version != 1 {
		t.Fatalf("after refused appends: %+v, %v", d, err)
	}
}

func testWidening(t *testing.T, st *store.Store) {
	e := newEnv(t, st)
	narrow := arrow.NewSchema([]arrow.Field{{Name: "a", Type: arrow.PrimitiveTypes.Int32}, {Name: "b", Type: arrow.PrimitiveTypes.Float64}}, nil)
	wide := arrow.NewSchema([]arrow.Field{{Name: "a", Type: arrow.PrimitiveTypes.Int64, Nullable: true}, {Name: "b", Type: arrow.PrimitiveTypes.Float64}}, nil)
	if _, err := e.writeRec("ds", recordOf(e.mem, narrow, int32(7), 1.5), nil); err != nil {
		t.Fatal(err)
	}
	o := &parquet.WriteOptions{Mode: parquet.ModeAppend, AllowWidening: true}
	if _, err := e.writeRec("ds", recordOf(e.mem, wide, int64(1)<<40, 2.5), o); err != nil {
		t.Fatalf("widening append: %v", err)
	}
	// And a narrower append into the widened dataset is cast up.
	if _, err := e.writeRec("ds", recordOf(e.mem, narrow, int32(9), 3.5), o); err != nil {
		t.Fatalf("narrow append into widened dataset: %v", err)
	}
	tbl, err := e.d.ReadTable(e.ctx, "ds", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	f := tbl.Schema().Field(0)
	if f.Type.ID() != arrow.INT64 || !f.Nullable || tbl.NumRows() != 3 {
		t.Fatalf("widened read: %s, %d rows", tbl.Schema(), tbl.NumRows())
	}
	var got []int64
	for _, c := range tbl.Column(0).Data().Chunks() {
		got = append(got, c.(*array.Int64).Int64Values()...)
	}
	sort.Slice(got, func(i, j int) bool { return got[i] < got[j] })
	if !reflect.DeepEqual(got, []int64{7, 9, 1 << 40}) {
		t.Fatalf("widened values %v", got)
	}
}

func testProjection(t *testing.T, st *store.Store) {
	e := newEnv(t, st)
	e.mustWrite("ds", 0, 500, byRegionYear)
	rr, err := e.d.Read(e.ctx, "ds", &parquet.ReadOptions{Columns: []string{"year", "id", "s"}})
	if err != nil {
		t.Fatal(err)
	}
	defer rr.Release()
	if got := strings.Join(fieldNamesOf(rr.Schema()), ","); got != "year,id,s" {
		t.Fatalf("projected schema %s", got)
	}
	got := Rows(t, rr)
	want := Want(0, 500, nil)
	for i := range want {
		want[i].X, want[i].TS, want[i].Region = nil, nil, nil
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("projection rows differ (first %+v vs %+v)", got[0], want[0])
	}
	// Only partition columns: rows counted from footers, values from folders.
	tbl, err := e.d.ReadTable(e.ctx, "ds", &parquet.ReadOptions{Columns: []string{"region"}})
	if err != nil {
		t.Fatal(err)
	}
	if tbl.NumRows() != 500 {
		t.Fatalf("partition-only projection: %d rows", tbl.NumRows())
	}
	tbl.Release()
	if _, err := e.d.Read(e.ctx, "ds", &parquet.ReadOptions{Columns: []string{"nope"}}); err == nil || !strings.Contains(err.Error(), `"nope"`) {
		t.Fatalf("unknown column: %v", err)
	}
}

func fieldNamesOf(sc *arrow.Schema) []string {
	var n []string
	for _, f := range sc.Fields() {
		n = append(n, f.Name)
	}
	return n
}

func testFilters(t *testing.T, st *store.Store) {
	e := newEnv(t, st)
	e.mustWrite("ds", 0, 3000, &parquet.WriteOptions{PartitionBy: []string{"region"}, RowGroupSize: 256})
	cases := []struct {
		f    []parquet.Filter
		keep func(i int) bool
	}{
		{[]parquet.Filter{parquet.Eq("id", 42)}, func(i int) bool { return i == 42 }},
		{[]parquet.Filter{parquet.Ne("year", 2021)}, func(i int) bool { return i%4 != 1 }},
		{[]parquet.Filter{parquet.Lt("id", 10)}, func(i int) bool { return i < 10 }},
		{[]parquet.Filter{parquet.Le("x", 5.0)}, func(i int) bool { return i <= 10 }},
		{[]parquet.Filter{parquet.Gt("id", 2990)}, func(i int) bool { return i > 2990 }},
		{[]parquet.Filter{parquet.Ge("ts", "2024-01-01 00:49:50")}, func(i int) bool { return i >= 2990 }},
		{[]parquet.Filter{parquet.In("s", "s1", "s2", "s5", "s999")}, func(i int) bool { return i == 1 || i == 2 || i == 999 }},
		{[]parquet.Filter{parquet.Eq("region", "a b/c=d%")}, func(i int) bool { return i%3 == 2 && i%7 != 3 }},
		{[]parquet.Filter{parquet.Ne("region", "eu")}, func(i int) bool { return i%3 != 0 && i%7 != 3 }},
		{[]parquet.Filter{parquet.In("region", "eu", "us"), parquet.Ge("id", 100), parquet.Lt("id", 200)},
			func(i int) bool { return i%3 != 2 && i%7 != 3 && i >= 100 && i < 200 }},
	}
	for _, c := range cases {
		e.expect("ds", &parquet.ReadOptions{Filters: c.f}, Want(0, 3000, c.keep))
	}
	for _, bad := range []parquet.Filter{parquet.Eq("nope", 1), parquet.Eq("id", "x"), parquet.Eq("year", 1.5), {Column: "id", Op: "~", Value: 1}} {
		if _, err := e.d.Read(e.ctx, "ds", &parquet.ReadOptions{Filters: []parquet.Filter{bad}}); !errors.Is(err, parquet.ErrInvalidFilter) {
			t.Errorf("filter %v: %v, want ErrInvalidFilter", bad, err)
		}
	}
}

func testPartitionPruning(t *testing.T, st *store.Store) {
	e := newEnv(t, st)
	e.mustWrite("ds", 0, 2000, byRegionYear)
	ws, counter := Wrap(st)
	d := parquet.New(ws, parquet.WithAllocator(e.mem))
	rr, err := d.Read(e.ctx, "ds", &parquet.ReadOptions{Filters: []parquet.Filter{parquet.Eq("region", "us"), parquet.Eq("year", 2021)}})
	if err != nil {
		t.Fatal(err)
	}
	got := Rows(t, rr)
	rr.Release()
	want := Want(0, 2000, func(i int) bool { return i%3 == 1 && i%7 != 3 && i%4 == 1 })
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("pruned read: %d rows, want %d", len(got), len(want))
	}
	opened := counter.OpenedData()
	if len(opened) != 1 || !strings.Contains(opened[0], "region=us/year=2021/") {
		t.Fatalf("opened %v, want only the region=us/year=2021 file", opened)
	}
}

func testRowGroupPruning(t *testing.T, st *store.Store) {
	e := newEnv(t, st)
	e.mustWrite("ds", 0, 10000, &parquet.WriteOptions{RowGroupSize: 1000, Compression: parquet.Uncompressed})
	ws, counter := Wrap(st)
	d := parquet.New(ws, parquet.WithAllocator(e.mem))
	read := func(f []parquet.Filter) (int, int64) {
		counter.Reset()
		tbl, err := d.ReadTable(e.ctx, "ds", &parquet.ReadOptions{Filters: f})
		if err != nil {
			t.Fatal(err)
		}
		defer tbl.Release()
		return int(tbl.NumRows()), counter.BytesRead()
	}
	nAll, all := read(nil)
	nOne, one := read([]parquet.Filter{parquet.Ge("id", 9500)})
	nNone, none := read([]parquet.Filter{parquet.Gt("id", 1_000_000)})
	if nAll != 10000 || nOne != 500 || nNone != 0 {
		t.Fatalf("rows: %d %d %d", nAll, nOne, nNone)
	}
	// One row group of ten: far fewer bytes than the whole file.
	if one*4 > all || none >= one {
		t.Fatalf("bytes read: all %d, one row group %d, none %d: statistics did not prune", all, one, none)
	}
}

func testFilesAndRowGroups(t *testing.T, st *store.Store) {
	e := newEnv(t, st)
	res := e.mustWrite("ds", 0, 2500, &parquet.WriteOptions{MaxRowsPerFile: 1000, RowGroupSize: 300})
	if len(res.Files) != 3 {
		t.Fatalf("files %v, want 3 (1000+1000+500)", res.Files)
	}
	d, err := e.d.Describe(e.ctx, "ds")
	if err != nil {
		t.Fatal(err)
	}
	var rows []int64
	for _, f := range d.Files {
		rows = append(rows, f.Rows)
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i] < rows[j] })
	if !reflect.DeepEqual(rows, []int64{500, 1000, 1000}) || d.Rows != 2500 {
		t.Fatalf("file rows %v, total %d", rows, d.Rows)
	}
	e.expect("ds", nil, Want(0, 2500, nil))
	// Many partitions with few open files still write every row.
	res = e.mustWrite("many", 0, 2000, &parquet.WriteOptions{PartitionBy: []string{"region", "year"}, MaxOpenFiles: 2})
	if res.Rows != 2000 {
		t.Fatalf("rows %d", res.Rows)
	}
	e.expect("many", nil, Want(0, 2000, nil))
}

var errBoom = errors.New("boom: the producer failed")

func testInterruptedInput(t *testing.T, st *store.Store) {
	e := newEnv(t, st)
	e.mustWrite("ds", 0, 500, byRegionYear)
	before := e.dataFiles("ds")
	for _, mode := range []parquet.Mode{parquet.ModeOverwrite, parquet.ModeAppend, parquet.ModeOverwritePartitions} {
		inner := Reader(e.mem, 1000, 5000, 500)
		rr := FailingReader(inner, 3, errBoom)
		o := *byRegionYear
		o.Mode = mode
		_, err := e.d.Write(e.ctx, "ds", rr, &o)
		inner.Release()
		if !errors.Is(err, errBoom) || !strings.Contains(err.Error(), "version 1 is unchanged") {
			t.Fatalf("%s: error %v, want the input's error and 'version 1 is unchanged'", mode, err)
		}
		e.expect("ds", nil, Want(0, 500, nil))
		if after := e.dataFiles("ds"); !reflect.DeepEqual(before, after) {
			t.Fatalf("%s: visible files changed after a failed write:\n%v\n%v", mode, before, after)
		}
	}
	// A failed first write leaves no dataset.
	inner := Reader(e.mem, 0, 3000, 500)
	_, err := e.d.Write(e.ctx, "never", FailingReader(inner, 2, errBoom), nil)
	inner.Release()
	if !errors.Is(err, errBoom) {
		t.Fatal(err)
	}
	if ok, err := e.d.Exists(e.ctx, "never"); ok || err != nil {
		t.Fatalf("failed first write: exists=%v err=%v", ok, err)
	}
}

func testFailedStoreWrites(t *testing.T, st *store.Store) {
	e := newEnv(t, st)
	e.mustWrite("ds", 0, 300, byRegionYear)
	before := e.dataFiles("ds")
	o := *byRegionYear
	o.Mode = parquet.ModeOverwrite
	// Count the commits a successful overwrite makes, then fail each one.
	cs, commits := CommitCount(st)
	probe := parquet.New(cs, parquet.WithAllocator(e.mem))
	rr := Reader(e.mem, 0, 300, 100)
	if _, err := probe.Write(e.ctx, "probe", rr, byRegionYear); err != nil {
		t.Fatal(err)
	}
	rr.Release()
	n := commits()
	if n < 2 {
		t.Fatalf("a write made %d commits", n)
	}
	for k := int64(1); k <= n; k++ {
		fs := FailingStore(st, k)
		d := parquet.New(fs, parquet.WithAllocator(e.mem))
		rr := Reader(e.mem, 5000, 300, 100)
		_, err := d.Write(e.ctx, "ds", rr, &o)
		rr.Release()
		if !errors.Is(err, ErrInjected) {
			t.Fatalf("commit %d of %d failed: write returned %v", k, n, err)
		}
		e.expect("ds", nil, Want(0, 300, nil))
		if after := e.dataFiles("ds"); !reflect.DeepEqual(before, after) {
			t.Fatalf("commit %d of %d failed: visible files changed:\n%v\n%v", k, n, before, after)
		}
	}
}

func testConcurrentAppends(t *testing.T, st *store.Store) {
	e := newEnv(t, st)
	e.mustWrite("ds", 0, 100, byRegionYear)
	const writers = 6
	var wg sync.WaitGroup
	errs := make([]error, writers)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[w] = e.write("ds", 1000*(w+1), 100, &parquet.WriteOptions{Mode: parquet.ModeAppend})
		}()
	}
	wg.Wait()
	want := Want(0, 100, nil)
	for w := 0; w < writers; w++ {
		if errs[w] != nil {
			t.Fatalf("writer %d: %v", w, errs[w])
		}
		want = append(want, Want(1000*(w+1), 100, nil)...)
	}
	e.expect("ds", nil, want)
	d, err := e.d.Describe(e.ctx, "ds")
	if err != nil || d.Version != writers+1 {
		t.Fatalf("version after %d appends: %+v %v", writers, d, err)
	}
}

func testConcurrentOverwrites(t *testing.T, st *store.Store) {
	e := newEnv(t, st)
	e.mustWrite("ds", 0, 100, byRegionYear)
	const writers = 4
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			o := *byRegionYear
			o.Mode = parquet.ModeOverwrite
			if _, err := e.write("ds", 1000*(w+1), 50, &o); err != nil {
				t.Errorf("writer %d: %v", w, err)
			}
		}()
	}
	wg.Wait()
	got := e.rows("ds", nil)
	if len(got) != 50 {
		t.Fatalf("after concurrent overwrites: %d rows, want one writer's 50", len(got))
	}
	start := int(got[0].ID)
	e.expect("ds", nil, Want(start, 50, nil))
	// Only the winner's files remain visible (one write id in every name).
	ids := map[string]bool{}
	for _, f := range e.dataFiles("ds") {
		name := f[strings.LastIndex(f, "/")+1:]
		ids[strings.Split(name, "-")[1]] = true
	}
	if len(ids) != 1 {
		t.Fatalf("files of %d writes left visible: %v", len(ids), e.dataFiles("ds"))
	}
}

func testRemoteStoreLayout(t *testing.T, st *store.Store) {
	e := newEnv(t, st)
	o := &parquet.WriteOptions{Layout: parquet.LayoutRemoteStore, MaxRowsPerFile: 400, RunID: "run-1", Metadata: map[string]string{"k": "v"}}
	res := e.mustWrite("rs", 0, 1000, o)
	if !reflect.DeepEqual(res.Files, []string{"part-00000.parquet", "part-00001.parquet", "part-00002.parquet"}) {
		t.Fatalf("parts %v", res.Files)
	}
	for _, f := range []string{"rs/manifest.json", "rs/_SUCCESS"} {
		if ok, _ := st.IsFile(e.ctx, f); !ok {
			t.Fatalf("%s missing", f)
		}
	}
	e.expect("rs", nil, Want(0, 1000, nil))
	// Append keeps the layout (LayoutAuto) and adds parts.
	e.mustWrite("rs", 1000, 10, &parquet.WriteOptions{Mode: parquet.ModeAppend})
	e.expect("rs", nil, Want(0, 1010, nil))
	// Overwrite swaps the manifest, then removes the old parts.
	res = e.mustWrite("rs", 5000, 20, &parquet.WriteOptions{Mode: parquet.ModeOverwrite})
	if len(res.Removed) != 4 {
		t.Fatalf("removed %v", res.Removed)
	}
	e.expect("rs", nil, Want(5000, 20, nil))
	if files := e.dataFiles("rs"); len(files) != 1 {
		t.Fatalf("files after overwrite %v", files)
	}
	d, err := e.d.Describe(e.ctx, "rs")
	if err != nil || d.Layout != parquet.LayoutRemoteStore || d.Rows != 20 || d.RunID != "" {
		t.Fatalf("describe %+v %v", d, err)
	}
	// Partitioning is refused with this layout.
	if _, err := e.write("rs2", 0, 5, &parquet.WriteOptions{Layout: parquet.LayoutRemoteStore, PartitionBy: []string{"year"}}); err == nil {
		t.Fatal("partitioned remote-store write accepted")
	}
}

func testRemoteStoreIncomplete(t *testing.T, st *store.Store) {
	e := newEnv(t, st)
	e.mustWrite("rs", 0, 100, &parquet.WriteOptions{Layout: parquet.LayoutRemoteStore, MaxRowsPerFile: 40})
	if err := st.Delete(e.ctx, "rs/part-00001.parquet", nil); err != nil {
		t.Fatal(err)
	}
	_, err := e.d.Read(e.ctx, "rs", nil)
	if !errors.Is(err, parquet.ErrIncomplete) || !strings.Contains(err.Error(), "part-00001.parquet") {
		t.Fatalf("missing part: %v", err)
	}
	if err := st.Delete(e.ctx, "rs/_SUCCESS", nil); err != nil {
		t.Fatal(err)
	}
	_, err = e.d.Read(e.ctx, "rs", nil)
	if !errors.Is(err, parquet.ErrIncomplete) || !strings.Contains(err.Error(), "_SUCCESS") {
		t.Fatalf("missing _SUCCESS: %v", err)
	}
	// An unfinished dataset can be overwritten (it is no dataset).
	e.mustWrite("rs", 0, 10, &parquet.WriteOptions{Mode: parquet.ModeOverwrite})
	e.expect("rs", nil, Want(0, 10, nil))
	// A corrupt manifest is reported as such.
	if err := st.WriteString(e.ctx, "rs/manifest.json", `{"parts": 3}`, &store.WriteOptions{Overwrite: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.d.Read(e.ctx, "rs", nil); !errors.Is(err, parquet.ErrCorrupt) {
		t.Fatalf("corrupt manifest: %v", err)
	}
}

func testDescribe(t *testing.T, st *store.Store) {
	e := newEnv(t, st)
	res := e.mustWrite("ds", 0, 1000, &parquet.WriteOptions{PartitionBy: []string{"year"}, RunID: "r7", Metadata: map[string]string{"team": "data"}})
	d, err := e.d.Describe(e.ctx, "ds")
	if err != nil {
		t.Fatal(err)
	}
	if d.Rows != 1000 || d.Bytes != res.Bytes || d.Version != 1 || len(d.Files) != 4 || d.RunID != "r7" || d.Metadata["team"] != "data" {
		t.Fatalf("describe: %+v", d)
	}
	if !reflect.DeepEqual(d.Partitions, []string{"year=2020", "year=2021", "year=2022", "year=2023"}) {
		t.Fatalf("partitions %v", d.Partitions)
	}
	if !d.Schema.Equal(Schema) {
		t.Fatalf("schema %s", d.Schema)
	}
	if _, err := e.d.Describe(e.ctx, "missing"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("describe missing: %v", err)
	}
}

func testEarlyRelease(t *testing.T, st *store.Store) {
	e := newEnv(t, st)
	e.mustWrite("ds", 0, 20000, &parquet.WriteOptions{PartitionBy: []string{"year"}, RowGroupSize: 1000})
	rr, err := e.d.Read(e.ctx, "ds", &parquet.ReadOptions{BatchSize: 100, Concurrency: 3})
	if err != nil {
		t.Fatal(err)
	}
	if !rr.Next() {
		t.Fatal(rr.Err())
	}
	rr.Release() // stops the workers and frees the buffered batches (checked by the allocator)
}

// testRowGroupsInParallel reads single files of many row groups, which
// Read decodes concurrently: rows must come out in file order for every
// concurrency, row-group pruning must still apply, and releasing the
// reader mid-file must free every buffered batch.
func testRowGroupsInParallel(t *testing.T, st *store.Store) {
	e := newEnv(t, st)
	e.mustWrite("ds", 0, 12345, &parquet.WriteOptions{RowGroupSize: 700})
	for _, c := range []int{1, 2, 3, 8} {
		e.expect("ds", &parquet.ReadOptions{Concurrency: c, BatchSize: 256}, Want(0, 12345, nil))
		e.expect("ds", &parquet.ReadOptions{Concurrency: c, Filters: []parquet.Filter{parquet.Ge("id", 7000)}},
			Want(0, 12345, func(i int) bool { return i >= 7000 }))
		// expect sorts rows; check the order of the ids as read.
		rr, err := e.d.Read(e.ctx, "ds", &parquet.ReadOptions{Concurrency: c, BatchSize: 256, Columns: []string{"id"}})
		if err != nil {
			t.Fatal(err)
		}
		next := int64(0)
		for rr.Next() {
			for _, id := range rr.RecordBatch().Column(0).(*array.Int64).Int64Values() {
				if id != next {
					rr.Release()
					t.Fatalf("concurrency %d: id %d where %d was due: batches out of order", c, id, next)
				}
				next++
			}
		}
		if err := rr.Err(); err != nil {
			t.Fatal(err)
		}
		rr.Release()
		if next != 12345 {
			t.Fatalf("concurrency %d: read %d rows", c, next)
		}
	}
	rr, err := e.d.Read(e.ctx, "ds", &parquet.ReadOptions{BatchSize: 100, Concurrency: 4})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if !rr.Next() {
			t.Fatal(rr.Err())
		}
	}
	rr.Release()
}

func testVersions(t *testing.T, st *store.Store) {
	e := newEnv(t, st)
	e.mustWrite("ds", 0, 10, nil)
	e.mustWrite("ds", 10, 10, &parquet.WriteOptions{Mode: parquet.ModeAppend})
	e.expect("ds", &parquet.ReadOptions{Version: 1}, Want(0, 10, nil))
	e.expect("ds", &parquet.ReadOptions{Version: 2}, Want(0, 20, nil))
	if _, err := e.d.Read(e.ctx, "ds", &parquet.ReadOptions{Version: 3}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("version 3: %v", err)
	}
	if err := e.d.Delete(e.ctx, "ds"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := e.d.Exists(e.ctx, "ds"); ok {
		t.Fatal("exists after delete")
	}
}
