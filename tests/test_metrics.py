"""Every dashboard figure (portal/metrics.py) on a hand-made city whose answers are written down here,
the compliance rules' applicability, the ranking with ties, and the number of queries (constant
whether the city has 3 or 60 departments).

The city, on 2026-11-26 with the system started on 2026-01-01 and the list deadline 2026-08-10:

gaj 公安局 (window, several officers allowed)
  items   a1–a4 纳入 (in the letters of A1 and A2), a5 未纳入 涉密            → 纳入率 4/(5−1) = 100%
  officers A0 2024-05-01…2024-12-31 (ended early, report 已确认 with a reason), A1 from 2025-01-01,
          A2 from 2025-06-01, both with issued letters                          → 2 serving, 0 gap days
  list    2026 rev 1 submitted 08-01, approved and published
  ledger  m1 done on time, 1 visit, 网上办; m2 done late, 2 visits; m3 in progress, promised 11-20
          (overdue), 代办; m4 received, promised 12-05, 上门办; m5 returned
  reviews 5,5,4,3 and two bad ones: ★1 answered 11-19 (deadline 11-20), ★2 answered 11-12 (deadline
          11-10: late)                                                          → 满意率 3/6 = 50%
  docs    实施方案 and 管理办法
  oversight m2 需整改 answered 11-18 (deadline 11-20) not closed yet, m3 需整改 open (deadline 12-10),
          m1 规范                                                               → 2 not closed, 0 late
  → every rule that applies is met (rule 3 n/a): 9/9 = 100%, rank 1
fgj 发改局 (window, one officer)
  items   b1–b3 纳入 (b3 not in B2's letter), b4 待定, b5 未纳入 其他, b6 retired → 纳入率 3/5 = 60%
  officers B1 2025-03-01…2026-03-31 (ended early; report 待确认 without a reason), B2 from 2026-04-03
          with a letter for b1, b2                                              → 2 gap days (04-01, 04-02)
  list    2025 rev 1 approved and published; 2026 rev 2 submitted 08-15 (late), approved, not published
  ledger  m6 done without a promised date, 0 visits
  reviews ★2 unanswered (deadline 11-20: late), ★1 unanswered (deadline 11-30), ★5 → 满意率 1/3
  docs    实施方案, 监管工作机制 (no 管理办法)
  oversight m6 需整改 unanswered (deadline 11-20: late)
  → only rule 3 met: 1/10 = 10%, rank 3
tjj 统计局 (no window)
  items   c1, c2 纳入, both in C1's letter                                     → 100%
  officers C1 from 2025-01-01 with a letter, C2 from 2026-06-01 without one    → 2 serving (rule 3 not met)
  list    none (deadline passed)                                                → rules 7, 8 not met
  docs    a 实施方案 replaced by another document                               → both missing
  → rules 1, 2 met; 3, 7, 8, 9 not met; 4, 5, 6, 10 n/a: 2/6 = 33.3%, rank 2
joint matters: J1 (lead gaj, opened 11-01): gaj 同意, fgj unsigned deadline 11-20 (late), tjj 补正
deadline 12-01 (waiting for the investor, not for tjj); J2 (lead fgj): both parts 同意 (finished); J3
(lead tjj): fgj 不同意, gaj unsigned past its deadline (stopped: neither open nor late)
                                                                  → 1 open, 1 late (at fgj)
"""
from __future__ import annotations

import datetime as dt
from itertools import count

import pytest

from portal import metrics, rules, snapshots
from portal.audit import write
from portal.db import db
from portal.models import (
    DailySnapshot, Department, Evaluation, Investor, ItemList, JointMatter, JointPart, Letter,
    LetterItem, Matter, Officer, OversightReview, ReviewFinding, RuleDocument, ServiceItem, Setting,
    TenureReport, User,
)
from tests.conftest import PASSWORD_HASH, TODAY, make_app

D = dt.date
_letter_seq = count(1)
_credit = count(1)


