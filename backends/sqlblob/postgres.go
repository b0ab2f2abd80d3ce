package sqlblob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/remotestore/remotestore/store"
)

// NewPostgres connects to the PostgreSQL database of c and creates its
// tables when missing. Connections are opened as needed, up to MaxConns.
func NewPostgres(ctx context.Context, c PostgresConfig) (*Backend, error) {
	if err := c.validate(); err != nil {
		return nil, err
	}
	cfg, err := c.connConfig()
	if err != nil {
		return nil, err
	}
	e := &pgEngine{pool: newPGPool(cfg, c.MaxConns)}
	d := newDialect(false, c.Table)
	if err := createTables(ctx, e, d, c.NoCreate, "postgres"); err != nil {
		e.close()
		return nil, openError(e, "postgres", pgLocation(cfg), err)
	}
	uri := "postgres://" + pgLocation(cfg) + "?table=" + c.Table
	return &Backend{scheme: SchemePostgres, eng: e, d: d, chunkSize: c.ChunkSize, uriBase: uri}, nil
}

// connConfig builds pgx's configuration: the fields of c as a libpq
// connection string (without the password, which is set afterwards so
// that it never appears in a string an error could quote), with libpq's
// environment variables and defaults for the rest.
func (c *PostgresConfig) connConfig() (*pgx.ConnConfig, error) {
	var kv []string
	add := func(k, v string) {
		if v != "" {
			kv = append(kv, k+"='"+strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(v)+"'")
		}
	}
	add("host", c.Host)
	if c.Port != 0 {
		add("port", strconv.Itoa(c.Port))
	}
	add("user", c.User)
	add("dbname", c.Database)
	add("sslmode", c.SSLMode)
	add("sslrootcert", c.SSLRootCert)
	add("sslcert", c.SSLCert)
	add("sslkey", c.SSLKey)
	add("application_name", c.ApplicationName)
	add("search_path", c.SearchPath)
	cfg, err := pgx.ParseConfig(strings.Join(kv, " "))
	if err != nil {
		return nil, fmt.Errorf("%w: postgres: %v", store.ErrInvalidConfig, err)
	}
	if c.Password != "" {
		cfg.Password = c.Password.Reveal()
	}
	if c.ConnectTimeout > 0 {
		cfg.ConnectTimeout = c.ConnectTimeout
	}
	return cfg, nil
}

// pgLocation names the server and database for messages: user@host:port/db.
func pgLocation(cfg *pgx.ConnConfig) string {
	host := cfg.Host
	if strings.HasPrefix(host, "/") {
		host = url.PathEscape(host)
	} else if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return fmt.Sprintf("%s@%s:%d/%s", cfg.User, host, cfg.Port, cfg.Database)
}

// pgEngine runs statements on connections of its own small pool (pgx's
// pgxpool would need another module).
type pgEngine struct{ pool *pgPool }

func (e *pgEngine) exec(ctx context.Context, q string, args ...any) (int64, error) {
	c, err := e.pool.acquire(ctx)
	if err != nil {
		return 0, err
	}
	defer e.pool.release(c)
	tag, err := c.Exec(ctx, q, args...)
	return tag.RowsAffected(), err
}

func (e *pgEngine) query(ctx context.Context, q string, args ...any) (rows, error) {
	c, err := e.pool.acquire(ctx)
	if err != nil {
		return nil, err
	}
	r, err := c.Query(ctx, q, args...)
	if err != nil {
		e.pool.release(c)
		return nil, err
	}
	return &pgRows{r: r, release: func() { e.pool.release(c) }}, nil
}

func (e *pgEngine) tx(ctx context.Context, fn func(q querier) error) error {
	var err error
	for attempt := 0; attempt < maxTxAttempts; attempt++ {
		if err = e.txOnce(ctx, fn); !retryable(err) {
			return err
		}
		if attempt > 0 {
			// Let the other party finish; the first retry goes at once.
			select {
			case <-time.After(time.Duration(attempt) * 5 * time.Millisecond):
			case <-ctx.Done():
				return err
			}
		}
	}
	return err
}

// retryable reports a transaction that may work when run again: a
// deadlock, a serialization failure, or a function asking for it.
func retryable(err error) bool {
	if errors.Is(err, errRetry) {
		return true
	}
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

func (e *pgEngine) txOnce(ctx context.Context, fn func(q querier) error) error {
	c, err := e.pool.acquire(ctx)
	if err != nil {
		return err
	}
	defer e.pool.release(c)
	tx, err := c.Begin(ctx)
	if err != nil {
		return err
	}
	if err := fn(pgTx{tx}); err != nil {
		rctx, cancel := cleanupContext(ctx)
		tx.Rollback(rctx)
		cancel()
		return err
	}
	return tx.Commit(ctx)
}

func (e *pgEngine) ping(ctx context.Context) error {
	c, err := e.pool.acquire(ctx)
	if err != nil {
		return err
	}
	defer e.pool.release(c)
	return c.Ping(ctx)
}

func (e *pgEngine) close() error { e.pool.close(); return nil }

// pgCodes maps SQLSTATE codes and classes (two characters) to sentinels.
var pgCodes = map[string]error{
	"28":    store.ErrPermission, // invalid authorization: wrong password, unknown role
	"42501": store.ErrPermission, // insufficient_privilege
	"3D000": store.ErrNotFound,   // invalid_catalog_name: no such database
	"42P01": store.ErrNotFound,   // undefined_table
	"3F000": store.ErrNotFound,   // invalid_schema_name
	"23505": store.ErrAlreadyExists,
	"08":    store.ErrUnavailable, // connection exceptions
	"53":    store.ErrUnavailable, // insufficient resources (too many connections, disk full)
	"57P01": store.ErrUnavailable, // admin_shutdown
	"57P02": store.ErrUnavailable, // crash_shutdown
	"57P03": store.ErrUnavailable, // cannot_connect_now (starting up)
	"57014": store.ErrUnavailable, // query_canceled (statement_timeout)
	"55P03": store.ErrUnavailable, // lock_not_available
	"40001": store.ErrUnavailable, // serialization_failure, after retries
	"40P01": store.ErrUnavailable, // deadlock_detected, after retries
	"25006": store.ErrPermission,  // read_only_sql_transaction (a standby)
	"54000": store.ErrInvalidPath, // program_limit_exceeded: an index row too large
}

// classify maps server errors by SQLSTATE, and network failures to
// store.ErrUnavailable.
func (e *pgEngine) classify(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		if k, ok := pgCodes[pe.Code]; ok {
			return k
		}
		if len(pe.Code) == 5 {
			return pgCodes[pe.Code[:2]]
		}
		return nil
	}
	var ne net.Error
	var ce *pgconn.ConnectError
	switch {
	case errors.As(err, &ce), errors.As(err, &ne), pgconn.Timeout(err),
		errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF), errors.Is(err, net.ErrClosed):
		return store.ErrUnavailable
	}
	return nil
}

