package local

import (
	"errors"
	"io/fs"
	"syscall"

	"github.com/remotestore/remotestore/store"
)

// escapeMsg is the message of os.Root's unexported error for a path that
// leaves the root ("..", or a symbolic link pointing outside).
const escapeMsg = "path escapes from parent"

// Classify implements store.Backend; see the package doc for the mapping.
func (b *Backend) Classify(err error) error { return classify(err) }

func classify(err error) error {
	if err == nil {
		return nil
	}
	if kind := store.KindOf(err); kind != nil {
		return kind
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		switch errno {
		case syscall.ENOTDIR:
			return store.ErrNotFolder
		case syscall.EISDIR:
			return store.ErrIsFolder
		case syscall.EROFS:
			return store.ErrPermission
		case syscall.ENAMETOOLONG:
			return store.ErrInvalidPath
		}
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return store.ErrNotFound
	case errors.Is(err, fs.ErrExist):
		return store.ErrAlreadyExists
	case errors.Is(err, fs.ErrPermission), isEscape(err):
		return store.ErrPermission
	}
	return nil
}

// isEscape reports whether err is os.Root's refusal of a path that leaves
// the root. The os package does not export that error, so it is matched by
// its message, which the os package's own tests pin.
func isEscape(err error) bool {
	for err != nil {
		if err.Error() == escapeMsg {
			return true
		}
		err = errors.Unwrap(err)
	}
	return false
}
