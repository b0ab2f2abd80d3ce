package sqlblob_test

import (
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/remotestore/remotestore/backends/sqlblob"
	"github.com/remotestore/remotestore/store"
)

func mustURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("url.Parse(%q): %v", raw, err)
	}
	return u
}

func TestParseSQLiteURL(t *testing.T) {
	for _, c := range []struct {
		url  string
		want sqlblob.SQLiteConfig
	}{
		{"sqlite:///var/lib/x.db", sqlblob.SQLiteConfig{Path: "/var/lib/x.db"}},
		{"sqlite://localhost/var/lib/x.db", sqlblob.SQLiteConfig{Path: "/var/lib/x.db"}},
		{"sqlite://./data/x.db", sqlblob.SQLiteConfig{Path: "./data/x.db"}},
		{"sqlite://../x.db", sqlblob.SQLiteConfig{Path: "../x.db"}},
		{"SQLITE:///a%20b%23c.db", sqlblob.SQLiteConfig{Path: "/a b#c.db"}},
		{"sqlite:///x.db?table=files&chunk_size=65536&busy_timeout=2s&no_create=true",
			sqlblob.SQLiteConfig{Path: "/x.db", Table: "files", ChunkSize: 65536, BusyTimeout: 2 * time.Second, NoCreate: true}},
	} {
		got, err := sqlblob.ParseSQLiteURL(mustURL(t, c.url))
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("ParseSQLiteURL(%s) = %+v, %v; want %+v", c.url, got, err, c.want)
		}
	}
	for _, c := range []struct{ url, why string }{
		{"sqlite://host/x.db", `host "host"`},
		{"sqlite:x.db", "opaque"},
		{"sqlite:///", "no database file"},
		{"sqlite:///dir/", "no database file"},
		{"sqlite://user@/x.db", "no user"},
		{"sqlite:///x.db#frag", "fragment"},
		{"sqlite:///x.db?tabel=x", `unknown query parameter "tabel"`},
		{"sqlite:///x.db?chunk_size=big", "chunk_size"},
		{"sqlite:///x.db?busy_timeout=5", "busy_timeout"},
		{"sqlite:///x.db?table=a&table=b", "given 2 times"},
		{"file:///x.db", "scheme"},
	} {
		_, err := sqlblob.ParseSQLiteURL(mustURL(t, c.url))
		if !errors.Is(err, store.ErrInvalidConfig) || !strings.Contains(err.Error(), c.why) {
			t.Errorf("ParseSQLiteURL(%s) = %v; want ErrInvalidConfig mentioning %q", c.url, err, c.why)
		}
	}
}

