"""Tenure-change reports (任期调整报告): filing ends one term and starts the next, early changes need a
reason, the office acknowledges or returns, the department corrects and refiles; bad input and other
departments change nothing."""
from __future__ import annotations

import datetime as dt

import pytest

from portal import rules
from portal.audit import write
from portal.models import Letter, LetterItem, Officer, ServiceItem, TenureReport
from tests.test_officers import PERSON, assign, client_for, html, officer, snapshot

NEW_PERSON = {k: v for k, v in PERSON.items()} | {"name": "赵新任", "mobile": "13907159999"}


@pytest.fixture
def setup(world):
    """fgj's officer 王一 since 2025-01-01 (two years on 2027-01-01) with an issued letter and two items."""
    o = officer(world.fgj, "王一", start=dt.date(2025, 1, 1))
    items = [world.item(world.fgj, "企业投资项目备案"), world.item(world.fgj, "节能审查", mode="初审")]
    assign(items, o)
    with write(username="test") as w:
        letter = w.create(Letter, number="赤首授〔2025〕1号", year=2025, seq=1, department=world.fgj, officer=o,
                          state="已签发", issue_date=dt.date(2025, 1, 5))
        for n, item in enumerate(items, 1):
            w.create(LetterItem, letter=letter, item=item, mode=item.mode, label=item.label, seq=n)
    world.o, world.items, world.letter = o, items, letter
    return world


def report_data(person, **change):
    data = {"outgoing": str(person.id), "incoming_kind": "new", "effective_date": "2026-11-01",
            "reason": "工作调动，调任市委办公室。", "handover": "在办事项3件已移交，档案资料已交接。", **NEW_PERSON}
    data.update(change)
    return data


def test_filing_ends_the_outgoing_term_and_starts_the_incoming(app, setup, login):
    client = login("fgj")
    response = client.post("/tenure/new", data=report_data(setup.o))
    assert response.status_code == 303
    report = TenureReport.get()
    old, new = Officer.get_by_id(setup.o.id), report.incoming
    assert old.term_end == dt.date(2026, 10, 31)
    assert new.name == "赵新任" and new.term_start == dt.date(2026, 11, 1) and new.term_end is None
    assert new.mobile == "13907159999" and new.department_id == setup.fgj.id
    assert report.state == "待确认" and report.early and report.filed_by.username == "fgj"
    letter = Letter.get_by_id(setup.letter.id)
    assert letter.state == "已终止" and letter.end_date == dt.date(2026, 10, 31)
    assert {i.officer_id for i in ServiceItem.select()} == {new.id}  # the items are handed over
    # No gap: the department stays covered, and the new officer waits for a letter.
    page = html(client.get("/officers/"))
    assert "无断档" in page and "未授权上岗" in page and "提前调整" in page
    assert "赵新任尚无已签发的授权委托书" in html(client.get("/"))
    assert "任期调整报告" in html(client_for(app, "office").get("/"))


def test_a_change_after_two_years_is_not_early_and_needs_no_reason(app, world, login):
    o = officer(world.fgj, "王一", start=dt.date(2024, 1, 1))
    client = login("fgj")
    response = client.post("/tenure/new", data=report_data(o, effective_date="2026-01-01", reason="",
                                                                   late_note="任期届满后因人选考察未及时报送，现补报。"))
    assert response.status_code == 303
    assert not TenureReport.get().early


BAD = [
    (lambda s: {"effective_date": "2025-01-01"}, "effective_date", "须晚于王一的任期开始日期"),
    (lambda s: {"effective_date": "2026-11-27"}, "effective_date", "不能晚于今天"),
    (lambda s: {"effective_date": "2025-01-05"}, "effective_date", "现行授权委托书（赤首授〔2025〕1号）的签发日期"),
    (lambda s: {"effective_date": ""}, "effective_date", "请填写调整生效日期"),
    (lambda s: {"reason": ""}, "reason", "属提前调整，须说明调整原因"),
    (lambda s: {"handover": ""}, "handover", "请填写交接安排"),
    (lambda s: {"outgoing": ""}, "outgoing", "请选择离任的首席服务员"),
    (lambda s: {"outgoing": "99999999999999999999"}, "outgoing", "不是本部门在任的首席服务员"),
    (lambda s: {"incoming_kind": "nobody"}, "incoming_kind", "请选择接任人员的情况"),
    (lambda s: {"incoming_kind": "previous", "previous": str(s.o.id)}, "previous", "接任人员不能与离任人员相同"),
    (lambda s: {"incoming_kind": "previous", "previous": ""}, "previous", "请选择本部门已离任的原首席服务员"),
    (lambda s: {"name": "王一", "birth_date": ""}, "name", "接任人员与离任人员为同一人"),
    (lambda s: {"name": ""}, "name", "请填写姓名"),
    (lambda s: {"work_phone": "电话"}, "work_phone", "请填写正确的电话号码"),
]


