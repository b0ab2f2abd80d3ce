package sftp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/pkg/sftp"

	"github.com/remotestore/remotestore/internal/tempname"
	"github.com/remotestore/remotestore/store"
)

var (
	_ store.BackendWriter = (*writer)(nil)
	_ io.ReaderFrom       = (*writer)(nil)
)

// checkName refuses the root and names of the temporary-file pattern.
func checkName(p string) error {
	if p == "" {
		return store.WithKind(store.ErrIsFolder, errors.New("the root is a folder"))
	}
	if tempname.Is(store.BaseName(p)) {
		return store.WithKind(store.ErrInvalidPath,
			fmt.Errorf("name %q has the pattern of this backend's temporary files (.<name>.tmp-<hex>)", store.BaseName(p)))
	}
	return nil
}

// NewWriter implements store.Backend: the bytes go to a temporary file in
// the target's folder, published by Commit (see the package doc).
func (b *Backend) NewWriter(ctx context.Context, p string, opts *store.WriteOptions) (store.BackendWriter, error) {
	if err := checkName(p); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c, sess, err := b.p.session(ctx)
	if err != nil {
		return nil, err
	}
	f, tmp, created, err := b.createTemp(sess.Client, store.ParentPath(p), store.BaseName(p))
	if err != nil {
		sess.release()
		b.p.lost(c, err)
		return nil, err
	}
	return &writer{b: b, sess: sess, c: sess.Client, ctx: ctx, path: p, tmp: tmp, f: f, overwrite: opts.Overwrite, created: created,
		bufSize: b.s.MaxPacket * max(1, b.s.Concurrency/2)}, nil
}

// createTemp creates a temporary file for name in the folder dir (store
// paths), creating dir when missing. created lists the folders it made,
// deepest first.
func (b *Backend) createTemp(c *sftp.Client, dir, name string) (f *sftp.File, tmp string, created []string, err error) {
	for range 8 {
		tmp = store.JoinPath(dir, tempname.New(name))
		f, err = c.OpenFile(b.full(tmp), os.O_WRONLY|os.O_CREATE|os.O_EXCL)
		switch {
		case err == nil:
			return f, tmp, created, nil
		case errors.Is(err, fs.ErrNotExist) && dir != "":
			// The folder is missing, or was removed by an aborting writer
			// since: (re)create it.
			made, merr := b.mkdirs(c, dir)
			created = append(made, created...)
			if merr != nil {
				b.removeDirs(c, created)
				return nil, "", nil, merr
			}
			continue
		case err != nil:
			// OpenSSH answers O_EXCL on an existing name with a generic
			// failure: draw again when the name is taken.
			if _, serr := c.Lstat(b.full(tmp)); serr == nil {
				continue
			}
		}
		break
	}
	b.removeDirs(c, created)
	return nil, "", nil, err
}

