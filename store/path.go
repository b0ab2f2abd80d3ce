package store

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// CleanPath normalises a store path and reports ErrInvalidPath for input
// that cannot name a location inside a store.
//
// The result uses forward slashes, has no empty, "." or trailing segments,
// and is "" for the store's root. A ".." segment is resolved against the
// segments before it; one that would climb above the root is rejected, as
// are NUL bytes, backslashes, invalid UTF-8 and absolute paths ("/a"):
// store paths are always relative to the store's root.
//
// CleanPath("a//b/") == "a/b"; CleanPath("a/../b") == "b";
// CleanPath("../a") fails.
func CleanPath(p string) (string, error) {
	if p == "" || p == "." {
		return "", nil
	}
	if !utf8.ValidString(p) {
		return "", invalidPath(p, "not valid UTF-8")
	}
	if strings.HasPrefix(p, "/") {
		return "", invalidPath(p, "absolute paths are not allowed; store paths are relative to the store root")
	}
	for i := 0; i < len(p); i++ {
		switch c := p[i]; {
		case c == 0:
			return "", invalidPath(p, "contains a NUL byte")
		case c == '\\':
			return "", invalidPath(p, `contains a backslash; use "/" as separator`)
		case c < 0x20 || c == 0x7f:
			return "", invalidPath(p, fmt.Sprintf("contains control character %#02x", c))
		}
	}
	parts := strings.Split(p, "/")
	out := make([]string, 0, len(parts))
	for _, s := range parts {
		switch s {
		case "", ".":
			continue
		case "..":
			if len(out) == 0 {
				return "", invalidPath(p, `".." leaves the store root`)
			}
			out = out[:len(out)-1]
		default:
			out = append(out, s)
		}
	}
	return strings.Join(out, "/"), nil
}

// JoinPath joins clean path elements; empty elements are skipped. It does
// no validation: callers pass paths that CleanPath has already accepted.
func JoinPath(elem ...string) string {
	var b strings.Builder
	for _, e := range elem {
		if e == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('/')
		}
		b.WriteString(e)
	}
	return b.String()
}

// BaseName returns the last segment of a clean path ("" for the root).
func BaseName(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[i+1:]
	}
	return p
}

// ParentPath returns the clean path of p's parent ("" for a top-level name
// and for the root itself).
func ParentPath(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[:i]
	}
	return ""
}

// pathDepth is the number of segments of clean path p below clean folder dir.
func pathDepth(dir, p string) int {
	rel := p
	if dir != "" {
		rel = strings.TrimPrefix(p, dir+"/")
	}
	return strings.Count(rel, "/") + 1
}

// isBelow reports whether clean path p lies strictly inside clean folder dir.
func isBelow(dir, p string) bool {
	if dir == "" {
		return p != ""
	}
	return len(p) > len(dir) && p[len(dir)] == '/' && p[:len(dir)] == dir
}

func invalidPath(p, why string) error {
	return &Error{Op: "clean", Path: p, Kind: ErrInvalidPath, Err: fmt.Errorf("%s", why)}
}
