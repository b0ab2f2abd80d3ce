package s3

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/remotestore/remotestore/store"
)

func responseError(status int, err error) error {
	return &awshttp.ResponseError{ResponseError: &smithyhttp.ResponseError{
		Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}}, Err: err}}
}

func TestClassify(t *testing.T) {
	api := func(code string) error { return &smithy.GenericAPIError{Code: code, Message: "m"} }
	for _, tc := range []struct {
		name string
		err  error
		want error
	}{
		{"NoSuchKey", api("NoSuchKey"), store.ErrNotFound},
		{"HEAD 404", responseError(404, api("NotFound")), store.ErrNotFound},
		{"NoSuchBucket", api("NoSuchBucket"), store.ErrNotFound},
		{"AccessDenied", api("AccessDenied"), store.ErrPermission},
		{"bad key", api("InvalidAccessKeyId"), store.ErrPermission},
		{"bad signature", api("SignatureDoesNotMatch"), store.ErrPermission},
		{"403 without a code", responseError(403, errors.New("forbidden")), store.ErrPermission},
		{"PreconditionFailed", api("PreconditionFailed"), store.ErrPrecondition},
		{"SlowDown after retries", &retry.MaxAttemptsError{Attempt: 3, Err: api("SlowDown")}, store.ErrUnavailable},
		{"503", responseError(503, errors.New("unavailable")), store.ErrUnavailable},
		{"500 InternalError", responseError(500, api("InternalError")), store.ErrUnavailable},
		{"429", responseError(429, errors.New("too many")), store.ErrUnavailable},
		{"connection refused", fmt.Errorf("send: %w", &net.OpError{Op: "dial", Err: errors.New("connection refused")}), store.ErrUnavailable},
		{"NotImplemented", api("NotImplemented"), store.ErrNotSupported},
		{"versitygw parent is a file", api("ObjectParentIsFile"), store.ErrNotFolder},
		{"already a sentinel", fmt.Errorf("x: %w", store.ErrIsFolder), store.ErrIsFolder},
		{"unknown", errors.New("something else"), nil},
		{"canceled", context.Canceled, context.Canceled},
	} {
		if got := classify(tc.err); got != tc.want {
			t.Errorf("%s: classify(%v) = %v, want %v", tc.name, tc.err, got, tc.want)
		}
	}
}

// TestKindErrKeepsCause checks that a conditional write's failure matches
// ErrAlreadyExists and still reaches the SDK error.
func TestKindErrKeepsCause(t *testing.T) {
	cause := responseError(412, &smithy.GenericAPIError{Code: "PreconditionFailed"})
	err := kindErr(store.ErrAlreadyExists, cause)
	if !errors.Is(err, store.ErrAlreadyExists) || classify(err) != store.ErrAlreadyExists {
		t.Errorf("kindErr does not match ErrAlreadyExists: %v", err)
	}
	var api smithy.APIError
	if !errors.As(err, &api) || api.ErrorCode() != "PreconditionFailed" {
		t.Errorf("kindErr hides the SDK error: %v", err)
	}
	if !isCode(cause, 412) || !isCode(cause, 0, "PreconditionFailed") || isCode(cause, 409, "Conflict") {
		t.Error("isCode misreads the error")
	}
}
