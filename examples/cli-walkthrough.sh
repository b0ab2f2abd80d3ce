#!/usr/bin/env bash
# A tour of the iomanager command line on a local store under ./.cache/demo:
# put a generated file, list, stat, cat, copy, move, count, delete.
# Run from anywhere in a fresh clone: bash examples/cli-walkthrough.sh
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
demo=$root/.cache/demo
work=$root/.cache/demo-local

echo "+ go build -o bin/iomanager ./cmd/iomanager"
go build -o bin/iomanager ./cmd/iomanager

rm -rf "$demo" "$work"
mkdir -p "$demo" "$work"

# Every command below is echoed before it runs.
im() {
	echo
	echo "+ iomanager $*"
	"$root/bin/iomanager" "$@"
}

# A generated file: 1000 CSV rows.
{
	echo "id,name,value"
	for i in $(seq 1 1000); do echo "$i,item-$i,$((i * 7 % 101))"; done
} >"$work/events.csv"

store="file://$demo"
im --store "$store" put "$work/events.csv" raw/2026/events.csv
echo
echo "+ echo note | iomanager --store $store put - raw/README.txt"
echo note | "$root/bin/iomanager" --store "$store" put - raw/README.txt
im --store "$store" ls -R
im --store "$store" ls -l raw/2026
im --store "$store" stat raw/2026/events.csv
im --store "$store" stat --json raw/2026/events.csv

echo
echo "+ iomanager --store $store cat raw/2026/events.csv | sed -n 1,3p"
"$root/bin/iomanager" --store "$store" cat raw/2026/events.csv | sed -n 1,3p

im --store "$store" cp raw/2026/events.csv backup/events.csv
# A second put is refused (exit 4): nothing is overwritten without -f.
echo
echo "+ iomanager --store $store put $work/events.csv raw/2026/events.csv   # expect exit 4"
set +e
"$root/bin/iomanager" --store "$store" put "$work/events.csv" raw/2026/events.csv
code=$?
set -e
echo "exit code: $code"
[ "$code" -eq 4 ]

im --store "$store" mv backup/events.csv archive/events-2026.csv
im cp "$store/archive/events-2026.csv" "file://$work/copy-back.csv"   # URL to URL
cmp "$work/events.csv" "$work/copy-back.csv"
im --store "$store" get raw/README.txt "$work/README.txt"
im --store "$store" du
im --store "$store" du --depth 1 raw
im --store "$store" rm raw/README.txt
im --store "$store" rm -r archive
im --store "$store" ls -R

echo
echo "walkthrough done: the store is $demo"
