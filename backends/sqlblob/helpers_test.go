package sqlblob_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"runtime"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/remotestore/remotestore/backends/sqlblob"
	pgserver "github.com/remotestore/remotestore/internal/testserver/postgres"
	"github.com/remotestore/remotestore/store"
)

// driver is one database under test.
type driver struct {
	name string
	// open returns a backend over new, empty tables with the given chunk
	// size (0: the default); it skips t when the database is missing.
	open func(t testing.TB, chunk int) *sqlblob.Backend
	// count returns the number of rows of a table of b, read directly.
	count func(t testing.TB, b *sqlblob.Backend, table string) int64
}

var drivers = []driver{
	{
		name: "SQLite",
		open: func(t testing.TB, chunk int) *sqlblob.Backend {
			c := sqliteConfig(t)
			c.ChunkSize = chunk
			b, err := sqlblob.NewSQLite(t.Context(), c)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { b.Close() })
			return b
		},
		count: func(t testing.TB, b *sqlblob.Backend, table string) int64 {
			var db *sql.DB
			if !b.As(&db) {
				t.Fatal("As(**sql.DB) = false")
			}
			var n int64
			if err := db.QueryRow(`SELECT count(*) FROM "` + table + `"`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		},
	},
	{
		name: "Postgres",
		open: func(t testing.TB, chunk int) *sqlblob.Backend {
			c := pgConfig(t)
			c.ChunkSize = chunk
			b, err := sqlblob.NewPostgres(t.Context(), c)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { b.Close() })
			return b
		},
		count: func(t testing.TB, b *sqlblob.Backend, table string) int64 {
			srv := pgserver.Get(t)
			c, err := pgx.Connect(context.Background(), srv.ConnString())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close(context.Background())
			var n int64
			if err := c.QueryRow(context.Background(), `SELECT count(*) FROM "`+table+`"`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		},
	},
}

// forEach runs fn as a subtest per driver.
func forEach(t *testing.T, fn func(t *testing.T, d driver)) {
	for _, d := range drivers {
		t.Run(d.name, func(t *testing.T) { fn(t, d) })
	}
}

// wantRows checks the row counts of b's chunks and uploads tables.
func (d driver) wantRows(t *testing.T, b *sqlblob.Backend, chunks, uploads int64) {
	t.Helper()
	gotC, gotU := d.count(t, b, b.Table()+"_chunks"), d.count(t, b, b.Table()+"_uploads")
	if gotC != chunks || gotU != uploads {
		t.Errorf("%d chunk rows and %d upload rows, want %d and %d", gotC, gotU, chunks, uploads)
	}
}

// content returns n bytes that differ with seed and offset.
func content(seed, n int) []byte {
	b := make([]byte, n)
	x := uint64(seed)*0x9E3779B97F4A7C15 + 1
	for i := range b {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		b[i] = byte(x)
	}
	return b
}

// patternReader streams n pseudo-random bytes without holding them.
type patternReader struct {
	x    uint64
	n    int64
	tick func() // called every 4 MiB, for heap samples
	left int
}

func newPatternReader(seed int, n int64, tick func()) *patternReader {
	return &patternReader{x: uint64(seed)*0x9E3779B97F4A7C15 + 1, n: n, tick: tick}
}

func (p *patternReader) Read(b []byte) (int, error) {
	if p.n == 0 {
		return 0, io.EOF
	}
	if int64(len(b)) > p.n {
		b = b[:p.n]
	}
	for i := range b {
		p.x ^= p.x << 13
		p.x ^= p.x >> 7
		p.x ^= p.x << 17
		b[i] = byte(p.x)
	}
	p.n -= int64(len(b))
	if p.left -= len(b); p.left <= 0 && p.tick != nil {
		p.left = 4 << 20
		p.tick()
	}
	return len(b), nil
}

// sumOf returns the hex SHA-256 of n bytes of pattern seed.
func sumOf(seed int, n int64) string {
	h := sha256.New()
	io.Copy(h, newPatternReader(seed, n, nil))
	return hex.EncodeToString(h.Sum(nil))
}

// onlyReader hides every method but Read.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

// heapPeak samples the live heap and keeps the largest value.
type heapPeak struct{ base, peak uint64 }

func newHeapPeak() *heapPeak {
	runtime.GC()
	h := &heapPeak{}
	h.base = heapAlloc()
	h.peak = h.base
	return h
}

func heapAlloc() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

func (h *heapPeak) sample() { h.peak = max(h.peak, heapAlloc()) }

// growth returns the peak's growth over the start, in MiB.
func (h *heapPeak) growth() float64 { return float64(h.peak-h.base) / (1 << 20) }

// tickWriter is an io.Writer that calls tick every 4 MiB.
type tickWriter struct {
	w    io.Writer
	tick func()
	left int
}

func (t *tickWriter) Write(p []byte) (int, error) {
	if t.left -= len(p); t.left <= 0 {
		t.left = 4 << 20
		t.tick()
	}
	return t.w.Write(p)
}

// rawSQLite returns the database/sql handle of an SQLite store.
func rawSQLite(t testing.TB, st *store.Store) *sql.DB {
	var db *sql.DB
	if !st.As(&db) {
		t.Fatal("Store.As(**sql.DB) = false")
	}
	return db
}

func mib(n int64) string { return fmt.Sprintf("%d MiB", n>>20) }
