package http

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/remotestore/remotestore/store"
)

// StatusError is a response the backend could not use: its status code
// and the request that got it. errors.As reaches it through a store error.
type StatusError struct {
	Method     string
	URL        string // redacted
	StatusCode int
	Status     string // "404 Not Found"
	// Attempts is how many requests were sent (1 plus the retries).
	Attempts int
}

// Error prints "http: GET https://host/a: 404 Not Found".
func (e *StatusError) Error() string {
	s := fmt.Sprintf("http: %s %s: %s", e.Method, e.URL, e.Status)
	if e.Attempts > 1 {
		s += fmt.Sprintf(" (after %d attempts)", e.Attempts)
	}
	return s
}

// errRangeNotSatisfiable is a 416 answer to a ranged GET: the offset lies at
// or beyond the end of the file.
var errRangeNotSatisfiable = errors.New("http: range not satisfiable")

// Classify implements store.Backend: status codes to sentinels. Network
// errors left after the retries are ErrUnavailable; context errors stay as
// they are (nil here), so errors.Is(err, context.Canceled) keeps working.
func (b *Backend) Classify(err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return nil
	}
	var se *StatusError
	if errors.As(err, &se) {
		return classifyStatus(se.StatusCode)
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, io.ErrUnexpectedEOF) {
		return store.ErrUnavailable
	}
	return nil
}

func classifyStatus(code int) error {
	switch {
	case code == http.StatusNotFound || code == http.StatusGone:
		return store.ErrNotFound
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		return store.ErrPermission
	case code == http.StatusTooManyRequests || code >= 500:
		return store.ErrUnavailable
	case code == http.StatusPreconditionFailed:
		return store.ErrPrecondition
	}
	return nil
}

// retryable reports whether a request that ended with resp or err is worth
// sending again.
func retryable(ctx context.Context, resp *http.Response, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	if err != nil {
		var ne net.Error
		return errors.As(err, &ne) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
	}
	return resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500
}

// do sends method for path (rng is a Range header value or "", ifMatch an
// If-Match ETag or ""), retrying
// 5xx, 429 and network errors with exponential backoff. It returns a
// response with a 2xx status, or an error: *StatusError for other statuses,
// errRangeNotSatisfiable for a 416.
func (b *Backend) do(ctx context.Context, method, path, rng, ifMatch string) (*http.Response, error) {
	u := b.urlOf(path)
	wait := b.backoff
	for attempt := 1; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, method, u.String(), nil)
		if err != nil {
			return nil, err
		}
		for k, v := range b.headers {
			req.Header[k] = v
		}
		if rng != "" {
			req.Header.Set("Range", rng)
		}
		if ifMatch != "" {
			req.Header.Set("If-Match", ifMatch)
		}
		resp, err := b.client.Do(req)
		if attempt <= b.retries && retryable(ctx, resp, err) {
			pause := wait
			if resp != nil {
				pause = max(pause, retryAfter(resp.Header.Get("Retry-After")))
				drain(resp)
			}
			t := time.NewTimer(pause)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil, ctx.Err()
			case <-t.C:
			}
			wait *= 2
			continue
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, err
		}
		switch {
		case resp.StatusCode >= 200 && resp.StatusCode < 300:
			return resp, nil
		case resp.StatusCode == http.StatusRequestedRangeNotSatisfiable && rng != "":
			drain(resp)
			return nil, errRangeNotSatisfiable
		}
		drain(resp)
		return nil, &StatusError{Method: method, URL: u.Redacted(), StatusCode: resp.StatusCode, Status: resp.Status, Attempts: attempt}
	}
}

// maxRetryAfter caps the wait a server can ask for with Retry-After.
const maxRetryAfter = 10 * time.Second

// retryAfter parses a Retry-After header (seconds or an HTTP date), capped
// at maxRetryAfter; 0 when absent or malformed.
func retryAfter(h string) time.Duration {
	if h == "" {
		return 0
	}
	var d time.Duration
	if secs, err := strconv.Atoi(h); err == nil && secs >= 0 {
		d = time.Duration(secs) * time.Second
	} else if t, err := http.ParseTime(h); err == nil {
		d = time.Until(t)
	}
	return min(max(d, 0), maxRetryAfter)
}

// drain reads a little of an unwanted body so the connection can be reused,
// then closes it.
func drain(resp *http.Response) {
	_, _ = io.CopyN(io.Discard, resp.Body, 4<<10)
	resp.Body.Close()
}
