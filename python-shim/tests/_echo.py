"""Callables for the test plugin's hand-declared testplugin.v1.Echo service."""

from __future__ import annotations

from typing import Any

import grpc
from google.protobuf import wrappers_pb2

from remotestore_dagster._handshake import Handshake

HANDSHAKE = Handshake("REMOTESTORE_TESTPLUGIN_COOKIE", "a3f1c5e0-testplugin")


def _unary(channel: Any, name: str) -> Any:
    return channel.unary_unary(
        f"/testplugin.v1.Echo/{name}",
        request_serializer=wrappers_pb2.StringValue.SerializeToString,
        response_deserializer=wrappers_pb2.StringValue.FromString,
    )


def echo(channel: grpc.Channel, value: str) -> str:
    return str(_unary(channel, "Echo")(wrappers_pb2.StringValue(value=value), timeout=10).value)


def fail(channel: grpc.Channel, code: grpc.StatusCode, reason: str, message: str) -> None:
    _unary(channel, "Fail")(wrappers_pb2.StringValue(value=f"{code.value[0]}|{reason}|{message}"), timeout=10)


async def aecho(channel: grpc.aio.Channel, value: str) -> str:
    resp = await _unary(channel, "Echo")(wrappers_pb2.StringValue(value=value), timeout=10)
    return str(resp.value)
