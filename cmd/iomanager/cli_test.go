package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/remotestore/remotestore/backends/memory"
	"github.com/remotestore/remotestore/store"
)

// result is what one run of the command line printed and returned.
type result struct {
	code           int
	stdout, stderr string
}

// harness runs the command line in-process. Every run opens its stores
// anew, as the binary does, except mem:// which is one shared in-memory
// backend across the harness's runs (a real run opens an empty one each
// time), so that multi-command tests can go through memory.
type harness struct {
	t   *testing.T
	env map[string]string
	mem store.Backend
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	b, err := memory.New(context.Background(), memory.Config{})
	if err != nil {
		t.Fatal(err)
	}
	return &harness{t: t, env: map[string]string{}, mem: b}
}

// keepOpen is a backend whose Close does nothing, so runs can share it.
type keepOpen struct{ store.Backend }

func (keepOpen) Close() error { return nil }

func (h *harness) run(stdin string, args ...string) result {
	h.t.Helper()
	var out, errb bytes.Buffer
	c := newCLI(strings.NewReader(stdin), &out, &errb)
	c.getenv = func(k string) string { return h.env[k] }
	c.openURL = func(ctx context.Context, u string) (*store.Store, error) {
		if u == "mem:///" {
			return store.New(keepOpen{h.mem}), nil
		}
		return store.OpenURL(ctx, u)
	}
	code := c.main(context.Background(), args)
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

// ok runs args and fails the test unless the exit code is 0.
func (h *harness) ok(args ...string) result {
	h.t.Helper()
	r := h.run("", args...)
	if r.code != 0 {
		h.t.Fatalf("iomanager %s: exit %d, stderr:\n%s", strings.Join(args, " "), r.code, r.stderr)
	}
	return r
}

// fails runs args and checks the exit code and that stderr names every
// string in want.
func (h *harness) fails(code int, want []string, args ...string) result {
	h.t.Helper()
	r := h.run("", args...)
	if r.code != code {
		h.t.Fatalf("iomanager %s: exit %d, want %d; stderr:\n%s", strings.Join(args, " "), r.code, code, r.stderr)
	}
	for _, w := range want {
		if !strings.Contains(r.stderr, w) {
			h.t.Errorf("iomanager %s: stderr %q does not contain %q", strings.Join(args, " "), r.stderr, w)
		}
	}
	return r
}

// tempStore returns a temp folder and its file URL.
func tempStore(t *testing.T) (dir, url string) {
	t.Helper()
	dir = t.TempDir()
	return dir, "file://" + filepath.ToSlash(dir)
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestUsage(t *testing.T) {
	h := newHarness(t)
	if r := h.run(""); r.code != exitUsage || !strings.Contains(r.stderr, "usage: iomanager") {
		t.Errorf("no args: exit %d, stderr %q", r.code, r.stderr)
	}
	h.fails(exitUsage, []string{`unknown command "frobnicate"`}, "frobnicate")
	h.fails(exitUsage, []string{"flag provided but not defined: -nope"}, "ls", "--nope")
	h.fails(exitUsage, []string{"iomanager put: missing arguments", "usage: iomanager put"}, "put", "x")
	h.fails(exitUsage, []string{"too many arguments: c"}, "--store", "mem://", "cp", "a", "b", "c")
	h.fails(exitUsage, []string{"--depth -1"}, "ls", "--depth", "-1", "mem://")

	r := h.ok("help")
	for _, want := range []string{"A LOCATION is either", "Exit codes:", "3  not found", "8  backend unavailable", "serve"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("help does not say %q", want)
		}
	}
	for _, cmd := range commands {
		if !strings.Contains(r.stdout, "  "+cmd.name+" ") {
			t.Errorf("help does not list %s", cmd.name)
		}
	}
	if r := h.ok("help", "ls"); !strings.Contains(r.stdout, "-depth") || !strings.Contains(r.stdout, "usage: iomanager ls") {
		t.Errorf("help ls:\n%s", r.stdout)
	}
	if r := h.ok("ls", "-h"); !strings.Contains(r.stderr, "-depth") {
		t.Errorf("ls -h:\n%s", r.stderr)
	}
	h.fails(exitUsage, []string{`unknown command "nope"`}, "help", "nope")

	r = h.ok("version")
	if !strings.HasPrefix(r.stdout, "iomanager ") || !strings.Contains(r.stdout, "backends: ") || !strings.Contains(r.stdout, "file") {
		t.Errorf("version:\n%s", r.stdout)
	}
}

func TestBadLocations(t *testing.T) {
	h := newHarness(t)
	h.fails(exitUsage, []string{`no backend registered for scheme "nosuch"`}, "ls", "nosuch://x/y")
	h.fails(exitUsage, []string{"malformed location URL"}, "ls", "file://%zz/a")
	h.fails(exitUsage, []string{`"a.txt" is not a URL and no store is set`}, "cat", "a.txt")
	h.fails(exitUsage, []string{`host "remote"`}, "ls", "file://remote/x")
	h.fails(exitUsage, []string{"mem URL takes no host"}, "ls", "mem://host/x")
	// A secret in a malformed URL is not echoed.
	r := h.fails(exitUsage, []string{"malformed"}, "ls", "s3://user:hunter2@%zz/a")
	if strings.Contains(r.stderr, "hunter2") {
		t.Errorf("stderr leaks the password: %s", r.stderr)
	}
	_, u := tempStore(t)
	h.fails(exitInvalidPath, []string{"../x", "invalid path"}, "--store", u, "cat", "../x")
	h.fails(exitUsage, []string{"refusing to delete the root"}, "--store", u, "rm", "-r", "")
	h.fails(exitUsage, []string{"refusing to delete the root"}, "rm", "-r", "file:///")
	h.fails(exitUsage, []string{"refusing to delete the root"}, "rm", "-r", "-f", "mem://")
	h.fails(exitUsage, []string{"--config", "needs --store NAME"}, "--config", "x.yaml", "ls")
}
