package sqlblob

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"sync"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/remotestore/remotestore/store"
)

// NewSQLite opens (creating when missing) the SQLite database file of c and
// its tables. The database is put in WAL mode, so readers never wait for the
// writer; the writes of one backend take turns in the process, and wait up
// to BusyTimeout for other processes.
func NewSQLite(ctx context.Context, c SQLiteConfig) (*Backend, error) {
	if err := c.validate(); err != nil {
		return nil, err
	}
	path, err := filepath.Abs(c.Path)
	if err != nil {
		return nil, fmt.Errorf("%w: sqlite: path %q: %v", store.ErrInvalidConfig, c.Path, err)
	}
	if st, err := os.Stat(filepath.Dir(path)); err != nil {
		kind := store.ErrUnavailable
		switch {
		case errors.Is(err, fs.ErrNotExist):
			kind = store.ErrNotFound
		case errors.Is(err, fs.ErrPermission):
			kind = store.ErrPermission
		}
		return nil, fmt.Errorf("%w: sqlite: the folder of the database file %s: %w", kind, path, err)
	} else if !st.IsDir() {
		return nil, fmt.Errorf("%w: sqlite: %s is not a folder", store.ErrNotFolder, filepath.Dir(path))
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return nil, fmt.Errorf("%w: sqlite: %s is a folder, not a database file", store.ErrIsFolder, path)
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout("+strconv.FormatInt(c.BusyTimeout.Milliseconds(), 10)+")")
	// Large pages suit rows of a chunk each; only a new database takes the
	// setting, so it runs before journal_mode (the driver applies _pragma
	// values first).
	q.Add("_pragma", "page_size(65536)")
	q.Add("_pragma", "journal_size_limit(67108864)") // give the WAL's space back after large writes
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "NORMAL") // WAL: durable at checkpoints, never corrupt
	q.Set("_txlock", "immediate")   // write transactions lock at BEGIN: no upgrade deadlocks
	dsn := (&url.URL{Scheme: "file", Path: path}).String() + "?" + q.Encode()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	db.SetMaxIdleConns(8)
	e := &sqliteEngine{db: db}
	d := newDialect(true, c.Table)
	err = db.PingContext(ctx)
	if err == nil {
		err = createTables(ctx, e, d, c.NoCreate, "sqlite")
	}
	if err != nil {
		e.close()
		return nil, openError(e, "sqlite", path, err)
	}
	uri := (&url.URL{Scheme: SchemeSQLite, Path: path}).String() + "?table=" + c.Table
	return &Backend{scheme: SchemeSQLite, eng: e, d: d, chunkSize: c.ChunkSize, uriBase: uri, sqldb: db}, nil
}

// sqliteEngine runs statements through database/sql. Every write takes
// wmu, so the backend's writers take turns instead of spinning on
// SQLITE_BUSY; reads never wait (WAL).
type sqliteEngine struct {
	db  *sql.DB
	wmu sync.Mutex

	smu   sync.Mutex
	stmts map[string]*sql.Stmt // prepared statements: parsing costs more than running most of them
}

// maxStmts bounds the prepared statement cache (the backend's statements
// are a few dozen; the rest run unprepared).
const maxStmts = 256

// stmt returns q prepared, or nil when the cache is full.
func (e *sqliteEngine) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	e.smu.Lock()
	s, ok := e.stmts[q]
	full := len(e.stmts) >= maxStmts
	e.smu.Unlock()
	if ok || full {
		return s, nil
	}
	s, err := e.db.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	e.smu.Lock()
	defer e.smu.Unlock()
	if prev, ok := e.stmts[q]; ok {
		s.Close()
		return prev, nil
	}
	if e.stmts == nil {
		e.stmts = map[string]*sql.Stmt{}
	}
	e.stmts[q] = s
	return s, nil
}

func (e *sqliteEngine) exec(ctx context.Context, q string, args ...any) (int64, error) {
	e.wmu.Lock()
	defer e.wmu.Unlock()
	s, err := e.stmt(ctx, q)
	if err != nil {
		return 0, err
	}
	if s == nil {
		return sqlExec(ctx, e.db, q, args)
	}
	return sqlExec(ctx, stmtExec{s}, "", args)
}

func (e *sqliteEngine) query(ctx context.Context, q string, args ...any) (rows, error) {
	s, err := e.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	var r *sql.Rows
	if s == nil {
		r, err = e.db.QueryContext(ctx, q, args...)
	} else {
		r, err = s.QueryContext(ctx, args...)
	}
	if err != nil {
		return nil, err
	}
	return &sqlRows{r: r}, nil
}

