package iomanager

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	pq "github.com/apache/arrow-go/v18/parquet"
	pqfile "github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/remotestore/remotestore/store"
)

// Passthrough asks LoadInput for Parquet partitions as the files they are
// stored in, instead of decoded batches, for a consumer that decodes
// Parquet itself (the Python host, with pyarrow's multi-threaded reader).
// The manager still plans the load: it finds the files, reports missing
// partitions, fetches concurrently, checks each file's footer against the
// requested columns and the other partitions' schema, and says which
// partition columns to add. It applies to the parquet format without
// Filters; other loads ignore it and decode as usual.
type Passthrough struct {
	// Create makes an empty file to copy a stored file into, in a folder
	// the consumer can read. Required.
	Create func() (*os.File, error)
	// Native lets a file of a store on local disk be handed over in place
	// (Store.NativePath) instead of copied. Set it only when the consumer
	// shares this machine's filesystem.
	Native bool
}

// ParquetFile is one partition's Parquet file handed over as stored
// (InputContext.Passthrough). Reading its Columns (every column when nil),
// appending Constants as string columns, then selecting Select (when not
// nil) gives the table LoadInput would have decoded. With ShapeTable or
// ShapeBatches the parts come one per partition, and the consumer
// concatenates them in order: their schemas are checked to match.
type ParquetFile struct {
	// Native is the stored file's own path on this machine: read it in
	// place, never delete it.
	Native string
	// Copy is the file Passthrough.Create made, holding the stored bytes:
	// the consumer owns it and deletes it after reading.
	Copy string
	// Size is the file's length in bytes; Rows its row count.
	Size, Rows int64
	// Columns are the file's columns to read, in file order; nil for all.
	Columns []string
	// Constants are the partition columns to append, in order.
	Constants []ConstColumn
	// Select is the output's column order after appending; nil keeps the
	// file's columns followed by Constants.
	Select []string
	// Dictionary are the string or binary columns to read whose every data
	// page is dictionary-encoded: a reader that decodes them as
	// dictionaries and casts back to their type gets the same column for
	// less work (pyarrow: about half).
	Dictionary []string
}

// ConstColumn is a string column holding Value in every row.
type ConstColumn struct {
	Name, Value string
}

// remove deletes the copy, when there is one (a part the consumer never
// took).
func (f *ParquetFile) remove() {
	if f != nil && f.Copy != "" {
		os.Remove(f.Copy)
	}
}

// passes reports whether the load hands Parquet files over as stored.
func (in *Input) passes(ic InputContext, s *settings) bool {
	return ic.Passthrough != nil && ic.Passthrough.Create != nil && s.format == FormatParquet && len(ic.Filters) == 0
}

// produceParquetFile hands over one partition's file: in place or copied,
// footer checked, then the output schema and the file go to the consumer.
func (in *Input) produceParquetFile(ic InputContext, s *settings, p *partLoad) {
	m := in.m
	pf, fsc, err := in.fetchParquet(ic.Passthrough, p)
	if err != nil {
		in.send(p, loadItem{err: err})
		return
	}
	if ic.Columns != nil {
		var keep []arrow.Field
		for _, f := range fsc.Fields() {
			if contains(ic.Columns, f.Name) {
				keep = append(keep, f)
				pf.Columns = append(pf.Columns, f.Name)
			}
		}
		if pf.Columns == nil {
			pf.Columns = []string{}
		}
		md := fsc.Metadata()
		fsc = arrow.NewSchema(keep, &md)
		pf.Select = ic.Columns
		pf.Dictionary = slices.DeleteFunc(pf.Dictionary, func(c string) bool { return !contains(pf.Columns, c) })
	}
	proj, err := m.newProjector(ic, s, p, fsc)
	if err != nil {
		pf.remove()
		in.send(p, loadItem{err: err})
		return
	}
	proj.release()
	for _, c := range proj.add {
		if pf.Select == nil || contains(pf.Select, c.col) {
			pf.Constants = append(pf.Constants, ConstColumn{Name: c.col, Value: c.value})
		}
	}
	if !in.send(p, loadItem{sc: proj.out}) || !in.send(p, loadItem{pq: pf}) {
		pf.remove()
	}
}

