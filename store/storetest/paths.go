package storetest

import (
	"errors"
	"slices"
	"strings"

	"github.com/remotestore/remotestore/store"
)

func pathTests() []test {
	return []test{
		{name: "SpecialNames", needs: store.CapRead, fixtures: true, fn: testSpecialNames},
		{name: "HivePartitions", needs: store.CapRead, fixtures: true, fn: testHivePartitions},
		{name: "DeepPath", needs: store.CapRead, fixtures: true, fn: testDeepPath},
		{name: "Normalisation", needs: store.CapRead, fixtures: true, fn: testNormalisation},
		{name: "Rejected", fn: testRejectedPaths},
		{name: "Resolve", fn: testResolve},
		{name: "SubConfinement", needs: store.CapRead, fixtures: true, fn: testSubConfinement},
		{name: "SubNested", needs: store.CapRead, fixtures: true, fn: testSubNested},
		{name: "Ping", fn: testPing},
	}
}

// specialNames are file names every backend must store and give back
// unchanged: unicode (NFC), spaces, and characters URLs and shells treat
// specially.
var specialNames = []string{
	"données/日本/ü ñ.txt",
	"with space/and  two  spaces.txt",
	"percent/100%.txt",
	"percent/%41%2F%2e%2e.txt",
	"plus/a+b=c.txt",
	"query/what?x=1&y=2.txt",
	"hash/#anchor.txt",
	"quote/it's \"quoted\".txt",
	"tilde/~home.txt",
	"emoji/🙂.txt",
	"semi;colon/comma,name.txt",
	"brackets/[x] (y) {z}.txt",
	"dots/...txt",
	"dots/.hidden",
	"dash/-leading-dash",
}

func testSpecialNames(e *env) {
	for i, p := range specialNames {
		e.put(e.st, p, []byte(p+"|"+string(rune('A'+i))))
	}
	for i, p := range specialNames {
		e.wantContent(e.st, p, []byte(p+"|"+string(rune('A'+i))))
		info, err := e.st.Stat(e.ctx, p)
		if err != nil {
			e.t.Errorf("Stat(%q): %v", p, err)
		} else if info.Path != p || info.Size != int64(len(p)+2) {
			e.t.Errorf("Stat(%q) = %+v", p, info)
		}
	}
	if !e.has(store.CapList) {
		return
	}
	got := e.collect(e.st.ListFiles(e.ctx, "", nil), "ListFiles")
	if want := slices.Sorted(slices.Values(specialNames)); !slices.Equal(got, want) {
		e.t.Errorf("ListFiles = %q,\nwant %q", got, want)
	}
	got = e.collect(e.st.List(e.ctx, "données", nil), "List(données)")
	if want := []string{"données/日本/", "données/日本/ü ñ.txt"}; !slices.Equal(got, want) {
		e.t.Errorf("List(données) = %q, want %q", got, want)
	}
	// Glob metacharacters in names can be matched with escapes.
	got = e.collect(e.st.Glob(e.ctx, `brackets/\[x\]*`), "Glob")
	if want := []string{"brackets/[x] (y) {z}.txt"}; !slices.Equal(got, want) {
		e.t.Errorf("Glob(escaped brackets) = %q, want %q", got, want)
	}
	got = e.collect(e.st.Glob(e.ctx, "percent/*%*"), "Glob")
	if want := []string{"percent/%41%2F%2e%2e.txt", "percent/100%.txt"}; !slices.Equal(got, want) {
		e.t.Errorf("Glob(percent/*%%*) = %q, want %q", got, want)
	}
}

func testHivePartitions(e *env) {
	files := map[string]string{
		"sales/year=2024/month=01/part-0.parquet": "a",
		"sales/year=2024/month=02/part-0.parquet": "bb",
		"sales/year=2025/month=01/part-0.parquet": "ccc",
		"sales/year=2025/month=01/part-1.parquet": "dddd",
		"sales/_SUCCESS": "",
	}
	e.putTree(e.st, files)
	for p, v := range files {
		e.wantContent(e.st, p, []byte(v))
	}
	if !e.has(store.CapList) {
		return
	}
	got := e.collect(e.st.Glob(e.ctx, "sales/year=2025/*/*.parquet"), "Glob")
	if want := []string{"sales/year=2025/month=01/part-0.parquet", "sales/year=2025/month=01/part-1.parquet"}; !slices.Equal(got, want) {
		e.t.Errorf("Glob(year=2025) = %q, want %q", got, want)
	}
	got = e.collect(e.st.ListFolders(e.ctx, "sales", &store.ListOptions{MaxDepth: 1}), "ListFolders")
	if want := []string{"sales/year=2024/", "sales/year=2025/"}; !slices.Equal(got, want) {
		e.t.Errorf("ListFolders(sales) = %q, want %q", got, want)
	}
	got = e.collect(e.st.Glob(e.ctx, "sales/**/month=01/*"), "Glob")
	if len(got) != 3 {
		e.t.Errorf("Glob(**/month=01/*) = %q, want 3 files", got)
	}
}

