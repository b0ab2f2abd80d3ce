package parquet

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pq "github.com/apache/arrow-go/v18/parquet"
	pqfile "github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/remotestore/remotestore/store"
)

// openedFile is a data file opened for reading: the seekable store reader
// and the Parquet reader over it (footer parsed).
type openedFile struct {
	sr  *store.SeekableReader
	rdr *pqfile.Reader
}

func (f *openedFile) Close() error {
	err := f.rdr.Close()
	if cerr := f.sr.Close(); err == nil {
		err = cerr
	}
	return err
}

// openParquet opens the file p of ds and parses its footer.
func (d *DatasetStore) openParquet(ctx context.Context, ds *store.Store, p string) (*openedFile, error) {
	sr, err := ds.OpenSeekable(ctx, p)
	if err != nil {
		return nil, err
	}
	rdr, err := pqfile.NewParquetReader(sr, pqfile.WithReadProps(readerProps()))
	if err != nil {
		sr.Close()
		return nil, fmt.Errorf("%s: not a readable Parquet file: %w", ds.URI(p), err)
	}
	return &openedFile{sr: sr, rdr: rdr}, nil
}

// fileSchema reads the Arrow schema from the footer of p.
func (d *DatasetStore) fileSchema(ctx context.Context, ds *store.Store, p string) (*arrow.Schema, error) {
	f, err := d.openParquet(ctx, ds, p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc, err := pqarrow.FromParquet(f.rdr.MetaData().Schema, &pqarrow.ArrowReadProperties{}, f.rdr.MetaData().KeyValueMetadata())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ds.URI(p), err)
	}
	return stripArrowMeta(sc), nil
}

// fileRows reads the row count from the footer of p.
func (d *DatasetStore) fileRows(ctx context.Context, ds *store.Store, p string) (int64, error) {
	f, err := d.openParquet(ctx, ds, p)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	return f.rdr.NumRows(), nil
}

// stripArrowMeta drops the ARROW:schema key Parquet files carry.
func stripArrowMeta(sc *arrow.Schema) *arrow.Schema {
	md := sc.Metadata()
	if md.FindKey("ARROW:schema") < 0 {
		return sc
	}
	var keys, vals []string
	for i, k := range md.Keys() {
		if k != "ARROW:schema" {
			keys = append(keys, k)
			vals = append(vals, md.Values()[i])
		}
	}
	nm := arrow.NewMetadata(keys, vals)
	return arrow.NewSchema(sc.Fields(), &nm)
}

// readerProps are the properties of the Parquet reader under a file: pages,
// decompression and decoder scratch go through Go's allocator, never the
// caller's, because arrow-go (v18.8.0) does not release the buffer its
// DELTA_BINARY_PACKED decoder keeps for miniblock bit widths; Go's
// collector frees it, an accounting or C allocator would report or keep it.
// The Arrow arrays handed to the caller use the caller's allocator.
func readerProps() *pq.ReaderProperties { return pq.NewReaderProperties(memory.DefaultAllocator) }