# ---------------------------------------------------------------------------
# Builders of the hand-made city (shared with tests/test_dashboard.py)


def department(w, code, name, *, several=False, window=True, order=0):
    dept = w.create(Department, code=code, name=name, short_name=name.removeprefix("赤壁市"),
                    several_officers=several, has_window=window, sort_order=order)
    w.create(User, username=code, display_name=f"{code}经办人", role="department", department=dept,
             password_hash=PASSWORD_HASH)
    return dept


def item(w, dept, name, inclusion="纳入", reason=None, item_type="行政许可", officer=None, retired=False):
    seq = ServiceItem.select().where(ServiceItem.department == dept).count() + 1
    return w.create(ServiceItem, department=dept, seq=seq, item_name=name, sub_item_name=name, item_type=item_type,
                    inclusion=inclusion, reason=reason, reason_note="说明" if reason else "", officer=officer,
                    mode="终审" if inclusion == "纳入" else None, retired=retired)


def officer(w, dept, name, start, end=None):
    return w.create(Officer, department=dept, name=name, gender="男", term_start=start, term_end=end)


def letter(w, dept, off, items, state=rules.LETTER_ISSUED):
    seq = next(_letter_seq)
    let = w.create(Letter, number=rules.letter_number(2026, seq), year=2026, seq=seq, department=dept, officer=off,
                   state=state, issue_date=off.term_start)
    for i, it in enumerate(items):
        w.create(LetterItem, letter=let, item=it, mode="终审", label=it.label, seq=i)
        w.update(it, officer=off)
    return let


def item_list(w, dept, revision, year, state, submitted=None, published=False):
    return w.create(ItemList, department=dept, revision=revision, year=year, state=state, published=published,
                    submitted_at=dt.datetime.combine(submitted, dt.time(9)) if submitted else None)


def investor(w, dept):
    n = next(_credit)
    return w.create(Investor, department=dept, name=f"投资企业{n}", credit_code=f"{n:018d}")


def matter(w, dept, inv, status, promised=None, completed=None, visits=0, handling="窗口办"):
    return w.create(Matter, department=dept, investor=inv, project="项目", received_date=D(2026, 10, 1),
                    promised_date=promised, status=status, completed_date=completed, visits=visits,
                    handling=handling)


def evaluation(w, dept, level, deadline=None, answered=None):
    return w.create(Evaluation, department=dept, level=level, deadline=deadline,
                    answered_at=dt.datetime.combine(answered, dt.time(15)) if answered else None)


def document(w, dept, kind, replaced_by=None):
    return w.create(RuleDocument, department=dept, kind=kind, title=kind, doc_date=D(2026, 3, 1), filename="a.pdf",
                    content_type="application/pdf", size=4, sha256="0" * 64, data=b"%PDF", replaced_by=replaced_by)


class City:
    """The hand-made city of the module docstring."""


