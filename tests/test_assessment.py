"""The leading group's assessment (考核, issue 18): the score function, figures as of a past cut-off
day, a locked period frozen, the 考核通报 .docx, the workbook with its charts, and isolation."""
from __future__ import annotations

import datetime as dt
import io
import json

import docx
import openpyxl
import pytest

from portal import rules
from portal.audit import write
from portal.models import (AssessmentPeriod, AssessmentResult, AuditLog, DailySnapshot, Evaluation, Investor, Matter,
                           Officer, Setting)
from tests.conftest import HTMX

MET, NOT, NA = "met", "not_met", "na"


# ---------------------------------------------------------------------------
# The score function (rules.assessment_score)


def _all(verdict):
    return {n: verdict for n in rules.SCORE_RULE_NUMBERS}


def test_default_scoring_is_equal_weights_out_of_100():
    points = rules.item_points(rules.default_scoring())
    assert len(points) == 14
    assert all(p == pytest.approx(100 / 14) for p in points.values())
    assert sum(points.values()) == pytest.approx(100)


def test_everything_met_scores_100():
    result = rules.assessment_score(_all(MET), {k: 1.0 for k in rules.SCORE_RATES}, {}, rules.default_scoring())
    assert result == {"score": 100.0, "lost": []}


def test_a_rule_not_met_loses_its_points_a_rule_not_applying_loses_nothing():
    verdicts = {**_all(NA), 5: NOT}
    result = rules.assessment_score(verdicts, {}, {}, rules.default_scoring())
    assert result["score"] == pytest.approx(100 - 100 / 14, abs=0.01)
    assert [(e["key"], e["kind"]) for e in result["lost"]] == [(5, "rule")]


def test_a_rate_loses_its_points_times_what_is_missing_no_data_loses_nothing():
    rates = {"inclusion_rate": 0.5, "on_time_rate": None, "one_visit_rate": 1.0, "satisfaction_rate": 0.9}
    result = rules.assessment_score(_all(MET), rates, {}, rules.default_scoring())
    lost = {e["key"]: e["points"] for e in result["lost"]}
    assert lost == {"inclusion_rate": pytest.approx(100 / 14 / 2, abs=0.01),
                    "satisfaction_rate": pytest.approx(100 / 14 * 0.1, abs=0.01)}
    assert result["lost"][0]["key"] == "inclusion_rate"  # largest first


def test_deductions_per_unit_up_to_their_cap_and_the_score_never_below_zero():
    scoring = rules.default_scoring()
    result = rules.assessment_score(_all(MET), {}, {"gap_day": 12, "unreported": 100, "overdue": 3}, scoring)
    lost = {e["key"]: e["points"] for e in result["lost"]}
    assert lost == {"gap_day": 6.0, "unreported": 10.0, "overdue": 3.0}
    assert result["score"] == 81.0
    assert "断档12天" in next(e["detail"] for e in result["lost"] if e["key"] == "gap_day")
    scoring["deductions"]["overdue"] = {"points": 50, "cap": 100}
    assert rules.assessment_score(_all(NOT), {}, {"overdue": 10}, scoring)["score"] == 0.0


def test_weights_are_scaled_to_100():
    scoring = rules.default_scoring()
    scoring["rules"] = {str(n): 0 for n in rules.SCORE_RULE_NUMBERS}
    scoring["rules"]["1"] = 3
    scoring["rates"] = {k: 0 for k in rules.SCORE_RATES}
    scoring["rates"]["inclusion_rate"] = 1
    assert rules.item_points(scoring)[1] == 75.0
    assert rules.assessment_score({1: NOT}, {"inclusion_rate": 0.0}, {}, scoring)["score"] == 0.0


def test_scoring_problems():
    assert rules.scoring_problem(rules.default_scoring()) is None
    bad = rules.default_scoring()
    bad["rules"]["1"] = -1
    assert rules.scoring_problem(bad) == "权重和扣分须在0到100之间。"
    zero = rules.default_scoring()
    zero["rules"] = {k: 0 for k in zero["rules"]}
    zero["rates"] = {k: 0 for k in zero["rates"]}
    assert rules.scoring_problem(zero) == "至少有一项权重大于0。"
    assert rules.scoring_problem({"rules": {}}) == "评分办法不完整。"


