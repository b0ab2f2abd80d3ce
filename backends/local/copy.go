package local

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"
	"syscall"

	"github.com/remotestore/remotestore/store"
)

// errNoReplaceUnsupported says the platform or filesystem has no
// rename-without-replace; rename then falls back to link(2) + unlink.
var errNoReplaceUnsupported = errors.New("rename without replace is not supported here")

// renameNoReplaceFunc is renameNoReplace; tests swap it to exercise the
// link(2) fallback.
var renameNoReplaceFunc = renameNoReplace

// unlinkError reports that a no-replace rename by link(2) published the
// target but could not remove the source name.
type unlinkError struct{ err error }

func (e *unlinkError) Error() string {
	return "target linked, but removing the source failed: " + e.err.Error()
}
func (e *unlinkError) Unwrap() error { return e.err }

// Copy implements store.Copier: a local copy (copy_file_range where the
// kernel has it) into a temporary file, published like a write.
func (b *Backend) Copy(ctx context.Context, src, dst string, overwrite bool) error {
	sf, _, err := b.openFile(src)
	if err != nil {
		return err
	}
	defer sf.Close()
	w, err := b.newWriter(ctx, dst, overwrite)
	if err != nil {
		return err
	}
	defer w.Abort()
	if _, err := w.ReadFrom(sf); err != nil {
		return err
	}
	return w.Commit()
}

// Move implements store.Mover: one rename(2), without replacing dst unless
// overwrite. Missing parent folders of dst are created.
func (b *Backend) Move(ctx context.Context, src, dst string, overwrite bool) error {
	if err := checkName(dst); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	fi, err := b.root.Stat(native(src))
	if err != nil {
		return err
	}
	if fi.IsDir() {
		return store.WithKind(store.ErrIsFolder, fmt.Errorf("source %s is a folder", src))
	}
	created, err := b.mkdirs(store.ParentPath(dst))
	if err != nil {
		b.removeDirs(created)
		return err
	}
	if err := b.rename(src, dst, overwrite); err != nil {
		var ue *unlinkError
		if !errors.As(err, &ue) {
			b.removeDirs(created)
		}
		return err
	}
	return nil
}

// rename renames the file src to dst (replacing dst only when overwrite)
// and syncs the folders involved. A folder at dst fails with
// store.ErrIsFolder, an existing file without overwrite with EEXIST.
func (b *Backend) rename(src, dst string, overwrite bool) error {
	srcDir, dstDir := store.ParentPath(src), store.ParentPath(dst)
	sd, err := b.root.Open(native(srcDir))
	if err != nil {
		return err
	}
	defer sd.Close()
	dd := sd
	if dstDir != srcDir {
		if dd, err = b.root.Open(native(dstDir)); err != nil {
			return err
		}
		defer dd.Close()
	}
	if overwrite {
		err = b.root.Rename(native(src), native(dst))
	} else {
		err = renameNoReplaceFunc(sd, store.BaseName(src), dd, store.BaseName(dst))
		if errors.Is(err, errNoReplaceUnsupported) {
			if err = b.root.Link(native(src), native(dst)); err == nil {
				if rerr := b.root.Remove(native(src)); rerr != nil {
					err = &unlinkError{rerr}
				}
			}
		}
	}
	if err != nil {
		var ue *unlinkError
		if !errors.As(err, &ue) && (errors.Is(err, fs.ErrExist) || errors.Is(err, syscall.EISDIR) ||
			errors.Is(err, syscall.ENOTEMPTY)) {
			if fi, serr := b.root.Lstat(native(dst)); serr == nil && fi.IsDir() {
				return store.WithKind(store.ErrIsFolder, fmt.Errorf("a folder exists at %s: %w", dst, err))
			}
		}
		return err
	}
	if err := b.syncDir(dd); err != nil {
		return err
	}
	if dd != sd {
		return b.syncDir(sd)
	}
	return nil
}

// syncDir fsyncs an open folder so a rename in it is durable. Windows
// cannot sync folder handles; there the rename is left to the filesystem.
func (b *Backend) syncDir(d *os.File) error {
	if b.noSync || runtime.GOOS == "windows" {
		return nil
	}
	err := d.Sync()
	if errors.Is(err, syscall.EINVAL) || errors.Is(err, syscall.ENOTSUP) {
		return nil // a filesystem that cannot sync folders
	}
	return err
}
