package sqlblob

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/remotestore/remotestore/store"
)

// URL schemes of the two drivers. PostgreSQL also answers to
// SchemePostgresAlt; its backends report SchemePostgres.
const (
	SchemeSQLite      = "sqlite"
	SchemePostgres    = "postgres"
	SchemePostgresAlt = "postgresql"
)

// Defaults and limits.
const (
	// DefaultTable is the name of the files table when none is given.
	DefaultTable = "remotestore"
	// DefaultChunkSize is the size of the rows a file's bytes are split
	// into, and so about the memory one writer or reader holds.
	DefaultChunkSize = 1 << 20
	// MinChunkSize and MaxChunkSize bound ChunkSize.
	MinChunkSize = 1 << 10
	MaxChunkSize = 64 << 20
	// DefaultBusyTimeout is how long an SQLite statement waits for another
	// process's write lock before failing with store.ErrUnavailable.
	DefaultBusyTimeout = 10 * time.Second
	// DefaultMaxConns is how many PostgreSQL connections one backend opens
	// at most.
	DefaultMaxConns = 16
	// MaxPathLen is the longest path, in bytes, a file may have (PostgreSQL
	// indexes cannot hold much longer keys; the limit is the same for both
	// drivers so data can move between them).
	MaxPathLen = 1024
)

// SQLiteConfig configures a backend on an SQLite database file.
type SQLiteConfig struct {
	// Path is the database file, absolute or relative to the working
	// directory. It is created when missing; its folder must exist.
	// Required.
	Path string `yaml:"path"`
	// Table is the name of the files table (default DefaultTable); the
	// chunks and uploads tables are named after it (<table>_chunks,
	// <table>_uploads), so stores with different tables share a database.
	// Letters, digits and underscores, at most 55 characters.
	Table string `yaml:"table"`
	// ChunkSize is the size in bytes of the rows new files are split into
	// (default DefaultChunkSize, MinChunkSize to MaxChunkSize). Files keep
	// the chunk size they were written with.
	ChunkSize int `yaml:"chunk_size"`
	// BusyTimeout is how long a statement waits for another process's lock
	// (default DefaultBusyTimeout). Writers of one backend never wait on
	// each other: they take turns in the process.
	BusyTimeout time.Duration `yaml:"busy_timeout"`
	// NoCreate does not create missing tables: opening fails with
	// store.ErrNotFound instead.
	NoCreate bool `yaml:"no_create"`
}

// PostgresConfig configures a backend on a PostgreSQL database. Empty
// connection fields fall back to libpq's environment variables (PGHOST,
// PGPORT, PGUSER, PGPASSWORD, PGDATABASE, PGSSLMODE, …) and to ~/.pgpass,
// then to libpq's defaults.
type PostgresConfig struct {
	// Host is a host name, an IP address, a Unix socket folder, or a
	// comma-separated list of them.
	Host string `yaml:"host"`
	// Port is the server's port (default 5432).
	Port int `yaml:"port"`
	// User is the role to log in as.
	User string `yaml:"user"`
	// Password is the role's password. Not accepted in URLs: use
	// PGPASSWORD, ~/.pgpass, or a YAML config with ${VAR}.
	Password store.Secret `yaml:"password"`
	// Database is the database to use.
	Database string `yaml:"database"`
	// SSLMode is libpq's sslmode (disable, allow, prefer, require,
	// verify-ca, verify-full).
	SSLMode string `yaml:"sslmode"`
	// SSLRootCert, SSLCert and SSLKey are the files of libpq's options of
	// the same names.
	SSLRootCert string `yaml:"sslrootcert"`
	SSLCert     string `yaml:"sslcert"`
	SSLKey      string `yaml:"sslkey"`
	// ConnectTimeout bounds one connection attempt (default: none beyond
	// the context's).
	ConnectTimeout time.Duration `yaml:"connect_timeout"`
	// ApplicationName is reported to the server (default "remotestore").
	ApplicationName string `yaml:"application_name"`
	// SearchPath is the schema search path the tables are found and made
	// in (default: the server's, usually "$user", public).
	SearchPath string `yaml:"search_path"`
	// Table, ChunkSize and NoCreate are as in SQLiteConfig.
	Table     string `yaml:"table"`
	ChunkSize int    `yaml:"chunk_size"`
	NoCreate  bool   `yaml:"no_create"`
	// MaxConns is how many connections the backend opens at most (default
	// DefaultMaxConns). Every open reader holds one until it is closed.
	MaxConns int `yaml:"max_conns"`
}

