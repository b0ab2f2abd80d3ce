package main

import (
	"context"
	"errors"
	"flag"

	"github.com/remotestore/remotestore/store"
)

var mvCommand = &command{
	name:    "mv",
	args:    "[-f] SRC DST",
	summary: "move a file: one rename within a store where the backend can, else copy then delete",
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
			if src.st == dst.st {
				return src.st.Move(ctx, src.path, dst.path, &store.CopyOptions{Overwrite: *force})
			}
			// Across stores: the source is deleted only once the copy is
			// committed, and nothing is copied from a store that cannot
			// delete (a read-only one), so a refused move leaves no copy.
			if !src.st.Capabilities().Has(store.CapDelete) {
				return &store.Error{Op: "move", Path: src.path, URI: src.st.URI(src.path), Backend: src.st.Backend().Scheme(),
					Kind: store.ErrNotSupported, Err: errors.New("the source store cannot delete; use cp")}
			}
			if err := c.copyFile(ctx, src, dst, *force); err != nil {
				return err
			}
			return src.st.Delete(ctx, src.path, nil)
		}
	},
}
