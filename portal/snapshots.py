"""每日快照: the city's totals of each day (DailySnapshot), which the dashboard's trend (合规率走势) reads.

Written by the CLI command (`flask --app wsgi dashboard snapshot`, which replaces the day's snapshot,
e.g. from cron shortly before midnight) and by one job that the server starts (`start_daily`, from
wsgi.py), which stores the day's snapshot when the day has none yet — at start and after each
midnight. Never by a page view: the dashboard only reads (portal/metrics.py).

Several gunicorn workers each run the job; writing is idempotent per day (the day is unique, and a
worker that finds the day stored, or loses the race to store it, writes nothing).
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import threading

from peewee import IntegrityError

from . import clock, metrics
from .audit import write
from .db import db
from .models import DailySnapshot

log = logging.getLogger("portal.snapshots")

USERNAME = "每日快照"  # the audit log's name for the portal's own record
CHECK_SECONDS = 3600  # the job looks at least this often (a clock set forward, a FIXED_TODAY changed)


def snapshot_figures(city: metrics.City) -> dict:
    """What a daily snapshot keeps: the city totals (JSON-friendly)."""
    return json.loads(json.dumps(dict(city.totals), ensure_ascii=False, default=str))


def take_snapshot(today: dt.date | None = None, replace: bool = False, username: str = USERNAME) -> bool:
    """Stores today's city figures as its DailySnapshot (through the audit write path).

    Without `replace` (the server's job), an existing snapshot of the day is kept; with it (the CLI,
    run at the end of the day) the day's figures are brought up to date. Returns True when something
    was written.
    """
    today = today or clock.today()
    existing = DailySnapshot.get_or_none(DailySnapshot.day == today)
    if existing is not None and not replace:
        return False
    text = json.dumps(snapshot_figures(metrics.compute(today)), ensure_ascii=False, sort_keys=True)
    try:
        with write(username=username) as w:
            w.actor = None  # the portal's own record, not a user's
            if existing is None:
                w.create(DailySnapshot, day=today, figures=text)
            else:
                w.update(existing, figures=text)
    except IntegrityError:  # another process stored the day's snapshot first
        return False
    return True


def _seconds_to_midnight(now: dt.datetime) -> float:
    tomorrow = dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time(0, 0, 5))
    return (tomorrow - now).total_seconds()


class DailyJob:
    """The server's snapshot job: a daemon thread that stores the day's snapshot when it is missing."""

    def __init__(self, app):
        self.app = app
        self.stopped = threading.Event()
        self.thread: threading.Thread | None = None

    def run_once(self) -> bool:
        with self.app.app_context(), db.connection_context():
            return take_snapshot(clock.today(), replace=False)

    def _loop(self) -> None:
        while not self.stopped.is_set():
            try:
                self.run_once()
            except Exception:  # a failed day (database busy, disk full) is retried at the next check
                log.exception("daily snapshot failed")
            self.stopped.wait(min(CHECK_SECONDS, _seconds_to_midnight(clock.now())))

    def stop(self) -> None:
        self.stopped.set()


_START = threading.Lock()


def start_daily(app) -> DailyJob:
    """Starts the app's snapshot job in this process, once (a second call returns the running job)."""
    with _START:
        job = app.extensions.get("daily_snapshot")
        if job is None:
            job = app.extensions["daily_snapshot"] = DailyJob(app)
            job.thread = threading.Thread(target=job._loop, name="daily-snapshot", daemon=True)
            job.thread.start()
        return job
