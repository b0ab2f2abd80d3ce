package parquet

import (
	"context"
	"fmt"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/remotestore/remotestore/store"
)

// maxCommitAttempts bounds how often a commit re-bases onto a version a
// concurrent writer committed first.
const maxCommitAttempts = 50

// commitHive publishes the written files as the next version:
//
//  1. staged files (backends with atomic moves) are moved into place;
//  2. the new manifest is created under the next version number, failing
//     if another writer took it; then the write re-bases onto that version
//     (checking the mode and schema again) and tries the next number;
//  3. files of the previous version that the new one no longer lists are
//     deleted.
func (t *txn) commitHive(ctx context.Context, base *snapshot) (*WriteResult, error) {
	if t.stage {
		for i := range t.written {
			f := &t.written[i]
			if err := t.ds.Move(ctx, f.staged, f.final, nil); err != nil {
				return nil, fmt.Errorf("moving %s into place: %w", f.staged, err)
			}
			f.staged = f.final
		}
		t.ds.DeleteFolder(context.WithoutCancel(ctx), path.Join(stagingDir, t.id))
	}
	ours := make([]manifestFile, len(t.written))
	for i, f := range t.written {
		ours[i] = manifestFile{Path: f.final, Rows: f.rows, Bytes: f.bytes}
	}
	for attempt := 0; ; attempt++ {
		if attempt == maxCommitAttempts {
			return nil, fmt.Errorf("%w: gave up after %d attempts", ErrConflict, attempt)
		}
		files, removed, err := t.merge(ctx, base, ours)
		if err != nil {
			return nil, err
		}
		m := &manifest{
			Format: formatName, Version: base.versionOrZero() + 1, TxnID: t.id, Operation: t.opts.Mode.String(),
			CreatedAtUTC: time.Now().UTC().Format(time.RFC3339Nano), Schema: encodeSchema(t.schema),
			SchemaText: pyarrowSchemaString(t.schema), PartitionBy: t.opts.PartitionBy,
			Compression: t.opts.Compression.String(), Files: files, RunID: t.opts.RunID, Metadata: t.opts.Metadata,
		}
		err = commitManifest(ctx, t.ds, m)
		if err == nil {
			res := &WriteResult{Version: m.Version, Rows: t.rows}
			for _, f := range ours {
				res.Files = append(res.Files, f.Path)
				res.Bytes += f.Bytes
			}
			res.Removed, res.CleanupErr = t.gc(ctx, removed)
			return res, nil
		}
		if !isConflict(err) {
			return nil, err
		}
		// Another writer committed this version first: re-base onto it.
		next, err := t.d.loadSnapshot(ctx, t.ds, 0, nil)
		if err != nil {
			return nil, fmt.Errorf("re-reading after a concurrent commit: %w", err)
		}
		if next.layout != LayoutHive {
			return nil, fmt.Errorf("%w: the dataset changed layout during the write", ErrConflict)
		}
		if base.exists() == false || base.version == 0 {
			switch t.opts.Mode {
			case ModeError:
				return nil, fmt.Errorf("%w: another writer created the dataset meanwhile", store.ErrAlreadyExists)
			case ModeIgnore:
				t.abort(ctx)
				return &WriteResult{Version: next.version, Skipped: true}, nil
			}
		}
		if t.opts.Mode == ModeAppend || t.opts.Mode == ModeOverwritePartitions {
			if _, err := checkAppendSchema(next, t.schema, t.opts.AllowWidening); err != nil {
				return nil, fmt.Errorf("a concurrent commit changed the schema: %w", err)
			}
		}
		base = next
	}
}

func (s *snapshot) versionOrZero() int64 {
	if s == nil {
		return 0
	}
	return s.version
}

