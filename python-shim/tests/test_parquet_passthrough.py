"""Parquet partitions handed over as files and decoded here (decode_parquet, the default) give the
same tables as Arrow IPC decoded by the plugin, on every transfer, shape and store; nothing is left
in the transfer folder, and a local store's files are read in place, never deleted."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from remotestore_dagster import IOManagerClient, errors
from remotestore_dagster import _wire
from remotestore_dagster.types import InputRequest, Partition

DAYS = ["2026-06-01", "2026-06-02", "2026-06-03"]


def part(day: str) -> Partition:
    return Partition(day, {"day": day})


def table(day: str, n: int = 2000) -> pa.Table:
    return pa.table({
        "i": pa.array(range(n), pa.int64()),
        "x": pa.array([k / 4 for k in range(n)], pa.float64()),
        "s": pa.array([f"{day}/{k}" for k in range(n)]),
        "t": pa.array([k * 1_000_000 for k in range(n)], pa.timestamp("us", "UTC")),
        # few distinct values: stored dictionary-encoded, decoded here as a dictionary and cast back
        "k": pa.array([None if k % 7 == 0 else f"kind-{k % 5}" for k in range(n)], pa.string()),
    })


@pytest.fixture(params=["auto", "chunks"])
def pair(request: pytest.FixtureRequest, store_url: str, iomanager_bin: Path) -> Iterator[tuple[IOManagerClient, IOManagerClient]]:
    """Two clients on one store: Parquet decoded here, and Arrow IPC decoded by the plugin."""
    with IOManagerClient(store_url=store_url, plugin_path=str(iomanager_bin), transfer=request.param) as here, \
            IOManagerClient(store_url=store_url, plugin_path=str(iomanager_bin), transfer=request.param,
                            decode_parquet=False) as there:
        for d in DAYS:
            here.store_table(["ev"], table(d), [part(d)], partition_expr="day")
        yield here, there


def leftovers(c: IOManagerClient) -> list[str]:
    assert c.session is not None
    return os.listdir(c.session.transfer_dir) if c.session.transfer_dir else []


@pytest.mark.parametrize("req", [
    InputRequest(["ev"], [part(d) for d in DAYS]),
    InputRequest(["ev"], [part(d) for d in DAYS], per_partition=True),
    InputRequest(["ev"], [part(d) for d in DAYS], columns=["day", "s"]),
    InputRequest(["ev"], [part(d) for d in DAYS], columns=["t"]),
    InputRequest(["ev"], [part(d) for d in DAYS], columns=["day"]),
    InputRequest(["ev"], [part(d) for d in DAYS], columns=["i", "day"], per_partition=True),
    InputRequest(["ev"], [part(DAYS[1])]),
    InputRequest(["ev"], [part(d) for d in DAYS] + [part("2026-06-09")], allow_missing_partitions=True),
], ids=["table", "per-partition", "columns+partition", "one-column", "only-partition-column", "per-partition-columns", "one", "missing-skipped"])
def test_same_tables_as_the_plugin_decodes(pair: tuple[IOManagerClient, IOManagerClient], req: InputRequest) -> None:
    here, there = pair
    a, b = here.load(req), there.load(req)
    assert a.row_count == b.row_count and a.missing == b.missing and a.uri == b.uri
    if req.per_partition:
        assert a.tables is not None and b.tables is not None and list(a.tables) == list(b.tables)
        for k in a.tables:
            assert a.tables[k].equals(b.tables[k]), k
    else:
        assert a.table is not None and b.table is not None
        # the plugin's reader adds PARQUET:field_id field metadata; names, types and nullability agree
        assert a.table.schema.equals(b.table.schema, check_metadata=False), (a.table.schema, b.table.schema)
        assert a.table.equals(b.table)
    assert leftovers(here) == []


def test_local_files_are_read_in_place(store_url: str, iomanager_bin: Path) -> None:
    if not store_url.startswith("file:"):
        pytest.skip("in-place reads are for local stores")
    with IOManagerClient(store_url=store_url, plugin_path=str(iomanager_bin)) as c:
        c.store_table(["ev"], table(DAYS[0]), [part(DAYS[0])], partition_expr="day")
        seen: list[str] = []
        orig = _wire._read_parquet_part

        def spy(hdr, source):  # type: ignore[no-untyped-def]
            seen.append(hdr.local_path)
            return orig(hdr, source)

        _wire._read_parquet_part = spy
        try:
            t = c.load_table(["ev"], [part(DAYS[0])])
        finally:
            _wire._read_parquet_part = orig
        assert t.num_rows == 2000 and seen and seen[0].endswith(f"ev/{DAYS[0]}.parquet")
        assert os.path.exists(seen[0]), "a file read in place must stay"
        assert pq.ParquetFile(seen[0]).metadata.num_rows == 2000


def test_unreadable_local_path_falls_back_to_copies(store_url: str, iomanager_bin: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A plugin that sees a filesystem we do not (a sidecar in another container): its in-place paths
    fail to open here, and the client loads again with copies."""
    if not store_url.startswith("file:"):
        pytest.skip("in-place reads are for local stores")
    with IOManagerClient(store_url=store_url, plugin_path=str(iomanager_bin)) as c:
        c.store_table(["ev"], table(DAYS[0]), [part(DAYS[0])], partition_expr="day")
        real = pq.ParquetFile

        def unreachable(source, *a, **kw):  # type: ignore[no-untyped-def]
            if isinstance(source, str) and "/ev/" in source:
                raise FileNotFoundError(source)
            return real(source, *a, **kw)

        monkeypatch.setattr(_wire.pq, "ParquetFile", unreachable)
        t = c.load_table(["ev"], [part(DAYS[0])])
        assert t.num_rows == 2000 and t.column("day")[0].as_py() == DAYS[0]
        assert c._local_paths is False and leftovers(c) == []


def test_dictionary_columns_come_back_plain(pair: tuple[IOManagerClient, IOManagerClient],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """The plugin names the string columns whose pages are all dictionary-encoded ("k", not the nearly
    distinct "s"); they are decoded as dictionaries and come back with their stored type and values."""
    here, there = pair
    named: list[list[str]] = []
    real = _wire.undictionary

    def spy(t: pa.Table, names: list[str]) -> pa.Table:
        named.append(list(names))
        return real(t, names)

    monkeypatch.setattr(_wire, "undictionary", spy)
    a = here.load_table(["ev"], [part(d) for d in DAYS], columns=["s", "k", "day"])
    b = there.load_table(["ev"], [part(d) for d in DAYS], columns=["s", "k", "day"])
    assert named == [["k"]] * len(DAYS)
    assert a.schema.field("k").type == pa.string() and a.schema.field("k").nullable
    assert a.column("k").null_count == b.column("k").null_count > 0
    assert a.equals(b)


def test_errors_keep_their_kind(pair: tuple[IOManagerClient, IOManagerClient]) -> None:
    here, _ = pair
    with pytest.raises(errors.InvalidConfig, match='column "nope"'):
        here.load_table(["ev"], [part(DAYS[0])], columns=["nope"])
    here.store_table(["ev"], table(DAYS[2]).drop_columns(["t"]), [part(DAYS[2])], partition_expr="day")
    with pytest.raises(errors.InvalidConfig, match=f"partition {DAYS[2]} has schema"):
        here.load_table(["ev"], [part(d) for d in DAYS])
    assert leftovers(here) == []


def test_constant_strings() -> None:
    for value, n in [("abc", 3), ("", 4), ("x", 0), ("é", 2)]:
        a = _wire.constant_strings(value, n)
        a.validate(full=True)
        assert a.type == pa.string() and a.to_pylist() == [value] * n
