"""抽查 (放权与监管衔接): the random draw recorded with its seed and repeatable, findings, answers before
the deadline (rule 10), the office closing or sending back, isolation, export and reminders."""
from __future__ import annotations

import datetime as dt
import io
import json
from urllib.parse import quote

import openpyxl
import pytest

from portal import rules
from portal.oversight.service import officer_review_record, previous_quarter, verify_review
from portal.audit import write
from portal.models import AuditLog, Investor, Matter, Officer, OversightReview, ReviewFinding
from tests.conftest import HTMX, count_queries

Q3 = dt.date(2026, 8, 14)


def matters(dept, n, *, completed=Q3, status="已办结", officer=None, tag="A"):
    """n matters of a department's ledger, finished on `completed` unless another status is given."""
    with write(username="test") as w:
        investor = Investor.get_or_none(Investor.department == dept) or w.create(
            Investor, department=dept, name=f"{dept.short_name}测试企业有限公司", credit_code=f"91421281{dept.id:010d}")
        return [w.create(Matter, department=dept, investor=investor, project=f"{dept.short_name}项目{tag}{i}",
                         officer=officer, received_date=completed - dt.timedelta(days=10),
                         promised_date=completed, status=status,
                         completed_date=completed if status == "已办结" else None, visits=1)
                for i in range(1, n + 1)]


@pytest.fixture
def city(world):
    """gaj: 40 finished matters in Q3 2026 (and others outside the draw); fgj: 2 finished in Q3."""
    with write(username="test") as w:
        world.officer = w.create(Officer, department=world.gaj, name="王建", gender="男", term_start=dt.date(2025, 1, 1))
    world.gaj_matters = matters(world.gaj, 40, officer=world.officer)
    matters(world.gaj, 3, completed=dt.date(2026, 10, 2), tag="Q4")  # after the period
    matters(world.gaj, 2, status="办理中", tag="open")  # not finished
    world.fgj_matters = matters(world.fgj, 2)
    return world


def start(client, world, **fields):
    data = {"title": "2026年第三季度抽查", "period_start": "2026-07-01", "period_end": "2026-09-30",
            "departments": [world.gaj.id, world.fgj.id], "rate": "5", "minimum": "3", "deadline": "2026-12-10"}
    data.update(fields)
    return client.post("/admin/oversight/new", data=data)


def state():
    return (OversightReview.select().count(), ReviewFinding.select().count(), AuditLog.select().count(),
            list(ReviewFinding.select().order_by(ReviewFinding.id).tuples()))


def test_previous_quarter():
    assert previous_quarter(dt.date(2026, 11, 26)) == (dt.date(2026, 7, 1), dt.date(2026, 9, 30), "2026年第三季度")
    assert previous_quarter(dt.date(2026, 2, 1)) == (dt.date(2025, 10, 1), dt.date(2025, 12, 31), "2025年第四季度")
    assert previous_quarter(dt.date(2026, 4, 1)) == (dt.date(2026, 1, 1), dt.date(2026, 3, 31), "2026年第一季度")


def test_new_review_form_has_the_defaults(login, city):
    html = login("office").get("/admin/oversight/new").get_data(as_text=True)
    assert 'value="2026年第三季度抽查"' in html
    assert 'value="2026-07-01"' in html and 'value="2026-09-30"' in html
    assert 'value="5.0"' in html or 'value="5"' in html
    # 10 working days after Thursday 26 November 2026.
    assert 'value="2026-12-10"' in html
    assert html.count('name="departments"') == 2 and "checked" in html
    assert "预计抽取" in html and "42" in html  # 40 + 2 finished in the period


def test_office_starts_a_review_and_the_draw_is_reproducible_from_its_seed(login, city):
    client = login("office")
    response = start(client, city)
    assert response.status_code == 303
    review = OversightReview.get()
    assert 0 <= review.seed < 10**9 and review.rate == 0.05 and review.minimum == 3
    gaj_pool = sorted(m.id for m in city.gaj_matters)
    fgj_pool = sorted(m.id for m in city.fgj_matters)
    drawn = {}
    for dept_id, matter_id in ReviewFinding.select(ReviewFinding.department, ReviewFinding.matter).tuples():
        drawn.setdefault(dept_id, []).append(matter_id)
    # The sample is rules.draw_sample over the department's finished matters, seeded with seed + its id.
    assert sorted(drawn[city.gaj.id]) == rules.draw_sample(gaj_pool, 0.05, 3, review.seed + city.gaj.id)
    assert len(drawn[city.gaj.id]) == 3  # 5% of 40 is 2, the minimum is 3
    assert sorted(drawn[city.fgj.id]) == fgj_pool  # fewer than the minimum: all of them
    record = json.loads(review.draw)
    assert [d["pool"] for d in record["departments"]] == [gaj_pool, fgj_pool]
    check = verify_review(review)
    assert check["ok"] and not any(r["ledger_changed"] for r in check["rows"])
    page = client.get(f"/admin/oversight/{review.id}/verify").get_data(as_text=True)
    assert "复核一致" in page and str(review.seed) in page
    detail = client.get(f"/admin/oversight/{review.id}").get_data(as_text=True)
    assert str(review.seed) in detail and "复核抽样" in detail


