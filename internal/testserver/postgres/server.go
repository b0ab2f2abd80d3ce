// Package postgres starts a real, throwaway PostgreSQL cluster for a test
// binary: initdb into a temporary folder, then the postgres server on a
// free 127.0.0.1 port with its Unix socket in that folder, for the tests of
// the SQL backend (backends/sqlblob). It never uses Docker and never touches
// a system cluster; the binaries are installed by scripts/install-postgres.sh
// (make tools-postgres).
//
// Use it from TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(pgserver.Main(m)) }
//
//	func TestX(t *testing.T) {
//		srv := pgserver.Get(t)      // skips when PostgreSQL is missing
//		conn := srv.ConnString()    // "host=127.0.0.1 port=… user=remotestore dbname=remotestore sslmode=disable"
//		table := pgserver.Table(t)  // a table name of its own
//		...
//	}
//
// The superuser role User logs in over TCP without a password (trust);
// the role PasswordUser must give Password (scram-sha-256), for tests of
// password handling. Both may use the database Database.
//
// PostgreSQL refuses to run as root. When the tests run as root the
// cluster runs as an unprivileged account instead — $REMOTESTORE_PG_OS_USER,
// else the "postgres" account the Debian package creates, else "nobody" —
// and its folder belongs to that account.
//
// The cluster trades durability for speed (fsync, synchronous_commit and
// full_page_writes off) unless REMOTESTORE_PG_FSYNC=1. When the binaries
// are missing, Get skips the test, unless the environment sets
// REMOTESTORE_REQUIRE_SERVERS=1 (CI does): then Main fails the run.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/remotestore/remotestore/internal/testserver/harness"
)

// Environment variables read by this package.
const (
	// EnvRequire, set to "1", turns missing binaries into a failure.
	EnvRequire = "REMOTESTORE_REQUIRE_SERVERS"
	// EnvBinDir names the folder holding initdb and postgres, overriding
	// the lookup in PATH and in /usr/lib/postgresql/*/bin.
	EnvBinDir = "REMOTESTORE_PG_BINDIR"
	// EnvDataDir names the folder under which the cluster's temporary
	// folder is made (default: os.TempDir(); /dev/shm keeps the disk out).
	EnvDataDir = "REMOTESTORE_PG_DATA_DIR"
	// EnvOSUser names the account the cluster runs as when the tests run
	// as root (default: "postgres" when it exists, else "nobody").
	EnvOSUser = "REMOTESTORE_PG_OS_USER"
	// EnvFsync, set to "1", keeps PostgreSQL's durability settings (for
	// benchmarks that should pay for them).
	EnvFsync = "REMOTESTORE_PG_FSYNC"
)

// Roles and database the cluster is set up with.
const (
	// User is the superuser role; it logs in over TCP without a password.
	User = "remotestore"
	// Database is the database the tests use.
	Database = "remotestore"
	// PasswordUser is a role that must log in with Server.Password.
	PasswordUser = "remotestore_pw"
)

// ErrNoBinary reports that initdb or postgres is not installed.
var ErrNoBinary = errors.New("testserver/postgres: initdb and postgres not found (run: bash scripts/install-postgres.sh, or make tools-postgres)")

// Server is a running PostgreSQL cluster on 127.0.0.1.
type Server struct {
	// Host is "127.0.0.1", Port the server's port and Addr "127.0.0.1:PORT".
	Host string
	Port int
	Addr string
	// User and Database are the superuser role and the test database.
	User     string
	Database string
	// PasswordUser logs in with Password (scram-sha-256 over TCP).
	PasswordUser string
	Password     string
	// SocketDir holds the server's Unix socket.
	SocketDir string
	// Version is the server's version line ("postgres (PostgreSQL) 15.8").
	Version string
	// OSUser is the account the server runs as ("" for the current one).
	OSUser string

	dir  string // temporary folder, removed by Stop
	proc *harness.Process
	log  *harness.LockedLog
}

// Binaries are the two programs a cluster needs.
type Binaries struct {
	// Initdb and Postgres are absolute paths, symbolic links resolved.
	Initdb   string
	Postgres string
}

