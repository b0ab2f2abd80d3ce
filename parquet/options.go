package parquet

import (
	"fmt"
	"runtime"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pqcompress "github.com/apache/arrow-go/v18/parquet/compress"

	// libzstd for zstd pages when built with cgo (pyarrow's codec, about
	// twice as fast as the pure-Go one); arrow-go's pure Go otherwise.
	_ "github.com/remotestore/remotestore/internal/zstdcgo"
)

// Mode says what Write does when a dataset already exists at the path.
type Mode int

// The write modes. The zero value is ModeError.
const (
	// ModeError fails with store.ErrAlreadyExists when a dataset exists.
	ModeError Mode = iota
	// ModeOverwrite replaces the whole dataset.
	ModeOverwrite
	// ModeOverwritePartitions replaces only the partitions present in the
	// new data; the other partitions stay.
	ModeOverwritePartitions
	// ModeAppend adds the new files to the dataset. The schema must match
	// (see WriteOptions.AllowWidening).
	ModeAppend
	// ModeIgnore does nothing when a dataset exists (the input is not read).
	ModeIgnore
)

var modeNames = [...]string{"error", "overwrite", "overwrite-partitions", "append", "ignore"}

// String returns the mode's name as ParseMode accepts it.
func (m Mode) String() string {
	if m >= 0 && int(m) < len(modeNames) {
		return modeNames[m]
	}
	return fmt.Sprintf("mode(%d)", int(m))
}

// ParseMode parses "error", "overwrite", "overwrite-partitions", "append"
// or "ignore" ("" means "error"; "_" may stand for "-").
func ParseMode(s string) (Mode, error) {
	s = strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), "_", "-")
	if s == "" {
		return ModeError, nil
	}
	for i, n := range modeNames {
		if s == n {
			return Mode(i), nil
		}
	}
	return ModeError, fmt.Errorf("parquet: unknown write mode %q (want one of %s)", s, strings.Join(modeNames[:], ", "))
}

// Compression is the Parquet codec of written files.
type Compression int

// The codecs. The zero value is Zstd.
const (
	Zstd Compression = iota
	Snappy
	Uncompressed
)

var compressionNames = [...]string{"zstd", "snappy", "none"}

// String returns the codec's name as ParseCompression accepts it.
func (c Compression) String() string {
	if c >= 0 && int(c) < len(compressionNames) {
		return compressionNames[c]
	}
	return fmt.Sprintf("compression(%d)", int(c))
}

// ParseCompression parses "zstd" (also ""), "snappy" or "none"
// ("uncompressed" too).
func ParseCompression(s string) (Compression, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "zstd":
		return Zstd, nil
	case "snappy":
		return Snappy, nil
	case "none", "uncompressed":
		return Uncompressed, nil
	}
	return Zstd, fmt.Errorf("parquet: unknown compression %q (want zstd, snappy or none)", s)
}

func (c Compression) codec() (pqcompress.Compression, error) {
	switch c {
	case Zstd:
		return pqcompress.Codecs.Zstd, nil
	case Snappy:
		return pqcompress.Codecs.Snappy, nil
	case Uncompressed:
		return pqcompress.Codecs.Uncompressed, nil
	}
	return 0, fmt.Errorf("parquet: unknown compression %d", int(c))
}

// Layout is how a dataset is laid out in its folder (see the package doc).
type Layout int

// The layouts. The zero value is LayoutAuto.
const (
	// LayoutAuto keeps the layout of an existing dataset and uses
	// LayoutHive for a new one.
	LayoutAuto Layout = iota
	// LayoutHive: hive partition folders, data files under unique names, and
	// versioned manifests under _remotestore/ that make commits atomic.
	LayoutHive
	// LayoutRemoteStore: the Python remote-store ParquetDatasetStore layout
	// (part files, manifest.json, _SUCCESS). No partitioning; one writer at
	// a time.
	LayoutRemoteStore
)

var layoutNames = [...]string{"auto", "hive", "remote-store"}

// String returns the layout's name.
func (l Layout) String() string {
	if l >= 0 && int(l) < len(layoutNames) {
		return layoutNames[l]
	}
	return fmt.Sprintf("layout(%d)", int(l))
}

