package azure

import (
	"encoding/xml"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"

	"github.com/remotestore/remotestore/store"
)

// Classify implements store.Backend; see the package doc for the mapping.
// It is asked after the SDK's retries are spent.
func (b *Backend) Classify(err error) error { return classify(err) }

// codes maps Azure Storage error codes to sentinels.
var codes = map[bloberror.Code]error{
	bloberror.BlobNotFound:      store.ErrNotFound,
	bloberror.ContainerNotFound: store.ErrNotFound,
	bloberror.ResourceNotFound:  store.ErrNotFound,

	bloberror.AuthorizationFailure:                       store.ErrPermission,
	bloberror.AuthenticationFailed:                       store.ErrPermission,
	bloberror.AuthorizationPermissionMismatch:            store.ErrPermission,
	bloberror.AuthorizationProtocolMismatch:              store.ErrPermission,
	bloberror.AuthorizationResourceTypeMismatch:          store.ErrPermission,
	bloberror.AuthorizationServiceMismatch:               store.ErrPermission,
	bloberror.AuthorizationSourceIPMismatch:              store.ErrPermission,
	bloberror.InsufficientAccountPermissions:             store.ErrPermission,
	bloberror.AccountIsDisabled:                          store.ErrPermission,
	bloberror.ContainerDisabled:                          store.ErrPermission,
	bloberror.BlobImmutableDueToPolicy:                   store.ErrPermission,
	bloberror.NoAuthenticationInformation:                store.ErrPermission,
	bloberror.InvalidAuthenticationInfo:                  store.ErrPermission,
	bloberror.CannotVerifyCopySource:                     store.ErrPermission,
	bloberror.Code("PublicAccessNotPermitted"):           store.ErrPermission,
	bloberror.Code("KeyBasedAuthenticationNotPermitted"): store.ErrPermission,

	bloberror.BlobAlreadyExists:      store.ErrAlreadyExists,
	bloberror.ContainerAlreadyExists: store.ErrAlreadyExists,

	bloberror.ConditionNotMet:                    store.ErrPrecondition,
	bloberror.SourceConditionNotMet:              store.ErrPrecondition,
	bloberror.TargetConditionNotMet:              store.ErrPrecondition,
	bloberror.LeaseIDMissing:                     store.ErrPrecondition,
	bloberror.LeaseIDMismatchWithBlobOperation:   store.ErrPrecondition,
	bloberror.LeaseIsBreakingAndCannotBeAcquired: store.ErrPrecondition,
	bloberror.InvalidBlockList:                   store.ErrPrecondition,
	bloberror.PendingCopyOperation:               store.ErrPrecondition,

	bloberror.ServerBusy:            store.ErrUnavailable,
	bloberror.InternalError:         store.ErrUnavailable,
	bloberror.OperationTimedOut:     store.ErrUnavailable,
	bloberror.ContainerBeingDeleted: store.ErrUnavailable,

	bloberror.InvalidResourceName: store.ErrInvalidPath,
	bloberror.OutOfRangeInput:     store.ErrInvalidPath,

	bloberror.FeatureVersionMismatch:    store.ErrNotSupported,
	bloberror.UnsupportedHeader:         store.ErrNotSupported,
	bloberror.UnsupportedQueryParameter: store.ErrNotSupported,
	bloberror.UnsupportedHTTPVerb:       store.ErrNotSupported,
	bloberror.BlobArchived:              store.ErrNotSupported,
	bloberror.BlobBeingRehydrated:       store.ErrNotSupported,
}

// credentialUnavailable is the type of azidentity's "this credential
// cannot authenticate here" error, which the package does not export.
var credentialUnavailable = reflect.TypeOf(azidentity.NewCredentialUnavailableError(""))

func classify(err error) error {
	if err == nil {
		return nil
	}
	if kind := store.KindOf(err); kind != nil {
		return kind
	}
	if re, ok := errAs[*azcore.ResponseError](err); ok {
		if kind, ok := codes[bloberror.Code(re.ErrorCode)]; ok {
			return kind
		}
		switch code := re.StatusCode; {
		case code == http.StatusNotFound:
			return store.ErrNotFound
		case code == http.StatusUnauthorized || code == http.StatusForbidden:
			return store.ErrPermission
		case code == http.StatusPreconditionFailed:
			return store.ErrPrecondition
		case code == http.StatusNotImplemented:
			return store.ErrNotSupported
		case code == http.StatusTooManyRequests || code >= 500:
			return store.ErrUnavailable
		}
		return nil
	}
	if _, ok := errAs[*azidentity.AuthenticationFailedError](err); ok {
		return store.ErrPermission
	}
	if _, ok := errAs[*azidentity.AuthenticationRequiredError](err); ok {
		return store.ErrPermission
	}
	if hasType(err, credentialUnavailable) {
		return store.ErrPermission
	}
	if _, ok := errAs[net.Error](err); ok {
		return store.ErrUnavailable
	}
	return nil
}

