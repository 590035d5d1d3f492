"""Every page type of the portal passes axe-core with no serious or critical violation: the demo city
is loaded once, each role logs in once in its own browser context, and every page it reaches (forms
with their errors shown, rows in their edit state) is checked. All findings are gathered and reported
together, so that one run shows everything that is wrong."""
from __future__ import annotations

import pytest

from portal import rules
from portal.demo import DEMO_PASSWORD
from portal.models import (AssessmentPeriod, Department, Evaluation, HighlightCase, ItemList, JointMatter, Letter, OversightReview,
                           ReviewFinding, ServiceItem, TenureReport)
from tests.browser.axe import serious_violations
from tests.browser.conftest import Live, shot
from tests.conftest import make_app
from tests.test_import_export import GOOD_ROWS, template_xlsx

pytestmark = pytest.mark.browser


def _ids() -> dict:
    """Real ids of the demo city's records, for the URLs of every page type."""
    gaj = Department.get(code="gaj")
    lists = list(ItemList.select().where(ItemList.department == gaj).order_by(ItemList.revision))
    letter = Letter.get((Letter.department == gaj) & (Letter.state == rules.LETTER_ISSUED))
    joint = JointMatter.select().join(Department).where(Department.code == "fgj").order_by(JointMatter.id).first()
    submitted = ItemList.get(ItemList.state == rules.LIST_SUBMITTED)
    bad = (Evaluation.select().where((Evaluation.department == gaj) & Evaluation.open_condition())
           .order_by(Evaluation.id).first())
    return {
        "item": ServiceItem.select().where((ServiceItem.department == gaj) & (ServiceItem.retired == False))  # noqa: E712
        .order_by(ServiceItem.id).first().id,
        "list_a": lists[0].id, "list_b": lists[-1].id,
        "submitted_list": submitted.id,
        "officer": letter.officer_id, "letter": letter.id, "letter_number": letter.number,
        "tenure": TenureReport.select().order_by(TenureReport.id.desc()).first().id,
        "evaluation": bad.id,
        "joint": joint.id,
        "gaj_dept": gaj.id,
        "case": HighlightCase.get((HighlightCase.department == gaj) & (HighlightCase.state == "已发布")).id,
        "review": OversightReview.select().first().id,
        "finding": ReviewFinding.select().where(ReviewFinding.department == gaj).first().id,
        "period_locked": AssessmentPeriod.select().where(AssessmentPeriod.locked_at.is_null(False)).first().id,
        "period_open": AssessmentPeriod.get(AssessmentPeriod.locked_at.is_null()).id,
    }


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    app = make_app(tmp_path_factory.mktemp("a11y"), WTF_CSRF_ENABLED=True)
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        ids = _ids()
    server = Live(app)
    server.ids = ids
    yield server
    server.stop()


