package latency_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/remotestore/remotestore/internal/testserver/latency"
)

// TestProxy forwards requests to a target that echoes the method and the
// Host header: the client's Host must arrive unchanged (signatures cover
// it), every request is counted by kind, and none arrives before the delay.
func TestProxy(t *testing.T) {
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.Method+" "+r.Host+" "+r.URL.RequestURI())
	}))
	defer target.Close()
	const delay = 30 * time.Millisecond
	p, err := latency.Start(target.URL, delay)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	host := strings.TrimPrefix(p.URL, "http://")

	for _, c := range []struct{ method, path string }{
		{"GET", "/bucket/key.parquet"},
		{"GET", "/bucket/key.parquet"},
		{"HEAD", "/bucket/key.parquet"},
		{"GET", "/bucket?list-type=2&prefix=a%2F"},
		{"PUT", "/bucket/new"},
	} {
		req, _ := http.NewRequest(c.method, p.URL+c.path, nil)
		start := time.Now()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", c.method, c.path, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if took := time.Since(start); took < delay {
			t.Errorf("%s %s: answered after %v, before the %v delay", c.method, c.path, took, delay)
		}
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s %s: status %d", c.method, c.path, resp.StatusCode)
		}
		if c.method != "HEAD" {
			if want := c.method + " " + host + " " + c.path; string(body) != want {
				t.Errorf("target saw %q, want %q", body, want)
			}
		}
	}
	if got, want := latency.String(p.Counts()), "GET=2 HEAD=1 LIST=1 PUT=1"; got != want {
		t.Errorf("counts %s, want %s", got, want)
	}
	if p.Total() != 5 {
		t.Errorf("total %d, want 5", p.Total())
	}
	p.Reset()
	if p.Total() != 0 {
		t.Errorf("total after Reset %d, want 0", p.Total())
	}
}

// TestKind classifies S3 requests in path style.
func TestKind(t *testing.T) {
	for _, c := range []struct{ method, target, want string }{
		{"GET", "/b/k", "GET"},
		{"GET", "/b/dir/k.parquet", "GET"},
		{"GET", "/b/k?uploadId=1", "GET"},
		{"GET", "/b", "LIST"},
		{"GET", "/b/", "LIST"},
		{"GET", "/b?list-type=2", "LIST"},
		{"GET", "/b?uploads", "LIST"},
		{"HEAD", "/b/k", "HEAD"},
		{"DELETE", "/b/k", "DELETE"},
		{"POST", "/b/k?uploads", "POST"},
	} {
		r := httptest.NewRequest(c.method, c.target, nil)
		if got := latency.Kind(r); got != c.want {
			t.Errorf("Kind(%s %s) = %s, want %s", c.method, c.target, got, c.want)
		}
	}
}

// TestStartBadTarget names the bad target.
func TestStartBadTarget(t *testing.T) {
	for _, target := range []string{"", "ftp://127.0.0.1:1", "http://", "://x"} {
		p, err := latency.Start(target, 0)
		if err == nil {
			p.Close()
			t.Errorf("Start(%q) succeeded", target)
			continue
		}
		if !strings.Contains(err.Error(), "latency: target") {
			t.Errorf("Start(%q): %v, want a message naming the target", target, err)
		}
	}
}
