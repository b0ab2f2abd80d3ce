package azure

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/streaming"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
	"golang.org/x/sync/errgroup"

	"github.com/remotestore/remotestore/internal/objio"
	"github.com/remotestore/remotestore/store"
)

// NewWriter implements store.Backend. Up to one block of data is
// buffered; a file that fits is sent with one Put Blob at Commit. A larger
// one is staged as blocks (Put Block), sent concurrently while the caller
// writes, and published whole by Put Block List at Commit: nothing is
// visible before Commit. Without Overwrite the publishing request carries
// If-None-Match: *, so of racing writers exactly one wins and the others
// fail with store.ErrAlreadyExists.
func (b *Backend) NewWriter(ctx context.Context, p string, opts *store.WriteOptions) (store.BackendWriter, error) {
	blockSize := b.blockSize
	if opts.SizeHint > blockSize*MaxBlocks {
		// Blocks big enough for the announced size, rounded up to 1 MiB.
		blockSize = ((opts.SizeHint+MaxBlocks-1)/MaxBlocks + 1<<20 - 1) &^ (1<<20 - 1)
		if blockSize > MaxBlockSize {
			return nil, store.WithKind(store.ErrNotSupported, fmt.Errorf("size %d exceeds the largest block blob Azure stores", opts.SizeHint))
		}
	}
	if err := b.checkParents(ctx, p); err != nil {
		return nil, err
	}
	// The first buffer starts at the announced size (up to one block), or
	// small when the size is unknown, and grows as data comes.
	var id [8]byte
	rand.Read(id[:])
	wctx, cancel := context.WithCancel(ctx)
	return &writer{
		b: b, ctx: wctx, cancel: cancel, blob: b.blob(p), opts: *opts, blockSize: blockSize,
		idPrefix: hex.EncodeToString(id[:]), buf: objio.FirstBuffer(opts.SizeHint, blockSize),
	}, nil
}

