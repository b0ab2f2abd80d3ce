package http

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/remotestore/remotestore/store"
)

// OpenRange implements store.Backend with a GET, ranged unless the whole
// file is asked for. A server that ignores Range and answers 200 with the
// whole file is handled by discarding the bytes before off.
func (b *Backend) OpenRange(ctx context.Context, path string, off, length int64) (io.ReadCloser, error) {
	return b.openRange(ctx, path, off, length, "")
}

// openRange is OpenRange with an optional If-Match ETag.
func (b *Backend) openRange(ctx context.Context, path string, off, length int64, ifMatch string) (io.ReadCloser, error) {
	if length == 0 {
		// Nothing to read, but a missing file or a folder is still an error.
		info, err := b.Stat(ctx, path)
		if err != nil {
			return nil, err
		}
		if info.IsFolder {
			return nil, store.ErrIsFolder
		}
		return io.NopCloser(strings.NewReader("")), nil
	}
	rng := ""
	switch {
	case off == 0 && length < 0:
	case length < 0:
		rng = fmt.Sprintf("bytes=%d-", off)
	default:
		rng = fmt.Sprintf("bytes=%d-%d", off, off+length-1)
	}
	resp, err := b.do(ctx, http.MethodGet, path, rng, ifMatch)
	if errors.Is(err, errRangeNotSatisfiable) {
		// The file exists (a missing one is a 404) and off is at or past
		// its end.
		return io.NopCloser(strings.NewReader("")), nil
	}
	if err != nil {
		return nil, err
	}
	if redirectedToFolder(resp, b.urlOf(path)) {
		drain(resp)
		return nil, store.ErrIsFolder
	}
	var body io.Reader = resp.Body
	switch {
	case rng == "":
	case resp.StatusCode == http.StatusPartialContent:
		start, _, _, ok := parseContentRange(resp.Header.Get("Content-Range"))
		if !ok || start != off {
			drain(resp)
			return nil, fmt.Errorf("http: GET %s: asked for %s, got Content-Range %q", b.urlOf(path).Redacted(), rng, resp.Header.Get("Content-Range"))
		}
	default:
		// 200: the server sent the whole file. Skip to off.
		if _, err := io.CopyN(io.Discard, resp.Body, off); err != nil && !errors.Is(err, io.EOF) {
			resp.Body.Close()
			return nil, err
		}
	}
	if length >= 0 {
		body = io.LimitReader(body, length)
	}
	return &rangeReader{Reader: body, body: resp.Body}, nil
}

// rangeReader reads a (possibly limited) response body and closes it.
type rangeReader struct {
	io.Reader
	body io.ReadCloser
}

// Close closes the response body.
func (r *rangeReader) Close() error { return r.body.Close() }

// parseContentRange parses "bytes first-last/total" ("*" total → -1).
func parseContentRange(s string) (first, last, total int64, ok bool) {
	s, found := strings.CutPrefix(s, "bytes ")
	if !found {
		return 0, 0, 0, false
	}
	span, size, found := strings.Cut(s, "/")
	if !found {
		return 0, 0, 0, false
	}
	a, z, found := strings.Cut(span, "-")
	if !found {
		return 0, 0, 0, false
	}
	var err1, err2, err3 error
	first, err1 = strconv.ParseInt(a, 10, 64)
	last, err2 = strconv.ParseInt(z, 10, 64)
	total = -1
	if size != "*" {
		total, err3 = strconv.ParseInt(size, 10, 64)
	}
	if err1 != nil || err2 != nil || err3 != nil || first < 0 || last < first {
		return 0, 0, 0, false
	}
	return first, last, total, true
}
