package s3

import (
	"errors"
	"fmt"
	"net"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"

	"github.com/remotestore/remotestore/store"
)

// Classify implements store.Backend; see the package doc for the mapping.
// It is asked after the SDK's retries are spent.
func (b *Backend) Classify(err error) error { return classify(err) }

// codes maps S3 error codes to sentinels.
var codes = map[string]error{
	"NoSuchKey":    store.ErrNotFound,
	"NotFound":     store.ErrNotFound,
	"NoSuchBucket": store.ErrNotFound,
	"NoSuchUpload": store.ErrNotFound,

	"AccessDenied":          store.ErrPermission,
	"AllAccessDisabled":     store.ErrPermission,
	"AccountProblem":        store.ErrPermission,
	"InvalidAccessKeyId":    store.ErrPermission,
	"SignatureDoesNotMatch": store.ErrPermission,
	"ExpiredToken":          store.ErrPermission,
	"InvalidToken":          store.ErrPermission,
	"TokenRefreshRequired":  store.ErrPermission,
	"Forbidden":             store.ErrPermission,

	"PreconditionFailed":         store.ErrPrecondition,
	"ConditionalRequestConflict": store.ErrPrecondition,

	"SlowDown":             store.ErrUnavailable,
	"Throttling":           store.ErrUnavailable,
	"ThrottlingException":  store.ErrUnavailable,
	"RequestTimeout":       store.ErrUnavailable,
	"RequestTimeTooSkewed": store.ErrPermission,
	"ServiceUnavailable":   store.ErrUnavailable,
	"InternalError":        store.ErrUnavailable,

	"KeyTooLongError":   store.ErrInvalidPath,
	"InvalidBucketName": store.ErrInvalidConfig,

	"NotImplemented": store.ErrNotSupported,

	// versitygw's posix backend maps keys onto files and folders.
	"ExistingObjectIsDirectory": store.ErrIsFolder,
	"ObjectParentIsFile":        store.ErrNotFolder,
}

func classify(err error) error {
	if err == nil {
		return nil
	}
	if kind := store.KindOf(err); kind != nil {
		return kind
	}
	if api, ok := errAs[smithy.APIError](err); ok {
		if kind, ok := codes[api.ErrorCode()]; ok {
			return kind
		}
	}
	if re, ok := errAs[*awshttp.ResponseError](err); ok {
		switch code := re.HTTPStatusCode(); {
		case code == http.StatusNotFound:
			return store.ErrNotFound
		case code == http.StatusUnauthorized || code == http.StatusForbidden:
			return store.ErrPermission
		case code == http.StatusPreconditionFailed:
			return store.ErrPrecondition
		case code == http.StatusTooManyRequests || code >= 500:
			return store.ErrUnavailable
		}
	}
	var quota ratelimit.QuotaExceededError
	if errors.As(err, &quota) {
		return store.ErrUnavailable
	}
	if _, ok := errAs[net.Error](err); ok {
		return store.ErrUnavailable
	}
	if _, ok := errAs[*aws.RequestCanceledError](err); ok {
		return nil // the context error is reachable and classified by Store
	}
	return nil
}

// isCode reports whether err is an S3 API error with one of codes, or an
// HTTP response error with one of the statuses.
func isCode(err error, status int, codes ...string) bool {
	if api, ok := errAs[smithy.APIError](err); ok {
		for _, c := range codes {
			if api.ErrorCode() == c {
				return true
			}
		}
	}
	if re, ok := errAs[*awshttp.ResponseError](err); ok && status != 0 {
		return re.HTTPStatusCode() == status
	}
	return false
}

// kindErr returns err wrapped so that it also matches kind: for a failure
// whose meaning depends on the call (a failed If-None-Match is "already
// exists" for a write, not a lost race). Its message names the kind too.
func kindErr(kind, err error) error {
	return store.WithKind(kind, fmt.Errorf("%s: %w", kind.Error(), err))
}
