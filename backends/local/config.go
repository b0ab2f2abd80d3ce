package local

import (
	"context"
	"fmt"
	"net/url"
	"runtime"
	"strconv"
	"strings"

	"github.com/remotestore/remotestore/store"
)

// Scheme is the URL scheme of the local backend.
const Scheme = "file"

// Config configures a local backend.
type Config struct {
	// Root is the folder the backend serves, absolute or relative to the
	// working directory. Required.
	Root string `yaml:"root"`
	// CreateRoot creates Root and its parents when missing, instead of
	// failing with store.ErrNotFound.
	CreateRoot bool `yaml:"create_root"`
	// NoSync skips fsync of written files and of their folders. Writes stay
	// atomic but may be lost on a machine crash (see the package doc).
	NoSync bool `yaml:"no_sync"`
}

func init() {
	store.Register(Scheme, store.NewDriver(ParseURL, func(ctx context.Context, c Config) (store.Backend, error) {
		return New(ctx, c)
	}))
}

// ParseURL parses a file URL (see the package doc for the forms) into a
// Config. Unknown query parameters are errors.
func ParseURL(u *url.URL) (Config, error) {
	bad := func(format string, args ...any) (Config, error) {
		return Config{}, fmt.Errorf("%w: local: %s: %s", store.ErrInvalidConfig, fmt.Sprintf(format, args...), u.Redacted())
	}
	if u.Scheme != "" && !strings.EqualFold(u.Scheme, Scheme) {
		return bad("scheme %q is not %q", u.Scheme, Scheme)
	}
	if u.Opaque != "" {
		return bad(`opaque form "file:path" is not supported; use file:///abs/path or file://./rel/path`)
	}
	if u.User != nil {
		return bad("a file URL takes no user")
	}
	if u.Fragment != "" || u.RawFragment != "" {
		return bad(`a file URL takes no fragment; write "#" in a name as %%23`)
	}
	var root string
	switch h := u.Host; {
	case h == "" || strings.EqualFold(h, "localhost"):
		root = u.Path
	case h == "." || h == "..":
		// file://./rel, file://../rel: relative to the working directory.
		root = h + u.Path
	default:
		return bad("host %q is not supported; only local paths (file:///abs/path, file://./rel/path)", h)
	}
	root = windowsDrivePath(root)
	if root == "" {
		return bad("no root folder; use file:///abs/path or file://./rel/path")
	}
	c := Config{Root: root}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return bad("malformed query: %v", err)
	}
	for k, vs := range q {
		if len(vs) != 1 {
			return bad("query parameter %q given %d times", k, len(vs))
		}
		var dst *bool
		switch k {
		case "create_root":
			dst = &c.CreateRoot
		case "no_sync":
			dst = &c.NoSync
		default:
			return bad("unknown query parameter %q (known: create_root, no_sync)", k)
		}
		v, err := strconv.ParseBool(vs[0])
		if err != nil {
			return bad("query parameter %s=%q is not a boolean", k, vs[0])
		}
		*dst = v
	}
	return c, nil
}

// windowsDrivePath turns "/C:/data" (the path of file:///C:/data) into
// "C:/data" on Windows; any other path, and every path elsewhere, is
// returned unchanged.
func windowsDrivePath(p string) string {
	if runtime.GOOS == "windows" && len(p) >= 3 && p[0] == '/' && p[2] == ':' && (p[1]|0x20 >= 'a' && p[1]|0x20 <= 'z') &&
		(len(p) == 3 || p[3] == '/') {
		return p[1:]
	}
	return p
}
