"""Plain request/response types between the Dagster layer and the plugin client.

They carry what the Go IO manager needs and nothing Dagster-specific, so the same client serves
Dagster, the asyncio API and scripts. ``client.py`` maps them onto the ``iomanager.v1`` protobufs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

import pyarrow as pa

__all__ = ["Partition", "OpOutput", "MetaValue", "OutputRequest", "InputRequest", "Loaded", "StoreResult"]


@dataclass(frozen=True)
class Partition:
    """One partition: its key as Dagster prints it, its value per dimension (hive ``dim=value``; for a
    single dimension the one entry names the partition column) and, for time partitions, its window."""

    key: str
    dimensions: dict[str, str] = field(default_factory=dict)
    time_window: tuple[dt.datetime, dt.datetime] | None = None


@dataclass(frozen=True)
class OpOutput:
    """The output of an op that is not an asset (stored under run_id/step_key/output_name)."""

    run_id: str
    step_key: str
    output_name: str
    mapping_key: str = ""


@dataclass(frozen=True)
class MetaValue:
    """A typed metadata value from the plugin: kind is int, float, text, path, url, json, table_schema
    (value: list of (name, type, nullable)) or bool."""

    kind: str
    value: Any


@dataclass
class OutputRequest:
    """Store one asset output: a table (``kind="table"``) or opaque bytes (``kind="object"``).

    ``partitions`` is empty for an unpartitioned asset; with several partitions (a single-run
    backfill) the table must hold the dimension columns, and the plugin splits it by them.
    """

    asset_key: list[str]
    partitions: list[Partition] = field(default_factory=list)
    kind: Literal["table", "object"] = "table"
    format: str = ""
    metadata: dict[str, str] = field(default_factory=dict)
    op_output: OpOutput | None = None


@dataclass
class InputRequest:
    """Load an asset (or some of its partitions).

    ``columns`` projects (None = all); ``allow_missing_partitions`` skips absent partitions instead of
    failing with NotFound; ``per_partition`` asks for one table per partition instead of one table
    with the dimension columns; ``concurrency`` bounds parallel partition reads in the plugin.
    """

    asset_key: list[str]
    partitions: list[Partition] = field(default_factory=list)
    columns: list[str] | None = None
    allow_missing_partitions: bool = False
    per_partition: bool = False
    format: str = ""
    concurrency: int = 0
    metadata: dict[str, str] = field(default_factory=dict)
    op_output: OpOutput | None = None


@dataclass
class Loaded:
    """What a load returned: a table, per-partition tables, or the bytes of pickled object(s)."""

    kind: Literal["table", "object"]
    table: pa.Table | None = None
    tables: dict[str, pa.Table] | None = None
    data: bytes | None = None
    objects: dict[str, bytes] | None = None
    uri: str = ""
    missing: list[str] = field(default_factory=list)
    row_count: int | None = None
    metadata: dict[str, MetaValue] = field(default_factory=dict)


@dataclass
class StoreResult:
    """What the plugin reports about a stored output: its URI, row count, schema and anything else."""

    uri: str = ""
    row_count: int | None = None
    schema: pa.Schema | None = None
    partitions_written: int = 0
    bytes: int = 0
    metadata: dict[str, MetaValue] = field(default_factory=dict)
