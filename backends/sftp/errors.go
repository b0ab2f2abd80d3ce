package sftp

import (
	"errors"
	"io"
	"io/fs"

	"github.com/pkg/sftp"

	"github.com/remotestore/remotestore/store"
)

// Classify implements store.Backend; see the package doc for the mapping.
func (b *Backend) Classify(err error) error { return classify(err) }

func classify(err error) error {
	if err == nil {
		return nil
	}
	if kind := store.KindOf(err); kind != nil {
		return kind
	}
	if errors.Is(err, errClosed) {
		return store.ErrPrecondition
	}
	switch {
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, sftp.ErrSSHFxNoSuchFile):
		return store.ErrNotFound
	case errors.Is(err, fs.ErrPermission), errors.Is(err, sftp.ErrSSHFxPermissionDenied):
		return store.ErrPermission
	case errors.Is(err, sftp.ErrSSHFxOpUnsupported):
		return store.ErrNotSupported
	case isAuthErr(err):
		return store.ErrPermission
	case isConnErr(err), errors.Is(err, io.EOF):
		// io.EOF never reaches a Store from a read (Store passes it
		// through): here it is a connection that ended.
		return store.ErrUnavailable
	}
	var se *sftp.StatusError
	if errors.As(err, &se) {
		switch se.FxCode() {
		case sftp.ErrSSHFxNoSuchFile:
			return store.ErrNotFound
		case sftp.ErrSSHFxPermissionDenied:
			return store.ErrPermission
		case sftp.ErrSSHFxOpUnsupported:
			return store.ErrNotSupported
		case sftp.ErrSSHFxNoConnection, sftp.ErrSSHFxConnectionLost:
			return store.ErrUnavailable
		}
		switch se.Code {
		case 10: // SSH_FX_NO_SUCH_PATH (protocol 4+)
			return store.ErrNotFound
		case 11: // SSH_FX_FILE_ALREADY_EXISTS
			return store.ErrAlreadyExists
		case 12: // SSH_FX_WRITE_PROTECT
			return store.ErrPermission
		case 19: // SSH_FX_NOT_A_DIRECTORY
			return store.ErrNotFolder
		case 24: // SSH_FX_FILE_IS_A_DIRECTORY
			return store.ErrIsFolder
		}
	}
	return nil
}
