"""A hashicorp/go-plugin host in Python: start (or attach to) a plugin and hand out gRPC channels.

What the Go host (``plugin.Client``) does, done the same way here:

1. Start the binary with the magic cookie, ``PLUGIN_PROTOCOL_VERSIONS`` and, with AutoMTLS,
   ``PLUGIN_CLIENT_CERT`` in its environment; stdin is /dev/null.
2. Read the handshake line from its stdout within ``start_timeout``:
   ``CORE-PROTOCOL-VERSION|APP-PROTOCOL-VERSION|NETWORK-TYPE|NETWORK-ADDR|PROTOCOL|SERVER-CERT``
   (a 7th field, gRPC broker multiplexing, is ignored). If the process exits first, the error
   carries its exit code and the tail of its stderr.
3. Connect over the Unix socket (TLS with the plugin's certificate as the only root), check
   ``grpc.health.v1`` for the service ``plugin``, and drain ``GRPCStdio`` once in a thread.
4. Forward the plugin's stderr: hclog JSON lines become Python log records on the logger
   ``remotestore_dagster.plugin`` (``@module`` adds a child logger), other lines are logged as text.
5. Stop: ``GRPCController.Shutdown``, wait, then kill. On Linux the plugin asks for
   ``PR_SET_PDEATHSIG(SIGKILL)`` itself when it finds our pid in ``REMOTESTORE_PARENT_PID``, so it
   dies with the Python process even on ``kill -9``; it is started from one long-lived thread
   because Linux ties that signal to the creating thread. No Python code runs between fork and
   exec (no ``preexec_fn``): that is unsafe once pyarrow's and grpcio's threads are running.

``PluginHost.attach`` connects to a sidecar instead (``iomanager serve --reattach-file F``): it reads
the reattach file (or takes ``unix:/path`` / ``host:port``) and never stops the sidecar.
"""

from __future__ import annotations

import atexit
import collections
import concurrent.futures
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import grpc
from google.protobuf import empty_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc

from . import _tls
from ._handshake import CORE_PROTOCOL_VERSION, IOMANAGER, SERVER_CERT_FILE_ENV, Handshake
from ._pb.plugin import grpc_controller_pb2, grpc_controller_pb2_grpc, grpc_stdio_pb2, grpc_stdio_pb2_grpc
from .errors import PluginStartError

__all__ = ["PluginHost", "HandshakeInfo", "find_plugin_binary", "BIN_ENV", "CHANNEL_OPTIONS"]

#: Environment variable naming the plugin binary.
BIN_ENV = "REMOTESTORE_IOMANAGER_BIN"

#: gRPC channel options: big messages (Arrow IPC chunks), and the TLS name go-plugin certificates carry.
CHANNEL_OPTIONS: list[tuple[str, Any]] = [
    ("grpc.max_receive_message_length", 256 << 20),
    ("grpc.max_send_message_length", 256 << 20),
]
_TLS_OPTIONS: list[tuple[str, Any]] = [
    ("grpc.ssl_target_name_override", _tls.SERVER_NAME),
    ("grpc.default_authority", _tls.SERVER_NAME),
]

log = logging.getLogger("remotestore_dagster.host")
plugin_log = logging.getLogger("remotestore_dagster.plugin")

_HCLOG_LEVELS = {
    "trace": 5,
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warn": logging.WARNING,
    "warning": logging.WARNING,
    "error": logging.ERROR,
}
_HCLOG_RESERVED = {"@level", "@message", "@module", "@timestamp", "@caller"}


def find_plugin_binary(path: str | os.PathLike[str] | None = None) -> str:
    """Locate the plugin binary: ``path``, else ``$REMOTESTORE_IOMANAGER_BIN``, else the build bundled in
    this package (``remotestore_dagster/bin/iomanager``), else ``./bin/iomanager`` in the working
    directory or one of its parents, else ``iomanager`` on PATH. Raises PluginStartError naming
    every place it looked."""
    tried: list[str] = []
    candidates: list[Path] = []
    if path:
        candidates.append(Path(path))
    elif os.environ.get(BIN_ENV):
        candidates.append(Path(os.environ[BIN_ENV]))
    else:
        candidates.append(Path(__file__).parent / "bin" / "iomanager")
        cwd = Path.cwd()
        candidates += [d / "bin" / "iomanager" for d in (cwd, *cwd.parents)]
        which = shutil.which("iomanager")
        if which:
            candidates.append(Path(which))
    for c in candidates:
        tried.append(str(c))
        if c.is_file() and os.access(c, os.X_OK):
            return str(c.resolve())
    hint = "" if path or os.environ.get(BIN_ENV) else f"; build it with `make build` or set {BIN_ENV}"
    raise PluginStartError(f"remotestore: iomanager plugin binary not found (tried {', '.join(tried)}){hint}")


