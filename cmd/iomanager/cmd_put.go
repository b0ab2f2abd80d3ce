package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/remotestore/remotestore/store"
)

var putCommand = &command{
	name:    "put",
	args:    "[-f] LOCALFILE|- DEST",
	summary: "upload a local file (or stdin) to a store; an existing DEST is kept unless -f",
	setup: func(c *cli, fs *flag.FlagSet) func(context.Context, []string) error {
		force := forceFlag(fs)
		return func(ctx context.Context, args []string) error {
			if err := nargs(args, 2, 2); err != nil {
				return err
			}
			return c.put(ctx, args[0], args[1], *force)
		}
	},
}

// forceFlag registers -f and --force on fs.
func forceFlag(fs *flag.FlagSet) *bool {
	force := fs.Bool("f", false, "overwrite an existing destination")
	fs.BoolVar(force, "force", false, "same as -f")
	return force
}

func (c *cli) put(ctx context.Context, src, dstArg string, force bool) error {
	dst, err := c.locate(ctx, dstArg)
	if err != nil {
		return err
	}
	r, size, name := c.stdin, int64(0), ""
	if src == "-" && strings.HasSuffix(dstArg, "/") {
		return usagef("%s names a folder; stdin needs a file name (DEST without a trailing /)", dstArg)
	}
	if src != "-" {
		f, err := os.Open(src)
		if err != nil {
			return err
		}
		defer f.Close()
		fi, err := f.Stat()
		if err != nil {
			return err
		}
		if fi.IsDir() {
			return fmt.Errorf("%s: is a directory; put uploads one file", src)
		}
		r, size, name = f, fi.Size(), filepath.Base(src)
	}
	if dst, err = c.into(ctx, dst, name); err != nil {
		return err
	}
	w, err := dst.st.NewWriter(ctx, dst.path, &store.WriteOptions{Overwrite: force, SizeHint: size})
	if err != nil {
		return err
	}
	defer w.Close() // aborts unless committed: never a half-written file
	pr, done := c.progress(r, size, "put "+dst.arg)
	_, err = io.Copy(w, pr)
	done()
	if err != nil {
		return err
	}
	return w.Commit()
}
