package parquet

import (
	"errors"
	"fmt"
)

// Sentinel errors of this package. Errors also wrap the store sentinels
// where one fits: store.ErrNotFound for a missing dataset,
// store.ErrAlreadyExists for ModeError on an existing one.
var (
	// ErrSchemaMismatch: appended data does not match the dataset's schema
	// (names, types or nullability), or files of one dataset disagree.
	ErrSchemaMismatch = errors.New("schema mismatch")
	// ErrIncomplete: a dataset is not in a readable state: the remote-store
	// layout without _SUCCESS, or a file its manifest lists is missing.
	ErrIncomplete = errors.New("dataset incomplete")
	// ErrCorrupt: a manifest cannot be parsed or is structurally invalid.
	ErrCorrupt = errors.New("manifest corrupt")
	// ErrConflict: a commit kept losing the race to concurrent writers.
	ErrConflict = errors.New("commit conflict")
	// ErrInvalidFilter: a filter names an unknown column, or its value does
	// not fit the column's type.
	ErrInvalidFilter = errors.New("invalid filter")
)

// opError prefixes err with "parquet: op uri: ".
func opError(op, uri string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("parquet: %s %s: %w", op, uri, err)
}
