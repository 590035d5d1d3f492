"""任期调整报告 — views."""
from __future__ import annotations

from . import bp  # noqa: F401