// pgTx runs statements in a pgx transaction.
type pgTx struct{ tx pgx.Tx }

func (t pgTx) exec(ctx context.Context, q string, args ...any) (int64, error) {
	tag, err := t.tx.Exec(ctx, q, args...)
	return tag.RowsAffected(), err
}

func (t pgTx) query(ctx context.Context, q string, args ...any) (rows, error) {
	r, err := t.tx.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return &pgRows{r: r}, nil
}

// pgRows adapts pgx.Rows; []byte destinations are scanned as
// pgtype.DriverBytes, which point into pgx's read buffer instead of being
// copied. Close gives the connection back to the pool.
type pgRows struct {
	r       pgx.Rows
	release func()
	raw     []pgtype.DriverBytes
	dst     []any
	closed  bool
}

func (r *pgRows) Next() bool { return r.r.Next() }
func (r *pgRows) Err() error { return r.r.Err() }

func (r *pgRows) Close() error {
	if r.closed {
		return r.r.Err()
	}
	r.closed = true
	r.r.Close()
	if r.release != nil {
		r.release()
	}
	return r.r.Err()
}

func (r *pgRows) Scan(dest ...any) error {
	if cap(r.dst) < len(dest) {
		r.dst, r.raw = make([]any, len(dest)), make([]pgtype.DriverBytes, len(dest))
	}
	dst := r.dst[:len(dest)]
	for i, d := range dest {
		if _, ok := d.(*[]byte); ok {
			r.raw[i] = nil
			dst[i] = &r.raw[i]
		} else {
			dst[i] = d
		}
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

// pgPool keeps idle connections for reuse and bounds how many are open.
type pgPool struct {
	cfg   *pgx.ConnConfig
	slots chan struct{} // one token per open connection
	mu    sync.Mutex
	idle  []idleConn
	shut  bool
}

type idleConn struct {
	c     *pgx.Conn
	since time.Time
}

// staleAfter is how long a connection may sit idle before it is pinged
// on reuse (a restarted server leaves dead connections behind).
const staleAfter = 30 * time.Second

var errPoolClosed = errors.New("sqlblob: backend closed")

func newPGPool(cfg *pgx.ConnConfig, max int) *pgPool {
	return &pgPool{cfg: cfg, slots: make(chan struct{}, max)}
}

// acquire returns an idle connection or a new one, waiting while MaxConns
// are in use.
func (p *pgPool) acquire(ctx context.Context) (*pgx.Conn, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	select {
	case p.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	for {
		p.mu.Lock()
		if p.shut {
			p.mu.Unlock()
			<-p.slots
			return nil, errPoolClosed
		}
		n := len(p.idle)
		if n == 0 {
			p.mu.Unlock()
			break
		}
		ic := p.idle[n-1]
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		if ic.c.IsClosed() {
			continue
		}
		if time.Since(ic.since) > staleAfter && ic.c.Ping(ctx) != nil {
			closeConn(ic.c)
			if err := ctx.Err(); err != nil {
				<-p.slots
				return nil, err
			}
			continue
		}
		return ic.c, nil
	}
	c, err := pgx.ConnectConfig(ctx, p.cfg)
	if err != nil {
		<-p.slots
		return nil, err
	}
	return c, nil
}

// release returns c to the pool, or closes it when it is broken or still
// inside a transaction.
func (p *pgPool) release(c *pgx.Conn) {
	defer func() { <-p.slots }()
	if c.IsClosed() || c.PgConn().IsBusy() || c.PgConn().TxStatus() != 'I' {
		closeConn(c)
		return
	}
	p.mu.Lock()
	if p.shut {
		p.mu.Unlock()
		closeConn(c)
		return
	}
	p.idle = append(p.idle, idleConn{c: c, since: time.Now()})
	p.mu.Unlock()
}

// close closes the idle connections; connections in use are closed when
// they are released.
func (p *pgPool) close() {
	p.mu.Lock()
	p.shut = true
	idle := p.idle
	p.idle = nil
	p.mu.Unlock()
	for _, ic := range idle {
		closeConn(ic.c)
	}
}

func closeConn(c *pgx.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c.Close(ctx)
}