func TestParsePostgresURL(t *testing.T) {
	for _, c := range []struct {
		url  string
		want sqlblob.PostgresConfig
	}{
		{"postgres://app@db.example:6543/appdb", sqlblob.PostgresConfig{User: "app", Host: "db.example", Port: 6543, Database: "appdb"}},
		{"postgresql://app@[::1]/appdb?sslmode=verify-full&sslrootcert=/etc/ca.pem",
			sqlblob.PostgresConfig{User: "app", Host: "::1", Database: "appdb", SSLMode: "verify-full", SSLRootCert: "/etc/ca.pem"}},
		{"postgres:///appdb?host=/var/run/postgresql", sqlblob.PostgresConfig{Host: "/var/run/postgresql", Database: "appdb"}},
		{"postgres://h/d?table=files&chunk_size=4194304&max_conns=4&no_create=1&connect_timeout=7&application_name=etl&search_path=s1",
			sqlblob.PostgresConfig{Host: "h", Database: "d", Table: "files", ChunkSize: 4 << 20, MaxConns: 4, NoCreate: true,
				ConnectTimeout: 7 * time.Second, ApplicationName: "etl", SearchPath: "s1"}},
		{"postgres://h/d?connect_timeout=1500ms", sqlblob.PostgresConfig{Host: "h", Database: "d", ConnectTimeout: 1500 * time.Millisecond}},
		{"postgres://", sqlblob.PostgresConfig{}}, // all from the environment
	} {
		got, err := sqlblob.ParsePostgresURL(mustURL(t, c.url))
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("ParsePostgresURL(%s) = %+v, %v; want %+v", c.url, got, err, c.want)
		}
	}
	for _, c := range []struct{ url, why string }{
		{"postgres://app:hunter2-secret@h/d", "password in the URL"},
		{"postgres://h/d?password=hunter2-secret", "passwords are not accepted"},
		{"postgres://h/d/extra", "single database name"},
		{"postgres://h:port/d", ""},
		{"postgres://h/d?sslmode=sometimes&table=x", ""},
		{"postgres://h/d?max_conns=lots", "max_conns"},
		{"postgres://h/d?colour=blue", `unknown query parameter "colour"`},
		{"postgres://h/d?host=/sock", "host given both"},
		{"mysql://h/d", "scheme"},
	} {
		u, perr := url.Parse(c.url)
		if perr != nil {
			continue // url.Parse refuses it already (a bad port)
		}
		_, err := sqlblob.ParsePostgresURL(u)
		if c.why == "" { // valid syntax, refused at open
			continue
		}
		if !errors.Is(err, store.ErrInvalidConfig) || !strings.Contains(err.Error(), c.why) {
			t.Errorf("ParsePostgresURL(%s) = %v; want ErrInvalidConfig mentioning %q", c.url, err, c.why)
		}
		if err != nil && strings.Contains(err.Error(), "hunter2") {
			t.Errorf("the error shows the password: %v", err)
		}
	}
}

// TestOpenErrors checks what opening refuses: the error names the cause,
// the offending setting or file, and never a secret.
func TestOpenErrors(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.db")
	if err := os.WriteFile(garbage, []byte(strings.Repeat("not a database ", 1000)), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		cfg  sqlblob.SQLiteConfig
		kind error
		says string
	}{
		{"no path", sqlblob.SQLiteConfig{}, store.ErrInvalidConfig, "path"},
		{"memory", sqlblob.SQLiteConfig{Path: ":memory:"}, store.ErrInvalidConfig, "mem://"},
		{"bad table", sqlblob.SQLiteConfig{Path: filepath.Join(dir, "a.db"), Table: `x"; DROP TABLE y`}, store.ErrInvalidConfig, "table"},
		{"long table", sqlblob.SQLiteConfig{Path: filepath.Join(dir, "a.db"), Table: strings.Repeat("t", 56)}, store.ErrInvalidConfig, "table"},
		{"small chunks", sqlblob.SQLiteConfig{Path: filepath.Join(dir, "a.db"), ChunkSize: 100}, store.ErrInvalidConfig, "chunk_size 100"},
		{"huge chunks", sqlblob.SQLiteConfig{Path: filepath.Join(dir, "a.db"), ChunkSize: 1 << 30}, store.ErrInvalidConfig, "chunk_size"},
		{"missing folder", sqlblob.SQLiteConfig{Path: filepath.Join(dir, "no/such/a.db")}, store.ErrNotFound, filepath.Join(dir, "no/such")},
		{"folder", sqlblob.SQLiteConfig{Path: dir}, store.ErrIsFolder, dir},
		{"not a database", sqlblob.SQLiteConfig{Path: garbage}, store.ErrInvalidConfig, garbage},
		{"no_create", sqlblob.SQLiteConfig{Path: filepath.Join(dir, "empty.db"), NoCreate: true}, store.ErrNotFound, "does not exist"},
	} {
		b, err := sqlblob.NewSQLite(ctx, c.cfg)
		if err == nil {
			b.Close()
		}
		if !errors.Is(err, c.kind) || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: NewSQLite = %v; want %v naming %q", c.name, err, c.kind, c.says)
		}
	}
	// A table of the same name that is not a store's.
	b, err := sqlblob.NewSQLite(ctx, sqlblob.SQLiteConfig{Path: filepath.Join(dir, "other.db"), Table: "ok"})
	if err != nil {
		t.Fatal(err)
	}
	st := store.New(b)
	if _, err := rawSQLite(t, st).ExecContext(ctx, `CREATE TABLE foreign_t (a INTEGER)`); err != nil {
		t.Fatal(err)
	}
	st.Close()
	_, err = sqlblob.NewSQLite(ctx, sqlblob.SQLiteConfig{Path: filepath.Join(dir, "other.db"), Table: "foreign_t"})
	if !errors.Is(err, store.ErrInvalidConfig) || !strings.Contains(err.Error(), `"foreign_t" exists but is not a store table`) {
		t.Errorf("NewSQLite over a foreign table = %v, want ErrInvalidConfig naming it", err)
	}
	// PostgreSQL settings refused before connecting.
	for _, c := range []struct {
		cfg  sqlblob.PostgresConfig
		says string
	}{
		{sqlblob.PostgresConfig{SSLMode: "sometimes"}, "sslmode"},
		{sqlblob.PostgresConfig{Port: 70000}, "port 70000"},
		{sqlblob.PostgresConfig{MaxConns: -1}, "max_conns"},
		{sqlblob.PostgresConfig{Table: "1abc"}, "table"},
	} {
		_, err := sqlblob.NewPostgres(ctx, c.cfg)
		if !errors.Is(err, store.ErrInvalidConfig) || !strings.Contains(err.Error(), c.says) {
			t.Errorf("NewPostgres(%+v) = %v; want ErrInvalidConfig naming %q", c.cfg, err, c.says)
		}
	}
}

