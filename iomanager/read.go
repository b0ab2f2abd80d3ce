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
	in, err := m.loadAs(ctx, ic, ShapeTable, KindTable, "the stored output is an object, not a table")
	if err != nil {
		return nil, err
	}
	defer in.Close()
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
	in, err := m.loadAs(ctx, ic, ShapePartitions, KindTable, "the stored output is an object, not a table")
	if err != nil {
		return nil, err
	}
	defer in.Close()
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
	in, err := m.loadAs(ctx, ic, ShapePartitions, KindObject, "the stored output is a table, not an object")
	if err != nil {
		return nil, err
	}
	defer in.Close()
	p, err := in.Next()
	if err != nil {
		return nil, err
	}
	return p.Object, nil
}

// loadAs starts loading ic in shape; when what is stored is not of kind
// want it fails with ErrInvalidConfig and message. The caller closes the
// Input.
func (m *Manager) loadAs(ctx context.Context, ic InputContext, shape Shape, want Kind, message string) (*Input, error) {
	ic.Shape = shape
	in, err := m.LoadInput(ctx, ic)
	if err != nil {
		return nil, err
	}
	if in.Kind != want {
		in.Close()
		return nil, wrap("load-input", ic.Target, "", errorf(store.ErrInvalidConfig, "%s", message))
	}
	return in, nil
}