@dataclass(frozen=True)
class HandshakeInfo:
    """The parsed handshake line (or reattach config)."""

    core_version: int
    app_version: int
    network: str
    address: str
    protocol: str
    server_cert_pem: bytes | None

    @property
    def target(self) -> str:
        """The grpc target string for the plugin's address."""
        return f"unix:{self.address}" if self.network == "unix" else self.address


def parse_handshake(line: str, versions: Sequence[int]) -> HandshakeInfo:
    """Parse and validate a go-plugin handshake line; raise PluginStartError saying what is wrong."""
    parts = line.strip().split("|")
    if len(parts) < 5:
        raise PluginStartError(f"remotestore: malformed plugin handshake line {line.strip()!r}: want "
                               "CORE-VERSION|APP-VERSION|NETWORK|ADDR|PROTOCOL[|SERVER-CERT]")
    try:
        core, app = int(parts[0]), int(parts[1])
    except ValueError:
        raise PluginStartError(f"remotestore: malformed plugin handshake line {line.strip()!r}: "
                               "versions are not integers") from None
    if core != CORE_PROTOCOL_VERSION:
        raise PluginStartError(f"remotestore: plugin speaks go-plugin core protocol {core}, "
                               f"this host speaks {CORE_PROTOCOL_VERSION}")
    if app not in versions:
        raise PluginStartError(f"remotestore: plugin chose protocol version {app}, this host supports "
                               f"{', '.join(map(str, versions))}: upgrade the plugin or the shim")
    network, address, protocol = parts[2], parts[3], parts[4]
    if network not in ("unix", "tcp"):
        raise PluginStartError(f"remotestore: plugin listens on unsupported network {network!r}")
    if protocol != "grpc":
        raise PluginStartError(f"remotestore: plugin speaks {protocol!r}, this host speaks only grpc")
    cert = None
    if len(parts) > 5 and parts[5]:
        try:
            cert = _tls.server_cert_pem(parts[5])
        except Exception as e:
            raise PluginStartError(f"remotestore: plugin sent an unreadable server certificate: {e}") from e
    return HandshakeInfo(core, app, network, address, protocol, cert)


# ---------------------------------------------------------------------------------------------------
# Process spawning that cannot orphan the plugin.

PARENT_PID_ENV = "REMOTESTORE_PARENT_PID"  # = Go's internal/parentdeath.Env


class _Spawner:
    """One long-lived daemon thread that runs every Popen.

    PR_SET_PDEATHSIG fires when the *thread* that forked the child exits, so children are forked from
    a thread that lives as long as the interpreter, whatever thread asked for the plugin.
    """

    def __init__(self) -> None:
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="remotestore-spawner")

    def popen(self, args: Sequence[str], env: Mapping[str, str]) -> subprocess.Popen[bytes]:
        env = {**env, PARENT_PID_ENV: str(os.getpid())}
        fut = self._pool.submit(
            subprocess.Popen, list(args), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, env=env, close_fds=True,
        )
        return fut.result()


_spawner_lock = threading.Lock()
_spawner: _Spawner | None = None
_spawner_pid = 0


def _get_spawner() -> _Spawner:
    global _spawner, _spawner_pid
    with _spawner_lock:
        if _spawner is None or _spawner_pid != os.getpid():  # a forked child needs its own thread
            _spawner, _spawner_pid = _Spawner(), os.getpid()
        return _spawner


_live_hosts: weakref.WeakSet[PluginHost] = weakref.WeakSet()


@atexit.register
def _stop_all_hosts() -> None:
    for h in list(_live_hosts):
        try:
            h.stop(timeout=2.0)
        except Exception:  # pragma: no cover - best effort at exit
            pass


# ---------------------------------------------------------------------------------------------------


class _IncompatibleCert(Exception):
    """The plugin offered only go-plugin's P-521 AutoMTLS certificate."""


