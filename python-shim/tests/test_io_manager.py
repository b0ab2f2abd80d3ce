"""RemoteStoreIOManager with real Dagster and the real plugin, on the local store and on S3 (versitygw)."""

from typing import Any

import dagster as dg
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

from remotestore_dagster import InvalidConfig, NotFound, RemoteStoreIOManager

DAILY = dg.DailyPartitionsDefinition(start_date="2026-03-01", end_date="2026-04-01")
REGIONS = dg.StaticPartitionsDefinition(["eu", "us"])
MULTI = dg.MultiPartitionsDefinition({"date": DAILY, "region": REGIONS})
DAYS = ["2026-03-01", "2026-03-02", "2026-03-03"]


def day_table(day: str, n: int = 4) -> pa.Table:
    return pa.table({"id": pa.array(range(n), pa.int64()), "value": pa.array([float(i) + 0.5 for i in range(n)]),
                     "label": pa.array([f"{day}#{i}" for i in range(n)])})


def run(assets: list[Any], io: RemoteStoreIOManager, selection: list[Any] | None = None, **kw: Any) -> dg.ExecuteInProcessResult:
    return dg.materialize(assets, selection=selection, resources={"io_manager": io}, **kw)


def cause_of(exc: BaseException, cls: type[BaseException]) -> BaseException:
    """The first exception of type cls in exc's cause/context chain (Dagster wraps user errors)."""
    seen, e = [], exc
    while e is not None and e not in seen:
        if isinstance(e, cls):
            return e
        seen.append(e)
        e = e.__cause__ or e.__context__  # type: ignore[assignment]
    raise AssertionError(f"no {cls.__name__} in {[type(c).__name__ for c in seen]}")


def mat_metadata(result: dg.ExecuteInProcessResult, asset: str) -> dict[str, Any]:
    mats = [m for m in result.asset_materializations_for_node(asset)]
    assert mats, f"no materialization for {asset}"
    return {k: getattr(v, "value", v) for k, v in mats[-1].metadata.items()}


# -- unpartitioned -----------------------------------------------------------------------------------


def test_table_roundtrip_by_annotation(io_anywhere: RemoteStoreIOManager) -> None:
    io = io_anywhere
    seen: dict[str, Any] = {}

    @dg.asset
    def src() -> pa.Table:
        return day_table("x", 10)

    @dg.asset
    def as_arrow(src: pa.Table) -> None:
        seen["arrow"] = src

    @dg.asset
    def as_pandas(src: pd.DataFrame) -> None:
        seen["pandas"] = src

    @dg.asset
    def as_polars(src: pl.DataFrame) -> None:
        seen["polars"] = src

    res = run([src, as_arrow, as_pandas, as_polars], io)
    assert res.success
    assert isinstance(seen["arrow"], pa.Table) and seen["arrow"].equals(day_table("x", 10))
    assert isinstance(seen["pandas"], pd.DataFrame) and seen["pandas"]["value"].tolist() == [i + 0.5 for i in range(10)]
    assert isinstance(seen["polars"], pl.DataFrame) and seen["polars"]["label"].to_list()[0] == "x#0"
    md = mat_metadata(res, "src")
    assert md["dagster/row_count"] == 10
    assert [c.name for c in md["dagster/column_schema"].columns] == ["id", "value", "label"]
    assert "src" in str(md["uri"])


def test_pandas_and_polars_outputs(io: RemoteStoreIOManager) -> None:
    seen: dict[str, Any] = {}

    @dg.asset
    def pdf() -> pd.DataFrame:
        return pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", "z"]})

    @dg.asset
    def plf() -> pl.DataFrame:
        return pl.DataFrame({"c": [1.5, 2.5]})

    @dg.asset
    def both(pdf: pa.Table, plf: pd.DataFrame) -> None:
        seen["pdf"], seen["plf"] = pdf, plf

    assert run([pdf, plf, both], io).success
    assert seen["pdf"].column("a").to_pylist() == [1, 2, 3] and seen["pdf"].column("b").to_pylist() == ["x", "y", "z"]
    assert seen["plf"]["c"].tolist() == [1.5, 2.5]


def test_other_objects_are_pickled(io: RemoteStoreIOManager) -> None:
    seen: dict[str, Any] = {}

    @dg.asset
    def settings() -> dict[str, Any]:
        return {"threshold": 0.5, "tags": ["a", "b"], "nested": {"n": 1}}

    @dg.asset
    def user(settings: dict[str, Any]) -> None:
        seen["settings"] = settings

    assert run([settings, user], io).success
    assert seen["settings"] == {"threshold": 0.5, "tags": ["a", "b"], "nested": {"n": 1}}


