"""Shared fixtures: the Go test plugin, the real iomanager plugin, and a versitygw S3 server."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
REQUIRE_SERVERS = os.environ.get("REMOTESTORE_REQUIRE_SERVERS") == "1"


def go_build(pkg: str, out: Path) -> Path:
    """`go build` a package of this repository into out; skip (or fail in CI) without Go."""
    go = shutil.which("go")
    if go is None:
        if REQUIRE_SERVERS:
            pytest.fail("go is not on PATH")
        pytest.skip("go is not on PATH")
    env = dict(os.environ, GOFLAGS="-buildvcs=false")
    subprocess.run([go, "build", "-o", str(out), pkg], cwd=REPO, env=env, check=True)
    return out


@pytest.fixture(scope="session")
def testplugin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The path of a freshly built python-shim/tests/testplugin binary."""
    return go_build("./python-shim/tests/testplugin", tmp_path_factory.mktemp("bin") / "testplugin")
