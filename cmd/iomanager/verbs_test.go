package main

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestVerbsLocal drives every verb against a local folder store, one
// command per run as from a shell.
func TestVerbsLocal(t *testing.T) {
	h := newHarness(t)
	dir, u := tempStore(t)
	local := t.TempDir()
	writeFile(t, filepath.Join(local, "a.txt"), "alpha\n")
	st := []string{"--store", u}
	run := func(args ...string) result { t.Helper(); return h.ok(append(st, args...)...) }

	run("put", filepath.Join(local, "a.txt"), "docs/a.txt")
	if r := h.run("beta\n", append(st, "put", "-", "docs/sub/b.txt")...); r.code != 0 {
		t.Fatalf("put -: exit %d: %s", r.code, r.stderr)
	}
	// Into a folder, under the file's own name: docs/a.txt, which exists.
	h.fails(exitAlreadyExists, []string{u + "/docs/a.txt"}, append(st, "put", filepath.Join(local, "a.txt"), "docs/")...)
	run("put", filepath.Join(local, "a.txt"), "top.txt")
	h.fails(exitUsage, []string{"docs/ names a folder"}, append(st, "put", "-", "docs/")...)
	if got := readFile(t, filepath.Join(dir, "docs", "sub", "b.txt")); got != "beta\n" {
		t.Fatalf("put - wrote %q", got)
	}

	if r := run("ls"); r.stdout != "docs/\ntop.txt\n" {
		t.Errorf("ls:\n%s", r.stdout)
	}
	if r := run("ls", "docs"); r.stdout != "a.txt\nsub/\n" {
		t.Errorf("ls docs:\n%s", r.stdout)
	}
	want := "docs/\ndocs/a.txt\ndocs/sub/\ndocs/sub/b.txt\ntop.txt\n"
	if r := run("ls", "-R"); r.stdout != want {
		t.Errorf("ls -R:\n%s", r.stdout)
	}
	if r := run("ls", "--depth", "2"); r.stdout != "docs/\ndocs/a.txt\ndocs/sub/\ntop.txt\n" {
		t.Errorf("ls --depth 2:\n%s", r.stdout)
	}
	if r := h.ok("ls", "-R", u+"/docs"); r.stdout != "a.txt\nsub/\nsub/b.txt\n" {
		t.Errorf("ls -R URL:\n%s", r.stdout)
	}
	if r := run("ls", "docs/a.txt"); r.stdout != "a.txt\n" {
		t.Errorf("ls of a file:\n%s", r.stdout)
	}
	r := run("ls", "-l", "docs") // flags may follow the arguments too
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 2 || strings.Join(strings.Fields(lines[0])[:1], "") != "6" || !strings.HasSuffix(lines[0], "  -  a.txt") ||
		!strings.Contains(lines[0], "Z") || !strings.HasSuffix(lines[1], "sub/") {
		t.Errorf("ls -l:\n%s", r.stdout)
	}

	r = run("stat", "docs/a.txt")
	for _, w := range []string{"path:     docs/a.txt", "type:     file", "size:     6", "uri:      " + u + "/docs/a.txt", "modified: "} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("stat: no %q in\n%s", w, r.stdout)
		}
	}
	r = run("stat", "--json", "docs/a.txt", "docs")
	var objs []statJSON
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		var o statJSON
		if err := json.Unmarshal([]byte(line), &o); err != nil {
			t.Fatalf("stat --json: %v: %q", err, line)
		}
		objs = append(objs, o)
	}
	if len(objs) != 2 || objs[0].Type != "file" || objs[0].Size != 6 || objs[0].ModTime == nil || objs[1].Type != "folder" || objs[1].Path != "docs" {
		t.Errorf("stat --json: %+v", objs)
	}

	if r := run("cat", "docs/a.txt", "docs/sub/b.txt"); r.stdout != "alpha\nbeta\n" {
		t.Errorf("cat: %q", r.stdout)
	}
	if r := run("get", "docs/sub/b.txt", "-"); r.stdout != "beta\n" {
		t.Errorf("get -: %q", r.stdout)
	}
	run("get", "docs/sub/b.txt", filepath.Join(local, "b.txt"))
	run("get", "docs/a.txt", filepath.Join(local, "a-copy.txt"))
	if got := readFile(t, filepath.Join(local, "b.txt")); got != "beta\n" {
		t.Errorf("get wrote %q", got)
	}
	if err := os.Mkdir(filepath.Join(local, "in"), 0o755); err != nil {
		t.Fatal(err)
	}
	run("get", "docs/sub/b.txt", filepath.Join(local, "in")) // into a folder: in/b.txt
	if got := readFile(t, filepath.Join(local, "in", "b.txt")); got != "beta\n" {
		t.Errorf("get into a folder wrote %q", got)
	}
	var names []string // no temporary files left behind
	ents, _ := os.ReadDir(local)
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if strings.Join(names, " ") != "a-copy.txt a.txt b.txt in" {
		t.Errorf("local folder holds %v", names)
	}

	run("cp", "docs/a.txt", "copy.txt")
	run("cp", "docs/a.txt", "docs/sub") // existing folder: docs/sub/a.txt
	run("mv", "copy.txt", "moved/c.txt")
	if _, err := os.Stat(filepath.Join(dir, "copy.txt")); !os.IsNotExist(err) {
		t.Errorf("mv left its source: %v", err)
	}
	for _, p := range []string{"moved/c.txt", "docs/sub/a.txt"} {
		if got := readFile(t, filepath.Join(dir, filepath.FromSlash(p))); got != "alpha\n" {
			t.Errorf("%s holds %q", p, got)
		}
	}
	h.fails(1, []string{"are the same file"}, append(st, "cp", "-f", "top.txt", u+"/top.txt")...)

	// files: docs/a.txt docs/sub/b.txt docs/sub/a.txt top.txt moved/c.txt = 5
	// folders: docs docs/sub moved = 3; bytes 6+5+6+6+6 = 29
	r = run("du")
	if !strings.Contains(r.stdout, "FILES") || !regexpFields(r.stdout, "5", "3", "29") {
		t.Errorf("du:\n%s", r.stdout)
	}
	if r := run("du", "--depth", "1", "docs"); !regexpFields(r.stdout, "1", "1", "6") {
		t.Errorf("du --depth 1 docs:\n%s", r.stdout)
	}
	h.fails(1, []string{"not a folder", "top.txt"}, append(st, "du", "top.txt")...)

	h.fails(1, []string{"is a folder", "docs", "use -r"}, append(st, "rm", "docs")...)
	run("rm", "top.txt", "moved/c.txt")
	h.fails(exitNotFound, []string{"top.txt", "not found"}, append(st, "rm", "top.txt")...)
	run("rm", "-f", "top.txt")
	run("rm", "-r", "docs/sub")
	h.fails(exitNotFound, []string{"docs/sub", "not found"}, append(st, "rm", "-r", "docs/sub")...)
	run("rm", "-r", "-f", "docs/sub")
	run("rm", "-r", "docs/a.txt") // -r on a file deletes the file
	if r := run("ls", "-R"); r.stdout != "docs/\nmoved/\n" {
		t.Errorf("after rm, ls -R:\n%s", r.stdout)
	}
}

