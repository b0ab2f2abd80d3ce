// Package parquet stores Apache Parquet datasets in the folders of any
// store.Store (memory, local disk, S3, …), on arrow-go
// (github.com/apache/arrow-go/v18). A DatasetStore writes an Arrow record
// stream as a dataset with hive partition folders, reads it back as a
// streaming array.RecordReader with projection, partition pruning and
// statistics pushdown, and describes it without reading data. Datasets are
// interchangeable with pyarrow.dataset (hive partitioning) and with the
// Python remote-store ParquetDatasetStore.
//
// arrow-go's packages are imported as pq (parquet), pqfile (parquet/file)
// and pqarrow in every file of this package.
//
// # Layouts
//
// LayoutHive (the default for new datasets):
//
//	<dataset>/region=eu/year=2024/part-<write id>-00000.parquet
//	<dataset>/region=__HIVE_DEFAULT_PARTITION__/year=2024/part-….parquet
//	<dataset>/_remotestore/versions/00000000000000000007.json   one manifest per version
//	<dataset>/_remotestore/staging/<write id>/…                  in-flight files (some backends)
//
// Partition values are percent-encoded as pyarrow does (every byte but
// A-Z a-z 0-9 - . _ ~), nulls are __HIVE_DEFAULT_PARTITION__, and the
// partition columns are not stored in the files. Values are formatted as
// Arrow casts them to strings (timestamps "2024-01-01 00:00:00.000000").
// A manifest lists every file of its version (path, rows, bytes) and the
// full Arrow schema, so partition columns come back with their written
// types and Describe needs no footer. Everything under _remotestore/ starts
// with "_", which pyarrow.dataset ignores.
//
// Folders without a manifest (written by pyarrow, Spark, …) are read the
// way pyarrow reads them: every file below the folder whose path has no
// segment starting with "_" or ".", hive folders parsed, partition types
// inferred like pyarrow (int32 when all values are integers that fit, else
// string) unless ReadOptions.PartitionSchema says otherwise, the file schema
// from the first file. Appending to such a folder adopts its files into
// version 1.
//
// LayoutRemoteStore is the Python remote-store ParquetDatasetStore layout:
// <key>/part-00000.parquet … (or data.parquet), <key>/manifest.json
// (dataset_key, parts, row_count, schema_hash = first 16 hex digits of the
// SHA-256 of pyarrow's Schema.to_string(), compression, created_at_utc,
// optional run_id and metadata) and an empty <key>/_SUCCESS written last.
// Read refuses such a dataset without _SUCCESS, or with a listed part
// missing (ErrIncomplete), and a malformed manifest (ErrCorrupt). It cannot
// be partitioned and supports one writer at a time. LayoutAuto keeps the
// layout of an existing dataset.
//
// # Modes
//
// ModeError (default) fails with store.ErrAlreadyExists when a dataset
// exists; ModeIgnore then does nothing without reading the input;
// ModeOverwrite replaces the dataset (schema and partitioning may change);
// ModeOverwritePartitions replaces only the partition folders present in
// the new data; ModeAppend adds files. Append and overwrite-partitions check
// the schema — column names, types, nullability — and fail with
// ErrSchemaMismatch naming each difference. Not-null data may go into a
// nullable column; WriteOptions.AllowWidening also accepts a nullable
// column into a not-null one and integer/float/string widenings, and the
// dataset's schema becomes the wider one (older files are cast on read).
//
// # Commit protocol (hive layout)
//
//  1. Read the latest version N (list _remotestore/versions/).
//  2. Write each data file through a store atomic writer (CapAtomicWrite is
//     required): nothing is visible until Commit, and Commit is called only
//     after pqarrow's FileWriter.Close returned nil; pqarrow is handed a
//     Write-only view, so its Close cannot commit, and a Close without
//     Commit aborts. Names carry a random write id, so no write ever
//     replaces a file another version lists. On backends with atomic moves
//     (local disk, memory) files are written under _remotestore/staging/
//     and renamed into their partition folders only after every file is
//     written, which hides in-flight and failed writes from pyarrow too.
//  3. Create manifest N+1 with create-if-absent (Overwrite false; the store
//     contract makes this fail with ErrAlreadyExists if it exists). That
//     single small write is the commit point for our readers.
//  4. If another writer created N+1 first, re-base: re-read the latest
//     version, re-check the mode (error/ignore fail or skip now) and the
//     schema (append, overwrite-partitions), recompute the file list
//     (append: theirs + ours; overwrite: ours; overwrite-partitions: theirs
//     minus the partitions we write, + ours) and try N+2. Concurrent
//     writers never corrupt the dataset: appends all land, overwrites
//     leave exactly one winner's files.
//  5. Garbage-collect: delete the files version N listed and N+1 does not.
//
// Any failure before step 3 — the input's error, a store error, a
// cancelled context — deletes this write's files; version N stays the
// current version, whole and unchanged (the error says so). A crash may
// leave unlisted files behind: Vacuum deletes unlisted .parquet files (and
// staging leftovers) older than a given age.
//
// # What readers see
//
//   - DatasetStore.Read follows the manifest: it sees version N or N+1,
//     whole, never a partial file or a half-replaced partition, and never
//     lists folders to find data. A reader that picked version N before an
//     overwrite's step 5 deleted N's files fails with ErrIncomplete ("read
//     again") rather than returning a mix.
//   - pyarrow.dataset (or any reader that lists *.parquet under hive
//     folders) sees the files present at the time it lists. With atomic
//     moves: a failed or in-flight write is invisible; during the short
//     rename burst of step 2 and until step 5 ends, it may see part of the
//     new files, or old and new files together (an overwrite shows
//     duplicates, never gaps). On object stores (no atomic rename; the
//     manifest is the only switch) new files appear one by one as they are
//     committed during the write. Once the write returns, it sees exactly
//     the committed version (the post-GC state).
//   - The remote-store layout switches by replacing manifest.json (one
//     atomic write), then deletes replaced parts. New parts get names the
//     old manifest does not use, so unlike the Python library's overwrite
//     (delete, then write) a failed write leaves the old dataset readable.
//
// # Reading
//
// Read plans the files of one version, drops those whose partition values
// fail a filter before any is opened, then reads files with bounded
// concurrency (ReadOptions.Concurrency) through store.Store.OpenSeekable
// (ReadAt safe for concurrent use). A file's row groups are decoded in
// parallel on read slots no other file holds, so a single large file uses
// every slot too, and each column of a row group is decoded on its own
// goroutine, at most two batches ahead of the slowest column. Flat columns
// of the common types (integers, floats, dates, timestamps, strings,
// binary) are decoded straight into Arrow buffers from arrow-go's page
// decoders; the others (nested, dictionary, unsigned, boolean, …) through
// pqarrow's column readers.
// Row groups whose min/max statistics cannot match a filter (=, !=, <, <=,
// >, >=, in; all filters and-combined) are skipped, and the remaining rows
// are filtered exactly, so results equal pyarrow's filter semantics (nulls
// never match). Batches come out in file and row-group order; memory is
// bounded by Concurrency × (the row group's compressed column chunks + 3
// batches per column being decoded + 4 batches queued), not by the
// dataset.
package parquet