def test_equal_scores_share_a_rank():
    assert rules.score_ranks([(1, 90), (2, 95), (3, 90), (4, 80)]) == {2: 1, 1: 2, 3: 2, 4: 4}


# ---------------------------------------------------------------------------
# Figures as of a cut-off day


PERIOD = dict(name="2026年上半年", start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 6, 30),
              cutoff=dt.date(2026, 6, 30))


def _period(**fields):
    with write(username="test") as w:
        return w.create(AssessmentPeriod, **{**PERIOD, **fields})


def _city(world):
    """fgj has a window: an officer from 2026-01-13 (12 gap days in the period), a matter received in
    the period and one evaluation in it."""
    with write(username="test") as w:
        w.create(Officer, department=world.fgj, name="张三", gender="男", term_start=dt.date(2026, 1, 13))
        investor = w.create(Investor, department=world.fgj, name="测试企业", credit_code="91421281MA4950XX0X")
        w.create(Matter, department=world.fgj, investor=investor, project="项目一", received_date=dt.date(2026, 3, 2),
                 promised_date=dt.date(2026, 3, 10), status="已办结", completed_date=dt.date(2026, 3, 9), visits=1)
        w.create(Evaluation, department=world.fgj, level=5, created_at=dt.datetime(2026, 4, 1, 10, 0))
    return investor


def _fgj(result, world):
    return result.department(world.fgj.id)


def test_figures_as_of_the_cut_off_day(app, world):
    from portal.assessment import service

    with app.app_context():
        Setting.set_value("system_start", "2025-01-01")
        _city(world)
        period = _period()
        row = _fgj(service.compute(period), world)
        assert row["counts"]["gap_day"] == 12
        assert row["gaps"] == [["2026-01-01", "2026-01-12"]]
        assert any("断档12天（2026年1月1日至2026年1月12日）" in p["detail"] for p in row["problems"])
        assert row["matters"] == 1 and row["rates"]["on_time_rate"] == 1.0
        assert row["evaluations"] == 1 and row["rates"]["satisfaction_rate"] == 1.0


def test_a_change_after_the_cut_off_day_leaves_the_period_unchanged(app, world):
    from portal.assessment import service

    with app.app_context():
        investor = _city(world)
        period = _period()
        before = service.compute(period)
        # After the cut-off day: a new officer term, a late matter, a bad evaluation.
        with write(username="test") as w:
            w.create(Officer, department=world.fgj, name="李四", gender="女", term_start=dt.date(2026, 7, 1))
            w.create(Matter, department=world.fgj, investor=investor, project="项目二", received_date=dt.date(2026, 8, 1),
                     promised_date=dt.date(2026, 8, 5), status="办理中", visits=3)
            w.create(Evaluation, department=world.fgj, level=1, created_at=dt.datetime(2026, 9, 1, 10, 0),
                     deadline=dt.date(2026, 9, 8))
        after = service.compute(period)
        assert after.departments == before.departments
        assert after.city == before.city


def test_the_page_says_what_cannot_be_known_exactly(app, world, login):
    with app.app_context():
        _period()
        world.item(world.gaj)  # a change after the cut-off day to a record kept only as it is now
    client = login("office")
    html = client.get("/assessment/periods/1").get_data(as_text=True)
    assert "数字说明" in html and "操作日志显示截止日之后有改动：事项（规则2 授权）1次" in html
    assert "可能与截止日当时不完全一致" in html


# ---------------------------------------------------------------------------
# Locking (定稿)


