"""A visitor searches the published lists, opens an item's one-time notification, and leaves an
evaluation through a real Chromium with CSRF on."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from portal.audit import write
from portal.models import Evaluation, Officer
from tests.browser.conftest import shot
from tests.test_public import approved_list

pytestmark = pytest.mark.browser


def test_public_search_and_evaluation(live, page):
    w = live.world
    gaj = w.department("gaj", "赤壁市公安局", several=True)
    fgj = w.department("fgj", "赤壁市发展和改革局")
    with write(username="test") as wr:
        officer = wr.create(Officer, department=gaj, name="陈卫国", gender="男", birth_date=dt.date(1979, 8, 14),
                            position="治安管理大队 副大队长", work_phone="0715-5321100", mobile="13987654321",
                            term_start=dt.date(2025, 1, 1))
    hotel = w.item(gaj, "旅馆业特种行业许可证核发", officer=officer, promised_days=5, legal_days=20)
    seal = w.item(gaj, "公章刻制业特种行业许可证核发", officer=officer, promised_days=3, legal_days=10)
    project = w.item(fgj, "企业投资项目备案", item_type="行政确认", promised_days=2)
    approved_list(gaj, 1, [(hotel, officer, hotel.item_name, "终审"), (seal, officer, seal.item_name, "初审")])
    approved_list(fgj, 1, [(project, None, project.item_name, "终审")])

    page.goto(live.url + "/public/")
    page.fill("input[name=q]", "特种行业")
    with page.expect_navigation():
        page.click("form[role=search] button[type=submit]")
    assert "q=" in page.url
    rows = page.locator("table.public-items tbody tr")
    assert rows.count() == 2
    assert "企业投资项目备案" not in page.locator("table.public-items").inner_text()
    shot(page, "public-search")

    with page.expect_navigation():
        page.locator("table.public-items a", has_text="一次性告知").first.click()
    assert re.search(r"/public/items/\d+$", page.url)
    assert "一次性告知书" in page.locator("h1").inner_text()
    assert "0715-5321100" in page.content() and "13987654321" not in page.content()
    shot(page, "public-notice")

    page.goto(live.url + "/public/evaluate/gaj")
    page.check("input[name=level][value='2']")
    page.fill("textarea[name=comment]", "材料没有一次性说清楚，跑了两趟。")
    label = page.locator("label[for=answer]").inner_text()
    a, b = map(int, re.findall(r"(\d+)\s*\+\s*(\d+)", label)[0])
    page.fill("input[name=answer]", str(a + b - 1))  # a wrong answer first
    with page.expect_navigation():
        page.click("button:has-text('提交评价')")
    assert "验证问题回答不正确" in page.locator(".error-summary").inner_text()
    assert Evaluation.select().count() == 0
    shot(page, "public-evaluate-error")

    page.check("input[name=level][value='2']")
    label = page.locator("label[for=answer]").inner_text()
    a, b = map(int, re.findall(r"(\d+)\s*\+\s*(\d+)", label)[0])
    page.fill("input[name=answer]", str(a + b))
    with page.expect_navigation():
        page.click("button:has-text('提交评价')")
    assert page.url == live.url + "/public/thanks"
    assert page.locator("h1").inner_text() == "感谢您的评价"
    shot(page, "public-thanks")
    saved = Evaluation.get()
    assert saved.level == 2 and saved.department_id == gaj.id and saved.deadline is not None
    # The refused form answered 422 on purpose; Chromium logs any 4xx page load as a console error.
    assert [e for e in page.js_errors if "status of 422" not in e] == []


def test_department_moves_a_matter_on_in_place(live, page):
    """The ledger's status control (htmx, CSRF header) swaps the row and refreshes the figures."""
    from tests.browser.conftest import login
    from tests.test_ledger import CODE_A

    from portal.models import Investor, Matter

    gaj = live.world.department("gaj", "赤壁市公安局", several=True)
    item = live.world.item(gaj, "旅馆业特种行业许可证核发", promised_days=5)
    with write(username="test") as wr:
        inv = wr.create(Investor, department=gaj, name="湖北赤壁旅馆管理有限公司", credit_code=CODE_A)
        matter = wr.create(Matter, department=gaj, investor=inv, project="城南旅馆开业", item=item,
                           received_date=dt.date(2026, 11, 2), promised_date=dt.date(2026, 11, 16),
                           status="办理中", visits=1)
    login(page, live, "gaj")
    page.goto(live.url + "/ledger/")
    row = page.locator(f"#matter-{matter.id}")
    assert "逾期" in row.inner_text()
    assert page.locator("#ledger-figures").inner_text().startswith("1")  # one open matter
    row.locator("select[name=status]").select_option("已办结")
    row.locator("input[name=completed_date]").fill("")  # 已办结 needs its date
    row.locator("button").click()
    error = page.locator(f"#matter-{matter.id} .error")
    error.wait_for()
    assert "请填写办结日期" in error.inner_text()
    page.locator(f"#matter-{matter.id} input[name=completed_date]").fill("2026-11-13")
    page.locator(f"#matter-{matter.id} button").click()
    page.locator(f"#matter-{matter.id} .tag-ok").wait_for()
    page.locator("#ledger-figures .figure").first.filter(has_text="0").wait_for()
    shot(page, "ledger-status")
    saved = Matter.get_by_id(matter.id)
    assert (saved.status, saved.completed_date) == ("已办结", dt.date(2026, 11, 13))
    assert [e for e in page.js_errors if "status of 422" not in e] == []
