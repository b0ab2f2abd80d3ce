"""``RemoteStoreIOManager``: a Dagster IO manager backed by the remotestore Go plugin.

The shim is thin: it turns Dagster's contexts into :class:`~remotestore_dagster.types.OutputRequest` /
:class:`~remotestore_dagster.types.InputRequest`, converts tables at the edge (pyarrow on the wire;
pandas and polars by annotation), and surfaces the plugin's metadata. Paths, partition fan-out,
Parquet, concurrency and atomic commits happen in Go.

Partitions: every kind Dagster has (time windows, static, dynamic, multi). A single-dimension asset's
partition becomes the column named by the asset's ``partition_column`` metadata (default: the
``partition_column`` config, ``"partition"``); a multi-partitioned asset gets one column per
dimension. Loading several partitions returns one table with those columns, or ``dict[str, T]``
keyed by partition when the input is annotated so. Input metadata ``columns`` and
``allow_missing_partitions`` are honoured.
"""

from __future__ import annotations

from typing import Any

import dagster as dg
import pyarrow as pa
from pydantic import Field, PrivateAttr

from . import _convert
from .client import IOManagerClient
from .types import InputRequest, OutputRequest, Partition, StoreResult

__all__ = ["RemoteStoreIOManager"]


class RemoteStoreIOManager(dg.ConfigurableIOManager):
    """Store Dagster asset outputs through the remotestore plugin (Parquet datasets on any store).

    Give either ``store_url`` (``file://./.cache/store``, ``s3://bucket/prefix?endpoint=...``, …) or
    ``config_file`` + ``store`` (a stores.yaml and the store's name in it). ``sidecar`` attaches to a
    running ``iomanager serve --reattach-file F`` instead of starting the plugin per run.
    """

    store_url: str | None = Field(default=None, description="Store URL, e.g. file://./data or s3://bkt/prefix")
    config_file: str | None = Field(default=None, description="Path of a stores.yaml (instead of store_url)")
    store: str | None = Field(default=None, description="Store name inside config_file")
    format: str = Field(default="parquet", description="Table format written by the plugin")
    load_concurrency: int = Field(default=8, description="Partitions read in parallel per load (0 = plugin default)")
    partition_column: str = Field(default="partition", description="Column of a single-dimension partition key")
    sidecar: str | None = Field(default=None, description="Reattach file or unix:/path of a running plugin")
    plugin_path: str | None = Field(default=None, description="Plugin binary (default: $REMOTESTORE_IOMANAGER_BIN, ./bin/iomanager)")

    _client: IOManagerClient | None = PrivateAttr(default=None)

    # -- lifecycle ------------------------------------------------------------------------------------

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        self._client = IOManagerClient(
            store_url=self.store_url, config_file=self.config_file, store=self.store,
            plugin_path=self.plugin_path, sidecar=self.sidecar,
        )
        self._client.open()

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    @property
    def client(self) -> IOManagerClient:
        if self._client is None:  # used outside a run (direct instantiation in tests/scripts)
            self._client = IOManagerClient(store_url=self.store_url, config_file=self.config_file,
                                           store=self.store, plugin_path=self.plugin_path, sidecar=self.sidecar)
            self._client.open()
        return self._client

    # -- outputs --------------------------------------------------------------------------------------

    def handle_output(self, context: dg.OutputContext, obj: Any) -> None:
        kind = _convert.kind_of_object(obj)
        if kind == "none":
            return  # a Nothing output, or an asset that returned None on purpose: nothing to store
        partitions = self._output_partitions(context)
        meta = _str_metadata(context.definition_metadata)
        key = _asset_key(context)
        if isinstance(obj, dict) and partitions and obj and all(_convert.kind_of_object(v) != "object" for v in obj.values()):
            # A dict of per-partition tables (a single-run backfill written partition by partition).
            by_key = {p.key: p for p in partitions}
            unknown = sorted(set(map(str, obj)) - set(by_key))
            if unknown:
                raise ValueError(f"remotestore: output of {'/'.join(key)} has partitions {unknown} that this run "
                                 f"does not materialize ({sorted(by_key)})")
            results = [
                self.client.store(OutputRequest(key, [by_key[str(k)]], "table", self.format, meta),
                                  _convert.to_arrow(v))
                for k, v in obj.items()
            ]
            self._add_metadata(context, _merge_results(results))
            return
        if kind == "object":
            req = OutputRequest(key, partitions, "object", self.format, meta)
            self._add_metadata(context, self.client.store(req, _convert.dumps(obj)))
            return
        table = _convert.to_arrow(obj)
        req = OutputRequest(key, partitions, "table", self.format, meta)
        self._add_metadata(context, self.client.store(req, table))

    def _output_partitions(self, context: dg.OutputContext) -> list[Partition]:
        if not context.has_asset_key or not context.has_asset_partitions:
            return []
        pdef = context.asset_partitions_def
        column = str((context.definition_metadata or {}).get("partition_column") or self.partition_column)
        return [_partition(pdef, k, column) for k in context.asset_partition_keys]

    @staticmethod
    def _add_metadata(context: dg.OutputContext, res: StoreResult) -> None:
        md: dict[str, Any] = {}
        if res.uri:
            md["uri"] = dg.MetadataValue.path(res.uri)
        if res.row_count is not None:
            md["dagster/row_count"] = dg.MetadataValue.int(res.row_count)
        if res.schema is not None:
            md["dagster/column_schema"] = dg.TableSchema(
                columns=[dg.TableColumn(f.name, str(f.type)) for f in res.schema])
        if res.partitions_written:
            md["partitions_written"] = dg.MetadataValue.int(res.partitions_written)
        for k, v in res.metadata.items():
            if k not in md and v is not None:
                md[k] = v
        if md:
            context.add_output_metadata(md)

    # -- inputs ---------------------------------------------------------------------------------------

    def load_input(self, context: dg.InputContext) -> Any:
        shape = _convert.shape_of_annotation(_typing_type(context))
        meta = context.definition_metadata or {}
        upstream_meta = (context.upstream_output.definition_metadata if context.upstream_output else None) or {}
        column = str(upstream_meta.get("partition_column") or meta.get("partition_column") or self.partition_column)
        partitions: list[Partition] = []
        if context.has_asset_key and context.has_asset_partitions:
            pdef = context.asset_partitions_def
            partitions = [_partition(pdef, k, column) for k in context.asset_partition_keys]
        columns = meta.get("columns")
        req = InputRequest(
            asset_key=_asset_key(context),
            partitions=partitions,
            columns=list(columns) if columns is not None else None,
            allow_missing_partitions=bool(meta.get("allow_missing_partitions", False)),
            per_partition=shape.per_partition,
            format=self.format,
            concurrency=self.load_concurrency,
            metadata=_str_metadata(meta),
        )
        loaded = self.client.load(req)
        if loaded.kind == "object":
            if loaded.tables is not None:
                return {k: _convert.loads(v) for k, v in loaded.tables.items()}  # pragma: no cover
            assert loaded.data is not None
            return _convert.loads(loaded.data)
        if shape.per_partition:
            tables = loaded.tables or {}
            return {k: _convert.from_arrow(t, shape.kind) for k, t in tables.items()}
        assert loaded.table is not None
        return _convert.from_arrow(loaded.table, shape.kind)


