package parquet_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pqcompress "github.com/apache/arrow-go/v18/parquet/compress"
	pqfile "github.com/apache/arrow-go/v18/parquet/file"

	"github.com/remotestore/remotestore/parquet"
	"github.com/remotestore/remotestore/parquet/parquettest"
)

// python returns the project venv's interpreter. Without it the interop
// tests skip, unless REMOTESTORE_REQUIRE_SERVERS=1 (CI), where they fail.
func python(t testing.TB) string {
	t.Helper()
	py, _ := filepath.Abs("../.venv/bin/python")
	if _, err := os.Stat(py); err != nil {
		if os.Getenv("REMOTESTORE_REQUIRE_SERVERS") == "1" {
			t.Fatalf("%s missing and REMOTESTORE_REQUIRE_SERVERS=1: run `bash scripts/python-env.sh`", py)
		}
		t.Skipf("%s missing: run `bash scripts/python-env.sh` to enable the pyarrow interop tests", py)
	}
	return py
}

func runPy(t testing.TB, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(python(t), append([]string{"testdata/interop.py"}, args...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("interop.py %v: %v\n%s", args, err, stderr.String())
	}
	return out
}

type pyResult struct {
	Schema       map[string]string `json:"schema"`
	Rows         []map[string]any  `json:"rows"`
	Files        int               `json:"files"`
	SchemaHash   string            `json:"schema_hash"`
	ManifestHash string            `json:"manifest_hash"`
	RowCount     int64             `json:"row_count"`
	Parts        []string          `json:"parts"`
}

func pyRows(t testing.TB, args ...string) pyResult {
	t.Helper()
	var r pyResult
	if err := json.Unmarshal(runPy(t, args...), &r); err != nil {
		t.Fatalf("interop.py %v output: %v", args, err)
	}
	return r
}

// asRows converts Python's rows to parquettest.Rows for comparison.
func asRows(t testing.TB, in []map[string]any) []parquettest.Row {
	t.Helper()
	val := func(v any) any {
		if v == nil {
			return "<null>"
		}
		return v
	}
	out := make([]parquettest.Row, len(in))
	for i, r := range in {
		ts, err := time.Parse("2006-01-02T15:04:05", r["ts"].(string))
		if err != nil {
			t.Fatalf("row %d: ts %v", i, r["ts"])
		}
		row := parquettest.Row{ID: int64(r["id"].(float64)), X: val(r["x"]), S: val(r["s"]),
			TS: ts.UTC().Format(time.RFC3339), Region: val(r["region"]), Year: val(r["year"])}
		if y, ok := row.Year.(float64); ok {
			row.Year = int64(y)
		}
		out[i] = row
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func sameRows(t testing.TB, what string, got, want []parquettest.Row) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d rows, want %d", what, len(got), len(want))
	}
	for i := range got {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Fatalf("%s: row %d = %+v, want %+v", what, i, got[i], want[i])
		}
	}
}

func newDirEnv(t *testing.T) (string, *parquet.DatasetStore, *memory.CheckedAllocator) {
	root := t.TempDir()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	return root, parquet.New(dirStoreAt(root), parquet.WithAllocator(mem)), mem
}

func TestInteropPyarrowReadsOurs(t *testing.T) {
	python(t)
	root, d, mem := newDirEnv(t)
	ctx := context.Background()
	write := func(start, n int, o *parquet.WriteOptions) {
		rr := parquettest.Reader(mem, start, n, 700)
		defer rr.Release()
		if _, err := d.Write(ctx, "ds", rr, o); err != nil {
			t.Fatal(err)
		}
	}
	write(0, 2500, &parquet.WriteOptions{PartitionBy: []string{"region", "year"}})
	got := pyRows(t, "pyarrow-read", filepath.Join(root, "ds"))
	sameRows(t, "pyarrow reading our dataset", asRows(t, got.Rows), parquettest.Want(0, 2500, nil))
	if got.Schema["year"] != "int32" || got.Schema["region"] != "string" || got.Schema["ts"] != "timestamp[us]" {
		t.Fatalf("pyarrow schema %v", got.Schema)
	}

	// A failed overwrite: pyarrow still sees exactly the old rows.
	inner := parquettest.Reader(mem, 9000, 3000, 500)
	_, err := d.Write(ctx, "ds", parquettest.FailingReader(inner, 4, errors.New("producer died")),
		&parquet.WriteOptions{Mode: parquet.ModeOverwrite, PartitionBy: []string{"region", "year"}})
	inner.Release()
	if err == nil {
		t.Fatal("failing write succeeded")
	}
	got = pyRows(t, "pyarrow-read", filepath.Join(root, "ds"))
	sameRows(t, "pyarrow after a failed overwrite", asRows(t, got.Rows), parquettest.Want(0, 2500, nil))

	// Append, then overwrite: pyarrow sees the committed state (after GC).
	write(2500, 100, &parquet.WriteOptions{Mode: parquet.ModeAppend})
	got = pyRows(t, "pyarrow-read", filepath.Join(root, "ds"))
	sameRows(t, "pyarrow after append", asRows(t, got.Rows), parquettest.Want(0, 2600, nil))
	write(5000, 300, &parquet.WriteOptions{Mode: parquet.ModeOverwrite, PartitionBy: []string{"region", "year"}})
	got = pyRows(t, "pyarrow-read", filepath.Join(root, "ds"))
	sameRows(t, "pyarrow after overwrite", asRows(t, got.Rows), parquettest.Want(5000, 300, nil))
}

