"""服务台账 — views."""
from __future__ import annotations

from . import bp  # noqa: F401
