"""Login sessions kept on the server, login throttling, and the security headers of every response."""
from __future__ import annotations

import datetime as dt
import logging
import math
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import abort, current_app, request, url_for
from flask_login import LoginManager
from flask_wtf.csrf import CSRFError
from itsdangerous import BadSignature, URLSafeSerializer
from peewee import fn
from werkzeug.security import generate_password_hash

from . import clock
from .audit import write
from .db import db
from .models import LoginAttempt, LoginSession, Setting, User


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
    now = clock.now()
    LoginSession.create(token=token, user=user, address=request.remote_addr or "", created_at=now, last_seen_at=now)
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


# --- login throttling (登录限制) ---------------------------------------------------------------------
#
# Device cookies, as OWASP recommends against online guessing ("Slow Down Online Guessing Attacks with
# Device Cookies"). A successful login gives the browser a signed, HttpOnly cookie naming the account and a
# random nonce. An attempt carrying a valid one for the account it names is throttled on that browser's own
# failures only; every other attempt (a browser unknown to the account) is throttled per account and per
# address, on the failures of unknown browsers only. So a stranger guessing at `office` slows down
# strangers, never the owner at a browser the owner has used before.
#
# Throttling is a backoff, not a wall: once a run of failures reaches its threshold, each further attempt
# waits 1 s, 2 s, 4 s … (at most LOGIN_MAX_DELAY_SECONDS) after the last failure. An attempt inside the wait
# is answered 请稍后再试 before the password is even looked at, and is not recorded, so it neither counts
# as a failure nor prolongs the wait. A run is the failures since the key's last success, within
# LOGIN_MEMORY_HOURS.

DEVICE_COOKIE = "portal_device"
DEVICE_SALT = "portal-device-cookie"
DEVICE_ACCOUNTS = 5  # accounts one browser remembers (a shared computer at a service window)
SCOPE_LABELS = {"device": "此浏览器", "account": "账号", "address": "来源地址"}


@dataclass(frozen=True)
class Key:
    """What a run of failures is counted on: this browser's cookie, the account, or the address."""

    scope: str
    value: str
    threshold: int

    def condition(self):
        if self.scope == "device":
            return LoginAttempt.device == self.value
        column = LoginAttempt.username if self.scope == "account" else LoginAttempt.address
        return (column == self.value) & (LoginAttempt.device == "")


@dataclass
class LoginCheck:
    """The throttling of one login attempt: its keys, each key's run of failures, and the wait."""

    username: str
    address: str
    device: str  # the nonce of a valid device cookie for this account, else ""
    runs: dict  # Key → (failures in the run, time of the last one)
    wait: int  # whole seconds still to wait; 0 = the attempt may go ahead


def backoff_seconds(failures: int, threshold: int, cap: int) -> int:
    """The wait after a run of `failures` (退避时间): none below the threshold, then 1 s at the threshold,
    doubling with each further failure, at most `cap` seconds."""
    if failures < threshold:
        return 0
    extra = failures - threshold
    return cap if extra >= cap.bit_length() else min(2 ** extra, cap)


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=DEVICE_SALT)


def _devices() -> list:
    """The [username, nonce, issued] entries of this browser's valid device cookie (none if forged,
    expired or absent)."""
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw or len(raw) > 2048:
        return []
    try:
        entries = _serializer().loads(raw)
    except BadSignature:
        return []
    oldest = clock.now() - dt.timedelta(days=current_app.config["LOGIN_DEVICE_DAYS"])
    valid = []
    for entry in entries if isinstance(entries, list) else []:
        try:
            username, nonce, issued = entry
            if dt.datetime.fromisoformat(issued) >= oldest:
                valid.append([str(username), str(nonce), issued])
        except (TypeError, ValueError):
            continue
    return valid


def device_for(username: str) -> str:
    """The nonce of this browser's device cookie for the account `username`, or "" when it has none."""
    for name, nonce, _issued in _devices():
        if name == username:
            return nonce
    return ""


