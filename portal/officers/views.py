"""首席服务员与授权委托书 — views."""
from __future__ import annotations

from . import bp  # noqa: F401
