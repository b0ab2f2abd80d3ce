"""Shared fixtures: the Go test plugin, the real iomanager plugin, and a versitygw S3 server."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from .servers import GoTestServer, ServerMissing, start_go_testserver, start_versitygw, stop_process

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
    stop_process(srv.proc)


@pytest.fixture(scope="session")
def testserver_bin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Go command that starts Azurite or sshd for these tests (internal/testserver/cmd/testserver)."""
    return go_build("./internal/testserver/cmd/testserver", tmp_path_factory.mktemp("bin") / "testserver")


def _go_server(name: str, binary: Path, install: str) -> Iterator[GoTestServer]:
    try:
        srv = start_go_testserver(name, binary)
    except ServerMissing as e:
        msg = f"{e} ({install})"
        if REQUIRE_SERVERS:
            pytest.fail(msg)
        pytest.skip(msg)
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def azure_server(testserver_bin: Path) -> Iterator[GoTestServer]:
    """Azurite's blob service on 127.0.0.1 with a fresh container; credentials in ``env``."""
    yield from _go_server("azurite", testserver_bin, "make tools-azure")


@pytest.fixture(scope="session")
def sftp_server(testserver_bin: Path) -> Iterator[GoTestServer]:
    """OpenSSH's sshd on 127.0.0.1 serving SFTP with a fresh key pair (named in the URL)."""
    yield from _go_server("sftp", testserver_bin, "make tools-sftp")


@pytest.fixture(scope="session")
def iomanager_bin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A freshly built cmd/iomanager (the real plugin); REMOTESTORE_TEST_IOMANAGER_BIN names a prebuilt one."""
    prebuilt = os.environ.get("REMOTESTORE_TEST_IOMANAGER_BIN")
    if prebuilt:
        return Path(prebuilt)
    return go_build("./cmd/iomanager", tmp_path_factory.mktemp("iomanager") / "iomanager")


def _prefix(request: pytest.FixtureRequest) -> str:
    return "".join(c if c.isalnum() else "-" for c in request.node.name)[:60] + "-" + uuid.uuid4().hex[:8]


def _store_url(kind: str, request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    if kind == "local":
        return (tmp_path / "store").as_uri() + "?create_root=true"
    if kind == "s3":
        srv = request.getfixturevalue("s3_server")
        for k, v in srv.env.items():
            monkeypatch.setenv(k, v)
        return str(srv.url(srv.bucket("shim-tests"), _prefix(request)))
    go: GoTestServer = request.getfixturevalue(f"{kind}_server")
    for k, v in go.env.items():
        monkeypatch.setenv(k, v)
    return go.url(_prefix(request))


@pytest.fixture(params=["local", "s3"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh, empty store: a local folder, or a prefix in a versitygw bucket (credentials in env)."""
    return _store_url(request.param, request, tmp_path, monkeypatch)


@pytest.fixture(params=["local", "s3", "azure", "sftp"])
def any_store_url(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """store_url on every backend the pipelines run on: also Azurite and an SFTP server, for the tests that
    show a pipeline works anywhere by changing the URL (the rest of the suite runs on local and S3)."""
    return _store_url(request.param, request, tmp_path, monkeypatch)


@pytest.fixture
def io(store_url: str, iomanager_bin: Path):  # type: ignore[no-untyped-def]
    """A RemoteStoreIOManager on store_url running the freshly built plugin."""
    from remotestore_dagster import RemoteStoreIOManager

    return RemoteStoreIOManager(store_url=store_url, plugin_path=str(iomanager_bin))


@pytest.fixture
def io_anywhere(any_store_url: str, iomanager_bin: Path):  # type: ignore[no-untyped-def]
    """A RemoteStoreIOManager on any_store_url (local, S3, Azure, SFTP)."""
    from remotestore_dagster import RemoteStoreIOManager

    return RemoteStoreIOManager(store_url=any_store_url, plugin_path=str(iomanager_bin))
