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


class GoTestServer:
    """A server started by the Go command internal/testserver/cmd/testserver (Azurite, OpenSSH's sshd)
    with the Go tests' own set-up; it runs until ``stop``."""

    def __init__(self, proc: subprocess.Popen[str], url: str, env: dict[str, str]) -> None:
        self.proc, self.base_url, self.env = proc, url, env

    def url(self, prefix: str) -> str:
        """A store URL for a fresh folder ``prefix`` below the server's base (created on first write)."""
        from urllib.parse import urlsplit, urlunsplit

        u = urlsplit(self.base_url)
        query = u.query
        if u.scheme == "sftp":  # a folder must exist before SFTP writes into it; object stores need none
            query = "&".join(q for q in (query, "create_root=true") if q)
        return urlunsplit((u.scheme, u.netloc, u.path.rstrip("/") + "/" + prefix, query, ""))

    def stop(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()  # the command stops the server and removes its data
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class ServerMissing(Exception):
    """The server's binary is not installed (the message says how to install it)."""


def start_go_testserver(name: str, binary: Path) -> GoTestServer:
    """Run ``binary name`` (the built testserver command); ServerMissing when the server is not installed."""
    import json

    proc = subprocess.Popen([str(binary), name], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stderr is not None
    line = proc.stdout.readline()
    if not line:
        err = proc.stderr.read().strip()
        code = proc.wait()
        if code == 3:
            raise ServerMissing(err)
        raise RuntimeError(f"testserver {name} exited with code {code}: {err}")
    info = json.loads(line)
    return GoTestServer(proc, info["url"], info["env"])


def stop_process(proc: subprocess.Popen[bytes]) -> None:
    """Terminate a server process, killing it after 10 s."""
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
