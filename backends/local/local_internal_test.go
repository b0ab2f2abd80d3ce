package local

import (
	"bytes"
	"context"
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

func TestTempNames(t *testing.T) {
	for _, name := range []string{"a", "data.parquet", ".hidden", strings.Repeat("é", 200), strings.Repeat("x", 255)} {
		tmp := tempName(name)
		if !isTempName(tmp) {
			t.Errorf("tempName(%.20q…) = %q is not recognised as temporary", name, tmp)
		}
		if len(tmp) > maxNameLen {
			t.Errorf("tempName(%.20q…) is %d bytes, over %d", name, len(tmp), maxNameLen)
		}
		if !strings.HasPrefix(tmp, ".") {
			t.Errorf("tempName(%q) = %q is not hidden", name, tmp)
		}
	}
	if a, b := tempName("x"), tempName("x"); a == b {
		t.Errorf("two temp names for x are equal: %q", a)
	}
	for _, name := range []string{"a.tmp-0123456789abcdef", ".a.tmp-0123456789ABCDEF", ".a.tmp-0123456789abcde",
		".a.tmp_0123456789abcdef", "data.parquet", ".tmp-0123456789abcdef", ""} {
		if isTempName(name) {
			t.Errorf("isTempName(%q) = true, want false", name)
		}
	}
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

func TestWriteSemantics(t *testing.T) {
	ctx := t.Context()
	_, st, dir := newTest(t)
	mustWrite(t, filepath.Join(dir, "file"), "x")
	if err := os.Mkdir(filepath.Join(dir, "folder"), 0o755); err != nil {
		t.Fatal(err)
	}
	wantKind(t, "write onto folder", st.WriteString(ctx, "folder", "y", nil), store.ErrIsFolder)
	wantKind(t, "write onto folder (overwrite)",
		st.WriteString(ctx, "folder", "y", &store.WriteOptions{Overwrite: true}), store.ErrIsFolder)
	wantKind(t, "write below a file", st.WriteString(ctx, "file/x", "y", nil), store.ErrNotFolder)
	wantKind(t, "write existing", st.WriteString(ctx, "file", "y", nil), store.ErrAlreadyExists)
	wantKind(t, "write temp-pattern name", st.WriteString(ctx, ".a.tmp-0123456789abcdef", "y", nil), store.ErrInvalidPath)
	if err := st.WriteString(ctx, "deep/er/new.txt", "made", nil); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "deep", "er", "new.txt")); err != nil || string(b) != "made" {
		t.Errorf("deep write: %q, %v", b, err)
	}
	if err := st.WriteString(ctx, "file", "replaced", &store.WriteOptions{Overwrite: true}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "file")); string(b) != "replaced" {
		t.Errorf("overwrite: file holds %q", b)
	}
	if fi, err := os.Stat(filepath.Join(dir, "file")); err != nil || fi.Mode().Perm()&0o600 != 0o600 {
		t.Errorf("written file mode %v, %v: want owner read-write", fi.Mode(), err)
	}
}

