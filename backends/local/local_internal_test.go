package local

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/remotestore/remotestore/store"
)

// newTest opens a backend on a fresh temporary folder and returns it with a
// Store over it and the folder's path.
func newTest(t *testing.T) (*Backend, *store.Store, string) {
	t.Helper()
	dir := t.TempDir()
	b, err := New(t.Context(), Config{Root: dir})
	if err != nil {
		t.Fatal(err)
	}
	st := store.New(b)
	t.Cleanup(func() { st.Close() })
	return b, st, dir
}

func mustWrite(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func wantKind(t *testing.T, what string, err, kind error) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Fatalf("%s: got error %v, want %v", what, err, kind)
	}
}

// names lists the folder on disk, temporary files included.
func names(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

func TestParseURL(t *testing.T) {
	ok := []struct {
		in   string
		want Config
	}{
		{"file:///data/x", Config{Root: "/data/x"}},
		{"file://localhost/data/x", Config{Root: "/data/x"}},
		{"file:///data/with%20space", Config{Root: "/data/with space"}},
		{"file://./rel/dir", Config{Root: "./rel/dir"}},
		{"file://../up", Config{Root: "../up"}},
		{"file://.", Config{Root: "."}},
		{"file:///d?create_root=true&no_sync=1", Config{Root: "/d", CreateRoot: true, NoSync: true}},
		{"file:///d?create_root=false", Config{Root: "/d"}},
	}
	for _, c := range ok {
		u, err := url.Parse(c.in)
		if err != nil {
			t.Fatal(err)
		}
		got, err := ParseURL(u)
		if err != nil || got != c.want {
			t.Errorf("ParseURL(%s) = %+v, %v; want %+v", c.in, got, err, c.want)
		}
	}
	// A bare path as store.OpenURL hands it over: taken literally.
	got, err := ParseURL(&url.URL{Scheme: "file", Path: "./a%20b?x"})
	if err != nil || got.Root != "./a%20b?x" {
		t.Errorf("bare path: got %+v, %v", got, err)
	}
	bad := map[string]string{
		"file:///d?color=blue":          "unknown query parameter",
		"file:///d?create_root=ja":      "not a boolean",
		"file:///d?no_sync=1&no_sync=0": "given 2 times",
		"file://server/share":           "host",
		"file://user@/d":                "no user",
		"file:///d#frag":                "fragment",
		"file:rel":                      "opaque",
		"file://":                       "no root",
		"s3://bkt/x":                    "scheme",
	}
	for in, msg := range bad {
		u, err := url.Parse(in)
		if err != nil {
			t.Fatal(err)
		}
		_, err = ParseURL(u)
		if !errors.Is(err, store.ErrInvalidConfig) || !strings.Contains(err.Error(), msg) {
			t.Errorf("ParseURL(%s) = %v; want ErrInvalidConfig mentioning %q", in, err, msg)
		}
	}
}

func TestOpenURLAndConfig(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	mustWrite(t, filepath.Join(dir, "a.txt"), "hello")
	for _, raw := range []string{"file://" + filepath.ToSlash(dir), dir} {
		st, err := store.OpenURL(ctx, raw)
		if err != nil {
			t.Fatalf("OpenURL(%s): %v", raw, err)
		}
		got, err := st.ReadString(ctx, "a.txt")
		if err != nil || got != "hello" {
			t.Errorf("OpenURL(%s): read a.txt = %q, %v", raw, got, err)
		}
		if want := "file://" + filepath.ToSlash(dir) + "/a.txt"; st.URI("a.txt") != want {
			t.Errorf("URI = %q, want %q", st.URI("a.txt"), want)
		}
		st.Close()
	}
	cfg, err := store.ParseConfig(fmt.Appendf(nil, `
backends:
  disk: {type: file, options: {root: %q, create_root: true}}
stores:
  out: {backend: disk, root_path: sub}
`, filepath.Join(dir, "made")))
	if err != nil {
		t.Fatal(err)
	}
	st, err := cfg.Open(ctx, "out")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.WriteString(ctx, "b.txt", "yaml", nil); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "made", "sub", "b.txt")); err != nil || string(b) != "yaml" {
		t.Errorf("file written through YAML config: %q, %v", b, err)
	}
	cfg, err = store.ParseConfig([]byte("backends:\n  d: {type: file, options: {root: /x, colour: red}}\nstores:\n  s: {backend: d}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cfg.Open(ctx, "s"); err == nil || !strings.Contains(err.Error(), "colour") {
		t.Errorf("unknown YAML option: got %v, want an error naming it", err)
	}
}