// isCode reports whether err is an Azure error with one of codes.
func isCode(err error, codes ...bloberror.Code) bool { return bloberror.HasCode(err, codes...) }

// status returns the HTTP status of an Azure error, or 0.
func status(err error) int {
	if re, ok := errAs[*azcore.ResponseError](err); ok {
		return re.StatusCode
	}
	return 0
}

// uncoded reports whether err is an Azure error of HTTP status code that
// carries no error code (the answer to a HEAD request, or a proxy's).
func uncoded(err error, code int) bool {
	re, ok := errAs[*azcore.ResponseError](err)
	return ok && re.StatusCode == code && re.ErrorCode == ""
}

// call passes an SDK call's results through, with its error made fit for
// messages (see wrap).
func call[T any](v T, err error) (T, error) { return v, wrap(err) }

// wrap makes an SDK error fit for a store error message: an Azure response
// error becomes one line ("BlobNotFound (HTTP 404): The specified blob
// does not exist.") instead of the SDK's multi-line dump, and a transport
// error loses the request URL's query, which may hold a SAS. The SDK's
// error stays reachable with errors.As (*azcore.ResponseError,
// net.Error), apart from the URL of a transport error.
func wrap(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := errAs[*responseError](err); ok {
		return err
	}
	if re, ok := errAs[*azcore.ResponseError](err); ok {
		return &responseError{err: re, msg: responseMessage(re)}
	}
	if ue, ok := errAs[*url.Error](err); ok && strings.Contains(ue.URL, "?") {
		u, _, _ := strings.Cut(ue.URL, "?")
		return &url.Error{Op: ue.Op, URL: u, Err: ue.Err}
	}
	return err
}

// responseError is an Azure response error with a one-line message.
type responseError struct {
	err *azcore.ResponseError
	msg string
}

// Error returns the one-line message.
func (e *responseError) Error() string { return e.msg }

// Unwrap returns the SDK's error.
func (e *responseError) Unwrap() error { return e.err }

// responseMessage is "CODE (HTTP STATUS): first line of the message".
func responseMessage(re *azcore.ResponseError) string {
	var b strings.Builder
	if re.ErrorCode != "" {
		fmt.Fprintf(&b, "%s (HTTP %d)", re.ErrorCode, re.StatusCode)
	} else {
		fmt.Fprintf(&b, "HTTP %d %s", re.StatusCode, http.StatusText(re.StatusCode))
	}
	if re.RawResponse != nil {
		if body, err := runtime.Payload(re.RawResponse); err == nil && len(body) > 0 {
			var x struct {
				Message string `xml:"Message"`
			}
			if xml.Unmarshal(body, &x) == nil && x.Message != "" {
				msg, _, _ := strings.Cut(x.Message, "\n") // drop "RequestId:…", "Time:…"
				b.WriteString(": ")
				b.WriteString(strings.TrimSpace(msg))
			}
		}
	}
	return b.String()
}

// scrubSecrets returns err with every secret of at least 4 characters
// replaced by "***" in its message; it still unwraps to err.
func scrubSecrets(err error, secrets ...string) error {
	msg := err.Error()
	for _, s := range secrets {
		if len(s) >= 4 {
			msg = strings.ReplaceAll(msg, s, "***")
		}
	}
	return &scrubbed{msg: msg, err: err}
}

type scrubbed struct {
	msg string
	err error
}

// Error returns the scrubbed message.
func (e *scrubbed) Error() string { return e.msg }

// Unwrap returns the original error.
func (e *scrubbed) Unwrap() error { return e.err }

// errAs is errors.As with a value result, for brevity.
func errAs[T any](err error) (T, bool) {
	var t T
	ok := errors.As(err, &t)
	return t, ok
}

// hasType reports whether an error of type t is in err's chain.
func hasType(err error, t reflect.Type) bool {
	for err != nil {
		if reflect.TypeOf(err) == t {
			return true
		}
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			err = u.Unwrap()
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				if hasType(e, t) {
					return true
				}
			}
			return false
		default:
			return false
		}
	}
	return false
}
