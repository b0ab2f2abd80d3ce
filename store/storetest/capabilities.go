package storetest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/remotestore/remotestore/backends/memory"
	"github.com/remotestore/remotestore/store"
)

func capabilityTests() []test {
	return []test{
		{name: "Declared", fn: testCapsDeclared},
		{name: "ModTime", needs: store.CapModTime, fixtures: true, fn: testModTime},
		{name: "ETag", needs: store.CapETag, fixtures: true, fn: testETag},
		{name: "NoModTime", fixtures: true, fn: testNoModTime},
		{name: "NoETag", fixtures: true, fn: testNoETag},
		{name: "Undeclared", fn: testUndeclared},
		{name: "Masked", fn: testMasked},
	}
}

// gating are the capabilities that decide whether a call is allowed; the
// others (server-side copy, atomic move, real folders, mod-time, etag) say
// how well allowed calls work.
var gating = []store.Capability{
	store.CapRead, store.CapRangeRead, store.CapWrite, store.CapAtomicWrite, store.CapList, store.CapDelete,
}

func testCapsDeclared(e *env) {
	all := store.Capability(0)
	for _, c := range store.AllCapabilities() {
		all |= c
	}
	if e.caps&^all != 0 {
		e.t.Errorf("Capabilities() = %b has undefined bits %b", e.caps, e.caps&^all)
	}
	if got := e.st.Backend().Capabilities(); got != e.caps || e.st.Capabilities() != e.caps {
		e.t.Errorf("capabilities differ between calls or stores: %s vs %s", got, e.caps)
	}
	if e.caps.Has(store.CapRangeRead) && !e.caps.Has(store.CapRead) {
		e.t.Error("range-read declared without read")
	}
	if e.caps.Has(store.CapAtomicWrite) && !e.caps.Has(store.CapWrite) {
		e.t.Error("atomic-write declared without write")
	}
	e.t.Logf("%s backend declares %s", e.st.Backend().Scheme(), e.caps)
}

func testModTime(e *env) {
	before := time.Now()
	e.put(e.st, "mt.txt", []byte("one"))
	info, err := e.st.Stat(e.ctx, "mt.txt")
	if err != nil {
		e.t.Fatalf("Stat: %v", err)
	}
	if info.ModTime.IsZero() {
		e.t.Fatal("mod-time declared, but Stat reports a zero ModTime")
	}
	// Allow for clock skew and second resolution, not for a wrong epoch or
	// time zone.
	if d := info.ModTime.Sub(before); d < -time.Hour || d > time.Hour {
		e.t.Errorf("ModTime %v is %v away from the time of writing %v", info.ModTime, d, before)
	}
	if e.has(store.CapList) {
		for f, err := range e.st.ListFiles(e.ctx, "", nil) {
			if err == nil && f.Path == "mt.txt" && f.ModTime.IsZero() {
				e.t.Log("listing reports a zero ModTime (Stat does not)")
			}
		}
	}
	e.put(e.st, "mt.txt", []byte("two"))
	info2, err := e.st.Stat(e.ctx, "mt.txt")
	if err != nil {
		e.t.Fatalf("Stat after rewrite: %v", err)
	}
	if info2.ModTime.Before(info.ModTime) {
		e.t.Errorf("ModTime went back after a rewrite: %v, then %v", info.ModTime, info2.ModTime)
	}
}

func testETag(e *env) {
	e.put(e.st, "etag.txt", []byte("version one"))
	info, err := e.st.Stat(e.ctx, "etag.txt")
	if err != nil {
		e.t.Fatalf("Stat: %v", err)
	}
	if info.ETag == "" {
		e.t.Fatal("etag declared, but Stat reports an empty ETag")
	}
	e.put(e.st, "etag.txt", []byte("version two, different"))
	info2, err := e.st.Stat(e.ctx, "etag.txt")
	if err != nil {
		e.t.Fatalf("Stat after rewrite: %v", err)
	}
	if info2.ETag == "" || info2.ETag == info.ETag {
		e.t.Errorf("ETag did not change with the content: %q, then %q", info.ETag, info2.ETag)
	}
	e.put(e.st, "etag-other.txt", []byte("version one"))
	info3, err := e.st.Stat(e.ctx, "etag-other.txt")
	if err != nil || info3.ETag == "" {
		e.t.Errorf("Stat(etag-other.txt) = %+v, %v", info3, err)
	}
}

