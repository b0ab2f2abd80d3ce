package store

import (
	"context"
	"errors"
	"iter"
	"path"
	"strings"
)

// ListOptions tune a listing. The zero value lists at every depth.
type ListOptions struct {
	// MaxDepth limits how deep below the folder entries are yielded: 1 for
	// direct children only, 2 for grandchildren too, 0 for no limit.
	MaxDepth int
}

// Stat describes the file or folder at path. "" is the store's root, which
// always exists (as an empty folder until something is written below it).
func (s *Store) Stat(ctx context.Context, p string) (Info, error) {
	const op = "stat"
	rel, full, err := s.clean(op, p)
	if err != nil {
		return Info{}, err
	}
	if err := s.live(ctx, op, rel); err != nil {
		return Info{}, err
	}
	info, err := s.backend.Stat(ctx, full)
	if err != nil {
		err = s.wrapErr(op, rel, err)
		if rel == "" && errors.Is(err, ErrNotFound) {
			// A store's root always exists: a sub-store's folder on an
			// object store appears with its first file.
			return Info{IsFolder: true}, nil
		}
		return Info{}, err
	}
	info.Path = rel
	return info, nil
}

// Exists reports whether a file or folder exists at path. Only "not found"
// answers false; every other failure is returned.
func (s *Store) Exists(ctx context.Context, p string) (bool, error) {
	_, err := s.Stat(ctx, p)
	return found(err)
}

// IsFile reports whether a file exists at path.
func (s *Store) IsFile(ctx context.Context, p string) (bool, error) {
	info, err := s.Stat(ctx, p)
	ok, err := found(err)
	return ok && !info.IsFolder, err
}

// IsFolder reports whether a folder exists at path. The root always exists.
func (s *Store) IsFolder(ctx context.Context, p string) (bool, error) {
	info, err := s.Stat(ctx, p)
	ok, err := found(err)
	return ok && info.IsFolder, err
}

func found(err error) (bool, error) {
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, ErrNotFound):
		return false, nil
	}
	return false, err
}

// List yields the files and folders below dir, to opts.MaxDepth (opts may
// be nil: every depth), streaming: the listing is never held in memory
// whole. Order is unspecified. A missing folder yields nothing. Paths are
// relative to the store.
func (s *Store) List(ctx context.Context, dir string, opts *ListOptions) iter.Seq2[Info, error] {
	return s.list(ctx, dir, opts, true, true)
}

// ListFiles yields the files below dir, to opts.MaxDepth (see List).
func (s *Store) ListFiles(ctx context.Context, dir string, opts *ListOptions) iter.Seq2[Info, error] {
	return s.list(ctx, dir, opts, true, false)
}

// ListFolders yields the folders below dir, to opts.MaxDepth (see List).
func (s *Store) ListFolders(ctx context.Context, dir string, opts *ListOptions) iter.Seq2[Info, error] {
	return s.list(ctx, dir, opts, false, true)
}

func (s *Store) list(ctx context.Context, dir string, opts *ListOptions, files, folders bool) iter.Seq2[Info, error] {
	const op = "list"
	return func(yield func(Info, error) bool) {
		rel, full, err := s.clean(op, dir)
		if err != nil {
			yield(Info{}, err)
			return
		}
		if err := s.need(op, rel, CapList); err != nil {
			yield(Info{}, err)
			return
		}
		if err := s.live(ctx, op, rel); err != nil {
			yield(Info{}, err)
			return
		}
		maxDepth := 0
		if opts != nil && opts.MaxDepth > 0 {
			maxDepth = opts.MaxDepth
		}
		emit := func(info Info) bool {
			if (info.IsFolder && !folders) || (!info.IsFolder && !files) {
				return true
			}
			info.Path = s.rel(info.Path)
			return yield(info, nil)
		}
		fail := func(p string, err error) {
			yield(Info{}, s.wrapErr(op, s.rel(p), err))
		}
		// Files at any depth from one flat listing, when the backend can.
		if wl, ok := s.backend.(WalkLister); ok && !folders && maxDepth != 1 {
			for info, err := range wl.ListAll(ctx, full) {
				if err != nil {
					fail(full, err)
					return
				}
				if maxDepth > 0 && pathDepth(full, info.Path) > maxDepth {
					continue
				}
				if !emit(info) {
					return
				}
			}
			return
		}
		// Depth-first walk, one folder listing at a time.
		var walk func(d string, depth int) bool
		walk = func(d string, depth int) bool {
			for info, err := range s.backend.List(ctx, d) {
				if err != nil {
					fail(d, err)
					return false
				}
				if !emit(info) {
					return false
				}
				if info.IsFolder && (maxDepth == 0 || depth < maxDepth) {
					if !walk(info.Path, depth+1) {
						return false
					}
				}
			}
			if err := ctx.Err(); err != nil {
				fail(d, err)
				return false
			}
			return true
		}
		walk(full, 1)
	}
}

