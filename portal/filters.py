"""Jinja filters and globals shared by every template."""
from __future__ import annotations

import datetime as dt

from flask_wtf.csrf import generate_csrf

from . import listing, rules

WEEKDAYS = "一二三四五六日"


def percent(value, digits: int = 1) -> str:
    """0.9512 → 95.1%; None (nothing to measure) → —."""
    if value is None:
        return "—"
    return f"{value * 100:.{digits}f}%"


def cn_date(value) -> str:
    """2026-11-26 → 2026年11月26日."""
    if not value:
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return f"{value.year}年{value.month}月{value.day}日"


def iso(value) -> str:
    if not value:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def init_app(app) -> None:
    @app.context_processor
    def _globals():
        from flask_login import current_user

        from . import clock, reminders

        nav_counts = {}
        if current_user and current_user.is_authenticated:
            nav_counts = reminders.nav_counts(current_user, clock.today())
        return {"endpoints": app.view_functions, "today": clock.today(), "nav_counts": nav_counts}

    app.jinja_env.filters.update(percent=percent, cn_date=cn_date, iso=iso)
    app.jinja_env.globals.update(
        csrf_token=generate_csrf, rules=rules, query_url=listing.query_url, sort_link=listing.sort_link,
    )
