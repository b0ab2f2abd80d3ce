"""Interop helper for parquet/interop_test.go: pyarrow and remote-store read
and write datasets that the Go parquet package reads and writes.

    interop.py pyarrow-read DIR            print rows of a hive dataset (pyarrow.dataset)
    interop.py pyarrow-write DIR [plain]   write a hive dataset with ds.write_dataset
                                           (snappy; plain: without cat and day, zstd)
    interop.py rs-read ROOT KEY            print rows via remote_store ParquetDatasetStore.read_dataset
    interop.py rs-write ROOT KEY           write via ParquetDatasetStore.write_dataset
    interop.py schema-string FILE          print pyarrow's Schema.to_string() of a Parquet file

Rows are printed as JSON: {"schema": {name: type}, "rows": [...], ...}.
"""
import datetime
import json
import sys

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

REGIONS = ["eu", "us", "a b/c=d%"]
BASE = datetime.datetime(2024, 1, 1)


def table(n, start=0):
    """The same rows as parquettest.Batch, plus a dictionary and a date column."""
    ids = list(range(start, start + n))
    return pa.table({
        "id": pa.array(ids, pa.int64()),
        "x": pa.array([i / 2 for i in ids], pa.float64()),
        "s": pa.array([None if i % 5 == 0 else f"s{i}" for i in ids], pa.string()),
        "ts": pa.array([BASE + datetime.timedelta(seconds=i) for i in ids], pa.timestamp("us")),
        "cat": pa.array([f"c{i % 3}" for i in ids]).dictionary_encode(),
        "day": pa.array([datetime.date(2024, 1, 1 + i % 28) for i in ids], pa.date32()),
        "region": pa.array([None if i % 7 == 3 else REGIONS[i % 3] for i in ids], pa.string()),
        "year": pa.array([2020 + i % 4 for i in ids], pa.int64()),
    })


def dump(tbl, **extra):
    tbl = tbl.sort_by("id")
    rows = []
    for r in tbl.to_pylist():
        out = {}
        for k, v in r.items():
            if isinstance(v, (datetime.datetime, datetime.date)):
                v = v.isoformat()
            out[k] = v
        rows.append(out)
    schema = {f.name: str(f.type) for f in tbl.schema}
    print(json.dumps({"schema": schema, "rows": rows, **extra}))


def rs_store(root):
    from remote_store import Store
    from remote_store.backends import LocalBackend
    return Store(LocalBackend(root))


def main():
    cmd = sys.argv[1]
    if cmd == "pyarrow-read":
        d = ds.dataset(sys.argv[2], format="parquet", partitioning="hive")
        dump(d.to_table(), files=len(d.files))
    elif cmd == "pyarrow-write":
        t = table(3000)
        opts = ds.ParquetFileFormat().make_write_options(compression="snappy")
        if sys.argv[3:] == ["plain"]:
            t = t.drop_columns(["cat", "day"])
            opts = ds.ParquetFileFormat().make_write_options(compression="zstd")
        ds.write_dataset(t, sys.argv[2], format="parquet", partitioning=["region", "year"], file_options=opts,
                         partitioning_flavor="hive", max_rows_per_group=500, min_rows_per_group=500)
    elif cmd == "rs-read":
        from remote_store.ext.parquet import ParquetDatasetStore, _schema_hash
        pds = ParquetDatasetStore(rs_store(sys.argv[2]))
        tbl = pds.read_dataset(sys.argv[3])
        m = pds.read_manifest(sys.argv[3])
        dump(tbl, schema_hash=_schema_hash(tbl.schema), manifest_hash=m.schema_hash,
             row_count=m.row_count, parts=m.parts)
    elif cmd == "rs-write":
        from remote_store.ext.parquet import ParquetDatasetStore
        pds = ParquetDatasetStore(rs_store(sys.argv[2]), max_rows_per_file=400, compression="snappy")
        t = table(1000).drop_columns(["cat"])
        pds.write_dataset(t, sys.argv[3], run_id="py-run", metadata={"from": "python"})
    elif cmd == "schema-string":
        print(pq.read_schema(sys.argv[2]).to_string(), end="")
    else:
        sys.exit(f"unknown command {cmd}")


if __name__ == "__main__":
    main()
