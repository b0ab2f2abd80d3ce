"""remotestore-dagster: a thin Python host for the remotestore iomanager go-plugin.

- :class:`RemoteStoreIOManager` — a Dagster ``ConfigurableIOManager`` (needs the ``dagster`` extra).
- :class:`IOManagerClient` / :class:`AsyncIOManagerClient` — store and load tables without Dagster.
- :class:`PluginHost` — the generic go-plugin host underneath.
- :mod:`remotestore_dagster.errors` — Go's error kinds as Python exceptions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import (
    AlreadyExists,
    InvalidConfig,
    InvalidPath,
    IsFolder,
    NotFolder,
    NotFound,
    NotSupported,
    PermissionDenied,
    PluginError,
    PluginStartError,
    Precondition,
    RemoteStoreError,
    Unavailable,
)
from .host import PluginHost

__all__ = [
    "RemoteStoreIOManager",
    "IOManagerClient",
    "AsyncIOManagerClient",
    "PluginHost",
    "RemoteStoreError",
    "NotFound",
    "AlreadyExists",
    "PermissionDenied",
    "InvalidPath",
    "NotSupported",
    "Unavailable",
    "IsFolder",
    "NotFolder",
    "Precondition",
    "InvalidConfig",
    "PluginError",
    "PluginStartError",
]

if TYPE_CHECKING:
    from .aio import AsyncIOManagerClient
    from .client import IOManagerClient
    from .io_manager import RemoteStoreIOManager


def __getattr__(name: str) -> Any:  # lazy: Dagster is an optional dependency
    if name == "RemoteStoreIOManager":
        from .io_manager import RemoteStoreIOManager

        return RemoteStoreIOManager
    if name == "IOManagerClient":
        from .client import IOManagerClient

        return IOManagerClient
    if name == "AsyncIOManagerClient":
        from .aio import AsyncIOManagerClient

        return AsyncIOManagerClient
    raise AttributeError(name)
