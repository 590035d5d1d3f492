"""Fixtures in the flaskr style: an app on a temporary SQLite *file* with the migrations applied, a
client, a CLI runner, and `login` as any role. CSRF is off here except where a test turns it on."""
from __future__ import annotations

import atexit
import datetime as dt
import os
import re
import shutil
import sqlite3
import tempfile
from contextlib import contextmanager

import pytest
from playhouse.migrations import Runner
from werkzeug.security import generate_password_hash

from portal import create_app
from portal import db as dbmod
from portal.audit import write
from portal.db import db
from portal.models import Department, ServiceItem, User
from portal.security import TESTING_PASSWORD_METHOD

PASSWORD = "test-password-1"
TODAY = dt.date(2026, 11, 26)
# The method the apps of the suite hash with (TESTING): one round of pbkdf2 instead of scrypt's 0.3 s.
PASSWORD_HASH = generate_password_hash(PASSWORD, TESTING_PASSWORD_METHOD)


def make_app(tmp_path, fresh=False, **config):
    """An app on a migrated SQLite file under tmp_path: a copy of the run's template database, or with
    fresh=True an empty file that every migration is run on (for tests of the migrations themselves)."""
    settings = {
        "TESTING": True,
        "DATABASE_URL": os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'portal.db'}",
        "SECRET_KEY": "test-secret",
        "WTF_CSRF_ENABLED": False,
        "FIXED_TODAY": TODAY,
    }
    settings.update(config)
    url = settings["DATABASE_URL"]
    os.makedirs(tmp_path / "instance", exist_ok=True)
    path = url[len("sqlite:///"):] if url.startswith("sqlite:///") else None
    if path and not fresh and not os.path.exists(path):
        shutil.copyfile(template_database(), path)
    os.environ["PORTAL_INSTANCE"] = str(tmp_path / "instance")
    app = create_app(settings)
    with app.app_context():
        if url.startswith("postgres"):
            _reset_postgres(url)
        else:
            dbmod.upgrade()  # on a copy of the template, only finds that nothing is pending
    return app


_TEMPLATE: list[str] = []


def template_database() -> str:
    """The SQLite file of this test run that every migration was run on, once: each test's database
    starts as a copy of it (~1 ms) instead of running the migrations again (~0.2 s a test).

    It is made with the portal's own database object and pragmas (WAL), and left with every connection
    closed and the log checkpointed into the file and truncated, so the one file is the whole database:
    a copy needs no -wal or -shm beside it."""
    if not _TEMPLATE:
        folder = tempfile.mkdtemp(prefix="portal-test-template-")
        atexit.register(shutil.rmtree, folder, True)
        path = os.path.join(folder, "portal.db")
        database = dbmod.make_database(f"sqlite:///{path}")
        with database.connection_context():
            Runner(database, dbmod.MIGRATIONS_DIR).up()
        database.close_all()
        database.close_files()
        conn = sqlite3.connect(path)
        try:
            assert conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] == 0, "template log busy"
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        finally:
            conn.close()  # the last connection: SQLite removes the (empty) -wal and -shm
        assert not os.path.exists(path + "-wal") and not os.path.exists(path + "-shm"), "template not closed"
        _TEMPLATE.append(path)
    return _TEMPLATE[0]


# PostgreSQL databases this test process has rebuilt from scratch, and whether their migrations left
# rows behind (then every test rebuilds, so those rows come back as on a fresh SQLite file).
_PG_REBUILT: dict[str, bool] = {}


def _reset_postgres(url):
    """A fresh database for each test: the schema is rebuilt and migrated once per test process, then
    each test empties every table (TRUNCATE … RESTART IDENTITY, ~15 ms instead of ~90 ms)."""
    with db.connection_context():
        tables = [row[0] for row in db.execute_sql(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migration'")]
        if url in _PG_REBUILT and not _PG_REBUILT[url] and tables:
            db.execute_sql("TRUNCATE %s RESTART IDENTITY CASCADE" % ", ".join('"%s"' % t for t in tables))
            return
        db.execute_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    dbmod.upgrade()
    with db.connection_context():
        tables = [row[0] for row in db.execute_sql(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migration'")]
        seeded = db.execute_sql("SELECT " + " OR ".join('EXISTS (SELECT 1 FROM "%s")' % t for t in tables)).fetchone()[0]
    _PG_REBUILT[url] = bool(seeded)


@pytest.fixture
def app(tmp_path):
    # No app context is held open across the test: requests must not share `g` (flask-login and
    # flask-wtf keep per-request state there). Peewee reconnects by itself for the test's own queries.
    app = make_app(tmp_path)
    yield app
    if not db.is_closed():
        db.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def stored(model, **fields):
    """A record created through the portal's writer (audited, like every write), as a fixture needs it."""
    with write(username="test") as w:
        return w.create(model, **fields)


class World:
    """Builds small hand-made cities: departments, their users and items."""

    def department(self, code="gaj", name=None, several=False, window=True):
        with write(username="test") as w:
            dept = w.create(Department, code=code, name=name or f"赤壁市测试局{code}", short_name=code,
                            several_officers=several, has_window=window)
            w.create(User, username=code, display_name=f"{code}经办人", role="department", department=dept,
                     password_hash=PASSWORD_HASH)
        return dept

    def user(self, username, role, department=None, active=True):
        with write(username="test") as w:
            return w.create(User, username=username, display_name=username, role=role, department=department,
                            password_hash=PASSWORD_HASH, active=active)

    def item(self, dept, name="测试事项", sub=None, item_type="行政许可", inclusion="纳入", **extra):
        seq = ServiceItem.select().where(ServiceItem.department == dept).count() + 1
        fields = dict(department=dept, seq=seq, item_name=name, sub_item_name=sub or name, item_type=item_type,
                      inclusion=inclusion, mode="终审" if inclusion == "纳入" else None)
        return stored(ServiceItem, **{**fields, **extra})


@pytest.fixture
def world(app):
    """Two departments (gaj, fgj) with users, an office user and a leader."""
    w = World()
    w.gaj = w.department("gaj", "赤壁市公安局", several=True)
    w.fgj = w.department("fgj", "赤壁市发展和改革局")
    w.office = w.user("office", "office")
    w.leader = w.user("leader", "leader")
    return w


class Auth:
    def __init__(self, client):
        self.client = client

    def login(self, username="gaj", password=PASSWORD):
        return self.client.post("/login", data={"username": username, "password": password})

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def login(client, world):
    """login("gaj" | "fgj" | "office" | "leader") → the logged-in test client. Whoever was logged in
    on it logs out first, as at a shared desk."""

    def _login(username):
        client.post("/logout")
        response = client.post("/login", data={"username": username, "password": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return _login


HTMX = {"HX-Request": "true"}


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert match, "no csrf meta tag"
    return match.group(1)


_CSRF_VALUE = re.compile(r'(name="csrf[-_]token"[^>]*?(?:content|value)=")[^"]+"')


def without_csrf(html: str) -> str:
    """The page with its CSRF tokens blanked: a token carries the second it was signed in, so two renders
    of the same page a second apart differ there and nowhere else."""
    return _CSRF_VALUE.sub(r'\1"', html)


@contextmanager
def count_queries():
    """Every SQL statement the database runs inside the block: a page's query cost."""
    statements = []
    database = db.obj
    original = database.execute_sql

    def spy(sql, params=None, *args, **kwargs):
        statements.append(sql)
        return original(sql, params, *args, **kwargs)

    database.execute_sql = spy  # an instance attribute shadows the method while the block runs
    try:
        yield statements
    finally:
        del database.execute_sql