def test_verify_notices_a_sample_that_does_not_follow_from_the_seed(login, city):
    client = login("office")
    start(client, city)
    review = OversightReview.get()
    with write(username="test") as w:
        w.update(review, seed=review.seed + 1000)
    check = verify_review(OversightReview.get())
    assert not check["ok"]
    assert "复核不一致" in client.get(f"/admin/oversight/{review.id}/verify").get_data(as_text=True)


def test_verify_tells_the_ledger_changed_since_the_draw(login, city):
    client = login("office")
    start(client, city)
    matters(city.fgj, 1, tag="late-entry")
    check = verify_review(OversightReview.get())
    assert check["ok"]  # the recorded draw still stands
    fgj = [r for r in check["rows"] if r["dept"].id == city.fgj.id][0]
    assert fgj["ledger_changed"] and fgj["added"] == 1


BAD_REVIEWS = [
    ({"period_end": "2026-06-30"}, "结束日期不能早于开始日期"),
    ({"period_end": "2026-11-27"}, "抽查期间不能晚于今天"),
    ({"period_start": "2026-02-30"}, "请按“年-月-日”填写开始日期"),
    ({"departments": []}, "请至少选择一个部门"),
    ({"departments": [99999]}, "所选部门不存在或已停用"),
    ({"rate": "0"}, "抽查比例须大于0且不超过100"),
    ({"rate": "150"}, "抽查比例须大于0且不超过100"),
    ({"rate": "五"}, "抽查比例须为数字"),
    ({"minimum": "-1"}, "至少抽取的件数须在0到1000之间"),
    ({"minimum": "2.5"}, "至少抽取的件数须为整数"),
    ({"deadline": "2026-11-25"}, "答复期限不能早于今天"),
    ({"deadline": ""}, "请填写整改答复期限"),
    ({"title": "   "}, "请填写抽查名称"),
    ({"period_start": "2025-01-01", "period_end": "2025-03-31"}, "没有已办结的事项"),
]


def test_bad_review_input_is_refused_and_nothing_is_drawn(login, city):
    client = login("office")
    before = state()
    for fields, message in BAD_REVIEWS:
        response = start(client, city, **fields)
        assert response.status_code == 422, fields
        html = response.get_data(as_text=True)
        assert message in html and "error-summary" in html, fields
    assert state() == before


def test_only_the_office_starts_reviews_and_records_findings(login, city):
    office = login("office")
    start(office, city)
    finding = ReviewFinding.select().first()
    office.post("/logout")
    for user in ("leader", "gaj"):
        client = login(user)
        before = state()
        assert start(client, city).status_code == 403
        assert client.post(f"/admin/findings/{finding.id}/record", data={"finding": "规范"}).status_code == 403
        assert client.post(f"/admin/findings/{finding.id}/close").status_code == 403
        assert client.post(f"/admin/findings/{finding.id}/return", data={"return_comment": "x"}).status_code == 403
        assert state() == before
        client.post("/logout")
    leader = login("leader")
    assert leader.post(f"/admin/findings/{finding.id}/answer", data={"answer": "x", "answered_on": "2026-11-26"}).status_code == 403
    assert leader.get(f"/admin/oversight/{finding.review_id}").status_code == 200  # reads
    assert "hx-get=\"/admin/findings/" not in leader.get(f"/admin/oversight/{finding.review_id}").get_data(as_text=True)
    assert login("gaj").get("/admin/oversight").status_code == 403