func TestWriterInvisibleUntilCommit(t *testing.T) {
	ctx := t.Context()
	b, st, dir := newTest(t)
	w, err := st.NewWriter(ctx, "out/a.bin", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("partial")); err != nil {
		t.Fatal(err)
	}
	if ok, err := st.Exists(ctx, "out/a.bin"); ok || err != nil {
		t.Errorf("target visible before Commit: %v, %v", ok, err)
	}
	if n := names(t, filepath.Join(dir, "out")); len(n) != 1 || !isTempName(n[0]) {
		t.Errorf("on disk before Commit: %v; want one temporary file", n)
	}
	for e, err := range st.List(ctx, "out", nil) {
		t.Errorf("List shows %+v, %v before Commit; want nothing", e, err)
	}
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	if n := names(t, filepath.Join(dir, "out")); !slices.Equal(n, []string{"a.bin"}) {
		t.Errorf("on disk after Commit: %v", n)
	}
	wantKind(t, "commit twice", w.Commit(), store.ErrPrecondition)
	_, err = w.Write([]byte("more"))
	wantKind(t, "write after commit", err, store.ErrPrecondition)

	// Backend level: a second Commit is refused and Abort after Commit keeps the file.
	bw, err := b.NewWriter(ctx, "out/c.bin", &store.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	bw.Write([]byte("c"))
	if err := bw.Commit(); err != nil {
		t.Fatal(err)
	}
	wantKind(t, "backend commit twice", bw.Commit(), store.ErrPrecondition)
	bw.Abort()
	if got, err := st.ReadString(ctx, "out/c.bin"); got != "c" || err != nil {
		t.Errorf("after Commit+Abort: %q, %v", got, err)
	}
}

func TestAbortLeavesNoTrace(t *testing.T) {
	ctx := t.Context()
	_, st, dir := newTest(t)
	mustWrite(t, filepath.Join(dir, "keep", "x"), "x")
	for _, how := range []string{"abort", "close", "cancel", "exists"} {
		t.Run(how, func(t *testing.T) {
			wctx, cancel := context.WithCancel(ctx)
			defer cancel()
			target := "new/deeper/" + how
			if how == "exists" {
				target = "keep/x"
			}
			w, err := st.NewWriter(wctx, target, &store.WriteOptions{})
			if how == "exists" {
				// Store refuses up front; go through the backend so the
				// refusal happens at Commit.
				wantKind(t, "store pre-check", err, store.ErrAlreadyExists)
				bw, err := st.Backend().NewWriter(wctx, target, &store.WriteOptions{})
				if err != nil {
					t.Fatal(err)
				}
				bw.Write([]byte("intruder"))
				wantKind(t, "commit over existing", classify(bw.Commit()), store.ErrAlreadyExists)
				bw.Abort()
			} else {
				if err != nil {
					t.Fatal(err)
				}
				if _, err := w.Write(bytes.Repeat([]byte("z"), 1<<16)); err != nil {
					t.Fatal(err)
				}
				switch how {
				case "abort":
					w.Abort()
				case "close":
					w.Close()
				case "cancel":
					cancel()
					wantKind(t, "commit after cancel", w.Commit(), context.Canceled)
				}
			}
			got := names(t, dir)
			slices.Sort(got)
			if !slices.Equal(got, []string{"keep"}) {
				t.Errorf("root after %s: %v; want only keep", how, got)
			}
			if got := names(t, filepath.Join(dir, "keep")); !slices.Equal(got, []string{"x"}) {
				t.Errorf("keep/ after %s: %v", how, got)
			}
			if b, _ := os.ReadFile(filepath.Join(dir, "keep", "x")); string(b) != "x" {
				t.Errorf("keep/x changed to %q", b)
			}
		})
	}
}

type failingReader struct{ n int }

func (r *failingReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, errors.New("source broke")
	}
	n := min(len(p), r.n)
	r.n -= n
	return n, nil
}

func TestFailedSourceLeavesNoTrace(t *testing.T) {
	ctx := t.Context()
	_, st, dir := newTest(t)
	err := st.Write(ctx, "a/b/c.bin", &failingReader{n: 1 << 20}, nil)
	if err == nil || !strings.Contains(err.Error(), "source broke") {
		t.Fatalf("Write from a failing source: %v", err)
	}
	if got := names(t, dir); len(got) != 0 {
		t.Errorf("left behind: %v", got)
	}
}

func TestCommitOntoFolderThatAppeared(t *testing.T) {
	ctx := t.Context()
	b, _, dir := newTest(t)
	for _, overwrite := range []bool{false, true} {
		name := fmt.Sprintf("t%v", overwrite)
		w, err := b.NewWriter(ctx, name, &store.WriteOptions{Overwrite: overwrite})
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte("x"))
		mustWrite(t, filepath.Join(dir, name, "inside"), "y")
		wantKind(t, "commit onto a folder", w.Commit(), store.ErrIsFolder)
		if got := names(t, filepath.Join(dir, name)); !slices.Equal(got, []string{"inside"}) {
			t.Errorf("folder content after refused commit: %v", got)
		}
	}
}

