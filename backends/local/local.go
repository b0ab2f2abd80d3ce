package local

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/remotestore/remotestore/internal/tempname"
	"github.com/remotestore/remotestore/store"
)

// Backend serves one folder of the local filesystem. It is safe for
// concurrent use.
type Backend struct {
	root   *os.Root
	dir    string // absolute, slash-separated path of the root folder
	noSync bool
}

var (
	_ store.Backend        = (*Backend)(nil)
	_ store.Copier         = (*Backend)(nil)
	_ store.Mover          = (*Backend)(nil)
	_ store.FolderDeleter  = (*Backend)(nil)
	_ store.ReaderAtOpener = (*Backend)(nil)
	_ store.Pinger         = (*Backend)(nil)
	_ store.Aser           = (*Backend)(nil)
)

// New opens a backend on c.Root. A missing root fails with store.ErrNotFound
// unless c.CreateRoot is set; a root that is a file fails with
// store.ErrNotFolder.
func New(_ context.Context, c Config) (*Backend, error) {
	if c.Root == "" {
		return nil, fmt.Errorf("%w: local: root is required", store.ErrInvalidConfig)
	}
	abs, err := filepath.Abs(c.Root)
	if err != nil {
		return nil, fmt.Errorf("%w: local: root %q: %v", store.ErrInvalidConfig, c.Root, err)
	}
	if c.CreateRoot {
		if err := os.MkdirAll(abs, 0o777); err != nil {
			return nil, openErr(abs, "create root", err)
		}
	}
	// os.OpenRoot reports a file as a bare "not a directory" string; stat
	// first for a classifiable error.
	if fi, err := os.Stat(abs); err != nil {
		return nil, openErr(abs, "open root", err)
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("local: open root %s: %w", abs, store.ErrNotFolder)
	}
	root, err := os.OpenRoot(abs)
	if err != nil {
		return nil, openErr(abs, "open root", err)
	}
	return &Backend{root: root, dir: filepath.ToSlash(abs), noSync: c.NoSync}, nil
}

func openErr(abs, what string, err error) error {
	kind := classify(err)
	hint := ""
	if kind == store.ErrNotFound {
		hint = " (set create_root to create it)"
	}
	if kind == nil {
		return fmt.Errorf("local: %s %s: %w%s", what, abs, err, hint)
	}
	return fmt.Errorf("local: %s %s: %w: %w%s", what, abs, kind, err, hint)
}

// NewStore returns a Store over a new local backend on dir (created if
// missing), or an error.
func NewStore(dir string) (*store.Store, error) {
	b, err := New(context.Background(), Config{Root: dir, CreateRoot: true})
	if err != nil {
		return nil, err
	}
	return store.New(b), nil
}

// Scheme implements store.Backend.
func (b *Backend) Scheme() string { return Scheme }

// Capabilities implements store.Backend.
func (b *Backend) Capabilities() store.Capability {
	return store.CapRead | store.CapRangeRead | store.CapWrite | store.CapAtomicWrite | store.CapList |
		store.CapDelete | store.CapServerSideCopy | store.CapAtomicMove | store.CapRealFolders | store.CapModTime
}

// Dir returns the absolute path of the root folder.
func (b *Backend) Dir() string { return filepath.FromSlash(b.dir) }

// URI implements store.Backend: "file:///abs/root/path", percent-escaped.
func (b *Backend) URI(p string) string {
	full := b.dir
	if p != "" {
		full = strings.TrimSuffix(full, "/") + "/" + p
	}
	if !strings.HasPrefix(full, "/") {
		full = "/" + full // Windows: C:/x → /C:/x
	}
	return (&url.URL{Scheme: Scheme, Path: full}).String()
}

// Close implements store.Backend.
func (b *Backend) Close() error { return b.root.Close() }

// Ping implements store.Pinger: the root folder is still there and readable.
func (b *Backend) Ping(context.Context) error {
	f, err := b.root.Open(".")
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = f.ReadDir(1)
	if err == io.EOF {
		err = nil
	}
	return err
}

// As implements store.Aser: target of type **os.Root receives the backend's
// root. Operations through it stay confined to the root folder.
func (b *Backend) As(target any) bool {
	if p, ok := target.(**os.Root); ok {
		*p = b.root
		return true
	}
	return false
}