def remember_device(response, username: str, nonce: str) -> None:
    """After a successful login: the browser's device cookie names this account (the nonce it had, or a
    new one), newest first, with the other accounts it remembers."""
    entries = [e for e in _devices() if e[0] != username]
    entries.insert(0, [username, nonce or secrets.token_urlsafe(16), clock.now().isoformat()])
    cfg = current_app.config
    response.set_cookie(DEVICE_COOKIE, _serializer().dumps(entries[:DEVICE_ACCOUNTS]),
                        max_age=cfg["LOGIN_DEVICE_DAYS"] * 86400, path=url_for("auth.login"),
                        secure=cfg["SESSION_COOKIE_SECURE"], httponly=True, samesite="Lax")


def _keys(username: str, address: str, device: str) -> list[Key]:
    cfg = current_app.config
    if device:
        return [Key("device", device, cfg["LOGIN_MAX_FAILURES_PER_DEVICE"])]
    return [Key("account", username, cfg["LOGIN_MAX_FAILURES_PER_USER"]),
            Key("address", address, cfg["LOGIN_MAX_FAILURES_PER_ADDRESS"])]


def _run(key: Key, since: dt.datetime) -> tuple[int, dt.datetime | None]:
    """The key's failures since its last success (and since `since`), and when the last one was."""
    condition = key.condition()
    last_success = (LoginAttempt.select(fn.COALESCE(fn.MAX(LoginAttempt.id), 0))
                    .where(condition & (LoginAttempt.success == True)))  # noqa: E712
    count, last = (LoginAttempt.select(fn.COUNT(LoginAttempt.id), fn.MAX(LoginAttempt.at))
                   .where(condition & (LoginAttempt.success == False) & (LoginAttempt.at >= since)  # noqa: E712
                          & (LoginAttempt.id > last_success))
                   .tuples().get())
    return count, (_datetime(last) if last is not None else None)


def check_login(username: str, address: str) -> LoginCheck:
    """How long this login attempt must still wait (0: it may go ahead), from the runs of failures of
    its keys: this browser's device cookie for the account, or else the account and the address."""
    cfg = current_app.config
    username, address = username[:64], address[:64]
    device = device_for(username)
    now = clock.now()
    since = now - dt.timedelta(hours=cfg["LOGIN_MEMORY_HOURS"])
    runs, wait = {}, 0
    for key in _keys(username, address, device):
        failures, last = runs[key] = _run(key, since)
        delay = backoff_seconds(failures, key.threshold, cfg["LOGIN_MAX_DELAY_SECONDS"])
        if delay and last is not None:
            wait = max(wait, math.ceil((last + dt.timedelta(seconds=delay) - now).total_seconds()))
    check = LoginCheck(username, address, device, runs, max(0, wait))
    if check.wait:
        log.warning("login throttled user=%s address=%s device=%s wait=%ds", username, address,
                    "yes" if device else "no", check.wait)
    return check


def record_success(check: LoginCheck) -> int:
    """Record a successful login; returns how many failed attempts at the account there were since its
    previous successful login (from any browser), for the owner's notice."""
    username = check.username
    previous = (LoginAttempt.select(fn.COALESCE(fn.MAX(LoginAttempt.id), 0))
                .where((LoginAttempt.username == username) & (LoginAttempt.success == True)))  # noqa: E712
    failures = (LoginAttempt.select().where((LoginAttempt.username == username) & (LoginAttempt.success == False)  # noqa: E712
                                            & (LoginAttempt.id > previous)).count())
    LoginAttempt.create(username=username, address=check.address, success=True, device=check.device,
                        at=clock.now())
    return failures


