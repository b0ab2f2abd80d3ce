package http

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/remotestore/remotestore/store"
)

// The URL schemes this package registers. Both open the same backend; the
// scheme of the configured URL decides whether TLS is used.
const (
	// Scheme is the plain-HTTP scheme, "http".
	Scheme = "http"
	// SchemeTLS is the HTTPS scheme, "https".
	SchemeTLS = "https"
)

// Defaults for the zero Config.
const (
	// DefaultTimeout bounds the wait for each response's headers.
	DefaultTimeout = 30 * time.Second
	// DefaultRetries is how many times a request is retried after a 5xx,
	// a 429 or a network error before the error is returned.
	DefaultRetries = 3
)

// Config configures an HTTP backend.
type Config struct {
	// URL is the base URL every path is resolved against
	// ("https://host/data"). Its scheme must be http or https; it carries no
	// user info (put credentials in Headers) and no query or fragment.
	URL string `yaml:"url"`
	// Headers are sent with every request (for example Authorization).
	// Values are secrets: they never appear in messages.
	Headers map[string]store.Secret `yaml:"headers"`
	// Timeout bounds the wait for the headers of each response (not the
	// body, so large downloads are not cut). 0 means DefaultTimeout.
	Timeout time.Duration `yaml:"timeout"`
	// Retries is how many times a request that failed with a 5xx, a 429 or
	// a network error is retried, with exponential backoff from 100 ms.
	// 0 means DefaultRetries; a negative value disables retries.
	Retries int `yaml:"retries"`
	// ModTime declares store.CapModTime: the server sends a Last-Modified
	// header that changes when a file changes. Without it Stat reports no
	// modification time.
	ModTime bool `yaml:"mod_time"`
	// ETag declares store.CapETag: the server sends an ETag header that
	// changes with the content. Without it Stat reports no ETag.
	ETag bool `yaml:"etag"`
}

func init() {
	for _, scheme := range []string{Scheme, SchemeTLS} {
		store.Register(scheme, store.NewDriver(ParseURL, func(ctx context.Context, c Config) (store.Backend, error) {
			if c.URL != "" {
				if u, err := url.Parse(c.URL); err == nil && !strings.EqualFold(u.Scheme, scheme) {
					return nil, fmt.Errorf("%w: backend type %s but url %s has scheme %q", store.ErrInvalidConfig, scheme, redactURL(u), u.Scheme)
				}
			}
			return New(ctx, c)
		}))
	}
}

// ParseURL parses "https://host/base?timeout=10s&retries=2&mod_time=true&etag=true".
// Query keys other than these are errors (a base URL has no query of its
// own); headers can only be given in a YAML config.
func ParseURL(u *url.URL) (Config, error) {
	base := *u
	base.RawQuery, base.ForceQuery = "", false
	c := Config{URL: base.String()}
	for key, vals := range u.Query() {
		if len(vals) != 1 {
			return Config{}, fmt.Errorf("%w: %s: query key %q given %d times", store.ErrInvalidConfig, redactURL(&base), key, len(vals))
		}
		v := vals[0]
		var err error
		switch key {
		case "timeout":
			c.Timeout, err = time.ParseDuration(v)
		case "retries":
			c.Retries, err = strconv.Atoi(v)
		case "mod_time":
			c.ModTime, err = strconv.ParseBool(v)
		case "etag":
			c.ETag, err = strconv.ParseBool(v)
		default:
			return Config{}, fmt.Errorf("%w: %s: unknown query key %q (known: timeout, retries, mod_time, etag)", store.ErrInvalidConfig, redactURL(&base), key)
		}
		if err != nil {
			return Config{}, fmt.Errorf("%w: %s: query key %q: %v", store.ErrInvalidConfig, redactURL(&base), key, err)
		}
	}
	return c, nil
}

// validate checks c and returns the parsed base URL, its path ending in "/".
func (c Config) validate() (*url.URL, error) {
	if c.URL == "" {
		return nil, fmt.Errorf("%w: http: url is required", store.ErrInvalidConfig)
	}
	u, err := url.Parse(c.URL)
	if err != nil {
		return nil, fmt.Errorf("%w: http: url: %v", store.ErrInvalidConfig, err)
	}
	switch {
	case u.Scheme != Scheme && u.Scheme != SchemeTLS:
		return nil, fmt.Errorf("%w: http: url %s: scheme must be http or https", store.ErrInvalidConfig, redactURL(u))
	case u.Host == "":
		return nil, fmt.Errorf("%w: http: url %s has no host", store.ErrInvalidConfig, redactURL(u))
	case u.User != nil:
		return nil, fmt.Errorf("%w: http: url %s carries user info; give credentials in headers instead", store.ErrInvalidConfig, redactURL(u))
	case u.RawQuery != "" || u.Fragment != "":
		return nil, fmt.Errorf("%w: http: url %s: a base URL takes no query or fragment", store.ErrInvalidConfig, redactURL(u))
	case c.Timeout < 0:
		return nil, fmt.Errorf("%w: http: timeout %v is negative", store.ErrInvalidConfig, c.Timeout)
	}
	for name := range c.Headers {
		if name == "" || strings.ContainsAny(name, " \t\r\n:") {
			return nil, fmt.Errorf("%w: http: invalid header name %q", store.ErrInvalidConfig, name)
		}
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
		if u.RawPath != "" {
			u.RawPath += "/"
		}
	}
	return u, nil
}

// redactURL prints u without a password.
func redactURL(u *url.URL) string { return u.Redacted() }
