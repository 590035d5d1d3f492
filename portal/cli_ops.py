"""Operator commands for moving and keeping the data: copy to PostgreSQL, backup, restore."""
from __future__ import annotations


def init_app(app) -> None:
    pass
