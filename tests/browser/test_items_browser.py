"""A department user edits a row of the item list in place (htmx, CSRF on) and the counts at the top
follow without a reload."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.axe import serious_violations
from tests.browser.conftest import login, shot

pytestmark = pytest.mark.browser


def test_edit_a_row_in_place_and_the_counts_follow(live, page):
    world = live.world
    with live.app.app_context():
        gaj = world.department("gaj", "赤壁市公安局", several=True)
        world.item(gaj, "保安服务公司设立许可")
        pending = world.item(gaj, "居民身份证核发", "居民身份证换领", item_type="行政确认", inclusion="待定")
        world.item(gaj, "公务用枪持枪证件核发", inclusion="未纳入", reason="涉及重大公共安全", reason_note="须经集体研究审批")
    login(page, live, "gaj")
    page.goto(live.url + "/items/")
    rate = page.locator("#item-counts .figure-rate .value")
    assert rate.inner_text() == "50.0%"
    assert serious_violations(page) == []
    # A marker that a reload would wipe out (set through the devtools protocol: the page's CSP forbids eval).
    page.evaluate("window.__noReload = true")

    row = page.locator(f"#item-{pending.id}")
    row.get_by_role("button", name="编辑").click()
    form_row = page.locator(f"#item-{pending.id}.editing")
    form_row.wait_for()
    # 未纳入 without an explanation: refused, the error next to the field.
    form_row.get_by_label("是否纳入").select_option("未纳入")
    form_row.get_by_label("未纳入原因").select_option("涉密")
    form_row.get_by_role("button", name="保存").click()
    error = page.locator(f"#i{pending.id}-reason_note-error")
    error.wait_for()
    assert "须说明具体原因" in error.inner_text()
    assert rate.inner_text() == "50.0%"
    assert serious_violations(page) == []
    shot(page, "items-row-error")

    form_row.get_by_label("是否纳入").select_option("纳入")
    form_row.get_by_label("审批方式").select_option("初审")
    form_row.get_by_role("button", name="保存").click()
    page.locator(f"#item-{pending.id}:not(.editing)").wait_for()
    expect(rate).to_have_text("100.0%")
    assert "初审" in page.locator(f"#item-{pending.id}").inner_text()
    assert page.evaluate("window.__noReload") is True
    shot(page, "items-list-gaj")

    # Retiring asks first (hx-confirm), then the row leaves and the counts follow again.
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(f"#item-{pending.id}").get_by_role("button", name="停用").click()
    page.locator(f"#item-{pending.id}").wait_for(state="detached")
    expect(page.locator("#item-counts .figure .value").first).to_have_text("2")
    expect(rate).to_have_text("100.0%")
    assert page.evaluate("window.__noReload") is True

    # A new row is added in place at the top of the table.
    page.get_by_role("button", name="新增事项").click()
    new_row = page.locator("#item-new")
    new_row.get_by_label("事项名称").fill("犬类准养证核发")
    new_row.get_by_label("办理项名称").fill("犬类准养证核发")
    new_row.get_by_label("事项类型").select_option("行政许可")
    new_row.get_by_label("是否纳入").select_option("待定")
    new_row.get_by_role("button", name="保存").click()
    new_row.wait_for(state="detached")
    expect(page.locator("#item-rows tr").first).to_contain_text("犬类准养证核发")
    expect(page.locator("#item-counts .figure .value").first).to_have_text("3")
    assert page.evaluate("window.__noReload") is True
    shot(page, "items-row-added")
    # The refused save is logged by Chromium as a failed (422) resource; nothing else went wrong.
    assert [e for e in page.js_errors if "status of 422" not in e] == []


def test_the_version_comparison_shows_a_rename_and_hides_unchanged_rows(live, page):
    """清单版本比对 in a browser: a rename is one 修改 with the old name struck through and the new one
    beside it; the unchanged rows are one click away and hidden again with another (plain links)."""
    import datetime as dt

    from portal.audit import write
    from portal.items import service
    from portal.models import User

    world = live.world
    with live.app.app_context():
        gaj = world.department("gaj", "赤壁市公安局", several=True)
        office = world.user("office", "office")
        renamed = world.item(gaj, "户口迁移", "户口迁入（投靠）", item_type="行政确认", inclusion="待定")
        world.item(gaj, "居民身份证核发", "居民身份证换领", item_type="行政确认", inclusion="待定")
        at = dt.datetime(2026, 11, 20, 10, 0)
        with write(username="test") as w:
            published = service.approve(w, service.submit(w, gaj, User.get(User.username == "gaj"), at), office, at)
            service.update_item(w, renamed, {"sub_item_name": "户口迁入（投靠亲属）"}, at)
    login(page, live, "gaj")
    page.goto(f"{live.url}/items/diff?a={published.id}&b=draft")
    counts = page.locator(".diff-counts")
    expect(counts).to_contain_text("修改 1")
    expect(counts).to_contain_text("删除 0")
    row = page.locator(".diff-table tr.changed")
    expect(row.locator("del.before")).to_contain_text("户口迁入（投靠）")
    expect(row.locator("ins.after")).to_contain_text("户口迁入（投靠亲属）")
    expect(page.locator(".diff-table tr.unchanged")).to_have_count(0)
    assert serious_violations(page) == []
    shot(page, "items-diff-rename")

    page.get_by_role("link", name="显示未变化的 1 项").click()
    expect(page.locator(".diff-table tr.unchanged")).to_have_count(1)
    expect(page.locator(".diff-table tr.unchanged")).to_contain_text("居民身份证换领")
    page.get_by_role("link", name="隐藏未变化的 1 项").click()
    expect(page.locator(".diff-table tr.unchanged")).to_have_count(0)
