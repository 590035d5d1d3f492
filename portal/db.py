"""Database wiring: one DatabaseProxy over SQLite (the default) or PostgreSQL (DATABASE_URL=postgresql://…,
through psycopg 3), SQLite pragmas for official records, a connection pool that each request borrows
from, writers that queue and commits that reach the disk, and the migrations runner (peewee's own
playhouse.migrations)."""
from __future__ import annotations

import fcntl
import functools
import os
import threading
from contextlib import contextmanager

from peewee import DatabaseProxy, PostgresqlDatabase
from playhouse.db_url import connect as connect_url
from playhouse.migrations import Runner
from playhouse.pool import PooledDatabase, PooledSqliteDatabase

db = DatabaseProxy()

MIGRATIONS_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "migrations")

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    # These are official records: a power cut must not lose a committed write. SQLite's own FULL would
    # fsync inside the write lock; DurableSqliteDatabase fsyncs right after it instead (same guarantee).
    "synchronous": "normal",
    "busy_timeout": 10000,
    "cache_size": -16000,
}

# Statements that change the file; run outside a transaction, each is made durable on its own.
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER")


class WriteQueue:
    """Writers of one SQLite file take turns here before BEGIN IMMEDIATE: the threads of a process on
    a lock, the worker processes on an flock of `<database>.write-lock`.

    Why: a writer that finds SQLite's file locked sleeps and retries (1, 2, 5, 10 … ms under
    busy_timeout), so under concurrent writes most of the time went to sleeping while the lock was
    already free. A waiter here wakes the moment the previous writer commits. SQLite's own lock still
    guards the file; this only orders the queue in front of it.
    """

    def __init__(self, path: str):
        self.path = os.path.abspath(path) + ".write-lock"
        self.lock = threading.Lock()
        self.fd: int | None = None
        self.pid = 0
        self.mine = threading.local()  # whether this thread holds the turn

    def acquire(self) -> None:
        self.lock.acquire()
        try:
            if self.pid != os.getpid():
                # Opened here, per process: a descriptor inherited through fork would share its
                # flock with the parent's other children, and they would no longer take turns.
                self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
                self.pid = os.getpid()
            fcntl.flock(self.fd, fcntl.LOCK_EX)
        except BaseException:
            self.lock.release()
            raise
        self.mine.held = True

    def close(self) -> None:
        with self.lock:
            if self.fd is not None and self.pid == os.getpid():
                os.close(self.fd)
            self.fd, self.pid = None, 0

    def release(self) -> None:
        """Give the turn back (a no-op when this thread does not hold it: a rollback after a failed commit)."""
        if getattr(self.mine, "held", False):
            self.mine.held = False
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            self.lock.release()


