"""Materialize the quickstart assets over several partitions and report what was stored.

Run through run.sh (builds the plugin, sets DAGSTER_HOME); `--days N` picks how many days.
"""

import argparse
import sys
from pathlib import Path

import dagster as dg

sys.path.insert(0, str(Path(__file__).parent))
import definitions as d  # noqa: E402

ASSETS = [d.trips, d.sales, d.trips_7d, d.summary]
QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}  # Dagster's step-by-step DEBUG lines off


def run(selection: list[dg.AssetsDefinition], instance: dg.DagsterInstance, partition_key: str | None = None) -> None:
    res = dg.materialize(ASSETS, selection=selection, partition_key=partition_key,
                         resources=d.defs.resources, instance=instance, raise_on_error=True, run_config=QUIET)
    names = ",".join(a.key.to_user_string() for a in selection)
    print(f"  materialized {names}{' [' + partition_key + ']' if partition_key else ''}: run {res.run_id[:8]}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--days", type=int, default=7)
    days = [f"2026-01-{i:02d}" for i in range(1, ap.parse_args().days + 1)]
    instance = dg.DagsterInstance.get()
    print(f"== store: {d.default_store_url()}")
    for day in days:
        run([d.trips], instance, day)
    for day in days[-2:]:
        for region in ("eu", "us"):
            run([d.sales], instance, dg.MultiPartitionKey({"date": day, "region": region}))
    run([d.trips_7d], instance, days[-1])
    run([d.summary], instance)

    print("\n== metadata Dagster recorded (latest materialization per asset)")
    for a in ASSETS:
        ev = instance.get_latest_materialization_event(a.key)
        if ev is None or ev.asset_materialization is None:
            continue
        mat = ev.asset_materialization
        print(f"  {a.key.to_user_string()}" + (f" [{mat.partition}]" if mat.partition else ""))
        for k, v in sorted(mat.metadata.items()):
            val = getattr(v, "value", v)
            if isinstance(val, dg.TableSchema):
                val = ", ".join(f"{c.name}:{c.type}" for c in val.columns)
            print(f"    {k}: {val}")

    url = d.default_store_url()
    if url.startswith("file://"):
        root = Path(url[len("file://"):].split("?")[0])
        files = sorted(p for p in root.rglob("*") if p.is_file())
        print(f"\n== {len(files)} files under {root} (first 12)")
        for p in files[:12]:
            print(f"  {p.relative_to(root)}  ({p.stat().st_size} bytes)")
    print(f"\nDagster instance: {instance.root_directory}; browse it with `dagster dev -f {Path(d.__file__).relative_to(Path.cwd())}`")


if __name__ == "__main__":
    main()