def build_city() -> City:
    c = City()
    Setting.set_value("system_start", "2026-01-01")
    with write(username="test") as w:
        c.gaj = gaj = department(w, "gaj", "赤壁市公安局", several=True, order=1)
        c.fgj = fgj = department(w, "fgj", "赤壁市发展和改革局", order=2)
        c.tjj = tjj = department(w, "tjj", "赤壁市统计局", window=False, order=3)

        # gaj
        a = [item(w, gaj, f"公安事项{i}", item_type=t) for i, t in
             enumerate(("行政许可", "行政许可", "行政许可", "公共服务"), start=1)]
        item(w, gaj, "公安事项5", "未纳入", "涉密", item_type="行政确认")
        a0 = officer(w, gaj, "甲零", D(2024, 5, 1), D(2024, 12, 31))
        a1 = officer(w, gaj, "甲一", D(2025, 1, 1))
        a2 = officer(w, gaj, "甲二", D(2025, 6, 1))
        letter(w, gaj, a0, [], state=rules.LETTER_ENDED)
        letter(w, gaj, a1, a[:2])
        letter(w, gaj, a2, a[2:])
        w.create(TenureReport, department=gaj, outgoing=a0, incoming=a1, effective_date=D(2025, 1, 1),
                 reason="工作调动", early=True, state=rules.REPORT_ACKNOWLEDGED)
        item_list(w, gaj, 1, 2026, rules.LIST_APPROVED, submitted=D(2026, 8, 1), published=True)
        inv = investor(w, gaj)
        m1 = matter(w, gaj, inv, rules.MATTER_DONE, D(2026, 11, 10), D(2026, 11, 8), visits=1, handling="网上办")
        m2 = matter(w, gaj, inv, rules.MATTER_DONE, D(2026, 11, 10), D(2026, 11, 12), visits=2)
        m3 = matter(w, gaj, inv, rules.MATTER_IN_PROGRESS, D(2026, 11, 20), handling="代办")
        matter(w, gaj, inv, rules.MATTER_RECEIVED, D(2026, 12, 5), handling="上门办")
        matter(w, gaj, inv, rules.MATTER_RETURNED, D(2026, 11, 1))
        for level in (5, 5, 4, 3):
            evaluation(w, gaj, level)
        evaluation(w, gaj, 1, deadline=D(2026, 11, 20), answered=D(2026, 11, 19))
        evaluation(w, gaj, 2, deadline=D(2026, 11, 10), answered=D(2026, 11, 12))
        document(w, gaj, "实施方案")
        document(w, gaj, "管理办法")

        # fgj
        b = [item(w, fgj, f"发改事项{i}") for i in (1, 2, 3)]
        item(w, fgj, "发改事项4", "待定", item_type="其他行政权力")
        item(w, fgj, "发改事项5", "未纳入", "其他", item_type="行政给付")
        item(w, fgj, "发改事项6（已废止）", "待定", retired=True)
        b1 = officer(w, fgj, "乙一", D(2025, 3, 1), D(2026, 3, 31))
        b2 = officer(w, fgj, "乙二", D(2026, 4, 3))
        letter(w, fgj, b1, [], state=rules.LETTER_ENDED)
        letter(w, fgj, b2, b[:2])
        w.update(b[2], officer=b2)  # assigned, but not in the letter: not authorised (rule 2)
        w.create(TenureReport, department=fgj, outgoing=b1, incoming=b2, effective_date=D(2026, 4, 1),
                 reason="", early=True, state=rules.REPORT_FILED)
        item_list(w, fgj, 1, 2025, rules.LIST_APPROVED, submitted=D(2025, 8, 1), published=True)
        item_list(w, fgj, 2, 2026, rules.LIST_APPROVED, submitted=D(2026, 8, 15), published=False)
        inv_b = investor(w, fgj)
        m6 = matter(w, fgj, inv_b, rules.MATTER_DONE, None, D(2026, 11, 1), visits=0)
        evaluation(w, fgj, 2, deadline=D(2026, 11, 20))
        evaluation(w, fgj, 1, deadline=D(2026, 11, 30))
        evaluation(w, fgj, 5)
        document(w, fgj, "实施方案")
        document(w, fgj, "监管工作机制")

        # tjj
        c_items = [item(w, tjj, f"统计事项{i}", item_type="行政确认") for i in (1, 2)]
        c1 = officer(w, tjj, "丙一", D(2025, 1, 1))
        officer(w, tjj, "丙二", D(2026, 6, 1))
        letter(w, tjj, c1, c_items)
        newer = document(w, tjj, "其他")
        document(w, tjj, "实施方案", replaced_by=newer)

        # joint matters
        j1 = w.create(JointMatter, lead=gaj, investor=inv, project="联办项目一", opened_on=D(2026, 11, 1))
        w.create(JointPart, joint=j1, department=gaj, deadline=D(2026, 11, 10), decision="同意")
        w.create(JointPart, joint=j1, department=fgj, deadline=D(2026, 11, 20))
        w.create(JointPart, joint=j1, department=tjj, deadline=D(2026, 12, 1), decision="补正")
        j2 = w.create(JointMatter, lead=fgj, investor=inv_b, project="联办项目二", opened_on=D(2026, 11, 20))
        w.create(JointPart, joint=j2, department=fgj, deadline=D(2026, 11, 25), decision="同意")
        w.create(JointPart, joint=j2, department=gaj, deadline=D(2026, 11, 25), decision="同意")
        w.update(j2, finished_on=D(2026, 11, 24))
        j3 = w.create(JointMatter, lead=tjj, investor=inv_b, project="联办项目三", opened_on=D(2026, 10, 1))
        w.create(JointPart, joint=j3, department=fgj, deadline=D(2026, 10, 10), decision="不同意")
        w.create(JointPart, joint=j3, department=gaj, deadline=D(2026, 10, 10))

        # oversight
        r1 = w.create(OversightReview, title="第三季度抽查", period_start=D(2026, 7, 1), period_end=D(2026, 9, 30),
                      rate=0.05, minimum=3, seed=1, deadline=D(2026, 11, 20))
        r2 = w.create(OversightReview, title="十月抽查", period_start=D(2026, 10, 1), period_end=D(2026, 10, 31),
                      rate=0.05, minimum=3, seed=2, deadline=D(2026, 12, 10))
        w.create(ReviewFinding, review=r1, department=gaj, matter=m1, finding="规范")
        w.create(ReviewFinding, review=r1, department=gaj, matter=m2, finding="需整改", requirement="补材料",
                 answer="已补", answered_on=D(2026, 11, 18))
        w.create(ReviewFinding, review=r2, department=gaj, matter=m3, finding="需整改", requirement="补材料")
        w.create(ReviewFinding, review=r1, department=fgj, matter=m6, finding="需整改", requirement="补材料")
    return c


