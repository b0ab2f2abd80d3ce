"""A TCP proxy on 127.0.0.1 that adds a fixed delay to every request, to make a loopback S3 server
behave like one across a network.

"Request" means: the first bytes a client sends after the server last answered on that connection
(HTTP/1.1 keep-alive sends requests one after another), so each S3 call pays ``delay`` once however
large its body is, the way a round trip would.

    python bench/latency_proxy.py --listen 127.0.0.1:0 --upstream 127.0.0.1:7070 --delay-ms 20

or in-process: ``with LatencyProxy("127.0.0.1", 7070, 0.020) as p: url = f"http://127.0.0.1:{p.port}"``.
"""

from __future__ import annotations

import argparse
import asyncio
import threading
from typing import Any


class LatencyProxy:
    """Run the proxy on its own event loop in a daemon thread; ``port`` is where it listens."""

    def __init__(self, upstream_host: str, upstream_port: int, delay: float, listen_port: int = 0) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.delay = delay
        self.port = listen_port
        self.requests = 0
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.base_events.Server | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="latency-proxy", daemon=True)

    def __enter__(self) -> LatencyProxy:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("latency proxy did not start")

    def stop(self) -> None:
        def _close() -> None:
            if self._server is not None:
                self._server.close()
            for task in asyncio.all_tasks(self._loop):
                task.cancel()
            self._loop.stop()

        self._loop.call_soon_threadsafe(_close)
        self._thread.join(10)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", self.port))
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()

    async def _handle(self, creader: asyncio.StreamReader, cwriter: asyncio.StreamWriter) -> None:
        try:
            sreader, swriter = await asyncio.open_connection(*self.upstream)
        except OSError:
            cwriter.close()
            return
        state = {"idle": True}  # True: the next client bytes start a new request

        async def client_to_server() -> None:
            while data := await creader.read(1 << 16):
                if state["idle"]:
                    state["idle"] = False
                    self.requests += 1
                    await asyncio.sleep(self.delay)
                swriter.write(data)
                await swriter.drain()
            swriter.write_eof() if swriter.can_write_eof() else None

        async def server_to_client() -> None:
            while data := await sreader.read(1 << 16):
                state["idle"] = True
                cwriter.write(data)
                await cwriter.drain()
            cwriter.close()

        tasks: list[Any] = [asyncio.ensure_future(client_to_server()), asyncio.ensure_future(server_to_client())]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        except asyncio.CancelledError:
            pass
        finally:
            for t in tasks:
                t.cancel()
            for w in (cwriter, swriter):
                try:
                    w.close()
                except Exception:
                    pass


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--listen", default="127.0.0.1:0")
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--delay-ms", type=float, default=20.0)
    a = ap.parse_args()
    uh, up = a.upstream.rsplit(":", 1)
    proxy = LatencyProxy(uh, int(up), a.delay_ms / 1000, int(a.listen.rsplit(":", 1)[1]))
    proxy.start()
    print(f"latency proxy 127.0.0.1:{proxy.port} → {a.upstream} (+{a.delay_ms:g} ms per request)", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        proxy.stop()


if __name__ == "__main__":
    main()
