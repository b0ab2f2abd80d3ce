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


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class S3Server:
    """A versitygw (posix backend) on 127.0.0.1 with one bucket; credentials in ``env``."""

    access, secret, region = "remotestore-test", "remotestore-test-secret", "us-east-1"

    def __init__(self, root: Path, port: int, proc: subprocess.Popen[bytes]) -> None:
        self.root, self.port, self.proc = root, port, proc
        self.endpoint = f"http://127.0.0.1:{port}"

    @property
    def env(self) -> dict[str, str]:
        return {"AWS_ACCESS_KEY_ID": self.access, "AWS_SECRET_ACCESS_KEY": self.secret, "AWS_REGION": self.region}

    def bucket(self, name: str) -> str:
        """Create a bucket (a folder of the posix backend) and return its name."""
        (self.root / name).mkdir(exist_ok=True)
        return name

    def url(self, bucket: str, prefix: str = "", endpoint: str | None = None) -> str:
        """A store URL for the Go s3 backend."""
        ep = endpoint or self.endpoint
        return f"s3://{bucket}/{prefix}?endpoint={ep}&region={self.region}&use_path_style=true"


def start_versitygw(tmp: Path) -> S3Server | None:
    """Start ./.cache/bin/versitygw on a free 127.0.0.1 port, or return None when it is not installed."""
    import time
    import urllib.request

    exe = REPO / ".cache" / "bin" / "versitygw"
    if not exe.exists():
        return None
    root = tmp / "s3-root"
    root.mkdir()
    port = _free_port()
    proc = subprocess.Popen(
        [str(exe), "--access", S3Server.access, "--secret", S3Server.secret, "--region", S3Server.region,
         "--port", f"127.0.0.1:{port}", "posix", str(root)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"versitygw exited with code {proc.returncode}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
            break
        except urllib.error.HTTPError:  # 403 without credentials: it is up
            break
        except OSError:
            time.sleep(0.1)
    else:
        proc.kill()
        raise RuntimeError("versitygw did not listen within 30s")
    return S3Server(root, port, proc)


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """A versitygw S3 server for the session; skipped when not installed (failed under
    REMOTESTORE_REQUIRE_SERVERS=1). Install it with `bash scripts/install-versitygw.sh`."""
    srv = start_versitygw(tmp_path_factory.mktemp("s3"))
    if srv is None:
        msg = "versitygw not installed in ./.cache/bin (bash scripts/install-versitygw.sh)"
        if REQUIRE_SERVERS:
            pytest.fail(msg)
        pytest.skip(msg)
    yield srv
    srv.proc.terminate()
    try:
        srv.proc.wait(10)
    except subprocess.TimeoutExpired:
        srv.proc.kill()