// merge computes the file list of the new version from the base version
// and this write's files, and the base files the new version drops.
func (t *txn) merge(ctx context.Context, base *snapshot, ours []manifestFile) (files []manifestFile, removed []string, err error) {
	var keep []dataFile
	if base.exists() {
		switch t.opts.Mode {
		case ModeAppend:
			keep = base.files
		case ModeOverwritePartitions:
			replaced := map[string]bool{}
			for _, f := range t.written {
				replaced[f.partition] = true
			}
			for _, f := range base.files {
				if replaced[f.Partition] {
					removed = append(removed, f.Path)
				} else {
					keep = append(keep, f)
				}
			}
		default: // overwrite (error and ignore never get here with a base)
			for _, f := range base.files {
				removed = append(removed, f.Path)
			}
		}
	}
	for _, f := range keep {
		if f.Rows < 0 { // a discovered file: read its footer once, now
			rows, err := t.d.fileRows(ctx, t.ds, f.Path)
			if err != nil {
				return nil, nil, err
			}
			f.Rows = rows
		}
		files = append(files, manifestFile{Path: f.Path, Rows: f.Rows, Bytes: f.Bytes})
	}
	return append(files, ours...), removed, nil
}

// gc deletes files the committed version no longer lists. Readers of the
// new version never need them; a failure only leaves garbage (Vacuum).
func (t *txn) gc(ctx context.Context, removed []string) ([]string, error) {
	ctx = context.WithoutCancel(ctx)
	var done []string
	var errs []string
	for _, p := range removed {
		if err := t.ds.Delete(ctx, p, &store.DeleteOptions{MissingOK: true}); err != nil {
			errs = append(errs, err.Error())
			continue
		}
		done = append(done, p)
	}
	if len(errs) > 0 {
		return done, fmt.Errorf("deleting replaced files: %s", strings.Join(errs, "; "))
	}
	return done, nil
}

// rsPartName names part i of a remote-store layout write: Python's names
// for a new dataset, unique ones when replacing or extending one (so the
// old parts stay readable until the new manifest is in place).
func (t *txn) rsPartName(i int) string {
	if t.rsBase.exists() {
		return fmt.Sprintf("part-%05d-%s.parquet", i, t.id)
	}
	return fmt.Sprintf("part-%05d.parquet", i)
}

// commitRemoteStore publishes a remote-store layout write: the parts are in
// place; manifest.json is replaced atomically (readers switch to the new
// parts at that moment), _SUCCESS is written if missing, and replaced
// parts are deleted last. One writer at a time: the layout has no version
// to race on.
func (t *txn) commitRemoteStore(ctx context.Context, base *snapshot) (*WriteResult, error) {
	m := &rsManifest{
		DatasetKey: t.ds.Root(), SchemaHash: schemaHash(t.schema), Compression: t.opts.Compression.String(),
		CreatedAtUTC: pythonUTCNow(), Metadata: t.opts.Metadata,
	}
	if t.opts.RunID != "" {
		m.RunID = &t.opts.RunID
	}
	var removed []string
	if base.exists() {
		if t.opts.Mode == ModeAppend {
			m.Parts = append(m.Parts, base.rs.Parts...)
			m.RowCount = base.rs.RowCount
		} else {
			removed = base.rs.Parts
		}
	}
	sort.Slice(t.written, func(i, j int) bool { return t.written[i].final < t.written[j].final })
	res := &WriteResult{Rows: t.rows}
	for _, f := range t.written {
		m.Parts = append(m.Parts, f.final)
		m.RowCount += f.rows
		res.Files = append(res.Files, f.final)
		res.Bytes += f.bytes
	}
	b, err := m.json()
	if err != nil {
		return nil, err
	}
	if err := t.ds.WriteAtomic(ctx, rsManifestName, strings.NewReader(string(b)), &store.WriteOptions{Overwrite: true, ContentType: "application/json"}); err != nil {
		return nil, fmt.Errorf("writing %s: %w", rsManifestName, err)
	}
	if !base.exists() {
		// A new dataset becomes readable with _SUCCESS; an existing one
		// already has it and switched with the manifest.
		if err := t.ds.WriteAtomic(ctx, rsSuccessName, strings.NewReader(""), &store.WriteOptions{Overwrite: true}); err != nil {
			t.ds.Delete(context.WithoutCancel(ctx), rsManifestName, &store.DeleteOptions{MissingOK: true})
			return nil, fmt.Errorf("writing %s: %w", rsSuccessName, err)
		}
	}
	keep := map[string]bool{}
	for _, p := range m.Parts {
		keep[p] = true
	}
	var drop []string
	for _, p := range removed {
		if !keep[p] {
			drop = append(drop, p)
		}
	}
	res.Removed, res.CleanupErr = t.gc(ctx, drop)
	return res, nil
}