func testDeepPath(e *env) {
	segs := make([]string, 30)
	for i := range segs {
		segs[i] = "level" + string(rune('a'+i%26))
	}
	deep := strings.Join(segs, "/") + "/leaf.txt"
	e.put(e.st, deep, []byte("deep"))
	long := strings.Repeat("n", 200) + ".txt"
	e.put(e.st, "long/"+long, []byte("long"))
	e.wantContent(e.st, deep, []byte("deep"))
	e.wantContent(e.st, "long/"+long, []byte("long"))
	if e.has(store.CapList) {
		got := e.collect(e.st.ListFiles(e.ctx, segs[0], nil), "ListFiles")
		if len(got) != 1 || got[0] != deep {
			e.t.Errorf("ListFiles(%s) = %q, want [%s]", segs[0], got, deep)
		}
		fi, err := e.st.FolderInfo(e.ctx, segs[0], nil)
		if err != nil || fi.Files != 1 || fi.Folders != 29 {
			e.t.Errorf("FolderInfo(deep) = %+v, %v; want 1 file, 29 folders", fi, err)
		}
	}
}

func testNormalisation(e *env) {
	e.put(e.st, "n//a/./b/", []byte("normalised"))
	for _, p := range []string{"n/a/b", "./n/a/b", "n/a/x/../b", "n/a/b/.", "n/a/b//"} {
		e.wantContent(e.st, p, []byte("normalised"))
	}
	if e.has(store.CapList) {
		e.wantListing(e.st, "n", []string{"n/a/", "n/a/b"})
	}
}

// rejectedPaths must fail with ErrInvalidPath everywhere.
var rejectedPaths = []string{
	"..", "../x", "a/../..", "a/../../b", "/abs", "//double", "a\\b", "nul\x00", "tab\tname", "bell\x07", "\xff\xfe",
}

func testRejectedPaths(e *env) {
	for _, p := range rejectedPaths {
		name := strings.ToValidUTF8(p, "?")
		_, err := e.st.Stat(e.ctx, p)
		e.wantErr(err, store.ErrInvalidPath, "Stat("+name+")")
		if e.has(store.CapRead) {
			_, err = e.st.ReadBytes(e.ctx, p)
			e.wantErr(err, store.ErrInvalidPath, "ReadBytes("+name+")")
		}
		if e.has(store.CapWrite) {
			e.wantErr(e.st.WriteString(e.ctx, p, "x", overwrite), store.ErrInvalidPath, "WriteString("+name+")")
		}
		if e.has(store.CapDelete) {
			e.wantErr(e.st.Delete(e.ctx, p, nil), store.ErrInvalidPath, "Delete("+name+")")
		}
		_, err = e.st.Resolve(p)
		e.wantErr(err, store.ErrInvalidPath, "Resolve("+name+")")
		_, err = e.st.Sub(p)
		e.wantErr(err, store.ErrInvalidPath, "Sub("+name+")")
		if e.st.URI(p) != "" {
			e.t.Errorf("URI(%q) = %q, want \"\"", name, e.st.URI(p))
		}
	}
}

func testResolve(e *env) {
	root := store.JoinPath(e.base.Root(), e.prefix)
	if e.st.Root() != root {
		e.t.Errorf("Root() = %q, want %q", e.st.Root(), root)
	}
	for _, c := range []struct{ in, path string }{
		{"a/b.parquet", "a/b.parquet"}, {"a//b/./c.txt", "a/b/c.txt"}, {"", ""}, {"never/written.bin", "never/written.bin"},
	} {
		r, err := e.st.Resolve(c.in)
		if err != nil {
			e.t.Errorf("Resolve(%q): %v", c.in, err)
			continue
		}
		key := store.JoinPath(root, c.path)
		if r.Path != c.path || r.Key != key || r.Backend != e.st.Backend().Scheme() {
			e.t.Errorf("Resolve(%q) = %+v, want Path %q Key %q Backend %q", c.in, r, c.path, key, e.st.Backend().Scheme())
		}
		if r.URI == "" || r.URI != e.st.URI(c.in) {
			e.t.Errorf("Resolve(%q).URI = %q, URI() = %q; want equal and non-empty", c.in, r.URI, e.st.URI(c.in))
		}
		if c.path != "" && !strings.Contains(r.URI, c.path) {
			e.t.Errorf("Resolve(%q).URI = %q does not contain the path", c.in, r.URI)
		}
		if !strings.HasPrefix(r.URI, r.Backend+":") && !strings.Contains(r.URI, "://") {
			e.t.Errorf("Resolve(%q).URI = %q is not a URI", c.in, r.URI)
		}
	}
	if s := e.st.String(); s == "" {
		e.t.Error("String() is empty")
	}
}

