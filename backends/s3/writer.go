package s3

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/remotestore/remotestore/store"
)

// NewWriter implements store.Backend. Up to one part of data is buffered;
// a file that fits is sent with one PutObject at Commit. A larger one
// becomes a multipart upload whose parts are sent concurrently while the
// caller writes, and which is completed at Commit and aborted by Abort:
// nothing is visible before Commit, and no parts are left after Abort.
func (b *Backend) NewWriter(ctx context.Context, p string, opts *store.WriteOptions) (store.BackendWriter, error) {
	partSize := b.partSize
	if opts.SizeHint > partSize*MaxParts {
		// Parts big enough for the announced size, rounded up to 1 MiB.
		partSize = ((opts.SizeHint+MaxParts-1)/MaxParts + 1<<20 - 1) &^ (1<<20 - 1)
		if partSize > MaxPartSize {
			return nil, fmt.Errorf("%w: s3: size %d exceeds the largest object S3 stores", store.ErrNotSupported, opts.SizeHint)
		}
	}
	// The first buffer starts at the announced size (up to one part), or
	// small when the size is unknown, and grows as data comes.
	first := int64(64 << 10)
	if opts.SizeHint > 0 {
		first = min(opts.SizeHint, partSize)
	}
	wctx, cancel := context.WithCancel(ctx)
	return &writer{
		b: b, ctx: wctx, cancel: cancel, key: b.key(p), opts: *opts, partSize: partSize,
		buf: make([]byte, 0, first),
	}, nil
}

// writer is an S3 upload in progress. Write, Commit and Abort are called by
// one goroutine; part uploads run on others and report through mu.
type writer struct {
	b        *Backend
	ctx      context.Context // canceled by Abort: stops part uploads
	cancel   context.CancelFunc
	key      string
	opts     store.WriteOptions
	partSize int64

	buf  []byte // the part being filled
	done bool   // committed or aborted

	// Multipart state, once the data outgrew one part.
	uploadID string
	next     int32       // number of the next part
	free     chan []byte // part buffers back from finished uploads
	nbufs    int         // part buffers allocated
	wg       sync.WaitGroup
	mu       sync.Mutex
	parts    []types.CompletedPart
	err      error // first part upload failure
}

func (w *writer) Write(p []byte) (int, error) {
	if err := w.check(); err != nil {
		return 0, err
	}
	n := 0
	for len(p) > 0 {
		if int64(len(w.buf)) == w.partSize {
			if err := w.flush(); err != nil {
				return n, err
			}
		}
		if len(w.buf) == cap(w.buf) {
			w.grow()
		}
		c := copy(w.buf[len(w.buf):cap(w.buf)], p)
		w.buf = w.buf[:len(w.buf)+c]
		p = p[c:]
		n += c
	}
	return n, nil
}

