// Package memory is a Backend that keeps files in process memory: for tests,
// examples and scratch work. It behaves like an object store (folders exist
// while files lie below them) and is safe for concurrent use.
//
// # URL and config
//
//	mem://
//
// Every Open returns a new, empty backend; there are no options. In a YAML
// config: `type: mem`.
//
// # Capabilities
//
// read, range-read, write, atomic-write (a write is buffered and published
// at Commit), list, delete, server-side-copy, atomic-move, mod-time, etag
// (SHA-256 of the content). Not real-folders.
package memory

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"iter"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/remotestore/remotestore/store"
)

// Scheme is the URL scheme of the memory backend.
const Scheme = "mem"

// Config configures a memory backend. It has no fields today.
type Config struct{}

func init() {
	store.Register(Scheme, store.NewDriver(ParseURL, func(ctx context.Context, c Config) (store.Backend, error) {
		return New(ctx, c)
	}))
}

// ParseURL parses "mem://". Paths and query parameters are refused.
func ParseURL(u *url.URL) (Config, error) {
	if u.Host != "" || strings.Trim(u.Path, "/") != "" || u.RawQuery != "" {
		return Config{}, fmt.Errorf("%w: mem URL takes no host, path or query: %s", store.ErrInvalidConfig, u.Redacted())
	}
	return Config{}, nil
}

// Backend is the in-memory backend.
type Backend struct {
	mu    sync.RWMutex
	files map[string]*file
	now   func() time.Time
}

type file struct {
	data []byte // never mutated after publication
	mod  time.Time
	etag string
}

var (
	_ store.Backend        = (*Backend)(nil)
	_ store.Copier         = (*Backend)(nil)
	_ store.Mover          = (*Backend)(nil)
	_ store.FolderDeleter  = (*Backend)(nil)
	_ store.ReaderAtOpener = (*Backend)(nil)
)

// New returns an empty memory backend.
func New(_ context.Context, _ Config) (*Backend, error) {
	return &Backend{files: map[string]*file{}, now: time.Now}, nil
}

// NewStore returns a Store over a new, empty memory backend.
func NewStore() *store.Store {
	b, _ := New(context.Background(), Config{})
	return store.New(b)
}

// Scheme implements store.Backend.
func (b *Backend) Scheme() string { return Scheme }

// Capabilities implements store.Backend.
func (b *Backend) Capabilities() store.Capability {
	return store.CapRead | store.CapRangeRead | store.CapWrite | store.CapAtomicWrite | store.CapList |
		store.CapDelete | store.CapServerSideCopy | store.CapAtomicMove | store.CapModTime | store.CapETag
}

// URI implements store.Backend.
func (b *Backend) URI(path string) string { return "mem:///" + path }

// Classify implements store.Backend: errors of this backend already wrap
// sentinels.
func (b *Backend) Classify(error) error { return nil }

// Close implements store.Backend.
func (b *Backend) Close() error { return nil }

// isFolderLocked reports whether some file lies below p.
func (b *Backend) isFolderLocked(p string) bool {
	if p == "" {
		return true
	}
	prefix := p + "/"
	for k := range b.files {
		if strings.HasPrefix(k, prefix) {
			return true
		}
	}
	return false
}

// Stat implements store.Backend.
func (b *Backend) Stat(_ context.Context, p string) (store.Info, error) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	if f, ok := b.files[p]; ok {
		return store.Info{Path: p, Size: int64(len(f.data)), ModTime: f.mod, ETag: f.etag}, nil
	}
	if b.isFolderLocked(p) {
		return store.Info{Path: p, IsFolder: true}, nil
	}
	return store.Info{}, store.ErrNotFound
}

func (b *Backend) get(p string) (*file, error) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	if f, ok := b.files[p]; ok {
		return f, nil
	}
	if b.isFolderLocked(p) {
		return nil, store.ErrIsFolder
	}
	return nil, store.ErrNotFound
}

// OpenRange implements store.Backend.
func (b *Backend) OpenRange(_ context.Context, p string, off, length int64) (io.ReadCloser, error) {
	f, err := b.get(p)
	if err != nil {
		return nil, err
	}
	data := f.data
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	data = data[off:]
	if length >= 0 && length < int64(len(data)) {
		data = data[:length]
	}
	return io.NopCloser(bytes.NewReader(data)), nil
}

// OpenReaderAt implements store.ReaderAtOpener.
func (b *Backend) OpenReaderAt(_ context.Context, p string) (store.ReaderAtCloser, error) {
	f, err := b.get(p)
	if err != nil {
		return nil, err
	}
	return readerAt{bytes.NewReader(f.data)}, nil
}

type readerAt struct{ *bytes.Reader }

