"""Go errors arrive as Python exceptions of the same kind, through a real gRPC status with ErrorInfo."""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest

from remotestore_dagster import errors
from remotestore_dagster.host import PluginHost

from ._echo import HANDSHAKE, fail

BUILTIN = {
    "NotFound": FileNotFoundError,
    "AlreadyExists": FileExistsError,
    "Permission": PermissionError,
    "InvalidPath": ValueError,
    "NotSupported": NotImplementedError,
    "Unavailable": ConnectionError,
    "IsFolder": IsADirectoryError,
    "NotFolder": NotADirectoryError,
    "Precondition": RuntimeError,
    "InvalidConfig": ValueError,
    "DeadlineExceeded": TimeoutError,
}

# store.KindName's names, in store/errors.go order: the table must cover every one.
GO_KIND_NAMES = ["NotFound", "AlreadyExists", "Permission", "InvalidPath", "NotSupported", "Unavailable",
                 "IsFolder", "NotFolder", "Precondition", "InvalidConfig", "Canceled", "DeadlineExceeded"]


@pytest.fixture(scope="module")
def plugin(testplugin: Path) -> Iterator[PluginHost]:
    with PluginHost([str(testplugin)], handshake=HANDSHAKE) as h:
        yield h


def test_table_covers_every_go_kind() -> None:
    assert sorted(errors.KINDS) == sorted(GO_KIND_NAMES)
    go_src = Path(__file__).resolve().parents[2] / "store" / "errors.go"
    for name in GO_KIND_NAMES:
        assert f'return "{name}"' in go_src.read_text(), name


@pytest.mark.parametrize("kind", GO_KIND_NAMES)
def test_kind_and_message_survive_the_wire(plugin: PluginHost, kind: str) -> None:
    cls, code = errors.KINDS[kind]
    message = f'store: read "tables/x.parquet": {kind} happened'
    with pytest.raises(grpc.RpcError) as ei:
        fail(plugin.channel, code, kind, message)
    err = errors.from_rpc_error(ei.value)
    assert type(err) is cls and err.kind == kind
    assert str(err) == message
    assert err.path == "some/path" and err.code == code and err.details["path"] == "some/path"
    if kind in BUILTIN:
        assert isinstance(err, BUILTIN[kind])
    assert isinstance(err, errors.RemoteStoreError)
    again = pickle.loads(pickle.dumps(err))
    assert type(again) is cls and str(again) == message and again.path == "some/path"


def test_reason_wins_over_code(plugin: PluginHost) -> None:
    # IsFolder and NotFolder share FAILED_PRECONDITION: only the reason tells them apart
    with pytest.raises(grpc.RpcError) as ei:
        fail(plugin.channel, grpc.StatusCode.FAILED_PRECONDITION, "NotFolder", "not a folder")
    assert type(errors.from_rpc_error(ei.value)) is errors.NotFolder


def test_code_alone_when_no_error_info(plugin: PluginHost) -> None:
    with pytest.raises(grpc.RpcError) as ei:
        fail(plugin.channel, grpc.StatusCode.NOT_FOUND, "", "gone")
    err = errors.from_rpc_error(ei.value, context="load asset daily")
    assert type(err) is errors.NotFound and str(err) == "load asset daily: gone" and err.path == ""


def test_unclassified_is_plugin_error(plugin: PluginHost) -> None:
    with pytest.raises(grpc.RpcError) as ei:
        fail(plugin.channel, grpc.StatusCode.INTERNAL, "", "nil pointer")
    err = errors.from_rpc_error(ei.value)
    assert type(err) is errors.PluginError and err.code == grpc.StatusCode.INTERNAL and str(err) == "nil pointer"


def test_python_table_mirrors_the_go_table() -> None:
    """iomanager/grpcplugin/errors.go's errorKinds and errors.KINDS map the same names to the same codes."""
    import re

    src = (Path(__file__).resolve().parents[2] / "iomanager" / "grpcplugin" / "errors.go").read_text()
    rows = re.findall(r'\{[\w.]+, "(\w+)", codes\.(\w+)\}', src)
    assert len(rows) >= 10, "errorKinds table not found in errors.go"
    go = {name: code for name, code in rows}
    camel = {c.name.replace("_", "").lower(): c for c in grpc.StatusCode}
    camel["canceled"] = grpc.StatusCode.CANCELLED  # Go spells it with one l
    assert sorted(go) == sorted(errors.KINDS)
    for name, (_cls, code) in errors.KINDS.items():
        assert camel[go[name].lower()] == code, f"{name}: Go sends {go[name]}, Python expects {code.name}"
