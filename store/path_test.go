package store_test

import (
	"errors"
	"path"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/remotestore/remotestore/backends/memory"
	"github.com/remotestore/remotestore/store"
)

func TestCleanPath(t *testing.T) {
	ok := []struct{ in, want string }{
		{"", ""},
		{".", ""},
		{"./", ""},
		{"a", "a"},
		{"a/b", "a/b"},
		{"a//b", "a/b"},
		{"a/b/", "a/b"},
		{"a/b//", "a/b"},
		{"./a/./b/.", "a/b"},
		{"a/../b", "b"},
		{"a/b/../../c", "c"},
		{"a/..", ""},
		{"a/b/..", "a"},
		{"...", "..."},
		{"a/.../b", "a/.../b"},
		{"..a/b..", "..a/b.."},
		{".hidden", ".hidden"},
		{"données/日本/ü ñ.txt", "données/日本/ü ñ.txt"},
		{"year=2024/month=01", "year=2024/month=01"},
		{"100%/a+b", "100%/a+b"},
		{" spaced / name ", " spaced / name "},
		{"a:b", "a:b"},
		{"~", "~"},
	}
	for _, c := range ok {
		got, err := store.CleanPath(c.in)
		if err != nil || got != c.want {
			t.Errorf("CleanPath(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	bad := []struct{ in, why string }{
		{"..", "leaves"},
		{"../a", "leaves"},
		{"a/../..", "leaves"},
		{"a/../../b", "leaves"},
		{"./..", "leaves"},
		{"/", "absolute"},
		{"/a", "absolute"},
		{"//a", "absolute"},
		{"a\\b", "backslash"},
		{"\\", "backslash"},
		{"a\x00b", "NUL"},
		{"\x00", "NUL"},
		{"tab\there", "control"},
		{"new\nline", "control"},
		{"del\x7f", "control"},
		{"\xff", "UTF-8"},
		{"a/\xc3", "UTF-8"},
	}
	for _, c := range bad {
		got, err := store.CleanPath(c.in)
		if err == nil {
			t.Errorf("CleanPath(%q) = %q, want an error", c.in, got)
			continue
		}
		if !errors.Is(err, store.ErrInvalidPath) {
			t.Errorf("CleanPath(%q) error %v does not match ErrInvalidPath", c.in, err)
		}
		if !strings.Contains(err.Error(), c.why) {
			t.Errorf("CleanPath(%q) error %q does not say %q", c.in, err, c.why)
		}
		var se *store.Error
		if !errors.As(err, &se) || se.Path != c.in {
			t.Errorf("CleanPath(%q) error %#v does not carry the path", c.in, err)
		}
	}
}

func TestJoinBaseParent(t *testing.T) {
	for _, c := range []struct {
		elems []string
		want  string
	}{
		{nil, ""},
		{[]string{""}, ""},
		{[]string{"", ""}, ""},
		{[]string{"a"}, "a"},
		{[]string{"", "a"}, "a"},
		{[]string{"a", ""}, "a"},
		{[]string{"a", "b/c"}, "a/b/c"},
		{[]string{"a", "", "b"}, "a/b"},
	} {
		if got := store.JoinPath(c.elems...); got != c.want {
			t.Errorf("JoinPath(%q) = %q, want %q", c.elems, got, c.want)
		}
	}
	for _, c := range []struct{ p, base, parent string }{
		{"", "", ""},
		{"a", "a", ""},
		{"a/b", "b", "a"},
		{"a/b/c.txt", "c.txt", "a/b"},
		{"données/ü ñ.txt", "ü ñ.txt", "données"},
	} {
		if got := store.BaseName(c.p); got != c.base {
			t.Errorf("BaseName(%q) = %q, want %q", c.p, got, c.base)
		}
		if got := store.ParentPath(c.p); got != c.parent {
			t.Errorf("ParentPath(%q) = %q, want %q", c.p, got, c.parent)
		}
	}
}

// checkClean asserts the properties of every path CleanPath accepts or
// rejects, using path.Clean as the oracle.
func checkClean(t *testing.T, in string) {
	got, err := store.CleanPath(in)
	mustReject := strings.ContainsAny(in, "\x00\\") || strings.HasPrefix(in, "/") || !utf8.ValidString(in) ||
		strings.ContainsFunc(in, func(r rune) bool { return r < 0x20 || r == 0x7f })
	oracle := path.Clean(in)
	if oracle == ".." || strings.HasPrefix(oracle, "../") {
		mustReject = true
	}
	if err != nil {
		if !errors.Is(err, store.ErrInvalidPath) {
			t.Fatalf("CleanPath(%q) error %v does not match ErrInvalidPath", in, err)
		}
		if !mustReject {
			t.Fatalf("CleanPath(%q) rejected a valid path: %v", in, err)
		}
		if got != "" {
			t.Fatalf("CleanPath(%q) returned %q with an error", in, got)
		}
		return
	}
	if mustReject {
		t.Fatalf("CleanPath(%q) = %q, want ErrInvalidPath", in, got)
	}
	if oracle == "." {
		oracle = ""
	}
	if got != oracle {
		t.Fatalf("CleanPath(%q) = %q, path.Clean says %q", in, got, oracle)
	}
	if strings.HasPrefix(got, "/") || strings.HasSuffix(got, "/") || strings.Contains(got, "//") ||
		strings.ContainsRune(got, 0) || !utf8.ValidString(got) {
		t.Fatalf("CleanPath(%q) = %q is not clean", in, got)
	}
	for _, seg := range strings.Split(got, "/") {
		if seg == ".." || seg == "." || (seg == "" && got != "") {
			t.Fatalf("CleanPath(%q) = %q has segment %q", in, got, seg)
		}
	}
	again, err := store.CleanPath(got)
	if err != nil || again != got {
		t.Fatalf("CleanPath is not idempotent: CleanPath(%q) = %q, then %q, %v", in, got, again, err)
	}
	if got != "" && store.JoinPath(store.ParentPath(got), store.BaseName(got)) != got {
		t.Fatalf("JoinPath(ParentPath, BaseName) of %q does not give it back", got)
	}
}

func FuzzCleanPath(f *testing.F) {
	for _, s := range []string{"", ".", "a/b", "a//b/", "./a/../b", "../x", "/abs", "a\\b", "a\x00b", "données/日本/ü ñ.txt", "year=2024/month=01", "a/../..", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(checkClean)
}

// FuzzJoin checks that a path cleaned inside a sub-store never resolves
// outside it: Sub(dir).Resolve(p).Key lies in dir and equals the clean
// join of the two.
func FuzzJoin(f *testing.F) {
	for _, s := range [][2]string{{"a", "b"}, {"", "x/y"}, {"a/b", ".."}, {"a", "../b"}, {"a", "b/../c"}, {"x/", "/y"}, {"données", "ü/ñ"}} {
		f.Add(s[0], s[1])
	}
	st := memory.NewStore()
	f.Fuzz(func(t *testing.T, dir, p string) {
		cd, errD := store.CleanPath(dir)
		cp, errP := store.CleanPath(p)
		sub, err := st.Sub(dir)
		if (err == nil) != (errD == nil) {
			t.Fatalf("Sub(%q) = %v, CleanPath = %v", dir, err, errD)
		}
		if err != nil {
			return
		}
		res, err := sub.Resolve(p)
		if (err == nil) != (errP == nil) {
			t.Fatalf("Resolve(%q) = %v, CleanPath = %v", p, err, errP)
		}
		if err != nil {
			if !errors.Is(err, store.ErrInvalidPath) {
				t.Fatalf("Resolve(%q) error %v does not match ErrInvalidPath", p, err)
			}
			return
		}
		j := store.JoinPath(cd, cp)
		if res.Key != j || res.Path != cp {
			t.Fatalf("Sub(%q).Resolve(%q) = %+v, want Key %q Path %q", dir, p, res, j, cp)
		}
		if again, err := store.CleanPath(j); err != nil || again != j {
			t.Fatalf("JoinPath(%q, %q) = %q is not clean: %q, %v", cd, cp, j, again, err)
		}
		if cd != "" && j != cd && !strings.HasPrefix(j, cd+"/") {
			t.Fatalf("Sub(%q).Resolve(%q).Key = %q lies outside the sub-store", dir, p, j)
		}
		if cd != "" && cp != "" {
			if whole, err := store.CleanPath(cd + "/" + cp); err != nil || whole != j {
				t.Fatalf("CleanPath(%q) = %q, %v; JoinPath gave %q", cd+"/"+cp, whole, err, j)
			}
		}
	})
}
