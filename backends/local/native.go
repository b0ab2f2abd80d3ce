package local

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/remotestore/remotestore/store"
)

var _ store.NativePather = (*Backend)(nil)

// NativePath implements store.NativePather: the file's absolute path with
// symbolic links resolved. A link that leads outside the root is refused
// with store.ErrPermission, as every other operation refuses it.
func (b *Backend) NativePath(_ context.Context, p string) (string, error) {
	fi, err := b.root.Stat(native(p)) // follows links only inside the root
	if err != nil {
		return "", belowFile(err)
	}
	if fi.IsDir() {
		return "", store.WithKind(store.ErrIsFolder, fmt.Errorf("local: %s is a folder", p))
	}
	dir, err := filepath.EvalSymlinks(filepath.FromSlash(b.dir))
	if err != nil {
		return "", err
	}
	full, err := filepath.EvalSymlinks(filepath.Join(filepath.FromSlash(b.dir), native(p)))
	if err != nil {
		return "", belowFile(err)
	}
	if rel, err := filepath.Rel(dir, full); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", store.WithKind(store.ErrPermission, fmt.Errorf("local: %s resolves outside the root", p))
	}
	return full, nil
}