def test_overwrite_on_rematerialize(io_anywhere: RemoteStoreIOManager) -> None:
    io = io_anywhere
    n = {"rows": 3}
    seen: dict[str, Any] = {}

    @dg.asset
    def grows() -> pa.Table:
        return day_table("g", n["rows"])

    @dg.asset
    def reader(grows: pa.Table) -> None:
        seen["rows"] = grows.num_rows

    assert run([grows, reader], io).success and seen["rows"] == 3
    n["rows"] = 7
    assert run([grows, reader], io).success and seen["rows"] == 7


def test_missing_asset_is_not_found(io_anywhere: RemoteStoreIOManager) -> None:
    io = io_anywhere
    @dg.asset
    def never() -> pa.Table:
        return day_table("n")

    @dg.asset
    def needs(never: pa.Table) -> None:
        pass

    with pytest.raises(Exception) as ei:
        run([never, needs], io, selection=[needs])
    nf = cause_of(ei.value, NotFound)
    assert isinstance(nf, FileNotFoundError) and "never" in str(nf)


# -- partitions --------------------------------------------------------------------------------------


def daily_assets(seen: dict[str, Any], **in_meta: Any) -> tuple[Any, Any, Any]:
    @dg.asset(partitions_def=DAILY, metadata={"partition_column": "date"})
    def daily(context: dg.AssetExecutionContext) -> pa.Table:
        return day_table(context.partition_key)

    @dg.asset(ins={"daily": dg.AssetIn(metadata={"allow_missing_partitions": True, **in_meta})})
    def all_days(daily: pa.Table) -> None:
        seen["table"] = daily

    @dg.asset(ins={"daily": dg.AssetIn(metadata={"allow_missing_partitions": True})})
    def per_day(daily: dict[str, pd.DataFrame]) -> None:
        seen["dict"] = daily

    return daily, all_days, per_day


def test_daily_partitions_load_as_one_table_or_dict(io_anywhere: RemoteStoreIOManager) -> None:
    io = io_anywhere
    seen: dict[str, Any] = {}
    daily, all_days, per_day = daily_assets(seen)
    for d in DAYS:
        res = run([daily], io, partition_key=d)
        md = mat_metadata(res, "daily")
        assert md["dagster/row_count"] == 4
    assert run([daily, all_days, per_day], io, selection=[all_days, per_day]).success
    t = seen["table"]
    assert t.num_rows == 12
    assert sorted(set(t.column("date").to_pylist())) == DAYS  # the partition column
    got = {(r["date"], r["label"]) for r in t.select(["date", "label"]).to_pylist()}
    assert got == {(d, f"{d}#{i}") for d in DAYS for i in range(4)}
    assert sorted(seen["dict"]) == DAYS
    assert all(isinstance(v, pd.DataFrame) and len(v) == 4 for v in seen["dict"].values())
    assert seen["dict"]["2026-03-02"]["label"].tolist()[0] == "2026-03-02#0"


def test_columns_projection_from_input_metadata(io: RemoteStoreIOManager) -> None:
    seen: dict[str, Any] = {}
    daily, all_days, _ = daily_assets(seen, columns=["value"])
    run([daily], io, partition_key=DAYS[0])
    assert run([daily, all_days], io, selection=[all_days]).success
    assert set(seen["table"].column_names) <= {"value", "date"} and "value" in seen["table"].column_names
    assert "label" not in seen["table"].column_names


def test_range_of_partitions_and_missing_ones(io_anywhere: RemoteStoreIOManager) -> None:
    io = io_anywhere
    seen: dict[str, Any] = {}

    @dg.asset(partitions_def=DAILY, metadata={"partition_column": "date"})
    def ev(context: dg.AssetExecutionContext) -> pa.Table:
        return day_table(context.partition_key, 2)

    @dg.asset(partitions_def=DAILY, metadata={"partition_column": "date"},
              ins={"ev": dg.AssetIn(partition_mapping=dg.TimeWindowPartitionMapping(start_offset=-2))})
    def strict(ev: pa.Table) -> pa.Table:
        return ev

    @dg.asset(partitions_def=DAILY, metadata={"partition_column": "date"},
              ins={"ev": dg.AssetIn(partition_mapping=dg.TimeWindowPartitionMapping(start_offset=-2),
                                    metadata={"allow_missing_partitions": True})})
    def lenient(ev: pl.DataFrame) -> pl.DataFrame:
        seen["lenient"] = ev
        return ev.select(pl.len().alias("n"))

    run([ev], io, partition_key="2026-03-02")
    run([ev], io, partition_key="2026-03-03")
    with pytest.raises(Exception) as ei:
        run([ev, strict], io, selection=[strict], partition_key="2026-03-03")  # 03-01 missing
    assert "2026-03-01" in str(cause_of(ei.value, NotFound))
    assert run([ev, lenient], io, selection=[lenient], partition_key="2026-03-03").success
    assert seen["lenient"].height == 4 and sorted(seen["lenient"]["date"].unique().to_list()) == DAYS[1:]


