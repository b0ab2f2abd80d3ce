"""Run the Go latency proxy (``internal/testserver/latency``) as its own process: an HTTP reverse
proxy on 127.0.0.1 that waits a fixed delay before forwarding each request, to make a loopback S3
server behave like one across a network.

It runs outside this interpreter on purpose: an in-process Python proxy shares the GIL and the
event loop with the IO managers being measured and caps their bandwidth, which a network's round
trip does not. ``make bench-python`` builds the binary into ``bin/latency-proxy``;
``$REMOTESTORE_LATENCY_PROXY_BIN`` names another.

    with LatencyProxy("http://127.0.0.1:7070", 0.020) as p:
        url = p.url            # http://127.0.0.1:PORT
    print(p.requests, p.counts)  # after exit: requests forwarded, by kind
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def proxy_binary() -> str:
    path = os.environ.get("REMOTESTORE_LATENCY_PROXY_BIN") or str(REPO / "bin" / "latency-proxy")
    if not os.access(path, os.X_OK):
        raise FileNotFoundError(f"{path}: build it with `go build -o bin/latency-proxy "
                                "./internal/testserver/latency/cmd/latency-proxy` (make bench-python does)")
    return path


class LatencyProxy:
    """The proxy process; ``url`` while running, ``requests``/``counts`` after it stopped."""

    def __init__(self, target: str, delay: float) -> None:
        self.target, self.delay = target, delay
        self.url = ""
        self.requests = 0
        self.counts: dict[str, int] = {}
        self._proc: subprocess.Popen[str] | None = None

    def __enter__(self) -> LatencyProxy:
        self._proc = subprocess.Popen([proxy_binary(), "-target", self.target, "-delay", f"{self.delay * 1000:g}ms"],
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert self._proc.stdout is not None
        self.url = self._proc.stdout.readline().strip()
        if not self.url.startswith("http://"):
            self._proc.kill()
            raise RuntimeError(f"latency proxy did not start: {self._proc.communicate()[1]}")
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._proc is not None
        _, err = self._proc.communicate(input="", timeout=30)  # closing stdin stops it
        for field in (err.strip().splitlines() or [""])[-1].split():
            kind, _, n = field.partition("=")
            if n.isdigit():
                self.counts[kind] = int(n)
        self.requests = sum(self.counts.values())
