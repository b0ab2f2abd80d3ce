"""Test servers started from Python (used by conftest.py and the benchmarks)."""

from __future__ import annotations

import os
import subprocess
import urllib.error
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


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
    env = dict(os.environ, ROOT_ACCESS_KEY=S3Server.access, ROOT_SECRET_KEY=S3Server.secret)
    proc = subprocess.Popen(
        [str(exe), "--port", f"127.0.0.1:{port}", "--region", S3Server.region, "--quiet", "posix", str(root)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
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



def stop_process(proc: subprocess.Popen[bytes]) -> None:
    """Terminate a server process, killing it after 10 s."""
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