@pytest.fixture
def city(app):
    build_city()
    figures = metrics.compute(TODAY)
    figures.by_code = {d.code: d for d in figures.departments}
    return figures


# ---------------------------------------------------------------------------
# Each figure


def test_items_and_inclusion_rate(city):
    gaj, fgj, tjj = (city.by_code[c] for c in ("gaj", "fgj", "tjj"))
    assert (gaj.items["total"], gaj.items["included"], gaj.items["exempt"], gaj.inclusion_rate) == (5, 4, 1, 1.0)
    assert gaj.items["by_reason"]["涉密"] == 1
    assert (fgj.items["total"], fgj.items["included"], fgj.items["pending"], fgj.items["other"]) == (5, 3, 1, 1)
    assert fgj.inclusion_rate == pytest.approx(0.6)
    assert tjj.inclusion_rate == 1.0
    assert gaj.types == {"行政许可": 3, "公共服务": 1, "行政确认": 1}
    assert fgj.types == {"行政许可": 3, "其他行政权力": 1, "行政给付": 1}  # the retired item is not counted
    t = city.totals
    assert (t["items"], t["included"], t["excluded"], t["pending"], t["exempt"]) == (12, 9, 2, 1, 1)
    assert t["by_reason"] == {"涉密": 1, "涉及重大公共安全": 0, "涉及公民生命财产安全": 0, "其他": 1}
    assert t["inclusion_rate"] == pytest.approx(9 / 11)


def test_officers_gap_days_and_unassigned_items(city):
    gaj, fgj, tjj = (city.by_code[c] for c in ("gaj", "fgj", "tjj"))
    assert (gaj.serving, gaj.authorised, gaj.gap_days, gaj.unassigned) == (2, 2, 0, 0)
    assert (fgj.serving, fgj.authorised, fgj.gap_days, fgj.gap_days_year, fgj.unassigned) == (1, 1, 2, 2, 1)
    assert (tjj.serving, tjj.authorised, tjj.gap_days, tjj.unassigned) == (2, 1, None, 0)
    assert (gaj.changes, gaj.early_changes, gaj.early_unexplained, gaj.reports_open) == (1, 1, 0, 0)
    assert (fgj.changes, fgj.early_changes, fgj.early_unexplained, fgj.reports_open, fgj.reports_filed) == (1, 1, 1, 1, 1)
    assert not tjj.changed
    t = city.totals
    assert (t["serving"], t["authorised"], t["gap_days_year"], t["reports_open"], t["unassigned"]) == (5, 4, 2, 1, 1)


