"""Sessions end on idle timeout and absolute lifetime (settings); cookies are Secure over https."""
from __future__ import annotations

import datetime as dt

from portal.models import LoginSession
from tests.conftest import PASSWORD, make_app


def _age(**fields):
    LoginSession.update(**fields).execute()


def test_idle_session_expires(login, app):
    client = login("gaj")
    assert client.get("/").status_code == 200
    _age(last_seen_at=dt.datetime.now() - dt.timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] + 1))
    assert client.get("/").status_code == 302


def test_session_has_an_absolute_lifetime_even_when_active(login, app):
    client = login("gaj")
    _age(created_at=dt.datetime.now() - dt.timedelta(hours=app.config["SESSION_MAX_HOURS"], minutes=1),
         last_seen_at=dt.datetime.now())
    assert client.get("/").status_code == 302


def test_each_login_starts_a_new_session(app, world):
    a, b = app.test_client(), app.test_client()
    a.post("/login", data={"username": "gaj", "password": PASSWORD})
    b.post("/login", data={"username": "gaj", "password": PASSWORD})
    tokens = [s.token for s in LoginSession.select()]
    assert len(set(tokens)) == 2


def test_cookie_is_secure_when_served_over_https(tmp_path, monkeypatch):
    monkeypatch.setenv("PORTAL_HTTPS", "1")
    app = make_app(tmp_path)
    from tests.conftest import World

    World().department("gaj")
    response = app.test_client().post("/login", data={"username": "gaj", "password": PASSWORD})
    assert "Secure" in response.headers["Set-Cookie"]
