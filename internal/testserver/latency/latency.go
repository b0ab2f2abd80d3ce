// Package latency is an HTTP reverse proxy on 127.0.0.1 that waits a fixed
// delay before forwarding each request, for benchmarks that must see what a
// remote server's round trip costs: on loopback every request is nearly
// free, which hides what concurrency and fewer requests buy.
//
//	p, err := latency.Start(srv.Endpoint, 20*time.Millisecond)
//	defer p.Close()
//	cfg.Endpoint = p.URL // the client talks to the proxy
//	…
//	counts := p.Counts() // requests by kind: HEAD, GET, LIST, PUT, …
//
// The proxy keeps the client's Host header, so signed requests (AWS SigV4)
// still verify at the target. It counts the requests it forwarded by kind;
// S3 listings (a GET on a bucket, or with list-type, delimiter or prefix
// parameters) count as LIST, not GET.
package latency

import (
	"context"
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"
)

// Proxy is a running delaying reverse proxy.
type Proxy struct {
	// URL is the proxy's base URL, "http://127.0.0.1:PORT".
	URL string
	// Delay is the wait before each request is forwarded.
	Delay time.Duration

	srv *http.Server
	ln  net.Listener
	tr  *http.Transport

	mu     sync.Mutex
	counts map[string]int64
}

// Start starts a proxy to target (an http URL such as versitygw's
// endpoint) on a free 127.0.0.1 port, delaying every request by delay.
func Start(target string, delay time.Duration) (*Proxy, error) {
	u, err := url.Parse(target)
	if err != nil || u.Scheme != "http" || u.Host == "" {
		return nil, fmt.Errorf("latency: target %q: want an http URL such as http://127.0.0.1:7070", target)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("latency: listen: %w", err)
	}
	p := &Proxy{URL: "http://" + ln.Addr().String(), Delay: delay, ln: ln, counts: map[string]int64{}}
	// Enough idle connections for many concurrent requests, so the proxy
	// does not open a new upstream connection per request.
	p.tr = &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        256,
		MaxIdleConnsPerHost: 256,
		IdleConnTimeout:     90 * time.Second,
	}
	rp := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.Out.URL.Scheme, r.Out.URL.Host = u.Scheme, u.Host
			r.Out.Host = r.In.Host // the host the client signed
		},
		Transport:  p.tr,
		BufferPool: newCopyBuffers(),
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			http.Error(w, "latency proxy: "+err.Error(), http.StatusBadGateway)
		},
	}
	p.srv = &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p.count(Kind(r))
			if !sleep(r.Context(), delay) {
				return // the client gave up
			}
			rp.ServeHTTP(w, r)
		}),
		ReadHeaderTimeout: 30 * time.Second,
	}
	go p.srv.Serve(ln)
	return p, nil
}

// copyBufferSize is the proxy's copy buffer: a real network charges the
// client's machine nothing for carrying bytes, so the proxy, which runs on
// the same cores as the client it measures, copies in large steps (a 4th
// of the system calls and CPU of ReverseProxy's default 32 KiB).
const copyBufferSize = 1 << 20

// copyBuffers is an httputil.BufferPool of copyBufferSize buffers.
type copyBuffers struct{ pool sync.Pool }

func newCopyBuffers() *copyBuffers {
	return &copyBuffers{pool: sync.Pool{New: func() any { b := make([]byte, copyBufferSize); return &b }}}
}

func (c *copyBuffers) Get() []byte  { return *c.pool.Get().(*[]byte) }
func (c *copyBuffers) Put(b []byte) { c.pool.Put(&b) }

// sleep waits d, or until ctx ends; it reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// Kind names the kind of an S3 request for the counts: the HTTP method,
// except that a GET listing a bucket is "LIST".
func Kind(r *http.Request) string {
	if r.Method != http.MethodGet {
		return r.Method
	}
	q := r.URL.Query()
	if q.Has("list-type") || q.Has("delimiter") || q.Has("prefix") || q.Has("uploads") || q.Has("versions") {
		return "LIST"
	}
	// Path style: "/bucket" or "/bucket/" is a bucket, "/bucket/key" an object.
	if path := strings.Trim(r.URL.Path, "/"); path != "" && !strings.Contains(path, "/") && !q.Has("uploadId") {
		return "LIST"
	}
	return http.MethodGet
}

func (p *Proxy) count(kind string) {
	p.mu.Lock()
	p.counts[kind]++
	p.mu.Unlock()
}

// Counts returns the requests forwarded since the start or the last Reset,
// by kind (see Kind).
func (p *Proxy) Counts() map[string]int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return maps.Clone(p.counts)
}

// Total returns the number of requests since the start or the last Reset.
func (p *Proxy) Total() int64 {
	var n int64
	for _, c := range p.Counts() {
		n += c
	}
	return n
}

// Reset zeroes the counts.
func (p *Proxy) Reset() {
	p.mu.Lock()
	clear(p.counts)
	p.mu.Unlock()
}

// String formats counts as "GET=120 HEAD=30", kinds in order.
func String(counts map[string]int64) string {
	kinds := make([]string, 0, len(counts))
	for k := range counts {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	parts := make([]string, len(kinds))
	for i, k := range kinds {
		parts[i] = fmt.Sprintf("%s=%d", k, counts[k])
	}
	return strings.Join(parts, " ")
}

// Close stops the proxy and closes its connections.
func (p *Proxy) Close() error {
	err := p.srv.Close()
	p.tr.CloseIdleConnections()
	return err
}
