#!/usr/bin/env bash
# Installs OpenSSH's server (Debian package openssh-server: /usr/sbin/sshd and
# the sftp subsystem /usr/lib/openssh/sftp-server), which the SFTP backend's
# tests start on 127.0.0.1 with a temporary config (internal/testserver/sftp).
#
# Idempotent: does nothing when both binaries are there. Otherwise runs
# `apt-get install -y openssh-server` non-interactively (through sudo when not
# root). The system's sshd service is never wanted: a policy-rc.d that denies
# service starts is put in place for the install (when none exists), and an
# sshd the package started anyway is stopped, so nothing listens on port 22
# afterwards.
#
#   bash scripts/install-sshd.sh
set -euo pipefail

SSHD=/usr/sbin/sshd
SFTP_SERVER=/usr/lib/openssh/sftp-server

if [[ -x $SSHD && -x $SFTP_SERVER ]]; then
  echo "install-sshd: $SSHD and $SFTP_SERVER present"
  exit 0
fi

SUDO=()
if [[ $(id -u) -ne 0 ]]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "install-sshd: not root and no sudo; install openssh-server as root (apt-get install -y openssh-server)" >&2
    exit 1
  fi
  SUDO=(sudo -n)
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-sshd: apt-get not found; install OpenSSH's sshd and sftp-server with this system's package manager" >&2
  exit 1
fi

# Deny service starts during the install (invoke-rc.d honours policy-rc.d;
# exit 101 means "action forbidden"). Keep an existing policy untouched.
POLICY=/usr/sbin/policy-rc.d
OWN_POLICY=0
if [[ ! -e $POLICY ]]; then
  printf '#!/bin/sh\n# installed by remotestore scripts/install-sshd.sh for the duration of an apt-get install\nexit 101\n' |
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

export DEBIAN_FRONTEND=noninteractive
echo "install-sshd: apt-get install -y openssh-server"
if ! "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends openssh-server; then
  echo "install-sshd: install failed; refreshing the package lists and trying again"
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends openssh-server
fi

# Should a system sshd have started after all (no policy-rc.d support, a
# systemd that ignored it), stop and disable it: the tests run their own on
# 127.0.0.1 and nothing may listen on all addresses.
if command -v systemctl >/dev/null 2>&1 && [[ -d /run/systemd/system ]]; then
  "${SUDO[@]}" systemctl disable --now ssh.service ssh.socket >/dev/null 2>&1 || true
fi
if [[ -f /run/sshd.pid ]]; then
  pid=$(cat /run/sshd.pid 2>/dev/null || true)
  if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
    echo "install-sshd: stopping the system sshd the package started (pid $pid)"
    "${SUDO[@]}" kill "$pid" || true
  fi
fi

for f in "$SSHD" "$SFTP_SERVER"; do
  if [[ ! -x $f ]]; then
    echo "install-sshd: $f missing after the install" >&2
    exit 1
  fi
done
echo "install-sshd: installed $("$SSHD" -V 2>&1 | head -n1)"