func (readerAt) Close() error { return nil }

// NewWriter implements store.Backend. The content is buffered and published
// at Commit.
func (b *Backend) NewWriter(ctx context.Context, p string, opts *store.WriteOptions) (store.BackendWriter, error) {
	return &writer{b: b, ctx: ctx, path: p, overwrite: opts.Overwrite}, nil
}

type writer struct {
	b         *Backend
	ctx       context.Context
	path      string
	overwrite bool
	buf       bytes.Buffer
	done      bool
}

func (w *writer) Write(p []byte) (int, error) {
	if w.done {
		return 0, fmt.Errorf("%w: write after commit or abort", store.ErrPrecondition)
	}
	if err := w.ctx.Err(); err != nil {
		return 0, err
	}
	return w.buf.Write(p)
}

func (w *writer) Commit() error {
	if w.done {
		return fmt.Errorf("%w: commit after commit or abort", store.ErrPrecondition)
	}
	w.done = true
	if err := w.ctx.Err(); err != nil {
		return err
	}
	data := w.buf.Bytes()
	w.buf = bytes.Buffer{}
	return w.b.put(w.path, data, w.overwrite)
}

func (w *writer) Abort() error { w.done = true; w.buf = bytes.Buffer{}; return nil }
func (w *writer) Close() error { return w.Abort() }

// put publishes data at p, checking the folder/file rules under the lock.
func (b *Backend) put(p string, data []byte, overwrite bool) error {
	sum := sha256.Sum256(data)
	f := &file{data: data, mod: b.now(), etag: hex.EncodeToString(sum[:16])}
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.checkPutLocked(p, overwrite); err != nil {
		return err
	}
	b.files[p] = f
	return nil
}

func (b *Backend) checkPutLocked(p string, overwrite bool) error {
	if _, ok := b.files[p]; ok && !overwrite {
		return store.ErrAlreadyExists
	}
	if b.isFolderLocked(p) {
		return store.ErrIsFolder
	}
	for parent := store.ParentPath(p); parent != ""; parent = store.ParentPath(parent) {
		if _, ok := b.files[parent]; ok {
			return fmt.Errorf("%w: parent %q is a file", store.ErrNotFolder, parent)
		}
	}
	return nil
}

// List implements store.Backend.
func (b *Backend) List(ctx context.Context, p string) iter.Seq2[store.Info, error] {
	return func(yield func(store.Info, error) bool) {
		prefix := ""
		if p != "" {
			prefix = p + "/"
		}
		// Snapshot the level under the lock; yield outside it so callers may
		// write while iterating.
		b.mu.RLock()
		var out []store.Info
		seen := map[string]bool{}
		for k, f := range b.files {
			if !strings.HasPrefix(k, prefix) {
				continue
			}
			rest := k[len(prefix):]
			if i := strings.IndexByte(rest, '/'); i >= 0 {
				dir := prefix + rest[:i]
				if !seen[dir] {
					seen[dir] = true
					out = append(out, store.Info{Path: dir, IsFolder: true})
				}
				continue
			}
			out = append(out, store.Info{Path: k, Size: int64(len(f.data)), ModTime: f.mod, ETag: f.etag})
		}
		b.mu.RUnlock()
		for _, info := range out {
			if err := ctx.Err(); err != nil {
				yield(store.Info{}, err)
				return
			}
			if !yield(info, nil) {
				return
			}
		}
	}
}

// Delete implements store.Backend.
func (b *Backend) Delete(_ context.Context, p string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.files[p]; ok {
		delete(b.files, p)
		return nil
	}
	if b.isFolderLocked(p) {
		return store.ErrIsFolder
	}
	return store.ErrNotFound
}

// DeleteFolder implements store.FolderDeleter.
func (b *Backend) DeleteFolder(_ context.Context, p string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	prefix := p + "/"
	for k := range b.files {
		if p == "" || strings.HasPrefix(k, prefix) {
			delete(b.files, k)
		}
	}
	return nil
}

// Copy implements store.Copier.
func (b *Backend) Copy(_ context.Context, src, dst string, overwrite bool) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	f, ok := b.files[src]
	if !ok {
		return store.ErrNotFound
	}
	if err := b.checkPutLocked(dst, overwrite); err != nil {
		return err
	}
	b.files[dst] = &file{data: f.data, mod: b.now(), etag: f.etag}
	return nil
}

// Move implements store.Mover.
func (b *Backend) Move(_ context.Context, src, dst string, overwrite bool) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	f, ok := b.files[src]
	if !ok {
		return store.ErrNotFound
	}
	if err := b.checkPutLocked(dst, overwrite); err != nil {
		return err
	}
	b.files[dst] = f
	delete(b.files, src)
	return nil
}
