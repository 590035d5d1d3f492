"""一事联办 in a real Chromium with CSRF on: the lead opens a joint matter (the participating
departments' item lists follow the department chosen, through htmx), two other departments each sign
their own part in their own browser, the lead signs its own, and the matter is finished."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from portal import rules
from portal.audit import write
from portal.models import JointMatter, JointPart, Officer
from tests.browser.axe import serious_violations
from tests.browser.conftest import login, shot

pytestmark = pytest.mark.browser


def _code(prefix17):
    cs, weights = rules.CREDIT_CODE_CHARSET, rules.CREDIT_CODE_WEIGHTS
    return prefix17 + cs[(31 - sum(cs.index(c) * w for c, w in zip(prefix17, weights)) % 31) % 31]


def _city(world):
    depts = {}
    for code, name, item, officer in (("fgj", "赤壁市发展和改革局", "企业投资项目备案", "王建国"),
                                      ("zrj", "赤壁市自然资源和规划局", "建设用地规划许可证核发", "李秀英"),
                                      ("zjj", "赤壁市住房和城乡建设局", "建筑工程施工许可证核发", "赵志刚")):
        depts[code] = world.department(code, name)
        world.item(depts[code], item)
        with write(username="test") as w:
            w.create(Officer, department=depts[code], name=officer, gender="男", term_start=dt.date(2025, 1, 1), position="副局长")
    return depts


def _sign(page, live, matter_id, opinion):
    page.goto(f"{live.url}/joint/{matter_id}")
    page.check("input[name=decision][value=同意]")
    page.fill("#opinion", opinion)
    page.click("#sign-panel button[type=submit]")
    page.wait_for_selector(".flash-success")


def test_lead_opens_a_matter_and_two_departments_sign_it(live, page, browser):
    depts = _city(live.world)
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, live, "fgj")
    page.goto(live.url + "/joint/new")
    # Submitting the empty form lists every problem at the top and next to each field (htmx, 422).
    page.click("#joint-form button[type=submit]")
    page.wait_for_selector(".error-summary")
    assert "请填写项目名称" in page.locator(".error-summary").inner_text()
    assert "请至少选择一个参与部门" in page.locator("#parts-0-department-error").inner_text()
    shot(page, "joint-new-errors")
    # A fresh page: Playwright's screenshot leaves style="" on the fields, which htmx would then copy
    # onto the swapped rows — a CSP report that no user would ever cause.
    page.goto(live.url + "/joint/new")
    assert serious_violations(page) == []
    page.fill("#project", "赤壁市纳米新材料产业园项目")
    # No investor in the ledger yet: the new-investor fields are the ones shown.
    assert page.locator("#inv_name").is_visible()
    page.fill("#inv_name", "湖北赤壁纳川新材料科技有限公司")
    page.fill("#inv_code", _code("91421281MA4F2K3L5"))
    page.fill("#inv_contact", "周建华")
    page.fill("#inv_phone", "0715-5326618")
    page.select_option("#lead_item", label="企业投资项目备案")
    for row, (code, item) in enumerate((("zrj", "建设用地规划许可证核发"), ("zjj", "建筑工程施工许可证核发"))):
        page.select_option(f"#parts-{row}-department", value=str(depts[code].id))
        # htmx reloads the row with that department's items.
        page.wait_for_selector(f"#parts-{row}-item option:has-text('{item}')", state="attached")
        page.select_option(f"#parts-{row}-item", label=item)
        page.fill(f"#parts-{row}-days", "5")
    page.click("#add-part")
    page.wait_for_selector("#parts-3-department")
    shot(page, "joint-new")
    page.click("#joint-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/joint/\d+$"))
    matter = JointMatter.get(JointMatter.project == "赤壁市纳米新材料产业园项目")
    assert JointPart.select().where(JointPart.joint == matter.id).count() == 3

    # Two other departments, each in its own browser, sign their own part.
    for code, opinion in (("zrj", "符合控制性详细规划，同意。"), ("zjj", "施工图审查合格，同意。")):
        context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        other = context.new_page()
        other.on("dialog", lambda dialog: dialog.accept())
        login(other, live, code)
        assert "待本部门会签" in other.content()
        _sign(other, live, matter.id, opinion)
        context.close()

    page.goto(f"{live.url}/joint/{matter.id}")
    assert page.locator("#parts").inner_text().count("同意") >= 2
    assert serious_violations(page) == []
    shot(page, "joint-detail-signed-by-two")
    _sign(page, live, matter.id, "项目已备案，同意。")
    assert JointMatter.get_by_id(matter.id).finished_on is not None
    assert "已办结" in page.locator("h1").inner_text()
    shot(page, "joint-detail-finished")
    page.goto(f"{live.url}/joint/{matter.id}/sheet")
    shot(page, "joint-sheet")
    page.emulate_media(media="print")
    shot(page, "joint-sheet-print")
    assert [e for e in page.js_errors if "status of 422" not in e] == []
