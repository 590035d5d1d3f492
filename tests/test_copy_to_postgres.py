"""`flask --app wsgi copy-to-postgres`: an SQLite install moved whole to an empty PostgreSQL database,
checked by row counts; refused (exit 1, a clear message, the target untouched) for a non-PostgreSQL
URL, an unreachable server, a non-empty target, or data PostgreSQL will not take.

The tests that need a server run when TEST_DATABASE_URL is set (CI's PostgreSQL run, `make test-pg`)."""
from __future__ import annotations

import datetime as dt
import os

import pytest

from portal import create_app
from portal.audit import write
from portal.db import db
from portal.models import (
    ALL_MODELS, DataVersion, Department, HighlightCase, Holiday, RuleDocument, ServiceItem, Setting, User,
)
from tests.conftest import PASSWORD, TODAY, World, make_app

PG_URL = os.environ.get("TEST_DATABASE_URL", "")
needs_pg = pytest.mark.skipif(not PG_URL.startswith("postgres"), reason="needs TEST_DATABASE_URL=postgresql://…")


def _pg():
    import psycopg

    return psycopg.connect(PG_URL, autocommit=True)


def _empty_target():
    with _pg() as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")


def _target_counts() -> dict[str, int]:
    with _pg() as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migration'")]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


@pytest.fixture
def sqlite_app(tmp_path):
    """The install to move: always an SQLite file, whatever TEST_DATABASE_URL says."""
    app = make_app(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'portal.db'}")
    yield app
    if not db.is_closed():
        db.close()


@pytest.fixture
def city(sqlite_app):
    """A small city with the awkward cases: a table named "user", booleans, dates and times, a photo
    (bytes), a text primary key (setting), and a document that points to a newer one (a key that can
    only be filled in once the later row exists)."""
    w = World()
    gaj = w.department("gaj", "赤壁市公安局", several=True)
    fgj = w.department("fgj", "赤壁市发展和改革局", window=False)
    w.user("office", "office")
    w.item(gaj, "机动车登记")
    w.item(gaj, "户口迁移", inclusion="未纳入", reason="涉密", reason_note="说明")
    w.item(fgj, "企业投资项目核准", inclusion="待定", legal_days=20, promised_days=10, retired=True)
    with write(username="test") as wr:
        wr.create(HighlightCase, department=gaj, title="上门办", body="正文", case_date=dt.date(2026, 3, 1),
                  photo=b"\x89PNG\x00\x01\xff" * 10, photo_type="image/png")
        old = wr.create(RuleDocument, department=gaj, kind="实施方案", title="旧方案", doc_date=dt.date(2025, 1, 1),
                        filename="a.pdf", content_type="application/pdf", size=3, sha256="0" * 64, data=b"%PD")
        new = wr.create(RuleDocument, department=gaj, kind="实施方案", title="新方案", doc_date=dt.date(2026, 1, 1),
                        filename="b.pdf", content_type="application/pdf", size=3, sha256="1" * 64, data=b"%PE")
        wr.update(old, replaced_by=new)
        wr.create(Holiday, day=dt.date(2026, 10, 1), name="国庆节")
    Setting.set_value("list_deadline_2026", "2026-08-12")
    return {"gaj": gaj.id, "old_doc": old.id, "new_doc": new.id}


def _copy(app, *args):
    return app.test_cli_runner().invoke(args=["copy-to-postgres", *args])


@needs_pg
def test_copy_moves_every_table_and_the_portal_runs_on_the_copy(sqlite_app, city, tmp_path):
    _empty_target()
    source_counts = {m._meta.table_name: m.select().count() for m in ALL_MODELS}
    result = _copy(sqlite_app, PG_URL, "--batch-size", "2")  # several batches even for a small city
    assert result.exit_code == 0, result.output
    assert "复制完成" in result.output and "不一致" not in result.output
    assert _target_counts() == source_counts

    # The portal itself on the copy: values read back as they were, sequences continue after the ids.
    pg_app = create_app({"TESTING": True, "DATABASE_URL": PG_URL, "SECRET_KEY": "t", "WTF_CSRF_ENABLED": False,
                         "FIXED_TODAY": TODAY})
    with pg_app.app_context():
        gaj = Department.get_by_id(city["gaj"])
        assert gaj.several_officers is True and gaj.name == "赤壁市公安局"
        assert Department.get(Department.code == "fgj").has_window is False
        assert bytes(HighlightCase.get().photo) == b"\x89PNG\x00\x01\xff" * 10
        assert HighlightCase.get().case_date == dt.date(2026, 3, 1)
        assert RuleDocument.get_by_id(city["old_doc"]).replaced_by_id == city["new_doc"]
        assert ServiceItem.get(ServiceItem.item_name == "企业投资项目核准").retired is True
        assert Setting.list_deadline(2026) == dt.date(2026, 8, 12)
        assert isinstance(User.get(User.username == "office").created_at, dt.datetime)
        version = DataVersion.current()
        with write(username="test") as w:
            added = w.create(Department, code="wsj", name="赤壁市卫生健康局")
        assert added.id == max(d.id for d in Department.select().where(Department.code != "wsj")) + 1
        assert DataVersion.current() == version + 1
    client = pg_app.test_client()
    assert client.post("/login", data={"username": "gaj", "password": PASSWORD}).status_code == 302
    assert "赤壁市公安局" in client.get("/").get_data(as_text=True)


@needs_pg
def test_copy_refuses_a_target_that_is_not_empty(sqlite_app, city):
    _empty_target()
    assert _copy(sqlite_app, PG_URL).exit_code == 0
    before = _target_counts()
    with write(username="test") as w:  # the source moves on; a second copy must not mix the two
        w.create(Department, code="wsj", name="赤壁市卫生健康局")
    again = _copy(sqlite_app, PG_URL)
    assert again.exit_code == 1
    assert "目标数据库不是空的" in again.output and "未作任何改动" in again.output
    assert _target_counts() == before


@needs_pg
def test_a_failed_copy_leaves_the_target_empty(sqlite_app, city):
    # SQLite does not enforce a column's length; PostgreSQL does. The copy fails as a whole.
    db.execute_sql("UPDATE department SET short_name = ? WHERE code = 'fgj'", ("长" * 60,))
    _empty_target()
    result = _copy(sqlite_app, PG_URL)
    assert result.exit_code == 1
    assert "复制失败" in result.output and "未写入任何数据" in result.output
    assert all(n == 0 for n in _target_counts().values())


@needs_pg
def test_copy_refuses_when_the_portal_already_runs_on_postgres(app):
    result = _copy(app, PG_URL)
    assert result.exit_code == 1 and "当前数据库不是 SQLite" in result.output


@pytest.mark.parametrize("url", ["mysql://u:p@127.0.0.1/portal", "sqlite:///other.db", "127.0.0.1:5432/portal", ""])
def test_copy_refuses_a_url_that_is_not_postgres(sqlite_app, city, url):
    result = _copy(sqlite_app, url)
    assert result.exit_code == 1
    assert "目标地址必须是 PostgreSQL 数据库地址" in result.output
    assert Department.select().count() == 2  # the source is only read


def test_copy_reports_an_unreachable_server_without_its_password(sqlite_app, city):
    result = _copy(sqlite_app, "postgresql://portal:s3cret-pw@127.0.0.1:1/portal")
    assert result.exit_code == 1
    assert "无法连接目标数据库" in result.output
    assert "s3cret-pw" not in result.output