// regexpFields reports whether the second line of a du table starts with
// the fields want.
func regexpFields(out string, want ...string) bool {
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) < 2 {
		return false
	}
	f := strings.Fields(lines[1])
	if len(f) < len(want) {
		return false
	}
	for i, w := range want {
		if f[i] != w {
			return false
		}
	}
	return true
}

// TestVerbsMem drives the verbs on a memory store through mem:// URLs.
func TestVerbsMem(t *testing.T) {
	h := newHarness(t)
	if r := h.run("hello", "put", "-", "mem:///x/y.txt"); r.code != 0 {
		t.Fatalf("put: %d %s", r.code, r.stderr)
	}
	if r := h.ok("ls", "-R", "mem://"); r.stdout != "x/\nx/y.txt\n" {
		t.Errorf("ls -R:\n%s", r.stdout)
	}
	if r := h.ok("cat", "mem:///x/y.txt"); r.stdout != "hello" {
		t.Errorf("cat: %q", r.stdout)
	}
	if r := h.ok("stat", "--json", "mem:///x/y.txt"); !strings.Contains(r.stdout, `"size":5`) || !strings.Contains(r.stdout, `"uri":"mem:///x/y.txt"`) {
		t.Errorf("stat: %s", r.stdout)
	}
	h.ok("cp", "mem:///x/y.txt", "mem:///z.txt")
	h.ok("mv", "mem:///z.txt", "mem:///w/z.txt")
	if r := h.ok("du", "mem://"); !regexpFields(r.stdout, "2", "2", "10") {
		t.Errorf("du:\n%s", r.stdout)
	}
	h.ok("rm", "-r", "mem:///x")
	if r := h.ok("ls", "-R", "mem://"); r.stdout != "w/\nw/z.txt\n" {
		t.Errorf("after rm, ls -R:\n%s", r.stdout)
	}

	// The real opener: every mem:// open is a new, empty store.
	var out, errb bytes.Buffer
	if code := run(t.Context(), []string{"ls", "mem://"}, strings.NewReader(""), &out, &errb); code != 0 || out.Len() != 0 {
		t.Errorf("ls mem:// (fresh): exit %d, %q %q", code, out.String(), errb.String())
	}
}