// FindBinaries locates initdb and postgres: in $REMOTESTORE_PG_BINDIR, else
// both on PATH, else in the newest /usr/lib/postgresql/*/bin (Debian),
// /usr/pgsql-*/bin or /usr/local/pgsql/bin. It returns ErrNoBinary when
// none has both.
func FindBinaries() (Binaries, error) {
	if d := os.Getenv(EnvBinDir); d != "" {
		b, ok := binariesIn(d)
		if !ok {
			return Binaries{}, fmt.Errorf("testserver/postgres: %s=%s holds no executable initdb and postgres", EnvBinDir, d)
		}
		return b, nil
	}
	if i, err := exec.LookPath("initdb"); err == nil {
		if p, err := exec.LookPath("postgres"); err == nil {
			return Binaries{Initdb: abs(i), Postgres: abs(p)}, nil
		}
	}
	var dirs []string
	for _, pattern := range []string{"/usr/lib/postgresql/*/bin", "/usr/pgsql-*/bin"} {
		m, _ := filepath.Glob(pattern)
		slices.SortFunc(m, func(a, b string) int { return versionOf(b) - versionOf(a) }) // newest first
		dirs = append(dirs, m...)
	}
	dirs = append(dirs, "/usr/local/pgsql/bin")
	for _, d := range dirs {
		if b, ok := binariesIn(d); ok {
			return b, nil
		}
	}
	return Binaries{}, ErrNoBinary
}

func binariesIn(dir string) (Binaries, bool) {
	b := Binaries{Initdb: filepath.Join(dir, "initdb"), Postgres: filepath.Join(dir, "postgres")}
	for _, f := range []string{b.Initdb, b.Postgres} {
		st, err := os.Stat(f)
		if err != nil || st.IsDir() || st.Mode()&0o111 == 0 {
			return Binaries{}, false
		}
	}
	b.Initdb, b.Postgres = abs(b.Initdb), abs(b.Postgres)
	return b, true
}

// abs resolves symbolic links, so the binaries find their share folder.
func abs(p string) string {
	if r, err := filepath.EvalSymlinks(p); err == nil {
		p = r
	}
	if a, err := filepath.Abs(p); err == nil {
		p = a
	}
	return p
}

var versionDir = regexp.MustCompile(`(\d+)(?:\.(\d+))?`)

// versionOf returns a sortable number for the version in a folder name
// ("/usr/lib/postgresql/15/bin" → 1500).
func versionOf(dir string) int {
	m := versionDir.FindStringSubmatch(dir)
	if m == nil {
		return 0
	}
	major, _ := strconv.Atoi(m[1])
	minor, _ := strconv.Atoi(m[2])
	return major*100 + minor
}