def test_a_locked_period_is_frozen(app, world, login):
    from portal.assessment import service

    with app.app_context():
        investor = _city(world)
        period = _period()
    client = login("office")
    assert client.post(f"/assessment/periods/{period.id}/lock").status_code == 303
    with app.app_context():
        period = AssessmentPeriod.get_by_id(period.id)
        assert period.locked and AssessmentResult.select().where(AssessmentResult.period == period).count() == 2
        stored = service.load(period)
        # A record of the period changed later (a matter back-dated into the period, late and open).
        with write(username="test") as w:
            w.create(Matter, department=world.fgj, investor=investor, project="补录项目", received_date=dt.date(2026, 2, 1),
                     promised_date=dt.date(2026, 2, 5), status="办理中", visits=0)
        assert service.compute(period).department(world.fgj.id)["score"] != stored.department(world.fgj.id)["score"]
        assert service.load(period).departments == stored.departments
    # Locked: no second lock, no scoring change.
    client.post(f"/assessment/periods/{period.id}/lock")
    response = client.post(f"/assessment/periods/{period.id}/scoring", data={"rule_1": "5"})
    assert response.status_code == 303
    with app.app_context():
        assert AssessmentResult.select().count() == 2
        assert AssessmentPeriod.get_by_id(period.id).scoring_data() == rules.default_scoring()


def test_a_period_cannot_be_locked_before_its_cut_off_day(app, world, login):
    with app.app_context():
        period = _period(name="2026年度", end_date=dt.date(2026, 12, 31), cutoff=dt.date(2026, 12, 31))
    client = login("office")
    response = client.post(f"/assessment/periods/{period.id}/lock", follow_redirects=True)
    assert "截止日2026年12月31日之后才能定稿" in response.get_data(as_text=True)
    with app.app_context():
        assert not AssessmentPeriod.get_by_id(period.id).locked


def test_the_preview_shows_who_moved_since_the_last_one(app, world, login):
    with app.app_context():
        _period()
    client = login("office")
    page = client.post("/assessment/periods/1/preview", follow_redirects=True).get_data(as_text=True)
    assert "已记录本次预览" in page
    with app.app_context():
        ranks = json.loads(AssessmentPeriod.get_by_id(1).preview)
        assert set(ranks.values()) == {1}  # both departments score alike
        _city(world)  # fgj now has an officer, matters and evaluations: gaj falls behind
    page = client.post("/assessment/periods/1/preview", follow_redirects=True).get_data(as_text=True)
    assert "赤壁市公安局由第1名降至第2名" in page


# ---------------------------------------------------------------------------
# Bad input: a clear Chinese error and nothing written


@pytest.mark.parametrize("data, message", [
    ({"name": "", "start_date": "2026-01-01", "end_date": "2026-06-30", "cutoff": "2026-06-30"}, "请填写周期名称"),
    ({"name": "x", "start_date": "2026-07-01", "end_date": "2026-06-30", "cutoff": "2026-06-30"}, "结束日期不能早于开始日期"),
    ({"name": "x", "start_date": "2026-01-01", "end_date": "2026-06-30", "cutoff": "2026-06-01"}, "截止日不能早于结束日期"),
    ({"name": "x", "start_date": "2026/1/1", "end_date": "2026-06-30", "cutoff": "2026-06-30"}, "请按“年-月-日”填写开始日期"),
    ({"name": "x" * 41, "start_date": "2026-01-01", "end_date": "2026-06-30", "cutoff": "2026-06-30"}, "不能超过40个字"),
    ({"name": "2026年上半年", "start_date": "2026-01-01", "end_date": "2026-06-30", "cutoff": "2026-06-30"}, "已有同名"),
])
def test_bad_periods_are_refused(app, world, login, data, message):
    with app.app_context():
        _period()
        count = AuditLog.select().count()
    response = login("office").post("/assessment/periods", data=data, headers=HTMX)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert AssessmentPeriod.select().count() == 1 and AuditLog.select().count() == count


def _scoring_data(**override):
    data = {f"rule_{n}": "1" for n in rules.SCORE_RULE_NUMBERS}
    data.update({f"rate_{k}": "1" for k in rules.SCORE_RATES})
    for key in rules.SCORE_DEDUCTIONS:
        data[f"ded_{key}_points"], data[f"ded_{key}_cap"] = "1", "10"
    data.update(override)
    return data


