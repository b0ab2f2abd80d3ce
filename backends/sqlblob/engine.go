package sqlblob

import (
	"context"
	"errors"
)

// engine is what the backend needs of a database driver: statements in
// autocommit mode, write transactions, and row streams. SQLite
// (database/sql over modernc.org/sqlite) and PostgreSQL (pgx) implement it.
type engine interface {
	querier
	// tx runs fn in a write transaction and commits it when fn returns
	// nil. It may run fn again after a transient conflict (a deadlock, a
	// serialization failure) or when fn returns an error wrapping
	// errRetry, so fn must not keep state across runs.
	tx(ctx context.Context, fn func(q querier) error) error
	// ping checks that the database answers.
	ping(ctx context.Context) error
	// close releases the connections.
	close() error
	// classify maps a driver error to a store sentinel, or nil.
	classify(err error) error
}

// querier runs statements, in a transaction or in autocommit mode.
// Statements use $1, $2, … placeholders (see dialect.sql).
type querier interface {
	exec(ctx context.Context, sql string, args ...any) (int64, error)
	query(ctx context.Context, sql string, args ...any) (rows, error)
}

// rows is a result being read. Scan into a *[]byte yields bytes that are
// only valid until the next call of Next or Close (no copy is made where
// the driver allows).
type rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close() error
}

// errRetry, wrapped in an error returned by a tx function, asks for the
// transaction to be run again.
var errRetry = errors.New("sqlblob: retry the transaction")

// maxTxAttempts bounds how often tx runs a function.
const maxTxAttempts = 8

// queryRow runs a query expected to return at most one row and scans it
// into dest. It reports false when there is no row. Scanned bytes are
// copied.
func queryRow(ctx context.Context, q querier, sql string, args []any, dest ...any) (bool, error) {
	r, err := q.query(ctx, sql, args...)
	if err != nil {
		return false, err
	}
	defer r.Close()
	if !r.Next() {
		return false, r.Err()
	}
	raw := make([]*[]byte, len(dest))
	for i, d := range dest {
		if b, ok := d.(*[]byte); ok {
			raw[i] = b
		}
	}
	if err := r.Scan(dest...); err != nil {
		return false, err
	}
	for _, b := range raw {
		if b != nil && *b != nil {
			*b = append([]byte(nil), *b...)
		}
	}
	return true, r.Close()
}
