package store_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"testing"

	"github.com/remotestore/remotestore/backends/memory"
	"github.com/remotestore/remotestore/store"
)

var allSentinels = map[string]error{
	"NotFound":      store.ErrNotFound,
	"AlreadyExists": store.ErrAlreadyExists,
	"Permission":    store.ErrPermission,
	"InvalidPath":   store.ErrInvalidPath,
	"NotSupported":  store.ErrNotSupported,
	"Unavailable":   store.ErrUnavailable,
	"IsFolder":      store.ErrIsFolder,
	"NotFolder":     store.ErrNotFolder,
	"Precondition":  store.ErrPrecondition,
	"InvalidConfig": store.ErrInvalidConfig,
}

func TestErrorMessage(t *testing.T) {
	cause := errors.New("api error AccessDenied")
	for _, c := range []struct {
		err  *store.Error
		want string
	}{
		{&store.Error{Op: "write", Path: "a.parquet", URI: "s3://bkt/a.parquet", Backend: "s3", Kind: store.ErrAlreadyExists},
			"store: write s3://bkt/a.parquet: already exists"},
		{&store.Error{Op: "read", Path: "a b.txt", Backend: "mem", Kind: store.ErrNotFound},
			`store: read mem "a b.txt": not found`},
		{&store.Error{Op: "read", Path: "x"}, `store: read "x"`},
		{&store.Error{Op: "stat", URI: "s3://bkt/x", Kind: store.ErrPermission, Err: cause},
			"store: stat s3://bkt/x: permission denied: api error AccessDenied"},
		{&store.Error{Op: "stat", URI: "s3://bkt/x", Kind: store.ErrNotFound, Err: store.ErrNotFound},
			"store: stat s3://bkt/x: not found"},
		{&store.Error{Op: "stat", URI: "s3://bkt/x", Kind: store.ErrNotFound, Err: errors.New("not found")},
			"store: stat s3://bkt/x: not found"},
		{&store.Error{Op: "list", URI: "sftp://h/d", Err: cause},
			"store: list sftp://h/d: api error AccessDenied"},
	} {
		if got := c.err.Error(); got != c.want {
			t.Errorf("Error() = %q, want %q", got, c.want)
		}
	}
}

func TestErrorUnwrap(t *testing.T) {
	pe := &fs.PathError{Op: "open", Path: "/data/x", Err: fs.ErrPermission}
	err := fmt.Errorf("outer: %w", &store.Error{Op: "read", Path: "x", Kind: store.ErrPermission, Err: pe})
	if !errors.Is(err, store.ErrPermission) {
		t.Error("errors.Is(Kind) failed through *Error")
	}
	if !errors.Is(err, fs.ErrPermission) {
		t.Error("errors.Is(cause's sentinel) failed through *Error")
	}
	var got *fs.PathError
	if !errors.As(err, &got) || got != pe {
		t.Errorf("errors.As did not reach the cause: %v", got)
	}
	var se *store.Error
	if !errors.As(err, &se) || se.Op != "read" {
		t.Errorf("errors.As(*store.Error) = %v", se)
	}
	if errors.Is(err, store.ErrNotFound) {
		t.Error("errors.Is matched a kind the error does not have")
	}
	if (&store.Error{Op: "x"}).Unwrap() != nil {
		t.Error("Unwrap of an error without kind or cause is not nil")
	}
	if u := (&store.Error{Kind: store.ErrNotFound}).Unwrap(); len(u) != 1 || u[0] != store.ErrNotFound {
		t.Errorf("Unwrap with only Kind = %v", u)
	}
}

