package sftp

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"iter"
	"net/url"
	"os"
	"path"
	"strings"
	"sync"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"

	"github.com/remotestore/remotestore/internal/tempname"
	"github.com/remotestore/remotestore/store"
)

// SFTP protocol extensions the backend uses where the server offers them.
const (
	extPosixRename = "posix-rename@openssh.com"
	extHardlink    = "hardlink@openssh.com"
	extFsync       = "fsync@openssh.com"
)

// Backend serves one folder of an SFTP server. It is safe for concurrent
// use.
type Backend struct {
	p    *pool
	s    *settings
	root string // absolute folder on the server, "/" or "/a/b"

	posixRename bool // posix-rename@openssh.com: rename over an existing file, atomically
	hardlink    bool // hardlink@openssh.com: publish without replacing
	fsync       bool // fsync@openssh.com
}

var (
	_ store.Backend        = (*Backend)(nil)
	_ store.Mover          = (*Backend)(nil)
	_ store.FolderDeleter  = (*Backend)(nil)
	_ store.ReaderAtOpener = (*Backend)(nil)
	_ store.Pinger         = (*Backend)(nil)
	_ store.Aser           = (*Backend)(nil)
)

// New connects to the server, logs in, checks the root folder (creating
// it with c.CreateRoot) and returns the backend. Errors are classified:
// store.ErrInvalidConfig for a bad Config, store.ErrUnavailable when the
// server cannot be reached, store.ErrPermission for a refused login or
// host key, store.ErrNotFound for a missing root, store.ErrNotFolder for a
// root that is a file.
func New(ctx context.Context, c Config) (*Backend, error) {
	s, err := c.validate()
	if err != nil {
		return nil, err
	}
	a, err := loadAuth(s)
	if err != nil {
		return nil, err
	}
	cb, algos, err := hostKeyCheck(s)
	if err != nil {
		return nil, err
	}
	p := newPool(s, a, cb, algos)
	b := &Backend{p: p, s: s}
	if err := b.init(ctx); err != nil {
		p.close()
		return nil, err
	}
	return b, nil
}

// init opens the first session, learns the server's extensions and the
// root folder, and checks the root.
func (b *Backend) init(ctx context.Context) error {
	_, sess, err := b.p.session(ctx)
	if err != nil {
		return err
	}
	defer sess.release()
	client := sess.Client
	_, b.posixRename = client.HasExtension(extPosixRename)
	_, b.hardlink = client.HasExtension(extHardlink)
	if v, ok := client.HasExtension(extFsync); ok && v == "1" {
		b.fsync = true
	}
	home := "/"
	if b.s.relRoot {
		if home, err = client.Getwd(); err != nil {
			return fmt.Errorf("sftp: %s: the login folder: %w", b.where(), b.errKind(err))
		}
	}
	b.root = b.s.rootPath(home)
	if b.s.CreateRoot {
		if err := client.MkdirAll(b.root); err != nil {
			return fmt.Errorf("sftp: create root %s: %w", b.URI(""), b.errKind(err))
		}
	}
	fi, err := client.Stat(b.root)
	switch {
	case err != nil && errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("sftp: open root %s: %w (set create_root to create it)", b.URI(""), store.ErrNotFound)
	case err != nil:
		return fmt.Errorf("sftp: open root %s: %w", b.URI(""), b.errKind(err))
	case !fi.IsDir():
		return fmt.Errorf("sftp: open root %s: %w", b.URI(""), store.ErrNotFolder)
	}
	return nil
}

// errKind wraps err with its sentinel, when it has one, for errors made
// outside a Store (which classifies by itself).
func (b *Backend) errKind(err error) error {
	if kind := classify(err); kind != nil && !errors.Is(err, kind) {
		return fmt.Errorf("%w: %w", kind, err)
	}
	return err
}

// where names the server and user for messages.
func (b *Backend) where() string { return b.s.User + "@" + b.s.addr }

// Scheme implements store.Backend.
func (b *Backend) Scheme() string { return Scheme }

