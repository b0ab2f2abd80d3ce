"""The IO managers the benchmark compares, all reading the same kind of data (daily Parquet partitions).

- ``shim``: remotestore_dagster.RemoteStoreIOManager (Go plugin; partitions read concurrently in Go).
- ``upath``: a pyarrow Parquet manager on Dagster's UPathIOManager (fsspec; local or s3fs), as in
  Dagster's docs: one file per partition, loaded one after another.
- ``upath_async``: the same with ``async load_from_path``, which UPathIOManager loads concurrently.
- ``remote_store``: the Python remote-store library's Dagster IO manager (parquet serializer).
"""

from __future__ import annotations

import io
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from dagster import InputContext, OutputContext
from dagster._core.storage.upath_io_manager import UPathIOManager
from upath import UPath


class ArrowParquetUPathIOManager(UPathIOManager):
    """pyarrow.Table ↔ Parquet through fsspec, Dagster's documented custom-manager shape."""

    extension = ".parquet"

    def dump_to_path(self, context: OutputContext, obj: pa.Table, path: UPath) -> None:
        with path.open("wb") as f:
            pq.write_table(obj, f)

    def load_from_path(self, context: InputContext, path: UPath) -> pa.Table:
        with path.open("rb") as f:
            return pq.read_table(f)


class AsyncArrowParquetUPathIOManager(ArrowParquetUPathIOManager):
    """Reads partitions concurrently: UPathIOManager awaits ``load_from_path`` coroutines together."""

    async def load_from_path(self, context: InputContext, path: UPath) -> pa.Table:  # type: ignore[override]
        fs = path.fs
        if getattr(fs, "async_impl", False):
            data = await fs._cat_file(path.path)
        else:
            import asyncio

            data = await asyncio.to_thread(path.read_bytes)
        return pq.read_table(io.BytesIO(data))


def upath_root(location: dict[str, Any], name: str) -> UPath:
    """Where a UPath manager keeps data: a local folder or s3://bucket/name via s3fs."""
    if location["kind"] == "local":
        return UPath(location["root"]) / name
    return UPath(f"s3://{location['bucket']}/{name}", key=location["access"], secret=location["secret"],
                 client_kwargs={"endpoint_url": location["endpoint"], "region_name": location["region"]},
                 skip_instance_cache=True)


def remote_store_manager(location: dict[str, Any], name: str) -> Any:
    """remote-store's Dagster IO manager over its local or S3 backend."""
    from remote_store import Store
    from remote_store.ext.dagster import dagster_io_manager

    if location["kind"] == "local":
        from remote_store.backends._local import LocalBackend

        backend: Any = LocalBackend(str(location["root"]))
        root = name
    else:
        from remote_store.backends._s3 import S3Backend

        backend = S3Backend(location["bucket"], endpoint_url=location["endpoint"], key=location["access"],
                            secret=location["secret"], region_name=location["region"])
        root = name
    return dagster_io_manager(Store(backend, root_path=root), serializer="parquet")
