package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Sentinel errors. Every error returned by a Store wraps exactly one of these
// (or a context error, or io.EOF from Read), so callers classify failures with
// errors.Is. The names are part of the wire contract of the plugin and of the
// Python exception classes: never rename them.
var (
	// ErrNotFound: the file or folder does not exist.
	ErrNotFound = errors.New("not found")
	// ErrAlreadyExists: the target exists and overwriting was not asked for.
	ErrAlreadyExists = errors.New("already exists")
	// ErrPermission: the backend refused access (credentials, ACL, mode bits).
	ErrPermission = errors.New("permission denied")
	// ErrInvalidPath: the path is malformed or leaves the store's root.
	ErrInvalidPath = errors.New("invalid path")
	// ErrNotSupported: the backend does not have the capability the call needs.
	ErrNotSupported = errors.New("not supported")
	// ErrUnavailable: the backend could not be reached or is overloaded, after
	// the retries of its SDK or of this package.
	ErrUnavailable = errors.New("unavailable")
	// ErrIsFolder: a file operation named a folder.
	ErrIsFolder = errors.New("is a folder")
	// ErrNotFolder: a folder operation named a file, or a file stands where a
	// parent folder is needed.
	ErrNotFolder = errors.New("not a folder")
	// ErrPrecondition: a conditional operation lost a race, or a writer was
	// used after Commit or Abort.
	ErrPrecondition = errors.New("precondition failed")
	// ErrInvalidConfig: a URL or configuration is malformed or incomplete.
	ErrInvalidConfig = errors.New("invalid configuration")
)

// sentinels lists every sentinel, in the order used by KindOf.
var sentinels = []error{
	ErrNotFound, ErrAlreadyExists, ErrPermission, ErrInvalidPath, ErrNotSupported,
	ErrUnavailable, ErrIsFolder, ErrNotFolder, ErrPrecondition, ErrInvalidConfig,
}

// Error describes a failed store operation: which operation, on which path of
// which backend, of which kind, and the underlying cause. It prints like
//
//	store: write s3://bkt/data/a.parquet: already exists
//
// errors.Is(err, ErrX) matches Kind; errors.As reaches the backend's own error
// (an SDK error, *fs.PathError, …) through Err.
type Error struct {
	Op      string // operation: "read", "write", "list", …
	Path    string // the store path, as the caller named it (clean where possible)
	URI     string // the backend's native location, when known
	Backend string // backend scheme, e.g. "s3"
	Kind    error  // one of the sentinels, or nil when unclassified
	Err     error  // the underlying cause; may be nil

	redact []string // secret values scrubbed from the message
}

// Error implements error.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("store: ")
	b.WriteString(e.Op)
	loc := e.URI
	if loc == "" {
		loc = strconv.Quote(e.Path)
		if e.Backend != "" {
			loc = e.Backend + " " + loc
		}
	}
	b.WriteString(" ")
	b.WriteString(loc)
	if e.Kind != nil {
		b.WriteString(": ")
		b.WriteString(e.Kind.Error())
	}
	if e.Err != nil && e.Err != e.Kind {
		cause := e.Err.Error()
		if e.Kind == nil || cause != e.Kind.Error() {
			b.WriteString(": ")
			b.WriteString(cause)
		}
	}
	return redact(b.String(), e.redact)
}

// Unwrap returns the kind and the cause, so errors.Is and errors.As see both.
func (e *Error) Unwrap() []error {
	switch {
	case e.Kind != nil && e.Err != nil:
		return []error{e.Kind, e.Err}
	case e.Kind != nil:
		return []error{e.Kind}
	case e.Err != nil:
		return []error{e.Err}
	}
	return nil
}

// KindOf returns the sentinel that err wraps, or nil if it wraps none.
// Context cancellation and deadline errors are returned as themselves.
func KindOf(err error) error {
	if err == nil {
		return nil
	}
	for _, s := range sentinels {
		if errors.Is(err, s) {
			return s
		}
	}
	if errors.Is(err, context.Canceled) {
		return context.Canceled
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return context.DeadlineExceeded
	}
	return nil
}

// KindName returns the sentinel's Go name without the Err prefix
// ("NotFound", "AlreadyExists", …), or "" for an unclassified error. The
// plugin puts this name on the wire.
func KindName(err error) string {
	switch KindOf(err) {
	case ErrNotFound:
		return "NotFound"
	case ErrAlreadyExists:
		return "AlreadyExists"
	case ErrPermission:
		return "Permission"
	case ErrInvalidPath:
		return "InvalidPath"
	case ErrNotSupported:
		return "NotSupported"
	case ErrUnavailable:
		return "Unavailable"
	case ErrIsFolder:
		return "IsFolder"
	case ErrNotFolder:
		return "NotFolder"
	case ErrPrecondition:
		return "Precondition"
	case ErrInvalidConfig:
		return "InvalidConfig"
	case context.Canceled:
		return "Canceled"
	case context.DeadlineExceeded:
		return "DeadlineExceeded"
	}
	return ""
}

// wrapErr turns a backend error into an *Error. io.EOF passes through
// unwrapped (it is a signal, not a failure), as does an *Error already
// carrying an Op. Kind comes from the error itself when it already wraps a
// sentinel, otherwise from the backend's Classify.
func (s *Store) wrapErr(op, p string, err error) error {
	if err == nil || err == io.EOF {
		return err
	}
	var se *Error
	if errors.As(err, &se) && se.Op != "" && se.Backend != "" {
		return err
	}
	kind := KindOf(err)
	if kind == nil {
		kind = s.backend.Classify(err)
	}
	if se != nil && se.Kind != nil && se.Op == "clean" {
		// A path error: report the path the caller gave.
		return &Error{Op: op, Path: se.Path, Backend: s.scheme(), Kind: se.Kind, Err: se.Err, redact: s.secrets}
	}
	full := JoinPath(s.root, p)
	return &Error{Op: op, Path: p, URI: s.uriOf(full), Backend: s.scheme(), Kind: kind, Err: err, redact: s.secrets}
}

// errorf builds an *Error of the given kind with a formatted cause.
func (s *Store) errorf(op, p string, kind error, format string, args ...any) error {
	return &Error{Op: op, Path: p, URI: s.uriOf(JoinPath(s.root, p)), Backend: s.scheme(), Kind: kind,
		Err: fmt.Errorf(format, args...), redact: s.secrets}
}

func redact(msg string, secrets []string) string {
	for _, s := range secrets {
		if len(s) >= 4 {
			msg = strings.ReplaceAll(msg, s, "***")
		}
	}
	return msg
}

// WithKind returns err wrapped so that it also matches kind (ErrNotFound,
// …) under errors.Is, with err's message alone (Store prints the kind in
// front). Backends use it where the cause alone would classify wrongly: an
// error they make up themselves, or a failure whose meaning depends on the
// call (a failed If-None-Match is "already exists" for a write).
func WithKind(kind, err error) error { return &kindError{kind: kind, err: err} }

type kindError struct{ kind, err error }

func (e *kindError) Error() string   { return e.err.Error() }
func (e *kindError) Unwrap() []error { return []error{e.kind, e.err} }
