// Package http is a read-only Backend over files served by a web server:
// plain GET for reads, Range requests for seekable reads, HEAD for Stat.
//
// Callers that also import net/http alias this package (httpstore).
//
// # URL and config
//
//	https://host/base/path?timeout=10s&retries=2&mod_time=true&etag=true
//	http://127.0.0.1:8080/data
//
// The URL is the base every store path is resolved against: the store path
// "a/b c.txt" is fetched from "https://host/base/path/a/b%20c.txt". In a YAML
// config, `type: http` or `type: https` with the options of Config (url,
// headers, timeout, retries, mod_time, etag). Headers, such as an
// Authorization token, can only be given in YAML; they are secrets.
//
// # Behaviour
//
// Redirects are followed (up to 10). 404 and 410 classify as
// store.ErrNotFound, 401 and 403 as store.ErrPermission, 416 on a read past
// the end gives an empty stream, and 5xx and 429 responses and network
// errors are retried a few times with exponential backoff before they
// classify as store.ErrUnavailable. A server that ignores Range (200 instead
// of 206) still works: the bytes before the offset are read and discarded.
//
// HTTP has no listing, so folders are invisible: Stat of a folder path is
// store.ErrNotFound (unless the server redirects it to "path/", the way
// file servers do for directories; then it is a folder). The root "" is
// always a folder.
//
// # Capabilities
//
// read, range-read; mod-time and etag only when Config.ModTime and
// Config.ETag say the server's Last-Modified and ETag headers can be
// trusted. Not write, list or delete: Store refuses those with
// store.ErrNotSupported.
//
// # As
//
// Store.As gives the *http.Client the backend uses (target **http.Client).
package http

import (
	"context"
	"errors"
	"io"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/remotestore/remotestore/store"
)

// Backend is the read-only HTTP backend.
type Backend struct {
	base    *url.URL // path ends in "/"
	scheme  string
	client  *http.Client
	headers http.Header
	retries int
	caps    store.Capability
	// backoff is the wait before the first retry; it doubles each time.
	backoff time.Duration
}

var (
	_ store.Backend = (*Backend)(nil)
	_ store.Aser    = (*Backend)(nil)
)