// native turns a clean store path into an os.Root name.
func native(p string) string {
	if p == "" {
		return "."
	}
	return filepath.FromSlash(p)
}

// Stat implements store.Backend. Symbolic links are followed inside the
// root.
func (b *Backend) Stat(_ context.Context, p string) (store.Info, error) {
	fi, err := b.root.Stat(native(p))
	if err != nil {
		return store.Info{}, belowFile(err)
	}
	return infoOf(p, fi), nil
}

// belowFile turns ENOTDIR, met when a parent in the path is a file, into
// store.ErrNotFound for lookups: nothing can exist below a file. (Writes
// there fail with store.ErrNotFolder instead.)
func belowFile(err error) error {
	if errors.Is(err, syscall.ENOTDIR) {
		return store.WithKind(store.ErrNotFound, err)
	}
	return err
}

func infoOf(p string, fi fs.FileInfo) store.Info {
	info := store.Info{Path: p, IsFolder: fi.IsDir(), ModTime: fi.ModTime()}
	if !info.IsFolder {
		info.Size = fi.Size()
	}
	return info
}

// List implements store.Backend. It reads the folder in batches, so a huge
// folder is never held in memory whole.
func (b *Backend) List(ctx context.Context, p string) iter.Seq2[store.Info, error] {
	return func(yield func(store.Info, error) bool) {
		d, err := b.root.Open(native(p))
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) {
				yield(store.Info{}, err)
			}
			return
		}
		defer d.Close()
		if fi, err := d.Stat(); err != nil {
			yield(store.Info{}, err)
			return
		} else if !fi.IsDir() {
			return
		}
		for {
			if err := ctx.Err(); err != nil {
				yield(store.Info{}, err)
				return
			}
			ents, err := d.ReadDir(256)
			for _, e := range ents {
				info, ok := b.entryInfo(p, e)
				if ok && !yield(info, nil) {
					return
				}
			}
			if err == io.EOF {
				return
			}
			if err != nil {
				yield(store.Info{}, err)
				return
			}
		}
	}
}

// entryInfo describes one directory entry, or reports false for entries
// List skips: temporary files, names that are not store paths, entries that
// vanished, and symbolic links that dangle or leave the root.
func (b *Backend) entryInfo(dir string, e fs.DirEntry) (store.Info, bool) {
	name := e.Name()
	if tempname.Is(name) {
		return store.Info{}, false
	}
	if c, err := store.CleanPath(name); err != nil || c != name {
		return store.Info{}, false
	}
	p := store.JoinPath(dir, name)
	var fi fs.FileInfo
	var err error
	if e.Type()&fs.ModeSymlink != 0 {
		fi, err = b.root.Stat(native(p))
	} else {
		fi, err = e.Info()
	}
	if err != nil {
		return store.Info{}, false
	}
	return infoOf(p, fi), true
}

// Delete implements store.Backend. A symbolic link is removed, never its
// target; one to a folder is a folder (as Stat says) and fails with
// store.ErrIsFolder.
func (b *Backend) Delete(_ context.Context, p string) error {
	name := native(p)
	fi, err := b.root.Stat(name)
	switch {
	case err == nil && fi.IsDir():
		return store.WithKind(store.ErrIsFolder, errors.New("use DeleteFolder to remove a folder"))
	case err != nil && (errors.Is(err, fs.ErrNotExist) || isEscape(err)):
		// A dangling link or one leaving the root: remove the link itself.
		if lfi, lerr := b.root.Lstat(name); lerr == nil && lfi.Mode()&fs.ModeSymlink != 0 {
			return b.root.Remove(name)
		}
		return err
	case err != nil:
		return belowFile(err)
	}
	return b.root.Remove(name)
}

// DeleteFolder implements store.FolderDeleter. The root folder itself is
// emptied, not removed.
func (b *Backend) DeleteFolder(ctx context.Context, p string) error {
	if p != "" {
		return b.root.RemoveAll(native(p))
	}
	// Read every name first: removing entries while reading the folder
	// may make some filesystems skip entries.
	d, err := b.root.Open(".")
	if err != nil {
		return err
	}
	names, err := d.Readdirnames(-1)
	d.Close()
	if err != nil {
		return err
	}
	for _, n := range names {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := b.root.RemoveAll(n); err != nil {
			return err
		}
	}
	return nil
}
