"""一事联办 — views."""
from __future__ import annotations

from . import bp  # noqa: F401