// Capabilities implements store.Backend: read, range-read, write, list,
// delete, real-folders, mod-time; atomic-write and atomic-move when the
// server has posix-rename@openssh.com (OpenSSH has), without which a
// replacing write or move cannot be one step.
func (b *Backend) Capabilities() store.Capability {
	c := store.CapRead | store.CapRangeRead | store.CapWrite | store.CapList | store.CapDelete |
		store.CapRealFolders | store.CapModTime
	if b.posixRename {
		c |= store.CapAtomicWrite | store.CapAtomicMove
	}
	return c
}

// Root returns the absolute folder on the server the backend serves.
func (b *Backend) Root() string { return b.root }

// full returns the server path of the clean store path p.
func (b *Backend) full(p string) string {
	if p == "" {
		return b.root
	}
	return path.Join(b.root, p)
}

// URI implements store.Backend: "sftp://user@host[:port]/root/p",
// percent-escaped; the port is left out when it is 22.
func (b *Backend) URI(p string) string {
	host := b.s.Host
	if b.s.Port != DefaultPort {
		host = b.s.addr
	} else if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return (&url.URL{Scheme: Scheme, User: url.User(b.s.User), Host: host, Path: b.full(p)}).String()
}

// Close implements store.Backend: it closes the sessions and the
// connection.
func (b *Backend) Close() error {
	b.p.close()
	return nil
}

// Ping implements store.Pinger: the server answers (reconnecting if the
// connection died) and the root folder is there.
func (b *Backend) Ping(ctx context.Context) error {
	return b.p.retry(ctx, func(c *session) error {
		fi, err := c.Stat(b.root)
		if err == nil && !fi.IsDir() {
			return store.WithKind(store.ErrNotFolder, fmt.Errorf("root %s is a file", b.root))
		}
		return err
	})
}

// As implements store.Aser: **sftp.Client receives one of the backend's
// SFTP sessions and **ssh.Client its SSH connection, dialing one if
// needed. Both are the backend's own: do not close them. After the
// connection dies the backend makes a new one; ask again then.
func (b *Backend) As(target any) bool {
	switch t := target.(type) {
	case **sftp.Client:
		_, s, err := b.p.session(context.Background())
		if err != nil {
			return false
		}
		s.release()
		*t = s.Client
		return true
	case **ssh.Client:
		c, err := b.p.conn(context.Background())
		if err != nil {
			return false
		}
		*t = c.ssh
		return true
	}
	return false
}

// Dials returns how many SSH connections the backend has made: 1, plus one
// per reconnection after a dropped connection.
func (b *Backend) Dials() int64 { return b.p.dials.Load() }

// OpenSessions returns how many SFTP sessions the current connection has
// open (0 without a connection).
func (b *Backend) OpenSessions() int {
	b.p.mu.Lock()
	c := b.p.cur
	b.p.mu.Unlock()
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.sess)
}

// Stat implements store.Backend. Symbolic links are followed by the server.
func (b *Backend) Stat(ctx context.Context, p string) (store.Info, error) {
	var fi os.FileInfo
	err := b.p.retry(ctx, func(c *session) (err error) {
		fi, err = c.Stat(b.full(p))
		return err
	})
	if err != nil {
		return store.Info{}, err
	}
	return infoOf(p, fi), nil
}

func infoOf(p string, fi os.FileInfo) store.Info {
	info := store.Info{Path: p, IsFolder: fi.IsDir(), ModTime: fi.ModTime()}
	if !info.IsFolder {
		info.Size = fi.Size()
	}
	return info
}

