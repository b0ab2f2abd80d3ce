package postgres_test

import (
	"context"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	pgserver "github.com/remotestore/remotestore/internal/testserver/postgres"
)

func TestMain(m *testing.M) { os.Exit(pgserver.Main(m)) }

// TestServer logs in as the superuser, creates a table in the test
// database and reads a row back.
func TestServer(t *testing.T) {
	srv := pgserver.Get(t)
	ctx := t.Context()
	c, err := pgx.Connect(ctx, srv.ConnString())
	if err != nil {
		t.Fatalf("connect: %v\nlog: %s", err, srv.Log())
	}
	defer c.Close(context.Background())
	table := pgserver.Table(t)
	if _, err := c.Exec(ctx, "CREATE TABLE "+table+" (k text primary key, v bytea)"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Exec(ctx, "INSERT INTO "+table+" VALUES ($1, $2)", "a", []byte("hello")); err != nil {
		t.Fatal(err)
	}
	var v []byte
	if err := c.QueryRow(ctx, "SELECT v FROM "+table+" WHERE k = $1", "a").Scan(&v); err != nil || string(v) != "hello" {
		t.Errorf("read back %q, %v", v, err)
	}
	var addr, db, usr string
	if err := c.QueryRow(ctx, "SELECT current_setting('listen_addresses'), current_database(), current_user").Scan(&addr, &db, &usr); err != nil {
		t.Fatal(err)
	}
	if addr != "127.0.0.1" || db != pgserver.Database || usr != pgserver.User {
		t.Errorf("listen_addresses %q, database %q, user %q; want 127.0.0.1, %s, %s", addr, db, usr, pgserver.Database, pgserver.User)
	}
	if other := pgserver.Table(t); other == table {
		t.Errorf("Table returned %q twice", table)
	}
	if _, err := pgx.Connect(ctx, srv.URL()); err != nil {
		t.Errorf("connect by URL %s: %v", srv.URL(), err)
	}
}

// TestPasswordRole checks that PasswordUser gets in with Password only.
func TestPasswordRole(t *testing.T) {
	srv := pgserver.Get(t)
	ctx := t.Context()
	conn := func(pw string) error {
		c, err := pgx.Connect(ctx, fmt.Sprintf("host=127.0.0.1 port=%d user=%s dbname=%s sslmode=disable password=%s",
			srv.Port, srv.PasswordUser, srv.Database, pw))
		if err == nil {
			c.Close(context.Background())
		}
		return err
	}
	if err := conn(srv.Password); err != nil {
		t.Errorf("login with the password: %v", err)
	}
	if err := conn("wrong-" + srv.Password); err == nil {
		t.Error("login with a wrong password worked")
	}
}

// TestUnprivileged checks that the cluster never runs as root, and that its
// files belong to the account it runs as.
func TestUnprivileged(t *testing.T) {
	srv := pgserver.Get(t)
	ctx := t.Context()
	c, err := pgx.Connect(ctx, srv.ConnString())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	var pid int
	if err := c.QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&pid); err != nil {
		t.Fatal(err)
	}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	uid := ""
	for _, line := range strings.Split(string(status), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "Uid:" {
			uid = f[1]
		}
	}
	if uid == "0" || uid == "" {
		t.Fatalf("the server runs with uid %q", uid)
	}
	if os.Geteuid() == 0 {
		u, err := user.Lookup(srv.OSUser)
		if err != nil || u.Uid != uid {
			t.Errorf("server uid %s, want the account %s (%v, %v)", uid, srv.OSUser, u, err)
		}
	}
	if _, err := os.Stat(filepath.Join(srv.Dir(), "data", "PG_VERSION")); err != nil {
		t.Errorf("no cluster in the data folder: %v", err)
	}
	who := srv.OSUser
	if who == "" {
		who = "this process's user"
	}
	t.Logf("%s on %s as %s", srv.Version, srv.Addr, who)
}