def test_lists_on_time_and_published(city):
    gaj, fgj, tjj = (city.by_code[c] for c in ("gaj", "fgj", "tjj"))
    assert (gaj.list_on_time, gaj.published, gaj.list_state) == (True, True, "已通过")
    assert (fgj.list_on_time, fgj.published, fgj.list_submitted_on) == (False, False, D(2026, 8, 15))
    assert (tjj.list_on_time, tjj.published, tjj.list_state) == (False, False, None)
    assert (city.totals["lists_on_time"], city.totals["lists_late"], city.totals["published"]) == (1, 2, 1)


def test_ledger_figures_agree_with_the_rule_function(city):
    gaj, fgj, tjj = (city.by_code[c] for c in ("gaj", "fgj", "tjj"))
    assert {k: gaj.ledger[k] for k in ("total", "open", "overdue", "done", "proxy", "onsite")} == \
        {"total": 5, "open": 2, "overdue": 1, "done": 2, "proxy": 1, "onsite": 1}
    assert (gaj.ledger["on_time_rate"], gaj.ledger["one_visit_rate"], gaj.ledger["online_rate"]) == (0.5, 0.5, 0.2)
    assert (fgj.ledger["on_time_rate"], fgj.ledger["one_visit_rate"]) == (None, 1.0)
    assert tjj.ledger["on_time_rate"] is None and tjj.ledger["total"] == 0
    # The SQL aggregates give what rules.ledger_figures gives on the same rows.
    for d in (gaj, fgj, tjj):
        rows = [{"status": m.status, "promised": m.promised_date, "completed": m.completed_date, "visits": m.visits,
                 "handling": m.handling} for m in Matter.select().where(Matter.department == d.id)]
        expected = rules.ledger_figures(rows, TODAY)
        assert {k: d.ledger[k] for k in expected} == expected
    t = city.totals
    assert (t["ledger_open"], t["ledger_overdue"], t["on_time_rate"]) == (2, 1, 0.5)
    assert t["one_visit_rate"] == pytest.approx(2 / 3)
    assert t["online_rate"] == pytest.approx(1 / 6)


def test_evaluations_satisfaction_and_bad_reviews(city):
    gaj, fgj = city.by_code["gaj"], city.by_code["fgj"]
    assert (gaj.satisfaction_rate, gaj.bad, gaj.bad_open, gaj.bad_late) == (0.5, 2, 0, 1)
    assert gaj.satisfaction_rate == rules.satisfaction_rate([5, 5, 4, 3, 1, 2])
    assert fgj.satisfaction_rate == pytest.approx(1 / 3)
    assert (fgj.bad, fgj.bad_open, fgj.bad_late) == (2, 2, 1)
    t = city.totals
    assert t["satisfaction_rate"] == pytest.approx(4 / 9)
    assert (t["bad_open"], t["bad_late"]) == (2, 2)


def test_joint_matters_open_and_late_and_where(city):
    gaj, fgj, tjj = (city.by_code[c] for c in ("gaj", "fgj", "tjj"))
    assert (gaj.joint_waiting, fgj.joint_waiting, fgj.joint_late, tjj.joint_waiting, tjj.joint_late) == (0, 1, 1, 0, 0)
    assert (city.totals["joint_open"], city.totals["joint_late"]) == (1, 1)
    assert city.joint_late_departments == [("fgj", "赤壁市发展和改革局", 1)]


