#!/usr/bin/env bash
# Installs versitygw (Apache-2.0), the S3-compatible server the S3 backend tests run against,
# into ./.cache/bin. Idempotent: skips when the binary of the pinned version is already there.
# Installed with a separate `go install pkg@version`, never through this module's go.mod.
#
#   bash scripts/install-versitygw.sh             # install v1.8.0 into ./.cache/bin
#   VERSITYGW_VERSION=v1.8.0 bash scripts/...     # pin another version
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=${VERSITYGW_VERSION:-v1.8.0}
BIN_DIR=$PWD/.cache/bin
BIN=$BIN_DIR/versitygw
STAMP=$BIN_DIR/.versitygw.version

if [[ -x $BIN && -f $STAMP && $(cat "$STAMP") == "$VERSION" ]]; then
  echo "install-versitygw: $BIN $VERSION present"
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  echo "install-versitygw: go not found on PATH; install Go 1.24+ first" >&2
  exit 1
fi
mkdir -p "$BIN_DIR"
echo "install-versitygw: go install github.com/versity/versitygw/cmd/versitygw@$VERSION (about 90 s on 2 cores)"
# GOFLAGS of the caller (e.g. -mod=vendor) must not leak into an install outside this module.
GOFLAGS=-buildvcs=false GOBIN=$BIN_DIR go install "github.com/versity/versitygw/cmd/versitygw@$VERSION"
echo "$VERSION" > "$STAMP"
echo "install-versitygw: installed $BIN ($VERSION)"
