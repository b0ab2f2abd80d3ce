// Package iomanager is the orchestrator-neutral core of a Dagster-style IO
// manager: it stores the outputs of assets and ops in a store.Store and
// loads them back as inputs. It imports no gRPC, protobuf or go-plugin code
// (the plugin glue is in iomanager/grpcplugin), so it is tested in-process.
//
//	m := iomanager.New(st, iomanager.Config{})
//	res, err := m.HandleOutput(ctx, iomanager.OutputContext{
//		Target:     iomanager.Asset("warehouse", "orders"),
//		Partitions: []iomanager.PartitionKey{iomanager.Partition("2024-01-31")},
//	}, iomanager.Table(records))
//	tbl, err := m.ReadTable(ctx, iomanager.InputContext{Target: …, Partitions: …})
//
// # Paths
//
// The layout is Dagster's UPathIOManager's, so a user can switch between
// the two without moving data:
//
//	base/warehouse/orders.parquet                      unpartitioned asset
//	base/warehouse/orders/2024-01-31.parquet           one partition dimension
//	base/warehouse/orders/2024-01-31/eu.parquet        multi-partitions, dimensions by name
//	base/<run id>/<step key>/<output name>             op output (pickled object)
//
// Path segments are percent-escaped by EscapeSegment: a "/" or ".." in a
// partition key never makes a folder nor leaves the store.
//
// # Payloads and formats
//
// Tables (array.RecordReader) are written as Parquet (default), Arrow IPC
// ("arrow"), or into one hive-partitioned dataset per asset ("dataset",
// package parquet). Opaque bytes (pickled Python objects) are stored as
// they are, without extension, as Dagster's FilesystemIOManager does.
// Definition metadata picks the format, the mode ("overwrite", "error",
// "ignore"), the compression and partition_expr (see the Meta* constants).
//
// # Atomicity
//
// Each file is written atomically: through the backend's atomic writer, or
// as a hidden temporary file moved over the target. An output that covers
// several partitions (a single-run backfill) is split by its partition_expr
// column(s); every partition file is written in full before the first is
// published, so a bad row or a broken input publishes nothing.
//
// # Loading
//
// LoadInput resolves the partitions' files, fails with ErrNotFound naming
// every missing partition (or skips them with AllowMissingPartitions), and
// reads them concurrently (Concurrency at a time) in the background while
// the caller consumes the parts in partition order. Shapes: ShapeTable (one
// table with partition columns added), ShapePartitions (one table per
// partition), ShapeBatches (a stream of batches with partition columns).
// Columns project and Filters select rows (pushed down by the dataset
// format, applied per batch otherwise).
//
// # Errors
//
// Errors wrap the store sentinels (store.ErrNotFound, ErrAlreadyExists,
// ErrInvalidConfig, …) so that the plugin maps them onto gRPC codes.
package iomanager