def test_multi_partitions(io_anywhere: RemoteStoreIOManager) -> None:
    io = io_anywhere
    seen: dict[str, Any] = {}

    @dg.asset(partitions_def=MULTI)
    def sales(context: dg.AssetExecutionContext) -> pd.DataFrame:
        k = context.partition_key.keys_by_dimension  # type: ignore[attr-defined]
        return pd.DataFrame({"amount": [1.0, 2.0], "tag": [f"{k['date']}/{k['region']}"] * 2})

    @dg.asset(ins={"sales": dg.AssetIn(metadata={"allow_missing_partitions": True})})
    def total(sales: pa.Table) -> None:
        seen["t"] = sales

    @dg.asset(ins={"sales": dg.AssetIn(metadata={"allow_missing_partitions": True})})
    def parts(sales: dict[str, pa.Table]) -> None:
        seen["d"] = sales

    keys = [dg.MultiPartitionKey({"date": d, "region": r}) for d in DAYS[:2] for r in ("eu", "us")]
    for k in keys:
        assert run([sales], io, partition_key=k).success
    assert run([sales, total, parts], io, selection=[total, parts]).success
    t = seen["t"]
    assert t.num_rows == 8
    rows = {(r["date"], r["region"], r["tag"]) for r in t.select(["date", "region", "tag"]).to_pylist()}
    assert rows == {(d, r, f"{d}/{r}") for d in DAYS[:2] for r in ("eu", "us")}
    assert sorted(seen["d"]) == sorted(str(k) for k in keys)


def test_static_and_dynamic_partitions(io: RemoteStoreIOManager) -> None:
    seen: dict[str, Any] = {}
    colors = dg.StaticPartitionsDefinition(["red", "blue"])
    users = dg.DynamicPartitionsDefinition(name="users")

    @dg.asset(partitions_def=colors)
    def paint(context: dg.AssetExecutionContext) -> pa.Table:
        return pa.table({"c": [context.partition_key]})

    @dg.asset(partitions_def=users)
    def profile(context: dg.AssetExecutionContext) -> dict[str, str]:
        return {"user": context.partition_key}  # a pickled object per partition

    @dg.asset
    def palette(paint: pa.Table) -> None:
        seen["palette"] = paint

    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions("users", ["ann", "bob"])
    for c in ("red", "blue"):
        run([paint], io, partition_key=c, instance=instance)
    for u in ("ann", "bob"):
        run([profile], io, partition_key=u, instance=instance)
    assert run([paint, palette], io, selection=[palette], instance=instance).success
    assert sorted(seen["palette"].column("c").to_pylist()) == ["blue", "red"]
    assert sorted(seen["palette"].column("partition").to_pylist()) == ["blue", "red"]

    @dg.asset(partitions_def=users)
    def greet(profile: dict[str, str]) -> None:
        seen.setdefault("greet", []).append(profile)

    run([profile, greet], io, selection=[greet], partition_key="bob", instance=instance)
    assert seen["greet"] == [{"user": "bob"}]

    @dg.asset
    def roster(profile):  # type: ignore[no-untyped-def]  # several pickled partitions → dict by key
        seen["roster"] = profile

    run([profile, roster], io, selection=[roster], instance=instance)
    assert seen["roster"] == {"ann": {"user": "ann"}, "bob": {"user": "bob"}}


def test_single_run_backfill_writes_many_partitions(io: RemoteStoreIOManager) -> None:
    seen: dict[str, Any] = {}

    @dg.asset(partitions_def=DAILY, metadata={"partition_column": "date"}, backfill_policy=dg.BackfillPolicy.single_run())
    def bulk(context: dg.AssetExecutionContext) -> pa.Table:
        days = context.partition_keys
        return pa.concat_tables([day_table(d, 3).append_column("date", pa.array([d] * 3)) for d in days])

    @dg.asset(partitions_def=DAILY, metadata={"partition_column": "date"})
    def one_day(bulk: pa.Table) -> None:
        seen["one"] = bulk

    tags = {"dagster/asset_partition_range_start": DAYS[0], "dagster/asset_partition_range_end": DAYS[-1]}
    res = run([bulk], io, tags=tags)
    assert res.success
    assert mat_metadata(res, "bulk")["dagster/row_count"] == 9
    run([bulk, one_day], io, selection=[one_day], partition_key=DAYS[1])
    assert seen["one"].num_rows == 3 and set(seen["one"].column("label").to_pylist()) == {f"{DAYS[1]}#{i}" for i in range(3)}


