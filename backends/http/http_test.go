package http_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	httpstore "github.com/remotestore/remotestore/backends/http"
	"github.com/remotestore/remotestore/store"
	"github.com/remotestore/remotestore/store/storetest"
)

// fileServer serves the files below root over a real net/http server:
// http.ServeContent (Range, If-Range, Last-Modified) with an ETag made of size
// and modification time, 404 for folders and missing files. With
// ignoreRange it answers every GET with 200 and the whole file, like a
// server without Range support.
type fileServer struct {
	root        string
	ignoreRange bool
	srv         *httptest.Server
	areas       atomic.Int64
}

func newFileServer(t testing.TB, ignoreRange bool) *fileServer {
	fs := &fileServer{root: t.TempDir(), ignoreRange: ignoreRange}
	fs.srv = httptest.NewServer(http.HandlerFunc(fs.serve))
	return fs
}

func (fs *fileServer) serve(w http.ResponseWriter, r *http.Request) {
	clean := path.Clean("/" + r.URL.Path)
	f, err := os.Open(filepath.Join(fs.root, filepath.FromSlash(clean)))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || st.IsDir() {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("ETag", fmt.Sprintf(`"%x-%x"`, st.Size(), st.ModTime().UnixNano()))
	if fs.ignoreRange {
		w.Header().Set("Content-Length", fmt.Sprint(st.Size()))
		w.Header().Set("Last-Modified", st.ModTime().UTC().Format(http.TimeFormat))
		if r.Method != http.MethodHead {
			io.Copy(w, f)
		}
		return
	}
	http.ServeContent(w, r, "", st.ModTime(), f)
}

// newStore returns a store over a fresh, empty folder of the server.
func (fs *fileServer) newStore(ctx context.Context, t testing.TB, query string) (*store.Store, error) {
	area := fmt.Sprintf("area%d", fs.areas.Add(1))
	if err := os.MkdirAll(filepath.Join(fs.root, area), 0o755); err != nil {
		return nil, err
	}
	return store.OpenURL(ctx, fs.srv.URL+"/"+area+query)
}

// seed writes a fixture file where the server will find it: the file's URL
// path, below the server's root.
func (fs *fileServer) seed(_ context.Context, st *store.Store, p string, r io.Reader) error {
	res, err := st.Resolve(p)
	if err != nil {
		return err
	}
	u, err := url.Parse(res.URI)
	if err != nil {
		return err
	}
	dst := filepath.Join(fs.root, filepath.FromSlash(path.Clean("/"+u.Path)))
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	tmp := dst + ".seed-tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	_, err = io.Copy(f, r)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, dst)
}

func (fs *fileServer) harness(query string) storetest.Harness {
	return storetest.Harness{
		NewStore: func(ctx context.Context, t testing.TB) (*store.Store, error) { return fs.newStore(ctx, t, query) },
		Seed:     fs.seed,
		Close:    fs.srv.Close,
		Options:  storetest.Options{LargeSize: 16 << 20},
	}
}

// TestConformance runs the read-only subset of the suite: read, range-read.
func TestConformance(t *testing.T) {
	storetest.Run(t, newFileServer(t, false).harness(""))
}

// TestConformanceMetadata trusts the server's Last-Modified and ETag.
func TestConformanceMetadata(t *testing.T) {
	storetest.Run(t, newFileServer(t, false).harness("?mod_time=true&etag=true"))
}

// TestConformanceIgnoredRange runs the suite against a server that answers
// ranged GETs with 200 and the whole file.
func TestConformanceIgnoredRange(t *testing.T) {
	storetest.Run(t, newFileServer(t, true).harness(""))
}

func TestCapabilities(t *testing.T) {
	fs := newFileServer(t, false)
	defer fs.srv.Close()
	st, err := fs.newStore(t.Context(), t, "")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := st.Capabilities(), store.CapRead|store.CapRangeRead; got != want {
		t.Errorf("Capabilities = %s, want %s", got, want)
	}
	if err := st.Write(t.Context(), "x", strings.NewReader("x"), nil); !errors.Is(err, store.ErrNotSupported) {
		t.Errorf("Write: %v, want ErrNotSupported", err)
	}
	if err := st.Delete(t.Context(), "x", nil); !errors.Is(err, store.ErrNotSupported) {
		t.Errorf("Delete: %v, want ErrNotSupported", err)
	}
	var c *http.Client
	if !st.As(&c) || c == nil {
		t.Error("As(**http.Client) = false")
	}
}

// statusServer answers every request for "/code/N…" with status N and
// counts the requests; "/redirect/…" redirects to "/files/…", where one file
// is served.
type statusServer struct {
	srv  *httptest.Server
	hits atomic.Int64
	auth atomic.Value // last Authorization header seen
}

func newStatusServer(t *testing.T) *statusServer {
	s := &statusServer{}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		s.auth.Store(r.Header.Get("Authorization"))
		switch {
		case strings.HasPrefix(r.URL.Path, "/code/"):
			var code int
			fmt.Sscanf(strings.TrimPrefix(r.URL.Path, "/code/"), "%d", &code)
			http.Error(w, "status", code)
		case strings.HasPrefix(r.URL.Path, "/redirect/"):
			http.Redirect(w, r, "/files/"+strings.TrimPrefix(r.URL.Path, "/redirect/"), http.StatusFound)
		case r.URL.Path == "/files/hello.txt":
			http.ServeContent(w, r, "hello.txt", time.Unix(1700000000, 0), strings.NewReader("hello, world"))
		case r.URL.Path == "/files/dir":
			http.Redirect(w, r, "/files/dir/", http.StatusMovedPermanently)
		case r.URL.Path == "/files/dir/":
			io.WriteString(w, "<html>listing</html>")
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func TestStatusCodes(t *testing.T) {
	s := newStatusServer(t)
	ctx := t.Context()
	cases := []struct {
		code int
		want error
	}{
		{401, store.ErrPermission},
		{403, store.ErrPermission},
		{404, store.ErrNotFound},
		{410, store.ErrNotFound},
	}
	for _, c := range cases {
		st, err := store.OpenURL(ctx, fmt.Sprintf("%s/code/%d", s.srv.URL, c.code))
		if err != nil {
			t.Fatal(err)
		}
		before := s.hits.Load()
		_, err = st.ReadBytes(ctx, "f.txt")
		if !errors.Is(err, c.want) {
			t.Errorf("%d: ReadBytes error %v, want %v", c.code, err, c.want)
		}
		var se *httpstore.StatusError
		if !errors.As(err, &se) || se.StatusCode != c.code {
			t.Errorf("%d: errors.As(*StatusError) = %v, %+v", c.code, errors.As(err, &se), se)
		}
		if n := s.hits.Load() - before; n != 1 {
			t.Errorf("%d: %d requests, want 1 (no retry)", c.code, n)
		}
		if _, err := st.Stat(ctx, "f.txt"); !errors.Is(err, c.want) {
			t.Errorf("%d: Stat error %v, want %v", c.code, err, c.want)
		}
		if c.want == store.ErrNotFound {
			if ok, err := st.Exists(ctx, "f.txt"); ok || err != nil {
				t.Errorf("%d: Exists = %v, %v; want false, nil", c.code, ok, err)
			}
		}
	}
}

func TestRedirect(t *testing.T) {
	s := newStatusServer(t)
	ctx := t.Context()
	st, err := store.OpenURL(ctx, s.srv.URL+"/redirect")
	if err != nil {
		t.Fatal(err)
	}
	got, err := st.ReadBytes(ctx, "hello.txt")
	if err != nil || string(got) != "hello, world" {
		t.Fatalf("ReadBytes through a redirect = %q, %v", got, err)
	}
	rc, err := st.OpenRange(ctx, "hello.txt", 7, 3)
	if err != nil {
		t.Fatal(err)
	}
	got, err = io.ReadAll(rc)
	rc.Close()
	if err != nil || string(got) != "wor" {
		t.Errorf("OpenRange(7, 3) through a redirect = %q, %v; want \"wor\"", got, err)
	}
	info, err := st.Stat(ctx, "hello.txt")
	if err != nil || info.Size != 12 || info.IsFolder {
		t.Errorf("Stat through a redirect = %+v, %v; want a 12-byte file", info, err)
	}
	// A directory redirected to "dir/" is a folder, not a file of HTML.
	files, err := store.OpenURL(ctx, s.srv.URL+"/files")
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := files.IsFolder(ctx, "dir"); !ok || err != nil {
		t.Errorf("IsFolder(dir) = %v, %v; want true", ok, err)
	}
	if _, err := files.ReadBytes(ctx, "dir"); !errors.Is(err, store.ErrIsFolder) {
		t.Errorf("ReadBytes(dir) error %v, want ErrIsFolder", err)
	}
}

func TestHeadersSentAndHidden(t *testing.T) {
	s := newStatusServer(t)
	ctx := t.Context()
	cfg, err := store.ParseConfig([]byte(fmt.Sprintf(`
stores:
  web:
    backend: site
backends:
  site:
    type: http
    options:
      url: %s/code/403
      headers:
        Authorization: Bearer sekret-token
`, s.srv.URL)))
	if err != nil {
		t.Fatal(err)
	}
	st, err := cfg.Open(ctx, "web")
	if err != nil {
		t.Fatal(err)
	}
	_, err = st.ReadBytes(ctx, "a.txt")
	if !errors.Is(err, store.ErrPermission) {
		t.Fatalf("ReadBytes: %v, want ErrPermission", err)
	}
	if got := s.auth.Load(); got != "Bearer sekret-token" {
		t.Errorf("server saw Authorization %q", got)
	}
	if strings.Contains(err.Error(), "sekret") || strings.Contains(fmt.Sprintf("%+v", cfg), "sekret") {
		t.Errorf("secret leaked: %v", err)
	}
}

// BenchmarkConformance runs the suite's read benchmarks (streaming read,
// random 64 KiB ReadAt) against the loopback file server.
func BenchmarkConformance(b *testing.B) {
	storetest.RunBenchmarks(b, newFileServer(b, false).harness(""))
}
