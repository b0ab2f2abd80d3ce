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

	"github.com/remotestore/remotestore/internal/objio"
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
	wctx, cancel := context.WithCancel(ctx)
	return &writer{
		b: b, ctx: wctx, cancel: cancel, key: b.key(p), opts: *opts, partSize: partSize,
		buf: objio.FirstBuffer(opts.SizeHint, partSize),
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
	next     int32          // number of the next part
	uploads  *objio.Uploads // the part uploads
	mu       sync.Mutex
	parts    []types.CompletedPart // of the uploaded parts, under mu
}

// Write implements io.Writer: p is copied into the part buffer, which is
// sent whenever it is full and more data follows.
func (w *writer) Write(p []byte) (int, error) {
	if err := w.check(); err != nil {
		return 0, err
	}
	return objio.WriteParts(&w.buf, w.partSize, p, w.flush)
}

// ReadFrom reads r straight into the part buffers (one copy less than
// Write with an intermediate buffer).
func (w *writer) ReadFrom(r io.Reader) (int64, error) {
	if err := w.check(); err != nil {
		return 0, err
	}
	return objio.ReadParts(&w.buf, w.partSize, r, w.flush)
}

// check fails once the writer is finished or a part upload failed.
func (w *writer) check() error {
	if w.done {
		return fmt.Errorf("%w: write after commit or abort", store.ErrPrecondition)
	}
	return w.uploads.Err()
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
		w.uploads = objio.NewUploads(w.ctx, w.partSize, w.b.concurrency)
	}
	if w.next > MaxParts {
		return fmt.Errorf("%w: s3: more than %d parts of %d bytes; pass a SizeHint or raise part_size", store.ErrNotSupported, MaxParts, w.partSize)
	}
	w.upload(w.buf)
	buf, err := w.uploads.TakeBuffer()
	if err != nil {
		return err
	}
	w.buf = buf[:0]
	return w.check()
}

// upload sends part as the next part in the background.
func (w *writer) upload(part []byte) {
	num := w.next
	w.next++
	w.uploads.Go(part, func(part []byte) error {
		out, err := w.b.client.UploadPart(w.ctx, &s3.UploadPartInput{
			Bucket: &w.b.bucket, Key: &w.key, UploadId: &w.uploadID, PartNumber: &num,
			Body: bytes.NewReader(part), ContentLength: aws.Int64(int64(len(part))),
			ChecksumAlgorithm: types.ChecksumAlgorithmCrc32,
		})
		if err != nil {
			return fmt.Errorf("upload part %d: %w", num, err)
		}
		w.mu.Lock()
		defer w.mu.Unlock()
		w.parts = append(w.parts, types.CompletedPart{
			PartNumber: &num, ETag: out.ETag,
			ChecksumCRC32: out.ChecksumCRC32, ChecksumCRC32C: out.ChecksumCRC32C, ChecksumCRC64NVME: out.ChecksumCRC64NVME,
			ChecksumSHA1: out.ChecksumSHA1, ChecksumSHA256: out.ChecksumSHA256,
		})
		return nil
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
		w.upload(w.buf)
	}
	w.buf = nil
	if err := w.uploads.Wait(); err != nil {
		w.abortUpload()
		return err
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
	w.uploads.Wait()
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