class Checker:
    """Visits pages in one browser context and keeps every serious violation and every failure."""

    def __init__(self, browser, live, role, problems):
        self.live, self.role, self.problems = live, role, problems
        self.context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        self.context.set_default_timeout(8000)
        self.page = self.context.new_page()

    def login(self, username):
        page = self.page
        page.goto(self.live.url + "/login")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", DEMO_PASSWORD)
        with page.expect_navigation():
            page.click("main button[type=submit]")
        assert page.url == self.live.url + "/", f"{username} could not log in"

    def axe(self, name):
        for v in serious_violations(self.page):
            self.problems.append(f"[{self.role}] {name} ({self.page.url}): {v['id']} ({v['impact']}) "
                                 f"{v['help']} — {'; '.join(v['nodes'])}")
        # axe rates a duplicate id minor, but it breaks labels, aria-describedby and the summary's links.
        duplicates = self.page.evaluate("""() => {
            const seen = new Set(), twice = new Set();
            for (const el of document.querySelectorAll('[id]')) { (seen.has(el.id) ? twice : seen).add(el.id); }
            return [...twice];
        }""")
        if duplicates:
            self.problems.append(f"[{self.role}] {name} ({self.page.url}): duplicate ids {duplicates[:5]}")

    def visit(self, name, path, status=200):
        try:
            response = self.page.goto(self.live.url + path)
            if response.status != status:
                self.problems.append(f"[{self.role}] {name} ({path}): HTTP {response.status}")
                return
            self.axe(name)
        except Exception as exc:  # noqa: BLE001 - every failure goes into the one report
            self.problems.append(f"[{self.role}] {name} ({path}): {type(exc).__name__}: {exc}".splitlines()[0])

    def submit(self, name, path, button, fill=None, files=None, screenshot=None):
        """Open a form, fill what is given (wrongly), submit it and check the page with its errors."""
        try:
            self.page.goto(self.live.url + path)
            for selector, value in (fill or {}).items():
                self.page.fill(selector, value)
            for selector, payload in (files or {}).items():
                self.page.set_input_files(selector, payload)
            self.page.get_by_role("button", name=button, exact=True).click()
            self.page.locator(".error-summary").first.wait_for()
            self.axe(name)
            if screenshot:
                shot(self.page, screenshot)
        except Exception as exc:  # noqa: BLE001
            self.problems.append(f"[{self.role}] {name} ({path}): {type(exc).__name__}: {exc}".splitlines()[0])

    def step(self, name, action):
        """An interaction on the current page (htmx), then axe."""
        try:
            action(self.page)
            self.axe(name)
        except Exception as exc:  # noqa: BLE001
            self.problems.append(f"[{self.role}] {name}: {type(exc).__name__}: {exc}".splitlines()[0])

    def close(self):
        self.context.close()


def _signed_in(browser, demo, username, problems):
    """A checker logged in as `username`, with its home page checked."""
    c = Checker(browser, demo, username, problems)
    c.login(username)
    c.axe("首页")
    return c


def _edit_first_row(page):
    page.locator("#item-rows tr button", has_text="编辑").first.click()
    page.locator("#item-rows tr.editing").first.wait_for()


def _new_row(page):
    page.get_by_role("button", name="新增事项").click()
    page.locator("#item-new").wait_for()