def _reviewed(client, city, deadline="2026-12-10"):
    """A started review with one gaj finding 需整改; returns that finding."""
    start(client, city, deadline=deadline)
    finding = ReviewFinding.get(ReviewFinding.department == city.gaj.id)
    response = client.post(f"/admin/findings/{finding.id}/record",
                           data={"finding": "需整改", "requirement": "补齐现场核查记录"})
    assert response.status_code == 303
    return ReviewFinding.get_by_id(finding.id)


def test_recording_a_finding(login, city):
    client = login("office")
    start(client, city)
    finding = ReviewFinding.get(ReviewFinding.department == city.gaj.id)
    before = state()
    missing = client.post(f"/admin/findings/{finding.id}/record", data={"finding": "需整改", "requirement": " "}, headers=HTMX)
    assert missing.status_code == 422 and "请写明整改要求" in missing.get_data(as_text=True)
    assert '<p class="error" role="alert">有1处需要修改，结论未保存。</p>' in missing.get_data(as_text=True)
    nothing = client.post(f"/admin/findings/{finding.id}/record", data={}, headers=HTMX)
    assert nothing.status_code == 422 and "请选择抽查结论" in nothing.get_data(as_text=True)
    bad = client.post(f"/admin/findings/{finding.id}/record", data={"finding": "优秀"})
    assert bad.status_code == 422 and "抽查结论须为" in bad.get_data(as_text=True)
    assert state() == before
    edit = client.get(f"/admin/findings/{finding.id}/record", headers=HTMX).get_data(as_text=True)
    assert edit.lstrip().startswith("<tr") and "保存结论" in edit
    ok = client.post(f"/admin/findings/{finding.id}/record", data={"finding": "规范", "requirement": "忽略"}, headers=HTMX)
    assert ok.status_code == 200 and "findings-changed" in ok.headers["HX-Trigger"]
    row = ok.get_data(as_text=True)
    assert row.lstrip().startswith("<tr") and "规范" in row
    saved = ReviewFinding.get_by_id(finding.id)
    assert saved.finding == "规范" and saved.requirement == ""  # a requirement only goes with 需整改


def test_department_answers_on_time_and_the_office_closes(app, login, city):
    office = login("office")
    finding = _reviewed(office, city)
    gaj = login("gaj")
    home = gaj.get("/").get_data(as_text=True)
    assert "抽查发现的问题待答复整改情况 1 件" in home
    page = gaj.get(f"/admin/findings/{finding.id}").get_data(as_text=True)
    assert "补齐现场核查记录" in page and "提交整改情况" in page
    response = gaj.post(f"/admin/findings/{finding.id}/answer", data={"answer": "已补齐核查记录并归档", "answered_on": "2026-11-26"})
    assert response.status_code == 303
    answered = ReviewFinding.get_by_id(finding.id)
    assert answered.state == "待确认" and not answered.is_late(dt.date(2026, 12, 10), dt.date(2026, 11, 26))
    office = login("office")
    assert "待确认销号 1 件" in office.get("/").get_data(as_text=True)
    assert office.post(f"/admin/findings/{finding.id}/close").status_code == 303
    assert ReviewFinding.get_by_id(finding.id).state == "已销号"
    # Once answered, the finding itself can no longer be changed.
    before = state()
    office.post(f"/admin/findings/{finding.id}/record", data={"finding": "规范"})
    assert state() == before


BAD_ANSWERS = [
    ({"answer": "  "}, "请填写整改情况"),
    ({"answered_on": "2026-11-27"}, "整改完成日期不能晚于今天"),
    ({"answered_on": "2026-11-25"}, "不能早于抽查发起日期"),
    ({"answered_on": "26/11/2026"}, "请按“年-月-日”填写整改完成日期"),
    ({"answer": "长" * 2001}, "整改情况不能超过2000个字"),
]


def test_bad_answers_are_refused(login, city):
    office = login("office")
    finding = _reviewed(office, city)
    gaj = login("gaj")
    before = state()
    for fields, message in BAD_ANSWERS:
        data = {"answer": "已整改", "answered_on": "2026-11-26"}
        data.update(fields)
        response = gaj.post(f"/admin/findings/{finding.id}/answer", data=data)
        assert response.status_code == 422, fields
        assert message in response.get_data(as_text=True), fields
    assert state() == before


def _backdate_review(finding, created, deadline):
    with write(username="test") as w:
        w.update(OversightReview.get_by_id(finding.review_id), created_at=dt.datetime.combine(created, dt.time(9)),
                 deadline=deadline)


