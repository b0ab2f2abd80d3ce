#!/usr/bin/env bash
# Installs PostgreSQL's server binaries (initdb and postgres), which the SQL
# backend's tests use to start a throwaway cluster on 127.0.0.1 in a temporary
# folder (internal/testserver/postgres). No system cluster is needed or wanted.
#
# Idempotent: does nothing when initdb and postgres are found — in
# $REMOTESTORE_PG_BINDIR, on PATH, or in /usr/lib/postgresql/*/bin (Debian),
# the same places the tests look. Otherwise runs
# `apt-get install -y postgresql` non-interactively (through sudo when not
# root). A policy-rc.d that denies service starts is put in place for the
# install (when none exists), and a cluster the package created and started
# anyway is stopped and set to start manually, so no system PostgreSQL is left
# listening afterwards.
#
# The tests run the cluster as an unprivileged account when they run as root
# (PostgreSQL refuses root): the "postgres" account the package creates, else
# "nobody" (see internal/testserver/postgres).
#
#   bash scripts/install-postgres.sh
#   INSTALL_POSTGRES_FORCE=1 bash scripts/install-postgres.sh   # run the apt path even when found
set -euo pipefail

log() { echo "install-postgres: $*"; }

# find_bins prints the folder holding both initdb and postgres, or fails.
find_bins() {
  local d
  if [[ -n ${REMOTESTORE_PG_BINDIR:-} ]]; then
    if [[ -x $REMOTESTORE_PG_BINDIR/initdb && -x $REMOTESTORE_PG_BINDIR/postgres ]]; then
      echo "$REMOTESTORE_PG_BINDIR"
      return 0
    fi
    echo "install-postgres: REMOTESTORE_PG_BINDIR=$REMOTESTORE_PG_BINDIR holds no executable initdb and postgres" >&2
    return 1
  fi
  if command -v initdb >/dev/null 2>&1 && command -v postgres >/dev/null 2>&1; then
    dirname "$(readlink -f "$(command -v postgres)")"
    return 0
  fi
  # Newest version first.
  for d in $(ls -d /usr/lib/postgresql/*/bin /usr/pgsql-*/bin 2>/dev/null | sort -V -r) /usr/local/pgsql/bin; do
    if [[ -x $d/initdb && -x $d/postgres ]]; then
      echo "$d"
      return 0
    fi
  done
  return 1
}

# online_clusters lists "version name" of the Debian clusters that are running.
online_clusters() {
  if command -v pg_lsclusters >/dev/null 2>&1; then
    pg_lsclusters -h 2>/dev/null | awk '$4 ~ /^online/ {print $1, $2}'
  fi
}

# all_clusters lists "version name" of every Debian cluster.
all_clusters() {
  if command -v pg_lsclusters >/dev/null 2>&1; then
    pg_lsclusters -h 2>/dev/null | awk '{print $1, $2}'
  fi
}

if [[ -n ${REMOTESTORE_PG_BINDIR:-} ]]; then
  # An explicit folder is used as it is, never installed into.
  dir=$(find_bins)
  log "initdb and postgres present in $dir ($("$dir/postgres" --version))"
  exit 0
fi

if [[ ${INSTALL_POSTGRES_FORCE:-0} != 1 ]] && dir=$(find_bins); then
  log "initdb and postgres present in $dir ($("$dir/postgres" --version))"
  while read -r ver name; do
    [[ -z ${ver:-} ]] && continue
    log "note: the system cluster $ver/$name is running; the tests do not use it (they start their own on 127.0.0.1)"
  done < <(online_clusters)
  exit 0
fi

SUDO=()
if [[ $(id -u) -ne 0 ]]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "install-postgres: not root and no sudo; install PostgreSQL as root (apt-get install -y postgresql)" >&2
    exit 1
  fi
  SUDO=(sudo -n)
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-postgres: apt-get not found; install PostgreSQL's server (initdb, postgres) with this system's package manager, or set REMOTESTORE_PG_BINDIR" >&2
  exit 1
fi

BEFORE=$(all_clusters || true)

# Deny service starts during the install (invoke-rc.d and deb-systemd-invoke
# honour policy-rc.d; exit 101 means "action forbidden"). Keep an existing
# policy untouched.
POLICY=/usr/sbin/policy-rc.d
OWN_POLICY=0
if [[ ! -e $POLICY ]]; then
  printf '#!/bin/sh\n# installed by remotestore scripts/install-postgres.sh for the duration of an apt-get install\nexit 101\n' |
    "${SUDO[@]}" tee "$POLICY" >/dev/null
  "${SUDO[@]}" chmod 755 "$POLICY"
  OWN_POLICY=1
fi
cleanup() {
  if [[ $OWN_POLICY -eq 1 ]]; then
    "${SUDO[@]}" rm -f "$POLICY"
  fi
}
trap cleanup EXIT

APT=("${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -y -q --no-install-recommends
  -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
log "apt-get install -y postgresql"
if ! "${APT[@]}" install postgresql; then
  log "install failed; refreshing the package lists and trying again"
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
  "${APT[@]}" install postgresql
fi

# The package creates a cluster "main" (listening on localhost) and would
# start it. Should one be running after all (no policy-rc.d support, a
# systemd that ignored it), stop it, and let the clusters this install
# created start only by hand: the tests run their own.
if command -v systemctl >/dev/null 2>&1 && [[ -d /run/systemd/system ]]; then
  if [[ -z $BEFORE ]]; then
    "${SUDO[@]}" systemctl disable --now postgresql.service >/dev/null 2>&1 || true
  fi
fi
while read -r ver name; do
  [[ -z ${ver:-} ]] && continue
  if ! grep -qx "$ver $name" <<<"$BEFORE"; then
    log "stopping the system cluster $ver/$name the package started"
    "${SUDO[@]}" pg_ctlcluster "$ver" "$name" stop || true
  fi
done < <(online_clusters)
while read -r ver name; do
  [[ -z ${ver:-} ]] && continue
  conf=/etc/postgresql/$ver/$name/start.conf
  if ! grep -qx "$ver $name" <<<"$BEFORE" && [[ -f $conf ]]; then
    log "cluster $ver/$name: start.conf set to manual"
    echo manual | "${SUDO[@]}" tee "$conf" >/dev/null
  fi
done < <(all_clusters)

if ! dir=$(find_bins); then
  echo "install-postgres: initdb and postgres missing after the install" >&2
  exit 1
fi
log "installed $("$dir/postgres" --version) in $dir"