class PluginHost:
    """One running plugin (spawned or attached) and a gRPC channel to it.

    Use as a context manager or call :meth:`start` / :meth:`stop`. ``channel`` is thread-safe; for
    asyncio code make a channel per event loop with :meth:`aio_channel`.

    Args:
        command: the plugin binary and arguments; default: :func:`find_plugin_binary`.
        handshake: cookie, protocol versions and health service (default: the IO manager's).
        auto_mtls: AutoMTLS on the socket (go-plugin's default for gRPC plugins); on by default.
        require_mtls: fail when the plugin offers only go-plugin's P-521 certificate, which grpcio
            cannot verify (see README); by default the host then restarts it without TLS, over the
            private 0700 socket directory, and logs a warning.
        start_timeout: seconds to wait for the handshake line and the health check.
        env: extra environment for the plugin (added to this process's environment).
        logger: where the plugin's logs go (default ``remotestore_dagster.plugin``).
    """

    def __init__(
        self,
        command: Sequence[str] | None = None,
        *,
        handshake: Handshake = IOMANAGER,
        auto_mtls: bool = True,
        require_mtls: bool = False,
        start_timeout: float = 30.0,
        env: Mapping[str, str] | None = None,
        logger: logging.Logger | None = None,
    ) -> None:
        self.command = list(command) if command else None
        self.handshake = handshake
        self.auto_mtls = auto_mtls
        self.require_mtls = require_mtls
        self.start_timeout = start_timeout
        self.extra_env = dict(env or {})
        self.logger = logger or plugin_log
        self.info: HandshakeInfo | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self.attached = False
        self._client_cert: _tls.ClientCert | None = None
        self._channel: grpc.Channel | None = None
        self._stderr_tail: collections.deque[str] = collections.deque(maxlen=40)
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._stopped = False
        self._private_dir: str | None = None

    # -- construction -------------------------------------------------------------------------------

    @classmethod
    def attach(
        cls,
        sidecar: str | os.PathLike[str],
        *,
        handshake: Handshake = IOMANAGER,
        timeout: float = 30.0,
        logger: logging.Logger | None = None,
    ) -> PluginHost:
        """Connect to an already running plugin: ``unix:/path``, ``host:port``, or the path of a
        reattach file written by ``iomanager serve --reattach-file F`` (waited for up to ``timeout``).
        The sidecar's owner stops it; :meth:`stop` only closes the channel."""
        host = cls(handshake=handshake, auto_mtls=False, start_timeout=timeout, logger=logger)
        host.attached = True
        host.info = _read_sidecar(str(sidecar), handshake.versions, timeout)
        host._connect()
        _live_hosts.add(host)
        return host

    def start(self) -> PluginHost:
        """Start the plugin process, hand shake, connect and health-check. Idempotent."""
        with self._lock:
            if self._channel is not None:
                return self
            if self._stopped:
                raise PluginStartError("remotestore: plugin host was stopped; create a new one")
            cmd = self.command or [find_plugin_binary()]
            try:
                self._launch(cmd, self.auto_mtls)
            except _IncompatibleCert as e:
                if self.require_mtls:
                    raise PluginStartError(str(e)) from None
                log.warning("%s; falling back to plaintext gRPC over the private 0700 socket directory", e)
                self._launch(cmd, False)
            return self

    def _launch(self, cmd: list[str], mtls: bool) -> None:
        env = dict(os.environ)
        env.update(self.extra_env)
        env[self.handshake.cookie_key] = self.handshake.cookie_value
        env["PLUGIN_PROTOCOL_VERSIONS"] = ",".join(map(str, self.handshake.versions))
        env.pop("PLUGIN_CLIENT_CERT", None)
        env.pop(SERVER_CERT_FILE_ENV, None)
        # A 0700 directory of our own for the socket (go-plugin's PLUGIN_UNIX_SOCKET_DIR) and the cert.
        self._private_dir = tempfile.mkdtemp(prefix="remotestore-plugin-")
        env["PLUGIN_UNIX_SOCKET_DIR"] = self._private_dir
        self._client_cert = None
        if mtls:
            self._client_cert = _tls.generate_client_cert()
            env["PLUGIN_CLIENT_CERT"] = self._client_cert.cert_pem.decode()
            env[SERVER_CERT_FILE_ENV] = os.path.join(self._private_dir, "server-cert.pem")
        self._threads, self._stderr_tail = [], collections.deque(maxlen=40)
        try:
            self.process = _get_spawner().popen(cmd, env)
        except OSError as e:
            raise PluginStartError(f"remotestore: cannot start plugin {cmd[0]}: {e}") from e
        _live_hosts.add(self)
        log.debug("started plugin %s (pid %d)", cmd[0], self.process.pid)
        try:
            self.info = self._read_handshake(cmd[0])
            if mtls:
                self.info = self._with_server_cert(self.info, cmd[0], env[SERVER_CERT_FILE_ENV])
            self._connect()
        except BaseException:
            self._kill()
            raise

    def _read_handshake(self, name: str) -> HandshakeInfo:
        assert self.process is not None and self.process.stdout is not None and self.process.stderr is not None
        lines: collections.deque[str] = collections.deque()
        got_line = threading.Event()
        self._spawn_thread("stderr", self._pump_stderr, self.process.stderr)
        self._spawn_thread("stdout", self._pump_stdout, self.process.stdout, lines, got_line)
        deadline = time.monotonic() + self.start_timeout
        while not got_line.wait(0.05):
            rc = self.process.poll()
            if rc is not None:
                got_line.wait(0.2)  # the line may still be in the pipe
                if lines:
                    break
                self._join_readers(1.0)
                raise PluginStartError(f"remotestore: plugin {name} exited with code {rc} before the handshake"
                                       f"{self._tail_text()}")
            if time.monotonic() > deadline:
                raise PluginStartError(f"remotestore: plugin {name} did not hand shake within "
                                       f"{self.start_timeout:g}s{self._tail_text()}")
        return parse_handshake(lines[0], self.handshake.versions)

    def _with_server_cert(self, info: HandshakeInfo, name: str, cert_file: str) -> HandshakeInfo:
        """The handshake info with the certificate the plugin wrote to ``cert_file`` (preferred: P-256),
        else the one from the handshake line if grpcio can verify it."""
        try:
            pem = Path(cert_file).read_bytes()
        except FileNotFoundError:
            pem = None
        if pem is not None:
            try:
                _tls.check_usable(pem, name)
            except _tls.UnusableCert as e:  # our own protocol: an unusable cert here is a plugin bug
                raise PluginStartError(str(e)) from None
            return HandshakeInfo(info.core_version, info.app_version, info.network, info.address, info.protocol, pem)
        if info.server_cert_pem is None:
            raise PluginStartError(f"remotestore: plugin {name} sent no server certificate although AutoMTLS was "
                                   "requested; use a go-plugin gRPC server, or auto_mtls=False")
        try:
            _tls.check_usable(info.server_cert_pem, name)
        except _tls.UnusableCert as e:
            raise _IncompatibleCert(str(e)) from None
        return info

    def _connect(self) -> None:
        assert self.info is not None
        self._channel = self._make_channel(grpc)
        try:
            grpc.channel_ready_future(self._channel).result(timeout=self.start_timeout)
            resp = health_pb2_grpc.HealthStub(self._channel).Check(
                health_pb2.HealthCheckRequest(service=self.handshake.health_service), timeout=self.start_timeout)
        except (grpc.FutureTimeoutError, grpc.RpcError) as e:
            self._close_channel()
            detail = e.details() if isinstance(e, grpc.RpcError) else "connection not ready"
            raise PluginStartError(f"remotestore: plugin at {self.info.target} failed its health check: "
                                   f"{detail}{self._tail_text()}") from e
        if resp.status != health_pb2.HealthCheckResponse.SERVING:
            self._close_channel()
            raise PluginStartError(f"remotestore: plugin at {self.info.target} is not serving "
                                   f"({health_pb2.HealthCheckResponse.ServingStatus.Name(resp.status)})")
        if not self.attached:
            self._spawn_thread("stdio", self._drain_stdio, self._channel)

    def _close_channel(self) -> None:
        if self._channel is not None:
            self._channel.close()
            self._channel = None

    def _make_channel(self, mod: Any) -> Any:
        """A channel from ``grpc`` or ``grpc.aio`` (same signatures) to the plugin."""
        assert self.info is not None
        if self.info.server_cert_pem is not None:
            if self._client_cert is None:
                raise PluginStartError("remotestore: sidecar uses TLS, which needs its client certificate")
            creds = grpc.ssl_channel_credentials(root_certificates=self.info.server_cert_pem,
                                                 private_key=self._client_cert.key_pem,
                                                 certificate_chain=self._client_cert.cert_pem)
            return mod.secure_channel(self.info.target, creds, options=CHANNEL_OPTIONS + _TLS_OPTIONS)
        return mod.insecure_channel(self.info.target, options=CHANNEL_OPTIONS)

    # -- use ----------------------------------------------------------------------------------------

    @property
    def channel(self) -> grpc.Channel:
        """The gRPC channel to the plugin (started on first use)."""
        if self._channel is None:
            self.start()
        assert self._channel is not None
        return self._channel

    def aio_channel(self) -> grpc.aio.Channel:
        """A new ``grpc.aio`` channel to the same plugin, for the calling event loop. Close it yourself."""
        if self._channel is None:
            self.start()
        return self._make_channel(grpc.aio)

    @property
    def pid(self) -> int | None:
        """The plugin's process id, when this host spawned it."""
        return self.process.pid if self.process else None

    @property
    def stderr_tail(self) -> list[str]:
        """The last lines the plugin wrote to stderr."""
        return list(self._stderr_tail)

    def alive(self) -> bool:
        """Whether the plugin can still be called (spawned: the process is running)."""
        if self._channel is None:
            return False
        return self.process is None or self.process.poll() is None

    def exit_description(self) -> str:
        """'' while the plugin runs, else its exit code and stderr tail (for error messages)."""
        if self.process is None or self.process.poll() is None:
            return ""
        return f"plugin exited with code {self.process.returncode}{self._tail_text()}"

    # -- stop ---------------------------------------------------------------------------------------

    def stop(self, timeout: float = 5.0) -> None:
        """Ask the plugin to shut down (GRPCController.Shutdown), wait up to ``timeout`` seconds,
        then kill it. An attached sidecar is left running; only the channel closes."""
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
            _live_hosts.discard(self)
            channel, self._channel = self._channel, None
            if channel is not None and self.process is not None and self.process.poll() is None:
                try:
                    grpc_controller_pb2_grpc.GRPCControllerStub(channel).Shutdown(
                        grpc_controller_pb2.Empty(), timeout=timeout)
                except grpc.RpcError:
                    pass  # the server stops while answering; the exit below is what counts
            if channel is not None:
                channel.close()
            if self.process is not None:
                try:
                    self.process.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    log.warning("plugin pid %d ignored shutdown for %gs; killing it", self.process.pid, timeout)
                    self._kill()
            self._join_readers(timeout)
            self._remove_private_dir()

    def _kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._join_readers(2.0)
        self._remove_private_dir()

    def _remove_private_dir(self) -> None:
        if self._private_dir is not None:
            shutil.rmtree(self._private_dir, ignore_errors=True)
            self._private_dir = None

    def __enter__(self) -> PluginHost:
        return self.start() if not self.attached else self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- pumps --------------------------------------------------------------------------------------

    def _spawn_thread(self, what: str, target: Any, *args: Any) -> None:
        t = threading.Thread(target=target, args=args, name=f"remotestore-plugin-{what}", daemon=True)
        t.start()
        self._threads.append(t)

    def _join_readers(self, timeout: float) -> None:
        end = time.monotonic() + timeout
        for t in self._threads:
            if t is not threading.current_thread():
                t.join(max(0.0, end - time.monotonic()))

    def _tail_text(self) -> str:
        tail = [ln for ln in self._stderr_tail if ln.strip()]
        return ("; stderr:\n  " + "\n  ".join(tail[-15:])) if tail else ""

    def _pump_stdout(self, stream: IO[bytes], lines: collections.deque[str], got_line: threading.Event) -> None:
        first = True
        for raw in iter(stream.readline, b""):
            text = raw.decode("utf-8", "replace").rstrip("\n")
            if first:
                lines.append(text)
                got_line.set()
                first = False
            elif text:
                self.logger.info("%s", text, extra={"plugin_stream": "stdout"})
        stream.close()

    def _pump_stderr(self, stream: IO[bytes]) -> None:
        for raw in iter(stream.readline, b""):
            text = raw.decode("utf-8", "replace").rstrip("\n")
            self._stderr_tail.append(text)
            forward_log_line(text, self.logger)
        stream.close()

    def _drain_stdio(self, channel: grpc.Channel) -> None:
        """Call GRPCStdio.StreamStdio once and log what the plugin writes to its stdout/stderr."""
        try:
            for chunk in grpc_stdio_pb2_grpc.GRPCStdioStub(channel).StreamStdio(empty_pb2.Empty()):
                name = "stderr" if chunk.channel == grpc_stdio_pb2.StdioData.STDERR else "stdout"
                for line in chunk.data.decode("utf-8", "replace").splitlines():
                    if line:
                        self.logger.info("%s", line, extra={"plugin_stream": name})
        except grpc.RpcError:
            pass  # channel closed or plugin gone: the stream simply ends
        except ValueError:
            pass  # "Cannot invoke RPC on closed channel"