func TestInteropWeReadPyarrow(t *testing.T) {
	python(t)
	root, d, mem := newDirEnv(t)
	ctx := context.Background()
	runPy(t, "pyarrow-write", filepath.Join(root, "pa"))
	tbl, err := d.ReadTable(ctx, "pa", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"id": "int64", "x": "float64", "s": "utf8", "ts": "timestamp[us]",
		"cat": "dictionary<values=utf8, indices=int32, ordered=false>", "day": "date32", "region": "utf8", "year": "int32"}
	for _, f := range tbl.Schema().Fields() {
		if want[f.Name] != f.Type.String() {
			t.Errorf("column %s read as %s, want %s", f.Name, f.Type, want[f.Name])
		}
	}
	if tbl.NumRows() != 3000 {
		t.Fatalf("rows %d", tbl.NumRows())
	}
	tbl.Release()
	rr, err := d.Read(ctx, "pa", nil)
	if err != nil {
		t.Fatal(err)
	}
	sameRows(t, "reading pyarrow's dataset", parquettest.Rows(t, rr), parquettest.Want(0, 3000, nil))
	rr.Release()

	// Partition filter (string with escaping, null folder) and a row filter.
	rr, err = d.Read(ctx, "pa", &parquet.ReadOptions{Filters: []parquet.Filter{
		parquet.Eq("region", "a b/c=d%"), parquet.In("year", 2021, 2022), parquet.Lt("ts", time.Date(2024, 1, 1, 0, 30, 0, 0, time.UTC)),
	}})
	if err != nil {
		t.Fatal(err)
	}
	sameRows(t, "filtered read of pyarrow's dataset", parquettest.Rows(t, rr), parquettest.Want(0, 3000, func(i int) bool {
		return i%3 == 2 && i%7 != 3 && (i%4 == 1 || i%4 == 2) && i < 1800
	}))
	rr.Release()

	// A stated partition schema overrides inference.
	tbl, err = d.ReadTable(ctx, "pa", &parquet.ReadOptions{Columns: []string{"year"},
		PartitionSchema: arrow.NewSchema([]arrow.Field{{Name: "year", Type: arrow.PrimitiveTypes.Int64}}, nil)})
	if err != nil {
		t.Fatal(err)
	}
	if tbl.Schema().Field(0).Type.ID() != arrow.INT64 {
		t.Fatalf("partition schema ignored: %s", tbl.Schema())
	}
	tbl.Release()

	// Appending data without pyarrow's extra columns is refused.
	rr2 := parquettest.Reader(mem, 3000, 200, 100)
	_, err = d.Write(ctx, "pa", rr2, &parquet.WriteOptions{Mode: parquet.ModeAppend})
	rr2.Release()
	if !errors.Is(err, parquet.ErrSchemaMismatch) || !strings.Contains(err.Error(), "cat") {
		t.Fatalf("append with other columns: %v", err)
	}
	// Appending matching data adopts pyarrow's files into version 1;
	// pyarrow reads old and new rows.
	runPy(t, "pyarrow-write", filepath.Join(root, "plain"), "plain")
	assertCodec(t, filepath.Join(root, "plain"), pqcompress.Codecs.Zstd) // libzstd's pages, read below
	rr2 = parquettest.Reader(mem, 3000, 200, 100)
	res, err := d.Write(ctx, "plain", rr2, &parquet.WriteOptions{Mode: parquet.ModeAppend})
	rr2.Release()
	if err != nil || res.Version != 1 {
		t.Fatalf("append to pyarrow's dataset: %+v %v", res, err)
	}
	got := pyRows(t, "pyarrow-read", filepath.Join(root, "plain"))
	sameRows(t, "pyarrow after our append", asRows(t, got.Rows), parquettest.Want(0, 3200, nil))
	rr, err = d.Read(ctx, "plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	sameRows(t, "us after our append", parquettest.Rows(t, rr), parquettest.Want(0, 3200, nil))
	rr.Release()
}

// assertCodec checks that every column chunk of every .parquet file under
// dir uses codec.
func assertCodec(t *testing.T, dir string, codec pqcompress.Compression) {
	t.Helper()
	var files int
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || !strings.HasSuffix(p, ".parquet") {
			return err
		}
		f, err := pqfile.OpenParquetFile(p, false)
		if err != nil {
			return err
		}
		defer f.Close()
		files++
		for rg := 0; rg < f.NumRowGroups(); rg++ {
			for c := 0; c < f.MetaData().Schema.NumColumns(); c++ {
				cc, err := f.MetaData().RowGroup(rg).ColumnChunk(c)
				if err != nil {
					return err
				}
				if cc.Compression() != codec {
					return fmt.Errorf("%s: column %d is %s, want %s", p, c, cc.Compression(), codec)
				}
			}
		}
		return nil
	})
	if err != nil || files == 0 {
		t.Fatalf("codec of %s: %v (%d files)", dir, err, files)
	}
}

