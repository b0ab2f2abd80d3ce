package iomanager

import (
	"encoding/json"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
)

// Metadata keys reported for the orchestrator.
const (
	KeyURI                = "uri"
	KeyPath               = "path"
	KeyRowCount           = "dagster/row_count"
	KeyColumnSchema       = "dagster/column_schema"
	KeyPartitionRowCounts = "partition_row_counts"
	KeyPartitionsWritten  = "partitions_written"
	KeyBytes              = "bytes"
	KeyFiles              = "files"
	KeyDurationMS         = "duration_ms"
	KeyFormat             = "format"
)

// MetadataKind is the type of a MetadataValue.
type MetadataKind int

// The metadata kinds, after Dagster's MetadataValue constructors.
const (
	MetaText MetadataKind = iota
	MetaInt
	MetaFloat
	MetaBool
	MetaPath
	MetaURL
	MetaJSON
	MetaTableSchema
)

// MetadataValue is one typed metadata entry.
type MetadataValue struct {
	Kind   MetadataKind
	Text   string // MetaText, MetaPath, MetaURL, MetaJSON
	Int    int64
	Float  float64
	Bool   bool
	Schema []Column // MetaTableSchema
}

// Column describes one column of a table schema.
type Column struct {
	Name     string
	Type     string
	Nullable bool
}

// SchemaColumns describes sc's fields.
func SchemaColumns(sc *arrow.Schema) []Column {
	if sc == nil {
		return nil
	}
	out := make([]Column, sc.NumFields())
	for i, f := range sc.Fields() {
		out[i] = Column{Name: f.Name, Type: f.Type.String(), Nullable: f.Nullable}
	}
	return out
}

// Kind is what an output holds.
type Kind int

// The payload kinds.
const (
	KindTable Kind = iota + 1
	KindObject
)

// String names the kind.
func (k Kind) String() string {
	switch k {
	case KindTable:
		return "table"
	case KindObject:
		return "object"
	}
	return "unknown"
}

// PartitionResult is what was written for one partition.
type PartitionResult struct {
	Key   string
	Path  string // store path
	URI   string
	Rows  int64 // -1 for objects
	Bytes int64
}

// Result describes a finished HandleOutput.
type Result struct {
	Kind Kind
	// Path is the store path of the file, or of the asset's folder when
	// partitioned (and for the dataset format); URI its native location.
	Path, URI string
	Format    Format
	// Rows is the table's row count (-1 for objects).
	Rows  int64
	Bytes int64
	// Files are the store paths written.
	Files      []string
	Partitions []PartitionResult
	Schema     *arrow.Schema
	Duration   time.Duration
	// Skipped is true when mode "ignore" found the output and wrote nothing.
	Skipped bool
}

// Metadata returns the result as orchestrator metadata: "uri",
// "dagster/row_count", "dagster/column_schema", "partition_row_counts"
// (JSON, partitioned outputs), "bytes", "files", "duration_ms", "format".
func (r *Result) Metadata() map[string]MetadataValue {
	md := map[string]MetadataValue{
		KeyURI:        {Kind: MetaPath, Text: r.URI},
		KeyBytes:      {Kind: MetaInt, Int: r.Bytes},
		KeyFiles:      {Kind: MetaInt, Int: int64(len(r.Files))},
		KeyDurationMS: {Kind: MetaFloat, Float: float64(r.Duration.Microseconds()) / 1000},
		KeyFormat:     {Kind: MetaText, Text: string(r.Format)},
	}
	if r.Kind == KindTable {
		md[KeyRowCount] = MetadataValue{Kind: MetaInt, Int: r.Rows}
		if r.Schema != nil {
			md[KeyColumnSchema] = MetadataValue{Kind: MetaTableSchema, Schema: SchemaColumns(r.Schema)}
		}
	}
	if len(r.Partitions) > 0 {
		md[KeyPartitionsWritten] = MetadataValue{Kind: MetaInt, Int: int64(len(r.Partitions))}
		if r.Kind == KindTable {
			counts := make(map[string]int64, len(r.Partitions))
			for _, p := range r.Partitions {
				counts[p.Key] = p.Rows
			}
			b, _ := json.Marshal(counts)
			md[KeyPartitionRowCounts] = MetadataValue{Kind: MetaJSON, Text: string(b)}
		}
	}
	if r.Skipped {
		md["skipped"] = MetadataValue{Kind: MetaBool, Bool: true}
	}
	return md
}
