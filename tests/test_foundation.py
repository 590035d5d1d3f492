"""The skeleton: login per role, isolation, CSRF, sessions, headers, health, schema (login throttling:
test_lockout.py)."""
from __future__ import annotations

import datetime as dt
import os
import re
import threading

import pytest
from peewee import SqliteDatabase
from playhouse.schema_diff import diff_models

from portal.db import db
from portal.audit import write
from portal.models import ALL_MODELS, AuditLog, DataVersion, Department, Holiday, LoginAttempt, LoginSession, User
from tests.conftest import HTMX, PASSWORD, csrf_from, make_app


def test_models_and_migrated_schema_do_not_differ(tmp_path):
    # Every migration run on an empty file, not the suite's template copy: the migrations are the point.
    make_app(tmp_path, fresh=True)
    try:
        diff = diff_models(db.obj, ALL_MODELS)
    finally:
        db.close()
    assert not diff, str(diff)


@pytest.mark.parametrize("username, expect", [
    ("gaj", "赤壁市公安局"), ("fgj", "赤壁市发展和改革局"), ("office", "协调办"), ("leader", "领导小组"),
])
def test_each_role_lands_on_its_home_page(login, username, expect):
    client = login(username)
    html = client.get("/").get_data(as_text=True)
    assert expect in html
    assert "待办提醒" in html


def test_navigation_fits_the_role(login):
    html = login("leader").get("/").get_data(as_text=True)
    assert "清单审核" not in html  # the leader reviews nothing


def test_wrong_credentials_give_one_neutral_message(client, world):
    unknown = client.post("/login", data={"username": "nobody", "password": "whatever1"})
    wrong = client.post("/login", data={"username": "gaj", "password": "wrong-password"})
    assert unknown.status_code == wrong.status_code == 401
    assert "用户名或密码错误" in unknown.get_data(as_text=True)
    assert "用户名或密码错误" in wrong.get_data(as_text=True)


def test_anonymous_is_sent_to_login(client, world):
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_htmx_request_with_expired_session_gets_hx_redirect(client, world):
    response = client.get("/", headers=HTMX)
    assert response.status_code != 302
    assert "/login" in response.headers["HX-Redirect"]


def test_logout_kills_the_session_even_for_a_copied_cookie(app, login, world):
    client = login("gaj")
    cookie = client.get_cookie("portal_session").value
    assert client.post("/logout").status_code == 303
    replay = app.test_client()
    replay.set_cookie("portal_session", cookie)
    assert replay.get("/").status_code == 302


def test_logout_by_get_only_asks(login):
    client = login("gaj")
    assert "确认退出" in client.get("/logout").get_data(as_text=True)
    assert client.get("/").status_code == 200  # still logged in


def test_disabled_user_is_logged_out_and_cannot_log_in(login, world, runner):
    client = login("fgj")
    result = runner.invoke(args=["disable-user", "fgj"])
    assert result.exit_code == 0, result.output
    assert client.get("/").status_code == 302
    assert client.post("/login", data={"username": "fgj", "password": PASSWORD}).status_code == 401


def test_password_change_needs_the_current_one_and_revokes_other_sessions(app, login, world):
    client = login("gaj")
    other = app.test_client()
    other.post("/login", data={"username": "gaj", "password": PASSWORD})
    bad = client.post("/account/password", data={"current": "nope-nope", "new": "new-password-9", "confirm": "new-password-9"})
    assert "当前密码不正确" in bad.get_data(as_text=True)
    short = client.post("/account/password", data={"current": PASSWORD, "new": "short", "confirm": "short"})
    assert "至少需要10个字符" in short.get_data(as_text=True)
    ok = client.post("/account/password", data={"current": PASSWORD, "new": "new-password-9", "confirm": "new-password-9"})
    assert ok.status_code == 303
    assert client.get("/").status_code == 200  # this session stays
    assert other.get("/").status_code == 302  # the other one is dead
    assert AuditLog.select().where(AuditLog.action == "password").count() == 1
    assert "***" in AuditLog.get(AuditLog.action == "password").after  # never the hash


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"])
def test_next_after_login_stays_on_our_site(client, world, target):
    response = client.post("/login?next=" + target, data={"username": "gaj", "password": PASSWORD})
    assert response.headers["Location"] == "/"


def test_next_after_login_to_our_own_path(client, world):
    response = client.post("/login?next=/account/password", data={"username": "gaj", "password": PASSWORD})
    assert response.headers["Location"] == "/account/password"


