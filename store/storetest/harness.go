// Package storetest is the conformance suite every store.Backend passes, in
// the manner of gocloud's drivertest and testing/fstest. It is an ordinary
// (non-test) package so third parties can run it against their own backends:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, storetest.Harness{
//			NewStore: func(ctx context.Context, t testing.TB) (*store.Store, error) {
//				return store.New(mybackend.New(t.TempDir())), nil
//			},
//		})
//	}
//
// Run exercises every Store method twice: on the store NewStore returns, and
// through st.Sub(SubPrefix), so root confinement is checked on every backend.
// Tests are grouped by topic (read, write, atomic, list, copy, delete, paths,
// fs, concurrency, large, capabilities, errors); each needs certain
// capabilities and is skipped, naming them, when the backend does not declare
// them. Every capability the backend does not declare is checked the other
// way round: the calls that need it must fail with store.ErrNotSupported.
//
// A backend that cannot write (an HTTP server) still runs the read subset:
// its harness supplies Seed, which puts fixture files in place out of band.
//
// RunBenchmarks measures streaming write and read throughput, random 64 KiB
// ReadAt and listing on the same harness.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"testing"

	"github.com/remotestore/remotestore/store"
)

// SubPrefix is the folder the second pass of Run goes through with Sub.
const SubPrefix = "some/prefix"

// Harness is what a backend's test gives the suite.
type Harness struct {
	// NewStore returns a store over an EMPTY area: a fresh temporary
	// folder, bucket prefix (a Sub of the bucket's store) or database
	// schema. It is called once per subtest (and per benchmark). The suite
	// closes the store when the subtest ends, which closes its backend, so
	// each call returns a store over a backend of its own; NewStore
	// registers any other cleanup (removing the area) with t.Cleanup.
	// Required.
	NewStore func(ctx context.Context, t testing.TB) (*store.Store, error)

	// Seed writes a fixture file out of band, for backends without
	// store.CapWrite (an HTTP server whose files are put in place by
	// other means). st is the store under test — what NewStore returned,
	// or a Sub of it — and path is clean and relative to st: st.Resolve(path) gives
	// the key relative to the backend's root and the native URI. Missing
	// parent folders must be created. Seed is also used, when set, by the
	// read tests of writable backends. Optional.
	Seed func(ctx context.Context, st *store.Store, path string, r io.Reader) error

	// Close is called once when Run or RunBenchmarks ends. Optional.
	Close func()

	// Options declares the backend's exceptions to the suite.
	Options Options
}

// Options lists a backend's declared exceptions to the suite. Each one is a
// written reason: an empty string means "no exception".
type Options struct {
	// Skip maps a test's key, "topic/Name" as in the subtest names (for
	// example "fs/TestFS"), or a whole "topic", to the reason it does not
	// apply. The test is skipped with that reason.
	Skip map[string]string

	// NoExclusiveCreate, when set, says why concurrent writers with
	// Overwrite false may all succeed (an object store without conditional
	// writes). The suite then checks only that the final content is one
	// writer's whole content.
	NoExclusiveCreate string

	// LargeSize is the size of the large-file tests in bytes; 0 means
	// 64 MiB (4 MiB with -short).
	LargeSize int64

	// BenchListEntries is the number of files the listing benchmark
	// creates; 0 means 10,000.
	BenchListEntries int
}

// Run runs the conformance suite: every topic on the store NewStore returns
// ("root"), then again through Sub(SubPrefix) ("sub").
func Run(t *testing.T, h Harness) {
	t.Helper()
	if h.NewStore == nil {
		t.Fatal("storetest: Harness.NewStore is required")
	}
	if h.Close != nil {
		t.Cleanup(h.Close)
	}
	checkSkipKeys(t, h.Options.Skip)
	for _, mode := range []string{"", SubPrefix} {
		name := "root"
		if mode != "" {
			name = "sub"
		}
		t.Run(name, func(t *testing.T) {
			for _, tp := range topics {
				t.Run(tp.name, func(t *testing.T) {
					if why := h.Options.Skip[tp.name]; why != "" {
						t.Skipf("declared exception for %s: %s", tp.name, why)
					}
					for _, tc := range tp.tests() {
						t.Run(tc.name, func(t *testing.T) {
							runTest(t, &h, mode, tp.name, tc)
						})
					}
				})
			}
		})
	}
}

// test is one conformance check.
type test struct {
	name string
	// needs lists capabilities the test requires; it is skipped without.
	needs store.Capability
	// fixtures says the test creates files through the store or Seed.
	fixtures bool
	fn       func(e *env)
}

// topics lists the suite's topics in run order; each lives in its own file.
var topics = []struct {
	name  string
	tests func() []test
}{
	{"read", readTests},
	{"write", writeTests},
	{"atomic", atomicTests},
	{"list", listTests},
	{"copy", copyTests},
	{"delete", deleteTests},
	{"paths", pathTests},
	{"fs", fsTests},
	{"concurrency", concurrencyTests},
	{"large", largeTests},
	{"capabilities", capabilityTests},
	{"errors", errorTests},
}

// checkSkipKeys fails on an Options.Skip key that names no topic or test,
// so a typo cannot silently keep a test running (or a rename silently
// leave a stale exception).
func checkSkipKeys(t *testing.T, skip map[string]string) {
	t.Helper()
	known := map[string]bool{}
	for _, tp := range topics {
		known[tp.name] = true
		for _, tc := range tp.tests() {
			known[tp.name+"/"+tc.name] = true
		}
	}
	for _, k := range sortedKeys(skip) {
		if !known[k] {
			t.Errorf("storetest: Options.Skip key %q names no topic or test", k)
		}
		if skip[k] == "" {
			t.Errorf("storetest: Options.Skip key %q has no reason", k)
		}
	}
}