func TestNewRoot(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	_, err := New(ctx, Config{Root: filepath.Join(dir, "missing")})
	wantKind(t, "missing root", err, store.ErrNotFound)
	if !strings.Contains(err.Error(), "create_root") {
		t.Errorf("missing root error %q does not mention create_root", err)
	}
	mustWrite(t, filepath.Join(dir, "file"), "x")
	_, err = New(ctx, Config{Root: filepath.Join(dir, "file")})
	wantKind(t, "root is a file", err, store.ErrNotFolder)
	_, err = New(ctx, Config{})
	wantKind(t, "empty root", err, store.ErrInvalidConfig)

	b, err := New(ctx, Config{Root: filepath.Join(dir, "new", "deep"), CreateRoot: true})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if fi, err := os.Stat(filepath.Join(dir, "new", "deep")); err != nil || !fi.IsDir() {
		t.Errorf("create_root did not create the folder: %v", err)
	}
	if err := b.Ping(ctx); err != nil {
		t.Errorf("Ping: %v", err)
	}
	var r *os.Root
	if !store.New(b).As(&r) || r == nil {
		t.Errorf("As(**os.Root) = false")
	}
}

func TestStatListDelete(t *testing.T) {
	ctx := t.Context()
	_, st, dir := newTest(t)
	mustWrite(t, filepath.Join(dir, "a.txt"), "aaa")
	mustWrite(t, filepath.Join(dir, "sub", "b.txt"), "bb")
	if err := os.Mkdir(filepath.Join(dir, "empty"), 0o755); err != nil {
		t.Fatal(err)
	}

	info, err := st.Stat(ctx, "")
	if err != nil || !info.IsFolder {
		t.Errorf("Stat(root) = %+v, %v; want a folder", info, err)
	}
	info, err = st.Stat(ctx, "a.txt")
	if err != nil || info.IsFolder || info.Size != 3 || info.ModTime.IsZero() {
		t.Errorf("Stat(a.txt) = %+v, %v", info, err)
	}
	_, err = st.Stat(ctx, "nope")
	wantKind(t, "stat missing", err, store.ErrNotFound)
	_, err = st.Stat(ctx, "a.txt/x")
	wantKind(t, "stat below a file", err, store.ErrNotFound)
	if ok, err := st.Exists(ctx, "a.txt/x"); ok || err != nil {
		t.Errorf("Exists(a.txt/x) = %v, %v; want false, nil", ok, err)
	}
	_, err = st.Open(ctx, "a.txt/x")
	wantKind(t, "open below a file", err, store.ErrNotFound)
	wantKind(t, "delete below a file", st.Delete(ctx, "a.txt/x", nil), store.ErrNotFound)
	wantKind(t, "write below a file", st.WriteString(ctx, "a.txt/x/y", "z", nil), store.ErrNotFolder)
	wantKind(t, "move below a file", st.Move(ctx, "sub/b.txt", "a.txt/b.txt", nil), store.ErrNotFolder)

	var got []string
	for e, err := range st.List(ctx, "", nil) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%s:%v", e.Path, e.IsFolder))
	}
	slices.Sort(got)
	want := []string{"a.txt:false", "empty:true", "sub/b.txt:false", "sub:true"}
	if !slices.Equal(got, want) {
		t.Errorf("List = %v, want %v", got, want)
	}
	for _, p := range []string{"nope", "a.txt", "a.txt/x"} {
		for e, err := range st.List(ctx, p, nil) {
			t.Errorf("List(%s) yielded %+v, %v; want nothing", p, e, err)
		}
	}

	wantKind(t, "delete folder", st.Delete(ctx, "sub", nil), store.ErrIsFolder)
	wantKind(t, "delete missing", st.Delete(ctx, "nope", nil), store.ErrNotFound)
	if err := st.Delete(ctx, "a.txt", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "a.txt")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a.txt still on disk after Delete: %v", err)
	}
	if err := st.DeleteFolder(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if n := names(t, dir); len(n) != 0 {
		t.Errorf("root not empty after DeleteFolder(\"\"): %v", n)
	}
	if _, err := os.Stat(dir); err != nil {
		t.Errorf("DeleteFolder(\"\") removed the root itself: %v", err)
	}
}