def _overdue_finding(login, city):
    """A 需整改 finding of a review started on 2026-10-20 whose answer was due on 2026-11-03."""
    finding = _reviewed(login("office"), city)
    _backdate_review(finding, dt.date(2026, 10, 20), dt.date(2026, 11, 3))
    return finding


def test_a_late_answer_is_flagged(login, city):
    finding = _overdue_finding(login, city)
    gaj = login("gaj")
    home = gaj.get("/").get_data(as_text=True)
    assert "逾期未答复 1 件" in home
    late_list = gaj.get("/admin/findings?late=1").get_data(as_text=True)
    assert "逾期" in late_list and city.gaj.short_name in late_list
    # Answering after the deadline cannot be dated back before it.
    before = state()
    backdated = gaj.post(f"/admin/findings/{finding.id}/answer", data={"answer": "已整改", "answered_on": "2026-11-02"})
    assert backdated.status_code == 422 and "不能填在期限之前" in backdated.get_data(as_text=True)
    assert state() == before
    response = gaj.post(f"/admin/findings/{finding.id}/answer", data={"answer": "已整改", "answered_on": "2026-11-20"})
    assert response.status_code == 303
    answered = ReviewFinding.get_by_id(finding.id)
    assert answered.is_late(dt.date(2026, 11, 3), dt.date(2026, 11, 26))
    assert rules.answer_late(dt.date(2026, 11, 3), answered.answered_on, dt.date(2026, 11, 26))
    assert "逾期答复" in gaj.get(f"/admin/findings/{finding.id}").get_data(as_text=True)
    assert ReviewFinding.select().join(OversightReview).where(ReviewFinding.late_condition(dt.date(2026, 11, 26))).count() == 1
    assert "逾期答复" in gaj.get("/admin/findings?late=1").get_data(as_text=True)


def test_the_office_sends_an_answer_back_and_the_department_answers_again(login, city):
    office = login("office")
    finding = _reviewed(office, city)
    gaj = login("gaj")
    gaj.post(f"/admin/findings/{finding.id}/answer", data={"answer": "已整改", "answered_on": "2026-11-26"})
    office = login("office")
    before = state()
    empty = office.post(f"/admin/findings/{finding.id}/return", data={"return_comment": " "})
    assert empty.status_code == 422 and "请填写退回意见" in empty.get_data(as_text=True)
    assert state() == before
    assert office.post(f"/admin/findings/{finding.id}/return", data={"return_comment": "未附核查记录扫描件"}).status_code == 303
    returned = ReviewFinding.get_by_id(finding.id)
    assert returned.state == "已退回" and returned.answered_on is None and returned.answer == "已整改"
    gaj = login("gaj")
    page = gaj.get(f"/admin/findings/{finding.id}").get_data(as_text=True)
    assert "未附核查记录扫描件" in page and "重新答复整改情况" in page
    gaj.post(f"/admin/findings/{finding.id}/answer", data={"answer": "已补扫描件", "answered_on": "2026-11-26"})
    assert ReviewFinding.get_by_id(finding.id).state == "待确认"


def test_a_department_cannot_see_or_answer_another_departments_findings(login, city):
    office = login("office")
    finding = _reviewed(office, city)
    fgj_finding = ReviewFinding.get(ReviewFinding.department == city.fgj.id)
    office.post(f"/admin/findings/{fgj_finding.id}/record", data={"finding": "规范"})
    fgj = login("fgj")
    before = state()
    assert fgj.get(f"/admin/findings/{finding.id}").status_code == 404
    assert fgj.post(f"/admin/findings/{finding.id}/answer", data={"answer": "x", "answered_on": "2026-11-26"}).status_code == 404
    listing = fgj.get("/admin/findings?dept=gaj").get_data(as_text=True)
    assert "补齐现场核查记录" not in listing and city.fgj.short_name in listing
    assert state() == before
    # A sampled matter without a finding yet is not shown to the department.
    pending = ReviewFinding.get((ReviewFinding.department == city.gaj.id) & ReviewFinding.finding.is_null())
    assert login("gaj").get(f"/admin/findings/{pending.id}").status_code == 404


