package iomanager

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/remotestore/remotestore/parquet"
	"github.com/remotestore/remotestore/store"
)

// HandleOutput stores data as the output oc describes and reports what it
// wrote.
//
//   - A table is written as one file per partition (Parquet by default) at
//     the UPathIOManager path (see Path); with several partitions (a
//     single-run backfill) it is split by the partition_expr column(s) and
//     every partition is written before any is published.
//   - Opaque bytes are stored as they are (no extension).
//   - Every file is written atomically: a failed or cancelled write leaves
//     the previous version whole.
//
// HandleOutput reads data.Records to the end but does not Release it.
func (m *Manager) HandleOutput(ctx context.Context, oc OutputContext, data Payload) (*Result, error) {
	const op = "handle-output"
	start := time.Now()
	res, err := m.handleOutput(ctx, oc, data)
	if err != nil {
		return nil, wrap(op, oc.Target, "", err)
	}
	res.Duration = time.Since(start)
	return res, nil
}

func (m *Manager) handleOutput(ctx context.Context, oc OutputContext, data Payload) (*Result, error) {
	if (data.Records == nil) == (data.Object == nil) {
		return nil, errors.New("iomanager: a payload needs exactly one of Records and Object")
	}
	s, err := m.settings(oc.Metadata, oc.Format)
	if err != nil {
		return nil, err
	}
	if len(oc.Partitions) > 0 && !oc.Target.IsAsset() {
		return nil, errorf(store.ErrInvalidPath, "op outputs are not partitioned")
	}
	if data.Object != nil {
		return m.writeObject(ctx, oc, s, data)
	}
	if s.format == FormatDataset {
		return m.writeDataset(ctx, oc, s, data.Records)
	}
	if len(oc.Partitions) > 0 {
		if err := m.dropUnpartitionedFile(ctx, oc.Target); err != nil {
			return nil, err
		}
	}
	if len(oc.Partitions) > 1 {
		return m.writeSplit(ctx, oc, s, data.Records)
	}
	var part *PartitionKey
	if len(oc.Partitions) == 1 {
		part = &oc.Partitions[0]
	}
	p, err := Path(oc.Target, part, s.ext)
	if err != nil {
		return nil, err
	}
	res := &Result{Kind: KindTable, Format: s.format, Path: p, URI: m.st.URI(p), Schema: data.Records.Schema()}
	if skip, err := m.checkMode(ctx, s, p); err != nil || skip {
		res.Skipped = skip
		return res, err
	}
	f, err := createFile(ctx, m.st, p, data.Size)
	if err != nil {
		return nil, err
	}
	defer f.abort()
	rows, err := writeTable(f, s, data.Records)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", m.st.URI(p), err)
	}
	if err := f.commit(ctx); err != nil {
		return nil, err
	}
	res.Rows, res.Bytes, res.Files = rows, f.bytes, []string{p}
	if part != nil {
		res.Partitions = []PartitionResult{{Key: part.String(), Path: p, URI: res.URI, Rows: rows, Bytes: f.bytes}}
	}
	return res, nil
}

// writeTable encodes every batch of rr into w.
func writeTable(w io.Writer, s *settings, rr array.RecordReader) (int64, error) {
	bw, err := codecFor(s.format).newWriter(w, rr.Schema(), s)
	if err != nil {
		return 0, err
	}
	var rows int64
	for rr.Next() {
		rec := rr.RecordBatch()
		if err := bw.Write(rec); err != nil {
			bw.Close()
			return 0, err
		}
		rows += rec.NumRows()
	}
	if err := rr.Err(); err != nil {
		bw.Close()
		return 0, fmt.Errorf("reading the table: %w", err)
	}
	return rows, bw.Close()
}

// checkMode applies the error and ignore modes to the file at p.
func (m *Manager) checkMode(ctx context.Context, s *settings, p string) (skip bool, err error) {
	if s.mode != parquet.ModeError && s.mode != parquet.ModeIgnore {
		return false, nil
	}
	ok, err := m.st.IsFile(ctx, p)
	if err != nil || !ok {
		return false, err
	}
	if s.mode == parquet.ModeIgnore {
		return true, nil
	}
	return false, errorf(store.ErrAlreadyExists, "%s exists and mode is %q", m.st.URI(p), s.mode)
}

