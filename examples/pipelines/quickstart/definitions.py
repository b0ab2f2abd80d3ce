"""Quickstart: partitioned Parquet assets stored by the remotestore IO manager.

- ``trips``: daily partitions (pyarrow) — one Parquet file per day; loads add a ``date`` column.
- ``sales``: date × region multi-partitions (pandas) — loads add ``date`` and ``region`` columns.
- ``trips_7d``: daily, loads the trailing 7 days of ``trips`` (a range of partitions) as polars,
  only two columns, tolerating days that were never materialized.
- ``summary``: not partitioned; loads every ``sales`` partition as one table plus ``trips_7d``
  partition by partition (``dict[str, pa.Table]``).

The store is ``$REMOTESTORE_DEMO_STORE`` or ``file://<repo>/.cache/demo-store``; point it at
``s3://bucket/prefix?endpoint=…``, Azure or SFTP and nothing else changes.
"""

import os
import random
from pathlib import Path

import dagster as dg
import pandas as pd
import polars as pl
import pyarrow as pa

from remotestore_dagster import RemoteStoreIOManager

DAILY = dg.DailyPartitionsDefinition(start_date="2026-01-01", end_date="2026-02-01")
REGIONS = dg.StaticPartitionsDefinition(["apac", "eu", "us"])
DAILY_BY_REGION = dg.MultiPartitionsDefinition({"date": DAILY, "region": REGIONS})
ROWS_PER_DAY = 5_000


def default_store_url() -> str:
    root = Path(__file__).resolve().parents[3] / ".cache" / "demo-store"
    return os.environ.get("REMOTESTORE_DEMO_STORE", root.as_uri() + "?create_root=true")


@dg.asset(partitions_def=DAILY, metadata={"partition_column": "date"})
def trips(context: dg.AssetExecutionContext) -> pa.Table:
    """Synthetic taxi trips for one day (deterministic per day)."""
    day = context.partition_key
    rng = random.Random(day)
    return pa.table({
        "trip_id": pa.array([f"{day}-{i:05d}" for i in range(ROWS_PER_DAY)]),
        "minutes": pa.array([rng.randint(3, 90) for _ in range(ROWS_PER_DAY)], pa.int32()),
        "fare": pa.array([round(rng.uniform(4, 120), 2) for _ in range(ROWS_PER_DAY)], pa.float64()),
        "vendor": pa.array([rng.choice(["a", "b", "c"]) for _ in range(ROWS_PER_DAY)]),
    })


@dg.asset(partitions_def=DAILY_BY_REGION)
def sales(context: dg.AssetExecutionContext) -> pd.DataFrame:
    """Synthetic sales for one (date, region)."""
    key = context.partition_key.keys_by_dimension  # type: ignore[attr-defined]
    rng = random.Random(f"{key['date']}/{key['region']}")
    n = 200
    return pd.DataFrame({
        "order_id": range(n),
        "amount": [round(rng.uniform(1, 500), 2) for _ in range(n)],
        "units": [rng.randint(1, 9) for _ in range(n)],
    })


@dg.asset(
    partitions_def=DAILY,
    metadata={"partition_column": "date"},
    ins={
        "trips": dg.AssetIn(
            partition_mapping=dg.TimeWindowPartitionMapping(start_offset=-6),
            metadata={"columns": ["date", "minutes", "fare"], "allow_missing_partitions": True},
        )
    },
)
def trips_7d(context: dg.AssetExecutionContext, trips: pl.DataFrame) -> pl.DataFrame:
    """Per-day fare statistics over the trailing 7 days of trips."""
    context.log.info(f"loaded {trips.height} trips from {trips['date'].n_unique()} days")
    return (
        trips.group_by("date")
        .agg(pl.len().alias("trips"), pl.col("fare").sum().alias("fare_total"), pl.col("minutes").mean().alias("avg_minutes"))
        .sort("date")
        .rename({"date": "day"})
    )


@dg.asset(ins={
    "sales": dg.AssetIn(metadata={"allow_missing_partitions": True}),
    "trips_7d": dg.AssetIn(metadata={"allow_missing_partitions": True}),
})
def summary(sales: pd.DataFrame, trips_7d: dict[str, pa.Table]) -> pa.Table:
    """Sales per region over every materialized partition, with how many 7-day windows exist."""
    by_region = sales.groupby("region", as_index=False).agg(amount=("amount", "sum"), units=("units", "sum"))
    by_region["days"] = sales["date"].nunique()
    by_region["windows_7d"] = len(trips_7d)
    return pa.Table.from_pandas(by_region, preserve_index=False)


defs = dg.Definitions(
    assets=[trips, sales, trips_7d, summary],
    resources={"io_manager": RemoteStoreIOManager(store_url=default_store_url(), partition_column="date")},
)