def test_single_run_backfill_dict_output(io: RemoteStoreIOManager) -> None:
    seen: dict[str, Any] = {}

    @dg.asset(partitions_def=DAILY, metadata={"partition_column": "date"}, backfill_policy=dg.BackfillPolicy.single_run())
    def by_day(context: dg.AssetExecutionContext) -> dict[str, pa.Table]:
        return {d: day_table(d, 2) for d in context.partition_keys}

    @dg.asset(ins={"by_day": dg.AssetIn(metadata={"allow_missing_partitions": True})})
    def everything(by_day: pa.Table) -> None:
        seen["all"] = by_day

    tags = {"dagster/asset_partition_range_start": DAYS[0], "dagster/asset_partition_range_end": DAYS[-1]}
    assert run([by_day], io, tags=tags).success
    assert run([by_day, everything], io, selection=[everything]).success
    assert seen["all"].num_rows == 6 and sorted(set(seen["all"].column("date").to_pylist())) == DAYS


def test_partitioned_job_run(io: RemoteStoreIOManager) -> None:
    seen: dict[str, Any] = {}

    @dg.asset(partitions_def=DAILY, metadata={"partition_column": "date"})
    def raw(context: dg.AssetExecutionContext) -> pa.Table:
        return day_table(context.partition_key, 5)

    @dg.asset(partitions_def=DAILY, metadata={"partition_column": "date"})
    def clean(raw: pd.DataFrame) -> pd.DataFrame:
        seen["raw_rows"] = len(raw)
        return raw[raw["id"] % 2 == 0]

    job = dg.define_asset_job("daily_job", selection=[raw, clean], partitions_def=DAILY)
    defs = dg.Definitions(assets=[raw, clean], jobs=[job], resources={"io_manager": io})
    result = defs.resolve_job_def("daily_job").execute_in_process(partition_key=DAYS[2])
    assert result.success
    assert seen["raw_rows"] == 5
    md = mat_metadata(result, "clean")
    assert md["dagster/row_count"] == 3


def test_sidecar_serves_many_runs(store_url: str, iomanager_bin: Any, tmp_path: Any) -> None:
    import os
    import subprocess

    rf = tmp_path / "sidecar.json"
    side = subprocess.Popen([str(iomanager_bin), "serve", "--reattach-file", str(rf)], env=dict(os.environ),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        io = RemoteStoreIOManager(store_url=store_url, sidecar=str(rf))
        seen: dict[str, Any] = {}

        @dg.asset
        def made() -> pa.Table:
            return day_table("sidecar", 6)

        @dg.asset
        def used(made: pd.DataFrame) -> None:
            seen["rows"] = len(made)

        assert run([made], io).success
        assert run([made, used], io, selection=[used]).success
        assert seen["rows"] == 6
        assert side.poll() is None  # runs ended; the sidecar keeps serving
    finally:
        side.terminate()
        side.wait(10)


def test_store_from_config_file(iomanager_bin: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAKE_ROOT", str(tmp_path / "lake"))
    cfg = tmp_path / "stores.yaml"
    cfg.write_text("backends:\n  disk:\n    type: file\n    options:\n      root: ${LAKE_ROOT}\n      create_root: true\n"
                   "stores:\n  analytics:\n    backend: disk\n    root_path: analytics\n")
    io = RemoteStoreIOManager(config_file=str(cfg), store="analytics", plugin_path=str(iomanager_bin))
    seen: dict[str, Any] = {}

    @dg.asset
    def cfg_asset() -> pa.Table:
        return day_table("cfg", 3)

    @dg.asset
    def cfg_reader(cfg_asset: pa.Table) -> None:
        seen["t"] = cfg_asset

    assert run([cfg_asset, cfg_reader], io).success
    assert seen["t"].num_rows == 3
    assert list((tmp_path / "lake" / "analytics").rglob("cfg_asset*"))
    bad = RemoteStoreIOManager(config_file=str(cfg), store="nope", plugin_path=str(iomanager_bin))
    with pytest.raises(Exception) as ei:
        run([cfg_asset], bad)
    assert "nope" in str(cause_of(ei.value, InvalidConfig))
