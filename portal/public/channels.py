"""Publication channels: window cards, hall bulletin, data feed, highlight cases."""
from __future__ import annotations

from . import bp  # noqa: F401