// testNoModTime: without mod-time, Stat must not report one (callers rely
// on the capability, not on guessing).
func testNoModTime(e *env) {
	if e.has(store.CapModTime) {
		e.t.Skip("backend declares mod-time")
	}
	e.put(e.st, "f.txt", []byte("x"))
	if info, err := e.st.Stat(e.ctx, "f.txt"); err != nil || !info.ModTime.IsZero() {
		e.t.Errorf("without mod-time declared, Stat = %+v, %v; want a zero ModTime (declare the capability)", info, err)
	}
}

func testNoETag(e *env) {
	if e.has(store.CapETag) {
		e.t.Skip("backend declares etag")
	}
	e.put(e.st, "f.txt", []byte("x"))
	if info, err := e.st.Stat(e.ctx, "f.txt"); err != nil || info.ETag != "" {
		e.t.Errorf("without etag declared, Stat = %+v, %v; want no ETag (declare the capability)", info, err)
	}
}

// testUndeclared checks, for every gating capability the backend does not
// declare, that the calls needing it fail with ErrNotSupported.
func testUndeclared(e *env) {
	ran := 0
	for _, c := range gating {
		if e.has(c) {
			continue
		}
		ran++
		e.t.Run(capName(c), func(t *testing.T) {
			sub := *e
			sub.t = t
			refuses(&sub, e.st, c)
		})
	}
	if ran == 0 {
		e.t.Skipf("backend declares every gating capability (%s); see Masked", e.caps)
	}
}

// testMasked hides each declared gating capability in turn behind a
// wrapper and checks that Store refuses the calls needing it before they
// reach the backend.
func testMasked(e *env) {
	for _, c := range gating {
		if !e.has(c) {
			continue
		}
		e.t.Run(capName(c), func(t *testing.T) {
			m := &maskedBackend{Backend: e.st.Backend(), caps: e.caps &^ c, hidden: c}
			masked, err := store.New(m).Sub(e.st.Root()) // not closed: it shares e.st's backend
			if err != nil {
				t.Fatal(err)
			}
			sub := *e
			sub.t, sub.caps = t, m.caps
			refuses(&sub, masked, c)
			for _, v := range m.calls() {
				t.Errorf("Store called backend.%s although %s is not declared", v, capName(c))
			}
		})
	}
}

func capName(c store.Capability) string { return c.String() }

