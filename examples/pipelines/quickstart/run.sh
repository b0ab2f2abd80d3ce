#!/usr/bin/env bash
# make demo: build the plugin, make the Python env, materialize the quickstart assets with Dagster
# on the embedded local store, and print where the data went and what Dagster recorded.
#
#   bash examples/pipelines/quickstart/run.sh
#   REMOTESTORE_DEMO_STORE='s3://bucket/demo?endpoint=http://127.0.0.1:7070&region=us-east-1' bash ...
set -euo pipefail
cd "$(dirname "$0")/../../.."
export GOFLAGS="${GOFLAGS:--buildvcs=false}"

echo "== building bin/iomanager"
go build -o bin/iomanager ./cmd/iomanager
echo "== python env"
bash scripts/python-env.sh

export REMOTESTORE_IOMANAGER_BIN="$PWD/bin/iomanager"
export DAGSTER_HOME="$PWD/.cache/demo-dagster"   # a persistent instance: the metadata stays inspectable
mkdir -p "$DAGSTER_HOME"
[[ -s $DAGSTER_HOME/dagster.yaml ]] || printf 'telemetry:\n  enabled: false\n' > "$DAGSTER_HOME/dagster.yaml"
exec .venv/bin/python examples/pipelines/quickstart/run_demo.py "$@"
