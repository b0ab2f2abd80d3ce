"""Placeholder replaced once iomanager.v1 lands."""
from __future__ import annotations

from typing import Any


class IOManagerClient:
    def __init__(self, **kw: Any) -> None:
        self.kw = kw
