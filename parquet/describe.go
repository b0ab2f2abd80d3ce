package parquet

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"golang.org/x/sync/errgroup"

	"github.com/remotestore/remotestore/store"
)

// Description tells what a dataset holds without reading its data.
type Description struct {
	// Path is the dataset folder; URI its native location.
	Path, URI string
	// Layout is LayoutHive (with Version > 0 when our manifest commits it,
	// 0 for a folder of files written by another tool) or LayoutRemoteStore.
	Layout  Layout
	Version int64
	// Schema is the full schema, partition columns included.
	Schema *arrow.Schema
	// PartitionBy are the partition columns, in folder order.
	PartitionBy []string
	// Partitions are the distinct partition folders ("year=2024/month=1"),
	// sorted.
	Partitions []string
	// Files are the data files, sorted by path.
	Files []FileDescription
	// Rows and Bytes are the totals over Files.
	Rows, Bytes int64
	// Compression, CreatedAt, RunID and Metadata come from the manifest
	// when there is one.
	Compression string
	CreatedAt   string
	RunID       string
	Metadata    map[string]string
}

// FileDescription is one data file of a dataset.
type FileDescription struct {
	Path      string // relative to the dataset folder
	Partition string // its hive folder, "" when unpartitioned
	Rows      int64
	Bytes     int64
}

// Describe reports the schema, partitions, files, rows and bytes of the
// dataset at path from its manifest, reading Parquet footers only for files
// the manifest does not count (datasets written by other tools).
func (d *DatasetStore) Describe(ctx context.Context, path string) (*Description, error) {
	const op = "describe"
	ds, err := d.sub(op, path)
	if err != nil {
		return nil, err
	}
	uri := d.st.URI(path)
	snap, err := d.loadSnapshot(ctx, ds, 0, nil)
	if err != nil {
		return nil, opError(op, uri, err)
	}
	if !snap.exists() {
		return nil, opError(op, uri, fmt.Errorf("%w: no dataset here", store.ErrNotFound))
	}
	desc := &Description{Path: ds.Root(), URI: uri, Layout: snap.layout, Version: snap.version, Schema: snap.schema,
		PartitionBy: snap.partitionBy}
	if m := snap.m; m != nil {
		desc.Compression, desc.CreatedAt, desc.RunID, desc.Metadata = m.Compression, m.CreatedAtUTC, m.RunID, m.Metadata
	}
	if m := snap.rs; m != nil {
		desc.Compression, desc.CreatedAt, desc.Metadata = m.Compression, m.CreatedAtUTC, m.Metadata
		if m.RunID != nil {
			desc.RunID = *m.RunID
		}
	}
	desc.Files = make([]FileDescription, len(snap.files))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for i, f := range snap.files {
		desc.Files[i] = FileDescription{Path: f.Path, Partition: f.Partition, Rows: f.Rows, Bytes: f.Bytes}
		if f.Rows < 0 {
			g.Go(func() error {
				rows, err := d.fileRows(gctx, ds, f.Path)
				desc.Files[i].Rows = rows
				return err
			})
		}
	}
	if err := g.Wait(); err != nil {
		return nil, opError(op, uri, err)
	}
	seen := map[string]bool{}
	for _, f := range desc.Files {
		desc.Rows += f.Rows
		desc.Bytes += f.Bytes
		if f.Partition != "" && !seen[f.Partition] {
			seen[f.Partition] = true
			desc.Partitions = append(desc.Partitions, f.Partition)
		}
	}
	sort.Strings(desc.Partitions)
	sort.Slice(desc.Files, func(i, j int) bool { return desc.Files[i].Path < desc.Files[j].Path })
	return desc, nil
}

// Exists reports whether a readable dataset is at path.
func (d *DatasetStore) Exists(ctx context.Context, path string) (bool, error) {
	ds, err := d.sub("exists", path)
	if err != nil {
		return false, err
	}
	snap, err := d.loadSnapshot(ctx, ds, 0, nil)
	if err != nil {
		return false, opError("exists", d.st.URI(path), err)
	}
	return snap.exists(), nil
}

// Delete removes the dataset folder at path and everything in it. The
// manifests go first, so a reader never sees a version whose files are
// half deleted: it sees the version whole, or no dataset.
func (d *DatasetStore) Delete(ctx context.Context, path string) error {
	const op = "delete"
	ds, err := d.sub(op, path)
	if err != nil {
		return err
	}
	uri := d.st.URI(path)
	for _, first := range []string{rsSuccessName, rsManifestName} {
		if err := ds.Delete(ctx, first, &store.DeleteOptions{MissingOK: true}); err != nil {
			return opError(op, uri, err)
		}
	}
	if err := ds.DeleteFolder(ctx, versionsDir); err != nil {
		return opError(op, uri, err)
	}
	return opError(op, uri, ds.DeleteFolder(ctx, ""))
}

// VacuumResult lists what Vacuum deleted.
type VacuumResult struct {
	Deleted []string
	Bytes   int64
}

// Vacuum deletes the files of a hive-layout dataset that its latest version
// does not list and that are older than olderThan: leftovers of writes that
// crashed before committing, or whose clean-up failed. Files a writer is
// still writing are younger than any sensible olderThan (an hour, say);
// never pass less than your longest write takes. Metadata is kept.
func (d *DatasetStore) Vacuum(ctx context.Context, path string, olderThan time.Duration) (*VacuumResult, error) {
	const op = "vacuum"
	ds, err := d.sub(op, path)
	if err != nil {
		return nil, err
	}
	uri := d.st.URI(path)
	snap, err := d.loadSnapshot(ctx, ds, 0, nil)
	if err != nil {
		return nil, opError(op, uri, err)
	}
	if !snap.exists() || snap.layout != LayoutHive || snap.version == 0 {
		return nil, opError(op, uri, fmt.Errorf("%w: vacuum needs a hive-layout dataset with a manifest", store.ErrNotSupported))
	}
	listed := map[string]bool{}
	for _, f := range snap.files {
		listed[f.Path] = true
	}
	cutoff := time.Now().Add(-olderThan)
	res := &VacuumResult{}
	for info, err := range ds.ListFiles(ctx, "", nil) {
		if err != nil {
			return res, opError(op, uri, err)
		}
		meta := strings.HasPrefix(info.Path, versionsDir+"/") || (!strings.HasSuffix(info.Path, ".parquet") && !strings.HasPrefix(info.Path, stagingDir+"/"))
		if listed[info.Path] || meta || info.ModTime.IsZero() || info.ModTime.After(cutoff) {
			continue
		}
		if err := ds.Delete(ctx, info.Path, &store.DeleteOptions{MissingOK: true}); err != nil {
			return res, opError(op, uri, err)
		}
		res.Deleted = append(res.Deleted, info.Path)
		res.Bytes += info.Size
	}
	return res, nil
}
