"""``AsyncIOManagerClient``: the plugin from asyncio code (web services) without blocking the loop.

    async with AsyncIOManagerClient(store_url="s3://bucket/lake") as c:
        await c.store_table(["events"], table, partitions=[...])
        t = await c.load_table(["events"], partitions=[...])

Calls go over a ``grpc.aio`` channel; starting and stopping the plugin process, writing a transfer
file and decoding Arrow run in worker threads, so the event loop only ever awaits. Many calls may run
concurrently on one client.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

import grpc
import pyarrow as pa

from . import _wire
from ._pb.iomanager.v1 import iomanager_pb2 as pb
from ._pb.iomanager.v1 import iomanager_pb2_grpc as pbg
from .client import Session, configure_request, make_probe
from .errors import from_rpc_error
from .host import PluginHost, find_plugin_binary
from .types import InputRequest, Loaded, OutputRequest, Partition, StoreResult

__all__ = ["AsyncIOManagerClient"]


class AsyncIOManagerClient:
    """The asyncio twin of :class:`~remotestore_dagster.client.IOManagerClient` (same arguments)."""

    def __init__(
        self,
        store_url: str | None = None,
        config_file: str | None = None,
        store: str | None = None,
        *,
        format: str = "",
        load_concurrency: int = 0,
        plugin_path: str | None = None,
        sidecar: str | None = None,
        host: PluginHost | None = None,
        transfer: str = "auto",
        client_name: str = "remotestore-aio",
        start_timeout: float = 30.0,
        decode_parquet: bool = True,
    ) -> None:
        self.store_url, self.config_file, self.store_name = store_url, config_file, store
        self.decode_parquet, self._local_paths = decode_parquet, True
        self.format, self.load_concurrency = format, load_concurrency
        self.plugin_path, self.sidecar, self.transfer = plugin_path, sidecar, transfer
        self.client_name, self.start_timeout = client_name, start_timeout
        _wire.transfer_mode(transfer)
        self._host, self._owns_host = host, host is None
        self._channel: grpc.aio.Channel | None = None
        self._stub: pbg.IOManagerServiceStub | None = None
        self.session: Session | None = None
        self._lock = asyncio.Lock()

    async def open(self) -> AsyncIOManagerClient:
        """Start (or attach to) the plugin in a thread, then open the session. Idempotent."""
        async with self._lock:
            if self.session is not None:
                return self
            if self._host is None:
                if self.sidecar:
                    self._host = await asyncio.to_thread(PluginHost.attach, self.sidecar, timeout=self.start_timeout)
                else:
                    binary = find_plugin_binary(self.plugin_path)
                    self._host = PluginHost([binary], start_timeout=self.start_timeout)
            try:
                if not self._host.attached:
                    await asyncio.to_thread(self._host.start)
                self._channel = self._host.aio_channel()
                self._stub = pbg.IOManagerServiceStub(self._channel)
                probe = make_probe() if self.transfer != "chunks" else None
                try:
                    req = configure_request(self.store_url, self.config_file, self.store_name, self.format,
                                            self.load_concurrency, self.client_name, probe)
                    self.session = Session(await self._call(self._stub.Configure(req)))
                finally:
                    if probe:
                        os.unlink(probe[0])
            except BaseException:
                await self._teardown()
                raise
            return self

    async def close(self) -> None:
        """Close the session and stop the plugin this client started."""
        async with self._lock:
            await self._teardown()

    async def _teardown(self) -> None:
        if self.session is not None and self._stub is not None:
            try:
                await self._stub.CloseSession(pb.CloseSessionRequest(session=self.session.id), timeout=10)
            except grpc.RpcError:
                pass
        self.session = None
        if self._channel is not None:
            await self._channel.close()
            self._channel = None
        self._stub = None
        if self._host is not None and self._owns_host:
            await asyncio.to_thread(self._host.stop)
            self._host = None

    async def __aenter__(self) -> AsyncIOManagerClient:
        return await self.open()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @staticmethod
    async def _call(awaitable: Any) -> Any:
        try:
            return await awaitable
        except grpc.RpcError as e:
            raise from_rpc_error(e) from e

    async def _ready(self) -> tuple[pbg.IOManagerServiceStub, Session]:
        if self.session is None:
            await self.open()
        assert self._stub is not None and self.session is not None
        return self._stub, self.session

    # -- the calls ------------------------------------------------------------------------------------

    async def store(self, req: OutputRequest, payload: pa.Table | bytes) -> StoreResult:
        """Store a table or object bytes; return what the plugin reported."""
        stub, session = await self._ready()
        tdir = session.transfer_dir if self.transfer in ("auto", "file") else ""
        if tdir:  # the Arrow IPC file is written in a thread; one message goes over the wire
            msgs = await asyncio.to_thread(lambda: list(_wire.output_messages(session.id, req, payload, tdir)))
            resp = await self._call(stub.HandleOutput(iter(msgs)))
        else:
            resp = await self._call(stub.HandleOutput(_aiter(_wire.output_messages(session.id, req, payload))))
        return _wire.store_result(resp)

    async def load(self, req: InputRequest) -> Loaded:
        """Load a table, per-partition tables, or object bytes."""
        stub, session = await self._ready()
        local = self._local_paths and session.transfer_dir != "" and self.transfer in ("auto", "file")
        asm = _wire.LoadAssembler(req.per_partition, session.transfer_dir)
        call = stub.LoadInput(_wire.load_request(session.id, req, _wire.transfer_mode(self.transfer),
                                                 self.decode_parquet, local))
        try:
            async for msg in call:
                asm.add(msg)  # Parquet parts decode in threads meanwhile
            return await asyncio.to_thread(asm.result)
        except grpc.RpcError as e:
            raise from_rpc_error(e) from e
        except _wire.LocalPathUnreadable:
            if not local:
                raise
            self._local_paths = False
            return await self.load(req)
        finally:
            await asyncio.to_thread(asm.close)

    async def store_table(self, asset_key: list[str], table: pa.Table, partitions: list[Partition] | None = None,
                          **metadata: str) -> StoreResult:
        return await self.store(OutputRequest(asset_key, partitions or [], "table", metadata=metadata), table)

    async def load_table(self, asset_key: list[str], partitions: list[Partition] | None = None,
                         columns: list[str] | None = None, allow_missing_partitions: bool = False) -> pa.Table:
        loaded = await self.load(InputRequest(asset_key, partitions or [], columns, allow_missing_partitions))
        if loaded.table is None:
            raise TypeError(f"remotestore: {'/'.join(asset_key)} holds an object, not a table")
        return loaded.table


async def _aiter(it: Any) -> Any:
    """An async iterator over a sync one (chunks are produced lazily, batch by batch)."""
    for item in it:
        yield item