// mkdirs creates folder dir (a store path) and its missing parents, and
// returns the ones it made, deepest first. A file in the way fails with
// store.ErrNotFolder.
func (b *Backend) mkdirs(c *sftp.Client, dir string) ([]string, error) {
	var missing []string
	for d := dir; d != ""; d = store.ParentPath(d) {
		fi, err := c.Stat(b.full(d))
		if err == nil {
			if !fi.IsDir() {
				return nil, store.WithKind(store.ErrNotFolder, fmt.Errorf("a file stands where folder %s is needed", d))
			}
			break
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		missing = append(missing, d)
	}
	var made []string
	for i := len(missing) - 1; i >= 0; i-- {
		d := missing[i]
		if err := c.Mkdir(b.full(d)); err != nil {
			// Another writer may have made it meanwhile.
			if fi, serr := c.Stat(b.full(d)); serr == nil && fi.IsDir() {
				continue
			} else if serr == nil {
				return reverse(made), store.WithKind(store.ErrNotFolder, fmt.Errorf("a file stands where folder %s is needed", d))
			}
			return reverse(made), err
		}
		made = append(made, d)
	}
	return reverse(made), nil
}

func reverse(s []string) []string {
	for i, j := 0, len(s)-1; i < j; i, j = i+1, j-1 {
		s[i], s[j] = s[j], s[i]
	}
	return s
}

// removeDirs removes the given folders (store paths), deepest first,
// where still empty.
func (b *Backend) removeDirs(c *sftp.Client, dirs []string) {
	for _, d := range dirs {
		if c.RemoveDirectory(b.full(d)) != nil {
			return // not empty: someone else uses it, and so its parents
		}
	}
}

// writer is an in-progress write to a temporary file. Writes are gathered
// in a buffer of bufSize bytes; a full buffer is sent in the background
// (split into concurrent requests) while the next fills.
type writer struct {
	b         *Backend
	sess      *session // released when the writer is done
	c         *sftp.Client
	ctx       context.Context
	path      string // target, a store path
	tmp       string // temporary file, a store path in the target's folder
	f         *sftp.File
	overwrite bool
	created   []string // folders this write made, deepest first
	state     writerState

	bufSize  int
	buf      []byte     // filling
	spare    []byte     // free for the next fill once inflight is done
	off      int64      // file offset of buf[0]
	inflight chan error // result of the background send, nil when idle
	err      error      // first failure; the writer is then unusable
}

type writerState uint8

const (
	open writerState = iota
	committed
	discarded
)

func (w *writer) usable(op string) error {
	if w.state != open {
		return fmt.Errorf("%w: %s after commit or abort", store.ErrPrecondition, op)
	}
	if w.err != nil {
		return w.err
	}
	return w.ctx.Err()
}

// Write implements io.Writer.
func (w *writer) Write(p []byte) (int, error) {
	if err := w.usable("write"); err != nil {
		return 0, err
	}
	n := 0
	for len(p) > 0 {
		if w.buf == nil {
			w.buf = make([]byte, 0, w.bufSize)
		}
		k := copy(w.buf[len(w.buf):cap(w.buf)], p)
		w.buf = w.buf[:len(w.buf)+k]
		p, n = p[k:], n+k
		if len(w.buf) == cap(w.buf) {
			if err := w.send(); err != nil {
				return n, err
			}
		}
	}
	return n, nil
}

// send starts sending the buffer in the background, after waiting for the
// previous send.
func (w *writer) send() error {
	if err := w.wait(); err != nil {
		return err
	}
	if len(w.buf) == 0 {
		return nil
	}
	b, off := w.buf, w.off
	w.off += int64(len(b))
	w.buf, w.spare = w.spare[:0], nil
	if w.buf == nil {
		w.buf = make([]byte, 0, w.bufSize)
	}
	ch := make(chan error, 1)
	w.inflight = ch
	go func() {
		_, err := w.f.WriteAt(b, off)
		ch <- err
	}()
	w.spare = b // free again once inflight is done; wait guards reuse
	return nil
}

// wait waits for the background send, if any.
func (w *writer) wait() error {
	if w.inflight == nil {
		return w.err
	}
	err := <-w.inflight
	w.inflight = nil
	if err != nil && w.err == nil {
		w.err = err
	}
	return w.err
}

// flush sends what is buffered and waits for it.
func (w *writer) flush() error {
	if err := w.send(); err != nil {
		return err
	}
	return w.wait()
}

// ReadFrom implements io.ReaderFrom: after what Write buffered, the bytes
// of r go out in concurrent write requests (Concurrency in flight) as
// they are read, without a buffer of their own.
func (w *writer) ReadFrom(r io.Reader) (int64, error) {
	if err := w.usable("write"); err != nil {
		return 0, err
	}
	if err := w.flush(); err != nil {
		return 0, err
	}
	if _, err := w.f.Seek(w.off, io.SeekStart); err != nil {
		w.err = err
		return 0, err
	}
	n, err := w.f.ReadFromWithConcurrency(&ctxReader{ctx: w.ctx, r: r}, w.b.s.Concurrency)
	w.off += n
	if err != nil {
		w.err = err
	}
	return n, err
}

// ctxReader fails once ctx is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// Commit sends the rest, syncs the temporary file (fsync@openssh.com,
// unless NoSync) and publishes it (see the package doc). On failure nothing
// is published and the temporary file is gone.
func (w *writer) Commit() error {
	if w.state != open {
		return fmt.Errorf("%w: commit after commit or abort", store.ErrPrecondition)
	}
	err := w.ctx.Err()
	if err == nil {
		err = w.flush()
	}
	if err == nil && w.b.fsync && !w.b.s.NoSync {
		err = w.f.Sync()
	}
	if err == nil {
		err = w.ctx.Err()
	}
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	w.f = nil
	if err == nil {
		err = w.b.publish(w.c, w.tmp, w.path, w.overwrite)
	}
	if err != nil {
		w.discard()
		return err
	}
	w.state = committed
	w.sess.release()
	return nil
}

// Abort discards the write; it does nothing after Commit or a first Abort.
func (w *writer) Abort() error {
	if w.state == open {
		w.discard()
	}
	return nil
}

// Close aborts unless Commit succeeded.
func (w *writer) Close() error { return w.Abort() }

// discard removes the temporary file and the folders the write created.
func (w *writer) discard() {
	w.state = discarded
	w.wait()
	if w.f != nil {
		w.f.Close()
		w.f = nil
	}
	w.c.Remove(w.b.full(w.tmp))
	w.b.removeDirs(w.c, w.created)
	w.created = nil
	w.buf, w.spare = nil, nil
	w.sess.release()
}

// publish renames the temporary file src to dst (store paths): over an
// existing file with overwrite (posix-rename@openssh.com, one atomic
// step), otherwise never replacing one (a hard link, then removal of the
// temporary name; or a plain SFTP rename, which fails on an existing
// target). A folder at dst fails with store.ErrIsFolder, an existing file
// without overwrite with store.ErrAlreadyExists.
func (b *Backend) publish(c *sftp.Client, src, dst string, overwrite bool) error {
	from, to := b.full(src), b.full(dst)
	var err error
	switch {
	case overwrite && b.posixRename:
		err = c.PosixRename(from, to)
	case overwrite:
		// No atomic replace: remove, then rename (Capabilities does not
		// declare atomic writes then).
		if err = c.Rename(from, to); err != nil {
			if fi, serr := c.Lstat(to); serr == nil && !fi.IsDir() {
				if err = c.Remove(to); err == nil {
					err = c.Rename(from, to)
				}
			}
		}
	case b.hardlink:
		if err = c.Link(from, to); err == nil {
			c.Remove(from) // published; a failure leaves a hidden temporary name only
			return nil
		}
	default:
		err = c.Rename(from, to)
	}
	if err == nil {
		return nil
	}
	// The server's answer is often a bare SSH_FX_FAILURE: look.
	if fi, serr := c.Stat(to); serr == nil {
		if fi.IsDir() {
			return store.WithKind(store.ErrIsFolder, fmt.Errorf("a folder exists at %s: %w", dst, err))
		}
		if !overwrite {
			return store.WithKind(store.ErrAlreadyExists, fmt.Errorf("%s appeared meanwhile: %w", dst, err))
		}
	}
	return err
}
