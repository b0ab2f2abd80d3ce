package main

import (
	"context"
	"net/url"
	"strings"

	"github.com/remotestore/remotestore/store"
)

// addressingHelp is the addressing rule, as help prints it.
const addressingHelp = `A LOCATION is either
  a URL    scheme://host/path: the store at scheme://host (its ?query kept)
           and the path inside it, e.g. s3://bkt/a/b.txt, file:///data/x.parquet,
           file://./rel/dir/f.txt (relative to the working directory), mem://
  a PATH   inside the default store: --store URL, or --config FILE --store NAME,
           or $IOMANAGER_STORE (with $IOMANAGER_CONFIG) — e.g. a/b.txt
put and get take a plain OS path (or - for stdin/stdout) for their local side.
A destination that is an existing folder, or ends in "/", receives the source's name.`

// location is a path inside an opened store.
type location struct {
	st   *store.Store
	path string // inside st, as given (the store cleans it)
	arg  string // as the user wrote it
}

// dirLike reports whether the user wrote the location as a folder ("a/").
func (l location) dirLike() bool { return strings.HasSuffix(l.arg, "/") || l.path == "" }

// locate resolves a command-line location (see addressingHelp).
func (c *cli) locate(ctx context.Context, arg string) (location, error) {
	if !strings.Contains(arg, "://") {
		st, err := c.defaultStore(ctx, arg)
		if err != nil {
			return location{}, err
		}
		return location{st: st, path: arg, arg: arg}, nil
	}
	u, err := url.Parse(arg)
	if err != nil {
		// url.Error echoes the URL, which may hold a secret.
		return location{}, usagef("malformed location URL (scheme %q)", strings.SplitN(arg, "://", 2)[0])
	}
	p := strings.TrimPrefix(u.Path, "/")
	root := *u
	root.Path, root.RawPath = "/", ""
	st, err := c.open(ctx, root.String(), func() (*store.Store, error) { return c.openURL(ctx, root.String()) })
	if err != nil {
		return location{}, err
	}
	return location{st: st, path: p, arg: arg}, nil
}

// defaultStore opens the store that plain paths are inside.
func (c *cli) defaultStore(ctx context.Context, arg string) (*store.Store, error) {
	switch {
	case c.configFlag != "":
		if c.storeFlag == "" {
			return nil, usagef("--config %s needs --store NAME (or $%s)", c.configFlag, envStore)
		}
		return c.open(ctx, "config:"+c.storeFlag, func() (*store.Store, error) {
			cfg, err := store.LoadConfig(c.configFlag)
			if err != nil {
				return nil, err
			}
			return cfg.Open(ctx, c.storeFlag)
		})
	case c.storeFlag != "":
		return c.open(ctx, c.storeFlag, func() (*store.Store, error) { return c.openURL(ctx, c.storeFlag) })
	}
	return nil, usagef("%q is not a URL and no store is set: give a URL (file:///abs/path, s3://bucket/key, mem://) or --store URL", arg)
}

// open returns the store opened under key by this run, opening it on first
// use: locations in one store share it, so a copy between them runs inside
// the backend.
func (c *cli) open(ctx context.Context, key string, open func() (*store.Store, error)) (*store.Store, error) {
	if st, ok := c.stores[key]; ok {
		return st, nil
	}
	st, err := open()
	if err != nil {
		return nil, err
	}
	if c.stores == nil {
		c.stores = map[string]*store.Store{}
	}
	c.stores[key] = st
	return st, nil
}

// into returns dst, or dst/name when dst is written as a folder or is an
// existing folder: "cp a.txt dir/" writes dir/a.txt.
func (c *cli) into(ctx context.Context, dst location, name string) (location, error) {
	if name == "" {
		return dst, nil
	}
	if !dst.dirLike() {
		info, err := dst.st.Stat(ctx, dst.path)
		if err != nil || !info.IsFolder {
			return dst, nil // a missing or file destination is the file itself
		}
	}
	clean, err := store.CleanPath(dst.path)
	if err != nil {
		return dst, err
	}
	dst.path = store.JoinPath(clean, name)
	dst.arg = strings.TrimSuffix(dst.arg, "/") + "/" + name
	return dst, nil
}

// display names an entry below the listed folder dir for output.
func display(dir string, info store.Info) string {
	name := info.Path
	if dir != "" {
		name = strings.TrimPrefix(strings.TrimPrefix(name, dir), "/")
	}
	if info.IsFolder {
		name += "/"
	}
	return name
}
