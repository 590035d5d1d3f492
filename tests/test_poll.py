"""The dashboard poll answered in front of Flask (portal/poll.py): one statement when nothing changed,
and never a 204 where the full path would send the browser to the login page."""
from __future__ import annotations

import datetime as dt
import os

import pytest

from portal import clock, security
from portal.audit import write
from portal.models import LoginSession, User

from tests.conftest import HTMX, count_queries, without_csrf

SECURITY_HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy",
                    "Cache-Control")


@pytest.fixture
def office(login):
    """The office logged in, its dashboard open: (client, the ETag the page polls with)."""
    client = login("office")
    page = client.get("/dashboard/")
    assert page.status_code == 200
    tag = page.headers["ETag"]
    # The page set the session cookie anew (its CSRF token): the first poll, with that cookie, goes
    # through Flask, which remembers it; from then on the shortcut answers.
    assert poll(client, tag).status_code == 204
    return client, tag


def poll(client, tag, **extra):
    return client.get("/dashboard/", headers={**HTMX, "If-None-Match": tag, **extra})


def shortcut(app):
    return app.extensions["poll_shortcut"]


def test_an_unchanged_poll_costs_one_statement(office):
    client, tag = office
    with count_queries() as statements:
        response = poll(client, tag)
    assert response.status_code == 204 and response.get_data() == b""
    assert response.headers["ETag"] == tag
    assert len(statements) == 1  # the data version and the session, together


def test_the_shortcut_answers_with_the_full_paths_headers(app, office):
    client, tag = office
    fast = poll(client, tag)
    shortcut(app).seen.clear()  # forgotten: the next poll goes through Flask
    with count_queries() as statements:
        full = poll(client, tag)
    assert len(statements) > 1 and full.status_code == fast.status_code == 204
    for name in (*SECURITY_HEADERS, "ETag"):
        assert fast.headers[name] == full.headers[name], name
    assert {v.strip() for v in fast.headers["Vary"].split(",")} >= {"HX-Request", "Cookie"}


def test_after_a_write_the_poll_brings_the_figures(world, office):
    client, tag = office
    with write(username="test") as w:
        w.update(world.gaj, short_name="公安")
    response = poll(client, tag)
    assert response.status_code == 200 and 'id="dashboard-live"' in response.get_data(as_text=True)
    assert response.headers["ETag"] != tag


def test_a_revoked_session_goes_to_the_login_page_at_once(office):
    client, tag = office
    assert poll(client, tag).status_code == 204
    security.revoke_all(User.get(User.username == "office"))  # e.g. the password changed elsewhere
    response = poll(client, tag)
    assert response.headers.get("HX-Redirect", "").startswith("/login")


def test_a_disabled_user_goes_to_the_login_page_at_once(office):
    client, tag = office
    assert poll(client, tag).status_code == 204
    User.update(active=False).where(User.username == "office").execute()
    assert poll(client, tag).headers.get("HX-Redirect", "").startswith("/login")


def test_after_logging_out_the_old_cookie_gets_no_answer(app, office):
    client, tag = office
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    client.post("/logout")
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)  # replayed after the logout
    assert poll(client, tag).headers.get("HX-Redirect", "").startswith("/login")


def test_after_a_minute_the_full_path_checks_and_touches_the_session(app, office, monkeypatch):
    client, tag = office
    later = clock.now() + dt.timedelta(seconds=security.TOUCH_SECONDS + 5)
    monkeypatch.setattr(clock, "now", lambda: later)
    with count_queries() as statements:
        response = poll(client, tag)
    assert response.status_code == 204 and len(statements) > 1  # through Flask
    session = LoginSession.select().where(LoginSession.revoked_at.is_null()).get()
    assert session.last_seen_at == later
    with count_queries() as statements:
        assert poll(client, tag).status_code == 204
    assert len(statements) == 1  # remembered again


def test_an_idle_session_is_sent_to_login(app, office, monkeypatch):
    client, tag = office
    later = clock.now() + dt.timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] + 1)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert poll(client, tag).headers.get("HX-Redirect", "").startswith("/login")


def test_a_new_day_brings_the_figures(app, office):
    client, tag = office
    app.config["FIXED_TODAY"] = app.config["FIXED_TODAY"] + dt.timedelta(days=1)
    assert poll(client, tag).status_code == 200


