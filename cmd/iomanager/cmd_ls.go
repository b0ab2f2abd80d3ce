package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/remotestore/remotestore/store"
)

var lsCommand = &command{
	name:    "ls",
	args:    "[-l] [-R | --depth N] [LOCATION...]",
	summary: "list a folder (one level by default; folders end in /), or name a file",
	setup: func(c *cli, fs *flag.FlagSet) func(context.Context, []string) error {
		long := fs.Bool("l", false, "long listing: size, modification time (UTC), ETag, name")
		recursive := fs.Bool("R", false, "list every level below (same as --depth 0)")
		depth := fs.Int("depth", 1, "levels below the folder to list; 0 lists all")
		return func(ctx context.Context, args []string) error {
			if *depth < 0 {
				return usagef("--depth %d: must be 0 (all) or more", *depth)
			}
			if *recursive {
				*depth = 0
			}
			if len(args) == 0 {
				args = []string{""}
			}
			for i, arg := range args {
				if len(args) > 1 {
					if i > 0 {
						fmt.Fprintln(c.stdout)
					}
					fmt.Fprintf(c.stdout, "%s:\n", arg)
				}
				if err := c.ls(ctx, arg, *depth, *long); err != nil {
					return err
				}
			}
			return nil
		}
	},
}

func (c *cli) ls(ctx context.Context, arg string, depth int, long bool) error {
	loc, err := c.locate(ctx, arg)
	if err != nil {
		return err
	}
	info, err := loc.st.Stat(ctx, loc.path)
	if err != nil {
		return err
	}
	var entries []store.Info
	dir := ""
	if !info.IsFolder {
		// Like ls(1): a file lists as itself.
		entries = append(entries, info)
		dir = store.ParentPath(info.Path)
	} else {
		dir = info.Path
		for e, err := range loc.st.List(ctx, loc.path, &store.ListOptions{MaxDepth: depth}) {
			if err != nil {
				return err
			}
			entries = append(entries, e)
		}
	}
	slices.SortFunc(entries, func(a, b store.Info) int { return strings.Compare(a.Path, b.Path) })
	if !long {
		for _, e := range entries {
			fmt.Fprintln(c.stdout, display(dir, e))
		}
		return nil
	}
	return printLong(c.stdout, dir, entries)
}

// printLong prints entries as aligned columns: size, mtime, etag, name.
func printLong(out io.Writer, dir string, entries []store.Info) error {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	for _, e := range entries {
		size, mod, etag := "-", "-", "-"
		if !e.IsFolder {
			size = strconv.FormatInt(e.Size, 10)
		}
		if !e.ModTime.IsZero() {
			mod = e.ModTime.UTC().Format(time.RFC3339)
		}
		if e.ETag != "" {
			etag = e.ETag
		}
		fmt.Fprintf(tw, "%12s\t%s\t%s\t%s\n", size, mod, etag, display(dir, e))
	}
	return tw.Flush()
}