// TestOverwrite checks that put, get, cp and mv refuse to replace a file
// unless -f/--force, and leave both sides as they were.
func TestOverwrite(t *testing.T) {
	h := newHarness(t)
	dir, u := tempStore(t)
	local := t.TempDir()
	writeFile(t, filepath.Join(local, "new.txt"), "new")
	writeFile(t, filepath.Join(dir, "a.txt"), "old-a")
	writeFile(t, filepath.Join(dir, "b.txt"), "old-b")
	st := func(args ...string) []string { return append([]string{"--store", u}, args...) }
	check := func(path, want string) {
		t.Helper()
		if got := readFile(t, path); got != want {
			t.Errorf("%s holds %q, want %q", path, got, want)
		}
	}

	h.fails(exitAlreadyExists, []string{"iomanager put:", u + "/a.txt", "already exists", "-f"}, st("put", filepath.Join(local, "new.txt"), "a.txt")...)
	check(filepath.Join(dir, "a.txt"), "old-a")
	h.ok(st("put", "-f", filepath.Join(local, "new.txt"), "a.txt")...)
	check(filepath.Join(dir, "a.txt"), "new")

	h.fails(exitAlreadyExists, []string{"iomanager get:", "new.txt", "already exists"}, st("get", "b.txt", filepath.Join(local, "new.txt"))...)
	check(filepath.Join(local, "new.txt"), "new")
	h.ok(st("get", "--force", "b.txt", filepath.Join(local, "new.txt"))...)
	check(filepath.Join(local, "new.txt"), "old-b")

	writeFile(t, filepath.Join(dir, "c.txt"), "old-c")
	h.fails(exitAlreadyExists, []string{"iomanager cp:", "c.txt", "already exists"}, st("cp", "b.txt", "c.txt")...)
	check(filepath.Join(dir, "c.txt"), "old-c")
	h.ok(st("cp", "-f", "b.txt", "c.txt")...)
	check(filepath.Join(dir, "c.txt"), "old-b")

	writeFile(t, filepath.Join(dir, "c.txt"), "old-c")
	h.fails(exitAlreadyExists, []string{"iomanager mv:", "c.txt", "already exists"}, st("mv", "a.txt", "c.txt")...)
	check(filepath.Join(dir, "a.txt"), "new")
	check(filepath.Join(dir, "c.txt"), "old-c")
	h.ok(st("mv", "--force", "a.txt", "c.txt")...)
	check(filepath.Join(dir, "c.txt"), "new")
	if _, err := os.Stat(filepath.Join(dir, "a.txt")); !os.IsNotExist(err) {
		t.Errorf("mv -f left its source: %v", err)
	}

	// Across stores too (file → mem and back).
	h.ok("put", filepath.Join(local, "new.txt"), "mem:///m.txt")
	h.fails(exitAlreadyExists, []string{"m.txt", "already exists"}, st("cp", "c.txt", "mem:///m.txt")...)
	h.fails(exitAlreadyExists, []string{"c.txt", "already exists"}, st("mv", "mem:///m.txt", "c.txt")...)
	if r := h.ok("cat", "mem:///m.txt"); r.stdout != "old-b" {
		t.Errorf("mem:///m.txt holds %q after refused writes", r.stdout)
	}
}