// FolderInfo summarises a folder.
type FolderInfo struct {
	Path       string // the folder, relative to the store
	Files      int64  // number of files below it (to MaxDepth)
	Folders    int64  // number of folders below it (to MaxDepth)
	TotalBytes int64  // sum of the files' sizes
}

// FolderInfo counts the files, folders and bytes below dir, to
// opts.MaxDepth. A missing folder fails with ErrNotFound; a file with
// ErrNotFolder.
func (s *Store) FolderInfo(ctx context.Context, dir string, opts *ListOptions) (FolderInfo, error) {
	if err := s.need("folder-info", dir, CapList); err != nil {
		return FolderInfo{}, err
	}
	info, err := s.Stat(ctx, dir)
	if err != nil {
		return FolderInfo{}, err
	}
	if !info.IsFolder {
		return FolderInfo{}, s.errorf("folder-info", info.Path, ErrNotFolder, "path is a file")
	}
	fi := FolderInfo{Path: info.Path}
	for e, err := range s.List(ctx, info.Path, opts) {
		if err != nil {
			return FolderInfo{}, err
		}
		if e.IsFolder {
			fi.Folders++
		} else {
			fi.Files++
			fi.TotalBytes += e.Size
		}
	}
	return fi, nil
}

// Glob yields the files whose store path matches pattern. Segments use
// path.Match syntax (*, ?, [a-z], \ escapes, never crossing "/"); a segment
// "**" matches zero or more whole segments. The listing starts at the
// longest literal prefix and goes only as deep as the pattern can reach.
func (s *Store) Glob(ctx context.Context, pattern string) iter.Seq2[Info, error] {
	const op = "glob"
	return func(yield func(Info, error) bool) {
		if strings.ContainsRune(pattern, 0) || strings.HasPrefix(pattern, "/") {
			yield(Info{}, s.errorf(op, pattern, ErrInvalidPath, "invalid glob pattern"))
			return
		}
		var segs []string
		for _, seg := range strings.Split(pattern, "/") {
			if seg != "" && seg != "." { // "a//b", "./a": as CleanPath
				segs = append(segs, seg)
			}
		}
		for _, seg := range segs {
			if _, err := path.Match(seg, ""); err != nil {
				yield(Info{}, s.errorf(op, pattern, ErrInvalidPath, "bad pattern segment %q: %v", seg, err))
				return
			}
			if seg == ".." {
				yield(Info{}, s.errorf(op, pattern, ErrInvalidPath, `".." is not allowed in a glob`))
				return
			}
		}
		i := 0
		for i < len(segs) && !hasMeta(segs[i]) {
			i++
		}
		base := strings.Join(segs[:i], "/")
		rest := segs[i:]
		if len(rest) == 0 { // no wildcards: one file or nothing
			info, err := s.Stat(ctx, base)
			if err == nil && !info.IsFolder {
				yield(info, nil)
			} else if err != nil && !errors.Is(err, ErrNotFound) {
				yield(Info{}, err)
			}
			return
		}
		depth := len(rest)
		for _, seg := range rest {
			if seg == "**" {
				depth = 0
				break
			}
		}
		for info, err := range s.ListFiles(ctx, base, &ListOptions{MaxDepth: depth}) {
			if err != nil {
				yield(Info{}, err)
				return
			}
			relSegs := strings.Split(strings.TrimPrefix(strings.TrimPrefix(info.Path, base), "/"), "/")
			if matchSegments(rest, relSegs) && !yield(info, nil) {
				return
			}
		}
	}
}

func hasMeta(seg string) bool { return strings.ContainsAny(seg, `*?[\`) }

// matchSegments matches path segments against pattern segments with "**".
func matchSegments(pat, name []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			for k := 0; k <= len(name); k++ {
				if matchSegments(pat[1:], name[k:]) {
					return true
				}
			}
			return false
		}
		if len(name) == 0 {
			return false
		}
		if ok, _ := path.Match(pat[0], name[0]); !ok {
			return false
		}
		pat, name = pat[1:], name[1:]
	}
	return len(name) == 0
}
