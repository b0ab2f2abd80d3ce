package sqlblob

import (
	"context"
	"iter"
	"strings"
	"time"

	"github.com/remotestore/remotestore/store"
)

// Page sizes of the listings: rows read per query.
const (
	listPage = 256  // List: the rest of a page is skipped at each subfolder
	walkPage = 1000 // ListAll
)

// List implements store.Backend. It reads the files below p in path order,
// a page per query, and skips each subfolder's rows with one range query
// (path >= "sub0"), so a folder with deep subtrees lists in about one query
// per child folder. Pages are read whole before they are yielded: no
// connection is held while the caller works.
func (b *Backend) List(ctx context.Context, p string) iter.Seq2[store.Info, error] {
	return func(yield func(store.Info, error) bool) {
		prefix, hi, bounded := "", "", false
		if p != "" {
			prefix, hi = folderRange(p)
			bounded = true
		}
		from, after := prefix, false
		for {
			page, err := b.page(ctx, from, after, hi, bounded, listPage)
			if err != nil {
				yield(store.Info{}, err)
				return
			}
			skipped := false
			for _, info := range page {
				rest := info.Path[len(prefix):]
				if i := strings.IndexByte(rest, '/'); i >= 0 {
					dir := prefix + rest[:i]
					if !yield(store.Info{Path: dir, IsFolder: true}, nil) {
						return
					}
					// Everything below dir sorts before dir+"0".
					_, from = folderRange(dir)
					after, skipped = false, true
					break
				}
				if !yield(info, nil) {
					return
				}
				from, after = info.Path, true
			}
			if !skipped && len(page) < listPage {
				return
			}
		}
	}
}

// ListAll implements store.WalkLister: every file below p, in path order,
// a page of rows per query.
func (b *Backend) ListAll(ctx context.Context, p string) iter.Seq2[store.Info, error] {
	return func(yield func(store.Info, error) bool) {
		from, hi, bounded := "", "", false
		if p != "" {
			from, hi = folderRange(p)
			bounded = true
		}
		after := false
		for {
			page, err := b.page(ctx, from, after, hi, bounded, walkPage)
			if err != nil {
				yield(store.Info{}, err)
				return
			}
			for _, info := range page {
				if !yield(info, nil) {
					return
				}
			}
			if len(page) < walkPage {
				return
			}
			from, after = page[len(page)-1].Path, true
		}
	}
}

// page reads up to limit files from path from on (after it when after),
// below hi when bounded.
func (b *Backend) page(ctx context.Context, from string, after bool, hi string, bounded bool, limit int) ([]store.Info, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	args := []any{from}
	if bounded {
		args = append(args, hi)
	}
	r, err := b.eng.query(ctx, b.d.listPage(after, bounded, limit), args...)
	if err != nil {
		return nil, b.fail(ctx, err)
	}
	defer r.Close()
	out := make([]store.Info, 0, min(limit, 64))
	for r.Next() {
		var info store.Info
		var mod int64
		if err := r.Scan(&info.Path, &info.Size, &mod, &info.ETag); err != nil {
			return nil, b.fail(ctx, err)
		}
		info.ModTime = time.Unix(0, mod)
		out = append(out, info)
	}
	if err := r.Err(); err != nil {
		return nil, b.fail(ctx, err)
	}
	return out, nil
}