// stmtExec gives a prepared statement the shape sqlExec takes.
type stmtExec struct{ s *sql.Stmt }

func (x stmtExec) ExecContext(ctx context.Context, _ string, args ...any) (sql.Result, error) {
	return x.s.ExecContext(ctx, args...)
}

func (e *sqliteEngine) tx(ctx context.Context, fn func(q querier) error) error {
	e.wmu.Lock()
	defer e.wmu.Unlock()
	var err error
	for attempt := 0; attempt < maxTxAttempts; attempt++ {
		if err = e.txOnce(ctx, fn); !errors.Is(err, errRetry) {
			return err
		}
	}
	return err
}

func (e *sqliteEngine) txOnce(ctx context.Context, fn func(q querier) error) error {
	tx, err := e.db.BeginTx(ctx, nil) // BEGIN IMMEDIATE (_txlock)
	if err != nil {
		return err
	}
	if err := fn(sqlTx{tx: tx, e: e}); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

func (e *sqliteEngine) ping(ctx context.Context) error { return e.db.PingContext(ctx) }

func (e *sqliteEngine) close() error {
	e.smu.Lock()
	for _, s := range e.stmts {
		s.Close()
	}
	e.stmts = nil
	e.smu.Unlock()
	return e.db.Close()
}

// classify maps SQLite result codes (see the package doc).
func (e *sqliteEngine) classify(err error) error {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return nil
	}
	switch se.Code() & 0xff {
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_FULL, sqlite3.SQLITE_PROTOCOL:
		return store.ErrUnavailable
	case sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM, sqlite3.SQLITE_AUTH, sqlite3.SQLITE_CANTOPEN:
		return store.ErrPermission
	case sqlite3.SQLITE_CONSTRAINT:
		if se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY || se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE {
			return store.ErrAlreadyExists
		}
	case sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT:
		return store.ErrInvalidConfig
	case sqlite3.SQLITE_TOOBIG:
		return store.ErrNotSupported
	case sqlite3.SQLITE_ERROR:
		// "no such table" and friends.
		if containsFold(se.Error(), "no such table") {
			return store.ErrNotFound
		}
	}
	return nil
}

// sqlTx runs statements in a database/sql transaction, prepared through
// the engine's cache.
type sqlTx struct {
	tx *sql.Tx
	e  *sqliteEngine
}

// stmt returns q prepared for the transaction, or nil.
func (t sqlTx) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	s, err := t.e.stmt(ctx, q)
	if s == nil || err != nil {
		return nil, err
	}
	return t.tx.StmtContext(ctx, s), nil // closed with the transaction
}

func (t sqlTx) exec(ctx context.Context, q string, args ...any) (int64, error) {
	s, err := t.stmt(ctx, q)
	if err != nil {
		return 0, err
	}
	if s == nil {
		return sqlExec(ctx, t.tx, q, args)
	}
	return sqlExec(ctx, stmtExec{s}, "", args)
}

func (t sqlTx) query(ctx context.Context, q string, args ...any) (rows, error) {
	s, err := t.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	var r *sql.Rows
	if s == nil {
		r, err = t.tx.QueryContext(ctx, q, args...)
	} else {
		r, err = s.QueryContext(ctx, args...)
	}
	if err != nil {
		return nil, err
	}
	return &sqlRows{r: r}, nil
}

func sqlExec(ctx context.Context, x interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}, q string, args []any) (int64, error) {
	res, err := x.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// sqlRows adapts *sql.Rows; []byte destinations are scanned as
// sql.RawBytes, which database/sql does not copy.
type sqlRows struct {
	r   *sql.Rows
	raw []sql.RawBytes
	dst []any
}

func (r *sqlRows) Next() bool { return r.r.Next() }
func (r *sqlRows) Err() error { return r.r.Err() }

func (r *sqlRows) Close() error { return r.r.Close() }

func (r *sqlRows) Scan(dest ...any) error {
	if cap(r.dst) < len(dest) {
		r.dst, r.raw = make([]any, len(dest)), make([]sql.RawBytes, len(dest))
	}
	dst := r.dst[:len(dest)]
	hasRaw := false
	for i, d := range dest {
		if _, ok := d.(*[]byte); ok {
			dst[i], hasRaw = &r.raw[i], true
		} else {
			dst[i] = d
		}
	}
	if !hasRaw {
		return r.r.Scan(dest...)
	}
	if err := r.r.Scan(dst...); err != nil {
		return err
	}
	for i, d := range dest {
		if b, ok := d.(*[]byte); ok {
			*b = r.raw[i]
		}
	}
	return nil
}
