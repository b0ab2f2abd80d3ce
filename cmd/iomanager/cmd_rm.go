package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/remotestore/remotestore/store"
)

var rmCommand = &command{
	name:    "rm",
	args:    "[-r] [-f] LOCATION...",
	summary: "delete files (and folders with everything below them, with -r)",
	setup: func(c *cli, fs *flag.FlagSet) func(context.Context, []string) error {
		recursive := fs.Bool("r", false, "delete folders and everything below them")
		force := fs.Bool("f", false, "a missing location is not an error")
		fs.BoolVar(force, "force", false, "same as -f")
		return func(ctx context.Context, args []string) error {
			if err := nargs(args, 1, -1); err != nil {
				return err
			}
			for _, arg := range args {
				if err := c.rm(ctx, arg, *recursive, *force); err != nil {
					return err
				}
			}
			return nil
		}
	},
}

func (c *cli) rm(ctx context.Context, arg string, recursive, force bool) error {
	loc, err := c.locate(ctx, arg)
	if err != nil {
		return err
	}
	if clean, err := store.CleanPath(loc.path); err == nil && clean == "" {
		return usagef("%s: refusing to delete the root of a store", arg)
	}
	if !recursive {
		err := loc.st.Delete(ctx, loc.path, &store.DeleteOptions{MissingOK: force})
		if errors.Is(err, store.ErrIsFolder) {
			return fmt.Errorf("%w (use -r to delete a folder)", err)
		}
		return err
	}
	info, err := loc.st.Stat(ctx, loc.path)
	switch {
	case errors.Is(err, store.ErrNotFound) && force:
		return nil
	case err != nil:
		return err
	case info.IsFolder:
		return loc.st.DeleteFolder(ctx, loc.path)
	}
	return loc.st.Delete(ctx, loc.path, &store.DeleteOptions{MissingOK: force})
}