func init() {
	store.Register(SchemeSQLite, store.NewDriver(ParseSQLiteURL, func(ctx context.Context, c SQLiteConfig) (store.Backend, error) {
		return NewSQLite(ctx, c)
	}))
	pg := store.NewDriver(ParsePostgresURL, func(ctx context.Context, c PostgresConfig) (store.Backend, error) {
		return NewPostgres(ctx, c)
	})
	store.Register(SchemePostgres, pg)
	store.Register(SchemePostgresAlt, pg)
}

// query parameters each URL form accepts.
const (
	sqliteParams   = "table, chunk_size, busy_timeout, no_create"
	postgresParams = "table, chunk_size, max_conns, no_create, sslmode, sslrootcert, sslcert, sslkey, connect_timeout, application_name, search_path, host"
)

// ParseSQLiteURL parses "sqlite:///abs/path.db?table=…" or a path relative
// to the working directory, "sqlite://./rel/path.db" or
// "sqlite://../rel/path.db", into an SQLiteConfig. Unknown query
// parameters are errors.
func ParseSQLiteURL(u *url.URL) (SQLiteConfig, error) {
	bad := func(format string, args ...any) (SQLiteConfig, error) {
		return SQLiteConfig{}, fmt.Errorf("%w: sqlite: %s", store.ErrInvalidConfig, fmt.Sprintf(format, args...))
	}
	if !strings.EqualFold(u.Scheme, SchemeSQLite) {
		return bad("scheme %q is not %q", u.Scheme, SchemeSQLite)
	}
	if u.Opaque != "" {
		return bad(`opaque form "sqlite:path" is not supported; use sqlite:///abs/path.db or sqlite://./rel/path.db`)
	}
	if u.User != nil {
		return bad("an sqlite URL takes no user")
	}
	if u.Fragment != "" || u.RawFragment != "" {
		return bad(`an sqlite URL takes no fragment; write "#" in a file name as %%23`)
	}
	var path string
	switch h := u.Host; {
	case h == "" || strings.EqualFold(h, "localhost"):
		path = u.Path
	case h == "." || h == "..":
		path = h + u.Path
	default:
		return bad("host %q is not supported; the database is a local file (sqlite:///abs/path.db, sqlite://./rel/path.db)", h)
	}
	if path == "" || strings.HasSuffix(path, "/") {
		return bad("no database file; use sqlite:///abs/path.db or sqlite://./rel/path.db")
	}
	c := SQLiteConfig{Path: path}
	err := eachParam(u, func(k, v string) error {
		var perr error
		switch k {
		case "table":
			c.Table = v
		case "chunk_size":
			c.ChunkSize, perr = strconv.Atoi(v)
		case "busy_timeout":
			c.BusyTimeout, perr = time.ParseDuration(v)
		case "no_create":
			c.NoCreate, perr = strconv.ParseBool(v)
		default:
			return fmt.Errorf("unknown query parameter %q (known: %s)", k, sqliteParams)
		}
		if perr != nil {
			return fmt.Errorf("query parameter %s=%q: not a valid value", k, v)
		}
		return nil
	})
	if err != nil {
		return bad("%v", err)
	}
	return c, nil
}

// ParsePostgresURL parses
// "postgres://user@host:port/database?table=…&sslmode=…" (or postgresql://)
// into a PostgresConfig. A password in the URL is refused: use PGPASSWORD,
// ~/.pgpass or a YAML config. Unknown query parameters are errors.
func ParsePostgresURL(u *url.URL) (PostgresConfig, error) {
	bad := func(format string, args ...any) (PostgresConfig, error) {
		return PostgresConfig{}, fmt.Errorf("%w: postgres: %s", store.ErrInvalidConfig, fmt.Sprintf(format, args...))
	}
	if !strings.EqualFold(u.Scheme, SchemePostgres) && !strings.EqualFold(u.Scheme, SchemePostgresAlt) {
		return bad("scheme %q is not %q", u.Scheme, SchemePostgres)
	}
	if u.Opaque != "" {
		return bad("opaque form is not supported; use postgres://user@host:port/database")
	}
	if u.Fragment != "" || u.RawFragment != "" {
		return bad("a postgres URL takes no fragment")
	}
	var c PostgresConfig
	if u.User != nil {
		if _, has := u.User.Password(); has {
			return bad("a password in the URL is not accepted; use PGPASSWORD, ~/.pgpass or a config file (password: ${VAR})")
		}
		c.User = u.User.Username()
	}
	c.Host = u.Hostname()
	if p := u.Port(); p != "" {
		port, err := strconv.Atoi(p)
		if err != nil {
			return bad("port %q: not a number", p)
		}
		c.Port = port
	}
	db := strings.TrimPrefix(u.Path, "/")
	if strings.Contains(db, "/") {
		return bad("path %q: want a single database name (postgres://host/database)", u.Path)
	}
	c.Database = db
	err := eachParam(u, func(k, v string) error {
		var perr error
		switch k {
		case "table":
			c.Table = v
		case "chunk_size":
			c.ChunkSize, perr = strconv.Atoi(v)
		case "max_conns":
			c.MaxConns, perr = strconv.Atoi(v)
		case "no_create":
			c.NoCreate, perr = strconv.ParseBool(v)
		case "sslmode":
			c.SSLMode = v
		case "sslrootcert":
			c.SSLRootCert = v
		case "sslcert":
			c.SSLCert = v
		case "sslkey":
			c.SSLKey = v
		case "connect_timeout":
			if secs, err := strconv.Atoi(v); err == nil { // libpq's form: whole seconds
				c.ConnectTimeout = time.Duration(secs) * time.Second
			} else {
				c.ConnectTimeout, perr = time.ParseDuration(v)
			}
		case "application_name":
			c.ApplicationName = v
		case "search_path":
			c.SearchPath = v
		case "host":
			if c.Host != "" {
				return fmt.Errorf("host given both in the URL's authority and as a query parameter")
			}
			c.Host = v
		case "password", "passfile":
			return fmt.Errorf("query parameter %q: passwords are not accepted in URLs; use PGPASSWORD, ~/.pgpass or a config file", k)
		default:
			return fmt.Errorf("unknown query parameter %q (known: %s)", k, postgresParams)
		}
		if perr != nil {
			return fmt.Errorf("query parameter %s=%q: not a valid value", k, v)
		}
		return nil
	})
	if err != nil {
		return bad("%v", err)
	}
	return c, nil
}

