package parquet

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// TestSchemaStringMatchesPyarrow writes Parquet files with many column
// types and metadata, and checks that pyarrowSchemaString (the input of the
// remote-store schema_hash) equals pyarrow's Schema.to_string() of the
// schema pyarrow reads from the file.
func TestSchemaStringMatchesPyarrow(t *testing.T) {
	py, _ := filepath.Abs("../.venv/bin/python")
	if _, err := os.Stat(py); err != nil {
		if os.Getenv("REMOTESTORE_REQUIRE_SERVERS") == "1" {
			t.Fatalf("%s missing: run `bash scripts/python-env.sh`", py)
		}
		t.Skipf("%s missing: run `bash scripts/python-env.sh`", py)
	}
	long := strings.Repeat("v", 90)
	fieldMD := arrow.NewMetadata([]string{"k", "long"}, []string{"v", long})
	schemaMD := arrow.NewMetadata([]string{"short", "owner_with_a_long_key"}, []string{"1", long})
	schemas := map[string]*arrow.Schema{
		"flat": arrow.NewSchema([]arrow.Field{
			{Name: "i8", Type: arrow.PrimitiveTypes.Int8, Nullable: true},
			{Name: "u16", Type: arrow.PrimitiveTypes.Uint16, Nullable: true},
			{Name: "i64", Type: arrow.PrimitiveTypes.Int64},
			{Name: "f32", Type: arrow.PrimitiveTypes.Float32, Nullable: true},
			{Name: "f64", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
			{Name: "b", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
			{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
			{Name: "ls", Type: arrow.BinaryTypes.LargeString, Nullable: true},
			{Name: "bin", Type: arrow.BinaryTypes.Binary, Nullable: true},
			{Name: "fsb", Type: &arrow.FixedSizeBinaryType{ByteWidth: 4}, Nullable: true},
			{Name: "d32", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
			{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Microsecond}, Nullable: true},
			{Name: "tsz", Type: &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}, Nullable: true},
			{Name: "t64", Type: arrow.FixedWidthTypes.Time64us, Nullable: true},
			{Name: "dec", Type: &arrow.Decimal128Type{Precision: 10, Scale: 2}, Nullable: true},
			{Name: "dict", Type: &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}, Nullable: true},
		}, nil),
		"metadata": arrow.NewSchema([]arrow.Field{
			{Name: "x", Type: arrow.PrimitiveTypes.Int64, Nullable: true, Metadata: fieldMD},
			{Name: "y", Type: arrow.BinaryTypes.String, Nullable: true},
		}, &schemaMD),
		"nested": arrow.NewSchema([]arrow.Field{
			{Name: "st", Type: arrow.StructOf(arrow.Field{Name: "a", Type: arrow.PrimitiveTypes.Int8, Nullable: true},
				arrow.Field{Name: "b", Type: arrow.StructOf(arrow.Field{Name: "c", Type: arrow.BinaryTypes.String, Nullable: true}), Nullable: true}), Nullable: true},
		}, nil),
	}
	dir := t.TempDir()
	for name, sc := range schemas {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(dir, name+".parquet")
			f, err := os.Create(p)
			if err != nil {
				t.Fatal(err)
			}
			fw, err := pqarrow.NewFileWriter(sc, f, nil, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
			if err != nil {
				t.Fatal(err)
			}
			b := array.NewRecordBuilder(memory.DefaultAllocator, sc)
			rec := b.NewRecordBatch()
			if err := fw.Write(rec); err != nil {
				t.Fatal(err)
			}
			rec.Release()
			b.Release()
			if err := fw.Close(); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(py, "testdata/interop.py", "schema-string", p).Output()
			if err != nil {
				t.Fatalf("interop.py: %v", err)
			}
			if got := pyarrowSchemaString(sc); got != string(out) {
				t.Fatalf("schema string differs\n go: %q\n py: %q", got, out)
			}
		})
	}
}
