package sqlblob_test

import (
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"

	"github.com/remotestore/remotestore/backends/sqlblob"
	pgserver "github.com/remotestore/remotestore/internal/testserver/postgres"
	"github.com/remotestore/remotestore/store"
)

// TestOpenURLSQLite opens a store by URL, writes, reads and lists through
// it, and reaches the database handle with As.
func TestOpenURLSQLite(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "a b#1.db")
	u := (&url.URL{Scheme: "sqlite", Path: path}).String() + "?table=docs&chunk_size=1024"
	st, err := store.OpenURL(ctx, u)
	if err != nil {
		t.Fatalf("OpenURL(%s): %v", u, err)
	}
	defer st.Close()
	if err := st.Ping(ctx); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	if err := st.WriteString(ctx, "x/y.txt", strings.Repeat("hello ", 1000), nil); err != nil {
		t.Fatal(err)
	}
	if got, err := st.ReadString(ctx, "x/y.txt"); err != nil || got != strings.Repeat("hello ", 1000) {
		t.Errorf("ReadString = %d bytes, %v", len(got), err)
	}
	esc := (&url.URL{Scheme: "sqlite", Path: path}).String() // "a%20b%231.db"
	if want := esc + "?table=docs#x/y.txt"; st.URI("x/y.txt") != want {
		t.Errorf("URI = %q, want %q", st.URI("x/y.txt"), want)
	}
	var n int
	if err := rawSQLite(t, st).QueryRow(`SELECT count(*) FROM docs_chunks`).Scan(&n); err != nil || n != 6 {
		t.Errorf("%d chunk rows of 1 KiB, %v; want 6", n, err)
	}
	_, err = st.ReadBytes(ctx, "x")
	if !errors.Is(err, store.ErrIsFolder) || !strings.Contains(err.Error(), "read "+esc) {
		t.Errorf("reading a folder = %v, want ErrIsFolder naming the database", err)
	}
}

// TestSQLiteErrorKinds: a read-only database file fails writes with
// ErrPermission, and the driver's error stays reachable.
func TestSQLiteErrorKinds(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	path := filepath.Join(dir, "ro.db")
	st, err := store.OpenURL(ctx, "sqlite://"+path)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.WriteString(ctx, "a", "1", nil); err != nil {
		t.Fatal(err)
	}
	rawSQLite(t, st).SetMaxOpenConns(1) // the pragma below holds for this one connection
	if _, err := rawSQLite(t, st).Exec(`PRAGMA query_only = ON`); err != nil {
		t.Fatal(err)
	}
	err = st.WriteString(ctx, "b", "2", nil)
	var se *sqlite.Error
	if !errors.Is(err, store.ErrPermission) || !errors.As(err, &se) {
		t.Errorf("write to a query-only database = %v, want ErrPermission wrapping *sqlite.Error", err)
	}
	st.Close()
}

// TestOpenURLPostgres opens the password role's store by URL with the
// password in PGPASSWORD, then checks the error kinds of real server
// answers and that no password appears in them.
func TestOpenURLPostgres(t *testing.T) {
	srv := pgserver.Get(t)
	ctx := t.Context()
	table := pgserver.Table(t)
	base := fmt.Sprintf("postgres://%s@127.0.0.1:%d/%s?sslmode=disable&table=%s", srv.PasswordUser, srv.Port, srv.Database, table)
	t.Setenv("PGPASSWORD", srv.Password)
	st, err := store.OpenURL(ctx, base)
	if err != nil {
		t.Fatalf("OpenURL with PGPASSWORD: %v", err)
	}
	defer st.Close()
	if err := st.Ping(ctx); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	if err := st.WriteString(ctx, "p/q.txt", "hello", nil); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.ReadString(ctx, "p/q.txt"); got != "hello" {
		t.Errorf("ReadString = %q", got)
	}
	want := fmt.Sprintf("postgres://%s@127.0.0.1:%d/%s?table=%s#p/q.txt", srv.PasswordUser, srv.Port, srv.Database, table)
	if st.URI("p/q.txt") != want {
		t.Errorf("URI = %q, want %q", st.URI("p/q.txt"), want)
	}
	t.Cleanup(func() { st.Backend().(*sqlblob.Backend).DropTables(t.Context()) })

	const wrong = "wrong-password-1234"
	t.Setenv("PGPASSWORD", wrong)
	_, err = store.OpenURL(ctx, base)
	var pe *pgconn.PgError
	if !errors.Is(err, store.ErrPermission) || !errors.As(err, &pe) {
		t.Errorf("OpenURL with a wrong password = %v, want ErrPermission wrapping *pgconn.PgError", err)
	}
	if err != nil && strings.Contains(err.Error(), wrong) {
		t.Errorf("the error shows the password: %v", err)
	}
	c := sqlblob.PostgresConfig{Host: "127.0.0.1", Port: srv.Port, User: srv.PasswordUser, Password: store.Secret(wrong),
		Database: srv.Database, SSLMode: "disable"}
	_, err = sqlblob.NewPostgres(ctx, c)
	if !errors.Is(err, store.ErrPermission) || strings.Contains(err.Error(), wrong) || strings.Contains(fmt.Sprintf("%+v", c), wrong) {
		t.Errorf("NewPostgres with a wrong password = %v, want ErrPermission without the password", err)
	}
	t.Setenv("PGPASSWORD", "")

	_, err = store.OpenURL(ctx, fmt.Sprintf("postgres://%s@127.0.0.1:%d/no_such_db?sslmode=disable", srv.User, srv.Port))
	if !errors.Is(err, store.ErrNotFound) || !strings.Contains(err.Error(), "no_such_db") {
		t.Errorf("OpenURL of a missing database = %v, want ErrNotFound naming it", err)
	}
	_, err = store.OpenURL(ctx, fmt.Sprintf("postgres://%s@127.0.0.1:1/x?sslmode=disable&connect_timeout=5", srv.User))
	if !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("OpenURL of a closed port = %v, want ErrUnavailable", err)
	}
	_, err = store.OpenURL(ctx, fmt.Sprintf("postgres://%s@127.0.0.1:%d/%s?sslmode=disable&table=never_made&no_create=true", srv.User, srv.Port, srv.Database))
	if !errors.Is(err, store.ErrNotFound) || !strings.Contains(err.Error(), "never_made") {
		t.Errorf("no_create on a missing table = %v, want ErrNotFound naming it", err)
	}
}