def record_failure(check: LoginCheck) -> None:
    """Record a failed login. When it makes a run reach its threshold (the first wait) or the longest
    wait, the office's audit log gets a 登录限制 entry (the department's too, for its own account)."""
    cfg = current_app.config
    cap = cfg["LOGIN_MAX_DELAY_SECONDS"]
    log.info("login failed user=%s address=%s", check.username, check.address)
    events = []
    for key, (failures, _last) in check.runs.items():
        failures += 1
        if failures == key.threshold or failures == key.threshold + cap.bit_length():
            events.append((key, failures, backoff_seconds(failures, key.threshold, cap)))
    fields = dict(username=check.username, address=check.address, success=False, device=check.device,
                  at=clock.now())
    if not events:
        LoginAttempt.create(**fields)
        return
    with write(username="系统") as w:
        attempt = LoginAttempt.create(**fields)
        user = User.get_or_none(User.username == check.username)
        for key, failures, wait in events:
            log.warning("login backoff scope=%s user=%s address=%s failures=%d wait=%ds",
                        key.scope, check.username, check.address, failures, wait)
            w.log("login-lock", user if user is not None and key.scope != "address" else attempt, None, {
                "scope": SCOPE_LABELS[key.scope], "username": check.username, "address": check.address,
                "failures": failures, "wait_seconds": wait})


# --- the origin of every write (来源核对) -----------------------------------------------------------
#
# flask-wtf checks the Referer only under https; over plain http, which an intranet often runs, a write
# with a valid token from another site's page would be accepted. So every unsafe request is checked here
# too: its Origin, or its Referer when the browser sent no Origin, must be the portal's own origin — the
# scheme, host and port the request reached (behind TRUSTED_PROXIES, from X-Forwarded-Proto/-Host), its
# https form when the portal is served over https (PORTAL_HTTPS), PUBLIC_BASE_URL, or the office's
# 对外公开地址. "Origin: null" (a sandboxed frame, a data: page) is never ours.
#
# A request with neither header is let through, to the CSRF token check: every browser in use sends
# Origin on every POST (and on fetches other than GET/HEAD), so a forgery from a browser always carries
# its foreign origin; a request with neither comes from a program (curl, a script, the test client),
# which sends only cookies it holds itself: no forgery. Requiring one would refuse such clients without
# stopping any forgery.

UNSAFE_METHODS = frozenset(("POST", "PUT", "PATCH", "DELETE"))
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of a URL, the port filled in; None when it is no http(s) URL."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    return scheme, parts.hostname.lower().rstrip("."), port or _DEFAULT_PORTS[scheme]


def own_origins() -> set:
    """The origins this request may come from: the portal as the request reached it, and its public
    base URLs (the deployment's and the office's setting)."""
    here = _origin(request.host_url)
    origins = {here} if here else set()
    if here and current_app.config.get("SESSION_COOKIE_SECURE"):
        origins.add(("https", here[1], 443 if here[2] == 80 else here[2]))  # https ended at a proxy
    for base in (current_app.config.get("PUBLIC_BASE_URL"), _setting_base_url()):
        if base and _origin(base):
            origins.add(_origin(base))
    return origins


def _setting_base_url() -> str:
    return (Setting.get_value("public_base_url") or "").strip()


def check_origin() -> None:
    """Refuse an unsafe request whose Origin (or Referer, without Origin) is not the portal's own, with
    the friendly 页面已过期 page (CSRFError). Runs before every request."""
    if request.method not in UNSAFE_METHODS:
        return
    claimed = request.headers.get("Origin")
    if claimed is None:
        claimed = request.headers.get("Referer")
        if claimed is None:
            return  # neither: not a browser (see above); the CSRF token still has to be right
    origin = _origin(claimed) if claimed != "null" else None
    # The request's own origin first: the settings are read only when it does not match.
    if origin is not None and (origin == _origin(request.host_url) or origin in own_origins()):
        return
    log.warning("write refused: foreign origin %r for %s %s (host %s)", claimed[:200], request.method,
                request.path, request.host)
    raise CSRFError("来源地址不是本门户。")


def refuse_nul_in_query() -> None:
    """A NUL in the query string (?q=a%00b) is answered 400 (请求有误): no filter, search or id of the
    portal holds one, and PostgreSQL cannot even take it as a query parameter (an error, a 500)."""
    raw = request.query_string
    if b"\x00" in raw or b"%00" in raw:
        abort(400)


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
    app.before_request(check_origin)
    app.before_request(refuse_nul_in_query)

    @app.after_request
    def _headers(response):
        h = response.headers
        for name, value in response_headers(request.path, request.endpoint).items():
            h.setdefault(name, value)
        return response
