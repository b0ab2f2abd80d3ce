package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/remotestore/remotestore/store"
)

var cpCommand = &command{
	name:    "cp",
	args:    "[-f] SRC DST",
	summary: "copy a file, within a store (server-side where the backend can) or across stores",
	setup: func(c *cli, fs *flag.FlagSet) func(context.Context, []string) error {
		force := forceFlag(fs)
		return func(ctx context.Context, args []string) error {
			if err := nargs(args, 2, 2); err != nil {
				return err
			}
			src, dst, err := c.srcDst(ctx, args[0], args[1])
			if err != nil {
				return err
			}
			return c.copyFile(ctx, src, dst, *force)
		}
	},
}

// srcDst resolves the two locations of cp and mv. A folder destination
// receives the source's name; the same file on both sides is an error.
func (c *cli) srcDst(ctx context.Context, srcArg, dstArg string) (src, dst location, err error) {
	if src, err = c.locate(ctx, srcArg); err != nil {
		return
	}
	if dst, err = c.locate(ctx, dstArg); err != nil {
		return
	}
	clean, err := store.CleanPath(src.path)
	if err != nil {
		return
	}
	if dst, err = c.into(ctx, dst, store.BaseName(clean)); err != nil {
		return
	}
	if a, b := src.st.URI(src.path), dst.st.URI(dst.path); a != "" && a == b {
		err = fmt.Errorf("%s and %s are the same file", srcArg, dst.arg)
	}
	return
}

// copyFile copies src to dst with store.Copy: inside the backend when both
// are in one store whose backend copies, else streamed through this
// process. A large cross-store copy on a terminal streams here instead, to
// draw a progress bar.
func (c *cli) copyFile(ctx context.Context, src, dst location, force bool) error {
	if c.terminal && src.st.Backend() != dst.st.Backend() {
		if info, err := src.st.Stat(ctx, src.path); err == nil && !info.IsFolder && info.Size > progressThreshold {
			return c.streamCopy(ctx, src, dst, info.Size, force)
		}
	}
	return store.Copy(ctx, dst.st, dst.path, src.st, src.path, &store.CopyOptions{Overwrite: force})
}

// streamCopy copies through this process with a progress bar.
func (c *cli) streamCopy(ctx context.Context, src, dst location, size int64, force bool) error {
	r, err := src.st.Open(ctx, src.path)
	if err != nil {
		return err
	}
	defer r.Close()
	w, err := dst.st.NewWriter(ctx, dst.path, &store.WriteOptions{Overwrite: force, SizeHint: size})
	if err != nil {
		return err
	}
	defer w.Close()
	pr, done := c.progress(r, size, "cp "+src.arg)
	_, err = io.Copy(w, pr)
	done()
	if err != nil {
		return err
	}
	return w.Commit()
}
