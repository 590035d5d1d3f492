"""The dashboard's live poll answered in front of Flask when nothing has changed (看板轮询).

Every open dashboard asks every few seconds whether the figures moved, with the data version it shows
as If-None-Match. Almost always nothing moved, and the answer is an empty 204. Through Flask that answer
cost far more than the question: a request context, the signed session cookie decoded, the user loaded,
the after-request hooks. Here it costs one SQL statement.

The shortcut never relaxes who may see what. It answers only a browser whose session the full path
(security.load_user) has checked within the last minute, remembered under the exact session cookie it
sent; the one statement re-checks that session (not revoked, user still active) together with the data
version, and the idle and absolute session limits are checked against the remembered times. Anything
else — an unknown or stale cookie, a revoked session, a changed version, another day, a history restore
— goes on to Flask, which answers as before (the figures, or HX-Redirect to the login page).
"""
from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass
from peewee import DatabaseError
from werkzeug.http import parse_cookie, parse_etags

from . import clock, htmx
from .db import db, unchecked_borrow
from .security import TOUCH_SECONDS, response_headers

log = logging.getLogger("portal.request")

PATH = "/dashboard/"
MAX_REMEMBERED = 10_000  # sessions; past this the memory starts afresh (the full path refills it)


@dataclass(frozen=True)
class Seen:
    """A session the full path has just checked: its row, its user and its times as stored."""

    session_id: int
    username: str
    created_at: dt.datetime
    last_seen_at: dt.datetime


class PollShortcut:
    """WSGI middleware in front of the Flask app: answers an unchanged dashboard poll with 204."""

    def __init__(self, app, wsgi_app):
        self.app = app
        self.wsgi_app = wsgi_app
        self.cookie_name = app.config["SESSION_COOKIE_NAME"]
        self.seen: dict[str, Seen] = {}
        self.lock = threading.Lock()
        # The same headers as the full path's 204 (security.init_app adds them there; Flask's response
        # class adds its default Content-Type even to an empty answer): tests/test_poll.py compares them.
        self.headers = [*response_headers(PATH).items(), ("Vary", f"{htmx.VARY}, Cookie"),
                        ("Content-Type", app.response_class.default_mimetype + "; charset=utf-8")]

    def remember(self, cookie: str | None, session_id: int, username: str, created_at: dt.datetime,
                 last_seen_at: dt.datetime) -> None:
        """Called by the full path after it has checked a session (security.load_user)."""
        if not cookie:
            return
        seen = Seen(session_id, username, created_at, last_seen_at)
        with self.lock:
            if len(self.seen) >= MAX_REMEMBERED and cookie not in self.seen:
                self.seen.clear()
            self.seen[cookie] = seen

    def __call__(self, environ, start_response):
        tag = self._unchanged(environ)
        if tag is None:
            return self.wsgi_app(environ, start_response)
        start_response("204 NO CONTENT", [*self.headers, ("ETag", f'"{tag}"')])
        return [b""]

    def _unchanged(self, environ) -> str | None:
        """The current ETag when this request is a poll the shortcut may answer, else None."""
        if (environ.get("REQUEST_METHOD") != "GET" or environ.get("PATH_INFO") != PATH
                or not htmx.environ_wants_fragment(environ)):
            return None
        wanted = environ.get("HTTP_IF_NONE_MATCH")
        cookie = _cookie(environ.get("HTTP_COOKIE"), self.cookie_name)
        seen = self.seen.get(cookie) if cookie and wanted else None
        if seen is None:
            return None
        now = clock.now()
        cfg = self.app.config
        # Older than a minute: the full path must see it (it also touches the session, once a minute).
        if (now - seen.last_seen_at > dt.timedelta(seconds=TOUCH_SECONDS)
                or now - seen.created_at > dt.timedelta(hours=cfg["SESSION_MAX_HOURS"])):
            return None
        opened = db.is_closed()  # a pooled connection, borrowed as a Flask request would, minus the ping
        if opened:
            with unchecked_borrow():
                db.connect()
        try:
            version, live = db.execute_sql(
                'SELECT (SELECT version FROM data_version WHERE id = 1), '
                '(SELECT s.revoked_at IS NULL AND u.active FROM login_session s JOIN "user" u ON u.id = s.user_id '
                f'WHERE s.id = {db.param})', (seen.session_id,)).fetchone()
        except DatabaseError:
            # A connection the server dropped (a restart): the full path borrows a checked one.
            log.warning("dashboard poll: the pooled connection failed; answered by the full path instead")
            return None
        finally:
            if opened:
                db.close()
        if not live:
            return None
        tag = f"{version or 0}-{clock.today(cfg).isoformat()}"
        if not parse_etags(wanted).contains(tag):
            return None
        if log.isEnabledFor(logging.INFO):
            log.info("GET %s 204 user=%s endpoint=dashboard.index (poll shortcut)", PATH, seen.username)
        return tag


def _cookie(header: str | None, name: str) -> str | None:
    if not header or name not in header:
        return None
    return parse_cookie(header).get(name)  # as Flask reads it


def init_app(app) -> None:
    app.wsgi_app = shortcut = PollShortcut(app, app.wsgi_app)
    app.extensions["poll_shortcut"] = shortcut
