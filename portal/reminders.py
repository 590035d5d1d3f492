"""The to-do panel (待办提醒): each area registers a function that lists what waits for a user.

Areas register in their own package, so adding a reminder never edits another area's code:

    @reminders.source
    def returned_lists(user, today): -> list[Reminder]
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .cache import by_data_version

_sources = []


@dataclass
class Reminder:
    """One thing waiting for a user, with its deadline and where to act on it."""

    area: str  # 清单 / 首席服务员 / 台账 / 好差评 …
    text: str
    url: str
    deadline: dt.date | None = None
    overdue: bool = False
    count: int = 1
    endpoint: str | None = None  # the navigation entry that shows this reminder's count


def source(fn):
    """Register a reminder source: fn(user, today) -> list[Reminder]."""
    _sources.append(fn)
    return fn


def for_user(user, today: dt.date) -> list[Reminder]:
    """Everything waiting for the user, overdue first, then by deadline. Computed once per (data
    version, day, user) in each process: every page shows the counts in its navigation, and every
    write moves the data version (portal.audit)."""
    # Off under TESTING unless REMINDERS_CACHE is set.
    return list(by_data_version("reminders_cache", "REMINDERS_CACHE", (today, user.id),
                                lambda: _for_user(user, today)))


def _for_user(user, today: dt.date) -> list[Reminder]:
    out = []
    for fn in _sources:
        out.extend(fn(user, today))
    return sorted(out, key=lambda r: (not r.overdue, r.deadline or dt.date.max, r.area))


def nav_counts(user, today: dt.date) -> dict[str, int]:
    """Counts for the navigation bar, by the endpoint each reminder's area links to.

    Sources may declare `endpoint` on their reminders; the home page's total is always there."""
    todo = for_user(user, today)
    counts: dict[str, int] = {"dashboard.home": len(todo)} if todo else {}
    for r in todo:
        if r.endpoint:
            counts[r.endpoint] = counts.get(r.endpoint, 0) + r.count
    return counts
