package iomanager

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"path"

	"github.com/remotestore/remotestore/store"
)

// pendingFile is a file being written that nobody sees until commit. On a
// backend with CapAtomicWrite it is the store's own writer; elsewhere it is
// a hidden sibling (".name.tmp-<random>") moved over the target at commit,
// so a failed write never replaces the previous version.
type pendingFile struct {
	st    *store.Store
	path  string // the target
	tmp   string // "" when writing the target directly
	w     *store.Writer
	done  bool
	bytes int64
}

func createFile(ctx context.Context, st *store.Store, p string, sizeHint int64) (*pendingFile, error) {
	pf := &pendingFile{st: st, path: p}
	target := p
	if !st.Capabilities().Has(store.CapAtomicWrite) {
		var b [6]byte
		_, _ = rand.Read(b[:])
		dir, name := path.Split(p)
		pf.tmp = dir + "." + name + ".tmp-" + hex.EncodeToString(b[:])
		target = pf.tmp
	}
	w, err := st.NewWriter(ctx, target, &store.WriteOptions{Overwrite: true, SizeHint: sizeHint})
	if err != nil {
		return nil, err
	}
	pf.w = w
	return pf, nil
}

// Write implements io.Writer.
func (p *pendingFile) Write(b []byte) (int, error) { return p.w.Write(b) }

// commit publishes the file, replacing any previous version whole.
func (p *pendingFile) commit(ctx context.Context) error {
	if p.done {
		return errors.New("iomanager: internal: commit after commit or abort")
	}
	p.done = true
	p.bytes = p.w.Written()
	if err := p.w.Commit(); err != nil {
		return err
	}
	if p.tmp == "" {
		return nil
	}
	if err := p.st.Move(ctx, p.tmp, p.path, &store.CopyOptions{Overwrite: true}); err != nil {
		_ = p.st.Delete(context.WithoutCancel(ctx), p.tmp, &store.DeleteOptions{MissingOK: true})
		return err
	}
	return nil
}

// abort discards the file; safe after commit and more than once.
func (p *pendingFile) abort() {
	if p.done {
		return
	}
	p.done = true
	_ = p.w.Abort()
}