def forward_log_line(text: str, logger: logging.Logger) -> None:
    """Log one line of plugin stderr: hclog JSON becomes a record at its level, with its key/value
    pairs appended (and kept as ``record.plugin_fields``); other text is logged as is (INFO, or ERROR
    for a Go panic)."""
    if not text.strip():
        return
    if text.startswith("{"):
        try:
            entry = json.loads(text)
        except ValueError:
            entry = None
        if isinstance(entry, dict) and "@message" in entry:
            level = _HCLOG_LEVELS.get(str(entry.get("@level", "info")).lower(), logging.INFO)
            fields = {k: v for k, v in entry.items() if k not in _HCLOG_RESERVED}
            target = logger.getChild(str(entry["@module"])) if entry.get("@module") else logger
            kv = " ".join(f"{k}={v!r}" if isinstance(v, str) and " " in v else f"{k}={v}" for k, v in fields.items())
            msg = str(entry["@message"]) + (f" {kv}" if kv else "")
            target.log(level, "%s", msg, extra={"plugin_fields": fields, "plugin_stream": "log"})
            return
    lvl = logging.ERROR if text.startswith(("panic: ", "fatal error: ")) else logging.INFO
    logger.log(lvl, "%s", text, extra={"plugin_stream": "stderr"})


def _read_sidecar(sidecar: str, versions: Sequence[int], timeout: float) -> HandshakeInfo:
    """A HandshakeInfo from ``unix:/path``, ``host:port`` or a reattach file (JSON)."""
    if sidecar.startswith("unix:"):
        return HandshakeInfo(CORE_PROTOCOL_VERSION, versions[-1], "unix", sidecar[len("unix:"):], "grpc", None)
    path = Path(sidecar)
    if not path.suffix and ":" in sidecar and not path.exists():
        return HandshakeInfo(CORE_PROTOCOL_VERSION, versions[-1], "tcp", sidecar, "grpc", None)
    deadline = time.monotonic() + timeout
    while True:
        try:
            data = json.loads(path.read_text())
            break
        except FileNotFoundError:
            if time.monotonic() > deadline:
                raise PluginStartError(f"remotestore: sidecar reattach file {path} did not appear "
                                       f"within {timeout:g}s") from None
            time.sleep(0.05)
        except ValueError as e:  # being written: retry until the deadline
            if time.monotonic() > deadline:
                raise PluginStartError(f"remotestore: sidecar reattach file {path} is not JSON: {e}") from e
            time.sleep(0.05)
    return _reattach_info(data, versions, str(path))