func testSubConfinement(e *env) {
	e.put(e.st, "secret-of-parent.txt", []byte("parent"))
	e.put(e.st, "child/own.txt", []byte("child"))
	child, err := e.st.Sub("child")
	if err != nil {
		e.t.Fatalf("Sub(child): %v", err)
	}
	e.wantContent(child, "own.txt", []byte("child"))
	for _, p := range []string{"../secret-of-parent.txt", "x/../../secret-of-parent.txt", "/secret-of-parent.txt"} {
		_, err := child.ReadBytes(e.ctx, p)
		e.wantErr(err, store.ErrInvalidPath, "child.ReadBytes("+p+")")
	}
	_, err = child.ReadBytes(e.ctx, "secret-of-parent.txt")
	e.wantErr(err, store.ErrNotFound, "child.ReadBytes(parent's file name)")
	if _, err := child.Sub(".."); !errors.Is(err, store.ErrInvalidPath) {
		e.t.Errorf("child.Sub(..) = %v, want ErrInvalidPath", err)
	}
	if e.has(store.CapList) {
		e.wantListing(child, "", []string{"own.txt"})
		got := e.collect(child.Glob(e.ctx, "**"), "child.Glob(**)")
		if !slices.Equal(got, []string{"own.txt"}) {
			e.t.Errorf("child.Glob(**) = %q, want [own.txt]", got)
		}
	}
	if e.has(store.CapWrite) {
		if err := child.WriteString(e.ctx, "new.txt", "from child", nil); err != nil {
			e.t.Fatalf("child.WriteString: %v", err)
		}
		e.wantContent(e.st, "child/new.txt", []byte("from child"))
		e.wantErr(child.WriteString(e.ctx, "../escape.txt", "x", nil), store.ErrInvalidPath, "child.WriteString(../)")
		e.wantMissing(e.st, "escape.txt")
	}
	if e.has(store.CapDelete | store.CapList) {
		if err := child.DeleteFolder(e.ctx, ""); err != nil {
			e.t.Fatalf("child.DeleteFolder(root): %v", err)
		}
		e.wantContent(e.st, "secret-of-parent.txt", []byte("parent"))
		e.wantMissing(e.st, "child/own.txt")
	}
}

func testSubNested(e *env) {
	e.put(e.st, "a/b/c/file.txt", []byte("nested"))
	ab, err := e.st.Sub("a/b")
	if err != nil {
		e.t.Fatal(err)
	}
	a, err := e.st.Sub("a/")
	if err != nil {
		e.t.Fatal(err)
	}
	b, err := a.Sub("./b")
	if err != nil {
		e.t.Fatal(err)
	}
	if ab.Root() != b.Root() || ab.Root() != store.JoinPath(e.st.Root(), "a/b") {
		e.t.Errorf("Sub(a/b).Root() = %q, Sub(a).Sub(b).Root() = %q, want %q", ab.Root(), b.Root(), store.JoinPath(e.st.Root(), "a/b"))
	}
	e.wantContent(b, "c/file.txt", []byte("nested"))
	same, err := e.st.Sub(".")
	if err != nil || same.Root() != e.st.Root() {
		e.t.Errorf("Sub(.) = %v, %v; want the same root %q", same, err, e.st.Root())
	}
	info, err := b.Stat(e.ctx, "c/file.txt")
	if err != nil || info.Path != "c/file.txt" {
		e.t.Errorf("Stat through nested Sub = %+v, %v; want Path c/file.txt", info, err)
	}
	// Sub does no I/O: a missing folder is fine.
	if _, err := e.st.Sub("does/not/exist"); err != nil {
		e.t.Errorf("Sub(missing folder): %v", err)
	}
}

func testPing(e *env) {
	if err := e.st.Ping(e.ctx); err != nil {
		e.t.Errorf("Ping: %v", err)
	}
	missing, err := e.st.Sub("not/created/yet")
	if err != nil {
		e.t.Fatal(err)
	}
	if err := missing.Ping(e.ctx); err != nil {
		e.t.Errorf("Ping on a sub-store whose folder does not exist: %v", err)
	}
}