// New validates c and returns a backend. It does no I/O.
func New(_ context.Context, c Config) (*Backend, error) {
	base, err := c.validate()
	if err != nil {
		return nil, err
	}
	timeout := c.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	retries := c.Retries
	switch {
	case retries == 0:
		retries = DefaultRetries
	case retries < 0:
		retries = 0
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.ResponseHeaderTimeout = timeout
	// Parallel ReadAt calls (Parquet column chunks) reuse connections.
	tr.MaxIdleConnsPerHost = 16
	// Ask for identity encoding: byte ranges and Content-Length must refer
	// to the stored bytes, not to a compressed stream.
	tr.DisableCompression = true
	headers := http.Header{}
	for name, v := range c.Headers {
		headers.Set(name, v.Reveal())
	}
	caps := store.CapRead | store.CapRangeRead
	if c.ModTime {
		caps |= store.CapModTime
	}
	if c.ETag {
		caps |= store.CapETag
	}
	return &Backend{
		base:    base,
		scheme:  base.Scheme,
		client:  &http.Client{Transport: tr},
		headers: headers,
		retries: retries,
		caps:    caps,
		backoff: 100 * time.Millisecond,
	}, nil
}

// NewStore opens a Store over a new backend for c.
func NewStore(ctx context.Context, c Config) (*store.Store, error) {
	b, err := New(ctx, c)
	if err != nil {
		return nil, err
	}
	return store.New(b), nil
}

// Scheme implements store.Backend: "http" or "https", after the base URL.
func (b *Backend) Scheme() string { return b.scheme }

// Capabilities implements store.Backend.
func (b *Backend) Capabilities() store.Capability { return b.caps }

// Client returns the HTTP client the backend sends its requests with.
func (b *Backend) Client() *http.Client { return b.client }

// As implements store.Aser: target **http.Client receives Client().
func (b *Backend) As(target any) bool {
	if p, ok := target.(**http.Client); ok {
		*p = b.client
		return true
	}
	return false
}

// URI implements store.Backend: the URL path is fetched from.
func (b *Backend) URI(path string) string { return b.urlOf(path).String() }

// urlOf resolves a clean store path against the base URL, escaping each
// segment so that "?", "#", "%" and spaces stay part of the name.
func (b *Backend) urlOf(path string) *url.URL {
	u := *b.base
	if path == "" {
		return &u
	}
	segs := strings.Split(path, "/")
	esc := make([]string, len(segs))
	for i, s := range segs {
		esc[i] = url.PathEscape(s)
	}
	u.Path = b.base.Path + path
	u.RawPath = b.base.EscapedPath() + strings.Join(esc, "/")
	return &u
}

// Close implements store.Backend: idle connections are closed.
func (b *Backend) Close() error {
	b.client.CloseIdleConnections()
	return nil
}

// Stat implements store.Backend with a HEAD request (a one-byte ranged GET
// when the server refuses HEAD with 405 or 501).
func (b *Backend) Stat(ctx context.Context, path string) (store.Info, error) {
	info, _, err := b.head(ctx, path)
	return info, err
}

// head stats path and also returns the raw ETag header, whether or not
// CapETag is declared.
func (b *Backend) head(ctx context.Context, path string) (store.Info, string, error) {
	if path == "" {
		return store.Info{IsFolder: true}, "", nil
	}
	resp, err := b.do(ctx, http.MethodHead, path, "", "")
	var se *StatusError
	if errors.As(err, &se) && (se.StatusCode == http.StatusMethodNotAllowed || se.StatusCode == http.StatusNotImplemented) {
		// No HEAD (a presigned GET URL, a minimal server): the first byte
		// of a GET tells the same.
		resp, err = b.do(ctx, http.MethodGet, path, "bytes=0-0", "")
		if errors.Is(err, errRangeNotSatisfiable) {
			return store.Info{Path: path}, "", nil // an empty file
		}
	}
	if err != nil {
		return store.Info{}, "", err
	}
	drain(resp)
	if redirectedToFolder(resp, b.urlOf(path)) {
		return store.Info{Path: path, IsFolder: true}, "", nil
	}
	info := store.Info{Path: path, Size: -1}
	if resp.StatusCode == http.StatusPartialContent {
		if _, _, total, ok := parseContentRange(resp.Header.Get("Content-Range")); ok {
			info.Size = total
		}
	} else if n, err := strconv.ParseInt(resp.Header.Get("Content-Length"), 10, 64); err == nil && n >= 0 {
		info.Size = n
	}
	if info.Size < 0 {
		// HEAD without a length (chunked): ask for the first byte and read
		// the total from Content-Range.
		if info.Size, err = b.sizeByRange(ctx, path); err != nil {
			return store.Info{}, "", err
		}
	}
	if b.caps.Has(store.CapModTime) {
		if t, err := http.ParseTime(resp.Header.Get("Last-Modified")); err == nil {
			info.ModTime = t
		}
	}
	if b.caps.Has(store.CapETag) {
		info.ETag = resp.Header.Get("ETag")
	}
	return info, resp.Header.Get("ETag"), nil
}

// sizeByRange learns a file's size from a one-byte ranged GET.
func (b *Backend) sizeByRange(ctx context.Context, path string) (int64, error) {
	resp, err := b.do(ctx, http.MethodGet, path, "bytes=0-0", "")
	if err != nil {
		if errors.Is(err, errRangeNotSatisfiable) {
			return 0, nil // an empty file
		}
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusPartialContent {
		if _, _, total, ok := parseContentRange(resp.Header.Get("Content-Range")); ok && total >= 0 {
			return total, nil
		}
	}
	// The server ignored Range: count the body.
	return io.Copy(io.Discard, resp.Body)
}

// redirectedToFolder reports whether the server answered a request for
// path by redirecting to "path/", as file servers do for directories.
func redirectedToFolder(resp *http.Response, asked *url.URL) bool {
	if resp.Request == nil || resp.Request.URL == nil {
		return false
	}
	final := resp.Request.URL
	return final.Path == asked.Path+"/" && final.Host == asked.Host
}

// NewWriter implements store.Backend; it is never called (no CapWrite).
func (b *Backend) NewWriter(context.Context, string, *store.WriteOptions) (store.BackendWriter, error) {
	return nil, store.ErrNotSupported
}

// List implements store.Backend; it is never called (no CapList).
func (b *Backend) List(context.Context, string) iter.Seq2[store.Info, error] {
	return func(yield func(store.Info, error) bool) { yield(store.Info{}, store.ErrNotSupported) }
}

// Delete implements store.Backend; it is never called (no CapDelete).
func (b *Backend) Delete(context.Context, string) error { return store.ErrNotSupported }