# -- helpers -----------------------------------------------------------------------------------------


def _asset_key(context: dg.OutputContext | dg.InputContext) -> list[str]:
    if context.has_asset_key:
        return list(context.asset_key.path)
    # An op output without an asset: one object per run, step and output (what UPathIOManager does).
    ident = context.get_identifier() if isinstance(context, dg.OutputContext) else context.upstream_output.get_identifier()  # type: ignore[union-attr]
    return ["runs", *ident]


def _typing_type(context: dg.InputContext) -> Any:
    """The input's Python annotation, or Any when the context carries no Dagster type."""
    try:
        return context.dagster_type.typing_type
    except dg.DagsterInvariantViolationError:  # contexts built by hand (build_input_context) may lack it
        return Any


def _partition(pdef: Any, key: Any, column: str) -> Partition:
    """A Partition for Dagster key ``key`` of partitions definition ``pdef``."""
    if isinstance(pdef, dg.MultiPartitionsDefinition):
        mk = key if isinstance(key, dg.MultiPartitionKey) else pdef.get_partition_key_from_str(str(key))
        return Partition(key=str(mk), dimensions={str(d): str(v) for d, v in mk.keys_by_dimension.items()})
    return Partition(key=str(key), dimensions={column: str(key)})


def _str_metadata(md: Any) -> dict[str, str]:
    """Definition metadata as strings for the plugin (it may read e.g. sort or compression hints)."""
    out: dict[str, str] = {}
    for k, v in (md or {}).items():
        if isinstance(v, (str, int, float, bool)):
            out[str(k)] = str(v)
        elif isinstance(v, (list, tuple)) and all(isinstance(x, str) for x in v):
            out[str(k)] = ",".join(v)
    return out


def _merge_results(results: list[StoreResult]) -> StoreResult:
    merged = StoreResult(uri=results[0].uri if results else "", schema=results[0].schema if results else None)
    rows = [r.row_count for r in results if r.row_count is not None]
    merged.row_count = sum(rows) if rows else None
    merged.partitions_written = sum(r.partitions_written or 1 for r in results)
    return merged


def _schema_table(schema: pa.Schema) -> dg.TableSchema:  # pragma: no cover - kept for callers
    return dg.TableSchema(columns=[dg.TableColumn(f.name, str(f.type)) for f in schema])