func runTest(t *testing.T, h *Harness, prefix, topic string, tc test) {
	key := topic + "/" + tc.name
	if why := h.Options.Skip[key]; why != "" {
		t.Skipf("declared exception for %s: %s", key, why)
	}
	e := newEnv(t, h, prefix)
	if missing := tc.needs &^ e.caps; missing != 0 {
		t.Skipf("backend lacks capability %s (declared: %s)", missing, e.caps)
	}
	if tc.fixtures && !e.canPut() {
		t.Skipf("cannot create fixtures: backend lacks capability %s and the harness has no Seed", store.CapWrite)
	}
	tc.fn(e)
}

// env is one subtest's view: the store under test and helpers around it.
type env struct {
	t      *testing.T
	ctx    context.Context
	h      *Harness
	st     *store.Store // the store under test: base, or base.Sub(prefix)
	base   *store.Store // what Harness.NewStore returned
	prefix string       // "" or SubPrefix
	caps   store.Capability
}

func newEnv(t *testing.T, h *Harness, prefix string) *env {
	t.Helper()
	ctx := t.Context()
	base, err := h.NewStore(ctx, t)
	if err != nil {
		t.Fatalf("Harness.NewStore: %v", err)
	}
	if base == nil {
		t.Fatal("Harness.NewStore returned a nil store")
	}
	t.Cleanup(func() {
		if err := base.Close(); err != nil {
			t.Errorf("closing the store: %v", err)
		}
	})
	st := base
	if prefix != "" {
		if st, err = base.Sub(prefix); err != nil {
			t.Fatalf("Sub(%q): %v", prefix, err)
		}
	}
	return &env{t: t, ctx: ctx, h: h, st: st, base: base, prefix: prefix, caps: base.Capabilities()}
}

// has reports whether the backend declares every capability in c.
func (e *env) has(c store.Capability) bool { return e.caps.Has(c) }

// need skips the test unless the backend declares c.
func (e *env) need(c store.Capability) {
	e.t.Helper()
	if missing := c &^ e.caps; missing != 0 {
		e.t.Skipf("backend lacks capability %s", missing)
	}
}

// canPut reports whether fixtures can be created.
func (e *env) canPut() bool { return e.has(store.CapWrite) || e.h.Seed != nil }

// put creates the fixture file path (relative to st) with data.
func (e *env) put(st *store.Store, path string, data []byte) {
	e.t.Helper()
	e.putReader(st, path, strings.NewReader(string(data)))
}

// putReader creates the fixture file path from r, streaming.
func (e *env) putReader(st *store.Store, path string, r io.Reader) {
	e.t.Helper()
	var err error
	if e.h.Seed != nil && !e.has(store.CapWrite) {
		clean, cerr := store.CleanPath(path)
		if cerr != nil {
			e.t.Fatalf("fixture path %q: %v", path, cerr)
		}
		err = e.h.Seed(e.ctx, st, clean, r)
	} else {
		err = st.Write(e.ctx, path, r, &store.WriteOptions{Overwrite: true})
	}
	if err != nil {
		e.t.Fatalf("creating fixture %q: %v", path, err)
	}
}

// putTree creates every file of files (path → content) in st.
func (e *env) putTree(st *store.Store, files map[string]string) {
	e.t.Helper()
	for _, p := range sortedKeys(files) {
		e.put(st, p, []byte(files[p]))
	}
}

// read returns the content of path, failing the test on error.
func (e *env) read(st *store.Store, path string) []byte {
	e.t.Helper()
	b, err := st.ReadBytes(e.ctx, path)
	if err != nil {
		e.t.Fatalf("ReadBytes(%q): %v", path, err)
	}
	return b
}

// wantContent checks that path holds exactly want.
func (e *env) wantContent(st *store.Store, path string, want []byte) {
	e.t.Helper()
	got, err := st.ReadBytes(e.ctx, path)
	if err != nil {
		e.t.Errorf("ReadBytes(%q): %v", path, err)
		return
	}
	if string(got) != string(want) {
		e.t.Errorf("ReadBytes(%q) = %s, want %s", path, preview(got), preview(want))
	}
}

// wantMissing checks that nothing exists at path.
func (e *env) wantMissing(st *store.Store, path string) {
	e.t.Helper()
	ok, err := st.Exists(e.ctx, path)
	if err != nil {
		e.t.Errorf("Exists(%q): %v", path, err)
	} else if ok {
		e.t.Errorf("Exists(%q) = true, want false", path)
	}
}

// wantErr checks that err wraps sentinel and names path in its message.
func (e *env) wantErr(err, sentinel error, call string) {
	e.t.Helper()
	if err == nil {
		e.t.Errorf("%s: got nil error, want %v", call, sentinel)
		return
	}
	if !errors.Is(err, sentinel) {
		e.t.Errorf("%s: got %v (kind %q), want an error matching %v", call, err, store.KindName(err), sentinel)
	}
}

// preview prints at most 64 bytes of b, with its length.
func preview(b []byte) string {
	if len(b) <= 64 {
		return fmt.Sprintf("%q (%d bytes)", b, len(b))
	}
	return fmt.Sprintf("%q… (%d bytes)", b[:64], len(b))
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