func TestInteropRemoteStore(t *testing.T) {
	python(t)
	root, d, mem := newDirEnv(t)
	ctx := context.Background()
	// Ours, read by remote-store's read_dataset.
	rr := parquettest.Reader(mem, 0, 1000, 300)
	_, err := d.Write(ctx, "silver/orders", rr, &parquet.WriteOptions{Layout: parquet.LayoutRemoteStore, MaxRowsPerFile: 400, RunID: "go-run"})
	rr.Release()
	if err != nil {
		t.Fatal(err)
	}
	got := pyRows(t, "rs-read", root, "silver/orders")
	sameRows(t, "remote-store reading ours", asRows(t, got.Rows), parquettest.Want(0, 1000, nil))
	if got.SchemaHash != got.ManifestHash || got.RowCount != 1000 || len(got.Parts) != 3 {
		t.Fatalf("manifest: hash %s vs python's %s, rows %d, parts %v", got.ManifestHash, got.SchemaHash, got.RowCount, got.Parts)
	}
	// Our overwrite keeps it readable by remote-store.
	rr = parquettest.Reader(mem, 7000, 50, 300)
	_, err = d.Write(ctx, "silver/orders", rr, &parquet.WriteOptions{Mode: parquet.ModeOverwrite})
	rr.Release()
	if err != nil {
		t.Fatal(err)
	}
	got = pyRows(t, "rs-read", root, "silver/orders")
	sameRows(t, "remote-store after our overwrite", asRows(t, got.Rows), parquettest.Want(7000, 50, nil))

	// Theirs, read by us.
	runPy(t, "rs-write", root, "gold/py")
	desc, err := d.Describe(ctx, "gold/py")
	if err != nil {
		t.Fatal(err)
	}
	if desc.Layout != parquet.LayoutRemoteStore || desc.Rows != 1000 || len(desc.Files) != 3 || desc.RunID != "py-run" ||
		desc.Compression != "snappy" || desc.Metadata["from"] != "python" {
		t.Fatalf("describe python's dataset: %+v", desc)
	}
	rd, err := d.Read(ctx, "gold/py", &parquet.ReadOptions{Columns: []string{"id", "x", "s", "ts", "region", "year"}})
	if err != nil {
		t.Fatal(err)
	}
	sameRows(t, "reading remote-store's dataset", parquettest.Rows(t, rd), parquettest.Want(0, 1000, nil))
	rd.Release()
	// And a part deleted behind its back is refused clearly.
	if err := os.Remove(filepath.Join(root, "gold/py/part-00001.parquet")); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Read(ctx, "gold/py", nil); !errors.Is(err, parquet.ErrIncomplete) || !strings.Contains(err.Error(), "part-00001.parquet") {
		t.Fatalf("missing part: %v", err)
	}
}
