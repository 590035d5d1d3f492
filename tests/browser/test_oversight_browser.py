"""抽查 and 制度文件 in a real Chromium with CSRF on: the office starts a review and records a finding in
the table (htmx), the department answers it; a department uploads a PDF and the office sees the matrix."""
from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from portal.models import ReviewFinding, RuleDocument
from tests.browser.conftest import login, shot
from tests.test_documents import PDF
from tests.test_oversight import matters

pytestmark = pytest.mark.browser


def logout(page, live):
    page.click("text=退出")
    page.wait_for_url(live.url + "/login")


def test_review_finding_and_answer(live, page):
    world = live.world
    gaj = world.department("gaj", "赤壁市公安局", several=True)
    fgj = world.department("fgj", "赤壁市发展和改革局")
    world.user("office", "office")
    matters(gaj, 12)
    matters(fgj, 4)

    login(page, live, "office")
    page.goto(live.url + "/admin/oversight/new")
    assert page.locator("#preview").inner_text().count("16") >= 1  # 12 + 4 finished last quarter
    page.fill("input[name=rate]", "50")
    expect(page.locator("#preview")).to_contain_text("预计抽取 9 件")
    shot(page, "oversight-new")
    page.click("text=随机抽取并发起")
    page.wait_for_url("**/admin/oversight/*")
    assert "已发起" in page.locator("#messages").inner_text()
    first = page.locator("table.findings tbody tr").first
    first.get_by_text("录入结论").click()
    edit = page.locator("tr.editing")
    edit.get_by_label("需整改").check()
    edit.locator("textarea").fill("补齐现场核查记录")
    edit.get_by_text("保存结论").click()
    page.wait_for_selector("tr.editing", state="detached")
    assert "需整改" in page.locator("table.findings tbody tr").first.inner_text()
    # The figures above the table follow (htmx event after the save).
    expect(page.locator("#review-figures .figure").nth(1)).to_contain_text("8")
    shot(page, "oversight-detail")
    page.click("text=复核抽样")
    assert "复核一致" in page.locator("main").inner_text()
    shot(page, "oversight-verify")
    logout(page, live)

    login(page, live, "gaj")
    assert "待答复整改情况 1 件" in page.locator("main").inner_text()
    page.locator("tr", has_text="待答复整改情况").get_by_text("去处理").click()
    page.click("text=答复整改情况")
    page.fill("textarea[name=answer]", "已补齐核查记录并归档")
    page.click("text=提交整改情况")
    assert "已提交整改情况" in page.locator("#messages").inner_text()
    shot(page, "finding-answered")
    finding = ReviewFinding.get(ReviewFinding.finding == "需整改")
    assert finding.answer == "已补齐核查记录并归档" and finding.answered_on == dt.date(2026, 11, 26)
    assert page.js_errors == []


def test_department_uploads_and_office_sees_matrix(live, page, tmp_path):
    world = live.world
    world.department("gaj", "赤壁市公安局", several=True)
    world.department("fgj", "赤壁市发展和改革局")
    world.user("office", "office")
    path = tmp_path / "公安局实施方案.pdf"
    path.write_bytes(PDF)

    login(page, live, "gaj")
    page.goto(live.url + "/admin/documents/new")
    page.select_option("select[name=kind]", "实施方案")
    page.fill("input[name=title]", "赤壁市公安局“首席服务员”制度实施方案")
    page.fill("input[name=doc_date]", "2026-03-15")
    page.set_input_files("input[name=file]", str(path))
    page.click("main form button[type=submit]")
    page.wait_for_url(live.url + "/admin/documents")
    assert RuleDocument.select().count() == 1
    shot(page, "documents-department")
    logout(page, live)

    login(page, live, "office")
    page.goto(live.url + "/admin/documents")
    assert page.locator("table.doc-matrix tbody tr").count() == 2
    shot(page, "documents-matrix")
    assert page.js_errors == []