def test_bad_reports_show_clear_errors_and_change_nothing(app, setup, login):
    client = login("fgj")
    before = snapshot()
    for change, field, error in BAD:
        response = client.post("/tenure/new", data=report_data(setup.o, **change(setup)))
        body = html(response)
        assert response.status_code == 422, (field, error)
        assert error in body and "error-summary" in body, (field, error)
        assert f'id="{field}-error"' in body or field == "incoming_kind", field
    assert snapshot() == before


def test_another_departments_officer_cannot_be_reported_out(app, setup, login):
    g = officer(setup.gaj, "公安一")
    client = login("fgj")
    before = snapshot()
    response = client.post("/tenure/new", data=report_data(g))
    assert response.status_code == 422 and "不是本部门在任的首席服务员" in html(response)
    assert snapshot() == before


def test_a_former_officer_can_serve_again_in_a_new_term(app, world, login):
    former = officer(world.fgj, "老张", start=dt.date(2022, 1, 1), end=dt.date(2023, 12, 31), birth_date=dt.date(1975, 3, 3))
    o = officer(world.fgj, "王一", start=dt.date(2024, 1, 1))
    client = login("fgj")
    data = report_data(o, incoming_kind="previous", previous=str(former.id), effective_date="2026-06-01", name="",
                       late_note="任期届满后因人选考察未及时报送，现补报。")
    assert client.post("/tenure/new", data=data).status_code == 303
    again = TenureReport.get().incoming
    assert again.id != former.id and again.name == "老张" and again.birth_date == dt.date(1975, 3, 3)
    assert again.term_start == dt.date(2026, 6, 1) and Officer.get_by_id(former.id).term_end == dt.date(2023, 12, 31)


def test_a_report_without_successor_leaves_a_gap_until_the_next_appointment(app, setup, login):
    client = login("fgj")
    data = report_data(setup.o, incoming_kind="none", name="", effective_date="2026-11-20")
    assert client.post("/tenure/new", data=data).status_code == 303
    assert TenureReport.get().incoming is None
    assert {i.officer_id for i in ServiceItem.select()} == {setup.o.id}  # nobody to hand them to
    assert "断档 7 天" in html(client.get("/officers/"))  # 2026-11-20 … 2026-11-26
    assert client.post("/officers/new", data={**PERSON, "term_start": "2026-11-24"}).status_code == 303
    assert "断档 4 天" in html(client.get("/officers/"))


def test_journey_file_then_acknowledge(app, setup, login):
    login("fgj").post("/tenure/new", data=report_data(setup.o))
    report = TenureReport.get()
    office = client_for(app, "office")
    listing = html(office.get("/tenure/?state=待确认"))
    assert "王一" in listing and "审核" in listing
    assert "1份任期调整报告待确认" in html(office.get("/"))
    assert office.post(f"/tenure/{report.id}/acknowledge").status_code == 303
    report = TenureReport.get_by_id(report.id)
    assert report.state == "已确认" and report.reviewed_by.username == "office"
    before = snapshot()
    again = office.post(f"/tenure/{report.id}/acknowledge")
    assert again.status_code == 409 and "不能重复处理" in html(again)
    assert office.post(f"/tenure/{report.id}/return", data={"comment": "x"}).status_code == 409
    assert snapshot() == before
    assert "任期调整报告待确认" not in html(office.get("/"))


def test_journey_file_then_return_then_refile(app, setup, login):
    department = login("fgj")
    department.post("/tenure/new", data=report_data(setup.o))
    report = TenureReport.get()
    office = client_for(app, "office")
    before = snapshot()
    empty = office.post(f"/tenure/{report.id}/return", data={"comment": "  "})
    assert empty.status_code == 422 and "退回时须填写意见" in html(empty)
    assert snapshot() == before
    assert office.post(f"/tenure/{report.id}/return", data={"comment": "请补充在办事项清单。"}).status_code == 303
    assert TenureReport.get_by_id(report.id).state == "已退回"
    todo = html(department.get("/"))
    assert "被协调办退回" in todo and "请补充在办事项清单。" in todo
    detail = html(department.get(f"/tenure/{report.id}"))
    assert "修改后重新报送" in detail and "请补充在办事项清单。" in detail
    before = snapshot()
    for data, error in (({"reason": "", "handover": "已交接"}, "须说明调整原因"),
                        ({"reason": "调动", "handover": ""}, "请填写交接安排")):
        response = department.post(f"/tenure/{report.id}/edit", data=data)
        assert response.status_code == 422 and error in html(response)
    assert snapshot() == before
    response = department.post(f"/tenure/{report.id}/edit", data={"reason": "调动", "handover": "在办事项清单见附件，共3件。"})
    assert response.status_code == 303
    report = TenureReport.get_by_id(report.id)
    assert report.state == "待确认" and report.handover == "在办事项清单见附件，共3件。"
    assert "被协调办退回" not in html(department.get("/"))
    assert department.post(f"/tenure/{report.id}/edit", data={"reason": "x", "handover": "y"}).status_code == 409
    assert office.post(f"/tenure/{report.id}/acknowledge").status_code == 303