def test_findings_filters(login, city):
    office = login("office")
    finding = _reviewed(office, city)
    other = ReviewFinding.get((ReviewFinding.department == city.gaj.id) & (ReviewFinding.id != finding.id))
    office.post(f"/admin/findings/{other.id}/record", data={"finding": "规范"})
    open_ = office.get("/admin/findings?open=1").get_data(as_text=True)
    assert "补齐现场核查记录" in open_ and open_.count('id="finding-') == 1
    everything = office.get("/admin/findings").get_data(as_text=True)
    assert everything.count('id="finding-') == 2
    assert office.get("/admin/findings?late=1").get_data(as_text=True).count('id="finding-') == 0
    assert office.get("/admin/findings?dept=fgj").get_data(as_text=True).count('id="finding-') == 0
    assert office.get("/admin/findings?dept=nope").status_code == 404
    detail = office.get(f"/admin/oversight/{finding.review_id}?state=待录入").get_data(as_text=True)
    assert detail.count('id="finding-') == ReviewFinding.select().where(ReviewFinding.finding.is_null()).count()


def test_export_for_the_leading_group(login, city):
    office = login("office")
    finding = _reviewed(office, city)
    leader = login("leader")
    response = leader.get(f"/admin/oversight/{finding.review_id}/export")
    assert response.status_code == 200
    name = "赤壁市-2026年第三季度抽查-抽查结果-2026-11-26.xlsx"
    assert "filename*=UTF-8''" + quote(name) in response.headers["Content-Disposition"]
    wb = openpyxl.load_workbook(io.BytesIO(response.data))
    ws = wb["抽查结果"]
    header = [c.value for c in ws[4]]
    assert header[:8] == ["序号", "部门", "投资者/企业", "项目", "办理事项", "首席服务员", "办结日期", "抽查结论"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=5)]
    assert len(rows) == ReviewFinding.select().count()
    fix = [r for r in rows if r[7] == "需整改"][0]
    assert fix[1] == "赤壁市公安局" and fix[8] == "补齐现场核查记录" and fix[5] == "王建" and fix[11] == "未答复"
    assert wb["按部门汇总"]["A2"].value == "赤壁市公安局"


def test_officer_review_record(login, city):
    office = login("office")
    finding = _reviewed(office, city)
    for other in ReviewFinding.select().where((ReviewFinding.department == city.gaj.id) & (ReviewFinding.id != finding.id)):
        office.post(f"/admin/findings/{other.id}/record", data={"finding": "规范"})
    gaj = login("gaj")
    gaj.post(f"/admin/findings/{finding.id}/answer", data={"answer": "已整改", "answered_on": "2026-11-26"})
    with gaj.application.test_request_context():
        record = officer_review_record(city.officer)
    assert (record["reviewed"], record["ok"], record["fix"], record["answered"], record["on_time"], record["late"]) == (3, 2, 1, 1, 1, 0)
    assert len(record["rows"]) == 3
    with gaj.application.test_request_context():
        from flask import render_template
        html = render_template("oversight/_officer_reviews.html", record=record)
    assert "经办事项被抽查 <strong>3</strong> 件" in html


def test_pages_render_for_each_role(login, city):
    office = login("office")
    finding = _reviewed(office, city)
    for url in ("/admin/oversight", f"/admin/oversight/{finding.review_id}", "/admin/findings",
                f"/admin/findings/{finding.id}", f"/admin/oversight/{finding.review_id}/figures",
                f"/admin/oversight/{finding.review_id}?dept=gaj&late=1&sort=-completed",
                "/admin/oversight/preview?period_start=2026-07-01&period_end=2026-09-30&rate=5&minimum=3&departments=%d" % city.gaj.id):
        assert office.get(url).status_code == 200, url
    assert office.get("/admin/oversight/999").status_code == 404
    for url in ("/admin/findings?late=1", f"/admin/oversight/{finding.review_id}?state=需整改", "/admin/oversight"):
        fragment = office.get(url, headers=HTMX).get_data(as_text=True)
        assert "<html" not in fragment and "<table" in fragment, url
    assert "抽查事项待录入结论" in office.get("/").get_data(as_text=True)
    leader = login("leader")
    for url in ("/admin/oversight", "/admin/findings", f"/admin/findings/{finding.id}"):
        assert leader.get(url).status_code == 200, url


class QueryLog:
    """Counts the SQL statements a request runs (peewee logs each one at DEBUG)."""

    def __init__(self, client):
        self.client = client

    def __call__(self, url):
        with count_queries() as statements:
            assert self.client.get(url).status_code == 200, url
        return len(statements)


