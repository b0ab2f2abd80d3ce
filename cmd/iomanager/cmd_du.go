package main

import (
	"context"
	"flag"
	"fmt"
	"text/tabwriter"

	"github.com/remotestore/remotestore/store"
)

var duCommand = &command{
	name:    "du",
	args:    "[--depth N] [LOCATION...]",
	summary: "count the files, folders and bytes below folders",
	setup: func(c *cli, fs *flag.FlagSet) func(context.Context, []string) error {
		depth := fs.Int("depth", 0, "count only this many levels below the folder; 0 counts all")
		return func(ctx context.Context, args []string) error {
			if *depth < 0 {
				return usagef("--depth %d: must be 0 (all) or more", *depth)
			}
			if len(args) == 0 {
				args = []string{""}
			}
			tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
			defer tw.Flush()
			fmt.Fprintln(tw, "FILES\tFOLDERS\tBYTES\tSIZE\t  PATH")
			for _, arg := range args {
				loc, err := c.locate(ctx, arg)
				if err != nil {
					return err
				}
				fi, err := loc.st.FolderInfo(ctx, loc.path, &store.ListOptions{MaxDepth: *depth})
				if err != nil {
					return err
				}
				name := arg
				if name == "" {
					name = "."
				}
				fmt.Fprintf(tw, "%d\t%d\t%d\t%s\t  %s\n", fi.Files, fi.Folders, fi.TotalBytes, humanBytes(fi.TotalBytes), name)
			}
			return nil
		}
	},
}

// humanBytes prints n in binary units ("1.5 MiB").
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