def test_rule_documents_and_oversight_findings(city):
    gaj, fgj, tjj = (city.by_code[c] for c in ("gaj", "fgj", "tjj"))
    assert (gaj.documents_missing, fgj.documents_missing, tjj.documents_missing) == ((), ("管理办法",), ("实施方案", "管理办法"))
    assert (gaj.findings_fix, gaj.findings_open, gaj.findings_late) == (2, 2, 0)
    assert (fgj.findings_fix, fgj.findings_open, fgj.findings_late) == (1, 1, 1)
    assert tjj.findings_fix == 0
    assert (city.totals["documents_missing"], city.totals["findings_open"], city.totals["findings_late"]) == (2, 3, 1)


def test_rule_verdicts_compliance_rates_and_ranking(city):
    M, N, X = metrics.MET, metrics.NOT_MET, metrics.NA
    gaj, fgj, tjj = (city.by_code[c] for c in ("gaj", "fgj", "tjj"))
    assert [gaj.verdicts[n] for n in range(1, 11)] == [M, M, X, M, M, M, M, M, M, M]
    assert [fgj.verdicts[n] for n in range(1, 11)] == [N, N, M, N, N, N, N, N, N, N]
    assert [tjj.verdicts[n] for n in range(1, 11)] == [M, M, N, X, X, X, N, N, N, X]
    assert (gaj.met, gaj.applicable, gaj.compliance_rate) == (9, 9, 1.0)
    assert (fgj.met, fgj.applicable, fgj.compliance_rate) == (1, 10, 0.1)
    assert (tjj.met, tjj.applicable) == (2, 6) and tjj.compliance_rate == pytest.approx(1 / 3)
    assert [(d.code, d.rank) for d in city.departments] == [("gaj", 1), ("tjj", 2), ("fgj", 3)]
    t = city.totals
    assert t["compliant_departments"] == 1
    assert t["compliance_rate"] == pytest.approx((1.0 + 0.1 + 1 / 3) / 3)
    assert t["rules_failing"] == {1: 1, 2: 1, 3: 1, 4: 1, 5: 1, 6: 1, 7: 2, 8: 2, 9: 2, 10: 1}
    # Every failing rule explains itself in Chinese.
    assert metrics.RULES_BY_NUMBER[5].detail(fgj) == "制度实施以来断档2天"
    assert metrics.RULES_BY_NUMBER[9].detail(tjj) == "缺少实施方案、管理办法"
    assert "待确认" in metrics.RULES_BY_NUMBER[6].detail(fgj)


def test_average_row_pools_rates_and_averages_counts(city):
    avg = city.average
    assert avg["items"] == 4.0  # 12 items over 3 departments
    assert avg["inclusion_rate"] == pytest.approx(9 / 11)
    assert avg["list_state"] is None


# ---------------------------------------------------------------------------
# Applicability of the rules, on plain figures


def figures(**changes) -> metrics.DepartmentFigures:
    d = metrics.DepartmentFigures(id=1, code="x", name="赤壁市某局", short_name="某局", sort_order=1,
                                  has_window=True, several_officers=False)
    for key, value in changes.items():
        setattr(d, key, value)
    metrics.apply_rules(d)
    return d


def test_a_department_without_a_window_is_not_judged_on_gaps():
    assert figures(has_window=False, gap_days=None).verdicts[5] == metrics.NA
    assert figures(has_window=True, gap_days=3).verdicts[5] == metrics.NOT_MET
    assert figures(has_window=True, gap_days=0).verdicts[5] == metrics.MET


def test_a_department_allowed_several_officers_is_not_judged_on_their_number():
    assert figures(several_officers=True, serving=3).verdicts[3] == metrics.NA
    assert figures(several_officers=False, serving=2).verdicts[3] == metrics.NOT_MET
    assert figures(several_officers=False, serving=1).verdicts[3] == metrics.MET


