#!/usr/bin/env bash
# Installs Azurite (MIT), Microsoft's Azure Storage emulator, which the Azure Blob backend tests
# run against, into ./.cache/azurite with npm (project-local: `npm install --prefix`, nothing
# global). Idempotent: skips when the pinned version is already there (version stamp).
# Only its blob service is used: .cache/azurite/node_modules/.bin/azurite-blob.
#
#   bash scripts/install-azurite.sh                 # install the pinned version
#   AZURITE_VERSION=3.37.0 bash scripts/...         # pin another version
#
# Needs node and npm on PATH (Debian 12: apt-get install nodejs npm).
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=${AZURITE_VERSION:-3.35.0}
DIR=$PWD/.cache/azurite
BIN=$DIR/node_modules/.bin/azurite-blob
STAMP=$DIR/.azurite.version

if [[ -x $BIN && -f $STAMP && $(cat "$STAMP") == "$VERSION" ]]; then
  echo "install-azurite: $BIN $VERSION present"
  exit 0
fi
for tool in node npm; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "install-azurite: $tool not found on PATH; install Node.js and npm first (Debian: apt-get install nodejs npm)" >&2
    exit 1
  fi
done
mkdir -p "$DIR"
rm -f "$STAMP"
# A package.json of its own keeps npm from walking up into another project.
[[ -f $DIR/package.json ]] || echo '{"name":"remotestore-azurite","private":true}' > "$DIR/package.json"
echo "install-azurite: npm install azurite@$VERSION into $DIR (node $(node --version))"
npm install --prefix "$DIR" --no-audit --no-fund --omit=dev --save-exact "azurite@$VERSION"
"$BIN" --version >/dev/null
echo "$VERSION" > "$STAMP"
echo "install-azurite: installed $BIN ($VERSION)"
