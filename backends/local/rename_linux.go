package local

import (
	"os"
	"runtime"

	"golang.org/x/sys/unix"
)

// renameNoReplace renames sname in folder sd to dname in folder dd with
// renameat2(RENAME_NOREPLACE): atomic, and EEXIST when dname exists. The
// names are single path elements relative to folders opened through the
// root, so the rename stays confined.
func renameNoReplace(sd *os.File, sname string, dd *os.File, dname string) error {
	err := unix.Renameat2(int(sd.Fd()), sname, int(dd.Fd()), dname, unix.RENAME_NOREPLACE)
	runtime.KeepAlive(sd)
	runtime.KeepAlive(dd)
	switch err {
	case nil:
		return nil
	case unix.EINVAL, unix.ENOSYS, unix.ENOTSUP:
		// Old kernels and some filesystems (older NFS, FUSE) lack the flag.
		return errNoReplaceUnsupported
	}
	return &os.LinkError{Op: "renameat2", Old: sname, New: dname, Err: err}
}
