package storetest

import (
	"context"
	"errors"
	"io"
	"iter"
	"strings"
	"time"

	"github.com/remotestore/remotestore/store"
)

func errorTests() []test {
	return []test{
		{name: "NotFoundShape", needs: store.CapRead, fn: testErrorShape},
		{name: "Kinds", needs: rwd | store.CapList, fn: testErrorKinds},
		{name: "InvalidPathShape", fn: testInvalidPathShape},
		{name: "Canceled", fn: testCanceled},
		{name: "CanceledMidStream", needs: store.CapRead, fixtures: true, fn: testCanceledMidStream},
		{name: "CanceledWriter", needs: rw, fn: testCanceledWriter},
		{name: "DeadlineExceeded", fn: testDeadline},
	}
}

// wantShape checks that err is a *store.Error for op on path, of kind, whose
// message starts with "store: " and names the path.
func (e *env) wantShape(err error, op, path string, kind error) {
	e.t.Helper()
	if err == nil {
		e.t.Errorf("%s %q: got nil error, want %v", op, path, kind)
		return
	}
	var se *store.Error
	if !errors.As(err, &se) {
		e.t.Errorf("%s %q: %T %v is not a *store.Error", op, path, err, err)
		return
	}
	if se.Op != op || se.Path != path || se.Backend != e.st.Backend().Scheme() || se.Kind != kind {
		e.t.Errorf("%s %q: *store.Error{Op %q, Path %q, Backend %q, Kind %v}, want Op %q, Path %q, Backend %q, Kind %v",
			op, path, se.Op, se.Path, se.Backend, se.Kind, op, path, e.st.Backend().Scheme(), kind)
	}
	if !errors.Is(err, kind) || store.KindOf(err) != kind || store.KindName(err) == "" {
		e.t.Errorf("%s %q: errors.Is(%v) = false or KindOf = %v", op, path, kind, store.KindOf(err))
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "store: "+op+" ") || !strings.Contains(msg, path) || !strings.Contains(msg, kind.Error()) {
		e.t.Errorf("%s %q: message %q should read \"store: %s <location naming %s>: %v…\"", op, path, msg, op, path, kind)
	}
}

func testErrorShape(e *env) {
	_, err := e.st.ReadBytes(e.ctx, "missing/file-123.txt")
	e.wantShape(err, "read", "missing/file-123.txt", store.ErrNotFound)
	_, err = e.st.Stat(e.ctx, "missing/stat-456.txt")
	e.wantShape(err, "stat", "missing/stat-456.txt", store.ErrNotFound)
}

func testErrorKinds(e *env) {
	e.put(e.st, "file.txt", []byte("f"))
	e.put(e.st, "dir/in.txt", []byte("i"))
	e.wantShape(e.st.WriteString(e.ctx, "file.txt", "x", nil), "write", "file.txt", store.ErrAlreadyExists)
	e.wantShape(e.st.WriteString(e.ctx, "dir", "x", overwrite), "write", "dir", store.ErrIsFolder)
	e.wantShape(e.st.DeleteFolder(e.ctx, "file.txt"), "delete-folder", "file.txt", store.ErrNotFolder)
	e.wantShape(e.st.Delete(e.ctx, "gone.txt", nil), "delete", "gone.txt", store.ErrNotFound)
	e.wantShape(e.st.Delete(e.ctx, "dir", nil), "delete", "dir", store.ErrIsFolder)
	_, err := e.st.FolderInfo(e.ctx, "file.txt", nil)
	e.wantShape(err, "folder-info", "file.txt", store.ErrNotFolder)
	w, err := e.st.NewWriter(e.ctx, "new.txt", nil)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := w.Commit(); err != nil {
		e.t.Fatal(err)
	}
	_, err = w.Write([]byte("late"))
	e.wantShape(err, "write", "new.txt", store.ErrPrecondition)
}

func testInvalidPathShape(e *env) {
	_, err := e.st.Stat(e.ctx, "../outside")
	var se *store.Error
	if !errors.As(err, &se) || se.Op != "stat" || se.Path != "../outside" || !errors.Is(err, store.ErrInvalidPath) {
		e.t.Errorf("Stat(../outside) = %#v, want *store.Error{Op stat, Path ../outside, Kind ErrInvalidPath}", err)
	}
	if err != nil && (!strings.Contains(err.Error(), "../outside") || !strings.HasPrefix(err.Error(), "store: stat")) {
		e.t.Errorf("message %q does not name the operation and the path", err)
	}
}

