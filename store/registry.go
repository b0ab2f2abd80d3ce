package store

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

// Driver opens backends of one scheme, from a URL or from the options of a
// YAML config. Backends build theirs with NewDriver and register it from
// their package's init.
type Driver interface {
	// OpenURL opens a backend for u (scheme already matched).
	OpenURL(ctx context.Context, u *url.URL) (Backend, error)
	// OpenOptions opens a backend from a YAML mapping of options. Unknown
	// fields are errors.
	OpenOptions(ctx context.Context, options *yaml.Node) (Backend, error)
}

// NewDriver builds a Driver from a backend's typed configuration: parseURL
// turns a URL into a C, YAML options decode strictly into a C, and open
// validates it and opens the backend. Both ways end in open, so URL and YAML
// share one validation path.
func NewDriver[C any](parseURL func(*url.URL) (C, error), open func(context.Context, C) (Backend, error)) Driver {
	return typedDriver[C]{parseURL: parseURL, open: open}
}

type typedDriver[C any] struct {
	parseURL func(*url.URL) (C, error)
	open     func(context.Context, C) (Backend, error)
}

func (d typedDriver[C]) OpenURL(ctx context.Context, u *url.URL) (Backend, error) {
	c, err := d.parseURL(u)
	if err != nil {
		return nil, err
	}
	return d.open(ctx, c)
}

func (d typedDriver[C]) OpenOptions(ctx context.Context, options *yaml.Node) (Backend, error) {
	var c C
	if options != nil {
		if err := decodeStrict(options, &c); err != nil {
			return nil, err
		}
	}
	return d.open(ctx, c)
}

// Registry maps URL schemes to drivers. The zero value is empty and ready;
// DefaultRegistry is the one backends register with.
type Registry struct {
	mu      sync.RWMutex
	drivers map[string]Driver
}

// DefaultRegistry holds the drivers registered by imported backend packages
// (import github.com/remotestore/remotestore/backends/all for every one).
var DefaultRegistry = &Registry{}

// Register adds a driver for scheme to DefaultRegistry. It panics when the
// scheme is taken: that is a build mistake, not a runtime condition.
func Register(scheme string, d Driver) { DefaultRegistry.Register(scheme, d) }

// Register adds a driver for scheme; it panics when the scheme is taken.
func (r *Registry) Register(scheme string, d Driver) {
	r.mu.Lock()
	defer r.mu.Unlock()
	scheme = strings.ToLower(scheme)
	if r.drivers == nil {
		r.drivers = map[string]Driver{}
	}
	if _, dup := r.drivers[scheme]; dup {
		panic(fmt.Sprintf("store: driver for scheme %q registered twice", scheme))
	}
	r.drivers[scheme] = d
}

// Schemes lists the registered schemes, sorted.
func (r *Registry) Schemes() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]string, 0, len(r.drivers))
	for s := range r.drivers {
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

func (r *Registry) driver(scheme string) (Driver, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	d, ok := r.drivers[strings.ToLower(scheme)]
	if !ok {
		return nil, fmt.Errorf("%w: no backend registered for scheme %q (have: %s; import the backend package or backends/all)",
			ErrInvalidConfig, scheme, strings.Join(r.schemesLocked(), ", "))
	}
	return d, nil
}

func (r *Registry) schemesLocked() []string {
	out := make([]string, 0, len(r.drivers))
	for s := range r.drivers {
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// OpenURL opens a store from a URL such as "file:///data", "mem://",
// "s3://bucket/prefix?region=eu-west-1". A bare path ("/data", "./data") is
// taken as a file URL.
func (r *Registry) OpenURL(ctx context.Context, rawURL string) (*Store, error) {
	u, err := parseStoreURL(rawURL)
	if err != nil {
		return nil, err
	}
	d, err := r.driver(u.Scheme)
	if err != nil {
		return nil, err
	}
	secrets := urlSecrets(u)
	b, err := d.OpenURL(ctx, u)
	if err != nil {
		return nil, redactErr(fmt.Sprintf("store: open %s: %v", redactURL(u), err), err, secrets)
	}
	st := New(b)
	st.secrets = secrets
	return st, nil
}

// redactedError carries a message with secret values scrubbed, and still
// unwraps to the original error for errors.Is and errors.As.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

func redactErr(msg string, err error, secrets []string) error {
	return &redactedError{msg: redact(msg, secrets), err: err}
}

// urlSecrets returns the password and the secret-looking query values of u.
func urlSecrets(u *url.URL) []string {
	var out []string
	if u.User != nil {
		if pw, ok := u.User.Password(); ok && pw != "" {
			out = append(out, pw)
		}
	}
	for k, vs := range u.Query() {
		if secretKey(k) {
			for _, v := range vs {
				if v != "" {
					out = append(out, v)
				}
			}
		}
	}
	return out
}

// secretKey reports whether a URL query parameter may hold a secret. Names
// of files and of environment variables (key_file, password_env) and
// public host keys (host_key) do not, and stay readable in messages.
func secretKey(k string) bool {
	lk := strings.ToLower(k)
	if strings.HasSuffix(lk, "_file") || strings.HasSuffix(lk, "_env") || lk == "host_key" {
		return false
	}
	return strings.Contains(lk, "secret") || strings.Contains(lk, "password") || strings.Contains(lk, "token") ||
		strings.Contains(lk, "key") && lk != "key_prefix" || strings.Contains(lk, "sig")
}

// OpenURL opens a store from a URL with DefaultRegistry.
func OpenURL(ctx context.Context, rawURL string) (*Store, error) {
	return DefaultRegistry.OpenURL(ctx, rawURL)
}

func parseStoreURL(raw string) (*url.URL, error) {
	if raw == "" {
		return nil, fmt.Errorf("store: %w: empty store URL", ErrInvalidConfig)
	}
	if !strings.Contains(raw, "://") {
		// A plain filesystem path.
		return &url.URL{Scheme: "file", Path: raw}, nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error echoes the URL, which may hold a secret: say less.
		return nil, fmt.Errorf("store: %w: malformed store URL (scheme %q)", ErrInvalidConfig, strings.SplitN(raw, "://", 2)[0])
	}
	return u, nil
}

// redactURL prints u without its password and with secret-looking query
// values masked.
func redactURL(u *url.URL) string {
	c := *u
	if c.User != nil {
		if _, has := c.User.Password(); has {
			c.User = url.UserPassword(c.User.Username(), "***")
		}
	}
	q := c.Query()
	for k := range q {
		if secretKey(k) {
			q.Set(k, "***")
		}
	}
	c.RawQuery = q.Encode()
	return strings.ReplaceAll(c.String(), "%2A%2A%2A", "***")
}
