package parquet_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/remotestore/remotestore/parquet"
	"github.com/remotestore/remotestore/store"
)

// writeColTypesFile writes colTypesTable(n) to root/name in row groups of
// rg rows, with schema metadata {"origin": "test"}.
func writeColTypesFile(t *testing.T, mem memory.Allocator, root, name string, n, rg int) {
	t.Helper()
	tbl := colTypesTable(t, mem, n)
	defer tbl.Release()
	md := arrow.NewMetadata([]string{"origin"}, []string{"test"})
	cols := make([]arrow.Column, tbl.NumCols())
	for i := range cols {
		cols[i] = *tbl.Column(i)
	}
	withMeta := array.NewTable(arrow.NewSchema(tbl.Schema().Fields(), &md), cols, tbl.NumRows())
	defer withMeta.Release()
	f, err := os.Create(filepath.Join(root, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	wp := pq.NewWriterProperties(pq.WithAllocator(mem), pq.WithDataPageSize(2<<10))
	if err := pqarrow.WriteTable(withMeta, f, int64(rg), wp, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema())); err != nil {
		t.Fatal(err)
	}
}

// collectFile drains rr into a table and checks every batch against the
// reader's schema and the batch size.
func collectFile(t *testing.T, rr array.RecordReader, batch int64) arrow.Table {
	t.Helper()
	var recs []arrow.RecordBatch
	defer func() {
		for _, r := range recs {
			r.Release()
		}
	}()
	for rr.Next() {
		r := rr.RecordBatch()
		if !r.Schema().Equal(rr.Schema()) {
			t.Fatalf("batch schema %s, reader schema %s", r.Schema(), rr.Schema())
		}
		if r.NumRows() > batch || r.NumRows() == 0 {
			t.Fatalf("batch of %d rows (batch size %d)", r.NumRows(), batch)
		}
		r.Retain()
		recs = append(recs, r)
	}
	if err := rr.Err(); err != nil {
		t.Fatal(err)
	}
	return array.NewTableFromRecords(rr.Schema(), recs)
}

// sameColumns fails unless got's columns equal want's columns of the same
// names, row for row.
func sameColumns(t *testing.T, got, want arrow.Table) {
	t.Helper()
	if got.NumRows() != want.NumRows() {
		t.Fatalf("%d rows, want %d", got.NumRows(), want.NumRows())
	}
	for c := 0; c < int(got.NumCols()); c++ {
		g := got.Column(c)
		idx := want.Schema().FieldIndices(g.Name())
		if len(idx) != 1 {
			t.Fatalf("column %q not in the expected table", g.Name())
		}
		w := want.Column(idx[0])
		if !arrow.TypeEqual(g.DataType(), w.DataType()) {
			t.Errorf("column %s is %s, pqarrow reads %s", g.Name(), g.DataType(), w.DataType())
			continue
		}
		if !array.ChunkedEqual(g.Data(), w.Data()) && !sameStrings(g.Data(), w.Data()) {
			t.Errorf("column %s differs from pqarrow's read", g.Name())
		}
	}
}

func TestOpenFile(t *testing.T) {
	const n = 5000
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	root := t.TempDir()
	writeColTypesFile(t, mem, root, "f.parquet", n, 1800) // 3 row groups
	want := readWithPqarrow(t, filepath.Join(root, "f.parquet"))
	defer want.Release()
	st := dirStoreAt(root)
	ctx := context.Background()

	for _, conc := range []int{1, 3} {
		// Every column, in file order, across row groups and pages.
		rr, err := parquet.OpenFile(ctx, st, "f.parquet", &parquet.FileReadOptions{BatchSize: 777, Allocator: mem, Concurrency: conc})
		if err != nil {
			t.Fatal(err)
		}
		got := collectFile(t, rr, 777)
		rr.Release()
		if !slices.Equal(fieldNamesOf(got.Schema()), fieldNamesOf(want.Schema())) {
			t.Fatalf("concurrency %d: columns %v, want %v", conc, fieldNamesOf(got.Schema()), fieldNamesOf(want.Schema()))
		}
		if md := got.Schema().Metadata(); md.Len() != 0 {
			t.Errorf("schema metadata %v without SchemaMetadata", md)
		}
		sameColumns(t, got, want)
		got.Release()
	}

	// A projection comes in file order; unknown names are skipped; the
	// file's metadata on request.
	rr, err := parquet.OpenFile(ctx, st, "f.parquet", &parquet.FileReadOptions{
		Columns: []string{"st", "s", "nope", "i64", "dict"}, BatchSize: 1000, Allocator: mem, SchemaMetadata: true})
	if err != nil {
		t.Fatal(err)
	}
	got := collectFile(t, rr, 1000)
	rr.Release()
	if names := fieldNamesOf(got.Schema()); !slices.Equal(names, []string{"i64", "s", "dict", "st"}) {
		t.Fatalf("projected columns %v", names)
	}
	if md := got.Schema().Metadata(); md.FindKey("origin") < 0 || md.FindKey("ARROW:schema") >= 0 {
		t.Errorf("schema metadata %v, want origin=test only", md)
	}
	sameColumns(t, got, want)
	got.Release()

	// No columns: the row counts only.
	rr, err = parquet.OpenFile(ctx, st, "f.parquet", &parquet.FileReadOptions{Columns: []string{}, Allocator: mem})
	if err != nil {
		t.Fatal(err)
	}
	var rows int64
	for rr.Next() {
		if rr.RecordBatch().NumCols() != 0 {
			t.Fatalf("%d columns, want none", rr.RecordBatch().NumCols())
		}
		rows += rr.RecordBatch().NumRows()
	}
	if rr.Err() != nil || rows != n {
		t.Fatalf("empty projection: %d rows, err %v", rows, rr.Err())
	}
	rr.Release()
}

func TestOpenFileErrors(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	root := t.TempDir()
	st := dirStoreAt(root)
	ctx := context.Background()
	if err := os.WriteFile(filepath.Join(root, "junk.parquet"), []byte("this is not parquet, not at all"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := parquet.OpenFile(ctx, st, "junk.parquet", &parquet.FileReadOptions{Allocator: mem})
	if err == nil || !strings.Contains(err.Error(), "not a readable Parquet file") || !strings.Contains(err.Error(), st.URI("junk.parquet")) {
		t.Fatalf("garbage file: %v", err)
	}
	_, err = parquet.OpenFile(ctx, st, "missing.parquet", &parquet.FileReadOptions{Allocator: mem})
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("missing file: %v", err)
	}

	// A cancelled context ends the stream with an error, not a short read.
	writeColTypesFile(t, mem, root, "f.parquet", 6000, 1000)
	cctx, cancel := context.WithCancel(ctx)
	rr, err := parquet.OpenFile(cctx, st, "f.parquet", &parquet.FileReadOptions{BatchSize: 100, Allocator: mem})
	if err != nil {
		t.Fatal(err)
	}
	if !rr.Next() {
		t.Fatalf("no first batch: %v", rr.Err())
	}
	cancel()
	for rr.Next() {
	}
	if !errors.Is(rr.Err(), context.Canceled) || !strings.Contains(rr.Err().Error(), st.URI("f.parquet")) {
		t.Fatalf("after cancel: %v", rr.Err())
	}
	rr.Release()
}

// TestOpenFileEarlyRelease releases readers after one batch: the decoders
// stop (no goroutine outlives Release) and every buffer is freed.
func TestOpenFileEarlyRelease(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	root := t.TempDir()
	writeColTypesFile(t, mem, root, "f.parquet", 8000, 1000) // 8 row groups
	st := dirStoreAt(root)
	before := runtime.NumGoroutine()
	for _, conc := range []int{1, 4} {
		rr, err := parquet.OpenFile(context.Background(), st, "f.parquet", &parquet.FileReadOptions{BatchSize: 64, Allocator: mem, Concurrency: conc})
		if err != nil {
			t.Fatal(err)
		}
		if !rr.Next() || rr.RecordBatch().NumRows() != 64 {
			t.Fatalf("concurrency %d: first batch: %v", conc, rr.Err())
		}
		rr.Release()
		// Release waits for its workers; allow the runtime a moment to
		// retire finished goroutines.
		deadline := time.Now().Add(5 * time.Second)
		for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if g := runtime.NumGoroutine(); g > before {
			buf := make([]byte, 1<<16)
			t.Fatalf("concurrency %d: %d goroutines after Release, %d before\n%s", conc, g, before, buf[:runtime.Stack(buf, true)])
		}
		if mem.CurrentAlloc() != 0 {
			t.Fatalf("concurrency %d: %d bytes still allocated after Release", conc, mem.CurrentAlloc())
		}
	}
}

// TestOpenFilePyarrow reads files pyarrow wrote (snappy, a dictionary
// column, a date column) and compares them with pqarrow's read.
func TestOpenFilePyarrow(t *testing.T) {
	python(t)
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	root := t.TempDir()
	runPy(t, "pyarrow-write", filepath.Join(root, "pa"))
	files, err := filepath.Glob(filepath.Join(root, "pa", "*", "*", "*.parquet"))
	if err != nil || len(files) == 0 {
		t.Fatalf("pyarrow wrote no files: %v", err)
	}
	st := dirStoreAt(root)
	var rows int64
	for _, file := range files {
		rel, _ := filepath.Rel(root, file)
		rr, err := parquet.OpenFile(context.Background(), st, filepath.ToSlash(rel), &parquet.FileReadOptions{BatchSize: 64, Allocator: mem})
		if err != nil {
			t.Fatal(err)
		}
		got := collectFile(t, rr, 64)
		rr.Release()
		want := readWithPqarrow(t, file)
		if got.NumCols() != 6 || got.NumCols() != want.NumCols() {
			t.Fatalf("%s: %d columns, want 6", rel, got.NumCols())
		}
		sameColumns(t, got, want)
		rows += got.NumRows()
		got.Release()
		want.Release()
	}
	if rows != 3000 {
		t.Fatalf("%d rows in pyarrow's files, want 3000", rows)
	}
}

func fieldNamesOf(sc *arrow.Schema) []string {
	var out []string
	for _, f := range sc.Fields() {
		out = append(out, f.Name)
	}
	return out
}
