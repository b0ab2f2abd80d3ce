package sftp

import (
	"context"
	"fmt"

	"github.com/remotestore/remotestore/store"
)

// Move implements store.Mover: one rename on the server, replacing dst
// only with overwrite (posix-rename@openssh.com, atomic), otherwise never
// replacing it (see publish). Missing parent folders of dst are created.
// The Store has checked that src is a file and dst no folder.
func (b *Backend) Move(ctx context.Context, src, dst string, overwrite bool) error {
	if err := checkName(dst); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return b.p.once(ctx, func(s *session) error {
		c := s.Client
		fi, err := c.Stat(b.full(src))
		if err != nil {
			return err
		}
		if fi.IsDir() {
			return store.WithKind(store.ErrIsFolder, fmt.Errorf("source %s is a folder", src))
		}
		created, err := b.mkdirs(c, store.ParentPath(dst))
		if err != nil {
			b.removeDirs(c, created)
			return err
		}
		if err := b.publish(c, src, dst, overwrite); err != nil {
			b.removeDirs(c, created)
			return err
		}
		return nil
	})
}
