package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
)

var getCommand = &command{
	name:    "get",
	args:    "[-f] SRC LOCALFILE|-",
	summary: "download a file to a local file (or stdout); an existing LOCALFILE is kept unless -f",
	setup: func(c *cli, fs *flag.FlagSet) func(context.Context, []string) error {
		force := forceFlag(fs)
		return func(ctx context.Context, args []string) error {
			if err := nargs(args, 2, 2); err != nil {
				return err
			}
			return c.get(ctx, args[0], args[1], *force)
		}
	},
}

func (c *cli) get(ctx context.Context, srcArg, dst string, force bool) error {
	src, err := c.locate(ctx, srcArg)
	if err != nil {
		return err
	}
	info, err := src.st.Stat(ctx, src.path)
	if err != nil {
		return err
	}
	if dst != "-" {
		if fi, err := os.Stat(dst); err == nil && fi.IsDir() {
			dst = filepath.Join(dst, path.Base(info.Path))
		}
		if _, err := os.Lstat(dst); err == nil && !force {
			return fmt.Errorf("%s: %w", dst, fs.ErrExist)
		}
	}
	r, err := src.st.Open(ctx, src.path)
	if err != nil {
		return err
	}
	defer r.Close()
	pr, done := c.progress(r, info.Size, "get "+srcArg)
	defer done()
	if dst == "-" {
		_, err = io.Copy(c.stdout, pr)
		return err
	}
	return writeLocal(dst, pr, force)
}

// writeLocal writes r to the local file dst through a temporary file in
// the same folder, published only when complete: a failed download leaves
// no partial file, and without force an existing dst is never replaced
// (the publishing hard link fails if dst appeared meanwhile).
func writeLocal(dst string, r io.Reader, force bool) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".iomanager-*")
	if err != nil {
		return err
	}
	tmpName := tmp.Name()
	defer func() {
		tmp.Close()
		os.Remove(tmpName) // gone already after a rename
	}()
	if _, err := io.Copy(tmp, r); err != nil {
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if force {
		return os.Rename(tmpName, dst)
	}
	err = os.Link(tmpName, dst)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s: %w", dst, fs.ErrExist)
	}
	if err != nil {
		// No hard links here (some network and FAT filesystems): check,
		// then rename.
		if _, serr := os.Lstat(dst); serr == nil {
			return fmt.Errorf("%s: %w", dst, fs.ErrExist)
		}
		return os.Rename(tmpName, dst)
	}
	return nil
}
