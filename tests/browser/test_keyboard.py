"""The main journeys with the keyboard only: every control Tab reaches shows where the focus is, an
item row is edited in place (focus into the form row, back to the row's 编辑 button after saving or
cancelling, on to the next row after retiring), a visitor files an evaluation, and a form with errors
puts the focus on its error summary (a page posted whole, and a form swapped by htmx)."""
from __future__ import annotations

import re

import pytest

from portal.models import Evaluation, ServiceItem
from tests.browser.conftest import login

pytestmark = pytest.mark.browser

FOCUS = """() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    return {tag: el.tagName.toLowerCase(), name: el.name || '', text: (el.innerText || el.value || '').trim().slice(0, 20),
            id: el.id, row: el.closest('tr') ? el.closest('tr').id : null,
            summary: el.classList.contains('error-summary'),
            outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0};
}"""


def focused(page) -> dict:
    return page.evaluate(FOCUS)


def tab_to(page, wanted, limit=150, key="Tab") -> dict:
    """Press Tab until wanted(focus) holds; every control passed on the way must show its focus."""
    for _ in range(limit):
        page.keyboard.press(key)
        now = focused(page)
        if now["tag"] != "body":
            assert now["outline"], f"no visible focus on {now}"
        if wanted(now):
            return now
    raise AssertionError(f"Tab never reached the control; last focus: {now}")


def test_department_edits_an_item_row_with_the_keyboard(live, page):
    world = live.world
    gaj = world.department("gaj", "赤壁市公安局", several=True)
    world.item(gaj, "保安服务公司设立许可")
    item = world.item(gaj, "居民身份证核发", "居民身份证换领", item_type="行政确认", inclusion="待定")
    last = world.item(gaj, "户口迁移", "户口迁入（投靠）", item_type="行政确认")
    login(page, live, "gaj")
    page.goto(live.url + "/items/")
    row_id = f"item-{item.id}"

    # Tab (past links, inputs and buttons, each with a visible focus) to the row's 编辑 button; Enter.
    tab_to(page, lambda f: f["row"] == row_id and f["text"] == "编辑")
    page.keyboard.press("Enter")
    page.locator(f"#{row_id}.editing").wait_for()
    now = focused(page)
    assert now["row"] == row_id and now["name"].endswith("item_name"), now

    # Empty the item name (wrong) and change the sub-item name; 保存 refuses and the focus goes to the
    # field in error.
    page.keyboard.press("Control+A")
    page.keyboard.press("Backspace")
    tab_to(page, lambda f: f["name"].endswith("sub_item_name"))
    page.keyboard.press("Control+A")
    page.keyboard.type("居民身份证首次申领")
    tab_to(page, lambda f: f["row"] == row_id and f["text"] == "保存")
    page.keyboard.press("Enter")
    page.locator(f"#{row_id} .error").first.wait_for()
    now = focused(page)
    assert now["row"] == row_id and now["name"].endswith("item_name") and not now["name"].endswith("sub_item_name"), now
    page.keyboard.type("居民身份证核发")
    tab_to(page, lambda f: f["row"] == row_id and f["text"] == "保存")
    page.keyboard.press("Enter")
    page.locator(f"#{row_id}:not(.editing)").wait_for()
    # The row is back and the focus with it, on the control that opened the form.
    now = focused(page)
    assert now["row"] == row_id and now["text"] == "编辑", now
    saved = ServiceItem.get_by_id(item.id)
    assert (saved.item_name, saved.sub_item_name) == ("居民身份证核发", "居民身份证首次申领")

    # Again, and this time 取消 with the keyboard: the focus comes back to 编辑 as well.
    page.keyboard.press("Enter")
    page.locator(f"#{row_id}.editing").wait_for()
    tab_to(page, lambda f: f["row"] == row_id and f["text"] == "取消")
    page.keyboard.press("Enter")
    page.locator(f"#{row_id}:not(.editing)").wait_for()
    now = focused(page)
    assert now["row"] == row_id and now["text"] == "编辑", now

    # 停用 (after its confirmation) removes the row; the focus moves on to the next row, not to the page top.
    page.once("dialog", lambda dialog: dialog.accept())
    tab_to(page, lambda f: f["row"] == row_id and f["text"] == "停用")
    page.keyboard.press("Enter")
    page.locator(f"#{row_id}").wait_for(state="detached")
    now = focused(page)
    assert now["row"] == f"item-{last.id}", now

    # 新增事项 puts a form row at the top and the focus into it.
    tab_to(page, lambda f: f["text"] == "新增事项", key="Shift+Tab")
    page.keyboard.press("Enter")
    page.locator("#item-new").wait_for()
    now = focused(page)
    assert now["row"] == "item-new" and now["name"].endswith("item_name"), now
    # The refused save is logged by Chromium as a failed (422) resource; nothing else went wrong.
    assert [e for e in page.js_errors if "status of 422" not in e] == []


def test_visitor_files_an_evaluation_with_the_keyboard(live, page):
    world = live.world
    world.department("gaj", "赤壁市公安局")
    page.goto(live.url + "/public/evaluate/gaj")

    # The first option of the group, then the arrow keys choose 不满意 (2).
    tab_to(page, lambda f: f["name"] == "level")
    page.keyboard.press("Space")
    for _ in range(4):
        if page.locator("input[name=level]:checked").get_attribute("value") == "2":
            break
        page.keyboard.press("ArrowDown")
    assert page.locator("input[name=level]:checked").get_attribute("value") == "2"
    tab_to(page, lambda f: f["name"] == "comment")
    page.keyboard.type("窗口材料一次性告知得不清楚。")
    tab_to(page, lambda f: f["name"] == "answer")
    page.keyboard.type("-1")  # a wrong answer first
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # The page comes back with the error summary focused; its link takes the focus to the field.
    now = focused(page)
    assert now["summary"], now
    assert "验证问题" in page.locator(".error-summary").inner_text()
    tab_to(page, lambda f: f["tag"] == "a" and "验证问题" in f["text"])
    page.keyboard.press("Enter")
    now = focused(page)
    assert now["name"] == "answer", now
    label = page.locator("label[for=answer]").inner_text()
    a, b = map(int, re.findall(r"(\d+)\s*\+\s*(\d+)", label)[0])
    page.keyboard.press("Control+A")
    page.keyboard.type(str(a + b))
    tab_to(page, lambda f: f["text"] == "提交评价")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == live.url + "/public/thanks"
    saved = Evaluation.get()
    assert saved.level == 2 and saved.comment == "窗口材料一次性告知得不清楚。"


def test_an_htmx_form_with_errors_puts_the_focus_on_its_summary(live, page):
    world = live.world
    fgj = world.department("fgj", "赤壁市发展和改革局")
    world.item(fgj, "企业投资项目备案")
    zrj = world.department("zrj", "赤壁市自然资源和规划局")
    world.item(zrj, "建设用地规划许可证核发")
    login(page, live, "fgj")
    page.goto(live.url + "/joint/new")
    page.evaluate("window.__noReload = true")
    tab_to(page, lambda f: f["text"] == "发起联办")
    page.keyboard.press("Enter")
    page.locator("#joint-form .error-summary").wait_for()
    assert page.evaluate("window.__noReload") is True  # swapped in place by htmx
    now = focused(page)
    assert now["summary"], now
    # The summary's first link reaches its field.
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert focused(page)["name"] == "project"
    assert [e for e in page.js_errors if "status of 422" not in e] == []