// fetchParquet locates (Native) or copies the stored file and reads its
// footer: the file's Arrow schema and row count.
func (in *Input) fetchParquet(pt *Passthrough, p *partLoad) (*ParquetFile, *arrow.Schema, error) {
	st := in.m.st
	pf := &ParquetFile{}
	var f *os.File
	if pt.Native {
		native, err := st.NativePath(in.ctx, p.path)
		switch {
		case err == nil:
			if f, err = os.Open(native); err != nil {
				return nil, nil, fmt.Errorf("%s: %w", st.URI(p.path), err)
			}
			pf.Native = native
		case !errors.Is(err, store.ErrNotSupported):
			return nil, nil, err
		}
	}
	if f == nil {
		var err error
		if f, err = in.copyStored(pt, p); err != nil {
			return nil, nil, err
		}
		pf.Copy = f.Name()
	}
	defer f.Close()
	fail := func(err error) (*ParquetFile, *arrow.Schema, error) {
		pf.remove()
		return nil, nil, fmt.Errorf("iomanager: %s: not a readable Parquet file: %w", st.URI(p.path), err)
	}
	fi, err := f.Stat()
	if err != nil {
		return fail(err)
	}
	pf.Size = fi.Size()
	rd, err := pqfile.NewParquetReader(f, pqfile.WithReadProps(pq.NewReaderProperties(in.m.mem)))
	if err != nil {
		return fail(err)
	}
	defer rd.Close()
	sc, err := pqarrow.FromParquet(rd.MetaData().Schema, &pqarrow.ArrowReadProperties{}, rd.MetaData().KeyValueMetadata())
	if err != nil {
		return fail(err)
	}
	pf.Rows = rd.NumRows()
	pf.Dictionary = dictionaryColumns(rd.MetaData(), sc)
	return pf, sc, nil
}

// dictionaryColumns returns the top-level string and binary columns of sc
// (stored as such, not as Arrow dictionaries) whose every data page in
// every row group is dictionary-encoded, as the file's page encoding
// statistics tell; a file without them has none.
func dictionaryColumns(md *metadata.FileMetaData, sc *arrow.Schema) []string {
	var out []string
	for i, f := range sc.Fields() {
		switch f.Type.ID() {
		case arrow.STRING, arrow.LARGE_STRING, arrow.BINARY, arrow.LARGE_BINARY:
		default:
			continue
		}
		col := md.Schema.ColumnIndexByName(f.Name)
		if col < 0 || md.Schema.Column(col).ColumnPath().String() != f.Name || md.NumRowGroups() == 0 {
			continue
		}
		if allDictionaryPages(md, col) {
			out = append(out, sc.Field(i).Name)
		}
	}
	return out
}

// allDictionaryPages reports whether column col's data pages are all
// dictionary-encoded, in every row group of md.
func allDictionaryPages(md *metadata.FileMetaData, col int) bool {
	for rg := 0; rg < md.NumRowGroups(); rg++ {
		cc, err := md.RowGroup(rg).ColumnChunk(col)
		if err != nil {
			return false
		}
		stats := cc.EncodingStats()
		if len(stats) == 0 {
			return false
		}
		for _, s := range stats {
			const dataPage, dataPageV2 = 0, 3 // Parquet PageType
			if pt := int64(s.PageType); pt != dataPage && pt != dataPageV2 {
				continue
			}
			if s.Encoding != pq.Encodings.RLEDict && s.Encoding != pq.Encodings.PlainDict {
				return false
			}
		}
	}
	return true
}

// copyStored copies the stored file into a new Passthrough file, rewound
// for reading. One streaming read of the whole object: a single request
// on an object store.
func (in *Input) copyStored(pt *Passthrough, p *partLoad) (*os.File, error) {
	st := in.m.st
	r, err := st.Open(in.ctx, p.path)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	f, err := pt.Create()
	if err != nil {
		return nil, fmt.Errorf("iomanager: passthrough file for %s: %w", st.URI(p.path), err)
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, fmt.Errorf("%s: %w", st.URI(p.path), err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	return f, nil
}

// parquetPart completes part, partition p's (the idx-th), with its file
// (see ParquetFile), checking its schema against the first partition's
// for combined shapes.
func (in *Input) parquetPart(idx int, p *partLoad, part *Part) (*Part, error) {
	combined := in.Shape != ShapePartitions
	if !(combined && idx == 0) { // LoadInput took the first schema already
		it, err := in.recv(p)
		if err != nil {
			return nil, err
		}
		if combined && !it.sc.Equal(in.Schema) {
			return nil, schemaMismatch(p, it.sc, in.parts[0], in.Schema)
		}
	}
	it, err := in.recv(p)
	if err != nil {
		return nil, err
	}
	part.Parquet = it.pq
	in.rows.Add(it.pq.Rows)
	return part, nil
}
