package objio

import (
	"strings"

	"github.com/remotestore/remotestore/store"
)

// Root maps a backend's clean paths to object names (S3 keys, blob names)
// below its clean prefix, and back; "" is the whole bucket or container.
type Root string

// Key returns the object name of backend path p ("" for the root).
func (r Root) Key(p string) string {
	switch {
	case r == "":
		return p
	case p == "":
		return string(r)
	}
	return string(r) + "/" + p
}

// DirPrefix returns the name prefix of the objects below the folder p.
func (r Root) DirPrefix(p string) string {
	if k := r.Key(p); k != "" {
		return k + "/"
	}
	return ""
}

// Path returns the backend path of an object name, and false when the name
// is not below the root or is not a clean path (a folder marker "a/",
// "a//b").
func (r Root) Path(key string) (string, bool) {
	p := key
	if r != "" {
		if !strings.HasPrefix(key, string(r)+"/") {
			return "", false
		}
		p = key[len(r)+1:]
	}
	if p == "" || strings.HasSuffix(p, "/") {
		return "", false
	}
	if c, err := store.CleanPath(p); err != nil || c != p {
		return "", false
	}
	return p, true
}
