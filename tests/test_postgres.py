"""The database layer on both backends: the URL picks SQLite or PostgreSQL, requests borrow pooled
connections and give them back, concurrent writers all get through the audit path, and the values a
record holds come back as they went in. The whole suite runs on PostgreSQL when TEST_DATABASE_URL is
set (`make test-pg`, CI's second run); the tests marked `needs_pg` only then."""
from __future__ import annotations

import datetime as dt
import os
import threading

import pytest
from peewee import SqliteDatabase
from playhouse.pool import PooledDatabase

from portal import db as dbmod
from portal.audit import write
from portal.db import db, make_database
from portal.models import AuditLog, DataVersion, Department, RuleDocument, ServiceItem

PG_URL = os.environ.get("TEST_DATABASE_URL", "")
needs_pg = pytest.mark.skipif(not PG_URL.startswith("postgres"), reason="needs TEST_DATABASE_URL=postgresql://…")


def test_the_url_picks_the_backend(tmp_path):
    sqlite = make_database(f"sqlite:///{tmp_path / 'x.db'}")
    assert isinstance(sqlite, SqliteDatabase) and isinstance(sqlite, PooledDatabase)
    assert sqlite._lock_type == "IMMEDIATE"  # writers queue at BEGIN instead of failing on upgrade
    for url in ("postgresql://u:p@127.0.0.1:1/portal", "postgres://u:p@127.0.0.1:1/portal"):
        pg = make_database(url)  # nothing is connected yet
        assert isinstance(pg, PooledDatabase) and pg.param == "%s"
        assert pg.database == "portal" and pg.connect_params["host"] == "127.0.0.1"
        assert not getattr(pg, "_lock_type", None)


def test_a_request_gives_its_connection_back_to_the_pool(app, client):
    database = app.extensions["peewee_db"]
    if not db.is_closed():
        db.close()
    for _ in range(3):
        assert client.get("/healthz").status_code == 200
    assert db.is_closed()
    assert not database._in_use  # checked back in, not leaked
    assert len(database._connections) == 1  # and the same one reused


def test_concurrent_writers_all_get_through_and_each_moves_the_version(app, world):
    before_version, before_log = DataVersion.current(), AuditLog.select().count()
    errors = []

    def writer(n):
        try:
            for i in range(8):
                with write(username=f"t{n}") as w:
                    w.create(ServiceItem, department=world.gaj, seq=100 + n * 10 + i, item_name=f"并发事项{n}",
                             sub_item_name=f"办理项{i}", item_type="行政许可", inclusion="待定")
        except Exception as exc:  # pragma: no cover - the assertion below shows it
            errors.append(repr(exc))
        finally:
            if not db.is_closed():
                db.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert DataVersion.current() == before_version + 32
    assert AuditLog.select().count() == before_log + 32
    assert ServiceItem.select().where(ServiceItem.item_name.startswith("并发事项")).count() == 32


def test_values_come_back_as_they_went_in(app, world):
    data = bytes(range(256)) * 4
    with write(username="test") as w:
        doc = w.create(RuleDocument, department=world.gaj, kind="实施方案", title="方案", doc_date=dt.date(2026, 2, 28),
                       filename="a.pdf", content_type="application/pdf", size=len(data), sha256="0" * 64, data=data)
        w.update(world.fgj, several_officers=True, short_name="发改")
    again = RuleDocument.get_by_id(doc.id)
    assert bytes(again.data) == data
    assert again.doc_date == dt.date(2026, 2, 28) and isinstance(again.uploaded_at, dt.datetime)
    fgj = Department.get_by_id(world.fgj.id)
    assert fgj.several_officers is True and fgj.has_window is True and fgj.short_name == "发改"
    assert Department.select().where(Department.several_officers == True).count() == 2  # noqa: E712


@needs_pg
def test_the_suite_really_runs_on_postgres(app):
    assert dbmod.is_postgres()
    version = db.execute_sql("SHOW server_version").fetchone()[0]
    assert version.split(".")[0].isdigit()


@needs_pg
def test_each_test_starts_from_empty_tables_with_ids_from_one(app, world):
    # conftest empties the tables between tests (TRUNCATE … RESTART IDENTITY): nothing of another
    # test is left and the sequences start again.
    assert Department.select().count() == 2
    assert min(d.id for d in Department.select()) == 1


@needs_pg
def test_a_check_constraint_refuses_bad_values_on_postgres_too(app, world):
    from peewee import IntegrityError

    with pytest.raises(IntegrityError):
        with db.atomic():
            ServiceItem.insert(department=world.gaj, seq=1, item_name="x", sub_item_name="x", item_type="行政审批",
                               inclusion="纳入").execute()
    assert ServiceItem.select().count() == 0
