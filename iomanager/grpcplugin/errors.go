package grpcplugin

import (
	"context"
	"errors"
	"fmt"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/remotestore/remotestore/iomanager"
	"github.com/remotestore/remotestore/store"
)

// ErrorDomain is the ErrorInfo domain of every error the plugin returns.
const ErrorDomain = "remotestore"

// errorKinds is the one Go table between store sentinels, their wire names
// (store.KindName, the ErrorInfo reason) and gRPC codes. The Python shim's
// errors.KINDS is its mirror; a test checks that they agree.
var errorKinds = []struct {
	kind error
	name string
	code codes.Code
}{
	{store.ErrNotFound, "NotFound", codes.NotFound},
	{store.ErrAlreadyExists, "AlreadyExists", codes.AlreadyExists},
	{store.ErrPermission, "Permission", codes.PermissionDenied},
	{store.ErrInvalidPath, "InvalidPath", codes.InvalidArgument},
	{store.ErrNotSupported, "NotSupported", codes.Unimplemented},
	{store.ErrUnavailable, "Unavailable", codes.Unavailable},
	{store.ErrIsFolder, "IsFolder", codes.FailedPrecondition},
	{store.ErrNotFolder, "NotFolder", codes.FailedPrecondition},
	{store.ErrPrecondition, "Precondition", codes.FailedPrecondition},
	{store.ErrInvalidConfig, "InvalidConfig", codes.InvalidArgument},
	{context.Canceled, "Canceled", codes.Canceled},
	{context.DeadlineExceeded, "DeadlineExceeded", codes.DeadlineExceeded},
}

// ToStatus converts an error to a gRPC status error: the code of its store
// sentinel (Unknown when it has none) and an ErrorInfo detail whose reason
// is store.KindName and whose metadata carries "path" (and "op", "uri",
// "target" when known).
func ToStatus(err error) error {
	if err == nil {
		return nil
	}
	var gs interface{ GRPCStatus() *status.Status }
	if errors.As(err, &gs) && store.KindName(err) == "" {
		return err // already a status
	}
	name := store.KindName(err)
	code := codes.Unknown
	for _, k := range errorKinds {
		if k.name == name {
			code = k.code
			break
		}
	}
	st := status.New(code, err.Error())
	md := map[string]string{}
	var se *store.Error
	if errors.As(err, &se) {
		md["path"], md["op"] = se.Path, se.Op
		if se.URI != "" {
			md["uri"] = se.URI
		}
	}
	var ie *iomanager.Error
	if errors.As(err, &ie) {
		md["target"] = ie.Target
		if _, ok := md["path"]; !ok || ie.Path != "" {
			md["path"] = ie.Path
		}
		if _, ok := md["op"]; !ok {
			md["op"] = ie.Op
		}
	}
	if _, ok := md["path"]; !ok {
		md["path"] = ""
	}
	if name != "" {
		if withInfo, e := st.WithDetails(&errdetails.ErrorInfo{Reason: name, Domain: ErrorDomain, Metadata: md}); e == nil {
			st = withInfo
		}
	}
	return st.Err()
}

// RemoteError is an error returned by the plugin, rebuilt on the client:
// errors.Is(err, store.ErrNotFound) and friends hold as they did in the
// plugin.
type RemoteError struct {
	Code    codes.Code
	Kind    error  // a store sentinel or context error; nil when unclassified
	Path    string // from the ErrorInfo metadata
	Message string
	Details map[string]string
}

func (e *RemoteError) Error() string { return e.Message }

// Unwrap returns the kind.
func (e *RemoteError) Unwrap() error { return e.Kind }

// FromStatus rebuilds a RemoteError from a gRPC error: the ErrorInfo reason
// picks the sentinel, else the code does. Non-status errors pass through.
func FromStatus(err error) error {
	if err == nil {
		return nil
	}
	st, ok := status.FromError(err)
	if !ok {
		return err
	}
	re := &RemoteError{Code: st.Code(), Message: st.Message()}
	for _, d := range st.Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok && info.GetDomain() == ErrorDomain {
			re.Details = info.GetMetadata()
			re.Path = re.Details["path"]
			for _, k := range errorKinds {
				if k.name == info.GetReason() {
					re.Kind = k.kind
				}
			}
		}
	}
	if re.Kind == nil {
		for _, k := range errorKinds {
			if k.code == st.Code() {
				re.Kind = k.kind
				break
			}
		}
	}
	if re.Message == "" {
		re.Message = fmt.Sprintf("iomanager plugin: %s", st.Code())
	}
	return re
}

// KindOf returns the sentinel err wraps (see store.KindOf).
func KindOf(err error) error { return store.KindOf(err) }
