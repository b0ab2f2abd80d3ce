package parquet

import (
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/arrow/scalar"
)

// HiveNullValue is the folder value that stands for a null partition value,
// as in Hive, Spark and pyarrow.
const HiveNullValue = "__HIVE_DEFAULT_PARTITION__"

// escapeSegment percent-encodes a partition value the way pyarrow does
// (segment_encoding="uri"): every byte but A-Z a-z 0-9 - . _ ~ becomes %XX.
func escapeSegment(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// unescapeSegment reverses escapeSegment (and any valid %XX encoding).
func unescapeSegment(s string) (string, error) {
	out, err := url.PathUnescape(s)
	if err != nil {
		return "", fmt.Errorf("bad percent-encoding in %q", s)
	}
	return out, nil
}

// partitionKey is one col=value pair of a hive path; Null marks
// __HIVE_DEFAULT_PARTITION__.
type partitionKey struct {
	Column string
	Value  string
	Null   bool
}

// parseHivePath splits a relative folder path ("a=1/b=x") into its
// col=value pairs. ok is false when a segment is not col=value.
func parseHivePath(dir string) (keys []partitionKey, ok bool, err error) {
	if dir == "" {
		return nil, true, nil
	}
	for _, seg := range strings.Split(dir, "/") {
		col, raw, found := strings.Cut(seg, "=")
		if !found || col == "" {
			return nil, false, nil
		}
		if raw == HiveNullValue {
			keys = append(keys, partitionKey{Column: col, Null: true})
			continue
		}
		v, err := unescapeSegment(raw)
		if err != nil {
			return nil, false, fmt.Errorf("folder %q: %w", dir, err)
		}
		keys = append(keys, partitionKey{Column: col, Value: v})
	}
	return keys, true, nil
}

// hivePath builds "a=1/b=x" from the pairs.
func hivePath(keys []partitionKey) string {
	segs := make([]string, len(keys))
	for i, k := range keys {
		v := HiveNullValue
		if !k.Null {
			v = escapeSegment(k.Value)
		}
		segs[i] = k.Column + "=" + v
	}
	return strings.Join(segs, "/")
}

// checkPartitionType reports whether a column of type dt can be a partition
// column.
func checkPartitionType(dt arrow.DataType) error {
	if d, ok := dt.(*arrow.DictionaryType); ok {
		dt = d.ValueType
	}
	switch dt.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64,
		arrow.STRING, arrow.LARGE_STRING, arrow.BOOL, arrow.DATE32, arrow.DATE64, arrow.TIMESTAMP,
		arrow.FLOAT32, arrow.FLOAT64:
		return nil
	}
	return fmt.Errorf("type %s cannot be a partition column (want an integer, string, bool, date, timestamp or float)", dt)
}

// valueFormatter returns a function that formats row i of arr as its hive
// folder value, pyarrow style, with null reported separately.
func valueFormatter(arr arrow.Array) (func(i int) (string, bool), error) {
	if d, ok := arr.(*array.Dictionary); ok {
		inner, err := valueFormatter(d.Dictionary())
		if err != nil {
			return nil, err
		}
		return func(i int) (string, bool) {
			if d.IsNull(i) {
				return "", true
			}
			return inner(d.GetValueIndex(i))
		}, nil
	}
	nul := func(i int) bool { return arr.IsNull(i) }
	wrap := func(f func(i int) string) func(i int) (string, bool) {
		return func(i int) (string, bool) {
			if nul(i) {
				return "", true
			}
			return f(i), false
		}
	}
	switch a := arr.(type) {
	case *array.String:
		return wrap(a.Value), nil
	case *array.LargeString:
		return wrap(a.Value), nil
	case *array.Int8:
		return wrap(func(i int) string { return strconv.FormatInt(int64(a.Value(i)), 10) }), nil
	case *array.Int16:
		return wrap(func(i int) string { return strconv.FormatInt(int64(a.Value(i)), 10) }), nil
	case *array.Int32:
		return wrap(func(i int) string { return strconv.FormatInt(int64(a.Value(i)), 10) }), nil
	case *array.Int64:
		return wrap(func(i int) string { return strconv.FormatInt(a.Value(i), 10) }), nil
	case *array.Uint8:
		return wrap(func(i int) string { return strconv.FormatUint(uint64(a.Value(i)), 10) }), nil
	case *array.Uint16:
		return wrap(func(i int) string { return strconv.FormatUint(uint64(a.Value(i)), 10) }), nil
	case *array.Uint32:
		return wrap(func(i int) string { return strconv.FormatUint(uint64(a.Value(i)), 10) }), nil
	case *array.Uint64:
		return wrap(func(i int) string { return strconv.FormatUint(a.Value(i), 10) }), nil
	case *array.Boolean:
		return wrap(func(i int) string { return strconv.FormatBool(a.Value(i)) }), nil
	case *array.Float32:
		return wrap(func(i int) string { return formatFloat(float64(a.Value(i)), 32) }), nil
	case *array.Float64:
		return wrap(func(i int) string { return formatFloat(a.Value(i), 64) }), nil
	case *array.Date32:
		return wrap(func(i int) string { return a.Value(i).ToTime().Format("2006-01-02") }), nil
	case *array.Date64:
		return wrap(func(i int) string { return a.Value(i).ToTime().Format("2006-01-02") }), nil
	case *array.Timestamp:
		tt := a.DataType().(*arrow.TimestampType)
		return wrap(func(i int) string { return formatTimestamp(a.Value(i), tt) }), nil
	}
	return nil, checkPartitionType(arr.DataType())
}

