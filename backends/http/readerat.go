package http

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/remotestore/remotestore/store"
)

// readAhead is the span a small ReadAt (under directRead bytes) fetches:
// small reads (an io.Reader reading a byte at a time, Parquet page headers)
// are then served from the last fetched block instead of one request each.
// Reads of directRead bytes or more fetch exactly what they ask for, so
// random 64 KiB reads do not pull four times their size.
const (
	readAhead  = 256 << 10
	directRead = 32 << 10
)

var _ store.ReaderAtOpener = (*Backend)(nil)

// OpenReaderAt implements store.ReaderAtOpener: a HEAD for the size and
// ETag, then ranged GETs of at least readAhead bytes, the last of which is
// kept to serve nearby small reads. When the server gave a strong ETag,
// every GET carries If-Match, so a file replaced while it is read fails
// with store.ErrPrecondition instead of mixing two versions.
func (b *Backend) OpenReaderAt(ctx context.Context, path string) (store.ReaderAtCloser, error) {
	info, etag, err := b.head(ctx, path)
	if err != nil {
		return nil, err
	}
	if info.IsFolder {
		return nil, store.ErrIsFolder
	}
	if strings.HasPrefix(etag, "W/") {
		etag = "" // If-Match compares strongly: a weak ETag never matches
	}
	return &readerAt{b: b, ctx: ctx, path: path, size: info.Size, etag: etag}, nil
}

// readerAt is a random-access reader over ranged GETs; ReadAt is safe for
// concurrent use.
type readerAt struct {
	b    *Backend
	ctx  context.Context
	path string
	size int64
	etag string

	mu     sync.Mutex
	blk    []byte // the last fetched block
	blkOff int64
}

// Size returns the file's length, as Stat saw it at open.
func (r *readerAt) Size() int64 { return r.size }

// Close drops the cached block.
func (r *readerAt) Close() error {
	r.mu.Lock()
	r.blk = nil
	r.mu.Unlock()
	return nil
}

// ReadAt implements io.ReaderAt.
func (r *readerAt) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("%w: negative offset %d", store.ErrInvalidPath, off)
	}
	if off >= r.size {
		return 0, io.EOF
	}
	want := min(int64(len(p)), r.size-off)
	r.mu.Lock()
	if off >= r.blkOff && off+want <= r.blkOff+int64(len(r.blk)) {
		n := copy(p[:want], r.blk[off-r.blkOff:])
		r.mu.Unlock()
		return r.done(n, len(p))
	}
	r.mu.Unlock()
	if want >= directRead {
		n, err := r.fetch(p[:want], off)
		if err != nil {
			return n, err
		}
		return r.done(n, len(p))
	}
	buf := make([]byte, min(readAhead, r.size-off))
	if _, err := r.fetch(buf, off); err != nil {
		return 0, err
	}
	n := copy(p[:want], buf)
	r.mu.Lock()
	r.blk, r.blkOff = buf, off
	r.mu.Unlock()
	return r.done(n, len(p))
}

func (r *readerAt) done(n, asked int) (int, error) {
	if n < asked {
		return n, io.EOF
	}
	return n, nil
}

// fetch fills buf from off with one ranged GET.
func (r *readerAt) fetch(buf []byte, off int64) (int, error) {
	rc, err := r.b.openRange(r.ctx, r.path, off, int64(len(buf)), r.etag)
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	n, err := io.ReadFull(rc, buf)
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return n, fmt.Errorf("%w: http: %s shrank while reading: got %d of %d bytes at offset %d",
			store.ErrPrecondition, r.b.urlOf(r.path).Redacted(), n, len(buf), off)
	}
	return n, err
}
