"""``RemoteStoreIOManager``: a Dagster IO manager backed by the remotestore Go plugin.

The shim is thin: it turns Dagster's contexts into :class:`~remotestore_dagster.types.OutputRequest` /
:class:`~remotestore_dagster.types.InputRequest`, converts tables at the edge (pyarrow on the wire;
pandas and polars by annotation), and surfaces the plugin's metadata. Paths, partition fan-out,
Parquet, concurrency and atomic commits happen in Go.

Partitions: every kind Dagster has (time windows, static, dynamic, multi). A single-dimension asset's
partition becomes the column named by the asset's ``partition_column`` (or ``partition_expr``)
metadata, else the ``partition_column`` config (``"partition"``); a multi-partitioned asset gets one
column per dimension. Loading several partitions returns one table with those columns, or
``dict[str, T]`` keyed by partition when the input is annotated so. Input metadata ``columns`` and
``allow_missing_partitions`` are honoured.
"""

from __future__ import annotations

from typing import Any

import dagster as dg
from pydantic import Field, PrivateAttr

from . import _convert
from .client import IOManagerClient
from .types import InputRequest, MetaValue, OpOutput, OutputRequest, Partition, StoreResult

__all__ = ["RemoteStoreIOManager"]


class RemoteStoreIOManager(dg.ConfigurableIOManager):
    """Store Dagster outputs through the remotestore plugin (Parquet datasets on any store).

    Give either ``store_url`` (``file:///abs/path``, ``s3://bucket/prefix?...``, …) or ``config_file`` +
    ``store`` (a stores.yaml and the store's name in it). ``sidecar`` attaches to a running
    ``iomanager serve --reattach-file F`` instead of starting the plugin for each run.
    """

    store_url: str | None = Field(default=None, description="Store URL, e.g. file:///data or s3://bkt/prefix")
    config_file: str | None = Field(default=None, description="Path of a stores.yaml (instead of store_url)")
    store: str | None = Field(default=None, description="Store name inside config_file")
    format: str = Field(default="", description="Table format written by the plugin ('' = parquet)")
    load_concurrency: int = Field(default=8, description="Partitions read in parallel per load (0 = plugin default)")
    partition_column: str = Field(default="partition", description="Column of a single-dimension partition key")
    sidecar: str | None = Field(default=None, description="Reattach file or unix:/path of a running plugin")
    plugin_path: str | None = Field(default=None, description="Plugin binary (default: $REMOTESTORE_IOMANAGER_BIN, ./bin/iomanager)")
    transfer: str = Field(default="auto", description="auto | chunks | file: how tables cross to the plugin")
    decode_parquet: bool = Field(default=True, description="Take Parquet partitions as files and decode them with "
                                 "pyarrow here (faster) instead of as Arrow IPC from the plugin")

    _client: IOManagerClient | None = PrivateAttr(default=None)

    # -- lifecycle ------------------------------------------------------------------------------------

    def _new_client(self) -> IOManagerClient:
        return IOManagerClient(
            store_url=self.store_url, config_file=self.config_file, store=self.store, format=self.format,
            load_concurrency=self.load_concurrency, plugin_path=self.plugin_path, sidecar=self.sidecar,
            transfer=self.transfer, client_name="dagster", decode_parquet=self.decode_parquet,
        ).open()

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        self._client = self._new_client()

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    @property
    def client(self) -> IOManagerClient:
        """The plugin session (opened on first use outside a run, e.g. with build_*_context)."""
        if self._client is None:
            self._client = self._new_client()
        return self._client

    # -- outputs --------------------------------------------------------------------------------------

    def handle_output(self, context: dg.OutputContext, obj: Any) -> None:
        kind = _convert.kind_of_object(obj)
        if kind == "none":
            return  # a Nothing output, or None on purpose: nothing to store
        column = self._column(context.definition_metadata)
        partitions = _output_partitions(context, column)
        meta = _str_metadata(context.definition_metadata)
        if len(partitions) > 0 and len(next(iter(partitions)).dimensions) == 1:
            meta.setdefault("partition_expr", column)
        key, op = _target(context)
        if isinstance(obj, dict) and partitions and obj and all(_convert.kind_of_object(v) not in ("object", "none") for v in obj.values()):
            # A dict of per-partition tables (a single-run backfill, partition by partition).
            by_key = {p.key: p for p in partitions}
            unknown = sorted(set(map(str, obj)) - set(by_key))
            if unknown:
                raise ValueError(f"remotestore: output {'/'.join(key)} has partitions {unknown} that this run does "
                                 f"not materialize ({sorted(by_key)})")
            results = [self.client.store(OutputRequest(key, [by_key[str(k)]], "table", self.format, meta, op),
                                         _convert.to_arrow(v)) for k, v in obj.items()]
            _add_metadata(context, _merge(results))
            return
        if kind == "object":
            req = OutputRequest(key, partitions, "object", self.format, meta, op)
            _add_metadata(context, self.client.store(req, _convert.dumps(obj)))
            return
        req = OutputRequest(key, partitions, "table", self.format, meta, op)
        _add_metadata(context, self.client.store(req, _convert.to_arrow(obj)))

    def _column(self, *metas: Any) -> str:
        for md in metas:
            for k in ("partition_column", "partition_expr"):
                v = (md or {}).get(k)
                if isinstance(v, str) and v:
                    return v
        return self.partition_column

    # -- inputs ---------------------------------------------------------------------------------------

    def load_input(self, context: dg.InputContext) -> Any:
        shape = _convert.shape_of_annotation(_typing_type(context))
        meta = context.definition_metadata or {}
        upstream = context.upstream_output
        up_meta = (upstream.definition_metadata if upstream is not None else None) or {}
        column = self._column(up_meta, meta)
        partitions: list[Partition] = []
        if context.has_asset_key and context.has_asset_partitions:
            pdef = context.asset_partitions_def
            partitions = [_partition(pdef, k, column) for k in context.asset_partition_keys]
        wire_meta = _str_metadata(up_meta)
        if partitions and len(partitions[0].dimensions) == 1:
            wire_meta.setdefault("partition_expr", column)
        columns = meta.get("columns")
        key, op = _target(context)
        req = InputRequest(
            asset_key=key, partitions=partitions,
            columns=list(columns) if columns is not None else None,
            allow_missing_partitions=bool(meta.get("allow_missing_partitions", False)),
            per_partition=shape.per_partition, format=self.format, concurrency=self.load_concurrency,
            metadata=wire_meta, op_output=op,
        )
        loaded = self.client.load(req)
        if loaded.missing:
            context.log.info(f"remotestore: partitions missing and skipped: {', '.join(loaded.missing)}")
        if loaded.kind == "object":
            if loaded.objects is not None:
                return {k: _convert.loads(v) for k, v in loaded.objects.items()}
            return _convert.loads(loaded.data or b"")
        if shape.per_partition:
            return {k: _convert.from_arrow(t, shape.kind) for k, t in (loaded.tables or {}).items()}
        assert loaded.table is not None
        return _convert.from_arrow(loaded.table, shape.kind)


