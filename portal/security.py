"""Login sessions kept on the server, login throttling, and the security headers of every response."""
from __future__ import annotations

import datetime as dt
import logging
import secrets

from flask import current_app, request
from flask_login import LoginManager
from werkzeug.security import generate_password_hash

from . import clock
from .db import db
from .models import LoginAttempt, LoginSession, User


def _datetime(value) -> dt.datetime:
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))

log = logging.getLogger("portal.security")

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "请先登录。"
login_manager.session_protection = None  # our own server-side sessions do this job

# Passwords are stored with werkzeug's default method (scrypt), slow on purpose so that a stolen database
# gives its passwords up slowly. Only an app built with TESTING (the test suite's, which creates and logs in
# thousands of accounts) hashes with one round of pbkdf2 instead; nothing else selects the cheap method.
TESTING_PASSWORD_METHOD = "pbkdf2:sha256:1"

_dummy_hashes: dict[bool, str] = {}


def hash_password(password: str) -> str:
    """The hash stored for a password (密码摘要): werkzeug's default method, the cheap one under TESTING only."""
    if current_app.testing:
        return generate_password_hash(password, TESTING_PASSWORD_METHOD)
    return generate_password_hash(password)


def dummy_hash() -> str:
    """A hash to check a login against when the user name does not exist. Made like the real ones, so
    that the check takes as long and its timing does not reveal which user names exist."""
    testing = current_app.testing
    if testing not in _dummy_hashes:
        _dummy_hashes[testing] = hash_password("not-a-password")
    return _dummy_hashes[testing]


# A session's last_seen_at is written at most this often: a write per request would serialise every
# page view. The dashboard's poll shortcut (portal/poll.py) answers only within this span too.
TOUCH_SECONDS = 60


@login_manager.user_loader
def load_user(token: str):
    """The user of a live session token; None (logged out) if revoked, idle or too old."""
    if not token:
        return None
    # Hand-written SQL: this runs on every request (every dashboard poll), and building the peewee
    # query costs more than running it.
    cursor = db.execute_sql(
        f'SELECT s.id, s.created_at, s.last_seen_at, u.* FROM login_session s JOIN "user" u ON u.id = s.user_id '
        f'WHERE s.token = {db.param} AND s.revoked_at IS NULL', (token,))
    found = cursor.fetchone()
    if found is None:
        return None
    names = [c[0] for c in cursor.description][3:]
    user = User()
    user.__data__.update({User._meta.columns[n].name: User._meta.columns[n].python_value(v)
                          for n, v in zip(names, found[3:])})
    if not user.active:
        return None
    session_id, created_at, last_seen_at = found[0], _datetime(found[1]), _datetime(found[2])
    now = clock.now()
    cfg = current_app.config
    if now - created_at > dt.timedelta(hours=cfg["SESSION_MAX_HOURS"]):
        return None
    if now - last_seen_at > dt.timedelta(minutes=cfg["SESSION_IDLE_MINUTES"]):
        return None
    if now - last_seen_at > dt.timedelta(seconds=TOUCH_SECONDS):
        LoginSession.update(last_seen_at=now).where(LoginSession.id == session_id).execute()
        last_seen_at = now
    user.session_token = token
    shortcut = current_app.extensions.get("poll_shortcut")
    if shortcut is not None:  # lets the dashboard's poll skip this check for a minute (portal/poll.py)
        shortcut.remember(request.cookies.get(cfg["SESSION_COOKIE_NAME"]),
                          session_id, user.username, created_at, last_seen_at)
    return user


def start_session(user: User) -> str:
    """A new server-side session for a successful login."""
    token = secrets.token_urlsafe(32)
    LoginSession.create(token=token, user=user, address=request.remote_addr or "")
    user.session_token = token
    return token


def revoke_session(token: str) -> None:
    LoginSession.update(revoked_at=clock.now()).where(
        (LoginSession.token == token) & LoginSession.revoked_at.is_null()).execute()


def revoke_all(user: User, keep: str | None = None) -> None:
    """End every session of a user (password change, disabling), optionally keeping the current one."""
    q = LoginSession.update(revoked_at=clock.now()).where(
        (LoginSession.user == user) & LoginSession.revoked_at.is_null())
    if keep:
        q = q.where(LoginSession.token != keep)
    q.execute()


def throttled(username: str, address: str) -> bool:
    """True when too many recent failures for this user name or from this address (登录限制)."""
    cfg = current_app.config
    since = clock.now() - dt.timedelta(minutes=cfg["LOGIN_WINDOW_MINUTES"])
    failures = LoginAttempt.select().where((LoginAttempt.at >= since) & (LoginAttempt.success == False))  # noqa: E712
    by_user = failures.where(LoginAttempt.username == username).count()
    by_address = failures.where(LoginAttempt.address == address).count()
    blocked = by_user >= cfg["LOGIN_MAX_FAILURES_PER_USER"] or by_address >= cfg["LOGIN_MAX_FAILURES_PER_ADDRESS"]
    if blocked:
        log.warning("login throttled user=%s address=%s failures_user=%d failures_address=%d",
                    username, address, by_user, by_address)
    return blocked


def record_attempt(username: str, address: str, success: bool) -> None:
    LoginAttempt.create(username=username[:64], address=address[:64], success=success, at=clock.now())
    if not success:
        log.info("login failed user=%s address=%s", username, address)


CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
       "form-action 'self'; frame-ancestors 'none'")


_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # same-origin keeps the Referer that flask-wtf checks over https, and leaks nothing outside.
    "Referrer-Policy": "same-origin",
}
# Pages behind the login carry personal data: never keep them in a shared cache.
_PRIVATE_HEADERS = {**_HEADERS, "Cache-Control": "no-store"}


def response_headers(path: str, endpoint: str | None = None) -> dict:
    """The security headers of every response (and the shortcut's 204, portal/poll.py); not to be changed."""
    if endpoint != "static" and not path.startswith("/public/"):
        return _PRIVATE_HEADERS
    return _HEADERS


@login_manager.unauthorized_handler
def unauthorized():
    """Not logged in (or the session ended): to the login page — by HX-Redirect for htmx."""
    from flask import flash

    from .htmx import login_redirect

    flash(login_manager.login_message, "info")
    return login_redirect()


def init_app(app) -> None:
    login_manager.init_app(app)

    @app.after_request
    def _headers(response):
        h = response.headers
        for name, value in response_headers(request.path, request.endpoint).items():
            h.setdefault(name, value)
        return response