// eachParam calls fn for every query parameter of u, refusing repeats.
func eachParam(u *url.URL, fn func(k, v string) error) error {
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return fmt.Errorf("malformed query: %v", err)
	}
	for k, vs := range q {
		if len(vs) != 1 {
			return fmt.Errorf("query parameter %q given %d times", k, len(vs))
		}
		if err := fn(k, vs[0]); err != nil {
			return err
		}
	}
	return nil
}

var tableName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,54}$`)

// validateCommon checks and defaults the fields both drivers share.
func validateCommon(driver string, table *string, chunkSize *int) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s: %s", store.ErrInvalidConfig, driver, fmt.Sprintf(format, args...))
	}
	if *table == "" {
		*table = DefaultTable
	}
	if !tableName.MatchString(*table) {
		return bad("table %q: want letters, digits and underscores, starting with a letter or underscore, at most 55 characters", *table)
	}
	switch {
	case *chunkSize == 0:
		*chunkSize = DefaultChunkSize
	case *chunkSize < MinChunkSize || *chunkSize > MaxChunkSize:
		return bad("chunk_size %d: want %d to %d bytes", *chunkSize, MinChunkSize, MaxChunkSize)
	}
	return nil
}

// validate checks c and fills in defaults.
func (c *SQLiteConfig) validate() error {
	if c.Path == "" {
		return fmt.Errorf("%w: sqlite: path (the database file) is required", store.ErrInvalidConfig)
	}
	if c.Path == ":memory:" || strings.HasPrefix(c.Path, "file:") {
		return fmt.Errorf("%w: sqlite: path %q: want a file path (for a store in memory use mem://)", store.ErrInvalidConfig, c.Path)
	}
	switch {
	case c.BusyTimeout == 0:
		c.BusyTimeout = DefaultBusyTimeout
	case c.BusyTimeout < 0:
		return fmt.Errorf("%w: sqlite: busy_timeout %v: want a positive duration", store.ErrInvalidConfig, c.BusyTimeout)
	}
	return validateCommon("sqlite", &c.Table, &c.ChunkSize)
}

// validate checks c and fills in defaults.
func (c *PostgresConfig) validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: postgres: %s", store.ErrInvalidConfig, fmt.Sprintf(format, args...))
	}
	if c.Port < 0 || c.Port > 65535 {
		return bad("port %d: want 1 to 65535", c.Port)
	}
	switch c.SSLMode {
	case "", "disable", "allow", "prefer", "require", "verify-ca", "verify-full":
	default:
		return bad("sslmode %q: want disable, allow, prefer, require, verify-ca or verify-full", c.SSLMode)
	}
	if c.ConnectTimeout < 0 {
		return bad("connect_timeout %v: want a positive duration", c.ConnectTimeout)
	}
	switch {
	case c.MaxConns == 0:
		c.MaxConns = DefaultMaxConns
	case c.MaxConns < 1 || c.MaxConns > 1000:
		return bad("max_conns %d: want 1 to 1000", c.MaxConns)
	}
	if c.ApplicationName == "" {
		c.ApplicationName = "remotestore"
	}
	return validateCommon("postgres", &c.Table, &c.ChunkSize)
}
