"""Committed defaults. Secrets and site specifics come from the environment or instance/config.py."""
from __future__ import annotations

import datetime as dt


class Default:
    # Overridden by DATABASE_URL; the SQLite file lives in the instance folder, outside the repo.
    DATABASE_URL = None
    SECRET_KEY = None
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None  # a tab left open all day keeps working until the session ends
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False  # set PORTAL_HTTPS=1 behind https
    SESSION_COOKIE_NAME = "portal_session"
    REMEMBER_COOKIE_DURATION = dt.timedelta(seconds=0)
    SESSION_IDLE_MINUTES = 60
    SESSION_MAX_HOURS = 12
    MAX_CONTENT_LENGTH = 12 * 1024 * 1024
    UPLOAD_MAX_BYTES = 5 * 1024 * 1024
    IMPORT_MAX_ROWS = 5000
    # The city-wide export above this many rows streams through a temporary file (memory flat, ~1.5×
    # slower); below it the workbook is built in memory, about 1.8 kB a row.
    EXPORT_STREAM_ROWS = 300_000
    CITY_IMPORT_MAX_ROWS = 20000  # a city-wide workbook (全市清单导入), all departments together
    # Login throttling (security.py): after this many failures a run waits 1 s, 2 s, 4 s … at most
    # LOGIN_MAX_DELAY_SECONDS. Per browser for a browser the account has logged in from (device cookie),
    # else per account and per address. A run is the failures since its key's last success, forgotten
    # after LOGIN_MEMORY_HOURS.
    LOGIN_MAX_FAILURES_PER_USER = 5
    LOGIN_MAX_FAILURES_PER_ADDRESS = 20
    LOGIN_MAX_FAILURES_PER_DEVICE = 5
    LOGIN_MAX_DELAY_SECONDS = 15 * 60
    LOGIN_MEMORY_HOURS = 24
    LOGIN_DEVICE_DAYS = 180  # a device cookie unused this long is forgotten
    # The owner is told at login when the account had at least this many failed attempts since last time.
    LOGIN_NOTICE_FAILURES = 5
    PAGE_SIZE = 50
    # A fixed "today" for demos and tests (ISO date); None means the real date.
    FIXED_TODAY = None
    # The public base URL for QR codes and feeds, when the public reaches the portal under another name
    # than the request's own host; empty means the request's host (portal/qr.py public_base_url).
    PUBLIC_BASE_URL = ""
