package azure

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"

	"github.com/remotestore/remotestore/store"
)

// Copy implements store.Copier, inside the storage account: Copy Blob
// (StartCopyFromURL) from the source's URL, pinned to the source's ETag
// (a source replaced meanwhile fails with store.ErrPrecondition) and,
// without overwrite, with If-None-Match: * on the destination (an
// existing one fails with store.ErrAlreadyExists, even when it appeared
// after the store's check). Within one account Azure usually completes
// the copy before answering; a copy still pending is waited for. Content
// type and metadata are kept.
func (b *Backend) Copy(ctx context.Context, src, dst string, overwrite bool) error {
	sc, dc := b.blob(src), b.blob(dst)
	props, err := call(sc.GetProperties(ctx, nil))
	if err != nil {
		return err
	}
	opts := &blob.StartCopyFromURLOptions{
		SourceModifiedAccessConditions: &blob.SourceModifiedAccessConditions{SourceIfMatch: props.ETag},
	}
	if !overwrite {
		opts.AccessConditions = &blob.AccessConditions{ModifiedAccessConditions: &blob.ModifiedAccessConditions{IfNoneMatch: to.Ptr(azcore.ETagAny)}}
	}
	resp, err := call(dc.StartCopyFromURL(ctx, sc.URL(), opts))
	switch {
	case err == nil:
	case isCode(err, bloberror.SourceConditionNotMet):
		return store.WithKind(store.ErrPrecondition, fmt.Errorf("source changed while copying: %w", err))
	case !overwrite && (isCode(err, bloberror.BlobAlreadyExists, bloberror.TargetConditionNotMet, bloberror.ConditionNotMet) ||
		uncoded(err, http.StatusPreconditionFailed)):
		return store.WithKind(store.ErrAlreadyExists, err)
	default:
		return err
	}
	st := deref(resp.CopyStatus)
	for delay := 20 * time.Millisecond; st == blob.CopyStatusTypePending; delay = min(2*delay, 2*time.Second) {
		select {
		case <-time.After(delay):
		case <-ctx.Done():
			b.abortCopy(ctx, dst, deref(resp.CopyID))
			return ctx.Err()
		}
		p, err := call(dc.GetProperties(ctx, nil))
		if err != nil {
			return err
		}
		if deref(p.CopyID) != deref(resp.CopyID) {
			return store.WithKind(store.ErrPrecondition, fmt.Errorf("another copy or write replaced %s while copying", b.URI(dst)))
		}
		st = deref(p.CopyStatus)
		if st == blob.CopyStatusTypeFailed || st == blob.CopyStatusTypeAborted {
			return fmt.Errorf("copy to %s %s: %s", b.URI(dst), st, deref(p.CopyStatusDescription))
		}
	}
	if st != "" && st != blob.CopyStatusTypeSuccess {
		return fmt.Errorf("copy to %s ended %s", b.URI(dst), st)
	}
	return nil
}

// abortCopy stops a pending copy after the caller gave up on it.
func (b *Backend) abortCopy(ctx context.Context, dst, id string) {
	if id == "" {
		return
	}
	actx, cancel := cleanupContext(ctx)
	defer cancel()
	b.blob(dst).AbortCopyFromURL(actx, id, nil)
}