func TestKindName(t *testing.T) {
	seen := map[string]bool{}
	for name, s := range allSentinels {
		if got := store.KindName(s); got != name {
			t.Errorf("KindName(%v) = %q, want %q", s, got, name)
		}
		wrapped := fmt.Errorf("ctx: %w", &store.Error{Op: "op", Kind: s})
		if store.KindOf(wrapped) != s || store.KindName(wrapped) != name {
			t.Errorf("KindOf/KindName through wrapping = %v / %q, want %v / %q", store.KindOf(wrapped), store.KindName(wrapped), s, name)
		}
		if seen[s.Error()] {
			t.Errorf("two sentinels print %q", s.Error())
		}
		seen[s.Error()] = true
	}
	for _, c := range []struct {
		err  error
		want string
	}{
		{nil, ""},
		{errors.New("other"), ""},
		{io.EOF, ""},
		{context.Canceled, "Canceled"},
		{fmt.Errorf("x: %w", context.DeadlineExceeded), "DeadlineExceeded"},
		{&store.Error{Op: "read", Err: context.Canceled}, "Canceled"},
	} {
		if got := store.KindName(c.err); got != c.want {
			t.Errorf("KindName(%v) = %q, want %q", c.err, got, c.want)
		}
	}
	if store.KindOf(nil) != nil {
		t.Error("KindOf(nil) != nil")
	}
}

// apiError stands for an SDK's error type.
type apiError struct{ code string }

func (e *apiError) Error() string { return "api error " + e.code }

// denying is a memory backend whose Stat fails with an SDK-like error that
// its Classify maps to ErrPermission.
type denying struct{ *memory.Backend }

func (d denying) Stat(context.Context, string) (store.Info, error) {
	return store.Info{}, &apiError{code: "AccessDenied"}
}

func (d denying) Classify(err error) error {
	var ae *apiError
	if errors.As(err, &ae) && ae.code == "AccessDenied" {
		return store.ErrPermission
	}
	return nil
}

func TestBackendErrorsWrapped(t *testing.T) {
	ctx := context.Background()
	b, _ := memory.New(ctx, memory.Config{})
	st, err := store.New(denying{b}).Sub("area")
	if err != nil {
		t.Fatal(err)
	}
	_, err = st.Stat(ctx, "dir/file.csv")
	if !errors.Is(err, store.ErrPermission) {
		t.Errorf("Stat = %v, want ErrPermission from Classify", err)
	}
	var ae *apiError
	if !errors.As(err, &ae) || ae.code != "AccessDenied" {
		t.Errorf("errors.As did not reach the backend's error: %v", err)
	}
	if want := "store: stat mem:///area/dir/file.csv: permission denied: api error AccessDenied"; err.Error() != want {
		t.Errorf("message = %q, want %q", err.Error(), want)
	}
	var se *store.Error
	if errors.As(err, &se); se.Path != "dir/file.csv" || se.URI != "mem:///area/dir/file.csv" || se.Backend != "mem" {
		t.Errorf("*Error = %+v", se)
	}
}

func TestErrorsFromStore(t *testing.T) {
	ctx := context.Background()
	st := memory.NewStore()
	_, err := st.ReadBytes(ctx, "missing.txt")
	if want := "store: read mem:///missing.txt: not found"; err == nil || err.Error() != want {
		t.Errorf("ReadBytes(missing) = %v, want %q", err, want)
	}
	_, err = st.ReadBytes(ctx, "../up")
	if want := `store: read mem "../up": invalid path: ".." leaves the store root`; err == nil || err.Error() != want {
		t.Errorf("ReadBytes(../up) = %v, want %q", err, want)
	}
	// io.EOF from Read is never wrapped.
	if err := st.WriteString(ctx, "f", "abc", nil); err != nil {
		t.Fatal(err)
	}
	rc, err := st.Open(ctx, "f")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	io.ReadAll(rc)
	if _, err := rc.Read(make([]byte, 1)); err != io.EOF {
		t.Errorf("Read at the end = %#v, want io.EOF itself", err)
	}
	r, err := st.OpenSeekable(ctx, "f")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.ReadAt(make([]byte, 5), 1); err != io.EOF {
		t.Errorf("ReadAt across the end = %#v, want io.EOF itself", err)
	}
}

func TestWithKind(t *testing.T) {
	cause := errors.New("no such thing")
	err := store.WithKind(store.ErrNotFound, cause)
	if !errors.Is(err, store.ErrNotFound) || !errors.Is(err, cause) || store.KindOf(err) != store.ErrNotFound {
		t.Errorf("WithKind(ErrNotFound, cause) = %v: want it to match both", err)
	}
	if err.Error() != "no such thing" {
		t.Errorf("message %q, want the cause's alone", err.Error())
	}
}
