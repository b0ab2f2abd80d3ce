"""The quickstart example (examples/pipelines/quickstart) materializes end to end on a fresh store."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import dagster as dg
import pyarrow as pa
import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "pipelines" / "quickstart" / "definitions.py"


def test_quickstart_assets(any_store_url: str, tmp_path: Path, iomanager_bin: Path,
                           monkeypatch: pytest.MonkeyPatch) -> None:
    """The same definitions on the embedded local store, S3, Azure Blob and SFTP: only the URL changes."""
    monkeypatch.setenv("REMOTESTORE_DEMO_STORE", any_store_url)
    monkeypatch.setenv("REMOTESTORE_IOMANAGER_BIN", str(iomanager_bin))
    spec = importlib.util.spec_from_file_location("quickstart_definitions", EXAMPLE)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    assets = [mod.trips, mod.sales, mod.trips_7d, mod.summary]
    res = mod.defs.resources
    for day in ("2026-01-01", "2026-01-02", "2026-01-03"):
        assert dg.materialize(assets, selection=[mod.trips], partition_key=day, resources=res).success
    for region in ("eu", "us"):
        key = dg.MultiPartitionKey({"date": "2026-01-03", "region": region})
        assert dg.materialize(assets, selection=[mod.sales], partition_key=key, resources=res).success
    r = dg.materialize(assets, selection=[mod.trips_7d], partition_key="2026-01-03", resources=res)
    assert r.success
    week = r.asset_materializations_for_node("trips_7d")[0].metadata
    assert week["dagster/row_count"].value == 3  # three of the seven days exist
    r = dg.materialize(assets, selection=[mod.summary], resources=res)
    assert r.success
    summary = r.output_for_node("summary")
    assert isinstance(summary, pa.Table)
    assert sorted(summary.column("region").to_pylist()) == ["eu", "us"]
    assert summary.column("days").to_pylist() == [1, 1] and summary.column("windows_7d").to_pylist() == [1, 1]
    scheme = any_store_url.split(":", 1)[0]
    assert str(week["uri"].value).startswith(scheme + ":"), week["uri"]
    if scheme == "file":
        assert any((tmp_path / "store").rglob("*.parquet"))