// checkParents fails with store.ErrNotFolder when a blob stands where a
// parent folder of p would be ("a.txt" for "a.txt/b"): a flat namespace
// would let both exist, and the file would shadow the folder. The
// ancestors are looked up concurrently, one Get Blob Properties each.
func (b *Backend) checkParents(ctx context.Context, p string) error {
	var parents []string
	for q := store.ParentPath(p); q != ""; q = store.ParentPath(q) {
		parents = append(parents, q)
	}
	if len(parents) == 0 {
		return nil
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(b.concurrency)
	for _, q := range parents {
		g.Go(func() error {
			props, err := call(b.blob(q).GetProperties(gctx, nil))
			switch {
			case err == nil && isMarker(props.Metadata):
				return nil // a directory marker: a folder
			case err == nil:
				return store.WithKind(store.ErrNotFolder, fmt.Errorf("%s is a file", b.URI(q)))
			case classify(err) == store.ErrNotFound:
				return nil
			}
			return err
		})
	}
	return g.Wait()
}

// writer is a block blob upload in progress. Write, Commit and Abort are
// called by one goroutine; block uploads run on others and report
// through mu.
type writer struct {
	b         *Backend
	ctx       context.Context // canceled by Abort: stops block uploads
	cancel    context.CancelFunc
	blob      *blockblob.Client
	opts      store.WriteOptions
	blockSize int64
	idPrefix  string // random per writer, so racing writers' blocks differ

	buf  []byte // the block being filled
	done bool   // committed or aborted

	// Staging state, once the data outgrew one block.
	staged  int            // blocks handed to uploads: IDs 0..staged-1
	uploads *objio.Uploads // the block uploads
}

// blockID returns the base64 ID of block n. All IDs of a blob have the
// same length, as Azure requires.
func (w *writer) blockID(n int) string {
	return base64.StdEncoding.EncodeToString(fmt.Appendf(nil, "%s-%06d", w.idPrefix, n))
}

// Write implements io.Writer: p is copied into the block buffer, which is
// staged whenever it is full and more data follows.
func (w *writer) Write(p []byte) (int, error) {
	if err := w.check(); err != nil {
		return 0, err
	}
	return objio.WriteParts(&w.buf, w.blockSize, p, w.flush)
}

// ReadFrom reads r straight into the block buffers (one copy less than
// Write with an intermediate buffer).
func (w *writer) ReadFrom(r io.Reader) (int64, error) {
	if err := w.check(); err != nil {
		return 0, err
	}
	return objio.ReadParts(&w.buf, w.blockSize, r, w.flush)
}

// check fails once the writer is finished or a block upload failed.
func (w *writer) check() error {
	if w.done {
		return store.WithKind(store.ErrPrecondition, errors.New("write after commit or abort"))
	}
	return w.uploads.Err()
}

// flush stages the full buffer as the next block and takes a free buffer
// for what follows. It blocks while Concurrency blocks are in flight:
// memory stays bounded (Concurrency+1 buffers).
func (w *writer) flush() error {
	if w.uploads == nil {
		w.uploads = objio.NewUploads(w.ctx, w.blockSize, w.b.concurrency)
	}
	if w.staged >= MaxBlocks {
		return store.WithKind(store.ErrNotSupported, fmt.Errorf("more than %d blocks of %d bytes; pass a SizeHint or raise block_size", MaxBlocks, w.blockSize))
	}
	// Take the next buffer first: with every other one in flight this
	// waits for an upload to end, so at most Concurrency are.
	buf, err := w.uploads.TakeBuffer()
	if err != nil {
		return err
	}
	w.stage(w.buf)
	w.buf = buf[:0]
	return w.check()
}

// stage uploads data as the next block in the background.
func (w *writer) stage(data []byte) {
	id := w.blockID(w.staged)
	w.staged++
	w.uploads.Go(data, func(data []byte) error {
		_, err := call(w.blob.StageBlock(w.ctx, id, streaming.NopCloser(bytes.NewReader(data)), nil))
		if err != nil {
			return fmt.Errorf("stage block: %w", err)
		}
		return nil
	})
}

// Commit implements store.BackendWriter: one Put Blob for a small file,
// or the last block and Put Block List. Without Overwrite both carry
// If-None-Match: *, so an existing blob is never replaced.
func (w *writer) Commit() error {
	if err := w.check(); err != nil {
		return err
	}
	w.done = true
	defer w.cancel()
	var headers *blob.HTTPHeaders
	if w.opts.ContentType != "" {
		headers = &blob.HTTPHeaders{BlobContentType: &w.opts.ContentType}
	}
	var cond *blob.AccessConditions
	if !w.opts.Overwrite {
		cond = &blob.AccessConditions{ModifiedAccessConditions: &blob.ModifiedAccessConditions{IfNoneMatch: to.Ptr(azcore.ETagAny)}}
	}
	if w.staged == 0 {
		data := w.buf
		w.buf = nil
		_, err := call(w.blob.Upload(w.ctx, streaming.NopCloser(bytes.NewReader(data)), &blockblob.UploadOptions{
			HTTPHeaders: headers, AccessConditions: cond,
		}))
		return w.publishErr(err)
	}
	if len(w.buf) > 0 {
		w.stage(w.buf)
	}
	w.buf = nil
	if err := w.uploads.Wait(); err != nil {
		return err
	}
	ids := make([]string, w.staged)
	for i := range ids {
		ids[i] = w.blockID(i)
	}
	_, err := call(w.blob.CommitBlockList(w.ctx, ids, &blockblob.CommitBlockListOptions{
		HTTPHeaders: headers, AccessConditions: cond,
	}))
	return w.publishErr(err)
}

// publishErr gives the failure of the publishing request its meaning: an
// existing blob when overwriting was not asked for, or staged blocks that
// a concurrent writer's commit discarded.
func (w *writer) publishErr(err error) error {
	switch {
	case err == nil:
		return nil
	case !w.opts.Overwrite && (isCode(err, bloberror.BlobAlreadyExists, bloberror.ConditionNotMet) || uncoded(err, http.StatusPreconditionFailed)):
		return store.WithKind(store.ErrAlreadyExists, err)
	case isCode(err, bloberror.InvalidBlockList):
		return store.WithKind(store.ErrPrecondition, fmt.Errorf("another writer committed the blob meanwhile and discarded this writer's staged blocks: %w", err))
	}
	return err
}

// Abort implements store.BackendWriter: it stops block uploads. Nothing
// was published; staged blocks that were never committed stay invisible
// and are dropped by Azure after a week, or at the blob's next commit.
func (w *writer) Abort() error {
	w.done = true
	w.cancel()
	w.uploads.Wait()
	w.buf = nil
	return nil
}

// Close implements store.BackendWriter: Abort unless committed.
func (w *writer) Close() error { return w.Abort() }