// Start runs initdb into a new temporary folder and starts postgres on a
// free 127.0.0.1 port, then creates Database and PasswordUser. It returns
// ErrNoBinary when PostgreSQL is not installed.
func Start(ctx context.Context) (*Server, error) {
	bins, err := FindBinaries()
	if err != nil {
		return nil, err
	}
	runAs, err := runAsUser()
	if err != nil {
		return nil, err
	}
	base, err := dataBase(runAs)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(base, "pg-")
	if err != nil {
		return nil, fmt.Errorf("testserver/postgres: temporary folder: %w", err)
	}
	s := &Server{Host: "127.0.0.1", User: User, Database: Database, PasswordUser: PasswordUser,
		Password: harness.RandHex(16), SocketDir: filepath.Join(dir, "sock"), dir: dir, log: &harness.LockedLog{}}
	if runAs != nil {
		s.OSUser = runAs.name
	}
	if err := s.initdb(ctx, bins, runAs); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ { // a free port may be taken before postgres binds it
		if lastErr = s.start(ctx, bins, runAs); lastErr == nil {
			break
		}
		if ctx.Err() != nil {
			break
		}
	}
	if lastErr != nil {
		os.RemoveAll(dir)
		return nil, lastErr
	}
	if err := s.setup(ctx); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

// osUser is the account a child runs as.
type osUser struct {
	name string
	cred *credential
}

// runAsUser returns the account to run initdb and postgres as: nil for the
// current one, an unprivileged one when this process is root.
func runAsUser() (*osUser, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	if !canSwitchUser {
		return nil, errors.New("testserver/postgres: running as root, and starting PostgreSQL as another user is only implemented on Linux")
	}
	names := []string{"postgres", "nobody"}
	if n := os.Getenv(EnvOSUser); n != "" {
		names = []string{n}
	}
	var errs []error
	for _, n := range names {
		u, err := user.Lookup(n)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
		gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
		if err1 != nil || err2 != nil || uid == 0 {
			errs = append(errs, fmt.Errorf("account %s: uid %s gid %s is not usable", n, u.Uid, u.Gid))
			continue
		}
		return &osUser{name: n, cred: &credential{Uid: uint32(uid), Gid: uint32(gid)}}, nil
	}
	return nil, fmt.Errorf("testserver/postgres: running as root and no unprivileged account to run PostgreSQL as (set %s): %w",
		EnvOSUser, errors.Join(errs...))
}

// dataBase returns the folder to make the cluster's folder in: one the
// server's account can reach when that account is not the current one.
func dataBase(runAs *osUser) (string, error) {
	base := os.Getenv(EnvDataDir)
	if base == "" {
		base = os.TempDir()
	}
	if runAs == nil || traversable(base) {
		return base, nil
	}
	if os.Getenv(EnvDataDir) == "" && traversable("/tmp") {
		return "/tmp", nil
	}
	return "", fmt.Errorf("testserver/postgres: %s is not reachable by the account %s that PostgreSQL runs as (every folder on the way needs o+x); set %s",
		base, runAs.name, EnvDataDir)
}

// traversable reports whether every folder from / to dir lets others pass.
func traversable(dir string) bool {
	d, err := filepath.Abs(dir)
	if err != nil {
		return false
	}
	for {
		st, err := os.Stat(d)
		if err != nil || !st.IsDir() || st.Mode().Perm()&0o001 == 0 {
			return false
		}
		parent := filepath.Dir(d)
		if parent == d {
			return true
		}
		d = parent
	}
}

// command builds a child process running as runAs with a clean
// environment (no PG* variables of the caller, the C locale).
func (s *Server) command(runAs *osUser, bin string, args ...string) *exec.Cmd {
	cmd := exec.Command(bin, args...)
	cmd.Dir = s.dir
	cmd.Env = []string{"PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C", "LC_ALL=C", "TZ=UTC", "HOME=" + s.dir}
	cmd.Stdout = s.log
	cmd.Stderr = s.log
	var cred *credential
	if runAs != nil {
		cred = runAs.cred
	}
	cmd.SysProcAttr = sysProcAttr(cred)
	return cmd
}

// initdb makes the cluster in s.dir/data with trust authentication for
// User and a password for PasswordUser over TCP.
func (s *Server) initdb(ctx context.Context, bins Binaries, runAs *osUser) error {
	if err := os.Chmod(s.dir, 0o700); err != nil {
		return fmt.Errorf("testserver/postgres: %w", err)
	}
	if err := os.Mkdir(s.SocketDir, 0o700); err != nil {
		return fmt.Errorf("testserver/postgres: socket folder: %w", err)
	}
	if runAs != nil {
		for _, d := range []string{s.dir, s.SocketDir} {
			if err := os.Chown(d, int(runAs.cred.Uid), int(runAs.cred.Gid)); err != nil {
				return fmt.Errorf("testserver/postgres: giving %s to %s: %w", d, runAs.name, err)
			}
		}
	}
	if out, err := exec.Command(bins.Postgres, "--version").Output(); err == nil {
		s.Version = strings.TrimSpace(string(out))
	}
	data := filepath.Join(s.dir, "data")
	cmd := s.command(runAs, bins.Initdb, "-D", data, "-U", User, "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync")
	if err := runCtx(ctx, cmd); err != nil {
		return fmt.Errorf("testserver/postgres: initdb (as %s): %v; log: %s", s.who(), err, s.Log())
	}
	hba := "# written by remotestore internal/testserver/postgres\n" +
		"local all all trust\n" +
		"host all " + PasswordUser + " 127.0.0.1/32 scram-sha-256\n" +
		"host all all 127.0.0.1/32 trust\n"
	hbaFile := filepath.Join(data, "pg_hba.conf")
	if err := os.WriteFile(hbaFile, []byte(hba), 0o600); err != nil {
		return fmt.Errorf("testserver/postgres: pg_hba.conf: %w", err)
	}
	if runAs != nil {
		if err := os.Chown(hbaFile, int(runAs.cred.Uid), int(runAs.cred.Gid)); err != nil {
			return fmt.Errorf("testserver/postgres: pg_hba.conf: %w", err)
		}
	}
	return nil
}

// runCtx runs cmd, killing it when ctx ends.
func runCtx(ctx context.Context, cmd *exec.Cmd) error {
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		cmd.Process.Kill()
		<-done
		return ctx.Err()
	}
}

func (s *Server) who() string {
	if s.OSUser != "" {
		return s.OSUser
	}
	return "the current user"
}

