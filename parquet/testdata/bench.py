"""pyarrow side of parquet/bench_test.go: the same data, timed in-process.

    bench.py write DIR ROWS ITERS      pq.write_table (zstd) of ROWS rows, ITERS times
    bench.py write-dataset DIR ROWS ITERS   ds.write_dataset (zstd)
    bench.py read-table DIR ITERS      pq.read_table of DIR/data.parquet
    bench.py read-dataset DIR ITERS    pyarrow.dataset(DIR).to_table()

Prints one JSON line: {"seconds": total timed seconds, "rows": rows per iteration}.
"""
import json
import sys
import time

import numpy as np
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq


def table(n):
    ids = np.arange(n, dtype=np.int64)
    mult = np.uint64(2654435761)
    hexes = [f"{v:016x}" for v in (ids.astype(np.uint64) * mult).tolist()]
    ts = (np.datetime64("2024-01-01T00:00:00", "us") + ids.astype("timedelta64[ms]")).astype("datetime64[us]")
    return pa.table({
        "id": pa.array(ids),
        "f": pa.array(ids.astype(np.float64) * 0.5),
        "s": pa.array(hexes, pa.string()),
        "ts": pa.array(ts, pa.timestamp("us")),
    })


def main():
    cmd, d = sys.argv[1], sys.argv[2]
    total, rows = 0.0, 0
    if cmd in ("write", "write-dataset"):
        n, iters = int(sys.argv[3]), int(sys.argv[4])
        t = table(n)
        rows = n
        for i in range(iters):
            start = time.perf_counter()
            if cmd == "write":
                pq.write_table(t, f"{d}/py-{i}.parquet", compression="zstd", row_group_size=1 << 20)
            else:
                ds.write_dataset(t, f"{d}/pyds-{i}", format="parquet",
                                 file_options=ds.ParquetFileFormat().make_write_options(compression="zstd"),
                                 max_rows_per_group=1 << 20, existing_data_behavior="overwrite_or_ignore")
            total += time.perf_counter() - start
    else:
        iters = int(sys.argv[3])
        for _ in range(iters):
            start = time.perf_counter()
            if cmd == "read-table":
                t = pq.read_table(d)
            else:
                t = ds.dataset(d, format="parquet").to_table()
            total += time.perf_counter() - start
            rows = t.num_rows
            del t
    print(json.dumps({"seconds": total, "rows": rows}))


if __name__ == "__main__":
    main()