// List implements store.Backend. The server sends the folder's entries in
// batches, which are collected before the first is yielded; symbolic links
// are followed (one Stat each), dangling ones skipped. Temporary files of
// writes in progress and names that are not store paths are left out.
func (b *Backend) List(ctx context.Context, p string) iter.Seq2[store.Info, error] {
	return func(yield func(store.Info, error) bool) {
		var ents []os.FileInfo
		err := b.p.retry(ctx, func(c *session) (err error) {
			ents, err = c.ReadDirContext(ctx, b.full(p))
			return err
		})
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				if cerr := ctx.Err(); cerr != nil {
					err = cerr
				}
				yield(store.Info{}, err)
			}
			return
		}
		for _, fi := range ents {
			if err := ctx.Err(); err != nil {
				yield(store.Info{}, err)
				return
			}
			name := fi.Name()
			if tempname.Is(name) {
				continue
			}
			if c, err := store.CleanPath(name); err != nil || c != name {
				continue
			}
			child := store.JoinPath(p, name)
			if fi.Mode()&fs.ModeSymlink != 0 {
				target, err := b.Stat(ctx, child)
				if err != nil {
					continue // dangling, or unreadable
				}
				if !yield(target, nil) {
					return
				}
				continue
			}
			if !yield(infoOf(child, fi), nil) {
				return
			}
		}
	}
}

// Delete implements store.Backend. A symbolic link is removed, never its
// target; one to a folder is a folder (as Stat says) and fails with
// store.ErrIsFolder.
func (b *Backend) Delete(ctx context.Context, p string) error {
	full := b.full(p)
	var fi os.FileInfo
	err := b.p.retry(ctx, func(c *session) (err error) {
		fi, err = c.Stat(full)
		if errors.Is(err, fs.ErrNotExist) {
			// A dangling link: remove the link itself.
			if lfi, lerr := c.Lstat(full); lerr == nil && lfi.Mode()&fs.ModeSymlink != 0 {
				fi, err = lfi, nil
			}
		}
		return err
	})
	if err != nil {
		return err
	}
	if fi.IsDir() {
		return store.WithKind(store.ErrIsFolder, errors.New("use DeleteFolder to remove a folder"))
	}
	return b.p.once(ctx, func(c *session) error { return c.Remove(full) })
}

// removeWorkers is how many removals DeleteFolder keeps in flight.
const removeWorkers = 16

// DeleteFolder implements store.FolderDeleter: a walk that removes files
// (removeWorkers at a time) and then their folders, deepest first. Links
// are removed, not followed. The root folder itself is emptied, not
// removed.
func (b *Backend) DeleteFolder(ctx context.Context, p string) error {
	_, s, err := b.p.session(ctx)
	if err != nil {
		return err
	}
	defer s.release()
	c := s.Client
	full := b.full(p)
	if err := b.emptyFolder(ctx, c, full); err != nil {
		return err
	}
	if p == "" {
		return nil
	}
	if err := c.RemoveDirectory(full); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// emptyFolder removes everything below the folder dir.
func (b *Backend) emptyFolder(ctx context.Context, c *sftp.Client, dir string) error {
	ents, err := c.ReadDirContext(ctx, dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		return err
	}
	var files, dirs []string
	for _, fi := range ents {
		child := path.Join(dir, fi.Name())
		if fi.IsDir() {
			dirs = append(dirs, child)
		} else {
			files = append(files, child)
		}
	}
	if err := removeAll(ctx, c, files); err != nil {
		return err
	}
	for _, d := range dirs {
		if err := b.emptyFolder(ctx, c, d); err != nil {
			return err
		}
		if err := c.RemoveDirectory(d); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}

// removeAll removes files, removeWorkers at a time (the requests pipeline
// on the session). A file already gone is not an error.
func removeAll(ctx context.Context, c *sftp.Client, files []string) error {
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
		next     = make(chan string)
	)
	for range min(removeWorkers, len(files)) {
		wg.Go(func() {
			for f := range next {
				if err := c.Remove(f); err != nil && !errors.Is(err, fs.ErrNotExist) {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
				}
			}
		})
	}
	for _, f := range files {
		if ctx.Err() != nil {
			break
		}
		mu.Lock()
		failed := firstErr != nil
		mu.Unlock()
		if failed {
			break
		}
		next <- f
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	return firstErr
}
