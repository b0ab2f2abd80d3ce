package azure

import (
	"context"
	"fmt"
	"iter"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"golang.org/x/sync/errgroup"

	"github.com/remotestore/remotestore/store"
)

// maxBatch is the most sub-requests one blob batch may carry.
const maxBatch = 256

// List implements store.Backend: List Blobs with delimiter "/", one page
// (up to 5,000 entries) at a time. Blob prefixes are folders.
func (b *Backend) List(ctx context.Context, p string) iter.Seq2[store.Info, error] {
	return func(yield func(store.Info, error) bool) {
		pager := b.cont.NewListBlobsHierarchyPager("/", &container.ListBlobsHierarchyOptions{
			Prefix: to.Ptr(b.dirPrefix(p)), Include: container.ListBlobsInclude{Metadata: true},
		})
		for pager.More() {
			page, err := call(pager.NextPage(ctx))
			if err != nil {
				yield(store.Info{}, err)
				return
			}
			if page.Segment == nil {
				continue
			}
			for _, bp := range page.Segment.BlobPrefixes {
				rel, ok := b.path(strings.TrimSuffix(deref(bp.Name), "/"))
				if ok && !yield(store.Info{Path: rel, IsFolder: true}, nil) {
					return
				}
			}
			for _, it := range page.Segment.BlobItems {
				if info, ok := b.info(it); ok && !yield(info, nil) {
					return
				}
			}
		}
	}
}

// ListAll implements store.WalkLister: the flat listing (List Blobs
// without delimiter) of every blob below the folder p, streamed page by
// page, so memory stays flat however many blobs there are.
func (b *Backend) ListAll(ctx context.Context, p string) iter.Seq2[store.Info, error] {
	return func(yield func(store.Info, error) bool) {
		pager := b.cont.NewListBlobsFlatPager(&container.ListBlobsFlatOptions{
			Prefix: to.Ptr(b.dirPrefix(p)), Include: container.ListBlobsInclude{Metadata: true},
		})
		for pager.More() {
			page, err := call(pager.NextPage(ctx))
			if err != nil {
				yield(store.Info{}, err)
				return
			}
			if page.Segment == nil {
				continue
			}
			for _, it := range page.Segment.BlobItems {
				if info, ok := b.info(it); ok && !yield(info, nil) {
					return
				}
			}
		}
	}
}

// info describes a listed blob, and false for a directory marker blob
// (its folder shows as a prefix while something lies in it) or a name
// that is no clean path below the root ("a/", "a//b").
func (b *Backend) info(it *container.BlobItem) (store.Info, bool) {
	rel, ok := b.path(deref(it.Name))
	if !ok || isMarker(it.Metadata) {
		return store.Info{}, false
	}
	info := store.Info{Path: rel}
	if pr := it.Properties; pr != nil {
		info.Size, info.ModTime, info.ETag = deref(pr.ContentLength), deref(pr.LastModified), etagString(pr.ETag)
	}
	return info, true
}

// DeleteFolder implements store.FolderDeleter: the blobs below p are
// listed flat and removed with blob batches of up to 256 deletions,
// Concurrency batches at a time. A server that refuses batches (an
// account with a hierarchical namespace, some emulators) gets single
// deletions, Concurrency at a time. Directory marker blobs go last,
// deepest first (a hierarchical namespace refuses to delete a directory
// that is not empty), the folder's own marker included.
func (b *Backend) DeleteFolder(ctx context.Context, p string) error {
	pager := b.cont.NewListBlobsFlatPager(&container.ListBlobsFlatOptions{
		Prefix: to.Ptr(b.dirPrefix(p)), Include: container.ListBlobsInclude{Metadata: true},
	})
	var markers []string
	for pager.More() {
		page, err := call(pager.NextPage(ctx))
		if err != nil {
			return err
		}
		if page.Segment == nil || len(page.Segment.BlobItems) == 0 {
			continue
		}
		names := make([]string, 0, len(page.Segment.BlobItems))
		for _, it := range page.Segment.BlobItems {
			if isMarker(it.Metadata) {
				markers = append(markers, deref(it.Name))
			} else {
				names = append(names, deref(it.Name))
			}
		}
		if err := b.deleteNames(ctx, names); err != nil {
			return err
		}
	}
	if p != "" {
		props, err := call(b.blob(p).GetProperties(ctx, nil))
		switch {
		case err == nil && isMarker(props.Metadata):
			markers = append(markers, b.name(p))
		case err != nil && classify(err) != store.ErrNotFound:
			return err
		}
	}
	// Deepest first; names of one depth in any order.
	slices.SortFunc(markers, func(x, y string) int { return strings.Count(y, "/") - strings.Count(x, "/") })
	for _, name := range markers {
		if err := b.deleteOne(ctx, name); err != nil {
			return err
		}
	}
	return nil
}

