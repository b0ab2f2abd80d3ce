#!/usr/bin/env bash
# Regenerates the checked-in protobuf code of the IO manager plugin protocol
# (iomanager/proto/iomanager/v1/iomanager.proto):
#   - Go:     iomanager/internal/iomanagerv1/{iomanager.pb.go,iomanager_grpc.pb.go}
#   - Python: python-shim/src/remotestore_dagster/_pb/ (via python-shim/scripts/gen_protos.py)
#
# protoc is not a system package here: it comes bundled in grpcio-tools (PyPI), taken from ./.venv
# when that has it, else from a small ./.cache/protoc-venv. The Go plugins are `go install`ed at
# pinned versions into ./.cache/bin. Run from anywhere: `bash scripts/gen-proto.sh` (make proto).
# CI runs it and fails on a diff (`git diff --exit-code -- iomanager/internal python-shim/src/*/_pb`).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=$ROOT/.cache/bin
mkdir -p "$BIN"

PROTOC_GEN_GO_VERSION=v1.36.12      # = google.golang.org/protobuf in go.mod
PROTOC_GEN_GO_GRPC_VERSION=v1.6.2
GRPCIO_TOOLS_VERSION=1.85.1         # = python-shim/pyproject.toml's test extra

need_go_plugin() { # name module version
  local name=$1 mod=$2 ver=$3 stamp=$BIN/.$1.version
  if [[ -x $BIN/$name && -f $stamp && $(cat "$stamp") == "$ver" ]]; then return; fi
  echo "gen-proto: installing $name $ver"
  GOFLAGS=-buildvcs=false GOBIN=$BIN go install "$mod@$ver"
  echo "$ver" > "$stamp"
}
need_go_plugin protoc-gen-go google.golang.org/protobuf/cmd/protoc-gen-go "$PROTOC_GEN_GO_VERSION"
need_go_plugin protoc-gen-go-grpc google.golang.org/grpc/cmd/protoc-gen-go-grpc "$PROTOC_GEN_GO_GRPC_VERSION"

PY=""
if [[ -x .venv/bin/python ]] && .venv/bin/python -c 'import grpc_tools' 2>/dev/null; then
  PY=.venv/bin/python
else
  PV=.cache/protoc-venv
  if [[ ! -x $PV/bin/python ]] || ! $PV/bin/python -c 'import grpc_tools' 2>/dev/null; then
    echo "gen-proto: creating $PV with grpcio-tools==$GRPCIO_TOOLS_VERSION"
    python3 -m venv "$PV"
    "$PV/bin/python" -m pip install --quiet "grpcio-tools==$GRPCIO_TOOLS_VERSION"
  fi
  PY=$PV/bin/python
fi

WKT=$("$PY" -c 'import grpc_tools, os; print(os.path.join(os.path.dirname(grpc_tools.__file__), "_proto"))')
OUT=iomanager/internal/iomanagerv1
mkdir -p "$OUT"
"$PY" -m grpc_tools.protoc \
  -I iomanager/proto -I "$WKT" \
  --plugin=protoc-gen-go="$BIN/protoc-gen-go" \
  --plugin=protoc-gen-go-grpc="$BIN/protoc-gen-go-grpc" \
  --go_out="$OUT" --go_opt=paths=source_relative \
  --go-grpc_out="$OUT" --go-grpc_opt=paths=source_relative \
  iomanager/v1/iomanager.proto
# source_relative puts the files under $OUT/iomanager/v1/; the package lives in $OUT itself.
mv "$OUT"/iomanager/v1/*.go "$OUT"/
rm -rf "$OUT/iomanager"
echo "gen-proto: Go code in $OUT"

if [[ -f python-shim/scripts/gen_protos.py ]]; then
  "$PY" python-shim/scripts/gen_protos.py
fi
