"""The to-do panel (待办提醒): each area lists what waits for a user in functions marked as sources.

An area marks its functions in its own module, and create_app registers the modules explicitly
(REMINDER_MODULES in portal/__init__.py) — nothing is registered as a side effect of an import:

    @reminders.source
    def returned_lists(user, today): -> list[Reminder]
"""
from __future__ import annotations

import datetime as dt
import inspect
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
    """Mark a reminder source, fn(user, today) -> list[Reminder]; `register` takes it in."""
    fn.is_reminder_source = True
    return fn


def register(module) -> None:
    """Take in the marked sources of a module, in their order of definition (once, whatever the number
    of apps created)."""
    for fn in vars(module).values():
        # Functions only: a module also holds proxies (current_user) that must not be touched here.
        if inspect.isfunction(fn) and getattr(fn, "is_reminder_source", False) and fn not in _sources:
            _sources.append(fn)


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
