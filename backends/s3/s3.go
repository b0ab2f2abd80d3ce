package s3

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/remotestore/remotestore/internal/objio"
	"github.com/remotestore/remotestore/store"
)

// Backend is the S3 backend. It is safe for concurrent use.
type Backend struct {
	client      *s3.Client
	bucket      string
	prefix      string // clean key prefix of the backend's root; "" for the bucket
	partSize    int64
	concurrency int
	conditional bool // the server honours If-None-Match: * on writes

	maxCopyObject int64 // largest object copied with one CopyObject
	copyPartSize  int64 // part size of multipart copies
}

var (
	_ store.Backend        = (*Backend)(nil)
	_ store.Copier         = (*Backend)(nil)
	_ store.FolderDeleter  = (*Backend)(nil)
	_ store.WalkLister     = (*Backend)(nil)
	_ store.ReaderAtOpener = (*Backend)(nil)
	_ store.Pinger         = (*Backend)(nil)
	_ store.Aser           = (*Backend)(nil)
)

// New opens an S3 backend. It loads the SDK's configuration (region and
// credential chain) but sends no request: a wrong bucket or bad credentials
// show at the first call, or at Store.Ping.
func New(ctx context.Context, c Config) (*Backend, error) {
	if _, err := c.validate(); err != nil {
		return nil, err
	}
	var opts []func(*awsconfig.LoadOptions) error
	if c.Region != "" {
		opts = append(opts, awsconfig.WithRegion(c.Region))
	}
	if c.Profile != "" {
		opts = append(opts, awsconfig.WithSharedConfigProfile(c.Profile))
	}
	switch {
	case c.AccessKeyID != "":
		opts = append(opts, awsconfig.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(
			c.AccessKeyID.Reveal(), c.SecretAccessKey.Reveal(), c.SessionToken.Reveal())))
	case c.Anonymous:
		opts = append(opts, awsconfig.WithCredentialsProvider(aws.AnonymousCredentials{}))
	}
	if c.MaxAttempts > 0 {
		opts = append(opts, awsconfig.WithRetryMaxAttempts(c.MaxAttempts))
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		// Errors of the shared config name files and profiles, not secrets.
		return nil, fmt.Errorf("%w: s3: loading the AWS configuration: %v", store.ErrInvalidConfig, err)
	}
	if cfg.Region == "" {
		if c.Endpoint == "" {
			return nil, fmt.Errorf("%w: s3: no region: set region (URL ?region=…, config region:) or AWS_REGION", store.ErrInvalidConfig)
		}
		cfg.Region = "us-east-1"
	}
	client := s3.NewFromConfig(cfg, func(o *s3.Options) {
		if c.Endpoint != "" {
			o.BaseEndpoint = aws.String(c.Endpoint)
		}
		o.UsePathStyle = c.UsePathStyle
		// Ranged GETs carry no full-object checksum; the SDK would log that
		// on every read.
		o.DisableLogOutputChecksumValidationSkipped = true
	})
	return NewWithClient(client, c)
}

// NewWithClient returns a backend over an existing SDK client (its region,
// endpoint and credentials are the client's). Only Bucket, Prefix and the
// transfer fields of c are used.
func NewWithClient(client *s3.Client, c Config) (*Backend, error) {
	prefix, err := c.validate()
	if err != nil {
		return nil, err
	}
	return &Backend{client: client, bucket: c.Bucket, prefix: prefix, partSize: c.PartSize,
		concurrency: c.Concurrency, conditional: !c.NoConditionalWrites,
		maxCopyObject: maxCopyObject, copyPartSize: copyPartSize}, nil
}

// Client returns the SDK client the backend uses.
func (b *Backend) Client() *s3.Client { return b.client }

// Bucket returns the bucket's name.
func (b *Backend) Bucket() string { return b.bucket }

// Prefix returns the key prefix of the backend's root ("" for the bucket).
func (b *Backend) Prefix() string { return b.prefix }

// As implements store.Aser: target may be a **s3.Client.
func (b *Backend) As(target any) bool {
	if p, ok := target.(**s3.Client); ok {
		*p = b.client
		return true
	}
	return false
}

// Scheme implements store.Backend.
func (b *Backend) Scheme() string { return Scheme }

