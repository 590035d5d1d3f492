"""Login throttling that a stranger cannot turn against the owner (issue 20 §2): device cookies, backoff
instead of a wall, attempts inside the wait not counted, lock events in the audit log, the owner told.

Time is the portal's clock (portal.clock.now), frozen and moved by the `moment` fixture: no test sleeps."""
from __future__ import annotations

import datetime as dt

import pytest

from portal import clock, security
from portal.models import AuditLog, LoginAttempt, LoginSession, User
from tests.conftest import PASSWORD

WRONG = "wrong-password-1"


class Moment:
    """The portal's frozen clock; advance() moves it on."""

    def __init__(self):
        self.now = dt.datetime.now().replace(microsecond=0)

    def advance(self, **delta):
        self.now += dt.timedelta(**delta)


@pytest.fixture
def moment(monkeypatch):
    frozen = Moment()
    monkeypatch.setattr(clock, "now", lambda: frozen.now)
    return frozen


def attempt(client, username, password=WRONG, address="10.0.0.7"):
    return client.post("/login", data={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def fail(client, username, times, address="10.0.0.7"):
    for _ in range(times):
        assert attempt(client, username, address=address).status_code == 401


def known_browser(app, username, address="10.0.0.8"):
    """The owner's browser: it has logged in once (so it holds the device cookie) and logged out."""
    client = app.test_client()
    assert attempt(client, username, PASSWORD, address).status_code == 302
    client.post("/logout")
    return client


def waits(response) -> int | None:
    """The Retry-After of a throttled answer (请稍后再试), or None when the attempt went ahead."""
    if response.status_code != 429:
        return None
    assert "请稍后再试" in response.get_data(as_text=True)
    return int(response.headers["Retry-After"])


def test_backoff_doubles_from_the_threshold_up_to_the_cap():
    cap = 15 * 60
    assert [security.backoff_seconds(n, 5, cap) for n in range(0, 11)] == [0, 0, 0, 0, 0, 1, 2, 4, 8, 16, 32]
    assert security.backoff_seconds(14, 5, cap) == 512
    assert security.backoff_seconds(15, 5, cap) == cap
    assert security.backoff_seconds(10_000, 5, cap) == cap


def test_five_failures_make_an_unknown_browser_wait_not_a_wall(app, client, world, moment):
    fail(client, "office", 5)
    right = attempt(client, "office", PASSWORD)
    assert waits(right) == 1  # even the right password waits its turn: no oracle inside the wait
    assert LoginSession.select().count() == 0
    moment.advance(seconds=1)
    assert attempt(client, "office", PASSWORD).status_code == 302


def test_attempts_inside_the_wait_are_not_counted(app, client, world, moment):
    fail(client, "office", 5)
    recorded = LoginAttempt.select().count()
    for _ in range(30):
        assert waits(attempt(client, "office")) == 1
    assert LoginAttempt.select().count() == recorded
    moment.advance(seconds=1)
    assert attempt(client, "office", PASSWORD).status_code == 302  # the wait did not grow


def test_the_wait_grows_with_each_failure_and_stops_at_fifteen_minutes(app, client, world, moment):
    fail(client, "office", 5)
    seen = []
    for _ in range(4):
        wait = waits(attempt(client, "office"))
        seen.append(wait)
        moment.advance(seconds=wait)
        assert attempt(client, "office").status_code == 401  # the wait is over: a real try, and a failure
    assert seen == [1, 2, 4, 8]
    for _ in range(12):
        moment.advance(seconds=waits(attempt(client, "office")))
        attempt(client, "office")
    assert waits(attempt(client, "office")) == 15 * 60


def test_a_strangers_guessing_never_locks_the_owner_out_of_a_browser_used_before(app, world, moment):
    owner = known_browser(app, "office")
    stranger = app.test_client()
    guesses = 0
    while guesses < 40:  # a stranger guessing for hours, again as soon as each wait is over
        wait = waits(attempt(stranger, "office", address="203.0.113.9"))
        if wait:
            moment.advance(seconds=wait)
        else:
            guesses += 1
    assert waits(attempt(stranger, "office", PASSWORD, address="203.0.113.9")) == 15 * 60
    # The owner's browser, from the owner's usual address and from another one: straight in.
    assert attempt(owner, "office", PASSWORD).status_code == 302
    owner.post("/logout")
    assert attempt(owner, "office", PASSWORD, address="203.0.113.9").status_code == 302


def test_a_busy_address_slows_unknown_browsers_only(app, world, moment):
    fgj_known = known_browser(app, "fgj")
    guesser = app.test_client()
    for i in range(20):  # a whole department behind one address: someone mistypes, or guesses
        fail(guesser, f"guess{i}", 1)
    assert waits(attempt(app.test_client(), "gaj", PASSWORD)) == 1  # an unknown browser there waits
    assert attempt(app.test_client(), "gaj", PASSWORD, address="10.0.0.99").status_code == 302  # elsewhere: no
    assert attempt(fgj_known, "fgj", PASSWORD, address="10.0.0.7").status_code == 302  # a known browser: no


def test_a_known_browser_is_throttled_on_its_own_failures_only(app, world, moment):
    owner = known_browser(app, "gaj")
    fail(owner, "gaj", 5)
    assert waits(attempt(owner, "gaj", PASSWORD)) == 1
    # Its failures are not the account's: an unknown browser of the same account is not slowed.
    assert attempt(app.test_client(), "gaj", PASSWORD, address="10.0.0.50").status_code == 302
    moment.advance(seconds=1)
    assert attempt(owner, "gaj", PASSWORD).status_code == 302


def test_a_device_cookie_counts_for_its_own_account_only(app, world, moment):
    browser = known_browser(app, "gaj")  # known to gaj, not to office
    fail(browser, "office", 5)
    assert waits(attempt(app.test_client(), "office", PASSWORD, address="10.0.0.60")) == 1  # office's unknown run
    assert attempt(browser, "gaj", PASSWORD).status_code == 302


@pytest.mark.parametrize("cookie", ["garbage", "W1siZ2FqIiwiYWJjIiwiMjAyNi0wMS0wMSJdXQ.forged"])
def test_a_forged_device_cookie_is_an_unknown_browser(app, client, world, moment, cookie):
    fail(app.test_client(), "gaj", 5)
    client.set_cookie(security.DEVICE_COOKIE, cookie, path="/login")
    assert waits(attempt(client, "gaj", PASSWORD)) == 1


def test_the_device_cookie_is_signed_httponly_and_sent_to_the_login_page_only(app, client, world, moment):
    response = attempt(client, "gaj", PASSWORD)
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(security.DEVICE_COOKIE + "="))
    assert "HttpOnly" in header and "Path=/login" in header and "SameSite=Lax" in header
    assert "Max-Age=" in header
    value = client.get_cookie(security.DEVICE_COOKIE, path="/login").value
    assert "." in value  # payload.signature
    tampered = value[:-2] + ("AA" if not value.endswith("AA") else "BB")
    fail(app.test_client(), "gaj", 5)
    other = app.test_client()
    other.set_cookie(security.DEVICE_COOKIE, tampered, path="/login")
    assert waits(attempt(other, "gaj", PASSWORD)) == 1
    client.post("/logout")
    assert attempt(client, "gaj", PASSWORD).status_code == 302  # the genuine one still counts


def test_one_browser_remembers_several_accounts(app, client, world, moment):
    for name in ("gaj", "fgj", "office"):
        assert attempt(client, name, PASSWORD).status_code == 302
        client.post("/logout")
    stranger = app.test_client()
    for name in ("gaj", "fgj", "office"):
        fail(stranger, name, 5, address="203.0.113.9")
    for name in ("gaj", "fgj", "office"):
        assert attempt(client, name, PASSWORD).status_code == 302, name
        client.post("/logout")


def test_an_old_device_cookie_is_forgotten(app, world, moment):
    owner = known_browser(app, "gaj")
    moment.advance(days=app.config["LOGIN_DEVICE_DAYS"] + 1)
    fail(app.test_client(), "gaj", 5, address="203.0.113.9")
    assert waits(attempt(owner, "gaj", PASSWORD)) == 1  # no longer a known browser


def test_a_success_ends_the_run_and_old_failures_are_forgotten(app, client, world, moment):
    fail(client, "gaj", 5)
    moment.advance(seconds=1)
    assert attempt(client, "gaj", PASSWORD).status_code == 302
    client.post("/logout")
    stranger = app.test_client()
    fail(stranger, "fgj", 5, address="10.0.0.70")
    moment.advance(hours=app.config["LOGIN_MEMORY_HOURS"], seconds=1)
    fail(stranger, "fgj", 1, address="10.0.0.70")
    assert attempt(stranger, "fgj", PASSWORD, address="10.0.0.70").status_code == 302


def test_the_office_sees_lock_events_in_the_audit_log(app, world, login, moment):
    stranger = app.test_client()
    fail(stranger, "gaj", 5, address="203.0.113.9")
    for i in range(20):
        fail(stranger, f"guess{i}", 1, address="198.51.100.4")
    account = AuditLog.get((AuditLog.action == "login-lock") & (AuditLog.table == "user"))
    assert account.record_id == world.gaj.users.get().id and account.department_id == world.gaj.id
    assert '"账号"' in account.after and "203.0.113.9" in account.after and '"failures": 5' in account.after
    address = AuditLog.get((AuditLog.action == "login-lock") & (AuditLog.table == "login_attempt"))
    assert '"来源地址"' in address.after and "198.51.100.4" in address.after
    # One entry when the wait starts, not one per failure.
    moment.advance(seconds=1)
    fail(stranger, "gaj", 1, address="203.0.113.9")
    assert AuditLog.select().where(AuditLog.action == "login-lock").count() == 2
    html = login("office").get("/admin/audit").get_data(as_text=True)
    assert "login-lock" in html and "203.0.113.9" in html and "198.51.100.4" in html


def test_the_wait_reaching_its_longest_is_logged_too(app, client, world, moment):
    fail(client, "office", 5)
    for _ in range(10):
        moment.advance(seconds=waits(attempt(client, "office")))
        attempt(client, "office")
    entries = list(AuditLog.select().where(AuditLog.action == "login-lock").order_by(AuditLog.id))
    assert len(entries) == 2 and '"wait_seconds": 900' in entries[1].after


def test_the_owner_is_told_of_many_failures_at_the_next_login(app, world, moment):
    owner = known_browser(app, "gaj")
    fail(app.test_client(), "gaj", 5, address="203.0.113.9")
    page = attempt(owner, "gaj", PASSWORD)
    notice = owner.get(page.headers["Location"]).get_data(as_text=True)
    assert "有5次用您的账号登录失败" in notice and "修改密码" in notice
    owner.post("/logout")
    attempt(owner, "gaj", PASSWORD)
    assert "登录失败" not in owner.get("/").get_data(as_text=True)  # told once


def test_a_few_typos_are_not_worth_a_notice(app, world, moment):
    owner = known_browser(app, "gaj")
    fail(owner, "gaj", 2)
    attempt(owner, "gaj", PASSWORD)
    assert "用您的账号登录失败" not in owner.get("/").get_data(as_text=True)


def test_user_names_that_do_not_exist_are_throttled_the_same(app, client, world, moment):
    fail(client, "nobody", 5)
    assert waits(attempt(client, "nobody")) == 1  # the same answer as for a real account
    assert User.get_or_none(User.username == "nobody") is None