def test_rules_that_wait_for_something_to_happen():
    d = figures()
    # no change ever, no finding to put right, before the deadline with nothing submitted
    assert (d.verdicts[4], d.verdicts[6], d.verdicts[10], d.verdicts[7]) == (metrics.NA,) * 4
    # no 纳入 item: nothing to authorise; no item at all: the list is not made
    assert d.verdicts[2] == metrics.NA and d.verdicts[1] == metrics.NOT_MET
    everything_exempt = rules.count_inclusion([("未纳入", "涉密")] * 2)
    assert figures(items=everything_exempt).verdicts[1] == metrics.MET
    assert figures(reports=1, reports_open=1).verdicts[6] == metrics.NOT_MET
    assert figures(findings_fix=2, findings_late=0).verdicts[10] == metrics.MET


def test_compliance_rate_is_met_over_applicable():
    d = figures(has_window=False, several_officers=True, items=rules.count_inclusion([("纳入", None)]),
                unassigned=0, published=True, documents_missing=())
    # applicable: 1, 2, 8, 9 — all met
    assert (d.met, d.applicable, d.compliance_rate, d.compliant) == (4, 4, 1.0, True)


# ---------------------------------------------------------------------------
# Ranking ties


def ranked(*rows):
    out = []
    for i, (compliance, inclusion) in enumerate(rows, start=1):
        d = metrics.DepartmentFigures(id=i, code=f"d{i}", name=f"部门{i}", short_name="", sort_order=10 - i,
                                      has_window=True, several_officers=False)
        d.compliance_rate = compliance
        d.items = dict(d.items, rate=inclusion)
        out.append(d)
    return metrics.rank(out)


def test_ties_share_a_rank_and_the_next_rank_skips():
    result = ranked((0.9, 1.0), (1.0, 0.8), (0.9, 1.0), (0.9, 0.5), (7 / 9, None))
    assert [(d.code, d.rank) for d in result] == [("d2", 1), ("d3", 2), ("d1", 2), ("d4", 4), ("d5", 5)]


def test_equal_rates_computed_differently_still_tie():
    result = ranked((2 / 3, 1.0), (4 / 6, 1.0), (None, None), (None, None))
    assert [d.rank for d in result] == [1, 1, 3, 3]


def test_inclusion_rate_breaks_a_compliance_tie():
    result = ranked((0.5, 0.9), (0.5, 0.95))
    assert [(d.code, d.rank) for d in result] == [("d2", 1), ("d1", 2)]


# ---------------------------------------------------------------------------
# Cost: a constant number of queries, once per data version


class QueryCounter:
    """Counts the SQL statements executed through the database while active."""

    def __init__(self):
        self.statements = []

    def __enter__(self):
        self.database = db.obj
        self.original = self.database.execute_sql

        def spy(sql, params=None, *args, **kwargs):
            self.statements.append(sql)
            return self.original(sql, params, *args, **kwargs)

        self.database.execute_sql = spy
        return self

    def __exit__(self, *exc):
        self.database.execute_sql = self.original

    def __len__(self):
        return len(self.statements)


def populate(n: int) -> None:
    """n departments, each with items, officers, a letter, a list, matters, evaluations, a joint part,
    documents and a finding, in one transaction."""
    Setting.set_value("system_start", "2026-01-01")
    with write(username="test") as w:
        review = w.create(OversightReview, title="抽查", period_start=D(2026, 1, 1), period_end=D(2026, 9, 30),
                          rate=0.05, minimum=3, seed=1, deadline=D(2026, 11, 20))
        lead = None
        for i in range(n):
            dept = department(w, f"d{i}", f"赤壁市第{i}局", several=i % 3 == 0, window=i % 5 != 0, order=i)
            items = [item(w, dept, f"事项{i}-{k}") for k in range(3)]
            item(w, dept, f"事项{i}-x", "待定")
            off = officer(w, dept, f"官{i}", D(2025, 1, 1) if i % 2 else D(2026, 2, 1))
            letter(w, dept, off, items[:2])
            item_list(w, dept, 1, 2026, rules.LIST_APPROVED, submitted=D(2026, 8, 1 + i % 20), published=i % 2 == 0)
            inv = investor(w, dept)
            m = matter(w, dept, inv, rules.MATTER_DONE, D(2026, 11, 1), D(2026, 11, 2), visits=1)
            matter(w, dept, inv, rules.MATTER_IN_PROGRESS, D(2026, 11, 20))
            evaluation(w, dept, 2, deadline=D(2026, 11, 20))
            evaluation(w, dept, 5)
            document(w, dept, "实施方案")
            w.create(ReviewFinding, review=review, department=dept, matter=m, finding="需整改", requirement="改")
            if lead is None:
                lead = w.create(JointMatter, lead=dept, investor=inv, project="联办", opened_on=D(2026, 11, 1))
            w.create(JointPart, joint=lead, department=dept, deadline=D(2026, 11, 20))


