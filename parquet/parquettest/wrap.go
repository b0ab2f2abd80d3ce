// Package parquettest is the test suite of the parquet dataset store, run
// against any store.Store: the memory and local backends run it in
// parquet's own tests, and any other backend (S3, …) can call Run with a
// factory of fresh stores.
package parquettest

import (
	"context"
	"errors"
	"io"
	"iter"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/remotestore/remotestore/store"
)

// Counter counts what a wrapped store opened and read.
type Counter struct {
	mu        sync.Mutex
	opened    map[string]int
	bytesRead atomic.Int64
	writes    atomic.Int64
}

// Opened returns the distinct files opened for reading (paths relative to
// the backend root), excluding metadata (names or folders starting with
// "_").
func (c *Counter) Opened() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for p := range c.opened {
		out = append(out, p)
	}
	return out
}

// OpenedData returns the opened files that end in ".parquet".
func (c *Counter) OpenedData() []string {
	var out []string
	for _, p := range c.Opened() {
		if strings.HasSuffix(p, ".parquet") {
			out = append(out, p)
		}
	}
	return out
}

// BytesRead returns the bytes read from files so far.
func (c *Counter) BytesRead() int64 { return c.bytesRead.Load() }

// Reset zeroes the counts.
func (c *Counter) Reset() {
	c.mu.Lock()
	c.opened = map[string]int{}
	c.mu.Unlock()
	c.bytesRead.Store(0)
	c.writes.Store(0)
}

func (c *Counter) open(p string) {
	c.mu.Lock()
	if c.opened == nil {
		c.opened = map[string]int{}
	}
	c.opened[p]++
	c.mu.Unlock()
}

// ErrInjected is the failure a FailingStore injects.
var ErrInjected = errors.New("injected failure")

// wrap is a Backend that forwards to base, counting reads and failing the
// k-th write commit when told to.
type wrap struct {
	base     store.Backend
	count    *Counter
	failAt   atomic.Int64 // fail the commit with this 1-based number; 0: never
	commits  atomic.Int64
	failWhen func(path string) bool
}

type wrapMover struct{ *wrap }

func (w wrapMover) Move(ctx context.Context, src, dst string, overwrite bool) error {
	if w.failWhen != nil && w.failWhen(dst) {
		return ErrInjected
	}
	return w.base.(store.Mover).Move(ctx, src, dst, overwrite)
}

// Wrap returns a store over the same storage as st that counts reads into
// the returned Counter.
func Wrap(st *store.Store) (*store.Store, *Counter) {
	s, c, _ := newWrap(st)
	return s, c
}

// FailingStore returns a store over the same storage as st whose n-th
// committed write (1-based, counting every file: data files, manifests)
// fails with ErrInjected, and nothing is published for it.
func FailingStore(st *store.Store, n int64) *store.Store {
	s, _, w := newWrap(st)
	w.failAt.Store(n)
	return s
}

// CommitCount returns a store over st that counts committed writes, and a
// function reporting the count.
func CommitCount(st *store.Store) (*store.Store, func() int64) {
	s, _, w := newWrap(st)
	return s, w.commits.Load
}

func newWrap(st *store.Store) (*store.Store, *Counter, *wrap) {
	w := &wrap{base: st.Backend(), count: &Counter{}}
	var b store.Backend = w
	if _, ok := w.base.(store.Mover); ok {
		b = wrapMover{w}
	}
	s, err := store.New(b).Sub(st.Root())
	if err != nil {
		panic(err)
	}
	return s, w.count, w
}

func (w *wrap) Scheme() string                             { return w.base.Scheme() }
func (w *wrap) Capabilities() store.Capability             { return w.base.Capabilities() }
func (w *wrap) URI(p string) string                        { return w.base.URI(p) }
func (w *wrap) Classify(err error) error                   { return w.base.Classify(err) }
func (w *wrap) Close() error                               { return nil }
func (w *wrap) Delete(ctx context.Context, p string) error { return w.base.Delete(ctx, p) }
func (w *wrap) Stat(ctx context.Context, p string) (store.Info, error) {
	return w.base.Stat(ctx, p)
}
func (w *wrap) List(ctx context.Context, p string) iter.Seq2[store.Info, error] {
	return w.base.List(ctx, p)
}

func (w *wrap) OpenRange(ctx context.Context, p string, off, length int64) (io.ReadCloser, error) {
	w.count.open(p)
	rc, err := w.base.OpenRange(ctx, p, off, length)
	if err != nil {
		return nil, err
	}
	return &countReader{ReadCloser: rc, c: w.count}, nil
}

type countReader struct {
	io.ReadCloser
	c *Counter
}

func (r *countReader) Read(p []byte) (int, error) {
	n, err := r.ReadCloser.Read(p)
	r.c.bytesRead.Add(int64(n))
	return n, err
}

func (w *wrap) NewWriter(ctx context.Context, p string, opts *store.WriteOptions) (store.BackendWriter, error) {
	bw, err := w.base.NewWriter(ctx, p, opts)
	if err != nil {
		return nil, err
	}
	return &failWriter{BackendWriter: bw, w: w}, nil
}

type failWriter struct {
	store.BackendWriter
	w *wrap
}

func (f *failWriter) Commit() error {
	n := f.w.commits.Add(1)
	if at := f.w.failAt.Load(); at > 0 && n == at {
		f.BackendWriter.Abort()
		return ErrInjected
	}
	return f.BackendWriter.Commit()
}