// Default sizes.
const (
	// DefaultRowGroupSize is the row-group length in rows (pyarrow's).
	DefaultRowGroupSize = 1 << 20
	// DefaultBatchSize is the length of the record batches Read yields.
	DefaultBatchSize = 64 << 10
	// DefaultMaxOpenFiles bounds the files a partitioned write keeps open.
	DefaultMaxOpenFiles = 64
)

// WriteOptions tune Write. The zero value writes a new (ModeError),
// unpartitioned, zstd-compressed hive-layout dataset.
type WriteOptions struct {
	// Mode says what to do when a dataset exists (default ModeError).
	Mode Mode
	// PartitionBy names the columns that become hive folders
	// (col=value/...), in folder order. They are not stored in the files.
	// Supported types: integers, strings, booleans, dates, timestamps,
	// floats and dictionaries of those.
	PartitionBy []string
	// Compression is the codec (default Zstd).
	Compression Compression
	// CompressionLevel is the codec level; 0 for the default (zstd level
	// 1, as pyarrow).
	CompressionLevel int
	// RowGroupSize is the maximum rows per row group (default
	// DefaultRowGroupSize). A partitioned write buffers one encoded row
	// group per open file.
	RowGroupSize int64
	// MaxRowsPerFile starts a new file after this many rows (0: no limit).
	MaxRowsPerFile int64
	// MaxOpenFiles bounds the files open at once in a partitioned write
	// (default DefaultMaxOpenFiles); past it, the least recently used file
	// is finished and a later row of its partition starts a new file.
	MaxOpenFiles int
	// AllowWidening lets ModeAppend (and ModeOverwritePartitions) accept a
	// schema that differs from the dataset's only by safe widenings: a
	// nullable field where the dataset's is not null, integers to wider integers, float32 to float64, string to
	// large_string. The dataset's schema becomes the wider one; older files
	// are cast when read.
	AllowWidening bool
	// Layout picks the folder layout (default LayoutAuto).
	Layout Layout
	// RunID and Metadata are recorded in the manifest.
	RunID    string
	Metadata map[string]string
}

func (o *WriteOptions) withDefaults() WriteOptions {
	var w WriteOptions
	if o != nil {
		w = *o
	}
	if w.RowGroupSize <= 0 {
		w.RowGroupSize = DefaultRowGroupSize
	}
	if w.MaxOpenFiles <= 0 {
		w.MaxOpenFiles = DefaultMaxOpenFiles
	}
	return w
}

// ReadOptions tune Read. The zero value reads every column and row.
type ReadOptions struct {
	// Columns projects the output to these columns, in this order
	// (partition columns included). Nil reads all.
	Columns []string
	// Filters keep only rows matching all of them. Filters on partition
	// columns prune folders before any file is opened; the others prune row
	// groups by their statistics and then filter rows exactly.
	Filters []Filter
	// Concurrency is how many row groups (of one or several files) are
	// decoded at once (default GOMAXPROCS, at least 2). Memory is bounded
	// by Concurrency row groups in flight (see the package doc), not by
	// the dataset's size.
	Concurrency int
	// BatchSize is the rows per yielded batch (default DefaultBatchSize).
	BatchSize int64
	// PartitionSchema gives the partition columns' types for datasets
	// without a stored schema (written by other tools). Without it they are
	// inferred as pyarrow does: int32 when every value is an integer that
	// fits, else string.
	PartitionSchema *arrow.Schema
	// Version reads an older version of a hive-layout dataset (0: latest).
	Version int64
}

func (o *ReadOptions) withDefaults() ReadOptions {
	var r ReadOptions
	if o != nil {
		r = *o
	}
	if r.Concurrency <= 0 {
		r.Concurrency = max(2, runtime.GOMAXPROCS(0))
	}
	if r.BatchSize <= 0 {
		r.BatchSize = DefaultBatchSize
	}
	return r
}

// Option configures a DatasetStore.
type Option func(*DatasetStore)

// WithAllocator sets the Arrow allocator for the batches the store reads
// and the buffers it writes with (default memory.DefaultAllocator); the
// Parquet reader's pages and decoder scratch use Go's.
func WithAllocator(mem memory.Allocator) Option {
	return func(d *DatasetStore) { d.mem = mem }
}
