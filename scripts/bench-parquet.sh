#!/usr/bin/env bash
# Parquet dataset store vs pyarrow, side by side in one Go benchmark run (local disk, zstd,
# 1Mi-row row groups): write, full read, and a filtered read of 1 of 30 partitions.
#   bash scripts/bench-parquet.sh                 # 10M rows
#   REMOTESTORE_BENCH_ROWS=1000000 bash scripts/bench-parquet.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/python-env.sh >/dev/null
out=$(mktemp)
go test -count=1 ./parquet -run '^$' -bench '^BenchmarkParquet$' -benchtime "${BENCHTIME:-3x}" -timeout 60m | tee "$out"
awk '
  /^BenchmarkParquet\// {
    name=$1; sub(/^BenchmarkParquet\//, "", name); sub(/-[0-9]+$/, "", name)
    for (i = 1; i < NF; i++) if ($(i+1) == "rows/s") rate[name] = $i
  }
  END {
    printf "\n%-34s %14s\n", "benchmark", "rows/s"
    for (n in rate) printf "%-34s %14.0f\n", n, rate[n]
    if (rate["write/pyarrow-write_table"] > 0) printf "\nwrite: go / pyarrow write_table   = %.2f\n", rate["write/go"] / rate["write/pyarrow-write_table"]
    if (rate["write/pyarrow-write_dataset"] > 0) printf "write: go / pyarrow write_dataset = %.2f\n", rate["write/go"] / rate["write/pyarrow-write_dataset"]
    if (rate["read/pyarrow-read_table"] > 0) printf "read:  go / pyarrow read_table    = %.2f\n", rate["read/go"] / rate["read/pyarrow-read_table"]
    if (rate["read/pyarrow-dataset"] > 0) printf "read:  go / pyarrow dataset       = %.2f\n", rate["read/go"] / rate["read/pyarrow-dataset"]
  }' "$out"
rm -f "$out"
