"""``IOManagerClient``: store and load tables through the plugin, without Dagster.

    with IOManagerClient(store_url="file:///data/lake") as c:
        c.store_table(["sales"], table, partitions=[Partition("2026-01-01", {"date": "2026-01-01"})])
        t = c.load_table(["sales"], partitions=[...], columns=["amount"])

One client = one plugin process (or an attached sidecar) and one session (``Configure``). It is
thread-safe: gRPC channels are, and each call is one RPC.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from typing import Any

import grpc
import pyarrow as pa

from . import _wire
from ._pb.iomanager.v1 import iomanager_pb2 as pb
from ._pb.iomanager.v1 import iomanager_pb2_grpc as pbg
from .errors import RemoteStoreError, Unavailable, from_rpc_error
from .host import PluginHost, find_plugin_binary
from .types import InputRequest, Loaded, OutputRequest, Partition, StoreResult

__all__ = ["IOManagerClient", "Session"]


class Session:
    """What ``Configure`` returned: the session id, the store URI and the file-transfer folder."""

    def __init__(self, resp: pb.ConfigureResponse) -> None:
        self.id: str = resp.session
        self.store_uri: str = resp.store_uri
        self.transfer_dir: str = resp.transfer_dir if resp.file_transfer else ""
        self.formats: list[str] = list(resp.formats)
        self.plugin_version: str = resp.plugin_version


def configure_request(store_url: str | None, config_file: str | None, store: str | None, fmt: str,
                      load_concurrency: int, client_name: str, probe: tuple[str, str] | None) -> pb.ConfigureRequest:
    if not store_url and not config_file:
        raise ValueError("remotestore: give store_url, or config_file and store")
    if config_file and not store:
        raise ValueError(f"remotestore: config_file {config_file} needs the store's name (store=...)")
    return pb.ConfigureRequest(
        store_url=store_url or "", config_file=os.path.abspath(config_file) if config_file else "",
        store_name=store or "", format=fmt, load_concurrency=load_concurrency, client_name=client_name,
        probe_path=probe[0] if probe else "", probe_token=probe[1] if probe else "",
    )


def make_probe() -> tuple[str, str]:
    """A file holding a random token: the plugin reading the same token proves a shared filesystem."""
    token = secrets.token_hex(16)
    fd, path = tempfile.mkstemp(prefix="remotestore-probe-")
    with os.fdopen(fd, "w") as f:
        f.write(token)
    return path, token


class IOManagerClient:
    """A session with the remotestore IO manager plugin.

    Args:
        store_url / config_file + store: the store (see ``RemoteStoreIOManager``).
        format: default table format of the session ("" = plugin default, parquet).
        load_concurrency: partitions read in parallel (0 = plugin default).
        plugin_path: the plugin binary (default: :func:`~remotestore_dagster.host.find_plugin_binary`).
        sidecar: attach to a running plugin (reattach file or ``unix:/path``) instead of starting one.
        host: use this already started host (the client will not stop it).
        transfer: "auto" (files when the plugin shares our filesystem), "chunks" or "file".
        decode_parquet: take partitions stored as Parquet as the files themselves and decode them
            here with pyarrow (several at once, local files in place) instead of as Arrow IPC
            decoded by the plugin. Faster; on by default.
    """

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
        client_name: str = "remotestore-dagster",
        start_timeout: float = 30.0,
        decode_parquet: bool = True,
    ) -> None:
        self.store_url, self.config_file, self.store_name = store_url, config_file, store
        self.format, self.load_concurrency = format, load_concurrency
        self.plugin_path, self.sidecar = plugin_path, sidecar
        self.transfer = transfer
        self.client_name = client_name
        self.start_timeout = start_timeout
        self.decode_parquet = decode_parquet
        self._local_paths = True
        _wire.transfer_mode(transfer)  # validate early
        self._host = host
        self._owns_host = host is None
        self._stub: pbg.IOManagerServiceStub | None = None
        self.session: Session | None = None

    # -- lifecycle ------------------------------------------------------------------------------------

    def open(self) -> IOManagerClient:
        """Start (or attach to) the plugin and open the session. Idempotent."""
        if self.session is not None:
            return self
        if self._host is None:
            if self.sidecar:
                self._host = PluginHost.attach(self.sidecar, timeout=self.start_timeout)
            else:
                self._host = PluginHost([find_plugin_binary(self.plugin_path)], start_timeout=self.start_timeout)
        try:
            if not self._host.attached:
                self._host.start()
            self._stub = pbg.IOManagerServiceStub(self._host.channel)
            probe = make_probe() if self.transfer != "chunks" else None
            try:
                req = configure_request(self.store_url, self.config_file, self.store_name, self.format,
                                        self.load_concurrency, self.client_name, probe)
                self.session = Session(self._call(self._stub.Configure, req, what="configure store"))
            finally:
                if probe:
                    os.unlink(probe[0])
        except BaseException:
            self.close()
            raise
        return self

    def close(self) -> None:
        """Close the session and stop the plugin this client started."""
        if self.session is not None and self._stub is not None:
            try:
                self._stub.CloseSession(pb.CloseSessionRequest(session=self.session.id), timeout=10)
            except grpc.RpcError:
                pass
        self.session = None
        if self._host is not None and self._owns_host:
            self._host.stop()
            self._host = None
        self._stub = None

    def __enter__(self) -> IOManagerClient:
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def host(self) -> PluginHost:
        self.open()
        assert self._host is not None
        return self._host

    def _ready(self) -> tuple[pbg.IOManagerServiceStub, Session]:
        self.open()
        assert self._stub is not None and self.session is not None
        return self._stub, self.session

    def _call(self, fn: Any, req: Any, what: str, **kw: Any) -> Any:
        try:
            return fn(req, **kw)
        except grpc.RpcError as e:
            raise self._error(e, what) from e

    def _error(self, e: grpc.RpcError, what: str) -> RemoteStoreError:
        err = from_rpc_error(e)
        if isinstance(err, Unavailable) and self._host is not None and self._host.exit_description():
            err = Unavailable(f"{err}; {self._host.exit_description()}", path=err.path, code=err.code,
                              details=err.details)
        return err

    def _transfer_dir(self, session: Session) -> str:
        return session.transfer_dir if self.transfer in ("auto", "file") else ""

    # -- the calls ------------------------------------------------------------------------------------

    def store(self, req: OutputRequest, payload: pa.Table | bytes) -> StoreResult:
        """Store a table (``req.kind == "table"``) or object bytes; return what the plugin reported."""
        stub, session = self._ready()
        msgs = _wire.output_messages(session.id, req, payload, self._transfer_dir(session))
        resp = self._call(stub.HandleOutput, msgs, what="store")
        return _wire.store_result(resp)

    def load(self, req: InputRequest) -> Loaded:
        """Load a table, per-partition tables, or object bytes."""
        stub, session = self._ready()
        transfer = _wire.transfer_mode(self.transfer)
        local = self._local_paths and bool(self._transfer_dir(session))
        asm = _wire.LoadAssembler(req.per_partition, session.transfer_dir)
        try:
            for msg in stub.LoadInput(_wire.load_request(session.id, req, transfer, self.decode_parquet, local)):
                asm.add(msg)
            return asm.result()
        except grpc.RpcError as e:
            raise self._error(e, "load") from e
        except _wire.LocalPathUnreadable:
            if not local:
                raise
            self._local_paths = False  # the plugin sees files we cannot: take copies from now on
            return self.load(req)
        finally:
            asm.close()

    # -- conveniences ---------------------------------------------------------------------------------

    def store_table(self, asset_key: list[str], table: pa.Table, partitions: list[Partition] | None = None,
                    **metadata: str) -> StoreResult:
        return self.store(OutputRequest(asset_key, partitions or [], "table", metadata=metadata), table)

    def load_table(self, asset_key: list[str], partitions: list[Partition] | None = None,
                   columns: list[str] | None = None, allow_missing_partitions: bool = False) -> pa.Table:
        loaded = self.load(InputRequest(asset_key, partitions or [], columns, allow_missing_partitions))
        if loaded.table is None:
            raise TypeError(f"remotestore: {'/'.join(asset_key)} holds an object, not a table")
        return loaded.table

    def exists(self, asset_key: list[str], partitions: list[Partition] | None = None) -> bool:
        stub, session = self._ready()
        req = pb.StatRequest(session=session.id, target=pb.Target(asset_key=pb.AssetKey(path=asset_key)),
                             partitions=[_wire._partition(p) for p in partitions or []])
        return bool(self._call(stub.Stat, req, what="stat").exists)

    def delete(self, asset_key: list[str], partitions: list[Partition] | None = None) -> int:
        stub, session = self._ready()
        req = pb.DeleteRequest(session=session.id, target=pb.Target(asset_key=pb.AssetKey(path=asset_key)),
                               partitions=[_wire._partition(p) for p in partitions or []])
        return int(self._call(stub.Delete, req, what="delete").deleted)

    def list_partitions(self, asset_key: list[str], dimensions: list[str] | None = None) -> list[Partition]:
        stub, session = self._ready()
        req = pb.ListPartitionsRequest(session=session.id, asset_key=pb.AssetKey(path=asset_key),
                                       dimensions=dimensions or [])
        resp = self._call(stub.ListPartitions, req, what="list partitions")
        return [Partition(p.key, dict(p.dimensions)) for p in resp.partitions]

