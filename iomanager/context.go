package iomanager

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/remotestore/remotestore/parquet"
)

// Target names what is stored: an asset (AssetKey) or, when AssetKey is
// empty, the output of an op (Op).
type Target struct {
	// AssetKey is the asset key's path, e.g. ["warehouse", "orders"].
	AssetKey []string
	// Op identifies an op output; used only when AssetKey is empty.
	Op OpOutput
}

// Asset returns the Target of an asset.
func Asset(path ...string) Target { return Target{AssetKey: path} }

// OpOutput identifies the output of an op that is not an asset, as Dagster's
// OutputContext.get_identifier does: run id, step key, output name, and the
// mapping key of a dynamic output.
type OpOutput struct {
	RunID, StepKey, OutputName, MappingKey string
}

// IsAsset reports whether t names an asset.
func (t Target) IsAsset() bool { return len(t.AssetKey) > 0 }

// String renders t like Dagster: "warehouse/orders", or
// "run/step/output" for an op output.
func (t Target) String() string {
	if t.IsAsset() {
		return strings.Join(t.AssetKey, "/")
	}
	parts := []string{t.Op.RunID, t.Op.StepKey, t.Op.OutputName}
	if t.Op.MappingKey != "" {
		parts = append(parts, t.Op.MappingKey)
	}
	return strings.Join(parts, "/")
}

// TimeWindow is a half-open time interval [Start, End).
type TimeWindow struct {
	Start, End time.Time
}

// IsZero reports whether the window is unset.
func (w *TimeWindow) IsZero() bool { return w == nil || (w.Start.IsZero() && w.End.IsZero()) }

// Contains reports whether t lies in [Start, End).
func (w *TimeWindow) Contains(t time.Time) bool {
	return !t.Before(w.Start) && t.Before(w.End)
}

// PartitionKey is one partition as the orchestrator names it.
//
//   - Static, dynamic and time-window partitions: Key is the key
//     ("2024-01-31", "eu"); Dimensions is empty, or holds one entry naming
//     the partition column ({"day": "2024-01-31"}).
//   - Multi-partitions (two dimensions): Dimensions maps each dimension name
//     to its key ({"date": "2024-01-31", "region": "eu"}); Key is Dagster's
//     string form ("2024-01-31|eu") and may be left empty.
//
// Window is the partition's own time window, for time-window partitions; it
// lets a single-run backfill split a table by a timestamp column.
type PartitionKey struct {
	Key        string
	Dimensions map[string]string
	Window     *TimeWindow
}

// Partition returns a single-dimension PartitionKey.
func Partition(key string) PartitionKey { return PartitionKey{Key: key} }

// MultiPartition returns a multi-dimension PartitionKey; its Key is the
// dimension values joined by "|" in dimension-name order, as Dagster's
// MultiPartitionKey prints.
func MultiPartition(dims map[string]string) PartitionKey {
	p := PartitionKey{Dimensions: maps.Clone(dims)}
	p.Key = strings.Join(p.orderedValues(), "|")
	return p
}

// IsMulti reports whether p has two or more dimensions.
func (p PartitionKey) IsMulti() bool { return len(p.Dimensions) > 1 }

// DimensionNames returns the dimension names, sorted.
func (p PartitionKey) DimensionNames() []string {
	return slices.Sorted(maps.Keys(p.Dimensions))
}

// orderedValues returns the dimension keys in dimension-name order.
func (p PartitionKey) orderedValues() []string {
	names := p.DimensionNames()
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = p.Dimensions[n]
	}
	return out
}

// String returns the key as Dagster prints it.
func (p PartitionKey) String() string {
	if p.Key != "" || !p.IsMulti() {
		return p.Key
	}
	return strings.Join(p.orderedValues(), "|")
}

// Shape is how LoadInput hands several partitions back.
type Shape int

const (
	// ShapeTable is one table with the partition column(s) added.
	ShapeTable Shape = iota
	// ShapePartitions is one table per partition, without added columns.
	ShapePartitions
	// ShapeBatches is a stream of record batches with the partition
	// column(s) added; the consumer need not hold the table.
	ShapeBatches
)

// String names the shape.
func (s Shape) String() string {
	switch s {
	case ShapeTable:
		return "table"
	case ShapePartitions:
		return "partitions"
	case ShapeBatches:
		return "batches"
	}
	return fmt.Sprintf("Shape(%d)", int(s))
}

// OutputContext is what the orchestrator knows about an output being
// stored (Dagster's OutputContext, reduced to plain values).
type OutputContext struct {
	Target Target
	// Partitions are the partitions the output covers: none for an
	// unpartitioned asset, one usually, several for a single-run backfill
	// (the table is then split by the partition_expr column(s)).
	Partitions []PartitionKey
	// Window is the whole output's time window, when partitioned by time.
	Window *TimeWindow
	// Metadata is the output's definition metadata. Keys read: "format",
	// "mode", "partition_expr" (alias "partition_column"), "compression",
	// "extension" (see Settings).
	Metadata map[string]string
	// Format overrides Metadata["format"] and the manager's default.
	Format string
}

// InputContext is what the orchestrator knows about an input being loaded
// (Dagster's InputContext, reduced to plain values).
type InputContext struct {
	Target Target
	// Partitions to load (none: an unpartitioned asset or an op output).
	Partitions []PartitionKey
	Window     *TimeWindow
	// Metadata is the upstream output's definition metadata (how it was
	// stored: format, partition_expr, …).
	Metadata map[string]string
	// Format overrides Metadata["format"] and the manager's default.
	Format string

	// Columns projects the loaded tables (nil: every column). A partition
	// column named here is added by Shape, not read from the files.
	Columns []string
	// Filters keep only matching rows.
	Filters []parquet.Filter
	// AllowMissingPartitions skips partitions that are not stored instead
	// of failing with an error naming them.
	AllowMissingPartitions bool
	// Shape is how several partitions come back (default ShapeTable).
	Shape Shape
	// Concurrency bounds the partitions read at once (0: the manager's
	// default).
	Concurrency int
	// Passthrough, when set, hands Parquet partitions over as stored files
	// (Part.Parquet) instead of decoding them; see Passthrough.
	Passthrough *Passthrough
}
