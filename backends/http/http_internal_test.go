package http

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/remotestore/remotestore/store"
)

func TestParseURL(t *testing.T) {
	u, _ := url.Parse("https://example.com/base/dir?timeout=5s&retries=2&mod_time=true&etag=1")
	c, err := ParseURL(u)
	if err != nil {
		t.Fatal(err)
	}
	want := Config{URL: "https://example.com/base/dir", Timeout: 5 * time.Second, Retries: 2, ModTime: true, ETag: true}
	if c.URL != want.URL || c.Timeout != want.Timeout || c.Retries != want.Retries || !c.ModTime || !c.ETag {
		t.Errorf("ParseURL = %+v, want %+v", c, want)
	}
	for _, bad := range []string{
		"http://h/x?region=eu",           // unknown key
		"http://h/x?timeout=soon",        // bad duration
		"http://h/x?retries=1&retries=2", // repeated
	} {
		u, _ := url.Parse(bad)
		if _, err := ParseURL(u); !errors.Is(err, store.ErrInvalidConfig) {
			t.Errorf("ParseURL(%s) error = %v, want ErrInvalidConfig", bad, err)
		}
	}
}

func TestValidate(t *testing.T) {
	for _, c := range []Config{
		{},
		{URL: "ftp://h/x"},
		{URL: "http:///x"},
		{URL: "https://user:pw@h/x"},
		{URL: "https://h/x?q=1"},
		{URL: "https://h/x", Timeout: -time.Second},
		{URL: "https://h/x", Headers: map[string]store.Secret{"Bad Name": "v"}},
	} {
		_, err := New(t.Context(), c)
		if !errors.Is(err, store.ErrInvalidConfig) {
			t.Errorf("New(%+v) error = %v, want ErrInvalidConfig", c, err)
		}
		if err != nil && strings.Contains(err.Error(), "pw@") {
			t.Errorf("error shows the password: %v", err)
		}
	}
}

func TestURLEscaping(t *testing.T) {
	b, err := New(t.Context(), Config{URL: "https://h/base%20dir"})
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]string{
		"":                   "https://h/base%20dir/",
		"a/b c.txt":          "https://h/base%20dir/a/b%20c.txt",
		"query/what?x=1.txt": "https://h/base%20dir/query/what%3Fx=1.txt",
		"hash/#a.txt":        "https://h/base%20dir/hash/%23a.txt",
		"percent/100%.txt":   "https://h/base%20dir/percent/100%25.txt",
	}
	for p, want := range cases {
		if got := b.URI(p); got != want {
			t.Errorf("URI(%q) = %s, want %s", p, got, want)
		}
	}
}

func TestParseContentRange(t *testing.T) {
	for s, want := range map[string][4]int64{
		"bytes 0-0/10": {0, 0, 10, 1},
		"bytes 5-9/*":  {5, 9, -1, 1},
		"bytes */10":   {0, 0, 0, 0},
		"items 0-1/2":  {0, 0, 0, 0},
		"bytes 9-5/10": {0, 0, 0, 0},
		"bytes 1-2/x":  {0, 0, 0, 0},
	} {
		a, z, n, ok := parseContentRange(s)
		okv := int64(0)
		if ok {
			okv = 1
		}
		if got := [4]int64{a, z, n, okv}; got != want {
			t.Errorf("parseContentRange(%q) = %v, want %v", s, got, want)
		}
	}
}

// newCounting starts a server that answers with code for the first fail
// requests, then serves "payload"; it returns the backend and the count.
func newCounting(t *testing.T, code, fail, retries int) (*Backend, *atomic.Int64) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) <= int64(fail) {
			http.Error(w, "try later", code)
			return
		}
		http.ServeContent(w, r, "f", time.Unix(1700000000, 0), strings.NewReader("payload"))
	}))
	t.Cleanup(srv.Close)
	b, err := New(t.Context(), Config{URL: srv.URL, Retries: retries})
	if err != nil {
		t.Fatal(err)
	}
	b.backoff = time.Millisecond
	t.Cleanup(func() { b.Close() })
	return b, &hits
}

func TestRetryBounded(t *testing.T) {
	for _, code := range []int{500, 503, 429} {
		b, hits := newCounting(t, code, 1000, 2)
		st := store.New(b)
		_, err := st.ReadBytes(t.Context(), "f")
		if !errors.Is(err, store.ErrUnavailable) {
			t.Errorf("%d: error %v, want ErrUnavailable", code, err)
		}
		var se *StatusError
		if !errors.As(err, &se) || se.StatusCode != code || se.Attempts != 3 {
			t.Errorf("%d: StatusError = %+v", code, se)
		}
		if n := hits.Load(); n != 3 {
			t.Errorf("%d: %d requests, want 3 (1 + 2 retries)", code, n)
		}
	}
}

func TestRetryRecovers(t *testing.T) {
	b, hits := newCounting(t, 502, 2, 0) // default: 3 retries
	got, err := store.New(b).ReadBytes(t.Context(), "f")
	if err != nil || string(got) != "payload" {
		t.Fatalf("ReadBytes = %q, %v; want payload after two 502s", got, err)
	}
	if n := hits.Load(); n != 3 {
		t.Errorf("%d requests, want 3", n)
	}
}

