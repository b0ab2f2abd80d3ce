package sftp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/pkg/sftp"

	"github.com/remotestore/remotestore/internal/objio"
	"github.com/remotestore/remotestore/store"
)

var (
	_ io.WriterTo          = (*reader)(nil)
	_ store.ReaderAtCloser = (*readerAt)(nil)
)

// file is an open file and the session it holds busy until Close.
type file struct {
	*sftp.File
	sess *session
	once sync.Once
}

// Close closes the file and releases its session.
func (f *file) Close() error {
	err := os.ErrClosed
	f.once.Do(func() {
		err = f.File.Close()
		f.sess.release()
	})
	return err
}

// readChunk is how much one Read call that finds the buffer empty asks
// for: several requests in flight, so small Reads do not pay one round
// trip each. After the first refill, a Read of a longer range switches to
// the streaming pipeline (see reader).
const readChunk = 256 << 10

// smallRange is the longest range WriteTo reads with one ReadAt; longer
// ones go through the SFTP client's pipelined WriteTo, which reads ahead
// by up to Concurrency requests and would overshoot a short range.
const smallRange = 2 << 20

// openFile opens the file at p for reading and refuses folders (OpenSSH
// opens folders as files). With exact, the size comes from the open handle
// (fstat: one more round trip); otherwise a Stat of the path goes out
// alongside the open, both in flight at once. It retries once on a new
// connection when the old one died.
func (b *Backend) openFile(ctx context.Context, p string, exact bool) (*file, os.FileInfo, error) {
	full := b.full(p)
	var f *sftp.File
	var fi os.FileInfo
	var sess *session
	err := b.p.retry(ctx, func(c *session) error {
		var serr error
		done := make(chan struct{})
		if exact {
			close(done)
		} else {
			go func() {
				fi, serr = c.Stat(full)
				close(done)
			}()
		}
		var err error
		f, err = c.Open(full)
		<-done
		if err == nil && exact {
			fi, serr = f.Stat()
		}
		if err == nil && serr != nil {
			f.Close()
			err = serr
		}
		if err == nil {
			sess = c
			sess.busy.Add(1) // until the file is closed
		}
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	if fi.IsDir() {
		f.Close()
		sess.release()
		return nil, nil, store.WithKind(store.ErrIsFolder, fmt.Errorf("%s is a folder", p))
	}
	return &file{File: f, sess: sess}, fi, nil
}

// OpenRange implements store.Backend (see reader for how it reads).
func (b *Backend) OpenRange(ctx context.Context, p string, off, length int64) (io.ReadCloser, error) {
	f, _, err := b.openFile(ctx, p, false)
	if err != nil {
		return nil, err
	}
	end := int64(-1)
	if length >= 0 {
		end = off + length
	}
	return &reader{ctx: ctx, f: f, off: off, end: end}, nil
}

// reader streams a range of an open file. WriteTo, which io.Copy uses,
// runs the SFTP client's pipelined reader (Concurrency requests in flight
// throughout). Read fills a buffer of readChunk bytes with concurrent
// requests (or reads straight into a buffer at least that large); when a
// second such read shows the caller reads on through a long range, the
// same pipeline starts in the background and Read takes its bytes from a
// pipe.
type reader struct {
	ctx     context.Context
	f       *file
	off     int64 // file offset of the next byte to hand out
	end     int64 // end of the range (exclusive), or -1: the end of the file
	buf     []byte
	pos     int  // next byte of buf to hand out
	done    bool // the end of the range or file was reached
	refills int

	pr *io.PipeReader // the background pipeline's output, once started
	bg chan struct{}  // closed when the background pipeline has stopped
}

// left returns how many bytes the range still has (-1: unknown, to the
// end of the file).
func (r *reader) left() int64 {
	if r.end < 0 {
		return -1
	}
	return r.end - r.off
}

func (r *reader) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	if r.pos < len(r.buf) {
		n := copy(p, r.buf[r.pos:])
		r.pos += n
		r.off += int64(n)
		return n, nil
	}
	left := r.left()
	if r.done || left == 0 {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	if r.pr == nil && r.refills > 0 && (left < 0 || left > 2*readChunk) {
		if err := r.startStream(left); err != nil {
			return 0, err
		}
	}
	if r.pr != nil {
		n, err := r.pr.Read(p)
		r.off += int64(n)
		if err == io.EOF {
			r.done = true
		}
		return n, err
	}
	r.refills++
	if len(p) >= readChunk {
		if left >= 0 && int64(len(p)) > left {
			p = p[:left]
		}
		n, err := r.f.ReadAt(p, r.off)
		r.off += int64(n)
		return r.result(n, err)
	}
	want := int64(readChunk)
	if left >= 0 && left < want {
		want = left
	}
	if r.buf == nil {
		r.buf = make([]byte, readChunk)
	}
	n, err := r.f.ReadAt(r.buf[:want], r.off)
	r.buf, r.pos = r.buf[:n], 0
	if n > 0 {
		k := copy(p, r.buf)
		r.pos = k
		r.off += int64(k)
		if err == io.EOF {
			r.done = true
			err = nil
		}
		return k, err
	}
	return r.result(0, err)
}

// result turns ReadAt's answer into Read's.
func (r *reader) result(n int, err error) (int, error) {
	if err == io.EOF {
		r.done = true
		if n > 0 {
			return n, nil
		}
	}
	return n, err
}

// startStream starts the pipelined reader from r.off in the background,
// writing into a pipe that Read drains.
func (r *reader) startStream(left int64) error {
	if _, err := r.f.Seek(r.off, io.SeekStart); err != nil {
		return err
	}
	pr, pw := io.Pipe()
	r.pr, r.bg = pr, make(chan struct{})
	go func() {
		defer close(r.bg)
		_, err := r.f.File.WriteTo(&limitWriter{ctx: r.ctx, w: pw, n: left})
		if err == nil || errors.Is(err, errLimit) {
			pw.Close()
		} else {
			pw.CloseWithError(err)
		}
	}()
	return nil
}

// WriteTo streams the rest of the range to w, checking the context between
// writes: a short range with one ReadAt, a long one with the SFTP client's
// pipelined reader.
func (r *reader) WriteTo(w io.Writer) (int64, error) {
	var written int64
	if r.pos < len(r.buf) {
		n, err := w.Write(r.buf[r.pos:])
		r.pos += n
		r.off += int64(n)
		written += int64(n)
		if err != nil {
			return written, err
		}
	}
	if err := r.ctx.Err(); err != nil {
		return written, err
	}
	if r.pr != nil {
		n, err := io.Copy(w, struct{ io.Reader }{r.pr})
		r.off += n
		if err == nil {
			r.done = true
		}
		return written + n, err
	}
	left := r.left()
	if r.done || left == 0 {
		return written, nil
	}
	if left > 0 && left <= smallRange {
		buf := make([]byte, left)
		n, err := r.f.ReadAt(buf, r.off)
		if err == io.EOF {
			err = nil
		}
		if err != nil {
			return written, err
		}
		r.done = true
		m, err := w.Write(buf[:n])
		r.off += int64(m)
		return written + int64(m), err
	}
	if _, err := r.f.Seek(r.off, io.SeekStart); err != nil {
		return written, err
	}
	lw := &limitWriter{ctx: r.ctx, w: w, n: left}
	_, err := r.f.File.WriteTo(lw)
	r.off += lw.written
	written += lw.written
	if errors.Is(err, errLimit) {
		err = nil
	}
	if err == nil {
		r.done = true
	}
	return written, err
}

// errLimit stops the SFTP client's WriteTo at the end of the range.
var errLimit = errors.New("sftp: end of range")

// errReaderClosed stops the background pipeline of a closed reader.
var errReaderClosed = errors.New("sftp: reader closed")

// limitWriter passes at most n bytes (all when n < 0) to w, failing once
// ctx is done.
type limitWriter struct {
	ctx     context.Context
	w       io.Writer
	n       int64
	written int64
}

func (l *limitWriter) Write(p []byte) (int, error) {
	if err := l.ctx.Err(); err != nil {
		return 0, err
	}
	if l.n >= 0 {
		rest := l.n - l.written
		if int64(len(p)) > rest {
			n, err := l.w.Write(p[:rest])
			l.written += int64(n)
			if err != nil {
				return n, err
			}
			return n, errLimit
		}
	}
	n, err := l.w.Write(p)
	l.written += int64(n)
	if err == nil && l.n >= 0 && l.written == l.n {
		return n, errLimit
	}
	return n, err
}

// Close stops the background pipeline, if any, and closes the file.
func (r *reader) Close() error {
	if r.pr != nil {
		r.pr.CloseWithError(errReaderClosed)
		<-r.bg
	}
	return r.f.Close()
}

// Small reads through OpenReaderAt are served from a few cached blocks, so
// that many tiny ReadAt calls (a Parquet footer, a byte-wise reader) cost
// one round trip per block rather than one each. The cache holds what the
// open handle read: a file replaced by an atomic write keeps its old
// content behind the handle, so cached blocks stay true.
const (
	blockSize   = objio.CacheBlockSize // bytes per cached block
	blockCache  = objio.CacheBlocks    // blocks kept per reader
	smallReadAt = objio.SmallReadAt    // reads up to this size go through the cache
)

// OpenReaderAt implements store.ReaderAtOpener: the size comes from the
// open handle (fstat) and is fixed at open; ReadAt is the SFTP client's,
// which splits large reads into concurrent requests and is safe for
// concurrent use; reads up to 64 KiB go through a cache of a few 256 KiB
// blocks.
func (b *Backend) OpenReaderAt(ctx context.Context, p string) (store.ReaderAtCloser, error) {
	f, fi, err := b.openFile(ctx, p, true)
	if err != nil {
		return nil, err
	}
	r := &readerAt{f: f, size: fi.Size()}
	r.cache = objio.NewBlockCache(blockCache, r.readBlock)
	return r, nil
}

// readerAt is an open file read at offsets.
type readerAt struct {
	f    *file
	size int64

	cache *objio.BlockCache // of blocks read through f
}

func (r *readerAt) Size() int64 { return r.size }

// Close closes the file and drops the cache.
func (r *readerAt) Close() error {
	r.cache.Reset()
	return r.f.Close()
}

// ReadAt implements io.ReaderAt; it is safe for concurrent use.
func (r *readerAt) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("%w: negative offset %d", store.ErrInvalidPath, off)
	}
	if off >= r.size {
		return 0, io.EOF
	}
	dst := p
	if rest := r.size - off; int64(len(dst)) > rest {
		dst = dst[:rest]
	}
	if len(dst) > smallReadAt {
		n, err := r.f.ReadAt(dst, off)
		if err == io.EOF && n == len(dst) {
			err = nil
		}
		if err == nil && n < len(p) {
			err = io.EOF
		}
		return n, err
	}
	n, err := r.readCached(dst, off)
	if err == nil && n < len(p) {
		err = io.EOF
	}
	return n, err
}

// readCached fills dst from the (at most two) blocks it spans.
func (r *readerAt) readCached(dst []byte, off int64) (int, error) {
	n := 0
	for len(dst) > 0 {
		idx := off / blockSize
		data, err := r.cache.Block(idx)
		if err != nil {
			return n, err
		}
		k := copy(dst, data[min(off-idx*blockSize, int64(len(data))):])
		if k == 0 {
			return n, io.EOF // the file shrank below its size at open
		}
		dst, off, n = dst[k:], off+int64(k), n+k
	}
	return n, nil
}

// readBlock reads block idx for the cache; a block may come out short
// when the file shrank since it was opened.
func (r *readerAt) readBlock(idx int64) ([]byte, error) {
	start := idx * blockSize
	data := make([]byte, min(blockSize, r.size-start))
	n, err := r.f.ReadAt(data, start)
	if err == io.EOF {
		err = nil // shorter than at open: keep what is there
	}
	return data[:n], err
}
