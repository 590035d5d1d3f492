"""Database wiring: one DatabaseProxy over SQLite (the default) or PostgreSQL (DATABASE_URL=postgresql://…,
through psycopg 3), SQLite pragmas for official records, a connection pool that each request borrows
from, and the migrations runner (peewee's own playhouse.migrations)."""
from __future__ import annotations

import os

from peewee import DatabaseProxy, PostgresqlDatabase
from playhouse.db_url import connect as connect_url
from playhouse.migrations import Runner
from playhouse.pool import PooledDatabase, PooledSqliteDatabase

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


def make_database(url: str, pool_max: int = 32):
    """Build the database object for a sqlite:/// path or a postgresql:// URL.

    Both are pooled: a request borrows an open connection and gives it back, so a request does not pay
    for opening a connection (a PostgreSQL login, or the SQLite pragmas), and a connection is never
    tied to a thread that may end (the development server starts a thread per request).
    """
    if url.startswith("sqlite:///"):
        path = url[len("sqlite:///"):]
        # IMMEDIATE takes the write lock at BEGIN, so two writers queue on busy_timeout instead of
        # one failing with "database is locked" when it upgrades a read lock.
        return PooledSqliteDatabase(path, pragmas=SQLITE_PRAGMAS, lock_type="IMMEDIATE",
                                    check_same_thread=False, max_connections=None)
    if url.startswith(("postgresql://", "postgres://")):
        # psycopg 3; PostgreSQL needs no IMMEDIATE: its row locks let writers of different rows run at once.
        # Connections are renewed after 10 minutes so a restarted server or a proxy's idle cut is survived.
        return connect_url("psycopg3+pool://" + url.split("://", 1)[1], max_connections=pool_max,
                           stale_timeout=600, timeout=30)
    return connect_url(url)


def is_postgres() -> bool:
    """Whether the portal runs on PostgreSQL (for the few statements that differ)."""
    return isinstance(db.obj, PostgresqlDatabase)


def _retire(database) -> None:
    """Close the connections of a database object that is being replaced (a second app in one process)."""
    if database is None:
        return
    if isinstance(database, PooledDatabase):
        database.close_all()
    elif not database.is_closed():
        database.close()


def init_app(app) -> None:
    """Bind the proxy to the configured database; each request borrows a pooled connection."""
    url = app.config["DATABASE_URL"]
    # Connections per process to PostgreSQL (SQLite's pool is unbounded): at least gunicorn's threads.
    pool_max = int(os.environ.get("DATABASE_POOL_MAX") or app.config.get("DATABASE_POOL_MAX") or 32)
    database = make_database(url, pool_max)
    _retire(db.obj)
    db.initialize(database)
    app.extensions["peewee_db"] = database

    @app.before_request
    def _connect():
        db.connect(reuse_if_open=True)

    @app.teardown_request
    def _close(exc):
        # Back to the pool (an open transaction is rolled back there), not closed.
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
