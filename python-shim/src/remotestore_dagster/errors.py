"""Exceptions raised by the shim, mapped from the plugin's gRPC errors.

The Go side puts one of store's kind names (``store.KindName``) into a ``google.rpc.ErrorInfo`` detail
``reason`` next to a gRPC status code. :data:`KINDS` is the one table on the Python side: kind name →
exception class (and the gRPC code the Go table uses for it). An error whose detail is missing falls
back to the status code. Each class also derives from the matching builtin, so
``except FileNotFoundError`` keeps working.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import grpc

__all__ = [
    "RemoteStoreError",
    "NotFound",
    "AlreadyExists",
    "PermissionDenied",
    "InvalidPath",
    "NotSupported",
    "Unavailable",
    "IsFolder",
    "NotFolder",
    "Precondition",
    "InvalidConfig",
    "Canceled",
    "DeadlineExceeded",
    "PluginError",
    "PluginStartError",
    "KINDS",
    "from_rpc_error",
]


class RemoteStoreError(Exception):
    """Base of every error the plugin reports.

    ``kind`` is the Go kind name ("NotFound", …, "" when unclassified), ``path`` the store path the
    error names (when the plugin sent one), ``code`` the gRPC status code and ``details`` the
    ErrorInfo metadata.
    """

    kind: str = ""

    def __init__(
        self,
        message: str,
        *,
        path: str = "",
        code: grpc.StatusCode | None = None,
        details: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.code = code
        self.details: dict[str, str] = dict(details or {})

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[Any, ...]:  # picklable across Dagster's process boundaries
        return (_rebuild, (type(self), self.message, self.path, self.code, self.details))


def _rebuild(
    cls: type[RemoteStoreError], message: str, path: str, code: grpc.StatusCode | None, details: dict[str, str]
) -> RemoteStoreError:
    return cls(message, path=path, code=code, details=details)


class NotFound(RemoteStoreError, FileNotFoundError):
    """The file, folder or partition does not exist (store.ErrNotFound)."""

    kind = "NotFound"


class AlreadyExists(RemoteStoreError, FileExistsError):
    """The target exists and overwriting was not asked for (store.ErrAlreadyExists)."""

    kind = "AlreadyExists"


class PermissionDenied(RemoteStoreError, PermissionError):
    """The backend refused access (store.ErrPermission)."""

    kind = "Permission"


class InvalidPath(RemoteStoreError, ValueError):
    """The path is malformed or leaves the store's root (store.ErrInvalidPath)."""

    kind = "InvalidPath"


class NotSupported(RemoteStoreError, NotImplementedError):
    """The backend lacks the capability the call needs (store.ErrNotSupported)."""

    kind = "NotSupported"


class Unavailable(RemoteStoreError, ConnectionError):
    """The backend, or the plugin itself, could not be reached (store.ErrUnavailable)."""

    kind = "Unavailable"


class IsFolder(RemoteStoreError, IsADirectoryError):
    """A file operation named a folder (store.ErrIsFolder)."""

    kind = "IsFolder"


class NotFolder(RemoteStoreError, NotADirectoryError):
    """A folder operation named a file (store.ErrNotFolder)."""

    kind = "NotFolder"


class Precondition(RemoteStoreError, RuntimeError):
    """A conditional operation lost a race (store.ErrPrecondition)."""

    kind = "Precondition"


class InvalidConfig(RemoteStoreError, ValueError):
    """A store URL or configuration is malformed or incomplete (store.ErrInvalidConfig)."""

    kind = "InvalidConfig"


class Canceled(RemoteStoreError):
    """The call was canceled (context.Canceled on the Go side)."""

    kind = "Canceled"


class DeadlineExceeded(RemoteStoreError, TimeoutError):
    """The call ran out of time (context.DeadlineExceeded on the Go side)."""

    kind = "DeadlineExceeded"


class PluginError(RemoteStoreError):
    """An error the plugin did not classify (an internal error, a bug)."""


class PluginStartError(RemoteStoreError, RuntimeError):
    """The plugin process could not be started, did not hand shake, or failed its health check."""