// dropUnpartitionedFile deletes a file standing where a partitioned
// asset's folder goes (the asset was unpartitioned before), as Dagster does.
func (m *Manager) dropUnpartitionedFile(ctx context.Context, t Target) error {
	p, err := TargetPath(t)
	if err != nil {
		return err
	}
	info, err := m.st.Stat(ctx, p)
	if err != nil || info.IsFolder {
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		return err
	}
	return m.st.Delete(ctx, p, &store.DeleteOptions{MissingOK: true})
}

func (m *Manager) writeObject(ctx context.Context, oc OutputContext, s *settings, data Payload) (*Result, error) {
	if len(oc.Partitions) > 1 {
		return nil, errorf(store.ErrNotSupported, "an object (not a table) cannot be split into %d partitions; return one per partition", len(oc.Partitions))
	}
	ext := ""
	if _, ok := oc.Metadata[MetaExtension]; ok {
		ext = s.ext
	}
	var part *PartitionKey
	if len(oc.Partitions) == 1 {
		part = &oc.Partitions[0]
		if err := m.dropUnpartitionedFile(ctx, oc.Target); err != nil {
			return nil, err
		}
	}
	p, err := Path(oc.Target, part, ext)
	if err != nil {
		return nil, err
	}
	res := &Result{Kind: KindObject, Format: FormatPickle, Path: p, URI: m.st.URI(p), Rows: -1}
	if skip, err := m.checkMode(ctx, s, p); err != nil || skip {
		res.Skipped = skip
		return res, err
	}
	f, err := createFile(ctx, m.st, p, data.Size)
	if err != nil {
		return nil, err
	}
	defer f.abort()
	if _, err := io.Copy(f, data.Object); err != nil {
		return nil, err
	}
	if err := f.commit(ctx); err != nil {
		return nil, err
	}
	res.Bytes, res.Files = f.bytes, []string{p}
	if part != nil {
		res.Partitions = []PartitionResult{{Key: part.String(), Path: p, URI: res.URI, Rows: -1, Bytes: f.bytes}}
	}
	return res, nil
}

// writeDataset writes the table into the asset's hive dataset folder, its
// partitions as partition columns (added when the table lacks them).
func (m *Manager) writeDataset(ctx context.Context, oc OutputContext, s *settings, rr array.RecordReader) (*Result, error) {
	p, err := TargetPath(oc.Target)
	if err != nil {
		return nil, err
	}
	opts := &parquet.WriteOptions{Mode: s.mode, Compression: s.compression, CompressionLevel: s.compressionLevel}
	in := rr
	if len(oc.Partitions) > 0 {
		cols := m.partitionColumns(s, oc.Partitions[0])
		for _, c := range cols {
			opts.PartitionBy = append(opts.PartitionBy, c.col)
		}
		if s.mode == parquet.ModeOverwrite {
			opts.Mode = parquet.ModeOverwritePartitions
		}
		if len(oc.Partitions) == 1 {
			var add []partCol
			for _, c := range cols {
				if len(rr.Schema().FieldIndices(c.col)) == 0 {
					add = append(add, c)
				}
			}
			if len(add) > 0 {
				in = newConstColumnsReader(rr, add, m.mem)
				defer in.Release()
			}
		} else {
			for _, c := range cols {
				if len(rr.Schema().FieldIndices(c.col)) == 0 {
					return nil, errorf(store.ErrInvalidConfig, "an output covering %d partitions needs the partition column %q (set partition_expr); columns: %v",
						len(oc.Partitions), c.col, fieldNames(rr.Schema()))
				}
			}
		}
	}
	wr, err := m.ds.Write(ctx, p, in, opts)
	if err != nil {
		return nil, err
	}
	res := &Result{Kind: KindTable, Format: FormatDataset, Path: p, URI: wr.URI, Rows: wr.Rows, Bytes: wr.Bytes,
		Schema: in.Schema(), Skipped: wr.Skipped}
	for _, f := range wr.Files {
		res.Files = append(res.Files, p+"/"+f)
	}
	for _, pk := range oc.Partitions {
		res.Partitions = append(res.Partitions, PartitionResult{Key: pk.String(), Path: p, URI: wr.URI, Rows: -1})
	}
	if len(oc.Partitions) == 1 {
		res.Partitions[0].Rows, res.Partitions[0].Bytes = wr.Rows, wr.Bytes
	}
	return res, nil
}

func fieldNames(sc *arrow.Schema) []string {
	out := make([]string, sc.NumFields())
	for i, f := range sc.Fields() {
		out[i] = f.Name
	}
	return out
}
