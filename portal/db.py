"""Database wiring: one DatabaseProxy, SQLite pragmas for official records, per-request connections,
and the migrations runner (peewee's own playhouse.migrations)."""
from __future__ import annotations

import os

from peewee import DatabaseProxy, SqliteDatabase
from playhouse.db_url import connect as connect_url
from playhouse.migrations import Runner

db = DatabaseProxy()

MIGRATIONS_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "migrations")

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    # These are official records: a power cut must not lose a committed write.
    "synchronous": "full",
    "busy_timeout": 10000,
    "cache_size": -16000,
}


def make_database(url: str):
    """Build the database object for a sqlite:/// path or a postgresql:// URL."""
    if url.startswith("sqlite:///"):
        path = url[len("sqlite:///"):]
        # IMMEDIATE takes the write lock at BEGIN, so two writers queue on busy_timeout instead of
        # one failing with "database is locked" when it upgrades a read lock.
        return SqliteDatabase(path, pragmas=SQLITE_PRAGMAS, lock_type="IMMEDIATE",
                              check_same_thread=False)
    if url.startswith(("postgresql://", "postgres://")):
        url = "psycopg3://" + url.split("://", 1)[1]
    return connect_url(url)


def init_app(app) -> None:
    """Bind the proxy to the configured database and open/close a connection around each request."""
    url = app.config["DATABASE_URL"]
    database = make_database(url)
    db.initialize(database)
    app.extensions["peewee_db"] = database

    @app.before_request
    def _connect():
        db.connect(reuse_if_open=True)

    @app.teardown_request
    def _close(exc):
        if not db.is_closed():
            db.close()


def runner() -> Runner:
    """The migrations runner over migrations/."""
    return Runner(db.obj, MIGRATIONS_DIR)


def upgrade() -> list[str]:
    """Apply every pending migration; returns the names applied."""
    with db.connection_context():
        return runner().up()


def status() -> list:
    """Every migration with the time it was applied (None when pending)."""
    with db.connection_context():
        return runner().status()