// TestYAMLConfig opens an SQLite store and fails a PostgreSQL one through a
// YAML config; the password from the environment stays out of the error.
func TestYAMLConfig(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "cfg.db")
	t.Setenv("SQLBLOB_TEST_PW", "s3cr3t-from-env")
	cfg, err := store.ParseConfig([]byte(`
backends:
  lite:
    type: sqlite
    options:
      path: ` + dbPath + `
      table: raw
      chunk_size: 4096
      busy_timeout: 3s
  pg:
    type: postgres
    options:
      host: 127.0.0.1
      port: 1
      user: app
      password: ${SQLBLOB_TEST_PW}
      database: appdb
      sslmode: disable
      connect_timeout: 2s
  typo:
    type: sqlite
    options:
      path: ` + dbPath + `
      chunksize: 4096
stores:
  lite:
    backend: lite
    root_path: some/folder
  pg:
    backend: pg
  typo:
    backend: typo
`))
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	st, err := cfg.Open(ctx, "lite")
	if err != nil {
		t.Fatalf("Open(lite): %v", err)
	}
	defer st.Close()
	if err := st.WriteString(ctx, "a.txt", strings.Repeat("x", 10000), nil); err != nil {
		t.Fatal(err)
	}
	if got := st.URI("a.txt"); got != "sqlite://"+dbPath+"?table=raw#some/folder/a.txt" {
		t.Errorf("URI = %q", got)
	}
	if b := st.Backend().(*sqlblob.Backend); b.ChunkSize() != 4096 || b.Table() != "raw" {
		t.Errorf("chunk size %d, table %q; want 4096, raw", b.ChunkSize(), b.Table())
	}
	_, err = cfg.Open(ctx, "pg")
	if !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("Open(pg) on a closed port = %v, want ErrUnavailable", err)
	}
	if err != nil && strings.Contains(err.Error(), "s3cr3t") {
		t.Errorf("the error shows the password: %v", err)
	}
	_, err = cfg.Open(ctx, "typo")
	if !errors.Is(err, store.ErrInvalidConfig) || !strings.Contains(err.Error(), "chunksize") {
		t.Errorf("Open(typo) = %v, want ErrInvalidConfig naming the unknown field", err)
	}
}
