package storetest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/remotestore/remotestore/store"
)

func listTests() []test {
	return []test{
		{name: "MaxDepth", needs: store.CapList, fixtures: true, fn: testListDepth},
		{name: "SubFolder", needs: store.CapList, fixtures: true, fn: testListSubFolder},
		{name: "FilesAndFolders", needs: store.CapList, fixtures: true, fn: testListFilesFolders},
		{name: "Sizes", needs: store.CapList, fixtures: true, fn: testListSizes},
		{name: "MissingOrFile", needs: store.CapList, fixtures: true, fn: testListMissing},
		{name: "EarlyBreak", needs: store.CapList, fixtures: true, fn: testListBreak},
		{name: "ManyEntries", needs: store.CapList, fixtures: true, fn: testListMany},
		{name: "Glob", needs: store.CapList, fixtures: true, fn: testGlob},
		{name: "GlobInvalid", needs: store.CapList, fn: testGlobInvalid},
		{name: "FolderInfo", needs: store.CapList, fixtures: true, fn: testFolderInfo},
		{name: "InvalidPath", needs: store.CapList, fn: testListInvalid},
	}
}

// deepTree is the listing fixture. "ab" shares a prefix with "a", so a
// listing or deletion by string prefix instead of by folder shows.
var deepTree = map[string]string{
	"top.txt":          "top",
	"a/one.txt":        "one!",
	"a/b/two.txt":      "two",
	"a/b/c/three.txt":  "three",
	"a/b/c/d/four.txt": "four",
	"x/y/z.txt":        "zz",
	"ab/sibling.txt":   "sibling",
}

// deepFolders are the folders of deepTree.
var deepFolders = []string{"a", "a/b", "a/b/c", "a/b/c/d", "ab", "x", "x/y"}