// refuses checks that every call needing capability c fails on st with
// ErrNotSupported, and leaves nothing behind.
func refuses(e *env, st *store.Store, c store.Capability) {
	ctx := e.ctx
	want := func(err error, call string) {
		e.t.Helper()
		e.wantErr(err, store.ErrNotSupported, call)
		if err != nil && !strings.Contains(err.Error(), c.String()) {
			e.t.Errorf("%s: error %q does not name the missing capability %s", call, err, c)
		}
	}
	firstErr := func(seq iter.Seq2[store.Info, error]) error {
		for _, err := range seq {
			if err != nil {
				return err
			}
		}
		return nil
	}
	switch c {
	case store.CapRead:
		_, err := st.Open(ctx, "f.txt")
		want(err, "Open")
		_, err = st.ReadBytes(ctx, "f.txt")
		want(err, "ReadBytes")
		_, err = st.ReadString(ctx, "f.txt")
		want(err, "ReadString")
		_, err = st.OpenRange(ctx, "f.txt", 1, 2)
		want(err, "OpenRange")
		_, err = st.OpenSeekable(ctx, "f.txt")
		want(err, "OpenSeekable")
		want(st.Copy(ctx, "f.txt", "g.txt", nil), "Copy")
	case store.CapRangeRead:
		_, err := st.OpenRange(ctx, "f.txt", 1, -1)
		want(err, "OpenRange(1, -1)")
		_, err = st.OpenRange(ctx, "f.txt", 0, 5)
		want(err, "OpenRange(0, 5)")
		_, err = st.OpenSeekable(ctx, "f.txt")
		want(err, "OpenSeekable")
	case store.CapWrite:
		want(st.WriteString(ctx, "w.txt", "x", nil), "WriteString")
		want(st.WriteBytes(ctx, "w.txt", []byte("x"), overwrite), "WriteBytes")
		want(st.Write(ctx, "w.txt", strings.NewReader("x"), nil), "Write")
		_, err := st.NewWriter(ctx, "w.txt", nil)
		want(err, "NewWriter")
		want(st.WriteAtomic(ctx, "w.txt", strings.NewReader("x"), nil), "WriteAtomic")
		want(st.Copy(ctx, "f.txt", "w.txt", nil), "Copy")
		want(st.Move(ctx, "f.txt", "w.txt", nil), "Move")
		mem := memory.NewStore()
		defer mem.Close()
		if err := mem.WriteString(ctx, "m.txt", "from memory", nil); err != nil {
			e.t.Fatal(err)
		}
		want(store.Copy(ctx, st, "w.txt", mem, "m.txt", nil), "store.Copy(memory → store)")
	case store.CapAtomicWrite:
		_, err := st.NewAtomicWriter(ctx, "w.txt", nil)
		want(err, "NewAtomicWriter")
		want(st.WriteAtomic(ctx, "w.txt", strings.NewReader("x"), overwrite), "WriteAtomic")
	case store.CapList:
		want(firstErr(st.List(ctx, "", nil)), "List")
		want(firstErr(st.ListFiles(ctx, "", &store.ListOptions{MaxDepth: 1})), "ListFiles")
		want(firstErr(st.ListFolders(ctx, "", nil)), "ListFolders")
		want(firstErr(st.Glob(ctx, "*.txt")), "Glob(*.txt)")
		want(firstErr(st.Glob(ctx, "**")), "Glob(**)")
		_, err := st.FolderInfo(ctx, "", nil)
		want(err, "FolderInfo")
		want(st.DeleteFolder(ctx, "d"), "DeleteFolder")
	case store.CapDelete:
		want(st.Delete(ctx, "f.txt", nil), "Delete")
		want(st.Delete(ctx, "missing.txt", &store.DeleteOptions{MissingOK: true}), "Delete(MissingOK)")
		want(st.DeleteFolder(ctx, "d"), "DeleteFolder")
		want(st.Move(ctx, "f.txt", "g.txt", nil), "Move")
	default:
		panic(fmt.Sprintf("storetest: no refusal checks for %s", c))
	}
	if e.has(store.CapRead) && c != store.CapRead && c != store.CapRangeRead {
		for _, p := range []string{"w.txt", "g.txt"} {
			if _, err := st.ReadBytes(ctx, p); !errors.Is(err, store.ErrNotFound) {
				e.t.Errorf("after refused calls, ReadBytes(%s) = %v, want ErrNotFound", p, err)
			}
		}
	}
}

// maskedBackend hides capability hidden and records calls that need it.
type maskedBackend struct {
	store.Backend
	caps   store.Capability
	hidden store.Capability

	mu         sync.Mutex
	violations []string
}

func (m *maskedBackend) Capabilities() store.Capability { return m.caps }
func (m *maskedBackend) Close() error                   { return nil }

func (m *maskedBackend) record(call string, needs store.Capability) {
	if needs&m.hidden != 0 {
		m.mu.Lock()
		m.violations = append(m.violations, call)
		m.mu.Unlock()
	}
}

func (m *maskedBackend) calls() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string(nil), m.violations...)
}

func (m *maskedBackend) OpenRange(ctx context.Context, p string, off, length int64) (io.ReadCloser, error) {
	needs := store.CapRead
	if off != 0 || length >= 0 {
		needs |= store.CapRangeRead
	}
	m.record(fmt.Sprintf("OpenRange(%q, %d, %d)", p, off, length), needs)
	return m.Backend.OpenRange(ctx, p, off, length)
}

func (m *maskedBackend) NewWriter(ctx context.Context, p string, opts *store.WriteOptions) (store.BackendWriter, error) {
	m.record(fmt.Sprintf("NewWriter(%q)", p), store.CapWrite|store.CapAtomicWrite)
	return m.Backend.NewWriter(ctx, p, opts)
}

func (m *maskedBackend) List(ctx context.Context, p string) iter.Seq2[store.Info, error] {
	m.record(fmt.Sprintf("List(%q)", p), store.CapList)
	return m.Backend.List(ctx, p)
}

func (m *maskedBackend) Delete(ctx context.Context, p string) error {
	m.record(fmt.Sprintf("Delete(%q)", p), store.CapDelete)
	return m.Backend.Delete(ctx, p)
}
