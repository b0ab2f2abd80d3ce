package s3

import (
	"context"
	"fmt"
	"iter"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/remotestore/remotestore/store"
)

// List implements store.Backend: ListObjectsV2 with delimiter "/", one
// page (up to 1,000 keys) at a time. Common prefixes are folders.
func (b *Backend) List(ctx context.Context, p string) iter.Seq2[store.Info, error] {
	return b.list(ctx, p, "/")
}

// ListAll implements store.WalkLister: the flat listing of every key below
// the folder p, streamed page by page, so memory stays flat however many
// keys there are.
func (b *Backend) ListAll(ctx context.Context, p string) iter.Seq2[store.Info, error] {
	return b.list(ctx, p, "")
}

func (b *Backend) list(ctx context.Context, p, delimiter string) iter.Seq2[store.Info, error] {
	return func(yield func(store.Info, error) bool) {
		in := &s3.ListObjectsV2Input{Bucket: &b.bucket, Prefix: aws.String(b.dirPrefix(p))}
		if delimiter != "" {
			in.Delimiter = &delimiter
		}
		pages := s3.NewListObjectsV2Paginator(b.client, in)
		for pages.HasMorePages() {
			page, err := pages.NextPage(ctx)
			if err != nil {
				yield(store.Info{}, err)
				return
			}
			for _, cp := range page.CommonPrefixes {
				rel, ok := b.path(strings.TrimSuffix(aws.ToString(cp.Prefix), "/"))
				if ok && !yield(store.Info{Path: rel, IsFolder: true}, nil) {
					return
				}
			}
			for _, o := range page.Contents {
				rel, ok := b.path(aws.ToString(o.Key))
				if !ok {
					continue // a folder marker "a/", or a key that is no clean path
				}
				info := store.Info{Path: rel, Size: aws.ToInt64(o.Size), ModTime: aws.ToTime(o.LastModified),
					ETag: trimETag(aws.ToString(o.ETag))}
				if !yield(info, nil) {
					return
				}
			}
		}
	}
}

// DeleteFolder implements store.FolderDeleter: the keys below p are listed
// flat and removed with DeleteObjects, 1,000 per request.
func (b *Backend) DeleteFolder(ctx context.Context, p string) error {
	pages := s3.NewListObjectsV2Paginator(b.client, &s3.ListObjectsV2Input{
		Bucket: &b.bucket, Prefix: aws.String(b.dirPrefix(p)),
	})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return err
		}
		if len(page.Contents) == 0 {
			continue
		}
		ids := make([]types.ObjectIdentifier, len(page.Contents))
		for i, o := range page.Contents {
			ids[i] = types.ObjectIdentifier{Key: o.Key}
		}
		out, err := b.client.DeleteObjects(ctx, &s3.DeleteObjectsInput{
			Bucket: &b.bucket, Delete: &types.Delete{Objects: ids, Quiet: aws.Bool(true)},
		})
		if err != nil {
			return err
		}
		if len(out.Errors) > 0 {
			e := out.Errors[0]
			return &deleteError{key: aws.ToString(e.Key), code: aws.ToString(e.Code), msg: aws.ToString(e.Message), n: len(out.Errors)}
		}
	}
	return nil
}

// deleteError is the failure of some keys of a DeleteObjects request. It
// implements smithy.APIError, so Classify maps its code.
type deleteError struct {
	key, code, msg string
	n              int
}

func (e *deleteError) Error() string {
	return fmt.Sprintf("s3: DeleteObjects failed for %d keys, first %q: %s: %s", e.n, e.key, e.code, e.msg)
}
func (e *deleteError) ErrorCode() string             { return e.code }
func (e *deleteError) ErrorMessage() string          { return e.msg }
func (e *deleteError) ErrorFault() smithy.ErrorFault { return smithy.FaultUnknown }
