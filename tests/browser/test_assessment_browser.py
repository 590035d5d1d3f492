"""考核 in a real Chromium with CSRF on: the office defines a period, sees the ranking, previews it,
writes the closing paragraph, locks the period (定稿, asked first) and downloads the 考核通报 with its
Chinese name intact."""
from __future__ import annotations

import docx
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login, shot

pytestmark = pytest.mark.browser


def test_office_defines_a_period_and_downloads_the_report(live, page, tmp_path):
    world = live.world
    world.department("gaj", "赤壁市公安局", several=True)
    world.department("fgj", "赤壁市发展和改革局")
    world.user("office", "office")

    login(page, live, "office")
    page.click("nav >> text=考核")
    page.wait_for_url("**/assessment/")
    # A bad period first: the errors are shown and nothing is made.
    page.fill("input[name=name]", "2026年上半年")
    page.fill("input[name=start_date]", "2026-07-01")
    page.fill("input[name=end_date]", "2026-06-30")
    page.fill("input[name=cutoff]", "2026-06-30")
    page.click("text=新建周期")
    expect(page.locator("#period-form .error-summary")).to_contain_text("结束日期不能早于开始日期")
    page.fill("input[name=start_date]", "2026-01-01")
    shot(page, "assessment-new-period")
    page.click("text=新建周期")
    page.wait_for_url("**/assessment/periods/*")
    expect(page.locator("#messages")).to_contain_text("已新建考核周期")
    expect(page.locator("#ranking tbody tr")).to_have_count(2)
    expect(page.locator("#notes")).to_contain_text("数字说明")

    page.click("text=预览排名")
    expect(page.locator("#messages")).to_contain_text("已记录本次预览")

    page.fill("textarea[name=closing]", "各部门要对照问题限期整改。")
    page.click("text=保存“下一步工作”")
    expect(page.locator("#messages")).to_contain_text("已保存")

    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button:has-text('定稿')")
    expect(page.locator("#messages")).to_contain_text("已定稿")
    expect(page.locator("main")).to_contain_text("以下为定稿时保存的结果")
    shot(page, "assessment-locked")

    with page.expect_download() as info:
        page.click("text=下载考核通报（Word）")
    download = info.value
    assert download.suggested_filename == "赤壁市首席服务员制度考核通报-2026年上半年-2026-06-30.docx"
    path = tmp_path / "report.docx"
    download.save_as(path)
    document = docx.Document(str(path))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "关于2026年上半年“首席服务员”制度落实情况的考核通报"
    assert "各部门要对照问题限期整改。" in texts
    assert len(document.tables[0].rows) == 3
    assert [e for e in page.js_errors if "status of 422" not in e] == []  # the refused period answered 422
