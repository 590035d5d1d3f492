"""A department user logs in through a real Chromium with CSRF on and sees their department."""
from __future__ import annotations

import pytest

from tests.browser.conftest import login, shot

pytestmark = pytest.mark.browser


def test_department_logs_in_and_sees_its_name(live, page):
    live.world.department("gaj", "赤壁市公安局", several=True)
    login(page, live, "gaj")
    assert page.locator("h1").inner_text() == "赤壁市公安局"
    assert page.locator("text=待办提醒").is_visible()
    shot(page, "home-gaj")
    # Logging out through the nav's form (CSRF token included) ends the session.
    page.click("text=退出")
    page.wait_for_url(live.url + "/login")
    page.goto(live.url + "/")
    assert "/login" in page.url
    assert page.js_errors == []


def test_wrong_password_shows_the_neutral_message(live, page):
    live.world.department("gaj", "赤壁市公安局")
    page.goto(live.url + "/login")
    page.fill("input[name=username]", "gaj")
    page.fill("input[name=password]", "not-the-password")
    page.click("button[type=submit]")
    assert page.locator(".error-summary").inner_text() == "用户名或密码错误。"
