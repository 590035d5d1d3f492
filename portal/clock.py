"""The portal's idea of today, overridable so that demos and tests see a fixed date."""
from __future__ import annotations

import datetime as dt

from flask import current_app, has_app_context


def today() -> dt.date:
    """Today's date, or the configured FIXED_TODAY."""
    if has_app_context():
        fixed = current_app.config.get("FIXED_TODAY")
        if fixed:
            return fixed if isinstance(fixed, dt.date) else dt.date.fromisoformat(str(fixed))
    return dt.date.today()


def now() -> dt.datetime:
    """The current local time (naive, as stored)."""
    return dt.datetime.now().replace(microsecond=0)