// TestCrossStore copies local → mem → local and moves across two local
// stores, with bytes compared end to end.
func TestCrossStore(t *testing.T) {
	h := newHarness(t)
	dirA, uA := tempStore(t)
	dirB, uB := tempStore(t)
	data := make([]byte, 3<<20+17)
	if _, err := rand.Read(data); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dirA, "src.bin"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	h.ok("--store", uA, "cp", "src.bin", "mem:///hop/x.bin") // --store side to a URL
	h.ok("cp", "mem:///hop/x.bin", uB+"/out/back.bin")       // URL to URL
	if got, err := os.ReadFile(filepath.Join(dirB, "out", "back.bin")); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("local → mem → local: %d bytes back (err %v), want %d", len(got), err, len(data))
	}
	// Two distinct local stores: streamed copy, then delete of the source.
	r := h.ok("--store", uA, "mv", "src.bin", uB+"/out/")
	if r.stderr != "" {
		t.Errorf("mv printed on stderr (no progress bars off a terminal): %q", r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dirA, "src.bin")); !os.IsNotExist(err) {
		t.Errorf("mv across stores left the source: %v", err)
	}
	if got, _ := os.ReadFile(filepath.Join(dirB, "out", "src.bin")); !bytes.Equal(got, data) {
		t.Errorf("mv across stores: %d bytes, want %d", len(got), len(data))
	}
}

// TestNoProgressOffTerminal: a 9 MiB put and get print nothing on a
// non-terminal stderr.
func TestNoProgressOffTerminal(t *testing.T) {
	h := newHarness(t)
	_, u := tempStore(t)
	local := t.TempDir()
	big := filepath.Join(local, "big.bin")
	if err := os.WriteFile(big, make([]byte, progressThreshold+1<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"--store", u, "put", big, "big.bin"},
		{"--store", u, "get", "big.bin", filepath.Join(local, "back.bin")},
		{"--store", u, "cp", "big.bin", "mem:///big.bin"},
	} {
		if r := h.ok(args...); r.stderr != "" || r.stdout != "" {
			t.Errorf("%v printed %q / %q", args, r.stdout, r.stderr)
		}
	}
	if fi, err := os.Stat(filepath.Join(local, "back.bin")); err != nil || fi.Size() != progressThreshold+1<<20 {
		t.Errorf("get: %v %v", fi, err)
	}
}

// TestMissing: a missing path exits 3 and the message names it.
func TestMissing(t *testing.T) {
	h := newHarness(t)
	_, u := tempStore(t)
	for _, args := range [][]string{
		{"cat", "nope/missing.txt"},
		{"stat", "nope/missing.txt"},
		{"ls", "nope/missing.txt"},
		{"get", "nope/missing.txt", filepath.Join(t.TempDir(), "x")},
		{"cp", "nope/missing.txt", "y"},
		{"mv", "nope/missing.txt", "y"},
		{"rm", "nope/missing.txt"},
		{"du", "nope/missing.txt"},
	} {
		h.fails(exitNotFound, []string{"iomanager " + args[0] + ":", "nope/missing.txt", "not found"}, append([]string{"--store", u}, args...)...)
	}
	h.fails(exitNotFound, []string{"iomanager put:", "no-such-local"}, "--store", u, "put", filepath.Join(t.TempDir(), "no-such-local"), "x")
	h.fails(exitNotFound, []string{"mem:///gone.txt", "not found"}, "cat", "mem:///gone.txt")
}

// TestConfigAndEnv: --config FILE --store NAME, and $IOMANAGER_STORE.
func TestConfigAndEnv(t *testing.T) {
	h := newHarness(t)
	dir, u := tempStore(t)
	writeFile(t, filepath.Join(dir, "data", "f.txt"), "cfg")
	cfg := filepath.Join(t.TempDir(), "stores.yaml")
	writeFile(t, cfg, "backends:\n  disk:\n    type: file\n    options:\n      root: "+dir+"\nstores:\n  raw:\n    backend: disk\n    root_path: data\n")
	if r := h.ok("--config", cfg, "--store", "raw", "cat", "f.txt"); r.stdout != "cfg" {
		t.Errorf("config: %q", r.stdout)
	}
	if r := h.ok("cat", "--config", cfg, "--store", "raw", "f.txt"); r.stdout != "cfg" {
		t.Errorf("config flags after the verb: %q", r.stdout)
	}
	h.fails(exitUsage, []string{"nosuch"}, "--config", cfg, "--store", "nosuch", "ls")
	h.env[envStore] = u
	if r := h.ok("ls", "data"); r.stdout != "f.txt\n" {
		t.Errorf("$%s: %q", envStore, r.stdout)
	}
	h.env[envConfig], h.env[envStore] = cfg, "raw"
	if r := h.ok("ls"); r.stdout != "f.txt\n" {
		t.Errorf("$%s: %q", envConfig, r.stdout)
	}
}
