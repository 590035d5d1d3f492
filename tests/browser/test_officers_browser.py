"""A department appoints its officer, gets items assigned, issues the authorisation letter and sees it
as the A4 page it prints; the tenure report form shows only the fields of the chosen case."""
from __future__ import annotations

import pytest

from portal.models import Letter, Officer
from tests.browser.conftest import login, shot
from tests.test_officers import assign

pytestmark = pytest.mark.browser


def test_appoint_assign_issue_and_print_the_letter(live, page):
    dept = live.world.department("fgj", "赤壁市发展和改革局")
    items = [live.world.item(dept, "企业投资项目备案", mode="终审"),
             live.world.item(dept, "固定资产投资项目节能审查", mode="初审"),
             live.world.item(dept, "粮食收购资格认定", mode="终审")]
    login(page, live, "fgj")
    page.goto(live.url + "/officers/")
    page.fill("#name", "李建华")
    page.select_option("#gender", "男")
    page.fill("#birth_date", "1978-05-12")
    page.fill("#position", "行政审批股股长")
    page.fill("#work_phone", "0715-5321234")
    page.fill("#mobile", "13907151234")
    page.fill("#term_start", "2025-03-01")
    page.click("button:has-text('任命首席服务员')")
    page.wait_for_selector("h1:has-text('李建华')")
    assert "未授权上岗" in page.inner_text("main")

    # The item list assigns items to officers (another area); here the test writes it directly.
    assign(items, Officer.get(Officer.name == "李建华"))
    page.reload()
    page.click("button:has-text('生成授权委托书（草稿）')")
    page.wait_for_selector(".a4-sheet")
    assert "草稿" in page.inner_text(".a4-sheet")

    page.on("dialog", lambda dialog: dialog.accept())
    page.click("button:has-text('签发授权委托书')")
    page.wait_for_selector(".flash-success")
    assert "已签发授权委托书 赤首授〔2026〕1号" in page.inner_text("#messages")
    assert Letter.get().state == "已签发"
    sheet = page.inner_text(".a4-sheet")
    assert "一、对以下审批服务事项行使终审权" in sheet and "粮食收购资格认定" in sheet and "草稿" not in sheet
    shot(page, "officers-letter-screen")

    page.emulate_media(media="print")
    assert not page.is_visible(".letter-bar") and not page.is_visible(".site-header")
    assert page.is_visible(".a4-sheet")
    shot(page, "officers-letter-print")
    page.emulate_media(media="screen")

    page.goto(live.url + "/officers/")
    assert page.is_visible("svg.timeline") and "断档 59 天" in page.inner_text("main")
    shot(page, "officers-index")

    # The tenure report form: a new person's fields by default, none of them when nobody comes in.
    page.goto(live.url + "/tenure/new")
    assert page.is_visible("#name") and not page.is_visible("#previous")
    page.check("input[name=incoming_kind][value=none]")
    assert not page.is_visible("#name") and page.is_visible(".incoming-none")
    assert page.js_errors == []