// TestRacingWritersWithoutOverwrite: of many writers committing the same
// new path without Overwrite, exactly one wins; the file holds its bytes.
func TestRacingWritersWithoutOverwrite(t *testing.T) {
	for _, fallback := range []bool{false, true} {
		t.Run(fmt.Sprintf("linkFallback=%v", fallback), func(t *testing.T) {
			if fallback {
				old := renameNoReplaceFunc
				renameNoReplaceFunc = func(*os.File, string, *os.File, string) error { return errNoReplaceUnsupported }
				t.Cleanup(func() { renameNoReplaceFunc = old })
			}
			ctx := t.Context()
			b, st, dir := newTest(t)
			const n = 16
			var writers []store.BackendWriter
			for i := range n {
				w, err := b.NewWriter(ctx, "race/target", &store.WriteOptions{})
				if err != nil {
					t.Fatal(err)
				}
				fmt.Fprintf(w, "writer %d", i)
				writers = append(writers, w)
			}
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i, w := range writers {
				wg.Go(func() { errs[i] = w.Commit() })
			}
			wg.Wait()
			winner := -1
			for i, err := range errs {
				switch {
				case err == nil && winner >= 0:
					t.Errorf("writers %d and %d both committed", winner, i)
				case err == nil:
					winner = i
				default:
					wantKind(t, fmt.Sprintf("writer %d", i), st.Backend().Classify(err), store.ErrAlreadyExists)
				}
			}
			got, err := st.ReadString(ctx, "race/target")
			if winner < 0 || err != nil || got != fmt.Sprintf("writer %d", winner) {
				t.Errorf("winner %d, file holds %q (%v)", winner, got, err)
			}
			if got := names(t, filepath.Join(dir, "race")); !slices.Equal(got, []string{"target"}) {
				t.Errorf("left on disk: %v", got)
			}
		})
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

func TestCopyMove(t *testing.T) {
	for _, fallback := range []bool{false, true} {
		t.Run(fmt.Sprintf("linkFallback=%v", fallback), func(t *testing.T) {
			if fallback {
				old := renameNoReplaceFunc
				renameNoReplaceFunc = func(*os.File, string, *os.File, string) error { return errNoReplaceUnsupported }
				t.Cleanup(func() { renameNoReplaceFunc = old })
			}
			ctx := t.Context()
			_, st, dir := newTest(t)
			mustWrite(t, filepath.Join(dir, "src"), "source")
			mustWrite(t, filepath.Join(dir, "other"), "other")
			if err := st.Copy(ctx, "src", "copies/a/dst", nil); err != nil {
				t.Fatal(err)
			}
			if got, _ := st.ReadString(ctx, "copies/a/dst"); got != "source" {
				t.Errorf("copy holds %q", got)
			}
			wantKind(t, "copy onto existing", st.Copy(ctx, "other", "copies/a/dst", nil), store.ErrAlreadyExists)
			if err := st.Copy(ctx, "other", "copies/a/dst", &store.CopyOptions{Overwrite: true}); err != nil {
				t.Fatal(err)
			}
			if got, _ := st.ReadString(ctx, "copies/a/dst"); got != "other" {
				t.Errorf("overwritten copy holds %q", got)
			}
			wantKind(t, "move onto existing", st.Move(ctx, "src", "other", nil), store.ErrAlreadyExists)
			if got, _ := st.ReadString(ctx, "other"); got != "other" {
				t.Errorf("refused move changed the target to %q", got)
			}
			if err := st.Move(ctx, "src", "moved/here", nil); err != nil {
				t.Fatal(err)
			}
			if got, _ := st.ReadString(ctx, "moved/here"); got != "source" {
				t.Errorf("moved file holds %q", got)
			}
			if ok, _ := st.Exists(ctx, "src"); ok {
				t.Error("source still exists after Move")
			}
			if err := st.Move(ctx, "moved/here", "other", &store.CopyOptions{Overwrite: true}); err != nil {
				t.Fatal(err)
			}
			if got, _ := st.ReadString(ctx, "other"); got != "source" {
				t.Errorf("overwriting move: target holds %q", got)
			}
			// Backend level, past Store's checks: a folder at the target.
			b := st.Backend().(*Backend)
			wantKind(t, "backend move onto folder", b.Move(ctx, "other", "copies", false), store.ErrIsFolder)
			wantKind(t, "backend move onto folder (overwrite)", b.Move(ctx, "other", "copies", true), store.ErrIsFolder)
			wantKind(t, "backend move of folder", b.Move(ctx, "copies", "x", false), store.ErrIsFolder)
			wantKind(t, "backend copy of folder", b.Copy(ctx, "copies", "x", false), store.ErrIsFolder)
			got := names(t, dir)
			slices.Sort(got)
			if !slices.Equal(got, []string{"copies", "moved", "other"}) {
				t.Errorf("root holds %v", got)
			}
			if got := names(t, filepath.Join(dir, "copies", "a")); !slices.Equal(got, []string{"dst"}) {
				t.Errorf("copies/a holds %v", got)
			}
		})
	}
}

// TestSymlinksStayInside: links inside the root are followed; a link
// leaving it can be neither read, written through, listed into nor used to
// delete outside files.
func TestSymlinksStayInside(t *testing.T) {
	ctx := t.Context()
	_, st, dir := newTest(t)
	outside := t.TempDir()
	mustWrite(t, filepath.Join(outside, "secret"), "secret")
	mustWrite(t, filepath.Join(dir, "real", "f"), "inside")
	for link, target := range map[string]string{
		"esc":      outside,
		"escf":     filepath.Join(outside, "secret"),
		"escrel":   "../" + filepath.Base(outside),
		"dangling": filepath.Join(dir, "nowhere"),
		"in":       "real",
		"inf":      "real/f",
	} {
		if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
			t.Skipf("cannot make symlinks here: %v", err)
		}
	}
	// Inside links work.
	if got, err := st.ReadString(ctx, "in/f"); got != "inside" || err != nil {
		t.Errorf("read through inside link: %q, %v", got, err)
	}
	if got, err := st.ReadString(ctx, "inf"); got != "inside" || err != nil {
		t.Errorf("read inside file link: %q, %v", got, err)
	}
	// Escaping ones fail with ErrPermission, whatever the operation.
	for _, p := range []string{"esc/secret", "escf", "escrel/secret"} {
		_, err := st.ReadString(ctx, p)
		wantKind(t, "read "+p, err, store.ErrPermission)
		_, err = st.Stat(ctx, p)
		wantKind(t, "stat "+p, err, store.ErrPermission)
		_, err = st.OpenSeekable(ctx, p)
		wantKind(t, "seekable "+p, err, store.ErrPermission)
		wantKind(t, "overwrite "+p, st.WriteString(ctx, p, "pwned", &store.WriteOptions{Overwrite: true}), store.ErrPermission)
		wantKind(t, "copy from "+p, st.Copy(ctx, p, "stolen", nil), store.ErrPermission)
	}
	wantKind(t, "write into esc", st.WriteString(ctx, "esc/new", "pwned", nil), store.ErrPermission)
	wantKind(t, "copy into esc", st.Copy(ctx, "real/f", "esc/new", nil), store.ErrPermission)
	wantKind(t, "move into esc", st.Move(ctx, "real/f", "esc/new", nil), store.ErrPermission)
	wantKind(t, "delete esc/secret", st.Delete(ctx, "esc/secret", nil), store.ErrPermission)
	wantKind(t, "delete-folder esc/x", st.DeleteFolder(ctx, "esc/x"), store.ErrPermission)
	for e, err := range st.List(ctx, "esc", nil) {
		if err == nil {
			t.Errorf("List(esc) yielded %+v", e)
		} else {
			wantKind(t, "list esc", err, store.ErrPermission)
		}
	}
	sub, err := st.Sub("esc")
	if err != nil {
		t.Fatal(err)
	}
	_, err = sub.ReadString(ctx, "secret")
	wantKind(t, "read through Sub(esc)", err, store.ErrPermission)

	// List of the root shows the inside links, skips the others.
	var got []string
	for e, err := range st.List(ctx, "", &store.ListOptions{MaxDepth: 1}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%s:%v", e.Path, e.IsFolder))
	}
	slices.Sort(got)
	if want := []string{"in:true", "inf:false", "real:true"}; !slices.Equal(got, want) {
		t.Errorf("List(root) = %v, want %v", got, want)
	}
	// Deleting links removes the links only.
	for _, p := range []string{"escf", "dangling", "inf"} {
		if err := st.Delete(ctx, p, nil); err != nil {
			t.Errorf("delete link %s: %v", p, err)
		}
	}
	wantKind(t, "delete link to inside folder", st.Delete(ctx, "in", nil), store.ErrIsFolder)
	wantKind(t, "delete-folder esc", st.DeleteFolder(ctx, "esc"), store.ErrPermission)
	if err := st.Delete(ctx, "esc", nil); err != nil {
		t.Errorf("delete escaping folder link: %v", err)
	}
	if got := names(t, dir); !slices.Equal(got, []string{"escrel", "in", "real"}) {
		t.Errorf("root after deleting links: %v", got)
	}
	if b, err := os.ReadFile(filepath.Join(outside, "secret")); err != nil || string(b) != "secret" {
		t.Errorf("outside file changed: %q, %v", b, err)
	}
	if got := names(t, outside); !slices.Equal(got, []string{"secret"}) {
		t.Errorf("outside folder holds %v", got)
	}
	if got, err := st.ReadString(ctx, "real/f"); got != "inside" || err != nil {
		t.Errorf("link target inside changed: %q, %v", got, err)
	}
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
		{kindErr(store.ErrIsFolder, errors.New("x")), store.ErrIsFolder},
		{nil, nil},
	} {
		if got := classify(c.err); got != c.want {
			t.Errorf("classify(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}

func TestNameTooLong(t *testing.T) {
	_, st, _ := newTest(t)
	err := st.WriteString(t.Context(), strings.Repeat("n", 300), "x", nil)
	wantKind(t, "300-byte name", err, store.ErrInvalidPath)
}