// canceledCalls makes every kind of call with ctx and returns the errors by
// call name. Calls needing undeclared capabilities are left out.
func (e *env) canceledCalls(ctx context.Context) map[string]error {
	out := map[string]error{}
	first := func(seq iter.Seq2[store.Info, error]) error {
		for _, err := range seq {
			if err != nil {
				return err
			}
		}
		return nil
	}
	st := e.st
	_, out["Stat"] = st.Stat(ctx, "c/file.txt")
	_, out["Exists"] = st.Exists(ctx, "c/file.txt")
	out["Ping"] = st.Ping(ctx)
	if e.has(store.CapRead) {
		_, out["Open"] = st.Open(ctx, "c/file.txt")
		_, out["ReadBytes"] = st.ReadBytes(ctx, "c/file.txt")
	}
	if e.has(store.CapRead | store.CapRangeRead) {
		_, out["OpenRange"] = st.OpenRange(ctx, "c/file.txt", 1, 2)
		_, out["OpenSeekable"] = st.OpenSeekable(ctx, "c/file.txt")
	}
	if e.has(store.CapWrite) {
		out["WriteString"] = st.WriteString(ctx, "c/new.txt", "x", nil)
		_, out["NewWriter"] = st.NewWriter(ctx, "c/new2.txt", nil)
		out["Copy"] = st.Copy(ctx, "c/file.txt", "c/copy.txt", nil)
	}
	if e.has(store.CapList) {
		out["List"] = first(st.List(ctx, "", nil))
		out["ListFiles"] = first(st.ListFiles(ctx, "c", nil))
		out["Glob"] = first(st.Glob(ctx, "**/*.txt"))
		_, out["FolderInfo"] = st.FolderInfo(ctx, "c", nil)
	}
	if e.has(store.CapDelete) {
		out["Delete"] = st.Delete(ctx, "c/file.txt", nil)
		if e.has(store.CapList) {
			out["DeleteFolder"] = st.DeleteFolder(ctx, "c")
		}
		if e.has(store.CapRead | store.CapWrite) {
			out["Move"] = st.Move(ctx, "c/file.txt", "c/moved.txt", nil)
		}
	}
	return out
}

func testCanceled(e *env) {
	if e.canPut() {
		e.put(e.st, "c/file.txt", []byte("content"))
	}
	ctx, cancel := context.WithCancel(e.ctx)
	cancel()
	errs := e.canceledCalls(ctx)
	for _, call := range sortedKeys(errs) {
		if err := errs[call]; !errors.Is(err, context.Canceled) {
			e.t.Errorf("%s with a canceled context = %v, want an error matching context.Canceled", call, err)
		}
	}
	if e.canPut() && e.has(store.CapRead) {
		e.wantContent(e.st, "c/file.txt", []byte("content"))
		for _, p := range []string{"c/new.txt", "c/new2.txt", "c/copy.txt", "c/moved.txt"} {
			e.wantMissing(e.st, p)
		}
	}
}

func testCanceledMidStream(e *env) {
	e.put(e.st, "stream.bin", pattern(50).bytes(1<<20))
	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	rc, err := e.st.Open(ctx, "stream.bin")
	if err != nil {
		e.t.Fatalf("Open: %v", err)
	}
	defer rc.Close()
	if _, err := io.ReadFull(rc, make([]byte, 1000)); err != nil {
		e.t.Fatalf("first Read: %v", err)
	}
	cancel()
	_, err = io.Copy(io.Discard, rc)
	if !errors.Is(err, context.Canceled) {
		e.t.Errorf("reading on after cancel = %v, want context.Canceled", err)
	}
	if !e.has(store.CapRangeRead) {
		return
	}
	ctx2, cancel2 := context.WithCancel(e.ctx)
	r, err := e.st.OpenSeekable(ctx2, "stream.bin")
	if err != nil {
		e.t.Fatalf("OpenSeekable: %v", err)
	}
	defer r.Close()
	if _, err := r.ReadAt(make([]byte, 10), 100); err != nil {
		e.t.Fatalf("ReadAt: %v", err)
	}
	cancel2()
	if _, err := r.ReadAt(make([]byte, 10), 200); !errors.Is(err, context.Canceled) {
		e.t.Errorf("ReadAt after cancel = %v, want context.Canceled", err)
	}
}

func testCanceledWriter(e *env) {
	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	w, err := e.st.NewWriter(ctx, "cw.txt", nil)
	if err != nil {
		e.t.Fatalf("NewWriter: %v", err)
	}
	defer w.Close()
	io.WriteString(w, "half of it")
	cancel()
	// The write may fail now or at Commit; either way, Commit fails.
	io.WriteString(w, " and the rest")
	if err := w.Commit(); !errors.Is(err, context.Canceled) {
		e.t.Errorf("Commit after cancel = %v, want context.Canceled", err)
	}
	e.wantMissing(e.st, "cw.txt")
}

func testDeadline(e *env) {
	ctx, cancel := context.WithDeadline(e.ctx, time.Now().Add(-time.Second))
	defer cancel()
	_, err := e.st.Stat(ctx, "x")
	if !errors.Is(err, context.DeadlineExceeded) {
		e.t.Errorf("Stat past the deadline = %v, want context.DeadlineExceeded", err)
	}
	if store.KindName(err) != "DeadlineExceeded" {
		e.t.Errorf("KindName = %q, want DeadlineExceeded", store.KindName(err))
	}
}
