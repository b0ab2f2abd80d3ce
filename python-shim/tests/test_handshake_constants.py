"""The Python side's handshake constants agree with iomanager/grpcplugin/handshake.go."""

from __future__ import annotations

import re
from pathlib import Path

from remotestore_dagster._handshake import IOMANAGER

HANDSHAKE_GO = Path(__file__).resolve().parents[2] / "iomanager" / "grpcplugin" / "handshake.go"


def test_cookie_and_versions_match_go() -> None:
    src = HANDSHAKE_GO.read_text()
    consts = dict(re.findall(r'(\w+)\s*=\s*"([^"]*)"', src))
    assert IOMANAGER.cookie_key in consts.values(), f"cookie key {IOMANAGER.cookie_key!r} not in {HANDSHAKE_GO}"
    assert IOMANAGER.cookie_value in consts.values(), f"cookie value {IOMANAGER.cookie_value!r} not in {HANDSHAKE_GO}"
    m = re.search(r"ProtocolVersion\w*\s*=\s*(\d+)", src)
    assert m, f"no ProtocolVersion constant in {HANDSHAKE_GO}"
    assert int(m.group(1)) in IOMANAGER.versions