func formatFloat(v float64, bits int) string {
	switch {
	case math.IsNaN(v):
		return "nan"
	case math.IsInf(v, 1):
		return "inf"
	case math.IsInf(v, -1):
		return "-inf"
	}
	return strconv.FormatFloat(v, 'g', -1, bits)
}

// formatTimestamp formats like Arrow's cast to string: "2006-01-02
// 15:04:05" plus as many fraction digits as the unit has, and "Z" when the
// type has a time zone (the value is shown in UTC).
func formatTimestamp(v arrow.Timestamp, tt *arrow.TimestampType) string {
	t := v.ToTime(tt.Unit).UTC()
	layout := "2006-01-02 15:04:05"
	switch tt.Unit {
	case arrow.Millisecond:
		layout += ".000"
	case arrow.Microsecond:
		layout += ".000000"
	case arrow.Nanosecond:
		layout += ".000000000"
	}
	s := t.Format(layout)
	if tt.TimeZone != "" {
		s += "Z"
	}
	return s
}

// parsePartitionValue turns a folder value into a scalar of type dt.
func parsePartitionValue(v string, null bool, dt arrow.DataType) (scalar.Scalar, error) {
	if null {
		return scalar.MakeNullScalar(dt), nil
	}
	if d, ok := dt.(*arrow.DictionaryType); ok {
		inner, err := parsePartitionValue(v, false, d.ValueType)
		if err != nil {
			return nil, err
		}
		idx, err := scalar.MakeScalarParam(0, d.IndexType)
		if err != nil {
			return nil, err
		}
		dict, err := scalar.MakeArrayFromScalar(inner, 1, memory.DefaultAllocator)
		if err != nil {
			return nil, err
		}
		defer dict.Release()
		return scalar.NewDictScalar(idx, dict), nil
	}
	switch dt.ID() {
	case arrow.TIMESTAMP:
		tt := dt.(*arrow.TimestampType)
		t, err := parseTime(v)
		if err != nil {
			return nil, fmt.Errorf("partition value %q is not a timestamp", v)
		}
		ts, err := arrow.TimestampFromTime(t, tt.Unit)
		if err != nil {
			return nil, err
		}
		return scalar.NewTimestampScalar(ts, dt), nil
	case arrow.DATE32:
		t, err := time.Parse("2006-01-02", v)
		if err != nil {
			return nil, fmt.Errorf("partition value %q is not a date", v)
		}
		return scalar.NewDate32Scalar(arrow.Date32FromTime(t)), nil
	case arrow.DATE64:
		t, err := time.Parse("2006-01-02", v)
		if err != nil {
			return nil, fmt.Errorf("partition value %q is not a date", v)
		}
		return scalar.NewDate64Scalar(arrow.Date64FromTime(t)), nil
	case arrow.FLOAT32, arrow.FLOAT64:
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return nil, fmt.Errorf("partition value %q is not a number", v)
		}
		if dt.ID() == arrow.FLOAT32 {
			return scalar.NewFloat32Scalar(float32(f)), nil
		}
		return scalar.NewFloat64Scalar(f), nil
	}
	s, err := scalar.ParseScalar(dt, v)
	if err != nil {
		return nil, fmt.Errorf("partition value %q is not a valid %s: %v", v, dt, err)
	}
	return s, nil
}

func parseTime(v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	for _, layout := range []string{
		"2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999Z", "2006-01-02 15:04:05.999999999",
		time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02",
	} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("not a timestamp: %q", v)
}

// inferPartitionType infers a partition column's type from its folder
// values as pyarrow does: int32 when every non-null value is an integer
// that fits, otherwise string.
func inferPartitionType(values []partitionKey) arrow.DataType {
	sawValue := false
	for _, k := range values {
		if k.Null {
			continue
		}
		sawValue = true
		if _, err := strconv.ParseInt(k.Value, 10, 32); err != nil {
			return arrow.BinaryTypes.String
		}
	}
	if !sawValue {
		return arrow.Null
	}
	return arrow.PrimitiveTypes.Int32
}
