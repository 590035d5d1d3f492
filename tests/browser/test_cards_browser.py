"""Window cards as Chromium draws and prints them (one card per A5 sheet), and a highlight case going
from the department's form (photo upload, CSRF on) through the office's approval to the public page."""
from __future__ import annotations

import datetime as dt
import os
import re
import tempfile

import pytest

from portal import rules
from portal.audit import write
from portal.demo.cases import demo_photo
from portal.models import Letter, LetterItem, Officer, Setting
from tests.browser.conftest import login, shot

pytestmark = pytest.mark.browser

BASE = "https://zwfw.chibi.gov.cn"


def serving(dept, name, seq, position, phone, letter=True):
    with write(username="test") as w:
        o = w.create(Officer, department=dept, name=name, gender="女", position=position, work_phone=phone,
                     mobile="13900000000", term_start=dt.date(2025, 5, 1))
        if letter:
            lt = w.create(Letter, number=rules.letter_number(2026, seq), year=2026, seq=seq, department=dept,
                          officer=o, state=rules.LETTER_ISSUED, issue_date=dt.date(2026, 5, 6))
            for i in range(7):
                w.create(LetterItem, letter=lt, mode="终审" if i < 5 else "初审", label=f"事项{i}", seq=i)
    return o


def test_window_card_looks_right_on_screen_and_prints_one_card_per_sheet(live, page):
    gaj = live.world.department("gaj", "赤壁市公安局", several=True)
    zrj = live.world.department("zrj", "赤壁市自然资源和规划局")
    with write(username="test"):
        Setting.set_value("public_base_url", BASE)
    chen = serving(gaj, "陈晓红", 1, "治安管理大队 户政中队 中队长", "0715-5212345")
    serving(gaj, "周杰", 2, "出入境管理大队 副大队长", "0715-5212346", letter=False)
    serving(zrj, "欧阳文博", 3, "行政审批股 股长", "0715-5236001")

    page.goto(f"{live.url}/public/cards/{chen.id}")
    card = page.locator(".window-card")
    assert card.count() == 1
    assert "陈晓红" in card.inner_text() and "赤首授〔2026〕1号" in card.inner_text()
    assert page.locator(".window-card svg.qr-code").count() == 2
    box = page.locator(".window-card svg.qr-code").first.bounding_box()
    assert box["width"] > 100 and abs(box["width"] - box["height"]) < 1  # square and large enough to scan
    assert "13900000000" not in page.content()
    shot(page, "window-card")
    page.emulate_media(media="print")
    shot(page, "window-card-print")
    page.emulate_media(media="screen")

    page.goto(f"{live.url}/public/cards")
    assert page.locator(".window-card").count() == 3
    shot(page, "window-cards-all")
    page.emulate_media(media="print")  # page.pdf() would print with screen CSS after emulating "screen"
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    pages = re.findall(rb"/Type\s*/Page\b(?!s)", pdf)
    assert len(pages) == 3  # one sheet per window card
    boxes = {tuple(round(float(v)) for v in m) for m in re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)}
    assert boxes == {(595, 420)}  # A5 landscape, in points
    page.goto(f"{live.url}/public/cards?dept=zrj&size=a4")
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    assert len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf)) == 1
    assert {tuple(round(float(v)) for v in m) for m in re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)} == {(842, 595)}
    assert page.js_errors == []


def test_case_from_the_form_to_the_public_page(live, page):
    live.world.department("gaj", "赤壁市公安局", several=True)
    live.world.user("office", "office")
    login(page, live, "gaj")
    page.goto(f"{live.url}/admin/cases/new")
    page.fill("input[name=title]", "公安局“首席服务员”上门办证")
    page.fill("input[name=case_date]", "2026-10-12")
    page.fill("textarea[name=body]", "首席服务员带领户政窗口走进园区企业，集中受理居住证申请。\n\n共为216名员工办证。")
    with tempfile.TemporaryDirectory() as tmp:
        photo = os.path.join(tmp, "现场.png")
        with open(photo, "wb") as fh:
            fh.write(demo_photo())
        page.set_input_files("input[name=photo]", photo)
        shot(page, "case-form")
        page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/admin/cases/\d+$"))
    assert "待审核" in page.locator("dl.details").inner_text()
    case_url = page.url
    page.click("text=退出")
    page.wait_for_url(live.url + "/login")

    login(page, live, "office")
    page.goto(case_url)
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("button:has-text('审核通过并发布')")
    page.wait_for_selector(".flash-success")
    assert "已发布" in page.locator("dl.details").inner_text()
    shot(page, "case-approved")

    page.goto(f"{live.url}/public/cases")
    page.click("text=公安局“首席服务员”上门办证")
    assert page.locator(".case-photo img").evaluate("img => img.naturalWidth") == 320
    shot(page, "case-public")
    assert page.js_errors == []
