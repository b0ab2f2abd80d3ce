package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
)

// TestVerbsHTTP drives the read verbs against a real file server on
// 127.0.0.1 through http:// URLs, copies from it into another store, and
// checks that the write verbs exit 7 (not supported) on the read-only
// backend.
func TestVerbsHTTP(t *testing.T) {
	h := newHarness(t)
	served := t.TempDir()
	writeFile(t, filepath.Join(served, "docs", "a.txt"), "alpha\n")
	srv := httptest.NewServer(http.FileServer(http.Dir(served)))
	t.Cleanup(srv.Close)
	base := srv.URL // http://127.0.0.1:PORT

	if r := h.ok("cat", base+"/docs/a.txt"); r.stdout != "alpha\n" {
		t.Errorf("cat: %q", r.stdout)
	}
	var st statJSON
	r := h.ok("stat", "--json", base+"/docs/a.txt")
	if err := json.Unmarshal([]byte(r.stdout), &st); err != nil || st.Type != "file" || st.Size != 6 || st.Path != "docs/a.txt" {
		t.Errorf("stat --json: %v %+v", err, st)
	}
	local := t.TempDir()
	h.ok("get", base+"/docs/a.txt", local) // into a folder: local/a.txt
	if got := readFile(t, filepath.Join(local, "a.txt")); got != "alpha\n" {
		t.Errorf("get wrote %q", got)
	}
	h.ok("cp", base+"/docs/a.txt", "mem:///from-http/")
	if r := h.ok("cat", "mem:///from-http/a.txt"); r.stdout != "alpha\n" {
		t.Errorf("cp http → mem: %q", r.stdout)
	}

	h.fails(exitNotFound, []string{"iomanager cat:", "docs/missing.txt", "not found"}, "cat", base+"/docs/missing.txt")
	if r := h.run("x", "put", "-", base+"/docs/new.txt"); r.code != exitNotSupported ||
		!strings.Contains(r.stderr, "iomanager put:") || !strings.Contains(r.stderr, "docs/new.txt") {
		t.Errorf("put to http: exit %d, stderr %q", r.code, r.stderr)
	}
	h.fails(exitNotSupported, []string{"iomanager rm:", "docs/a.txt"}, "rm", base+"/docs/a.txt")
	h.fails(exitNotSupported, []string{"iomanager ls:"}, "ls", base+"/docs/")
	h.fails(exitNotSupported, []string{"iomanager mv:", "docs/a.txt", "use cp"}, "mv", base+"/docs/a.txt", "mem:///moved.txt")
	h.fails(exitNotFound, nil, "stat", "mem:///moved.txt") // a refused move copies nothing
	if got := readFile(t, filepath.Join(served, "docs", "a.txt")); got != "alpha\n" {
		t.Errorf("served file changed: %q", got)
	}

	// Credentials in a URL are refused without echoing them.
	withUser := strings.Replace(base, "http://", "http://user:hunter2@", 1) + "/docs/a.txt"
	r = h.fails(exitUsage, []string{"iomanager cat:"}, "cat", withUser)
	if strings.Contains(r.stderr, "hunter2") {
		t.Errorf("stderr leaks the password: %s", r.stderr)
	}
}
