package storetest_test

import (
	"context"
	"io"
	"iter"
	"testing"
	"time"

	"github.com/remotestore/remotestore/backends/memory"
	"github.com/remotestore/remotestore/store"
	"github.com/remotestore/remotestore/store/storetest"
)

// The suite runs against variants of the memory backend that stand in for
// backends this package cannot start: a read-only HTTP-like server (fixtures
// seeded out of band), one without range reads, and one with none of the
// optional interfaces, so every Store fallback runs (copy = read+write,
// move = copy+delete, DeleteFolder by listing, ReadAt by ranged reads), with
// and without a flat WalkLister listing.

// plain hides the memory backend's optional interfaces and, when caps is
// not zero, some of its capabilities.
type plain struct {
	store.Backend
	caps store.Capability
}

func (p plain) Capabilities() store.Capability {
	if p.caps != 0 {
		return p.caps
	}
	return p.Backend.Capabilities()
}

// walker adds a flat listing (an object store's ListObjects) to plain.
type walker struct{ plain }

func (w walker) ListAll(ctx context.Context, dir string) iter.Seq2[store.Info, error] {
	return func(yield func(store.Info, error) bool) {
		var walk func(d string) bool
		walk = func(d string) bool {
			for info, err := range w.List(ctx, d) {
				if err != nil {
					return yield(store.Info{}, err)
				}
				if info.IsFolder {
					if !walk(info.Path) {
						return false
					}
				} else if !yield(info, nil) {
					return false
				}
			}
			return true
		}
		walk(dir)
	}
}

var _ store.WalkLister = walker{}

// Stat drops what the declared capabilities do not promise.
func (p plain) Stat(ctx context.Context, path string) (store.Info, error) {
	info, err := p.Backend.Stat(ctx, path)
	if !p.Capabilities().Has(store.CapModTime) {
		info.ModTime = time.Time{}
	}
	if !p.Capabilities().Has(store.CapETag) {
		info.ETag = ""
	}
	return info, err
}

func newMemory(t testing.TB) *memory.Backend {
	b, err := memory.New(context.Background(), memory.Config{})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// seedMemory writes fixtures into the memory backend under a read-only
// store, the way an HTTP backend's harness writes files into the folder its
// server serves.
func seedMemory(ctx context.Context, st *store.Store, path string, r io.Reader) error {
	res, err := st.Resolve(path)
	if err != nil {
		return err
	}
	full := store.New(st.Backend().(plain).Backend)
	return full.Write(ctx, res.Key, r, &store.WriteOptions{Overwrite: true})
}

func TestReadOnly(t *testing.T) {
	storetest.Run(t, storetest.Harness{
		NewStore: func(_ context.Context, t testing.TB) (*store.Store, error) {
			return store.New(plain{Backend: newMemory(t), caps: store.CapRead | store.CapRangeRead | store.CapModTime | store.CapETag}), nil
		},
		Seed: seedMemory,
	})
}

func TestReadOnlyNoRange(t *testing.T) {
	storetest.Run(t, storetest.Harness{
		NewStore: func(_ context.Context, t testing.TB) (*store.Store, error) {
			return store.New(plain{Backend: newMemory(t), caps: store.CapRead}), nil
		},
		Seed:    seedMemory,
		Options: storetest.Options{LargeSize: 8 << 20},
	})
}

func TestFallbacks(t *testing.T) {
	storetest.Run(t, storetest.Harness{
		NewStore: func(_ context.Context, t testing.TB) (*store.Store, error) {
			return store.New(plain{Backend: newMemory(t)}), nil
		},
		Options: storetest.Options{LargeSize: 16 << 20},
	})
}

func TestWalkLister(t *testing.T) {
	storetest.Run(t, storetest.Harness{
		NewStore: func(_ context.Context, t testing.TB) (*store.Store, error) {
			return store.New(walker{plain{Backend: newMemory(t)}}), nil
		},
		Options: storetest.Options{
			LargeSize: 8 << 20,
			Skip:      map[string]string{"concurrency": "covered by TestFallbacks; this variant only changes listing"},
		},
	})
}
