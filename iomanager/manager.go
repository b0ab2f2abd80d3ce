package iomanager

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/remotestore/remotestore/parquet"
	"github.com/remotestore/remotestore/store"
)

// Manager stores outputs and loads inputs in one store. It is safe for
// concurrent use.
type Manager struct {
	st  *store.Store
	cfg Config
	mem memory.Allocator
	ds  *parquet.DatasetStore
}

// New returns a Manager over st. Closing st is the caller's job.
func New(st *store.Store, cfg Config) *Manager {
	cfg = cfg.withDefaults()
	return &Manager{st: st, cfg: cfg, mem: cfg.Allocator, ds: parquet.New(st, parquet.WithAllocator(cfg.Allocator))}
}

// Store returns the store under m.
func (m *Manager) Store() *store.Store { return m.st }

// Config returns m's configuration, defaults filled in.
func (m *Manager) Config() Config { return m.cfg }

// Payload is the data of an output: a table (Records) or opaque bytes
// (Object). Exactly one is set.
type Payload struct {
	// Records streams the table; HandleOutput reads it to the end but does
	// not Release it.
	Records array.RecordReader
	// Object is read to EOF and stored as it is.
	Object io.Reader
	// Size is the payload's size in bytes when known (a hint), or 0.
	Size int64
}

// Table returns the Payload of a table.
func Table(rr array.RecordReader) Payload { return Payload{Records: rr} }

// Object returns the Payload of opaque bytes.
func Object(r io.Reader, size int64) Payload { return Payload{Object: r, Size: size} }

// Error is a failure of the IO manager that is not a store error: it says
// which output or input and why, and wraps a store sentinel when one fits
// (ErrNotFound for missing partitions, ErrInvalidConfig for bad metadata).
type Error struct {
	Op     string // "handle-output", "load-input", …
	Target string // "asset/key" or "run/step/output"
	Path   string // store path, when one is concerned
	Err    error
}

func (e *Error) Error() string {
	s := "iomanager: " + e.Op + " " + e.Target
	if e.Path != "" {
		s += " (" + e.Path + ")"
	}
	return s + ": " + trimPrefix(e.Err.Error())
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

func trimPrefix(s string) string {
	const p = "iomanager: "
	if len(s) > len(p) && s[:len(p)] == p {
		return s[len(p):]
	}
	return s
}

func wrap(op string, t Target, p string, err error) error {
	if err == nil {
		return nil
	}
	var ie *Error
	if errors.As(err, &ie) {
		return err
	}
	return &Error{Op: op, Target: t.String(), Path: p, Err: err}
}

func errorf(kind error, format string, args ...any) error {
	return fmt.Errorf("%w: %s", kind, fmt.Sprintf(format, args...))
}

// Exists reports whether the output ref names is stored (every listed
// partition; with none, the unpartitioned output), as a table or an object.
func (m *Manager) Exists(ctx context.Context, ref OutputContext) (bool, error) {
	st, err := m.Stat(ctx, ref)
	if err != nil {
		return false, err
	}
	return st.Exists, nil
}