def test_every_page_type_passes_axe(demo, browser):
    ids, problems = demo.ids, []

    # A visitor: the public pages, the login page and the evaluation form with its errors.
    c = Checker(browser, demo, "public", problems)
    c.visit("公开清单/搜索", "/public/?q=许可")
    c.visit("部门清单", "/public/departments/gaj")
    c.visit("一次性告知", f"/public/items/{ids['item']}")
    c.visit("首席服务员名单", "/public/officers")
    c.visit("首席服务员", f"/public/officers/{ids['officer']}")
    c.visit("核验（有效）", f"/public/verify?number={ids['letter_number']}")
    c.visit("核验（未查到）", "/public/verify?number=赤首授〔1999〕999号")
    c.visit("评价", "/public/evaluate/gaj")
    c.submit("评价（错误）", "/public/evaluate/gaj", "提交评价", screenshot="a11y-evaluate-errors")
    c.visit("感谢", "/public/thanks")
    c.visit("宣传栏", "/public/bulletin")
    c.visit("服务卡", "/public/cards")
    c.visit("服务卡（单张）", f"/public/cards/{ids['officer']}")
    c.visit("亮点案例", "/public/cases")
    c.visit("亮点案例详情", f"/public/cases/{ids['case']}")
    c.visit("登录", "/login")
    c.close()

    # A department user: its own records in every area.
    c = _signed_in(browser, demo, "gaj", problems)
    c.visit("事项清单", "/items/")
    c.step("事项清单（编辑行）", _edit_first_row)
    c.step("事项清单（新增行）", _new_row)
    c.visit("事项详情", f"/items/{ids['item']}")
    c.submit("导入（错误）", "/items/import", "上传并导入",
             files={"input[type=file]": {"name": "清单.xlsx", "mimeType": "application/octet-stream",
                                          "buffer": template_xlsx(rows=[[1, "赤壁市公安局", "", "", "许可", "纳入", "", ""]]
                                                                  + GOOD_ROWS[:1])}})
    c.visit("版本", "/items/versions")
    c.visit("版本详情", f"/items/versions/{ids['list_a']}")
    c.visit("版本比对", f"/items/diff?a={ids['list_a']}&b={ids['list_b']}")
    c.visit("首席服务员", "/officers/")
    c.visit("首席服务员详情", f"/officers/{ids['officer']}")
    c.visit("授权委托书", f"/officers/letters/{ids['letter']}")
    c.submit("任命（错误）", "/officers/new", "任命首席服务员")
    c.visit("任期调整", "/tenure/")
    c.submit("任期调整报告（错误）", "/tenure/new", "报送协调办", screenshot="a11y-tenure-errors")
    c.visit("服务台账", "/ledger/")
    c.submit("台账事项（错误）", "/ledger/matters/new", "保存")
    c.visit("投资者", "/ledger/investors")
    c.visit("好差评", "/ledger/evaluations")
    c.submit("好差评答复（错误）", f"/ledger/evaluations/{ids['evaluation']}/answer", "提交答复")
    c.visit("一事联办", "/joint/")
    c.submit("发起联办（错误）", "/joint/new", "发起联办")
    c.visit("考核排名（本部门）", "/dashboard/")
    c.visit("制度文件", "/admin/documents")
    c.submit("上传制度文件（错误）", "/admin/documents/new", "上传")
    c.visit("抽查整改", "/admin/findings")
    c.visit("亮点案例", "/admin/cases")
    c.visit("考核得分", "/assessment/")
    c.visit("考核周期（本部门）", f"/assessment/periods/{ids['period_locked']}")
    c.close()

    # The lead department of a joint matter.
    c = _signed_in(browser, demo, "fgj", problems)
    c.visit("联办详情", f"/joint/{ids['joint']}")
    c.visit("会签单", f"/joint/{ids['joint']}/sheet")
    c.close()

    # The office: reviews, overviews, settings and system management.
    c = _signed_in(browser, demo, "office", problems)
    c.visit("看板", "/dashboard/")
    c.visit("清单审核", "/items/review")
    c.visit("审核清单", f"/items/review/{ids['submitted_list']}")
    c.visit("首席服务员总览", "/officers/overview")
    c.visit("首席服务员设置", "/officers/settings")
    c.visit("任期报告", "/tenure/")
    c.visit("任期报告详情", f"/tenure/{ids['tenure']}")
    c.visit("台账总览", "/ledger/overview")
    c.visit("节假日", "/ledger/holidays")
    c.visit("好差评", "/ledger/evaluations")
    c.visit("一事联办", "/joint/")
    c.visit("联办详情", f"/joint/{ids['joint']}")
    c.visit("系统管理", "/admin/")
    c.visit("部门", f"/admin/departments/{ids['gaj_dept']}")
    c.submit("新建账号（错误）", "/admin/users/new", "保存")
    c.visit("系统设置", "/admin/settings")
    c.visit("操作日志", "/admin/audit")
    c.visit("制度文件", "/admin/documents")
    c.visit("抽查", "/admin/oversight")
    c.submit("发起抽查（错误）", "/admin/oversight/new", "随机抽取并发起", fill={"#title": ""},
             screenshot="a11y-oversight-errors")
    c.visit("抽查详情", f"/admin/oversight/{ids['review']}")
    c.visit("抽查整改", "/admin/findings")
    c.visit("整改详情", f"/admin/findings/{ids['finding']}")
    c.visit("亮点案例", "/admin/cases")
    c.visit("亮点案例详情", f"/admin/cases/{ids['case']}")
    c.visit("考核", "/assessment/")
    c.submit("新建考核周期（错误）", "/assessment/", "新建周期")
    c.visit("考核周期（未定稿）", f"/assessment/periods/{ids['period_open']}")
    c.visit("两期对比", f"/assessment/compare?a={ids['period_locked']}&b={ids['period_open']}")
    c.close()

    # The leader: read-only.
    c = _signed_in(browser, demo, "leader", problems)
    c.visit("考核周期（只读）", f"/assessment/periods/{ids['period_locked']}")
    c.close()

    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)