@pytest.mark.parametrize("override, message", [
    ({"rule_1": "abc"}, "权重须为数字"),
    ({"rule_2": "-1"}, "权重须在0到100之间"),
    ({"ded_gap_day_cap": "101"}, "最多扣分须在0到100之间"),
    ({f"rule_{n}": "0" for n in rules.SCORE_RULE_NUMBERS} | {f"rate_{k}": "0" for k in rules.SCORE_RATES},
     "至少有一项权重大于0"),
    ({"rate_inclusion_rate": ""}, "请填写“纳入率”的权重"),
])
def test_bad_scoring_is_refused(app, world, login, override, message):
    with app.app_context():
        period = _period()
    response = login("office").post(f"/assessment/periods/{period.id}/scoring", data=_scoring_data(**override),
                                    headers=HTMX)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert AssessmentPeriod.get_by_id(period.id).scoring == period.scoring


def test_scoring_is_saved_and_used(app, world, login):
    with app.app_context():
        period = _period()
    client = login("office")
    assert client.post(f"/assessment/periods/{period.id}/scoring", data=_scoring_data(rule_5="13")).status_code == 303
    with app.app_context():
        assert AssessmentPeriod.get_by_id(period.id).scoring_data()["rules"]["5"] == 13.0
        assert rules.item_points(AssessmentPeriod.get_by_id(period.id).scoring_data())[5] == pytest.approx(50.0)


def test_a_closing_paragraph_too_long_is_refused(app, world, login):
    with app.app_context():
        period = _period()
    response = login("office").post(f"/assessment/periods/{period.id}/closing", data={"closing": "字" * 3001},
                                    headers=HTMX)
    assert response.status_code == 422 and "不能超过3000个字" in response.get_data(as_text=True)
    with app.app_context():
        assert AssessmentPeriod.get_by_id(period.id).closing == ""


# ---------------------------------------------------------------------------
# The report and the workbook


def _locked(app, world, client):
    with app.app_context():
        _city(world)
        for day in range(5):
            with write(username="test") as w:
                w.create(DailySnapshot, day=dt.date(2026, 6, 1) + dt.timedelta(days=day),
                         figures=json.dumps({"inclusion_rate": 0.5 + day / 10, "compliance_rate": 0.6}))
        previous = _period(name="2025年度", start_date=dt.date(2025, 1, 1), end_date=dt.date(2025, 12, 31),
                           cutoff=dt.date(2025, 12, 31))
        period = _period()
    client.post(f"/assessment/periods/{previous.id}/lock")
    client.post(f"/assessment/periods/{period.id}/closing", data={"closing": "各部门要限期整改。"})
    client.post(f"/assessment/periods/{period.id}/lock")
    return period


def test_the_report_docx(app, world, login):
    client = login("office")
    period = _locked(app, world, client)
    response = client.get(f"/assessment/periods/{period.id}/report.docx")
    assert response.status_code == 200
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    assert "%E8%80%83%E6%A0%B8%E9%80%9A%E6%8A%A5" in response.headers["Content-Disposition"]  # 考核通报
    document = docx.Document(io.BytesIO(response.data))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "关于2026年上半年“首席服务员”制度落实情况的考核通报"
    for heading in ("一、总体情况", "二、考核排名", "三、存在问题", "四、下一步工作"):
        assert heading in texts
    assert "与2025年度相比" in "".join(texts)
    assert "各部门要限期整改。" in texts
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["名次", "部门", "得分", "名次变化"]
    names = [row.cells[1].text for row in table.rows[1:]]
    assert names == ["赤壁市发展和改革局", "赤壁市公安局"]
    assert "赤壁市发展和改革局 断档12天（2026年1月1日至2026年1月12日）。" in texts
    # each department's problems are listed
    with app.app_context():
        from portal.assessment import service
        for d in service.load(AssessmentPeriod.get_by_id(period.id)).departments:
            for p in d["problems"]:
                assert f"{d['name']} {p['detail']}。" in texts


def test_the_report_needs_a_locked_period(app, world, login):
    with app.app_context():
        period = _period()
    response = login("office").get(f"/assessment/periods/{period.id}/report.docx")
    assert response.status_code == 303


