package iomanager

import (
	"context"
	"errors"
	"io"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/remotestore/remotestore/parquet"
	"github.com/remotestore/remotestore/store"
)

// ReadTable loads the input as one table (ShapeTable, whatever ic.Shape
// says). The caller must Release it.
func (m *Manager) ReadTable(ctx context.Context, ic InputContext) (arrow.Table, error) {
	ic.Shape = ShapeTable
	in, err := m.LoadInput(ctx, ic)
	if err != nil {
		return nil, err
	}
	defer in.Close()
	if in.Kind != KindTable {
		return nil, wrap("load-input", ic.Target, "", errorf(store.ErrInvalidConfig, "the stored output is an object, not a table"))
	}
	p, err := in.Next()
	if err != nil {
		return nil, err
	}
	defer p.Records.Release()
	return parquet.CollectTable(p.Records)
}

// ReadPartitions loads every partition as its own table, keyed by partition
// key. The caller must Release the tables.
func (m *Manager) ReadPartitions(ctx context.Context, ic InputContext) (map[string]arrow.Table, error) {
	ic.Shape = ShapePartitions
	in, err := m.LoadInput(ctx, ic)
	if err != nil {
		return nil, err
	}
	defer in.Close()
	if in.Kind != KindTable {
		return nil, wrap("load-input", ic.Target, "", errorf(store.ErrInvalidConfig, "the stored output is an object, not a table"))
	}
	out := map[string]arrow.Table{}
	release := func() {
		for _, t := range out {
			t.Release()
		}
	}
	for {
		p, err := in.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			release()
			return nil, err
		}
		t, err := parquet.CollectTable(p.Records)
		p.Records.Release()
		if err != nil {
			release()
			return nil, err
		}
		out[p.Key] = t
	}
}

// ReadObject loads a stored object (unpartitioned, or one partition).
func (m *Manager) ReadObject(ctx context.Context, ic InputContext) ([]byte, error) {
	ic.Shape = ShapePartitions
	in, err := m.LoadInput(ctx, ic)
	if err != nil {
		return nil, err
	}
	defer in.Close()
	if in.Kind != KindObject {
		return nil, wrap("load-input", ic.Target, "", errorf(store.ErrInvalidConfig, "the stored output is a table, not an object"))
	}
	p, err := in.Next()
	if err != nil {
		return nil, err
	}
	return p.Object, nil
}
