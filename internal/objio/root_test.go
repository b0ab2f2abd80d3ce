package objio

import "testing"

func TestRoot(t *testing.T) {
	for _, c := range []struct {
		root, p, key, dir string
	}{
		{"", "", "", ""}, {"", "a/b", "a/b", "a/b/"}, {"pre/fix", "", "pre/fix", "pre/fix/"}, {"pre", "a", "pre/a", "pre/a/"},
	} {
		r := Root(c.root)
		if k := r.Key(c.p); k != c.key {
			t.Errorf("Root(%q).Key(%q) = %q, want %q", c.root, c.p, k, c.key)
		}
		if d := r.DirPrefix(c.p); d != c.dir {
			t.Errorf("Root(%q).DirPrefix(%q) = %q, want %q", c.root, c.p, d, c.dir)
		}
		if c.p != "" {
			if p, ok := r.Path(c.key); !ok || p != c.p {
				t.Errorf("Root(%q).Path(%q) = %q, %v, want %q", c.root, c.key, p, ok, c.p)
			}
		}
	}
	for _, c := range []struct{ root, key string }{
		{"pre", "other/a"}, {"pre", "pre"}, {"pre", "pre/"}, {"pre", "prefix/a"}, {"", "a/"}, {"", "a//b"}, {"", "a/./b"},
	} {
		if p, ok := Root(c.root).Path(c.key); ok {
			t.Errorf("Root(%q).Path(%q) = %q, true; want false", c.root, c.key, p)
		}
	}
}
