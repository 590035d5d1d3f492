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
    CITY_IMPORT_MAX_ROWS = 20000  # a city-wide workbook (全市清单导入), all departments together
    LOGIN_MAX_FAILURES_PER_USER = 5
    LOGIN_MAX_FAILURES_PER_ADDRESS = 20
    LOGIN_WINDOW_MINUTES = 15
    PAGE_SIZE = 50
    # A fixed "today" for demos and tests (ISO date); None means the real date.
    FIXED_TODAY = None
    # The public host name for QR codes and feeds (the intranet name is not the public one).
    PUBLIC_BASE_URL = "http://127.0.0.1:5000"