// deleteNames deletes the named blobs (and their snapshots); names that
// are gone already are fine.
func (b *Backend) deleteNames(ctx context.Context, names []string) error {
	if len(names) == 0 {
		return nil
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(b.concurrency)
	if !b.noBatch.Load() {
		var refused atomic.Bool
		for i := 0; i < len(names); i += maxBatch {
			chunk := names[i:min(i+maxBatch, len(names))]
			g.Go(func() error {
				err := b.deleteBatch(gctx, chunk)
				if err != nil && batchRefused(err) {
					refused.Store(true)
					return nil
				}
				return err
			})
		}
		if err := g.Wait(); err != nil || !refused.Load() {
			return err
		}
		b.noBatch.Store(true)
		g, gctx = errgroup.WithContext(ctx)
		g.SetLimit(b.concurrency)
	}
	for _, name := range names {
		g.Go(func() error { return b.deleteOne(gctx, name) })
	}
	return g.Wait()
}

// deleteOne deletes the named blob and its snapshots; a blob gone already
// is fine.
func (b *Backend) deleteOne(ctx context.Context, name string) error {
	_, err := call(b.cont.NewBlobClient(name).Delete(ctx, &blob.DeleteOptions{DeleteSnapshots: to.Ptr(blob.DeleteSnapshotsOptionTypeInclude)}))
	if err != nil && !isCode(err, bloberror.BlobNotFound) {
		return fmt.Errorf("delete %s: %w", name, err)
	}
	return nil
}

// deleteBatch deletes up to 256 blobs with one Blob Batch request.
func (b *Backend) deleteBatch(ctx context.Context, names []string) error {
	bb, err := b.cont.NewBatchBuilder()
	if err != nil {
		return err
	}
	for _, name := range names {
		if err := bb.Delete(name, &container.BatchDeleteOptions{
			DeleteOptions: blob.DeleteOptions{DeleteSnapshots: to.Ptr(blob.DeleteSnapshotsOptionTypeInclude)},
		}); err != nil {
			return err
		}
	}
	resp, err := call(b.cont.SubmitBatch(ctx, bb, nil))
	if err != nil {
		return err
	}
	for _, r := range resp.Responses {
		if r.Error != nil && !isCode(r.Error, bloberror.BlobNotFound) {
			return fmt.Errorf("batch delete of %s: %w", deref(r.BlobName), wrap(r.Error))
		}
	}
	return nil
}

// batchRefused tells a server that does not do blob batches from a batch
// that failed: the former is answered with 400 or 404 as a whole, or a
// "not supported" code.
func batchRefused(err error) bool {
	if isCode(err, bloberror.FeatureVersionMismatch, bloberror.UnsupportedQueryParameter, bloberror.UnsupportedHeader,
		"BlobBatchNotSupported", "FeatureNotYetSupportedForHierarchicalNamespaceAccounts") {
		return true
	}
	switch status(err) {
	case 400, 404, 405, 501:
		return !isCode(err, bloberror.ContainerNotFound)
	}
	return false
}
