package parquet

import (
	"context"
	"errors"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/remotestore/remotestore/store"
)

// WriteResult describes a finished Write.
type WriteResult struct {
	// Path is the dataset folder; URI its native location.
	Path, URI string
	// Layout is the layout written.
	Layout Layout
	// Version is the committed hive-layout version (0 for the remote-store
	// layout, or when nothing was written).
	Version int64
	// Skipped is true when ModeIgnore found an existing dataset and wrote
	// nothing.
	Skipped bool
	// Files are the data files written, relative to the dataset folder.
	Files []string
	// Rows and Bytes count what this write added.
	Rows, Bytes int64
	// Removed are files of the previous version that the write replaced and
	// deleted afterwards.
	Removed []string
	// CleanupErr is set when deleting replaced files failed after the commit;
	// the new version is committed and complete regardless (see Vacuum).
	CleanupErr error
}

// WriteTable writes tbl as the dataset at path (see Write).
func (d *DatasetStore) WriteTable(ctx context.Context, path string, tbl arrow.Table, opts *WriteOptions) (*WriteResult, error) {
	rr := array.NewTableReader(tbl, 0)
	defer rr.Release()
	return d.Write(ctx, path, rr, opts)
}

// Write streams rr into the dataset at path and commits it atomically: on
// any failure (the input's error, a store error, a cancelled ctx) the files
// written so far are deleted and the previous version stays the current
// one, whole. Memory is bounded by the open files' row groups, not by the
// input's size. See the package doc for the modes and the guarantees.
func (d *DatasetStore) Write(ctx context.Context, path string, rr array.RecordReader, opts *WriteOptions) (*WriteResult, error) {
	const op = "write"
	ds, err := d.sub(op, path)
	if err != nil {
		return nil, err
	}
	uri := d.st.URI(path)
	res, err := d.write(ctx, ds, uri, rr, opts.withDefaults())
	if err != nil {
		return nil, opError(op, uri, err)
	}
	res.Path, res.URI = ds.Root(), uri
	return res, nil
}

func (d *DatasetStore) write(ctx context.Context, ds *store.Store, uri string, rr array.RecordReader, o WriteOptions) (*WriteResult, error) {
	if !ds.Capabilities().Has(store.CapWrite | store.CapAtomicWrite | store.CapList | store.CapDelete | store.CapRead) {
		return nil, fmt.Errorf("%w: datasets need a store with read, write, atomic-write, list and delete (have %s)",
			store.ErrNotSupported, ds.Capabilities())
	}
	if o.Mode < ModeError || o.Mode > ModeIgnore {
		return nil, fmt.Errorf("unknown mode %d", int(o.Mode))
	}
	base, err := d.loadSnapshot(ctx, ds, 0, nil)
	if errors.Is(err, ErrIncomplete) && o.Mode != ModeAppend && o.Layout != LayoutHive {
		// An unfinished remote-store dataset is no dataset (as for Python's
		// dataset_exists): replace it with the same layout.
		base, err = nil, nil
		if o.Layout == LayoutAuto {
			o.Layout = LayoutRemoteStore
		}
	}
	if err != nil {
		return nil, fmt.Errorf("reading the current dataset: %w", err)
	}
	layout, err := chooseLayout(o, base)
	if err != nil {
		return nil, err
	}
	if base.exists() {
		switch o.Mode {
		case ModeError:
			return nil, fmt.Errorf("%w: a dataset exists (use mode overwrite, overwrite-partitions, append or ignore)", store.ErrAlreadyExists)
		case ModeIgnore:
			return &WriteResult{Layout: layout, Version: base.version, Skipped: true}, nil
		}
	}
	if o.Mode == ModeOverwritePartitions && len(o.PartitionBy) == 0 {
		if base.exists() && len(base.partitionBy) > 0 {
			o.PartitionBy = base.partitionBy
		} else {
			return nil, fmt.Errorf("mode overwrite-partitions needs PartitionBy")
		}
	}
	if base.exists() && (o.Mode == ModeAppend || o.Mode == ModeOverwritePartitions) {
		if len(o.PartitionBy) == 0 {
			o.PartitionBy = base.partitionBy
		}
		if fmt.Sprint(o.PartitionBy) != fmt.Sprint(base.partitionBy) {
			return nil, fmt.Errorf("%w: the dataset is partitioned by %v, the write by %v", ErrSchemaMismatch, base.partitionBy, o.PartitionBy)
		}
	}
	if layout == LayoutRemoteStore && len(o.PartitionBy) > 0 {
		return nil, fmt.Errorf("the remote-store layout cannot be partitioned (PartitionBy %v)", o.PartitionBy)
	}
	if layout == LayoutRemoteStore && o.Mode == ModeOverwritePartitions {
		return nil, fmt.Errorf("mode overwrite-partitions needs the hive layout")
	}

	schema := rr.Schema()
	if base.exists() && base.schema != nil && (o.Mode == ModeAppend || o.Mode == ModeOverwritePartitions) {
		schema, err = checkAppendSchema(base, schema, o.AllowWidening)
		if err != nil {
			return nil, err
		}
	}
	t := &txn{d: d, ds: ds, uri: uri, id: newTxnID(), opts: o, layout: layout}
	if layout == LayoutHive {
		_, canMove := ds.Backend().(store.Mover)
		t.stage = canMove && ds.Capabilities().Has(store.CapAtomicMove)
	}
	if layout == LayoutRemoteStore {
		t.rsBase = base
	}
	if err := t.init(schema); err != nil {
		return nil, err
	}
	if err := t.writeAll(ctx, rr); err != nil {
		t.abort(ctx)
		return nil, withUnchanged(err, base)
	}
	var res *WriteResult
	if layout == LayoutRemoteStore {
		res, err = t.commitRemoteStore(ctx, base)
	} else {
		res, err = t.commitHive(ctx, base)
	}
	if err != nil {
		t.abort(ctx)
		return nil, withUnchanged(err, base)
	}
	res.Layout = layout
	return res, nil
}

// withUnchanged adds what a failed write left behind to its error.
func withUnchanged(err error, base *snapshot) error {
	switch {
	case !base.exists():
		return fmt.Errorf("%w (nothing was committed)", err)
	case base.version > 0:
		return fmt.Errorf("%w (version %d is unchanged)", err, base.version)
	}
	return fmt.Errorf("%w (the previous dataset is unchanged)", err)
}

func chooseLayout(o WriteOptions, base *snapshot) (Layout, error) {
	l := o.Layout
	if !base.exists() {
		if l == LayoutAuto {
			l = LayoutHive
		}
		return l, nil
	}
	if l == LayoutAuto {
		return base.layout, nil
	}
	if l != base.layout && o.Mode != ModeIgnore && o.Mode != ModeError {
		return 0, fmt.Errorf("the dataset uses the %s layout, not %s; delete it first to change layouts", base.layout, l)
	}
	return l, nil
}

// checkAppendSchema returns the dataset schema after adding data of schema
// in, or an ErrSchemaMismatch naming every difference.
func checkAppendSchema(base *snapshot, in *arrow.Schema, allowWidening bool) (*arrow.Schema, error) {
	skip := map[string]bool{}
	if base.inferred {
		for _, c := range base.partitionBy {
			skip[c] = true
		}
	}
	merged, err := mergeSchemas(base.schema, in, allowWidening, skip)
	if err != nil {
		return nil, err
	}
	// Keep the input's column order; only types and nullability change.
	return merged, nil
}

// isConflict reports a lost create-if-absent race on a manifest.
func isConflict(err error) bool { return errors.Is(err, store.ErrAlreadyExists) }