def test_the_workbook_has_its_sheets_and_charts(app, world, login):
    client = login("office")
    period = _locked(app, world, client)
    response = client.get(f"/assessment/periods/{period.id}/workbook.xlsx")
    assert response.status_code == 200
    assert "%E8%80%83%E6%A0%B8%E8%A1%A8" in response.headers["Content-Disposition"]  # 考核表
    wb = openpyxl.load_workbook(io.BytesIO(response.data))
    assert wb.sheetnames == ["考核排名", "总体情况", "存在问题", "扣分明细"]
    ranking = wb["考核排名"]
    assert [c.value for c in ranking[4]][:3] == ["名次", "部门", "得分"]
    assert ranking["B5"].value == "赤壁市发展和改革局"
    bars = ranking._charts
    assert len(bars) == 1 and bars[0].tagname == "barChart"
    lines = wb["总体情况"]._charts
    assert len(lines) == 1 and lines[0].tagname == "lineChart" and len(lines[0].series) == 2
    problems = [[c.value for c in row] for row in wb["存在问题"].iter_rows(min_row=5)]
    assert ["规则5 首席服务员不断档", "赤壁市发展和改革局", "断档12天（2026年1月1日至2026年1月12日）"] in problems


# ---------------------------------------------------------------------------
# Who sees what


def test_a_department_sees_only_its_own_score(app, world, login):
    with app.app_context():
        _city(world)
        period = _period()
    client = login("fgj")
    html = client.get(f"/assessment/periods/{period.id}").get_data(as_text=True)
    assert "本部门得分" in html and "断档12天" in html
    assert 'id="ranking"' not in html and "赤壁市公安局" not in html
    assert 'href="/officers/"' in html  # the link to the record behind the points lost
    index = client.get("/assessment/").get_data(as_text=True)
    assert "2026年上半年" in index and "赤壁市公安局" not in index
    for url in (f"/assessment/periods/{period.id}/report.docx", f"/assessment/periods/{period.id}/workbook.xlsx",
                f"/assessment/compare?a={period.id}&b={period.id}"):
        assert client.get(url).status_code == 403


def test_the_office_can_show_the_ranking_to_departments(app, world, login):
    with app.app_context():
        period = _period()
        assert Setting.get_value("assessment_ranking_visible", False) is False
    client = login("office")
    assert client.post("/assessment/settings", data={"visible": "y"}).status_code == 303
    html = login("fgj").get(f"/assessment/periods/{period.id}").get_data(as_text=True)
    assert 'id="ranking"' in html and "赤壁市公安局" in html


def test_the_leader_reads_everything_and_writes_nothing(app, world, login):
    with app.app_context():
        period = _period()
        other = _period(name="2025年度", start_date=dt.date(2025, 1, 1), end_date=dt.date(2025, 12, 31),
                        cutoff=dt.date(2025, 12, 31))
    client = login("leader")
    assert 'id="ranking"' in client.get(f"/assessment/periods/{period.id}").get_data(as_text=True)
    compare = client.get(f"/assessment/compare?a={other.id}&b={period.id}")
    assert compare.status_code == 200 and "各部门得分与名次" in compare.get_data(as_text=True)
    for url in ("/assessment/periods", f"/assessment/periods/{period.id}/lock",
                f"/assessment/periods/{period.id}/preview", f"/assessment/periods/{period.id}/scoring",
                f"/assessment/periods/{period.id}/closing", "/assessment/settings"):
        assert client.post(url).status_code == 403


def test_comparing_two_periods(app, world, login):
    from portal.assessment import service

    with app.app_context():
        first = _period(name="2025年度", start_date=dt.date(2025, 1, 1), end_date=dt.date(2025, 12, 31),
                        cutoff=dt.date(2025, 12, 31))
        _city(world)
        second = _period()
        rows = service.compare(service.load(first), service.load(second))
        by_name = {r["name"]: r for r in rows}
        fgj, gaj = by_name["赤壁市发展和改革局"], by_name["赤壁市公安局"]
        assert [r["name"] for r in rows] == ["赤壁市发展和改革局", "赤壁市公安局"]  # the later period's order
        assert fgj["rank_change"] == 0 and fgj["score_change"] > 0  # gained its rates
        assert gaj["rank_change"] == -1
    html = login("office").get(f"/assessment/compare?a={first.id}&b={second.id}").get_data(as_text=True)
    assert "下降1名" in html and "不变" in html
