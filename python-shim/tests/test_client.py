"""The sync and asyncio clients against the real plugin (local store and S3)."""

from __future__ import annotations

import asyncio
import json
import os
import pickle
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pytest

from remotestore_dagster import AsyncIOManagerClient, IOManagerClient, errors
from remotestore_dagster._handshake import IOMANAGER
from remotestore_dagster.types import InputRequest, OutputRequest, Partition

DAYS = ["2026-05-01", "2026-05-02", "2026-05-03"]


def part(day: str) -> Partition:
    return Partition(day, {"day": day})


def table(day: str, n: int = 1000) -> pa.Table:
    return pa.table({"i": pa.array(range(n), pa.int64()), "s": pa.array([f"{day}/{k}" for k in range(n)])})


@pytest.fixture(params=["auto", "chunks"])
def client(request: pytest.FixtureRequest, store_url: str, iomanager_bin: Path) -> Iterator[IOManagerClient]:
    with IOManagerClient(store_url=store_url, plugin_path=str(iomanager_bin), transfer=request.param) as c:
        yield c


def test_session_and_transfer_mode(client: IOManagerClient, store_url: str) -> None:
    assert client.session is not None and client.session.id
    assert "parquet" in client.session.formats
    if client.transfer == "auto":
        assert client.session.transfer_dir, "same host: the file transfer must be enabled"
    host = client.host
    assert host.info is not None and host.info.server_cert_pem is not None  # AutoMTLS with the real plugin


def test_tables_partitions_and_projection(client: IOManagerClient) -> None:
    for d in DAYS:
        res = client.store_table(["events"], table(d), [part(d)], partition_expr="day")
        assert res.row_count == 1000 and "events" in res.uri
    t = client.load_table(["events"], [part(d) for d in DAYS])
    assert t.num_rows == 3000 and set(t.column("day").to_pylist()) == set(DAYS)
    only = client.load_table(["events"], [part(DAYS[1])], columns=["s"])
    assert "i" not in only.column_names and only.column("s")[0].as_py() == f"{DAYS[1]}/0"
    loaded = client.load(InputRequest(["events"], [part(d) for d in DAYS], per_partition=True))
    assert loaded.tables is not None and sorted(loaded.tables) == DAYS
    assert loaded.tables[DAYS[2]].column("s")[5].as_py() == f"{DAYS[2]}/5"
    assert client.exists(["events"], [part(DAYS[0])])
    assert sorted(p.key for p in client.list_partitions(["events"])) == DAYS
    assert client.delete(["events"], [part(DAYS[0])]) >= 1
    assert not client.exists(["events"], [part(DAYS[0])])


def test_big_table_crosses_in_many_chunks(client: IOManagerClient) -> None:
    n = 400_000  # ≈ 10 MiB of IPC: many 1 MiB chunks each way
    big = pa.table({"x": pa.array(range(n), pa.int64()), "y": pa.array([float(i) for i in range(n)])})
    client.store_table(["big"], big)
    back = client.load_table(["big"])
    assert back.num_rows == n and back.column("x")[n - 1].as_py() == n - 1
    assert back.equals(big.select(back.column_names))


def test_objects(client: IOManagerClient) -> None:
    obj = {"model": [1, 2, 3], "name": "x"}
    res = client.store(OutputRequest(["obj"], kind="object"), pickle.dumps(obj))
    assert res.row_count is None
    loaded = client.load(InputRequest(["obj"]))
    assert loaded.kind == "object" and pickle.loads(loaded.data or b"") == obj


def test_missing_partitions(client: IOManagerClient) -> None:
    client.store_table(["sparse"], table(DAYS[0], 5), [part(DAYS[0])], partition_expr="day")
    with pytest.raises(errors.NotFound) as ei:
        client.load_table(["sparse"], [part(d) for d in DAYS])
    assert isinstance(ei.value, FileNotFoundError)
    ok = client.load(InputRequest(["sparse"], [part(d) for d in DAYS], allow_missing_partitions=True))
    assert ok.table is not None and ok.table.num_rows == 5 and sorted(ok.missing) == DAYS[1:]


def test_errors_keep_their_kind(client: IOManagerClient) -> None:
    with pytest.raises(errors.NotFound, match="nothing-here"):
        client.load_table(["nothing-here"])
    with pytest.raises(errors.InvalidConfig, match='unknown format "nope"') as ei:
        client.store(OutputRequest(["fmt"], format="nope"), table("x", 1))
    assert isinstance(ei.value, ValueError)


def test_bad_store_url_is_invalid_config(iomanager_bin: Path) -> None:
    with pytest.raises(errors.InvalidConfig) as ei:
        IOManagerClient(store_url="nope://x", plugin_path=str(iomanager_bin)).open()
    assert isinstance(ei.value, ValueError) and "nope" in str(ei.value)


async def test_async_client_concurrent_calls(store_url: str, iomanager_bin: Path) -> None:
    async with AsyncIOManagerClient(store_url=store_url, plugin_path=str(iomanager_bin)) as c:
        await asyncio.gather(*(c.store_table(["aio"], table(d, 2000), [part(d)], partition_expr="day") for d in DAYS))
        loads = await asyncio.gather(*(c.load_table(["aio"], [part(d)]) for d in DAYS))
        assert [t.num_rows for t in loads] == [2000] * 3
        assert [t.column("s")[0].as_py() for t in loads] == [f"{d}/0" for d in DAYS]
        whole = await c.load_table(["aio"], [part(d) for d in DAYS], columns=["i"])
        assert whole.num_rows == 6000
        with pytest.raises(errors.NotFound):
            await c.load_table(["aio-missing"])


async def test_async_client_does_not_block_the_loop(store_url: str, iomanager_bin: Path) -> None:
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.005)
            ticks += 1

    t = asyncio.create_task(ticker())
    try:
        async with AsyncIOManagerClient(store_url=store_url, plugin_path=str(iomanager_bin), transfer="chunks") as c:
            big = pa.table({"x": pa.array(range(300_000), pa.int64())})
            await c.store_table(["nb"], big)
            for _ in range(3):
                assert (await c.load_table(["nb"])).num_rows == 300_000
    finally:
        t.cancel()
    assert ticks > 3, "the event loop was blocked"


def test_sidecar(store_url: str, iomanager_bin: Path, tmp_path: Path) -> None:
    rf = tmp_path / "reattach.json"
    side = subprocess.Popen([str(iomanager_bin), "serve", "--reattach-file", str(rf)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=dict(os.environ))
    try:
        with IOManagerClient(store_url=store_url, sidecar=str(rf)) as a, \
                IOManagerClient(store_url=store_url, sidecar=str(rf)) as b:
            a.store_table(["shared"], table("s", 10))
            assert b.load_table(["shared"]).num_rows == 10
            assert a.host.attached and a.host.pid is None
        assert side.poll() is None, "closing clients must not stop the sidecar"
        assert json.loads(rf.read_text())["Pid"] == side.pid
    finally:
        side.terminate()
        side.wait(10)
    assert IOMANAGER.cookie_key not in os.environ