def test_security_headers_and_cookie_flags(client, world):
    response = client.post("/login", data={"username": "gaj", "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = client.get("/")
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Cache-Control"] == "no-store"
    assert "HX-Request" in page.headers["Vary"]
    assert "<script>" not in page.get_data(as_text=True)


def test_healthz_answers_without_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["database"] == "ok"


def test_write_path_audits_and_moves_the_data_version(app, world):
    before = DataVersion.current()
    from portal.audit import write

    with write(username="test") as w:
        w.update(world.gaj, short_name="公安")
    assert DataVersion.current() == before + 1
    entry = AuditLog.select().order_by(AuditLog.id.desc()).first()
    assert entry.table == "department" and '"公安"' in entry.after


def test_write_path_rolls_back_everything_on_error(app, world):
    from portal.audit import write

    count = AuditLog.select().count()
    with pytest.raises(RuntimeError):
        with write(username="test") as w:
            w.update(world.gaj, short_name="半截")
            raise RuntimeError("boom")
    assert AuditLog.select().count() == count
    assert world.gaj.__class__.get_by_id(world.gaj.id).short_name == "gaj"


def test_database_checks_refuse_an_unknown_item_type(app, world):
    from peewee import IntegrityError

    with pytest.raises(IntegrityError):
        with db.atomic():
            db.execute_sql("INSERT INTO service_item (department_id, seq, code, item_name, sub_item_name, item_type, inclusion, reason_note, basis, kind, materials, location, retired, created_at, updated_at) "
                           "VALUES ({p}, 1, '', 'x', 'x', '行政审批', '纳入', '', '', '', '', '', {p}, '2026-01-01', '2026-01-01')".format(p=db.param),
                           (world.gaj.id, False))


def test_sqlite_pragmas(app):
    if not isinstance(db.obj, SqliteDatabase):
        pytest.skip("SQLite pragmas: the suite runs on PostgreSQL")
    assert db.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    # NORMAL: the fsync of every commit is made by DurableSqliteDatabase, after the write lock (below).
    assert db.execute_sql("PRAGMA synchronous").fetchone()[0] == 1
    assert db.execute_sql("PRAGMA busy_timeout").fetchone()[0] >= 5000


@pytest.fixture
def fsyncs(app, monkeypatch):
    """The files fsynced while a test runs (by inode, as fsync works on the file, not the descriptor)."""
    if not isinstance(db.obj, SqliteDatabase):
        pytest.skip("the write queue and the WAL fsync are SQLite's")
    import portal.db as dbmod

    synced = []
    real = os.fdatasync

    def spy(fd):
        synced.append(os.fstat(fd).st_ino)
        return real(fd)

    monkeypatch.setattr(dbmod.os, "fdatasync", spy)
    return synced


def wal_inode():
    return os.stat(db.obj.wal_path).st_ino


def test_a_committed_write_is_on_disk_before_write_returns(world, fsyncs):
    with write(username="test") as w:
        w.update(world.gaj, short_name="公安")
        assert fsyncs == []  # not inside the transaction: the next writer must not wait for our disk
    assert fsyncs == [wal_inode()]


def test_a_write_outside_a_transaction_is_synced_too(world, fsyncs):
    LoginAttempt.create(username="x", address="127.0.0.1", success=False, at=dt.datetime(2026, 11, 26))
    assert fsyncs == [wal_inode()]
    db.execute_sql("SELECT 1")
    assert len(fsyncs) == 1  # reads are not


def test_a_rolled_back_write_gives_the_turn_back(world):
    if not isinstance(db.obj, SqliteDatabase):
        pytest.skip("the write queue is SQLite's")
    with pytest.raises(RuntimeError):
        with write(username="test") as w:
            w.update(world.gaj, short_name="公安")
            raise RuntimeError("a failed check")
    assert not getattr(db.obj.queue.mine, "held", False)
    with write(username="test") as w:  # would wait forever if the turn were still taken
        w.update(Department.get_by_id(world.gaj.id), short_name="公安")
    assert Department.get_by_id(world.gaj.id).short_name == "公安"


def test_a_connection_handed_back_mid_transaction_gives_the_turn_back(world):
    if not isinstance(db.obj, SqliteDatabase):
        pytest.skip("the write queue is SQLite's")
    db.close()
    db.connect()
    db.begin()
    assert db.obj.queue.mine.held
    db.close()  # the pool rolls the transaction back
    assert not db.obj.queue.mine.held
    db.connect()


class TestCsrf:
    @pytest.fixture
    def app(self, tmp_path):
        yield make_app(tmp_path, WTF_CSRF_ENABLED=True)

    def test_login_without_token_is_refused_with_a_friendly_page(self, client, world):
        response = client.post("/login", data={"username": "gaj", "password": PASSWORD})
        assert response.status_code == 400
        assert "页面已过期" in response.get_data(as_text=True)
        assert LoginSession.select().count() == 0

    def test_htmx_request_with_header_token_is_accepted(self, client, world):
        token = csrf_from(client.get("/login").get_data(as_text=True))
        response = client.post("/login", data={"username": "gaj", "password": PASSWORD, "csrf_token": token})
        assert response.status_code == 302
        token = csrf_from(client.get("/").get_data(as_text=True))
        refused = client.post("/logout", headers=HTMX)
        assert refused.status_code == 400 and refused.headers["HX-Retarget"] == "#messages"
        accepted = client.post("/logout", headers={**HTMX, "X-CSRFToken": token})
        assert accepted.status_code == 204 and accepted.headers["HX-Redirect"].startswith("/login")
        assert client.get("/").status_code == 302

    def test_the_login_form_carries_the_token_in_its_hidden_fields(self, client, world):
        page = client.get("/login").get_data(as_text=True)
        form = page[page.index("<form"):page.index("</form>")]
        field = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form)
        assert field and field.group(1) == csrf_from(page)
        response = client.post("/login", data={"username": "gaj", "password": PASSWORD, "csrf_token": field.group(1)})
        assert response.status_code == 302

    def test_a_form_page_carries_the_token_and_its_post_is_checked_once(self, client, world):
        """Forms leave the check to CSRFProtect: the token from `{{ form.csrf_token }}` is accepted, a
        missing or forged one is refused before the view, and nothing is saved."""
        from portal.models import Investor
        from tests.test_joint import credit_code

        token = csrf_from(client.get("/login").get_data(as_text=True))
        client.post("/login", data={"username": "gaj", "password": PASSWORD, "csrf_token": token})
        page = client.get("/ledger/investors/new").get_data(as_text=True)
        field = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        assert field, "the form renders its CSRF field"
        data = {"name": "赤壁某某公司", "credit_code": credit_code("91421281MA4F00001"), "contact": "张三",
                "phone": "0715-5123456"}
        for bad in ({}, {"csrf_token": "forged"}):
            refused = client.post("/ledger/investors/new", data={**data, **bad})
            assert refused.status_code == 400 and "页面已过期" in refused.get_data(as_text=True)
        assert Investor.select().count() == 0
        accepted = client.post("/ledger/investors/new", data={**data, "csrf_token": field.group(1)})
        assert accepted.status_code in (302, 303), accepted.get_data(as_text=True)[:500]
        assert Investor.select().count() == 1


def test_every_form_derives_from_the_portal_form(app):
    """One CSRF check per request: no form may bring flask-wtf's own (second) check back."""
    from flask_wtf import FlaskForm

    from portal.forms import PortalForm

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    forms = [f for f in subclasses(FlaskForm) if f.__module__.startswith("portal.")]
    assert len(forms) > 20
    assert [f.__name__ for f in forms if not issubclass(f, PortalForm)] == []
    with app.test_request_context("/"):
        assert [f.__name__ for f in forms if f(formdata=None).meta.csrf] == []


def test_department_user_gets_404_for_another_departments_record(app, login, world):
    """Scoping by construction: get_scoped_or_404 filters by the user's department."""
    from flask_login import login_user
    from werkzeug.exceptions import NotFound

    from portal import security
    from portal.access import get_scoped_or_404
    from portal.models import ServiceItem

    from tests.conftest import World

    other_item = World().item(world.fgj, "企业投资项目核准")
    own_item = World().item(world.gaj, "机动车登记")
    user = User.get(User.username == "gaj")
    with app.test_request_context("/"):
        security.start_session(user)
        login_user(user)
        assert get_scoped_or_404(ServiceItem, own_item.id).id == own_item.id
        with pytest.raises(NotFound):
            get_scoped_or_404(ServiceItem, other_item.id)
        with pytest.raises(NotFound):
            get_scoped_or_404(ServiceItem, "not-a-number")


def test_a_commit_covered_by_a_later_flush_waits_for_no_flush_of_its_own(app, fsyncs):
    """Group commit, step by step: two commits numbered, the first one's flush started after both and
    covers the second, which then returns without a second fdatasync."""
    database = db.obj
    first, second = database._committed(), database._committed()
    database.sync(first)
    assert len(fsyncs) == 1 and database.flushed >= second
    database.sync(second)
    assert len(fsyncs) == 1  # covered
    third = database._committed()
    database.sync(third)
    assert len(fsyncs) == 2  # a commit after the last flush gets its own


def test_writers_waiting_for_the_disk_share_one_flush(app, world, monkeypatch):
    """Four threads write at once while the first flush is held on the disk: the three that commit
    meanwhile are made durable by one more flush between them, not three — and every write is there."""
    if not isinstance(db.obj, SqliteDatabase):
        pytest.skip("group commit is SQLite's (PostgreSQL does its own)")
    import portal.db as dbmod

    database, writers = db.obj, 4
    start_commits = database.commits
    all_committed = threading.Event()
    real_committed, real_fdatasync = database._committed, os.fdatasync
    calls = []

    def committed():
        seq = real_committed()
        if database.commits - start_commits >= writers:
            all_committed.set()
        return seq

    def fdatasync(fd):
        calls.append(fd)
        if len(calls) == 1:  # the first flush is slow: everyone else commits while it runs
            assert all_committed.wait(30)
        return real_fdatasync(fd)

    monkeypatch.setattr(database, "_committed", committed)
    monkeypatch.setattr(dbmod.os, "fdatasync", fdatasync)
    errors = []

    def one(n):
        try:
            with database.connection_context():
                with write(username=f"t{n}") as w:
                    w.create(Holiday, day=dt.date(2031, 1, 1 + n), is_workday=False, name=f"测试{n}")
        except Exception as exc:  # pragma: no cover - shown by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=one, args=(n,)) for n in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == [] and not any(t.is_alive() for t in threads)
    # The held flush covered the commits made before it began; one more covered all the others.
    assert len(calls) in (1, 2)  # not one per writer
    assert Holiday.select().where(Holiday.day >= dt.date(2031, 1, 1)).count() == writers
