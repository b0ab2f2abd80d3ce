#!/usr/bin/env bash
# Creates or updates ./.venv with the pinned packages of python-requirements-dev.txt.
# Idempotent and fast when nothing changed: a stamp file records the hash of the requirements
# (and of the interpreter) last installed, and pip runs only when it differs.
#
#   bash scripts/python-env.sh          # create/update
#   PYTHON=python3.12 bash scripts/...  # pick the interpreter (default: python3.11, else python3)
set -euo pipefail
cd "$(dirname "$0")/.."
REQ=python-requirements-dev.txt
VENV=.venv
STAMP=$VENV/.requirements.sha256

PY=${PYTHON:-}
if [[ -z $PY ]]; then
  if command -v python3.11 >/dev/null 2>&1; then PY=python3.11; else PY=python3; fi
fi
if ! command -v "$PY" >/dev/null 2>&1; then
  echo "python-env: $PY not found; install Python 3.11+ (apt-get install python3 python3-venv)" >&2
  exit 1
fi

want=$( { cat "$REQ" python-shim/pyproject.toml; "$PY" -c 'import sys; print(sys.version)'; } | sha256sum | cut -d' ' -f1)
if [[ -x $VENV/bin/python && -f $STAMP && $(cat "$STAMP") == "$want" ]]; then
  echo "python-env: $VENV up to date"
  exit 0
fi

if [[ ! -x $VENV/bin/python ]]; then
  echo "python-env: creating $VENV with $("$PY" --version)"
  "$PY" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --upgrade pip >/dev/null 2>&1 || true
echo "python-env: installing $REQ"
"$VENV/bin/python" -m pip install --quiet -r "$REQ"
"$VENV/bin/python" -m pip install --quiet -e "./python-shim[dagster,pandas,polars,test]"  # the Dagster shim (issue 6)
echo "$want" > "$STAMP"
echo "python-env: done ($("$VENV/bin/python" -c 'import pyarrow; print("pyarrow", pyarrow.__version__)'))"
