package parquet

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
)

// schemaHash is the remote-store ParquetDatasetStore schema_hash: the first
// 16 hex digits of the SHA-256 of pyarrow's Schema.to_string().
func schemaHash(sc *arrow.Schema) string {
	sum := sha256.Sum256([]byte(pyarrowSchemaString(sc)))
	return hex.EncodeToString(sum[:])[:16]
}

// pyarrowSchemaString renders sc exactly as pyarrow's Schema.to_string()
// (show_field_metadata=True, show_schema_metadata=True, truncated metadata).
func pyarrowSchemaString(sc *arrow.Schema) string {
	var lines []string
	for _, f := range sc.Fields() {
		lines = appendField(lines, f, 0, true)
	}
	if md := sc.Metadata(); md.Len() > 0 {
		lines = append(lines, "-- schema metadata --")
		lines = appendMetadata(lines, md, 0)
	}
	return strings.Join(lines, "\n")
}

func appendField(lines []string, f arrow.Field, indent int, top bool) []string {
	pad := strings.Repeat(" ", indent)
	lines = append(lines, pad+fieldString(f))
	childIndent := indent + 2
	if !top {
		childIndent = indent + 4
	}
	for i, c := range childFields(f.Type) {
		sub := appendField(nil, c, childIndent, false)
		sub[0] = strings.Repeat(" ", childIndent) + fmt.Sprintf("child %d, ", i) + strings.TrimLeft(sub[0], " ")
		lines = append(lines, sub...)
	}
	if top && f.HasMetadata() {
		lines = append(lines, pad+"  -- field metadata --")
		lines = appendMetadata(lines, f.Metadata, indent+2)
	}
	return lines
}

// appendMetadata prints key: 'value' lines, cutting long values the way
// Arrow's pretty printer does ("'...' + N").
func appendMetadata(lines []string, md arrow.Metadata, indent int) []string {
	const limit = 74
	pad := strings.Repeat(" ", indent)
	for i, k := range md.Keys() {
		v := md.Values()[i]
		if indent+len(k)+len(v)+4 > limit {
			keep := max(0, limit-indent-len(k)-4)
			lines = append(lines, fmt.Sprintf("%s%s: '%s' + %d", pad, k, v[:keep], len(v)-keep))
			continue
		}
		lines = append(lines, fmt.Sprintf("%s%s: '%s'", pad, k, v))
	}
	return lines
}

func fieldString(f arrow.Field) string {
	s := f.Name + ": " + typeString(f.Type)
	if !f.Nullable {
		s += " not null"
	}
	return s
}

func childFields(dt arrow.DataType) []arrow.Field {
	switch t := dt.(type) {
	case *arrow.MapType:
		return []arrow.Field{{Name: "entries", Type: t.Elem().(*arrow.StructType), Nullable: false}}
	case arrow.NestedType:
		return t.Fields()
	}
	return nil
}

var unitNames = map[arrow.TimeUnit]string{arrow.Second: "s", arrow.Millisecond: "ms", arrow.Microsecond: "us", arrow.Nanosecond: "ns"}

// typeString is Arrow C++'s DataType::ToString.
func typeString(dt arrow.DataType) string {
	switch t := dt.(type) {
	case *arrow.Float16Type:
		return "halffloat"
	case *arrow.Float32Type:
		return "float"
	case *arrow.Float64Type:
		return "double"
	case *arrow.BooleanType:
		return "bool"
	case *arrow.StringType:
		return "string"
	case *arrow.LargeStringType:
		return "large_string"
	case *arrow.BinaryType:
		return "binary"
	case *arrow.LargeBinaryType:
		return "large_binary"
	case *arrow.StringViewType:
		return "string_view"
	case *arrow.BinaryViewType:
		return "binary_view"
	case *arrow.NullType:
		return "null"
	case *arrow.Date32Type:
		return "date32[day]"
	case *arrow.Date64Type:
		return "date64[ms]"
	case *arrow.Time32Type:
		return "time32[" + unitNames[t.Unit] + "]"
	case *arrow.Time64Type:
		return "time64[" + unitNames[t.Unit] + "]"
	case *arrow.TimestampType:
		if t.TimeZone != "" {
			return "timestamp[" + unitNames[t.Unit] + ", tz=" + t.TimeZone + "]"
		}
		return "timestamp[" + unitNames[t.Unit] + "]"
	case *arrow.DurationType:
		return "duration[" + unitNames[t.Unit] + "]"
	case *arrow.Decimal128Type:
		return fmt.Sprintf("decimal128(%d, %d)", t.Precision, t.Scale)
	case *arrow.Decimal256Type:
		return fmt.Sprintf("decimal256(%d, %d)", t.Precision, t.Scale)
	case *arrow.FixedSizeBinaryType:
		return fmt.Sprintf("fixed_size_binary[%d]", t.ByteWidth)
	case *arrow.DictionaryType:
		ordered := 0
		if t.Ordered {
			ordered = 1
		}
		return fmt.Sprintf("dictionary<values=%s, indices=%s, ordered=%d>", typeString(t.ValueType), typeString(t.IndexType), ordered)
	case *arrow.MapType:
		s := "map<" + typeString(t.KeyType()) + ", " + typeString(t.ItemType())
		if t.KeysSorted {
			s += ", keys_sorted"
		}
		return s + ">"
	case *arrow.ListType:
		return "list<" + fieldString(t.ElemField()) + ">"
	case *arrow.LargeListType:
		return "large_list<" + fieldString(t.ElemField()) + ">"
	case *arrow.FixedSizeListType:
		return fmt.Sprintf("fixed_size_list<%s>[%d]", fieldString(t.ElemField()), t.Len())
	case *arrow.StructType:
		parts := make([]string, len(t.Fields()))
		for i, f := range t.Fields() {
			parts[i] = fieldString(f)
		}
		return "struct<" + strings.Join(parts, ", ") + ">"
	}
	return dt.String() // int8 … uint64 print the same in Go and C++
}