// Capabilities implements store.Backend.
func (b *Backend) Capabilities() store.Capability {
	return store.CapRead | store.CapRangeRead | store.CapWrite | store.CapAtomicWrite | store.CapList |
		store.CapDelete | store.CapServerSideCopy | store.CapModTime | store.CapETag
}

// URI implements store.Backend.
func (b *Backend) URI(p string) string { return "s3://" + b.bucket + "/" + b.key(p) }

// Close implements store.Backend. The SDK client holds no resources that
// need releasing beyond idle connections, which the transport reuses.
func (b *Backend) Close() error { return nil }

// key returns the object key of the backend path p.
func (b *Backend) key(p string) string { return objio.Root(b.prefix).Key(p) }

// dirPrefix returns the key prefix of the objects below the folder p.
func (b *Backend) dirPrefix(p string) string { return objio.Root(b.prefix).DirPrefix(p) }

// path returns the backend path of key, and false when key is not below
// the backend's root or is not a clean path (a folder marker "a/", "a//b").
func (b *Backend) path(key string) (string, bool) { return objio.Root(b.prefix).Path(key) }

// Ping implements store.Pinger: HeadBucket checks the endpoint, the bucket
// and the credentials.
func (b *Backend) Ping(ctx context.Context) error {
	_, err := b.client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: &b.bucket})
	return err
}

// Stat implements store.Backend. A file is found with HeadObject; a folder
// is a prefix with at least one key below it (ListObjectsV2, MaxKeys 1).
// The root is a folder when the bucket can be listed.
func (b *Backend) Stat(ctx context.Context, p string) (store.Info, error) {
	if p == "" {
		if _, err := b.isFolder(ctx, p); err != nil {
			return store.Info{}, err
		}
		return store.Info{IsFolder: true}, nil
	}
	out, err := b.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &b.bucket, Key: aws.String(b.key(p))})
	if err == nil {
		return store.Info{Path: p, Size: aws.ToInt64(out.ContentLength), ModTime: aws.ToTime(out.LastModified),
			ETag: trimETag(aws.ToString(out.ETag))}, nil
	}
	if classify(err) != store.ErrNotFound {
		return store.Info{}, err
	}
	folder, ferr := b.isFolder(ctx, p)
	switch {
	case ferr != nil:
		return store.Info{}, ferr
	case folder:
		return store.Info{Path: p, IsFolder: true}, nil
	}
	return store.Info{}, err
}

// isFolder reports whether some key lies below the folder p.
func (b *Backend) isFolder(ctx context.Context, p string) (bool, error) {
	out, err := b.client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{
		Bucket: &b.bucket, Prefix: aws.String(b.dirPrefix(p)), MaxKeys: aws.Int32(1),
	})
	if err != nil {
		return false, err
	}
	return len(out.Contents) > 0 || len(out.CommonPrefixes) > 0, nil
}

// missing returns the error for a key that does not exist as a file: a
// folder's ErrIsFolder, or notFound.
func (b *Backend) missing(ctx context.Context, p string, notFound error) error {
	folder, err := b.isFolder(ctx, p)
	switch {
	case err != nil:
		return err
	case folder:
		return fmt.Errorf("%w: %s is a folder", store.ErrIsFolder, b.URI(p))
	}
	return notFound
}

// Delete implements store.Backend. S3 deletes a missing key without
// complaint, so a HEAD request first tells a missing file (ErrNotFound) and
// a folder (ErrIsFolder) apart.
func (b *Backend) Delete(ctx context.Context, p string) error {
	key := b.key(p)
	if _, err := b.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &b.bucket, Key: &key}); err != nil {
		if classify(err) == store.ErrNotFound {
			return b.missing(ctx, p, err)
		}
		return err
	}
	_, err := b.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &b.bucket, Key: &key})
	return err
}

// trimETag strips the quotes S3 puts around ETags.
func trimETag(e string) string { return strings.Trim(e, `"`) }

// cleanupContext returns a context for cleanup requests (aborting an
// upload) that still runs when ctx was canceled, bounded in time.
func cleanupContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
}

// errAs is errors.As with a value result, for brevity.
func errAs[T any](err error) (T, bool) {
	var t T
	ok := errors.As(err, &t)
	return t, ok
}
