// Package s3 is a store.Backend for Amazon S3 and S3-compatible servers
// (versitygw, Ceph RGW, …), on aws-sdk-go-v2. Import it under another name
// where the SDK's s3 package is also used:
//
//	import s3store "github.com/remotestore/remotestore/backends/s3"
//
// # URL and config
//
//	s3://bucket/prefix?region=eu-west-1
//	s3://bucket?endpoint=http://127.0.0.1:7070&use_path_style=true
//
// Query parameters: region, endpoint, use_path_style, profile, anonymous,
// part_size, concurrency, max_attempts, no_conditional_writes (see Config).
// Unknown parameters are errors. Credentials are refused in URLs. In a YAML
// config, `type: s3` with the Config fields as options:
//
//	backends:
//	  lake:
//	    type: s3
//	    options:
//	      bucket: analytics
//	      prefix: raw
//	      region: eu-west-1
//	      # only when the default chain has none:
//	      access_key_id: ${LAKE_KEY_ID}
//	      secret_access_key: ${LAKE_SECRET}
//
// # Credentials and region
//
// Without static keys the SDK's default chain applies: environment
// (AWS_ACCESS_KEY_ID, …), shared config and credentials files (profile),
// web identity (IRSA on EKS), container and instance roles. An empty option
// never overrides the chain. Secrets are store.Secret values: they print as
// "***" and never appear in errors.
//
// # Capabilities
//
// read, range-read, write, atomic-write, list, delete, server-side-copy,
// mod-time, etag. Not atomic-move (Move is copy then delete) and not
// real-folders: a folder is a key prefix, it exists while a key lies below
// it, and the Stat of a folder is a one-key listing of the prefix.
//
// # Writes
//
// A writer buffers up to one part (PartSize, default 8 MiB). A file that
// fits goes in one PutObject at Commit. A larger one is a multipart upload:
// parts go out Concurrency at a time (default 4) while the caller writes,
// so a writer holds at most PartSize × (Concurrency+1) bytes whatever the
// file's size. CompleteMultipartUpload at Commit publishes it whole; Abort,
// Close without Commit, or a failure abort the upload (even after the
// context was canceled), so nothing is visible before Commit and no parts
// are left behind. Without SizeHint a streamed file may have up to 10,000
// parts (80 GiB at the default part size); with it, parts grow to fit.
//
// Without Overwrite, PutObject and CompleteMultipartUpload carry
// If-None-Match: *, so an existing object is never replaced, even by a
// racing writer: the loser fails with store.ErrAlreadyExists. Servers
// without conditional writes need NoConditionalWrites; a HEAD request then
// checks just before publishing, and two writers racing within that window
// may both succeed (the last one wins).
//
// # Reads
//
// A read asks for the first chunk (PartSize bytes) and learns the size
// from the response; a longer read fetches the following chunks with
// concurrent ranged GETs, Concurrency at a time, pinned with If-Match to
// the first response's ETag (a replaced object fails the read with
// store.ErrPrecondition instead of mixing versions). Seekable reads
// (store.ReaderAtOpener) do one HEAD, then one ranged GET per ReadAt (split
// into concurrent chunks when large); reads up to 64 KiB are served from a
// small per-reader cache of 256 KiB blocks.
//
// # Listing, copy, delete
//
// List is ListObjectsV2 with delimiter "/"; the flat listing
// (store.WalkLister) streams ListObjectsV2 pages, so memory stays flat
// however many keys there are. Keys that are not clean store paths ("a//b",
// folder markers "a/") are left out of listings. DeleteFolder removes keys
// with DeleteObjects, 1,000 per request. Copy runs in the server: one
// CopyObject when overwriting an object up to 5 GiB; otherwise a multipart
// upload of UploadPartCopy parts (512 MiB each) completed with
// If-None-Match: *. Delete checks with HEAD first, since S3 deletes a
// missing key silently.
//
// # Errors
//
// Classify maps, after the SDK's retries: NoSuchKey, NotFound, NoSuchBucket,
// NoSuchUpload and HTTP 404 to store.ErrNotFound; AccessDenied, invalid or
// expired credentials, HTTP 401 and 403 to store.ErrPermission;
// PreconditionFailed to store.ErrPrecondition (store.ErrAlreadyExists for a
// conditional write); SlowDown, throttling, RequestTimeout, HTTP 429, 5xx
// and network errors to store.ErrUnavailable; NotImplemented to
// store.ErrNotSupported. The SDK's error stays reachable with errors.As
// (smithy.APIError, *awshttp.ResponseError).
//
// # As
//
// Store.As accepts a **s3.Client (the SDK client); Backend.Client returns
// it too.
package s3
