package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"time"
)

var statCommand = &command{
	name:    "stat",
	args:    "[--json] LOCATION...",
	summary: "describe a file or folder: type, size, modification time, ETag, native URI",
	setup: func(c *cli, fs *flag.FlagSet) func(context.Context, []string) error {
		asJSON := fs.Bool("json", false, "print one JSON object per location (JSON lines)")
		return func(ctx context.Context, args []string) error {
			if err := nargs(args, 1, -1); err != nil {
				return err
			}
			for _, arg := range args {
				if err := c.stat(ctx, arg, *asJSON); err != nil {
					return err
				}
			}
			return nil
		}
	},
}

// statJSON is the --json form of stat.
type statJSON struct {
	Path    string     `json:"path"`
	URI     string     `json:"uri"`
	Type    string     `json:"type"` // "file" or "folder"
	Size    int64      `json:"size"`
	ModTime *time.Time `json:"mod_time,omitempty"`
	ETag    string     `json:"etag,omitempty"`
}

func (c *cli) stat(ctx context.Context, arg string, asJSON bool) error {
	loc, err := c.locate(ctx, arg)
	if err != nil {
		return err
	}
	info, err := loc.st.Stat(ctx, loc.path)
	if err != nil {
		return err
	}
	out := statJSON{Path: info.Path, URI: loc.st.URI(info.Path), Type: "file", Size: info.Size, ETag: info.ETag}
	if info.IsFolder {
		out.Type = "folder"
	}
	if !info.ModTime.IsZero() {
		t := info.ModTime.UTC()
		out.ModTime = &t
	}
	if asJSON {
		b, err := json.Marshal(out)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "%s\n", b)
		return nil
	}
	fmt.Fprintf(c.stdout, "path:     %s\nuri:      %s\ntype:     %s\n", out.Path, out.URI, out.Type)
	if !info.IsFolder {
		fmt.Fprintf(c.stdout, "size:     %d\n", out.Size)
	}
	if out.ModTime != nil {
		fmt.Fprintf(c.stdout, "modified: %s\n", out.ModTime.Format(time.RFC3339Nano))
	}
	if out.ETag != "" {
		fmt.Fprintf(c.stdout, "etag:     %s\n", out.ETag)
	}
	return nil
}