// start runs postgres on a free port and waits until it accepts logins.
func (s *Server) start(ctx context.Context, bins Binaries, runAs *osUser) error {
	port, err := harness.FreePort()
	if err != nil {
		return fmt.Errorf("testserver/postgres: %w", err)
	}
	s.Port, s.Addr = port, fmt.Sprintf("127.0.0.1:%d", port)
	args := []string{"-D", filepath.Join(s.dir, "data"), "-k", s.SocketDir, "-h", "127.0.0.1", "-p", strconv.Itoa(port),
		"-c", "max_connections=200",
		"-c", "dynamic_shared_memory_type=mmap", // no /dev/shm size limits in containers
		"-c", "max_parallel_workers_per_gather=0",
		"-c", "logging_collector=off",
		"-c", "log_min_messages=warning",
		"-c", "TimeZone=UTC",
	}
	if os.Getenv(EnvFsync) != "1" {
		args = append(args, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	}
	if s.proc, err = harness.StartProcess(s.command(runAs, bins.Postgres, args...)); err != nil {
		return fmt.Errorf("testserver/postgres: start %s: %w", bins.Postgres, err)
	}
	if err := s.waitReady(ctx, time.Minute); err != nil {
		s.proc.Kill()
		return err
	}
	return nil
}

// waitReady polls until the server accepts a login.
func (s *Server) waitReady(ctx context.Context, limit time.Duration) error {
	err := s.proc.WaitReady(ctx, limit, 50*time.Millisecond, func() error {
		cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		c, err := pgx.Connect(cctx, s.connString("postgres"))
		if err == nil {
			c.Close(context.Background())
		}
		return err
	})
	switch {
	case errors.Is(err, harness.ErrExited):
		return fmt.Errorf("testserver/postgres: postgres %v (as %s): %s", err, s.who(), s.Log())
	case errors.Is(err, harness.ErrNotReady):
		return fmt.Errorf("testserver/postgres: server on %s %v; log: %s", s.Addr, err, s.Log())
	}
	return err // nil or ctx.Err()
}

// setup creates Database and PasswordUser.
func (s *Server) setup(ctx context.Context) error {
	c, err := pgx.Connect(ctx, s.connString("postgres"))
	if err != nil {
		return fmt.Errorf("testserver/postgres: connect: %w", err)
	}
	defer c.Close(context.Background())
	for _, q := range []string{
		"CREATE DATABASE " + Database,
		"CREATE ROLE " + PasswordUser + " LOGIN PASSWORD '" + s.Password + "'",
		"GRANT ALL ON DATABASE " + Database + " TO " + PasswordUser,
	} {
		if _, err := c.Exec(ctx, q); err != nil {
			return fmt.Errorf("testserver/postgres: setup: %w", err)
		}
	}
	d, err := pgx.Connect(ctx, s.ConnString())
	if err != nil {
		return fmt.Errorf("testserver/postgres: connect to %s: %w", Database, err)
	}
	defer d.Close(context.Background())
	// PostgreSQL 15 took CREATE on the public schema away from PUBLIC.
	if _, err := d.Exec(ctx, "GRANT ALL ON SCHEMA public TO "+PasswordUser); err != nil {
		return fmt.Errorf("testserver/postgres: setup: %w", err)
	}
	return nil
}

// connString returns a libpq connection string for User on db over TCP.
func (s *Server) connString(db string) string {
	return fmt.Sprintf("host=127.0.0.1 port=%d user=%s dbname=%s sslmode=disable", s.Port, User, db)
}

// ConnString returns a libpq key=value connection string for User on
// Database over TCP ("host=127.0.0.1 port=… user=remotestore
// dbname=remotestore sslmode=disable").
func (s *Server) ConnString() string { return s.connString(Database) }

// URL returns a postgres:// URL for User on Database over TCP.
func (s *Server) URL() string {
	return fmt.Sprintf("postgres://%s@127.0.0.1:%d/%s?sslmode=disable", User, s.Port, Database)
}

// Dir returns the cluster's temporary folder (data/ and sock/ below it).
func (s *Server) Dir() string { return s.dir }

// Log returns the tail of initdb's and the server's output.
func (s *Server) Log() string { return s.log.Tail(4 << 10) }

// Stop shuts the server down (fast shutdown: sessions are ended) and
// removes its folder.
func (s *Server) Stop() error {
	s.proc.Stop(syscall.SIGINT, 15*time.Second)
	return os.RemoveAll(s.dir)
}

var tableSeq atomic.Int64

// Table returns a new table name, unique in this run, for one test
// ("t<n>_<random>": lower case, a valid unquoted identifier).
func Table(t testing.TB) string {
	t.Helper()
	return fmt.Sprintf("t%d_%s", tableSeq.Add(1), harness.RandHex(4))
}