def test_pages_cost_a_fixed_number_of_queries(login, city):
    office = login("office")
    start(office, city, minimum="3")
    start(office, city, minimum="20", title="大样本抽查")
    small, large = OversightReview.select().order_by(OversightReview.id)
    for f in ReviewFinding.select():
        office.post(f"/admin/findings/{f.id}/record", data={"finding": "需整改", "requirement": "补充材料"})
    count = QueryLog(office)
    assert count(f"/admin/oversight/{small.id}") == count(f"/admin/oversight/{large.id}")
    assert count(f"/admin/findings?review={small.id}") == count(f"/admin/findings?review={large.id}")
    gaj = login("gaj")
    count = QueryLog(gaj)
    assert count(f"/admin/findings?review={small.id}") == count(f"/admin/findings?review={large.id}")


def test_the_dashboards_rules_9_and_10_read_what_these_pages_write(login, city):
    """Rules 9 (建章立制) and 10 (抽查整改按时回复) judged by portal.metrics on data made through the pages."""
    from portal import metrics
    from tests.test_documents import docx_bytes, upload

    finding = _overdue_finding(login, city)
    gaj = login("gaj")
    upload(gaj)
    upload(gaj, data=docx_bytes(), filename="管理办法.docx", kind="管理办法", title="公安局管理办法")
    gaj.post(f"/admin/findings/{finding.id}/answer", data={"answer": "已整改", "answered_on": "2026-11-20"})
    today = dt.date(2026, 11, 26)
    figures = metrics.compute(today)
    g, f = figures.department(city.gaj.id), figures.department(city.fgj.id)
    assert g.verdicts[9] == metrics.MET and f.verdicts[9] == metrics.NOT_MET
    assert g.verdicts[10] == metrics.NOT_MET  # answered after the deadline
    assert f.verdicts[10] == metrics.NA  # nothing to put right


def test_closing_or_returning_an_unanswered_finding_is_refused(login, city):
    office = login("office")
    finding = _reviewed(office, city)
    before = state()
    closing = office.post(f"/admin/findings/{finding.id}/close", follow_redirects=True)
    assert "只有已答复、待确认的事项可以销号" in closing.get_data(as_text=True)
    returning = office.post(f"/admin/findings/{finding.id}/return", data={"return_comment": "再改"}, follow_redirects=True)
    assert "只有已答复、待确认的事项可以退回" in returning.get_data(as_text=True)
    assert state() == before
    gaj = login("gaj")
    gaj.post(f"/admin/findings/{finding.id}/answer", data={"answer": "已整改", "answered_on": "2026-11-26"})
    before = state()
    again = gaj.post(f"/admin/findings/{finding.id}/answer", data={"answer": "改口", "answered_on": "2026-11-26"},
                     follow_redirects=True)
    assert "该事项当前无需答复" in again.get_data(as_text=True)
    assert state() == before


def test_a_review_started_by_mistake_is_withdrawn_with_its_sample(login, city):
    client = login("office")
    start(client, city)
    review = OversightReview.get()
    drawn = ReviewFinding.select().count()
    page = client.get(f"/admin/oversight/{review.id}").get_data(as_text=True)
    assert "撤销本次抽查" in page and "确定撤销" in page
    response = client.post(f"/admin/oversight/{review.id}/cancel")
    assert response.status_code == 303 and response.headers["Location"].endswith("/admin/oversight")
    assert OversightReview.select().count() == 0 and ReviewFinding.select().count() == 0
    logged = AuditLog.select().where(AuditLog.action == "cancel")
    assert logged.count() == drawn + 1  # every sampled matter and the review, kept whole in the log
    assert "已撤销抽查" in client.get("/admin/oversight").get_data(as_text=True)
    assert client.post(f"/admin/oversight/{review.id}/cancel").status_code == 404


def test_a_review_with_a_recorded_finding_cannot_be_withdrawn(login, city):
    client = login("office")
    _reviewed(client, city)
    review = OversightReview.get()
    assert "撤销本次抽查" not in client.get(f"/admin/oversight/{review.id}").get_data(as_text=True)
    before = state()
    response = client.post(f"/admin/oversight/{review.id}/cancel")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/admin/oversight/{review.id}")
    assert "不能撤销" in client.get(f"/admin/oversight/{review.id}").get_data(as_text=True)
    assert state() == before


def test_only_the_office_withdraws_a_review(login, city):
    client = login("office")
    start(client, city)
    review = OversightReview.get()
    client.post("/logout")
    before = state()
    for user in ("leader", "gaj"):
        client = login(user)
        assert client.post(f"/admin/oversight/{review.id}/cancel").status_code == 403
        client.post("/logout")
    assert state() == before
