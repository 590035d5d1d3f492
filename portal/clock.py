"""The portal's idea of today, overridable so that demos and tests see a fixed date."""
from __future__ import annotations

import datetime as dt

from flask import current_app, has_app_context


def today(config=None) -> dt.date:
    """Today's date, or the configured FIXED_TODAY (of `config`, or of the current app)."""
    if config is None and has_app_context():
        config = current_app.config
    fixed = config.get("FIXED_TODAY") if config is not None else None
    if fixed:
        return fixed if isinstance(fixed, dt.date) else dt.date.fromisoformat(str(fixed))
    return dt.date.today()


def now() -> dt.datetime:
    """The current local time (naive, as stored)."""
    return dt.datetime.now().replace(microsecond=0)