# -- helpers -----------------------------------------------------------------------------------------


def _target(context: dg.OutputContext | dg.InputContext) -> tuple[list[str], OpOutput | None]:
    """The asset key, or for a plain op output its run/step/output identity."""
    if context.has_asset_key:
        return list(context.asset_key.path), None
    out = context if isinstance(context, dg.OutputContext) else context.upstream_output
    if out is None:
        raise ValueError("remotestore: an input without an asset key needs its upstream output")
    return [], OpOutput(out.run_id, out.step_key, out.name, out.mapping_key or "")


def _output_partitions(context: dg.OutputContext, column: str) -> list[Partition]:
    if not context.has_asset_key or not context.has_asset_partitions:
        return []
    pdef = context.asset_partitions_def
    return [_partition(pdef, k, column) for k in context.asset_partition_keys]


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
    window = None
    if isinstance(pdef, dg.TimeWindowPartitionsDefinition):
        tw = pdef.time_window_for_partition_key(str(key))
        window = (tw.start, tw.end)
    return Partition(key=str(key), dimensions={column: str(key)}, time_window=window)


def _str_metadata(md: Any) -> dict[str, str]:
    """Definition metadata as strings for the plugin (format, mode, compression, partition_expr …)."""
    out: dict[str, str] = {}
    for k, v in (md or {}).items():
        v = getattr(v, "value", v)
        if isinstance(v, (str, int, float, bool)):
            out[str(k)] = str(v)
        elif isinstance(v, (list, tuple)) and all(isinstance(x, str) for x in v):
            out[str(k)] = ",".join(v)
    return out


def _dagster_value(mv: MetaValue) -> Any:
    if mv.kind == "int":
        return dg.MetadataValue.int(int(mv.value))
    if mv.kind == "float":
        return dg.MetadataValue.float(float(mv.value))
    if mv.kind == "bool":
        return dg.MetadataValue.bool(bool(mv.value))
    if mv.kind == "path":
        return dg.MetadataValue.path(str(mv.value))
    if mv.kind == "url":
        return dg.MetadataValue.url(str(mv.value))
    if mv.kind == "json":
        return dg.MetadataValue.json(mv.value)
    if mv.kind == "table_schema":
        return dg.MetadataValue.table_schema(dg.TableSchema(columns=[dg.TableColumn(n, t) for n, t, _ in mv.value]))
    return dg.MetadataValue.text(str(mv.value))


def _add_metadata(context: dg.OutputContext, res: StoreResult) -> None:
    """Surface the plugin's metadata (uri, row count, column schema, …) as materialization metadata."""
    md: dict[str, Any] = {k: _dagster_value(v) for k, v in res.metadata.items()}
    if res.uri and "uri" not in md:
        md["uri"] = dg.MetadataValue.path(res.uri)
    if res.row_count is not None and "dagster/row_count" not in md:
        md["dagster/row_count"] = dg.MetadataValue.int(res.row_count)
    if res.schema is not None and "dagster/column_schema" not in md:
        md["dagster/column_schema"] = dg.TableSchema(columns=[dg.TableColumn(f.name, str(f.type)) for f in res.schema])
    if md:
        context.add_output_metadata(md)


def _merge(results: list[StoreResult]) -> StoreResult:
    """One StoreResult for a dict output stored partition by partition."""
    first = results[0] if results else StoreResult()
    rows = [r.row_count for r in results if r.row_count is not None]
    md = dict(first.metadata)
    md.pop("dagster/row_count", None)
    return StoreResult(uri=first.uri, row_count=sum(rows) if rows else None, schema=first.schema,
                       partitions_written=sum(max(r.partitions_written, 1) for r in results),
                       bytes=sum(r.bytes for r in results), metadata=md)
