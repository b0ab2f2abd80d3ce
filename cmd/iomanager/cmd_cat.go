package main

import (
	"context"
	"flag"
	"io"
)

var catCommand = &command{
	name:    "cat",
	args:    "LOCATION...",
	summary: "write files to stdout, one after the other",
	setup: func(c *cli, fs *flag.FlagSet) func(context.Context, []string) error {
		return func(ctx context.Context, args []string) error {
			if err := nargs(args, 1, -1); err != nil {
				return err
			}
			for _, arg := range args {
				if err := c.cat(ctx, arg); err != nil {
					return err
				}
			}
			return nil
		}
	},
}

func (c *cli) cat(ctx context.Context, arg string) error {
	loc, err := c.locate(ctx, arg)
	if err != nil {
		return err
	}
	r, err := loc.st.Open(ctx, loc.path)
	if err != nil {
		return err
	}
	defer r.Close()
	_, err = io.Copy(c.stdout, r)
	return err
}
