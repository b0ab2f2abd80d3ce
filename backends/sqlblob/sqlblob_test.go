package sqlblob_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/remotestore/remotestore/backends/sqlblob"
	pgserver "github.com/remotestore/remotestore/internal/testserver/postgres"
	"github.com/remotestore/remotestore/store"
	"github.com/remotestore/remotestore/store/storetest"
)

// The PostgreSQL tests run against a throwaway cluster started on
// 127.0.0.1 for this test binary (see internal/testserver/postgres); the
// SQLite tests against database files in temporary folders.
func TestMain(m *testing.M) { os.Exit(pgserver.Main(m)) }

// sqliteConfig returns the config of a new database file in a temporary
// folder of t.
func sqliteConfig(t testing.TB) sqlblob.SQLiteConfig {
	return sqlblob.SQLiteConfig{Path: filepath.Join(t.TempDir(), "store.db"), Table: "files"}
}

// pgConfig returns the config of a new table in the test server's
// database; the table is dropped when t ends.
func pgConfig(t testing.TB) sqlblob.PostgresConfig {
	srv := pgserver.Get(t)
	c := sqlblob.PostgresConfig{Host: srv.Host, Port: srv.Port, User: srv.User, Database: srv.Database,
		SSLMode: "disable", Table: pgserver.Table(t)}
	t.Cleanup(func() {
		ctx := context.Background()
		dc := c
		dc.NoCreate = true
		b, err := sqlblob.NewPostgres(ctx, dc)
		if err != nil {
			return // never created
		}
		defer b.Close()
		if err := b.DropTables(ctx); err != nil {
			t.Errorf("dropping the test tables: %v", err)
		}
	})
	return c
}

// small chunks, so the conformance files span many of them.
const testChunk = 64 << 10

var sqliteHarness = storetest.Harness{
	NewStore: func(ctx context.Context, t testing.TB) (*store.Store, error) {
		c := sqliteConfig(t)
		c.ChunkSize = testChunk
		b, err := sqlblob.NewSQLite(ctx, c)
		if err != nil {
			return nil, err
		}
		return store.New(b), nil
	},
	Options: storetest.Options{LargeSize: 24 << 20},
}

var pgHarness = storetest.Harness{
	NewStore: func(ctx context.Context, t testing.TB) (*store.Store, error) {
		c := pgConfig(t)
		c.ChunkSize = testChunk
		b, err := sqlblob.NewPostgres(ctx, c)
		if err != nil {
			return nil, err
		}
		return store.New(b), nil
	},
	Options: storetest.Options{LargeSize: 24 << 20},
}

func TestConformance(t *testing.T) {
	t.Run("SQLite", func(t *testing.T) { storetest.Run(t, sqliteHarness) })
	t.Run("Postgres", func(t *testing.T) {
		pgserver.Get(t)
		storetest.Run(t, pgHarness)
	})
}

func BenchmarkConformance(b *testing.B) {
	b.Run("SQLite", func(b *testing.B) { storetest.RunBenchmarks(b, sqliteHarness) })
	b.Run("Postgres", func(b *testing.B) {
		pgserver.Get(b)
		storetest.RunBenchmarks(b, pgHarness)
	})
}