func TestNoRetries(t *testing.T) {
	b, hits := newCounting(t, 500, 1000, -1)
	if _, err := store.New(b).Stat(t.Context(), "f"); !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("Stat error %v, want ErrUnavailable", err)
	}
	if n := hits.Load(); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

func TestUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	addr := srv.URL
	srv.Close() // nothing listens there any more
	b, err := New(t.Context(), Config{URL: addr, Retries: 1})
	if err != nil {
		t.Fatal(err)
	}
	b.backoff = time.Millisecond
	if _, err := store.New(b).ReadBytes(t.Context(), "f"); !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("ReadBytes from a closed port: %v, want ErrUnavailable", err)
	}
}

// TestReaderAtPinsVersion replaces a file between two ReadAt calls: the
// second fails with ErrPrecondition instead of mixing versions.
func TestReaderAtPinsVersion(t *testing.T) {
	var version atomic.Int64
	var gets atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			gets.Add(1)
		}
		v := version.Load()
		w.Header().Set("ETag", `"v`+string(rune('0'+v))+`"`)
		data := strings.Repeat(string(rune('a'+v)), 1<<20)
		http.ServeContent(w, r, "f", time.Unix(1700000000, 0), strings.NewReader(data))
	}))
	defer srv.Close()
	b, err := New(t.Context(), Config{URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	r, err := store.New(b).OpenSeekable(t.Context(), "f")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	// Byte-at-a-time reads come from one read-ahead block.
	one := make([]byte, 1)
	for i := range 1000 {
		if _, err := r.Read(one); err != nil || one[0] != 'a' {
			t.Fatalf("Read %d = %q, %v", i, one, err)
		}
	}
	if n := gets.Load(); n != 1 {
		t.Errorf("1000 one-byte reads sent %d GETs, want 1", n)
	}
	version.Store(1)
	_, err = r.ReadAt(make([]byte, 10), 900<<10)
	if !errors.Is(err, store.ErrPrecondition) {
		t.Errorf("ReadAt after the file changed: %v, want ErrPrecondition", err)
	}
	got, err := io.ReadAll(io.NewSectionReader(r, 0, 4))
	if err != nil || string(got) != "aaaa" {
		t.Errorf("cached block = %q, %v", got, err)
	}
}

// TestStatWithoutHead stats files on a server that refuses HEAD.
func TestStatWithoutHead(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodHead {
			http.Error(w, "no HEAD here", http.StatusMethodNotAllowed)
			return
		}
		switch r.URL.Path {
		case "/f":
			http.ServeContent(w, r, "f", time.Unix(1700000000, 0), strings.NewReader("0123456789"))
		case "/empty":
			http.ServeContent(w, r, "empty", time.Unix(1700000000, 0), strings.NewReader(""))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	b, err := New(t.Context(), Config{URL: srv.URL, ModTime: true})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	st := store.New(b)
	for p, size := range map[string]int64{"f": 10, "empty": 0} {
		info, err := st.Stat(t.Context(), p)
		if err != nil || info.Size != size || info.IsFolder {
			t.Errorf("Stat(%s) = %+v, %v; want a file of %d bytes", p, info, err, size)
		}
	}
	if info, _ := st.Stat(t.Context(), "f"); !info.ModTime.Equal(time.Unix(1700000000, 0)) {
		t.Errorf("Stat(f).ModTime = %v", info.ModTime)
	}
	if _, err := st.Stat(t.Context(), "missing"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Stat(missing): %v, want ErrNotFound", err)
	}
}

func TestRetryAfter(t *testing.T) {
	for h, want := range map[string]time.Duration{
		"": 0, "2": 2 * time.Second, "-1": 0, "soon": 0, "3600": maxRetryAfter,
		time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat): 0,
	} {
		if got := retryAfter(h); got != want {
			t.Errorf("retryAfter(%q) = %v, want %v", h, got, want)
		}
	}
	// A server asking for 1 s between attempts is waited for.
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) == 1 {
			w.Header().Set("Retry-After", "1")
			http.Error(w, "slow down", http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, "ok")
	}))
	defer srv.Close()
	b, err := New(t.Context(), Config{URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	b.backoff = time.Millisecond
	start := time.Now()
	got, err := store.New(b).ReadBytes(t.Context(), "f")
	if err != nil || string(got) != "ok" {
		t.Fatalf("ReadBytes = %q, %v", got, err)
	}
	if waited := time.Since(start); waited < 900*time.Millisecond {
		t.Errorf("retried after %v, want Retry-After's 1 s", waited)
	}
}

// TestTruncatedBody: a connection that drops mid-body is a read error, never
// a short file that looks complete.
func TestTruncatedBody(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000")
		io.WriteString(w, strings.Repeat("x", 100))
		if hj, ok := w.(http.Hijacker); ok {
			if c, _, err := hj.Hijack(); err == nil {
				c.Close()
			}
		}
	}))
	defer srv.Close()
	b, err := New(t.Context(), Config{URL: srv.URL, Retries: -1})
	if err != nil {
		t.Fatal(err)
	}
	got, err := store.New(b).ReadBytes(t.Context(), "f")
	if err == nil {
		t.Fatalf("ReadBytes of a truncated body succeeded with %d bytes", len(got))
	}
	if !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("ReadBytes error %v, want unexpected EOF", err)
	}
}