def test_reports_are_isolated_and_reviews_are_the_offices(app, setup, login):
    client_for(app, "fgj").post("/tenure/new", data=report_data(setup.o))
    report = TenureReport.get()
    other = client_for(app, "gaj")
    before = snapshot()
    assert other.get(f"/tenure/{report.id}").status_code == 404
    assert other.post(f"/tenure/{report.id}/edit", data={"reason": "x", "handover": "y"}).status_code == 404
    assert "王一" not in html(other.get("/tenure/"))
    assert other.post(f"/tenure/{report.id}/acknowledge").status_code == 403
    leader = client_for(app, "leader")
    assert leader.get(f"/tenure/{report.id}").status_code == 200
    assert leader.post(f"/tenure/{report.id}/acknowledge").status_code == 403
    assert leader.post(f"/tenure/{report.id}/return", data={"comment": "x"}).status_code == 403
    assert leader.post("/tenure/new", data=report_data(setup.o)).status_code == 403
    assert snapshot() == before


def test_office_filters_reports_by_state_early_and_department(app, setup, world):
    client_for(app, "fgj").post("/tenure/new", data=report_data(setup.o))
    g = officer(world.gaj, "公安一", start=dt.date(2024, 1, 1))
    client_for(app, "gaj").post("/tenure/new", data=report_data(g, effective_date="2026-02-01", reason="", name="公安二",
                                                                          late_note="任期届满后因人选考察未及时报送，现补报。"))
    office = client_for(app, "office")
    rows = lambda url: html(office.get(url)).split("<tbody>")[1]  # noqa: E731
    assert "王一" in rows("/tenure/") and "公安一" in rows("/tenure/")
    assert "王一" in rows("/tenure/?early=1") and "公安一" not in rows("/tenure/?early=1")
    assert "王一" not in rows("/tenure/?dept=gaj") and "公安一" in rows("/tenure/?dept=gaj")
    assert "还没有" not in rows("/tenure/?state=待确认") and "没有符合条件的报告" in rows("/tenure/?state=已退回")
    assert office.get("/tenure/?dept=nope").status_code == 404
    assert rules.REPORT_FILED in rows("/tenure/?sort=-effective")


def test_a_backdated_change_needs_its_explanation_and_is_flagged_for_the_office(app, setup, login, world):
    """补报 (issue 17 §5): 18 months back is allowed, never silent; what was recorded under the outgoing
    officer's name after the effective date is listed; gap days follow the terms as they now stand."""
    from portal.models import Investor, Matter
    with write(username="test") as w:
        investor = w.create(Investor, department=setup.fgj, name="赤壁某公司", credit_code="91421281MA4F00001X")
        late = w.create(Matter, department=setup.fgj, investor=investor, project="六月受理的项目",
                        item=setup.items[0], officer=setup.o, received_date=dt.date(2026, 6, 3), status="已受理")
        w.create(Matter, department=setup.fgj, investor=investor, project="五月受理的项目",
                 item=setup.items[0], officer=setup.o, received_date=dt.date(2026, 5, 20), status="已受理")
    client = login("fgj")
    before = snapshot()
    data = report_data(setup.o, incoming_kind="none", name="", effective_date="2026-06-01", reason="工作调动。")
    refused = client.post("/tenure/new", data=data)
    assert refused.status_code == 422
    assert "距报送已178天，超过30天，属补报：请填写补报说明" in html(refused) and 'id="late_note-error"' in html(refused)
    assert snapshot() == before
    filed = client.post("/tenure/new", data={**data, "late_note": "人事任免文件下发较晚，未及时报送。"},
                        follow_redirects=True)
    page = html(filed)
    assert "本报告属补报（生效178天后报送）" in page and "1件台账事项" in page
    assert "补报</span> 生效178天后报送" in page and "人事任免文件下发较晚" in page
    assert "六月受理的项目" in page and "五月受理的项目" not in page
    report = TenureReport.get()
    assert report.backdated and report.late_note == "人事任免文件下发较晚，未及时报送。"
    office = client_for(app, "office")
    assert "补报</span>" in html(office.get("/tenure/"))
    review = html(office.get(f"/tenure/{report.id}"))
    assert "生效日期之后仍登记在王一名下的记录" in review and "六月受理的项目" in review
    # The term ended on 31 May: from 1 June to today (26 November) nobody serves — 179 gap days.
    assert "断档 179 天" in html(client.get("/officers/"))
    assert late.id in {m.id for m in Matter.by_officer_since(setup.o.id, dt.date(2026, 6, 1))}


def test_a_change_reported_within_30_days_is_not_backdated(app, setup, login):
    client = login("fgj")
    assert client.post("/tenure/new", data=report_data(setup.o, effective_date="2026-10-27")).status_code == 303
    report = TenureReport.get()
    assert not report.backdated and report.days_backdated == 30


def test_backdating_rule():
    assert rules.days_backdated(dt.date(2026, 10, 1), dt.date(2026, 10, 31)) == 30
    assert not rules.is_backdated(dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert rules.is_backdated(dt.date(2026, 10, 1), dt.date(2026, 11, 1))
    assert rules.days_backdated(dt.date(2026, 11, 1), dt.date(2026, 10, 1)) == 0