class DurableSqliteDatabase(PooledSqliteDatabase):
    """SQLite whose writers queue (WriteQueue) and whose commits are on disk before they return.

    A transaction holds the queue from BEGIN to COMMIT; the WAL is fsynced after the turn is given back,
    so the next writer commits while this one waits for the disk. Nothing returns — and so no page
    answers "saved" — before its data is on disk, which is what synchronous=FULL promises; FULL would
    only do the fsync inside the lock.

    Group commit (as PostgreSQL does it): each commit of this process takes a number; a flush records
    the highest number committed when it started, and a writer whose number a flush has since covered
    returns without one of its own. While one thread waits for the disk, the writers that commit
    meanwhile queue behind it, and the next flush makes all of them durable at once.
    """

    def __init__(self, database, *args, **kwargs):
        super().__init__(database, *args, **kwargs)
        self.queue = WriteQueue(database)
        self.wal_path = os.path.abspath(database) + "-wal"
        self.wal_fd: int | None = None
        self.wal_pid = 0
        self.wal_lock = threading.Lock()
        # Group commit: commits numbered in this process, and the highest number known to be on disk.
        self.seq_lock = threading.Lock()
        self.commits = 0
        self.flushed = 0
        self.flushes = 0  # fdatasync calls (tests and the benchmark read it)

    def begin(self, lock_type=None):
        self.queue.acquire()
        try:
            super().begin(lock_type)
        except BaseException:
            self.queue.release()
            raise

    def commit(self):
        try:
            result = super().commit()
            seq = self._committed()
        finally:
            self.queue.release()
        self.sync(seq)
        return result

    def _committed(self) -> int:
        """Number the commit just made (its data is in the log, not yet on disk)."""
        with self.seq_lock:
            self.commits += 1
            return self.commits

    def rollback(self):
        try:
            return super().rollback()
        finally:
            self.queue.release()

    def _close(self, conn, close_conn=False):
        # A connection handed back with its transaction still open is rolled back by the pool, which
        # does not pass through rollback() above: the turn must not stay taken.
        try:
            super()._close(conn, close_conn)
        finally:
            self.queue.release()

    def execute_sql(self, sql, params=None):
        cursor = super().execute_sql(sql, params)
        if not self.in_transaction() and sql.lstrip()[:7].upper().startswith(_WRITES):
            # A write in autocommit mode (a login session, a login attempt) is a commit too.
            self.sync(self._committed())
        return cursor

    def sync(self, seq: int | None = None) -> None:
        """Make commit number ``seq`` durable (every commit so far when None): flush the write-ahead log
        to the disk, unless a flush that started after that commit has done so already.

        fdatasync, as SQLite's own FULL uses on Linux. The log's descriptor is kept per process and
        reopened when the file was replaced (the last connection to close checkpoints and deletes it)."""
        with self.wal_lock:
            if seq is not None and self.flushed >= seq:
                return  # another thread's flush, begun after this commit, covered it
            with self.seq_lock:
                covers = self.commits  # every commit numbered so far is in the log already
            fd = self.wal_fd
            if fd is None or self.wal_pid != os.getpid() or os.fstat(fd).st_nlink == 0:
                if fd is not None and self.wal_pid == os.getpid():
                    os.close(fd)
                try:
                    fd = os.open(self.wal_path, os.O_RDONLY)
                except FileNotFoundError:
                    # No log: the last connection checkpointed it into the database file, and synced that.
                    self.wal_fd = None
                    return
                self.wal_fd, self.wal_pid = fd, os.getpid()
            # Under the lock, so no other thread closes the descriptor meanwhile; the kernel would
            # serialise two flushes of one file anyway.
            os.fdatasync(fd)
            self.flushes += 1
            self.flushed = max(self.flushed, covers)

    def close_files(self) -> None:
        """Close the log's and the queue's descriptors (when this database object is replaced)."""
        with self.wal_lock:
            if self.wal_fd is not None and self.wal_pid == os.getpid():
                os.close(self.wal_fd)
            self.wal_fd = None
        self.queue.close()


_unchecked = threading.local()


@contextmanager
def unchecked_borrow():
    """Borrow a pooled PostgreSQL connection without the pool's liveness ping (a SELECT 1 round trip,
    run under the pool's lock) — for the dashboard poll, whose one statement is itself the check: a
    connection the server dropped fails it, the poll gives the connection back (the pool discards a
    broken one) and goes the full way, whose borrow pings. SQLite's pool has no ping; nothing changes."""
    _unchecked.on = True
    try:
        yield
    finally:
        _unchecked.on = False


@functools.cache
def _register_postgres_pool() -> None:
    """peewee's psycopg 3 pool, able to skip its ping inside unchecked_borrow(). Built on first use, so
    that an install without psycopg never imports it."""
    from playhouse.db_url import register_database
    from playhouse.postgres_ext import PooledPsycopg3Database
    from psycopg.pq import TransactionStatus

    class PortalPostgresPool(PooledPsycopg3Database):
        def _is_closed(self, conn):
            if getattr(_unchecked, "on", False):  # what the client knows, no round trip
                return bool(conn.closed) or conn.info.transaction_status != TransactionStatus.IDLE
            return super()._is_closed(conn)

    register_database(PortalPostgresPool, "portal-psycopg3+pool")


def make_database(url: str, pool_max: int = 32):
    """Build the database object for a sqlite:/// path or a postgresql:// URL.

    Both are pooled: a request borrows an open connection and gives it back, so a request does not pay
    for opening a connection (a PostgreSQL login, or the SQLite pragmas), and a connection is never
    tied to a thread that may end (the development server starts a thread per request).
    """
    if url.startswith("sqlite:///"):
        path = url[len("sqlite:///"):]
        # IMMEDIATE takes the write lock at BEGIN, so two writers queue instead of one failing with
        # "database is locked" when it upgrades a read lock.
        return DurableSqliteDatabase(path, pragmas=SQLITE_PRAGMAS, lock_type="IMMEDIATE",
                                     check_same_thread=False, max_connections=None)
    if url.startswith(("postgresql://", "postgres://")):
        # psycopg 3; PostgreSQL needs no IMMEDIATE: its row locks let writers of different rows run at once.
        # Connections are renewed after 10 minutes so a restarted server or a proxy's idle cut is survived.
        _register_postgres_pool()
        return connect_url("portal-psycopg3+pool://" + url.split("://", 1)[1], max_connections=pool_max,
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
    if isinstance(database, DurableSqliteDatabase):
        database.close_files()


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
