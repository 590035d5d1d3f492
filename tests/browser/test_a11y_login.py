"""Accessibility of the pages every user meets first: no serious or critical axe violations."""
from __future__ import annotations

import pytest

from tests.browser.axe import serious_violations


pytestmark = pytest.mark.browser


def test_login_and_home_pages_pass_axe(live, page):
    live.world.department("gaj", "赤壁市公安局")
    page.goto(live.url + "/login")
    assert serious_violations(page) == []
    # Keyboard only: Tab reaches the user name field within the header's links, with a visible focus.
    for _ in range(15):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.name") == "username":
            break
    assert page.evaluate("() => document.activeElement.name") == "username"
    assert page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.type("gaj")
    page.keyboard.press("Tab")
    page.keyboard.type("test-password-1")
    page.keyboard.press("Enter")
    page.wait_for_url(live.url + "/")
    assert serious_violations(page) == []