def _reattach_info(data: Any, versions: Sequence[int], where: str) -> HandshakeInfo:
    """Accept go-plugin's ReattachConfig as JSON (``Protocol``, ``ProtocolVersion``, ``Addr`` with
    ``Network``/``String``, ``Pid``), snake_case variants, or Terraform's one-entry map of those."""
    if isinstance(data, dict) and len(data) == 1:
        (only,) = data.values()
        if isinstance(only, dict) and ("Addr" in only or "addr" in only):
            data = only
    if not isinstance(data, dict):
        raise PluginStartError(f"remotestore: reattach file {where}: want a JSON object")

    def pick(*keys: str, src: Mapping[str, Any] = data) -> Any:
        for k in keys:
            if k in src:
                return src[k]
        return None

    addr = pick("Addr", "addr", "address")
    if isinstance(addr, dict):
        network, address = pick("Network", "network", src=addr), pick("String", "string", "address", src=addr)
    else:
        network, address = pick("Network", "network") or "unix", addr
    if not address:
        raise PluginStartError(f"remotestore: reattach file {where} names no address")
    protocol = str(pick("Protocol", "protocol") or "grpc")
    version = int(pick("ProtocolVersion", "protocol_version") or versions[-1])
    line = f"{CORE_PROTOCOL_VERSION}|{version}|{network}|{address}|{protocol}|"
    try:
        return parse_handshake(line, versions)
    except PluginStartError as e:
        raise PluginStartError(f"{e} (from reattach file {where})") from None