// collect drains a listing into sorted "path" (files) and "path/" (folders)
// names, failing the test on an error.
func (e *env) collect(seq func(func(store.Info, error) bool), what string) []string {
	e.t.Helper()
	var out []string
	for info, err := range seq {
		if err != nil {
			e.t.Errorf("%s: %v", what, err)
			return out
		}
		name := info.Path
		if info.IsFolder {
			name += "/"
		}
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

// wantListing checks that List(dir) at every depth yields exactly want
// (files as "path", folders as "path/"; order free). With want nil, an
// empty listing is expected.
func (e *env) wantListing(st *store.Store, dir string, want []string) {
	e.t.Helper()
	got := e.collect(st.List(e.ctx, dir, nil), fmt.Sprintf("List(%q)", dir))
	want = slices.Sorted(slices.Values(want))
	if !slices.Equal(got, want) {
		e.t.Errorf("List(%q) = %q, want %q", dir, got, want)
	}
}

// treeNames returns the names of deepTree (and its folders, when folders)
// below dir, to depth (0: all), relative to the store, as collect prints.
func treeNames(dir string, depth int, files, folders bool) []string {
	var out []string
	add := func(p, suffix string) {
		if !strings.HasPrefix(p, dir+"/") && dir != "" {
			return
		}
		rel := strings.TrimPrefix(p, dir+"/")
		if dir == "" {
			rel = p
		}
		if depth > 0 && strings.Count(rel, "/")+1 > depth {
			return
		}
		out = append(out, p+suffix)
	}
	if files {
		for p := range deepTree {
			add(p, "")
		}
	}
	if folders {
		for _, p := range deepFolders {
			add(p, "/")
		}
	}
	slices.Sort(out)
	return out
}

func testListDepth(e *env) {
	e.putTree(e.st, deepTree)
	for _, depth := range []int{1, 2, 3, 0} {
		got := e.collect(e.st.List(e.ctx, "", &store.ListOptions{MaxDepth: depth}), "List")
		if want := treeNames("", depth, true, true); !slices.Equal(got, want) {
			e.t.Errorf("List(root, MaxDepth %d) = %q, want %q", depth, got, want)
		}
	}
	// nil options: every depth.
	got := e.collect(e.st.List(e.ctx, "", nil), "List")
	if want := treeNames("", 0, true, true); !slices.Equal(got, want) {
		e.t.Errorf("List(root, nil) = %q, want %q", got, want)
	}
}

func testListSubFolder(e *env) {
	e.putTree(e.st, deepTree)
	for _, c := range []struct {
		dir   string
		depth int
	}{{"a", 1}, {"a", 2}, {"a", 0}, {"a/b/c", 0}, {"a/b/c/d", 1}, {"x", 1}, {"ab", 0}} {
		for _, spelling := range []string{c.dir, c.dir + "/", "./" + c.dir} {
			got := e.collect(e.st.List(e.ctx, spelling, &store.ListOptions{MaxDepth: c.depth}), "List")
			if want := treeNames(c.dir, c.depth, true, true); !slices.Equal(got, want) {
				e.t.Errorf("List(%q, MaxDepth %d) = %q, want %q", spelling, c.depth, got, want)
			}
		}
	}
}

func testListFilesFolders(e *env) {
	e.putTree(e.st, deepTree)
	for _, dir := range []string{"", "a"} {
		for _, depth := range []int{1, 2, 0} {
			opts := &store.ListOptions{MaxDepth: depth}
			got := e.collect(e.st.ListFiles(e.ctx, dir, opts), "ListFiles")
			if want := treeNames(dir, depth, true, false); !slices.Equal(got, want) {
				e.t.Errorf("ListFiles(%q, MaxDepth %d) = %q, want %q", dir, depth, got, want)
			}
			got = e.collect(e.st.ListFolders(e.ctx, dir, opts), "ListFolders")
			if want := treeNames(dir, depth, false, true); !slices.Equal(got, want) {
				e.t.Errorf("ListFolders(%q, MaxDepth %d) = %q, want %q", dir, depth, got, want)
			}
		}
	}
}

func testListSizes(e *env) {
	e.putTree(e.st, deepTree)
	e.put(e.st, "a/empty", nil)
	n := 0
	for info, err := range e.st.ListFiles(e.ctx, "", nil) {
		if err != nil {
			e.t.Fatalf("ListFiles: %v", err)
		}
		n++
		want, ok := deepTree[info.Path]
		if info.Path == "a/empty" {
			want, ok = "", true
		}
		if !ok {
			e.t.Errorf("ListFiles yielded unexpected %q", info.Path)
		} else if info.Size != int64(len(want)) || info.IsFolder || info.Name() != info.Path[strings.LastIndexByte(info.Path, '/')+1:] {
			e.t.Errorf("ListFiles entry %+v: want a file of size %d", info, len(want))
		}
	}
	if n != len(deepTree)+1 {
		e.t.Errorf("ListFiles yielded %d files, want %d", n, len(deepTree)+1)
	}
}

func testListMissing(e *env) {
	e.putTree(e.st, deepTree)
	if got := e.collect(e.st.List(e.ctx, "no/such/folder", nil), "List(missing)"); len(got) != 0 {
		e.t.Errorf("List(missing folder) = %q, want nothing", got)
	}
	// A file is not a folder: nothing, or ErrNotFolder.
	for info, err := range e.st.List(e.ctx, "top.txt", nil) {
		if err != nil && !errors.Is(err, store.ErrNotFolder) {
			e.t.Errorf("List(file): %v, want nothing or ErrNotFolder", err)
		} else if err == nil {
			e.t.Errorf("List(file) yielded %+v", info)
		}
	}
	// "a" must not list the files of its prefix sibling "ab".
	for _, p := range e.collect(e.st.ListFiles(e.ctx, "a", nil), "ListFiles(a)") {
		if !strings.HasPrefix(p, "a/") {
			e.t.Errorf("ListFiles(a) yielded %q", p)
		}
	}
}

func testListBreak(e *env) {
	e.putTree(e.st, deepTree)
	for _, depth := range []int{1, 0} {
		n := 0
		for _, err := range e.st.List(e.ctx, "", &store.ListOptions{MaxDepth: depth}) {
			if err != nil {
				e.t.Fatalf("List: %v", err)
			}
			n++
			if n == 2 {
				break // the iterator must stop without panicking
			}
		}
		if n != 2 {
			e.t.Errorf("List yielded %d entries before break, want 2", n)
		}
	}
	for range e.st.Glob(e.ctx, "**/*.txt") {
		break
	}
}

// testListMany lists a folder with more entries than one page of an object
// store's listing (1,000 for S3 and Azure).
func testListMany(e *env) {
	const n = 1050
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	next := make(chan int)
	for range 8 {
		wg.Go(func() {
			for i := range next {
				var err error
				p := fmt.Sprintf("many/f%04d", i)
				if e.has(store.CapWrite) {
					err = e.st.WriteString(e.ctx, p, "x", overwrite)
				} else {
					err = e.h.Seed(e.ctx, e.st, p, strings.NewReader("x"))
				}
				if err != nil {
					mu.Lock()
					firstErr = cmpOr(firstErr, err)
					mu.Unlock()
				}
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	if firstErr != nil {
		e.t.Fatalf("creating %d files: %v", n, firstErr)
	}
	got := e.collect(e.st.ListFiles(e.ctx, "many", &store.ListOptions{MaxDepth: 1}), "ListFiles(many)")
	if len(got) != n {
		e.t.Fatalf("ListFiles(many) yielded %d files, want %d", len(got), n)
	}
	for i, p := range got {
		if want := fmt.Sprintf("many/f%04d", i); p != want {
			e.t.Fatalf("ListFiles(many)[%d] = %q, want %q", i, p, want)
		}
	}
}

func cmpOr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

func testGlob(e *env) {
	e.putTree(e.st, deepTree)
	e.put(e.st, "a/one.csv", []byte("csv"))
	cases := map[string][]string{
		"*.txt":           {"top.txt"},
		"*":               {"top.txt"},
		"a/*.txt":         {"a/one.txt"},
		"a/*":             {"a/one.csv", "a/one.txt"},
		"a/*/two.txt":     {"a/b/two.txt"},
		"?/one.*":         {"a/one.csv", "a/one.txt"},
		"[ax]/*/*.txt":    {"a/b/two.txt", "x/y/z.txt"},
		"**/*.txt":        {"a/b/c/d/four.txt", "a/b/c/three.txt", "a/b/two.txt", "a/one.txt", "ab/sibling.txt", "top.txt", "x/y/z.txt"},
		"**":              {"a/b/c/d/four.txt", "a/b/c/three.txt", "a/b/two.txt", "a/one.csv", "a/one.txt", "ab/sibling.txt", "top.txt", "x/y/z.txt"},
		"a/**/*.txt":      {"a/b/c/d/four.txt", "a/b/c/three.txt", "a/b/two.txt", "a/one.txt"},
		"a/**/c/*":        {"a/b/c/three.txt"},
		"**/d/*":          {"a/b/c/d/four.txt"},
		"a/b/c/three.txt": {"a/b/c/three.txt"}, // no wildcard: one file
		"a/b":             nil,                 // a folder is not a match
		"nothing/*":       nil,
		"*.parquet":       nil,
		"a/*/*/*/*.txt":   {"a/b/c/d/four.txt"},
		"./a//b/*.txt":    {"a/b/two.txt"},
	}
	for _, pat := range sortedKeys(cases) {
		got := e.collect(e.st.Glob(e.ctx, pat), "Glob("+pat+")")
		if want := cases[pat]; !slices.Equal(got, want) {
			e.t.Errorf("Glob(%q) = %q, want %q", pat, got, want)
		}
	}
}

func testGlobInvalid(e *env) {
	for _, pat := range []string{"[", "a/[z-a", "../*", "/abs/*", "a/../../*"} {
		var err error
		for _, err = range e.st.Glob(e.ctx, pat) {
			if err != nil {
				break
			}
		}
		e.wantErr(err, store.ErrInvalidPath, "Glob("+pat+")")
	}
}

func testFolderInfo(e *env) {
	e.putTree(e.st, deepTree)
	total := int64(0)
	for _, v := range deepTree {
		total += int64(len(v))
	}
	cases := []struct {
		dir     string
		depth   int
		want    store.FolderInfo
		comment string
	}{
		{"", 0, store.FolderInfo{Path: "", Files: 7, Folders: 7, TotalBytes: total}, "whole tree"},
		{"", 1, store.FolderInfo{Path: "", Files: 1, Folders: 3, TotalBytes: 3}, "top level"},
		{"a", 0, store.FolderInfo{Path: "a", Files: 4, Folders: 3, TotalBytes: 4 + 3 + 5 + 4}, "a"},
		{"a/", 2, store.FolderInfo{Path: "a", Files: 2, Folders: 2, TotalBytes: 4 + 3}, "a to depth 2"},
	}
	for _, c := range cases {
		got, err := e.st.FolderInfo(e.ctx, c.dir, &store.ListOptions{MaxDepth: c.depth})
		if err != nil {
			e.t.Errorf("FolderInfo(%q, %d): %v", c.dir, c.depth, err)
		} else if got != c.want {
			e.t.Errorf("FolderInfo(%q, MaxDepth %d) (%s) = %+v, want %+v", c.dir, c.depth, c.comment, got, c.want)
		}
	}
	_, err := e.st.FolderInfo(e.ctx, "top.txt", nil)
	e.wantErr(err, store.ErrNotFolder, "FolderInfo(file)")
	_, err = e.st.FolderInfo(e.ctx, "missing", nil)
	e.wantErr(err, store.ErrNotFound, "FolderInfo(missing)")
}

func testListInvalid(e *env) {
	for _, p := range []string{"../x", "/abs", "a/../.."} {
		var got error
		for _, err := range e.st.List(e.ctx, p, nil) {
			got = err
			break
		}
		e.wantErr(got, store.ErrInvalidPath, "List("+p+")")
	}
	fi, err := e.st.FolderInfo(e.ctx, "", nil)
	if err != nil || fi != (store.FolderInfo{}) {
		e.t.Errorf("FolderInfo(root of an empty store) = %+v, %v; want zeros", fi, err)
	}
}
