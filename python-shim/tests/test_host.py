"""The go-plugin host against a real go-plugin server (python-shim/tests/testplugin)."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from remotestore_dagster import host as hostmod
from remotestore_dagster._handshake import Handshake
from remotestore_dagster.errors import PluginStartError
from remotestore_dagster.host import PluginHost, find_plugin_binary, parse_handshake

from ._echo import HANDSHAKE, aecho, echo


def start(testplugin: Path, mode: str = "", **kw: object) -> PluginHost:
    env = {"TESTPLUGIN_MODE": mode} if mode else {}
    return PluginHost([str(testplugin)], handshake=HANDSHAKE, env=env, **kw).start()  # type: ignore[arg-type]


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie still "exists": look at its state
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except FileNotFoundError:
        return False


def wait_dead(pid: int, timeout: float = 10.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if not pid_alive(pid):
            return True
        time.sleep(0.05)
    return False


def test_handshake_automtls_call_and_graceful_stop(testplugin: Path) -> None:
    h = start(testplugin)
    try:
        assert h.info is not None
        assert h.info.network == "unix" and h.info.protocol == "grpc" and h.info.app_version == 1
        assert h.info.server_cert_pem is not None and b"BEGIN CERTIFICATE" in h.info.server_cert_pem
        assert h.info.address.startswith(h._private_dir or "?")  # socket in our 0700 dir
        assert oct(os.stat(os.path.dirname(h.info.address)).st_mode & 0o777) == "0o700"
        assert echo(h.channel, "hello") == "hello"
        assert int(echo(h.channel, "pid")) == h.pid
        resp = health_pb2_grpc.HealthStub(h.channel).Check(health_pb2.HealthCheckRequest(service="plugin"))
        assert resp.status == health_pb2.HealthCheckResponse.SERVING
    finally:
        h.stop()
    assert h.process is not None and h.process.returncode == 0  # exited by itself after Shutdown
    assert not h.alive()


def test_channel_is_really_tls(testplugin: Path) -> None:
    """A plaintext client must be refused by the AutoMTLS server."""
    with start(testplugin) as h:
        assert h.info is not None
        plain = grpc.insecure_channel(h.info.target)
        with pytest.raises(grpc.RpcError):
            echo(plain, "x")
        plain.close()


def test_plaintext_when_auto_mtls_off(testplugin: Path) -> None:
    with start(testplugin, auto_mtls=False) as h:
        assert h.info is not None and h.info.server_cert_pem is None
        assert echo(h.channel, "plain") == "plain"


def test_plugin_logs_and_stdio_reach_python_logging(testplugin: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(5, logger="remotestore_dagster")
    with start(testplugin) as h:
        echo(h.channel, "log me please")
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            msgs = [r for r in caplog.records if r.name.startswith("remotestore_dagster.plugin")]
            if any(r.getMessage() == "stdout:log me please" for r in msgs) and any(
                r.getMessage().startswith("echo ") for r in msgs
            ):
                break
            time.sleep(0.05)
    logged = [r for r in caplog.records if r.getMessage().startswith("echo ")]
    assert logged, [r.getMessage() for r in caplog.records]
    rec = logged[0]
    assert rec.name == "remotestore_dagster.plugin.testplugin"  # hclog @module → child logger
    assert rec.levelno == logging.INFO
    assert rec.plugin_fields == {"value": "log me please", "n": 13}  # type: ignore[attr-defined]
    assert "value='log me please'" in rec.getMessage()
    out = [r for r in caplog.records if r.getMessage() == "stdout:log me please"]
    assert out and out[0].plugin_stream == "stdout"  # type: ignore[attr-defined]


def test_forward_log_line_levels(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(1)
    lg = logging.getLogger("remotestore_dagster.plugin.t")
    hostmod.forward_log_line('{"@level":"warn","@message":"slow","@module":"s3","ms":20}', lg)
    hostmod.forward_log_line('{"@level":"trace","@message":"tiny"}', lg)
    hostmod.forward_log_line("panic: runtime error: index out of range", lg)
    hostmod.forward_log_line("plain text", lg)
    got = [(r.name, r.levelno, r.getMessage()) for r in caplog.records]
    assert got == [
        ("remotestore_dagster.plugin.t.s3", logging.WARNING, "slow ms=20"),
        ("remotestore_dagster.plugin.t", 5, "tiny"),
        ("remotestore_dagster.plugin.t", logging.ERROR, "panic: runtime error: index out of range"),
        ("remotestore_dagster.plugin.t", logging.INFO, "plain text"),
    ]


def test_crash_before_handshake_reports_exit_code_and_stderr_tail(testplugin: Path) -> None:
    with pytest.raises(PluginStartError) as ei:
        start(testplugin, "crash")
    msg = str(ei.value)
    assert "exited with code 3 before the handshake" in msg
    assert 'fatal: bucket "nope" does not exist' in msg
    assert "loading config" in msg


def test_wrong_cookie_shows_go_plugins_message(testplugin: Path) -> None:
    bad = Handshake(HANDSHAKE.cookie_key, "wrong")
    with pytest.raises(PluginStartError, match="This binary is a plugin"):
        PluginHost([str(testplugin)], handshake=bad).start()


def test_handshake_timeout_kills_the_process(testplugin: Path) -> None:
    h = PluginHost([str(testplugin)], handshake=HANDSHAKE, env={"TESTPLUGIN_MODE": "hang"}, start_timeout=1)
    with pytest.raises(PluginStartError, match="did not hand shake within 1s"):
        h.start()
    assert h.process is not None and h.process.poll() is not None


def test_malformed_handshake_line(testplugin: Path) -> None:
    with pytest.raises(PluginStartError, match="malformed plugin handshake line 'this is not a handshake'"):
        start(testplugin, "badline")


def test_protocol_version_mismatch(testplugin: Path) -> None:
    v2 = Handshake(HANDSHAKE.cookie_key, HANDSHAKE.cookie_value, versions=(2,))
    with pytest.raises(PluginStartError, match="plugin chose protocol version 1, this host supports 2"):
        PluginHost([str(testplugin)], handshake=v2).start()


def test_health_check_failure_is_reported(testplugin: Path) -> None:
    odd = Handshake(HANDSHAKE.cookie_key, HANDSHAKE.cookie_value, health_service="not-a-service")
    h = PluginHost([str(testplugin)], handshake=odd, start_timeout=5)
    with pytest.raises(PluginStartError, match="failed its health check"):
        h.start()
    assert not h.alive() and h.process is not None and h.process.poll() is not None
    with pytest.raises(PluginStartError, match="failed its health check"):
        h.start()  # a failed start leaves nothing half-open: a retry really retries


def test_go_plugin_p521_certificate_gets_a_clear_error(testplugin: Path) -> None:
    with pytest.raises(PluginStartError, match="secp521r1"):
        start(testplugin, "go-plugin-mtls", require_mtls=True)


def test_go_plugin_p521_certificate_falls_back_to_plaintext(testplugin: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="remotestore_dagster.host")
    with start(testplugin, "go-plugin-mtls") as h:
        assert h.info is not None and h.info.server_cert_pem is None
        assert echo(h.channel, "fallback") == "fallback"
    assert any("secp521r1" in r.getMessage() and "falling back" in r.getMessage() for r in caplog.records)


def test_stop_kills_a_plugin_that_does_not_answer(testplugin: Path) -> None:
    h = start(testplugin)
    assert h.pid is not None
    os.kill(h.pid, signal.SIGSTOP)  # frozen: Shutdown can't be answered
    t0 = time.monotonic()
    h.stop(timeout=1)
    assert time.monotonic() - t0 < 10
    assert h.process is not None and h.process.returncode == -signal.SIGKILL


def test_plugin_dies_with_python_even_on_sigkill(testplugin: Path, tmp_path: Path) -> None:
    script = textwrap.dedent(f"""
        import os, signal, sys, threading
        sys.path.insert(0, {str(Path(__file__).parent.parent)!r})
        from remotestore_dagster.host import PluginHost
        from tests._echo import HANDSHAKE
        hosts = []
        # started from a thread that ends at once: the spawner thread must own the child
        t = threading.Thread(target=lambda: hosts.append(PluginHost([{str(testplugin)!r}], handshake=HANDSHAKE).start()))
        t.start(); t.join()
        print(hosts[0].pid, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    pid = int(proc.stdout.strip())
    assert wait_dead(pid), f"plugin {pid} outlived its host"


def test_plugin_survives_the_thread_that_started_it(testplugin: Path) -> None:
    hosts: list[PluginHost] = []
    t = threading.Thread(target=lambda: hosts.append(start(testplugin)))
    t.start()
    t.join()
    time.sleep(0.3)
    try:
        assert echo(hosts[0].channel, "still here") == "still here"
    finally:
        hosts[0].stop()


def test_attach_to_sidecar_via_reattach_file(testplugin: Path, tmp_path: Path) -> None:
    rf = tmp_path / "reattach.json"
    env = dict(os.environ, **{HANDSHAKE.cookie_key: HANDSHAKE.cookie_value})
    side = subprocess.Popen([str(testplugin), "-reattach-file", str(rf)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        h = PluginHost.attach(rf, handshake=HANDSHAKE, timeout=20)
        assert h.attached and h.pid is None
        assert echo(h.channel, "sidecar") == "sidecar"
        assert int(echo(h.channel, "pid")) == json.loads(rf.read_text())["Pid"] == side.pid
        h.stop()
        assert side.poll() is None, "attach must not stop the sidecar"
        h2 = PluginHost.attach("unix:" + json.loads(rf.read_text())["Addr"]["String"], handshake=HANDSHAKE)
        assert echo(h2.channel, "again") == "again"
        h2.stop()
    finally:
        side.terminate()
        side.wait(10)


def test_attach_missing_reattach_file_times_out(tmp_path: Path) -> None:
    with pytest.raises(PluginStartError, match="did not appear within 0.2s"):
        PluginHost.attach(tmp_path / "none.json", handshake=HANDSHAKE, timeout=0.2)


async def test_aio_channel(testplugin: Path) -> None:
    with start(testplugin) as h:
        ch = h.aio_channel()
        try:
            assert await aecho(ch, "async") == "async"
        finally:
            await ch.close()


def test_parse_handshake_variants() -> None:
    info = parse_handshake("1|1|unix|/tmp/p|grpc|\n", [1])
    assert info.target == "unix:/tmp/p" and info.server_cert_pem is None
    info = parse_handshake("1|3|tcp|127.0.0.1:1234|grpc||true", [1, 3])  # 7th field: broker multiplexing
    assert info.target == "127.0.0.1:1234" and info.app_version == 3
    with pytest.raises(PluginStartError, match="core protocol 2"):
        parse_handshake("2|1|unix|/tmp/p|grpc|", [1])
    with pytest.raises(PluginStartError, match="speaks 'netrpc'"):
        parse_handshake("1|1|unix|/tmp/p|netrpc|", [1])
    with pytest.raises(PluginStartError, match="unreadable server certificate"):
        parse_handshake("1|1|unix|/tmp/p|grpc|bm90IGEgY2VydA", [1])


def test_find_plugin_binary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    exe = tmp_path / "iomanager"
    exe.write_text("#!/bin/sh\n")
    exe.chmod(0o755)
    monkeypatch.setenv(hostmod.BIN_ENV, str(exe))
    assert find_plugin_binary() == str(exe)
    assert find_plugin_binary(exe) == str(exe)
    monkeypatch.setenv(hostmod.BIN_ENV, str(tmp_path / "missing"))
    with pytest.raises(PluginStartError, match="missing"):
        find_plugin_binary()
    monkeypatch.delenv(hostmod.BIN_ENV)
    (tmp_path / "bin").mkdir()
    exe.rename(tmp_path / "bin" / "iomanager")
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    monkeypatch.chdir(sub)
    assert find_plugin_binary() == str(tmp_path / "bin" / "iomanager")  # found in a parent's bin/