@pytest.mark.parametrize("extra", [{"HX-History-Restore-Request": "true"}, {"HX-Request": "false"}])
def test_other_requests_go_through_flask(office, extra):
    client, tag = office
    with count_queries() as statements:
        poll(client, tag, **extra)
    assert len(statements) > 1


def test_a_stranger_cookie_or_none_goes_through_flask(app, world, client):
    page_tag = '"0-2026-11-26"'
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], "forged")
    assert poll(client, page_tag).headers.get("HX-Redirect", "").startswith("/login")
    client.delete_cookie(app.config["SESSION_COOKIE_NAME"])
    assert poll(client, page_tag).headers.get("HX-Redirect", "").startswith("/login")


def test_the_memory_of_sessions_is_bounded(app, office, monkeypatch):
    from portal import poll as pollmod

    monkeypatch.setattr(pollmod, "MAX_REMEMBERED", 3)
    memory = shortcut(app)
    now = clock.now()
    for n in range(5):
        memory.remember(f"cookie-{n}", n, "x", now, now)
    assert len(memory.seen) <= 3



def _answer(response) -> tuple:
    """What the browser gets: status, headers (but the session cookie, re-signed each time) and body."""
    headers = sorted((k, v) for k, v in response.headers.items() if k != "Set-Cookie")
    return response.status_code, headers, without_csrf(response.get_data(as_text=True))


def _through_flask(app, client, tag, **extra):
    """The same poll with the shortcut taken out of the WSGI stack: Flask's own answer."""
    stack = app.wsgi_app
    app.wsgi_app = shortcut(app).wsgi_app
    try:
        return poll(client, tag, **extra)
    finally:
        app.wsgi_app = stack


@pytest.mark.parametrize("case", ["unchanged", "changed", "logged out", "boosted", "history restore"])
def test_the_shortcut_answers_exactly_as_flask_would(app, world, office, case):
    """Status, headers and body of the answer with the shortcut in front equal Flask's own, whether
    nothing changed (204), the figures moved (200 and the fragment), the session ended (HX-Redirect),
    or htmx asks for a whole page (boosted, history restore)."""
    client, tag = office
    extra = {"boosted": {"HX-Boosted": "true"},
             "history restore": {"HX-History-Restore-Request": "true"}}.get(case, {})
    if case == "changed":
        with write(username="test") as w:
            w.update(world.gaj, short_name="公安")
    elif case == "logged out":
        security.revoke_all(User.get(User.username == "office"))
    flask_answer = _through_flask(app, client, tag, **extra)
    with count_queries() as statements:
        fast = poll(client, tag, **extra)
    if case == "unchanged":  # the shortcut's own answer: one statement, no Flask
        assert len(statements) == 1
    assert _answer(fast) == _answer(flask_answer)
    assert fast.status_code == (204 if case in ("unchanged", "logged out") else 200)
    if case == "logged out":
        assert fast.headers["HX-Redirect"].startswith("/login")
    elif case != "unchanged":
        assert 'id="dashboard-live"' in fast.get_data(as_text=True)


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL", "").startswith("postgres"), reason="needs PostgreSQL")
def test_a_connection_the_server_dropped_costs_the_poll_nothing(app, office, caplog):
    """The shortcut borrows without the pool's ping: when the server has dropped every pooled
    connection (a restart), the poll still gets its answer, by the full path, and the next one is
    answered by the shortcut again on a fresh connection."""
    import psycopg

    client, tag = office
    with psycopg.connect(os.environ["TEST_DATABASE_URL"], autocommit=True) as admin:
        dropped = admin.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                "WHERE datname = current_database() AND pid <> pg_backend_pid()").fetchone()[0]
    assert dropped >= 1
    with caplog.at_level("WARNING", logger="portal.request"):
        response = poll(client, tag)
    assert response.status_code == 204 and response.headers["ETag"] == tag
    # The shortcut took the dropped connection unpinged, found it dead, and let the full path answer.
    assert "answered by the full path" in caplog.text
    with count_queries() as statements:
        assert poll(client, tag).status_code == 204
    assert len(statements) == 1
