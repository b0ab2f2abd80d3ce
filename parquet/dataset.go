package parquet

import (
	"context"
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/remotestore/remotestore/store"
)

// DatasetStore reads and writes Parquet datasets in the folders of a
// store.Store. It is safe for concurrent use.
type DatasetStore struct {
	st  *store.Store
	mem memory.Allocator
}

// New returns a DatasetStore over st.
func New(st *store.Store, opts ...Option) *DatasetStore {
	d := &DatasetStore{st: st, mem: memory.DefaultAllocator}
	for _, o := range opts {
		o(d)
	}
	return d
}

// Store returns the store under d.
func (d *DatasetStore) Store() *store.Store { return d.st }

// sub returns the store rooted at the dataset folder p.
func (d *DatasetStore) sub(op, p string) (*store.Store, error) {
	c, err := store.CleanPath(p)
	if err != nil {
		return nil, opError(op, p, err)
	}
	if c == "" {
		return nil, opError(op, d.st.URI(""), fmt.Errorf("%w: a dataset needs its own folder, not the store root", store.ErrInvalidPath))
	}
	return d.st.Sub(c)
}

// snapshot is what a reader or writer sees of a dataset at one moment.
type snapshot struct {
	layout  Layout // LayoutHive or LayoutRemoteStore; discovered datasets are LayoutHive with version 0
	version int64  // hive layout: the committed version; 0 for discovered or remote-store
	m       *manifest
	rs      *rsManifest

	schema      *arrow.Schema // full schema, partition columns last for discovered datasets; nil when unknown yet
	partitionBy []string
	inferred    bool // partition types were inferred from folder names
	files       []dataFile
}

// dataFile is one data file of a snapshot.
type dataFile struct {
	Path      string // relative to the dataset folder
	Partition string // the hive folder part of Path ("a=1/b=x"), "" when unpartitioned
	Rows      int64  // -1 when unknown without reading the footer
	Bytes     int64  // -1 when unknown
}

func (s *snapshot) exists() bool { return s != nil }

// loadSnapshot finds the dataset in ds: a hive-layout manifest first, then
// the remote-store layout, then any Parquet files under hive folders (a
// dataset written by pyarrow or Spark). It returns nil, nil when the folder
// holds no dataset. version > 0 picks an older hive-layout version.
func (d *DatasetStore) loadSnapshot(ctx context.Context, ds *store.Store, version int64, partSchema *arrow.Schema) (*snapshot, error) {
	latest, err := latestVersion(ctx, ds)
	if err != nil {
		return nil, err
	}
	if version > 0 {
		if version > latest {
			return nil, fmt.Errorf("%w: version %d (latest is %d)", store.ErrNotFound, version, latest)
		}
		latest = version
	}
	if latest > 0 {
		m, err := readManifest(ctx, ds, latest)
		if err != nil {
			return nil, err
		}
		return snapshotFromManifest(m)
	}
	if version > 0 {
		return nil, fmt.Errorf("%w: version %d", store.ErrNotFound, version)
	}
	if ok, err := ds.Exists(ctx, rsManifestName); err != nil {
		return nil, err
	} else if ok {
		return d.loadRemoteStore(ctx, ds)
	}
	if ok, err := ds.Exists(ctx, rsSuccessName); err != nil {
		return nil, err
	} else if ok {
		return nil, fmt.Errorf("%w: %s exists but %s is missing", ErrIncomplete, rsSuccessName, rsManifestName)
	}
	return d.discover(ctx, ds, partSchema)
}

func snapshotFromManifest(m *manifest) (*snapshot, error) {
	sc, err := decodeSchema(m.Schema)
	if err != nil {
		return nil, fmt.Errorf("%w: version %d: bad schema: %v", ErrCorrupt, m.Version, err)
	}
	s := &snapshot{layout: LayoutHive, version: m.Version, m: m, schema: sc, partitionBy: m.PartitionBy}
	for _, f := range m.Files {
		s.files = append(s.files, dataFile{Path: f.Path, Partition: path.Dir(f.Path), Rows: f.Rows, Bytes: f.Bytes})
		if !strings.Contains(f.Path, "/") {
			s.files[len(s.files)-1].Partition = ""
		}
	}
	return s, nil
}

// ignoredName reports whether pyarrow's discovery skips a path segment.
func ignoredName(seg string) bool {
	return strings.HasPrefix(seg, "_") || strings.HasPrefix(seg, ".")
}

// discover lists the Parquet files below ds the way pyarrow.dataset does:
// segments starting with "_" or "." are skipped, folders must be col=value.
func (d *DatasetStore) discover(ctx context.Context, ds *store.Store, partSchema *arrow.Schema) (*snapshot, error) {
	var files []dataFile
	for info, err := range ds.ListFiles(ctx, "", nil) {
		if err != nil {
			if errors.Is(err, store.ErrNotFound) {
				break
			}
			return nil, err
		}
		skip := false
		for _, seg := range strings.Split(info.Path, "/") {
			if ignoredName(seg) {
				skip = true
				break
			}
		}
		if skip || info.Size == 0 {
			continue
		}
		dir := ""
		if i := strings.LastIndexByte(info.Path, '/'); i >= 0 {
			dir = info.Path[:i]
		}
		files = append(files, dataFile{Path: info.Path, Partition: dir, Rows: -1, Bytes: info.Size})
	}
	if len(files) == 0 {
		return nil, nil
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	s := &snapshot{layout: LayoutHive, files: files, inferred: true}
	// Partition columns: the keys of the first file's folders; every file
	// must have the same ones.
	byCol := map[string][]partitionKey{}
	for i, f := range files {
		keys, ok, err := parseHivePath(f.Partition)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, fmt.Errorf("%w: %s: folder %q is not a hive partition (col=value)", ErrCorrupt, ds.URI(f.Path), f.Partition)
		}
		cols := make([]string, len(keys))
		for j, k := range keys {
			cols[j] = k.Column
			byCol[k.Column] = append(byCol[k.Column], k)
		}
		if i == 0 {
			s.partitionBy = cols
		} else if strings.Join(cols, "/") != strings.Join(s.partitionBy, "/") {
			return nil, fmt.Errorf("%w: %s: partition folders %v differ from %v", ErrCorrupt, ds.URI(f.Path), cols, s.partitionBy)
		}
	}
	fileSchema, err := d.fileSchema(ctx, ds, files[0].Path)
	if err != nil {
		return nil, err
	}
	fields := append([]arrow.Field(nil), fileSchema.Fields()...)
	for _, col := range s.partitionBy {
		var dt arrow.DataType
		if partSchema != nil {
			if f, ok := partSchema.FieldsByName(col); ok {
				dt = f[0].Type
			}
		}
		if dt == nil {
			dt = inferPartitionType(byCol[col])
		}
		fields = append(fields, arrow.Field{Name: col, Type: dt, Nullable: true})
	}
	md := fileSchema.Metadata()
	s.schema = arrow.NewSchema(fields, &md)
	return s, nil
}