def queries_for(tmp_path, n: int) -> int:
    app = make_app(tmp_path / f"city{n}")
    with app.app_context():
        populate(n)
        with QueryCounter() as counter:
            result = metrics.compute(TODAY)
        assert len(result.departments) == n
    db.close()
    return len(counter)


def test_the_number_of_queries_does_not_grow_with_the_departments(tmp_path):
    assert queries_for(tmp_path, 3) == queries_for(tmp_path, 60)


def test_figures_are_computed_once_per_data_version(app, world, monkeypatch):
    calls = []
    original = metrics.compute
    monkeypatch.setattr(metrics, "compute", lambda today, version=None: calls.append(version) or original(today, version))
    with app.app_context():
        first = metrics.city_figures(TODAY)
        assert metrics.city_figures(TODAY) is first
        assert len(calls) == 1
        world.item(world.gaj, "新事项")  # a write moves the data version
        second = metrics.city_figures(TODAY)
        assert second is not first and len(calls) == 2
        assert second.totals["items"] == first.totals["items"] + 1
        metrics.city_figures(TODAY + dt.timedelta(days=1))  # a new day recomputes (overdue moves with it)
        assert len(calls) == 3


# ---------------------------------------------------------------------------
# Daily snapshots


def test_take_snapshot_keeps_the_city_totals_and_replaces_only_when_asked(app, world):
    with app.app_context():
        assert snapshots.take_snapshot(TODAY) is True
        row = DailySnapshot.get(DailySnapshot.day == TODAY)
        assert '"departments": 2' in row.figures
        world.item(world.gaj, "新事项")
        assert snapshots.take_snapshot(TODAY) is False  # the day's snapshot is kept …
        assert '"items": 0' in DailySnapshot.get(DailySnapshot.day == TODAY).figures
        assert snapshots.take_snapshot(TODAY, replace=True) is True  # … unless replaced (the CLI)
        assert '"items": 1' in DailySnapshot.get(DailySnapshot.day == TODAY).figures
        assert DailySnapshot.select().count() == 1


def test_the_trend_reads_past_snapshots_and_ends_with_today(app, world):
    with app.app_context():
        with write(username="test") as w:
            w.create(DailySnapshot, day=TODAY - dt.timedelta(days=2),
                     figures='{"compliance_rate": 0.25, "inclusion_rate": 0.5}')
            w.create(DailySnapshot, day=TODAY - dt.timedelta(days=200), figures='{"compliance_rate": 0.1}')
        trend = metrics.compute(TODAY).trend
        assert trend[0] == (TODAY - dt.timedelta(days=2), 0.25, 0.5)
        assert trend[-1][0] == TODAY and len(trend) == 2


def test_demo_snapshots_rise_towards_today(app, world):
    import random

    from portal.demo import Context
    from portal.demo.snapshots import seed

    with app.app_context():
        world.item(world.gaj, "一")
        world.item(world.gaj, "二", inclusion="待定")
        with write(username="演示数据") as w:
            seed(Context(writer=w, today=TODAY, rng=random.Random(1)))
        trend = metrics.compute(TODAY).trend
    assert len(trend) == 91
    first, last = trend[0][2], trend[-1][2]
    assert first < trend[-2][2] <= last + 0.02 and last == 0.5