func TestListSkipsUnnameableEntries(t *testing.T) {
	_, st, dir := newTest(t)
	mustWrite(t, filepath.Join(dir, `back\slash`), "x")
	mustWrite(t, filepath.Join(dir, "ctl\x01"), "x")
	mustWrite(t, filepath.Join(dir, "ok"), "x")
	var got []string
	for e, err := range st.List(t.Context(), "", nil) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, e.Path)
	}
	if !slices.Equal(got, []string{"ok"}) {
		t.Errorf("List = %q, want only ok", got)
	}
}

func TestReadRanges(t *testing.T) {
	ctx := t.Context()
	_, st, dir := newTest(t)
	data := make([]byte, 100_000)
	for i := range data {
		data[i] = byte(i * 7)
	}
	mustWrite(t, filepath.Join(dir, "f"), string(data))
	for _, c := range []struct{ off, n int64 }{{0, -1}, {0, 10}, {99_990, -1}, {99_990, 100}, {500, 70_000}, {200_000, -1}, {200_000, 5}} {
		want := data[min(c.off, int64(len(data))):]
		if c.n >= 0 && c.n < int64(len(want)) {
			want = want[:c.n]
		}
		// Through Read, and through WriteTo into an *os.File (copy_file_range).
		rc, err := st.OpenRange(ctx, "f", c.off, c.n)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(struct{ io.Reader }{rc})
		rc.Close()
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("Read range %+v: %d bytes, %v; want %d", c, len(got), err, len(want))
		}
		rc, err = st.OpenRange(ctx, "f", c.off, c.n)
		if err != nil {
			t.Fatal(err)
		}
		out, err := os.Create(filepath.Join(t.TempDir(), "out"))
		if err != nil {
			t.Fatal(err)
		}
		n, err := io.Copy(out, rc)
		rc.Close()
		out.Close()
		got, _ = os.ReadFile(out.Name())
		if err != nil || n != int64(len(want)) || !bytes.Equal(got, want) {
			t.Errorf("WriteTo range %+v: %d bytes, %v; want %d", c, n, err, len(want))
		}
	}
	_, err := st.Open(ctx, "")
	wantKind(t, "open root", err, store.ErrIsFolder)
	if err := os.Mkdir(filepath.Join(dir, "d"), 0o755); err != nil {
		t.Fatal(err)
	}
	_, err = st.Open(ctx, "d")
	wantKind(t, "open folder", err, store.ErrIsFolder)
	_, err = st.OpenSeekable(ctx, "d")
	wantKind(t, "seekable folder", err, store.ErrIsFolder)
	_, err = st.Open(ctx, "missing")
	wantKind(t, "open missing", err, store.ErrNotFound)

	sr, err := st.OpenSeekable(ctx, "f")
	if err != nil {
		t.Fatal(err)
	}
	defer sr.Close()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			buf := make([]byte, 1000)
			for off := int64(g * 1000); off < int64(len(data)); off += 8000 {
				n, err := sr.ReadAt(buf, off)
				if (err != nil && err != io.EOF) || !bytes.Equal(buf[:n], data[off:off+int64(n)]) {
					t.Errorf("ReadAt(%d): %d, %v", off, n, err)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestClassify(t *testing.T) {
	pe := func(errno syscall.Errno) error { return &fs.PathError{Op: "openat", Path: "x", Err: errno} }
	for _, c := range []struct {
		err, want error
	}{
		{pe(syscall.ENOENT), store.ErrNotFound},
		{pe(syscall.EEXIST), store.ErrAlreadyExists},
		{pe(syscall.EACCES), store.ErrPermission},
		{pe(syscall.EPERM), store.ErrPermission},
		{pe(syscall.EROFS), store.ErrPermission},
		{pe(syscall.ENOTDIR), store.ErrNotFolder},
		{pe(syscall.EISDIR), store.ErrIsFolder},
		{pe(syscall.ENAMETOOLONG), store.ErrInvalidPath},
		{&fs.PathError{Op: "openat", Path: "x", Err: errors.New(escapeMsg)}, store.ErrPermission},
		{pe(syscall.ENOSPC), nil},
		{pe(syscall.EIO), nil},
		{store.WithKind(store.ErrIsFolder, errors.New("x")), store.ErrIsFolder},
		{nil, nil},
	} {
		if got := classify(c.err); got != c.want {
			t.Errorf("classify(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}
