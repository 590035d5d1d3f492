"""The office uploads a city-wide workbook on its review page (CSRF on): first a workbook with a wrong
row, refused with the error's sheet, row and column, then the corrected one, imported department by
department."""
from __future__ import annotations

import pytest

from portal.demo import DEMO_PASSWORD
from portal.models import ServiceItem
from tests.browser.axe import serious_violations
from tests.browser.conftest import login, shot
from tests.test_city_import import row, workbook

pytestmark = pytest.mark.browser


def test_the_office_imports_a_city_workbook(live, page, tmp_path):
    assert live.app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    wrong = tmp_path / "全市清单（有误）.xlsx"
    wrong.write_bytes(workbook(("全市汇总", [row(1, "赤壁市公安局", "浏览器导入的公安事项"),
                                            row(1, "教育局", "浏览器导入的教育事项", item_type="行政处罚")], {})))
    right = tmp_path / "全市清单.xlsx"
    right.write_bytes(workbook(("全市汇总", [row(1, "赤壁市公安局", "浏览器导入的公安事项"),
                                            row(1, "教育局", "浏览器导入的教育事项")], {})))

    login(page, live, "office", DEMO_PASSWORD)
    page.goto(live.url + "/items/review")
    page.get_by_role("link", name="导入全市清单（附件1）").click()
    page.get_by_label("全市汇总清单 Excel 文件（.xlsx）").set_input_files(str(wrong))
    page.get_by_role("button", name="上传").click()
    summary = page.locator(".error-summary")
    summary.wait_for()
    assert "未导入任何数据" in summary.inner_text()
    errors = page.locator("table.import-errors tbody tr")
    assert errors.count() == 1 and errors.first.inner_text().split("\t")[:4] == ["全市汇总", "第6行", "事项类型", "赤壁市教育局"]
    assert serious_violations(page) == []
    shot(page, "city-import-refused")
    with live.app.app_context():
        assert not ServiceItem.select().where(ServiceItem.item_name.startswith("浏览器导入")).exists()

    page.get_by_label("全市汇总清单 Excel 文件（.xlsx）").set_input_files(str(right))
    page.get_by_role("button", name="上传").click()
    page.get_by_text("已导入文件“全市清单.xlsx”：2个部门，共新增2项").wait_for()
    table = page.locator(".city-import-result table").first
    assert table.locator("tbody tr").count() == 2 and table.get_by_text("已导入").count() == 2
    assert serious_violations(page) == []
    shot(page, "city-import-done")
    with live.app.app_context():
        assert ServiceItem.select().where(ServiceItem.item_name.startswith("浏览器导入")).count() == 2
    page.get_by_role("link", name="返回清单审核").click()
    page.wait_for_url(live.url + "/items/review")
    # The refused upload's 422 is logged by the browser as a failed load; nothing else went wrong.
    assert [e for e in page.js_errors if "status of 422" not in e] == []
