package s3

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"golang.org/x/sync/errgroup"
)

// Multipart copy settings (Backend fields, so tests can make them small).
const (
	// maxCopyObject is the largest object CopyObject copies in one request.
	maxCopyObject = 5 << 30
	// copyPartSize is the part size of multipart copies (UploadPartCopy).
	copyPartSize = 512 << 20
)

// Copy implements store.Copier, inside the server. With overwrite, an
// object up to 5 GiB is copied by one CopyObject. A larger one, and every
// copy that must not overwrite, goes through a multipart upload whose parts
// are UploadPartCopy requests (Concurrency at a time) and whose completion
// carries If-None-Match: * — CopyObject's own If-None-Match is not honoured
// by every S3-compatible server, CompleteMultipartUpload's is. Content type
// and user metadata are kept.
func (b *Backend) Copy(ctx context.Context, src, dst string, overwrite bool) error {
	srcKey, dstKey := b.key(src), b.key(dst)
	head, err := b.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &b.bucket, Key: &srcKey})
	if err != nil {
		return err
	}
	size := aws.ToInt64(head.ContentLength)
	source := copySource(b.bucket, srcKey)
	if overwrite && size <= b.maxCopyObject {
		_, err := b.client.CopyObject(ctx, &s3.CopyObjectInput{
			Bucket: &b.bucket, Key: &dstKey, CopySource: &source, CopySourceIfMatch: head.ETag,
		})
		return err
	}
	up, err := b.client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{
		Bucket: &b.bucket, Key: &dstKey, ContentType: head.ContentType, Metadata: head.Metadata,
		ContentEncoding: head.ContentEncoding, ContentDisposition: head.ContentDisposition,
		CacheControl: head.CacheControl, ContentLanguage: head.ContentLanguage,
	})
	if err != nil {
		return err
	}
	abort := func() {
		actx, cancel := cleanupContext(ctx)
		defer cancel()
		b.client.AbortMultipartUpload(actx, &s3.AbortMultipartUploadInput{Bucket: &b.bucket, Key: &dstKey, UploadId: up.UploadId})
	}
	nparts := max(1, (size+b.copyPartSize-1)/b.copyPartSize)
	parts := make([]types.CompletedPart, nparts)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(b.concurrency)
	for i := range nparts {
		num := int32(i + 1)
		in := &s3.UploadPartCopyInput{
			Bucket: &b.bucket, Key: &dstKey, UploadId: up.UploadId, PartNumber: &num,
			CopySource: &source, CopySourceIfMatch: head.ETag,
		}
		if nparts > 1 {
			s := i * b.copyPartSize
			e := min(s+b.copyPartSize, size) - 1
			in.CopySourceRange = aws.String(fmt.Sprintf("bytes=%d-%d", s, e))
		}
		g.Go(func() error {
			out, err := b.client.UploadPartCopy(gctx, in)
			if err != nil {
				return fmt.Errorf("copy part %d: %w", num, err)
			}
			// Only the ETag: the upload was created without a checksum
			// algorithm, so part checksums would not match.
			parts[num-1] = types.CompletedPart{PartNumber: &num, ETag: out.CopyPartResult.ETag}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		abort()
		return err
	}
	err = b.conditionalPublish(ctx, dstKey, overwrite, func(ifNoneMatch *string) error {
		_, err := b.client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
			Bucket: &b.bucket, Key: &dstKey, UploadId: up.UploadId,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}, IfNoneMatch: ifNoneMatch,
		})
		return err
	})
	if err != nil {
		abort()
	}
	return err
}

// copySource returns the x-amz-copy-source value "bucket/key", with the
// key percent-encoded except for "/" and unreserved characters.
func copySource(bucket, key string) string {
	var sb strings.Builder
	sb.WriteString(bucket)
	sb.WriteByte('/')
	for i, seg := range strings.Split(key, "/") {
		if i > 0 {
			sb.WriteByte('/')
		}
		sb.WriteString(strings.ReplaceAll(url.PathEscape(seg), "+", "%2B"))
	}
	return sb.String()
}
