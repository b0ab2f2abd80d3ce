package iomanager

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/remotestore/remotestore/parquet"
	"github.com/remotestore/remotestore/store"
)

// Definition metadata keys the IO manager reads (strings; the Python shim
// flattens lists to "a,b").
const (
	// MetaFormat: "parquet" (default), "arrow", "pickle" or "dataset".
	MetaFormat = "format"
	// MetaMode: what a write does when the output exists: "overwrite"
	// (default, as Dagster), "error" or "ignore"; the dataset format also
	// takes "append" and "overwrite-partitions".
	MetaMode = "mode"
	// MetaPartitionExpr names the column that holds the partition key:
	// "day" for one dimension; for multi-partitions a JSON object or
	// "dim=col,dim=col" mapping each dimension to its column (a dimension
	// not named maps to a column of its own name). Used to split a
	// single-run backfill's table and to name the column loads add.
	MetaPartitionExpr = "partition_expr"
	// MetaPartitionColumn is the Python shim's alias of MetaPartitionExpr.
	MetaPartitionColumn = "partition_column"
	// MetaCompression: "zstd" (default), "snappy" or "none".
	MetaCompression = "compression"
	// MetaCompressionLevel: the codec's level.
	MetaCompressionLevel = "compression_level"
	// MetaExtension overrides the file extension (".parquet"); "" for none.
	MetaExtension = "extension"
)

// Config tunes a Manager. The zero value works.
type Config struct {
	// Format is the default table format (FormatParquet).
	Format Format
	// PartitionColumn names the column a single-dimension partition key
	// becomes when neither partition_expr nor the key's own dimension name
	// says otherwise (default "partition").
	PartitionColumn string
	// Concurrency is the default number of partitions read at once (8).
	Concurrency int
	// Compression and CompressionLevel are the default Parquet codec.
	Compression      parquet.Compression
	CompressionLevel int
	// BatchSize is the rows per loaded batch (parquet.DefaultBatchSize).
	BatchSize int64
	// Allocator for every Arrow buffer (memory.DefaultAllocator).
	Allocator memory.Allocator
}

func (c Config) withDefaults() Config {
	if c.Format == "" {
		c.Format = FormatParquet
	}
	if c.PartitionColumn == "" {
		c.PartitionColumn = "partition"
	}
	if c.Concurrency <= 0 {
		c.Concurrency = 8
	}
	if c.BatchSize <= 0 {
		c.BatchSize = parquet.DefaultBatchSize
	}
	if c.Allocator == nil {
		c.Allocator = memory.DefaultAllocator
	}
	return c
}

// settings is what one call uses, from the config and the metadata.
type settings struct {
	format           Format
	mode             parquet.Mode
	partExpr         map[string]string // dimension → column; "" for a single dimension
	compression      parquet.Compression
	compressionLevel int
	ext              string
	mem              memory.Allocator
}

func (m *Manager) settings(md map[string]string, format string) (*settings, error) {
	s := &settings{mode: parquet.ModeOverwrite, compression: m.cfg.Compression,
		compressionLevel: m.cfg.CompressionLevel, mem: m.mem}
	f := format
	if f == "" {
		f = md[MetaFormat]
	}
	var err error
	if s.format, err = ParseFormat(f, m.cfg.Format); err != nil {
		return nil, err
	}
	if v, ok := md[MetaMode]; ok && v != "" {
		if s.mode, err = parquet.ParseMode(v); err != nil {
			return nil, fmt.Errorf("iomanager: %w: metadata %s: %v", store.ErrInvalidConfig, MetaMode, err)
		}
		if s.format != FormatDataset && (s.mode == parquet.ModeAppend || s.mode == parquet.ModeOverwritePartitions) {
			return nil, fmt.Errorf("iomanager: %w: mode %q needs format %q (one file per partition is always replaced whole)",
				store.ErrInvalidConfig, v, FormatDataset)
		}
	}
	if v := md[MetaCompression]; v != "" {
		if s.compression, err = parquet.ParseCompression(v); err != nil {
			return nil, fmt.Errorf("iomanager: %w: metadata %s: %v", store.ErrInvalidConfig, MetaCompression, err)
		}
	}
	if v := md[MetaCompressionLevel]; v != "" {
		if s.compressionLevel, err = strconv.Atoi(v); err != nil {
			return nil, fmt.Errorf("iomanager: %w: metadata %s=%q is not an integer", store.ErrInvalidConfig, MetaCompressionLevel, v)
		}
	}
	expr := md[MetaPartitionExpr]
	if expr == "" {
		expr = md[MetaPartitionColumn]
	}
	if s.partExpr, err = parsePartitionExpr(expr); err != nil {
		return nil, err
	}
	switch s.format {
	case FormatPickle:
		s.ext = ""
	case FormatDataset:
		s.ext = ""
	default:
		s.ext = codecFor(s.format).ext()
	}
	if v, ok := md[MetaExtension]; ok {
		if v != "" && (!strings.HasPrefix(v, ".") || strings.ContainsAny(v, "/\\%")) {
			return nil, fmt.Errorf("iomanager: %w: metadata %s=%q must start with \".\" and hold no \"/\"", store.ErrInvalidConfig, MetaExtension, v)
		}
		s.ext = v
	}
	return s, nil
}

// parsePartitionExpr reads "col", `{"dim":"col"}` or "dim=col,dim=col".
func parsePartitionExpr(expr string) (map[string]string, error) {
	expr = strings.TrimSpace(expr)
	if expr == "" {
		return nil, nil
	}
	out := map[string]string{}
	if strings.HasPrefix(expr, "{") {
		if err := json.Unmarshal([]byte(expr), &out); err != nil {
			return nil, fmt.Errorf("iomanager: %w: metadata %s: %v", store.ErrInvalidConfig, MetaPartitionExpr, err)
		}
		return out, nil
	}
	if !strings.Contains(expr, "=") {
		out[""] = expr
		return out, nil
	}
	for _, kv := range strings.Split(expr, ",") {
		k, v, ok := strings.Cut(kv, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !ok || k == "" || v == "" {
			return nil, fmt.Errorf("iomanager: %w: metadata %s=%q: want \"col\", \"dim=col,dim=col\" or a JSON object", store.ErrInvalidConfig, MetaPartitionExpr, expr)
		}
		out[k] = v
	}
	return out, nil
}

// partCol is one partition dimension as a column.
type partCol struct {
	dim, col, value string
}

// partitionColumns returns the columns partition p maps to, in dimension
// order: for a multi-partition one per dimension, else one.
func (m *Manager) partitionColumns(s *settings, p PartitionKey) []partCol {
	if p.IsMulti() {
		var out []partCol
		for _, d := range p.DimensionNames() {
			col := s.partExpr[d]
			if col == "" {
				col = d
			}
			out = append(out, partCol{dim: d, col: col, value: p.Dimensions[d]})
		}
		return out
	}
	col := s.partExpr[""]
	key := p.Key
	for d, v := range p.Dimensions { // at most one
		if col == "" {
			col = s.partExpr[d]
		}
		if col == "" {
			col = d
		}
		if key == "" {
			key = v
		}
	}
	if col == "" {
		col = m.cfg.PartitionColumn
	}
	return []partCol{{col: col, value: key}}
}
