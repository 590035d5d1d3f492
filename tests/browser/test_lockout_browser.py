"""A stranger guessing at an account in one browser slows only strangers: the owner, in a browser where
the account has logged in before, gets straight in and is told about the failures (issue 20 §2)."""
from __future__ import annotations

import datetime as dt

import pytest

from portal import clock
from tests.browser.conftest import login, shot

pytestmark = pytest.mark.browser


def _try(page, live, username, password):
    page.goto(live.url + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    return page.locator(".error-summary").inner_text() if page.locator(".error-summary").count() else None


def test_a_stranger_cannot_lock_the_owner_out(live, page, browser, monkeypatch):
    frozen = dt.datetime.now().replace(microsecond=0)
    monkeypatch.setattr(clock, "now", lambda: frozen)  # the live server runs in this process
    live.world.department("gaj", "赤壁市公安局")
    login(page, live, "gaj")
    device = next(c for c in page.context.cookies() if c["name"] == "portal_device")
    assert device["httpOnly"] and device["path"] == "/login" and device["sameSite"] == "Lax"
    page.click("text=退出")
    page.wait_for_url(live.url + "/login")

    stranger = browser.new_context(locale="zh-CN").new_page()
    try:
        for _ in range(5):
            assert _try(stranger, live, "gaj", "guess-password-1") == "用户名或密码错误。"
        message = _try(stranger, live, "gaj", "guess-password-2")
        assert "请稍后再试" in message
        shot(stranger, "login-wait-stranger")
    finally:
        stranger.context.close()

    login(page, live, "gaj")  # the owner's browser: straight in, inside the stranger's wait
    notice = page.locator(".flash-warning").inner_text()
    assert "有5次用您的账号登录失败" in notice
    shot(page, "login-notice-owner")
    assert page.js_errors == []
