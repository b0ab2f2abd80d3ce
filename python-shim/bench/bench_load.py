"""Load N daily partitions of R rows through each IO manager, side by side, in one run.

Locations: local disk; versitygw S3 on loopback; the same S3 behind a proxy adding 20 ms per request.
Each manager writes the partitions once in its own layout (through its own ``handle_output``), then
every manager's ``load_input`` for the whole partition range is timed ``--repeat`` times (best kept).

    .venv/bin/python python-shim/bench/bench_load.py                 # 30 × 1M rows, all locations
    REMOTESTORE_BENCH_ROWS=100000 .venv/bin/python python-shim/bench/bench_load.py --locations local

Prints one table and the shim's speed-up over the fastest other manager per location; exits non-zero
when a goal is missed (≥ 3× on S3 with latency, never slower on local) and --check is given.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import dagster as dg
import numpy as np
import pyarrow as pa

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from latency_proxy import LatencyProxy  # noqa: E402
from managers import (  # noqa: E402
    ArrowParquetUPathIOManager,
    AsyncArrowParquetUPathIOManager,
    remote_store_manager,
    upath_root,
)
from tests.servers import S3Server, start_versitygw, stop_process  # noqa: E402

from remotestore_dagster import RemoteStoreIOManager  # noqa: E402

DAILY = dg.DailyPartitionsDefinition(start_date="2026-01-01", end_date="2027-01-01")
KEY = dg.AssetKey(["bench", "events"])


def make_table(day: str, rows: int) -> pa.Table:
    rng = np.random.default_rng(abs(hash(day)) % (1 << 32))
    return pa.table({
        "id": pa.array(np.arange(rows, dtype=np.int64)),
        "user": pa.array(rng.integers(0, 100_000, rows, dtype=np.int64)),
        "value": pa.array(rng.random(rows)),
        "score": pa.array(rng.normal(size=rows).astype(np.float32)),
        "kind": pa.DictionaryArray.from_arrays(pa.array(rng.integers(0, 8, rows, dtype=np.int32)),
                                               pa.array([f"k{i}" for i in range(8)])).cast(pa.string()),
    })


def write_all(manager: Any, keys: list[str], rows: int, compression: str) -> None:
    for k in keys:
        ctx = dg.build_output_context(asset_key=KEY, partition_key=k, asset_partitions_def=DAILY,
                                      definition_metadata={"compression": compression})
        manager.handle_output(ctx, make_table(k, rows))


def load_range(manager: Any, keys: list[str]) -> int:
    ctx = dg.build_input_context(asset_key=KEY, asset_partitions_def=DAILY,
                                 asset_partition_key_range=dg.PartitionKeyRange(keys[0], keys[-1]))
    out = manager.load_input(ctx)
    if isinstance(out, dict):
        return sum(t.num_rows for t in out.values())
    return int(out.num_rows)


def managers_for(loc: dict[str, Any]) -> dict[str, Any]:
    if loc["kind"] == "local":
        url = Path(loc["root"], "shim").as_uri() + "?create_root=true"
    else:
        url = (f"s3://{loc['bucket']}/shim?endpoint={loc['endpoint']}&region={loc['region']}&use_path_style=true")
    conc = int(os.environ.get("REMOTESTORE_BENCH_CONCURRENCY", "32"))  # all 30 partitions in one wave
    shim = RemoteStoreIOManager(store_url=url, load_concurrency=conc)
    return {
        "shim": shim,
        "upath": ArrowParquetUPathIOManager(base_path=upath_root(loc, "upath")),
        "upath_async": AsyncArrowParquetUPathIOManager(base_path=upath_root(loc, "upath")),
        "remote_store": remote_store_manager(loc, "remote_store"),
    }


def bench_location(name: str, loc: dict[str, Any], keys: list[str], rows: int, repeat: int,
                   write: bool, compression: str) -> dict[str, float]:
    mgrs = managers_for(loc)
    if write:
        for mname in ("shim", "upath", "remote_store"):
            t0 = time.perf_counter()
            write_all(mgrs[mname], keys, rows, compression)
            print(f"  [{name}] wrote {len(keys)} partitions with {mname} in {time.perf_counter() - t0:.1f}s", flush=True)
    results: dict[str, float] = {}
    for mname, m in mgrs.items():
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            n = load_range(m, keys)
            times.append(time.perf_counter() - t0)
            assert n == rows * len(keys), f"{mname} loaded {n} rows, want {rows * len(keys)}"
        results[mname] = min(times)
        print(f"  [{name}] {mname:13s} best {min(times):7.3f}s  median {statistics.median(times):7.3f}s", flush=True)
    if hasattr(mgrs["shim"], "teardown_after_execution"):
        mgrs["shim"].teardown_after_execution(None)  # type: ignore[arg-type]
    return results


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--locations", default="local,s3,s3+20ms")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--delay-ms", type=float, default=20.0)
    ap.add_argument("--check", action="store_true", help="exit 1 when a goal is missed")
    ap.add_argument("--compression", default="snappy",
                    help="Parquet codec the shim writes with (pyarrow's default, snappy, for a like-for-like read)")
    a = ap.parse_args()
    parts = int(os.environ.get("REMOTESTORE_BENCH_PARTITIONS", "30"))
    rows = int(os.environ.get("REMOTESTORE_BENCH_ROWS", "1000000"))
    keys = DAILY.get_partition_keys()[:parts]
    wanted = a.locations.split(",")
    print(f"bench: {parts} daily partitions × {rows} rows, locations {wanted}", flush=True)

    work = Path(tempfile.mkdtemp(prefix="remotestore-bench-", dir=os.environ.get("REMOTESTORE_BENCH_DIR")))
    s3: S3Server | None = None
    table: dict[str, dict[str, float]] = {}
    try:
        if "local" in wanted:
            table["local"] = bench_location("local", {"kind": "local", "root": str(work / "local")}, keys, rows,
                                            a.repeat, True, a.compression)
        if "s3" in wanted or "s3+20ms" in wanted:
            s3 = start_versitygw(work)
            if s3 is None:
                print("bench: versitygw not installed (bash scripts/install-versitygw.sh); S3 skipped")
            else:
                os.environ.update(s3.env)
                loc = {"kind": "s3", "bucket": s3.bucket("bench"), "endpoint": s3.endpoint, "access": s3.access,
                       "secret": s3.secret, "region": s3.region}
                table["s3"] = bench_location("s3", loc, keys, rows, a.repeat, True, a.compression) if "s3" in wanted else {}
                if "s3+20ms" in wanted:
                    with LatencyProxy(s3.endpoint, a.delay_ms / 1000) as proxy:
                        ploc = dict(loc, endpoint=proxy.url)
                        table[f"s3+{a.delay_ms:g}ms"] = bench_location(
                            f"s3+{a.delay_ms:g}ms", ploc, keys, rows, a.repeat, "s3" not in wanted, a.compression)
                    print(f"  proxy delayed {proxy.requests} requests ({proxy.counts})")
    finally:
        if s3 is not None:
            stop_process(s3.proc)
        shutil.rmtree(work, ignore_errors=True)

    print(f"\n{'location':12s} " + " ".join(f"{m:>13s}" for m in ("shim", "upath", "upath_async", "remote_store"))
          + "   shim speed-up vs fastest other")
    ok = True
    for loc, res in table.items():
        if not res:
            continue
        others = min(v for k, v in res.items() if k != "shim")
        speedup = others / res["shim"]
        print(f"{loc:12s} " + " ".join(f"{res[m]:12.3f}s" for m in ("shim", "upath", "upath_async", "remote_store"))
              + f"   {speedup:5.2f}×")
        goal = 3.0 if "ms" in loc else 1.0
        if speedup < goal:
            ok = False
            print(f"  goal missed on {loc}: want ≥ {goal:g}×")
    return 0 if ok or not a.check else 1


if __name__ == "__main__":
    sys.exit(main())
