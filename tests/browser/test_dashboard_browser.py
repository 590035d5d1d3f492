"""The live dashboard in a real Chromium: a department changes an item and the office's dashboard (and
the department's own ranking page) show the new figures by themselves, without a reload."""
from __future__ import annotations

from contextlib import contextmanager

import pytest
from playwright.sync_api import expect

from portal.audit import write
from tests.browser.axe import serious_violations
from tests.browser.conftest import login, shot

pytestmark = pytest.mark.browser


def test_a_departments_change_reaches_the_office_dashboard_without_reload(live, browser, page):
    live.app.config["DASHBOARD_POLL_SECONDS"] = 1
    world = live.world
    gaj = world.department("gaj", "赤壁市公安局", several=True)
    world.department("fgj", "赤壁市发展和改革局")
    world.user("office", "office")
    world.item(gaj, "居民身份证核发")
    pending = world.item(gaj, "户口迁移", inclusion="待定")

    # the office's dashboard in one page
    login(page, live, "office")
    page.goto(live.url + "/dashboard/?cols=全部")
    office_cell = page.locator("#dept-gaj .c-inclusion_rate")
    expect(office_cell).to_have_text("50.0%")
    page.evaluate("window.__notReloaded = true")
    shot(page, "dashboard-office")
    assert serious_violations(page) == []

    # the department's own ranking page in another
    department_context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    department_page = department_context.new_page()
    login(department_page, live, "gaj")
    department_page.goto(live.url + "/dashboard/")
    expect(department_page.locator("#own-inclusion")).to_have_text("50.0%")
    assert "赤壁市发展和改革局" not in department_page.locator("#dashboard-live").inner_html()
    shot(department_page, "dashboard-department")
    assert serious_violations(department_page) == []

    # the department decides the pending item (纳入) …
    with write(username="gaj") as w:
        w.update(pending, inclusion="纳入", mode="终审")

    # … and both pages show it on their next poll, without anyone reloading
    expect(office_cell).to_have_text("100.0%")
    expect(department_page.locator("#own-inclusion")).to_have_text("100.0%")
    assert page.evaluate("window.__notReloaded") is True
    expect(page.locator("#dept-gaj .c-pending")).to_have_text("0")
    # nothing changed since: the next poll sends the version it has and gets 204, nothing to swap
    with page.expect_response(lambda r: r.url.startswith(live.url + "/dashboard/")) as poll:
        pass
    assert poll.value.status == 204
    version = page.locator("#dashboard-live").get_attribute("data-version")
    assert poll.value.request.headers["if-none-match"] == f'"{version}"'
    shot(page, "dashboard-office-updated")
    assert page.js_errors == []
    department_context.close()


@contextmanager
def office_at_1366(browser, app, password):
    """The office logged in on a live portal over ``app``, in a 1366 × 768 window (a clerk's laptop)."""
    from tests.browser.conftest import Live

    live = Live(app)
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 768})
    try:
        page = context.new_page()
        login(page, live, "office", password)
        page.goto(live.url + "/dashboard/")
        yield page, live
    finally:
        context.close()
        live.stop()


def test_the_ranking_fits_1366_pixels_and_the_other_columns_are_one_click_away(browser, tmp_path):
    """Issue 17 §8: the demo city's ranking in its default view needs no horizontal scrolling at 1366 px."""
    from tests.conftest import make_app
    from tests.security_city import DEMO_PASSWORD

    app = make_app(tmp_path, WTF_CSRF_ENABLED=True)
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    with office_at_1366(browser, app, DEMO_PASSWORD) as (page, live):
        wrap = page.locator(".dash-table-panel .table-wrap")
        widths = wrap.evaluate("w => [w.scrollWidth, w.clientWidth]")
        assert widths[0] <= widths[1], widths
        assert page.locator("#dash-table th", has_text="1.").count() == 0  # the rules' columns are a click away
        shot(page, "dashboard-1366-summary")
        page.click(".column-views a:text-is('考核规则')")
        expect(page.locator("#dash-table thead")).to_contain_text("考核规则")
        assert wrap.evaluate("w => w.scrollWidth <= w.clientWidth")
        page.click(".column-views a:text-is('全部')")
        expect(page.locator("#dash-table thead")).to_contain_text("按时报送")
        shot(page, "dashboard-1366-all")
        # Issue 19 §1: a row opens every figure of its department under it, and closes again.
        page.goto(live.url + "/dashboard/")
        first = page.locator("#dash-table tbody tr[id^=dept-]").first
        code = first.get_attribute("id")[len("dept-"):]
        toggle = first.locator("a.dept-expand")
        toggle.click()
        detail = page.locator(f"#detail-{code}")
        expect(detail).to_contain_text("考核规则")
        expect(toggle).to_have_attribute("aria-expanded", "true")
        shot(page, "dashboard-1366-row-opened")
        toggle.click()
        expect(detail).to_have_count(0)
        expect(toggle).to_have_attribute("aria-expanded", "false")


def test_the_dashboard_at_100_departments(browser, tmp_path):
    """Issue 19 §1: a province's dashboard — a page of the ranking, bounded charts — looked at."""
    from tests.conftest import PASSWORD, World, make_app
    from tests.test_metrics import populate

    app = make_app(tmp_path, WTF_CSRF_ENABLED=True)
    with app.app_context():
        populate(100)
        World().user("office", "office")
    with office_at_1366(browser, app, PASSWORD) as (page, live):
        expect(page.locator(".dash-table-panel .pager")).to_contain_text("第 1 / 4 页，共 100 条")
        assert page.locator("#dash-table tbody tr[id^=dept-]").count() == 25
        expect(page.locator(".dash-charts")).to_contain_text("纳入率最低的40个部门")
        shot(page, "dashboard-100-departments")
        page.click(".dash-table-panel .pager a[rel=next]")
        expect(page.locator(".dash-table-panel .pager")).to_contain_text("第 2 / 4 页")
        shot(page, "dashboard-100-departments-page-2")