#: kind name → (exception class, gRPC code the Go side sends for it). The one table; the Go side has
#: its own in iomanager/grpcplugin, and tests check that both agree.
KINDS: dict[str, tuple[type[RemoteStoreError], grpc.StatusCode]] = {
    "NotFound": (NotFound, grpc.StatusCode.NOT_FOUND),
    "AlreadyExists": (AlreadyExists, grpc.StatusCode.ALREADY_EXISTS),
    "Permission": (PermissionDenied, grpc.StatusCode.PERMISSION_DENIED),
    "InvalidPath": (InvalidPath, grpc.StatusCode.INVALID_ARGUMENT),
    "NotSupported": (NotSupported, grpc.StatusCode.UNIMPLEMENTED),
    "Unavailable": (Unavailable, grpc.StatusCode.UNAVAILABLE),
    "IsFolder": (IsFolder, grpc.StatusCode.FAILED_PRECONDITION),
    "NotFolder": (NotFolder, grpc.StatusCode.FAILED_PRECONDITION),
    "Precondition": (Precondition, grpc.StatusCode.FAILED_PRECONDITION),
    "InvalidConfig": (InvalidConfig, grpc.StatusCode.INVALID_ARGUMENT),
    "Canceled": (Canceled, grpc.StatusCode.CANCELLED),
    "DeadlineExceeded": (DeadlineExceeded, grpc.StatusCode.DEADLINE_EXCEEDED),
}

# Used when an error carries no ErrorInfo: the status code alone decides.
_BY_CODE: dict[grpc.StatusCode, type[RemoteStoreError]] = {
    grpc.StatusCode.NOT_FOUND: NotFound,
    grpc.StatusCode.ALREADY_EXISTS: AlreadyExists,
    grpc.StatusCode.PERMISSION_DENIED: PermissionDenied,
    grpc.StatusCode.UNAUTHENTICATED: PermissionDenied,
    grpc.StatusCode.INVALID_ARGUMENT: InvalidPath,
    grpc.StatusCode.UNIMPLEMENTED: NotSupported,
    grpc.StatusCode.UNAVAILABLE: Unavailable,
    grpc.StatusCode.FAILED_PRECONDITION: Precondition,
    grpc.StatusCode.CANCELLED: Canceled,
    grpc.StatusCode.DEADLINE_EXCEEDED: DeadlineExceeded,
}


def _error_info(err: grpc.RpcError) -> tuple[str, dict[str, str]]:
    """The ErrorInfo reason and metadata of a failed call, or ("", {})."""
    try:
        from google.rpc import error_details_pb2
        from grpc_status import rpc_status

        st = rpc_status.from_call(err)
    except Exception:  # malformed details: fall back to the code
        return "", {}
    if st is None:
        return "", {}
    for any_detail in st.details:
        if any_detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            any_detail.Unpack(info)
            return info.reason, dict(info.metadata)
    return "", {}


def _code_and_message(err: grpc.RpcError) -> tuple[grpc.StatusCode | None, str]:
    code = err.code() if hasattr(err, "code") else None
    message = err.details() if hasattr(err, "details") else None
    return code, message or str(err)


def from_rpc_error(err: grpc.RpcError, *, context: str = "") -> RemoteStoreError:
    """Translate a failed gRPC call into the matching :class:`RemoteStoreError` subclass.

    The message is the Go error's text unchanged (``store: read "a/b": not found``), prefixed by
    ``context`` when given. The original RpcError stays reachable as ``__cause__`` when raised with
    ``raise from_rpc_error(e) from e``.
    """
    code, message = _code_and_message(err)
    reason, meta = _error_info(err)
    cls: type[RemoteStoreError]
    if reason in KINDS:
        cls = KINDS[reason][0]
    elif code is not None and code in _BY_CODE:
        cls = _BY_CODE[code]
    else:
        cls = PluginError
    if context:
        message = f"{context}: {message}"
    return cls(message, path=meta.get("path", ""), code=code, details=meta)