// ReadFrom reads r straight into the part buffers (one copy less than
// Write with an intermediate buffer).
func (w *writer) ReadFrom(r io.Reader) (int64, error) {
	if err := w.check(); err != nil {
		return 0, err
	}
	var total int64
	for {
		if int64(len(w.buf)) == w.partSize {
			// Only flush once more data is known to come, so that a file of
			// exactly one part still goes in one PutObject.
			var one [1]byte
			n, err := io.ReadFull(r, one[:])
			if n == 0 {
				if err == io.EOF {
					return total, nil
				}
				return total, err
			}
			if err := w.flush(); err != nil {
				return total, err
			}
			w.buf = append(w.buf, one[0])
			total++
		}
		if len(w.buf) == cap(w.buf) {
			w.grow()
		}
		n, err := r.Read(w.buf[len(w.buf):cap(w.buf)])
		w.buf = w.buf[:len(w.buf)+n]
		total += int64(n)
		if err == io.EOF {
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
}

// grow enlarges the first buffer (which starts small, so that small files
// cost little memory) toward one part.
func (w *writer) grow() {
	nb := make([]byte, len(w.buf), min(w.partSize, max(2*int64(cap(w.buf)), 64<<10)))
	copy(nb, w.buf)
	w.buf = nb
}

// check fails once the writer is finished or a part upload failed.
func (w *writer) check() error {
	if w.done {
		return fmt.Errorf("%w: write after commit or abort", store.ErrPrecondition)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

// flush sends the full buffer as the next part, starting the multipart
// upload first if needed, and takes a free buffer for what follows. It
// blocks while Concurrency parts are in flight: memory stays bounded.
func (w *writer) flush() error {
	if w.uploadID == "" {
		out, err := w.b.client.CreateMultipartUpload(w.ctx, &s3.CreateMultipartUploadInput{
			Bucket: &w.b.bucket, Key: &w.key, ContentType: contentType(w.opts.ContentType),
			ChecksumAlgorithm: types.ChecksumAlgorithmCrc32, // as the SDK's upload manager: parts carry CRC32s
		})
		if err != nil {
			return err
		}
		w.uploadID = aws.ToString(out.UploadId)
		w.next = 1
		w.free = make(chan []byte, w.b.concurrency+1)
		w.nbufs = 1 // the full first buffer, recycled after its upload

	}
	if w.next > MaxParts {
		return fmt.Errorf("%w: s3: more than %d parts of %d bytes; pass a SizeHint or raise part_size", store.ErrNotSupported, MaxParts, w.partSize)
	}
	part, num := w.buf, w.next
	w.next++
	w.wg.Add(1)
	go w.upload(part, num)
	buf, err := w.takeBuffer()
	if err != nil {
		return err
	}
	w.buf = buf[:0]
	return w.check()
}

// takeBuffer returns a free part buffer, allocating up to Concurrency+1
// of them and waiting for an upload to finish beyond that.
func (w *writer) takeBuffer() ([]byte, error) {
	select {
	case b := <-w.free:
		return b, nil
	default:
	}
	if w.nbufs < w.b.concurrency+1 {
		w.nbufs++
		return make([]byte, 0, w.partSize), nil
	}
	select {
	case b := <-w.free:
		return b, nil
	case <-w.ctx.Done():
		return nil, w.ctx.Err()
	}
}

func (w *writer) upload(part []byte, num int32) {
	defer w.wg.Done()
	out, err := w.b.client.UploadPart(w.ctx, &s3.UploadPartInput{
		Bucket: &w.b.bucket, Key: &w.key, UploadId: &w.uploadID, PartNumber: &num,
		Body: bytes.NewReader(part), ContentLength: aws.Int64(int64(len(part))),
		ChecksumAlgorithm: types.ChecksumAlgorithmCrc32,
	})
	if int64(cap(part)) == w.partSize {
		w.free <- part[:0]
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if err != nil {
		if w.err == nil {
			w.err = fmt.Errorf("upload part %d: %w", num, err)
		}
		return
	}
	w.parts = append(w.parts, types.CompletedPart{
		PartNumber: &num, ETag: out.ETag,
		ChecksumCRC32: out.ChecksumCRC32, ChecksumCRC32C: out.ChecksumCRC32C, ChecksumCRC64NVME: out.ChecksumCRC64NVME,
		ChecksumSHA1: out.ChecksumSHA1, ChecksumSHA256: out.ChecksumSHA256,
	})
}

// Commit implements store.BackendWriter: one PutObject for a small file,
// or the last part and CompleteMultipartUpload. Without Overwrite both carry
// If-None-Match: *, so an existing file is never replaced.
func (w *writer) Commit() error {
	if err := w.check(); err != nil {
		return err
	}
	w.done = true
	defer w.cancel()
	if w.uploadID == "" {
		return w.putObject()
	}
	if len(w.buf) > 0 {
		part, num := w.buf, w.next
		w.next++
		w.wg.Add(1)
		go w.upload(part, num)
	}
	w.buf = nil
	w.wg.Wait()
	if w.err != nil {
		w.abortUpload()
		return w.err
	}
	slices.SortFunc(w.parts, func(a, b types.CompletedPart) int { return int(*a.PartNumber - *b.PartNumber) })
	err := w.b.conditionalPublish(w.ctx, w.key, w.opts.Overwrite, func(ifNoneMatch *string) error {
		_, err := w.b.client.CompleteMultipartUpload(w.ctx, &s3.CompleteMultipartUploadInput{
			Bucket: &w.b.bucket, Key: &w.key, UploadId: &w.uploadID,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: w.parts},
			IfNoneMatch:     ifNoneMatch,
		})
		return err
	})
	if err != nil {
		w.abortUpload()
		return err
	}
	w.uploadID = ""
	return nil
}

func (w *writer) putObject() error {
	data := w.buf
	w.buf = nil
	return w.b.conditionalPublish(w.ctx, w.key, w.opts.Overwrite, func(ifNoneMatch *string) error {
		_, err := w.b.client.PutObject(w.ctx, &s3.PutObjectInput{
			Bucket: &w.b.bucket, Key: &w.key, Body: bytes.NewReader(data),
			ContentLength: aws.Int64(int64(len(data))), ContentType: contentType(w.opts.ContentType),
			IfNoneMatch: ifNoneMatch,
		})
		return err
	})
}

// conditionalPublish runs publish, the request that makes an object
// visible. Without overwrite it passes If-None-Match: * (or, on servers
// without conditional writes, checks with HEAD first) and reports an
// existing object as store.ErrAlreadyExists. A 409 conflict with a
// concurrent conditional write is retried a few times.
func (b *Backend) conditionalPublish(ctx context.Context, key string, overwrite bool, publish func(ifNoneMatch *string) error) error {
	if overwrite {
		return publish(nil)
	}
	if !b.conditional {
		_, err := b.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &b.bucket, Key: &key})
		switch {
		case err == nil:
			return fmt.Errorf("%w: s3://%s/%s", store.ErrAlreadyExists, b.bucket, key)
		case classify(err) != store.ErrNotFound:
			return err
		}
		return publish(nil)
	}
	var err error
	for attempt := 0; attempt < 4; attempt++ {
		err = publish(aws.String("*"))
		switch {
		case err == nil:
			return nil
		case isCode(err, http.StatusPreconditionFailed, "PreconditionFailed"):
			return kindErr(store.ErrAlreadyExists, err)
		case isCode(err, http.StatusConflict, "ConditionalRequestConflict"):
			select { // another conditional write to the key is in progress
			case <-time.After(time.Duration(50<<attempt) * time.Millisecond):
			case <-ctx.Done():
				return ctx.Err()
			}
			continue
		}
		return err
	}
	return err
}

// Abort implements store.BackendWriter: it stops part uploads and aborts
// the multipart upload, so no parts are left behind (even when the write's
// context was canceled).
func (w *writer) Abort() error {
	if w.done && w.uploadID == "" {
		return nil
	}
	w.done = true
	w.cancel()
	w.wg.Wait()
	w.buf = nil
	return w.abortUpload()
}

// Close implements store.BackendWriter: Abort unless committed.
func (w *writer) Close() error { return w.Abort() }

func (w *writer) abortUpload() error {
	if w.uploadID == "" {
		return nil
	}
	ctx, cancel := cleanupContext(w.ctx)
	defer cancel()
	_, err := w.b.client.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{
		Bucket: &w.b.bucket, Key: &w.key, UploadId: &w.uploadID,
	})
	if err != nil && classify(err) == store.ErrNotFound {
		err = nil // already gone
	}
	w.uploadID = ""
	return err
}

func contentType(ct string) *string {
	if ct == "" {
		return nil
	}
	return &ct
}
