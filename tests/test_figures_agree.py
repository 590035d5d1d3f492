"""Every figure has one meaning: the rule of portal/rules.py over plain rows, and the query forms that
count it in SQL (the dashboard's portal.metrics, and the area pages' own: Matter.ledger_figures and
Matter.overdue_condition of the ledger page and reminders, Evaluation.late_condition of the evaluations
page, the officers' coverage, the list page's counts …) agree on every department of random cities.

One app for all the examples; each example empties the tables (cheap) and builds a small city.
"""
from __future__ import annotations

import dataclasses
import re
import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal import metrics, rules
from portal.audit import write
from portal.items.service import counts as list_counts, departments_overview
from portal.ledger.service import department_summary
from portal.models import (
    ALL_MODELS,
    DataVersion,
    Department,
    Evaluation,
    Investor,
    ItemList,
    JointMatter,
    JointPart,
    Letter,
    LetterItem,
    Matter,
    Officer,
    OversightReview,
    ReviewFinding,
    ServiceItem,
    Setting,
    TenureReport,
    User,
)
from portal.officers import coverage
from tests.conftest import TODAY

D = dt.timedelta
SINCE = dt.date(2026, 1, 1)  # the system's start in every example

offset = st.integers(-60, 40)  # days from today
maybe_offset = st.none() | offset

item_st = st.tuples(st.sampled_from(rules.INCLUSIONS), st.none() | st.sampled_from(rules.REASONS), st.booleans())
officer_st = st.tuples(st.integers(0, 700), st.none() | st.integers(0, 500), st.booleans())  # start back, length, letter
report_st = st.tuples(st.sampled_from(rules.REPORT_STATES), st.booleans(), st.booleans())  # state, reason, early
list_st = st.tuples(st.sampled_from((TODAY.year - 1, TODAY.year)), st.sampled_from(rules.LIST_STATES),
                    st.none() | st.integers(-200, 0), st.booleans())
matter_st = st.tuples(st.sampled_from(rules.MATTER_STATES), maybe_offset, maybe_offset, st.integers(0, 3),
                      st.sampled_from(rules.HANDLINGS))
evaluation_st = st.tuples(st.integers(1, 5), maybe_offset, maybe_offset)  # level, deadline, answered
finding_st = st.tuples(st.sampled_from(rules.FINDINGS), maybe_offset, st.booleans())  # finding, answered, closed
department_st = st.fixed_dictionaries({
    "window": st.booleans(), "several": st.booleans(),
    "items": st.lists(item_st, max_size=6), "officers": st.lists(officer_st, max_size=3),
    "reports": st.lists(report_st, max_size=2), "lists": st.lists(list_st, max_size=3),
    "matters": st.lists(matter_st, max_size=6), "evaluations": st.lists(evaluation_st, max_size=6),
    "findings": st.lists(finding_st, max_size=3),
})
joint_st = st.lists(st.tuples(st.integers(0, 2), st.none() | st.sampled_from(rules.SIGN_DECISIONS), offset),
                    min_size=1, max_size=3)  # parts: (department index, decision, deadline)
city_st = st.fixed_dictionaries({
    "departments": st.lists(department_st, min_size=1, max_size=3),
    "review_deadline": offset, "joint": st.lists(joint_st, max_size=2),
})


def empty_tables() -> None:
    """A fresh city in the same database: every domain table emptied, children first."""
    keep = {"data_version"}
    for model in reversed(ALL_MODELS):
        if model._meta.table_name not in keep:
            model.delete().execute()


def build(city: dict) -> list[Department]:
    Setting.set_value("system_start", SINCE.isoformat())
    seq = 0
    with write(username="test") as w:
        review = w.create(OversightReview, title="抽查", period_start=SINCE, period_end=TODAY, rate=0.05,
                          minimum=1, seed=1, deadline=TODAY + D(city["review_deadline"]))
        departments = []
        for n, spec in enumerate(city["departments"]):
            dept = w.create(Department, code=f"d{n}", name=f"赤壁市第{n}局", has_window=spec["window"],
                            several_officers=spec["several"], sort_order=n)
            departments.append(dept)
            w.create(User, username=f"d{n}", role="department", department=dept, password_hash="x")
            officers = []
            for back, length, with_letter in spec["officers"]:
                start = TODAY - D(back)
                officers.append((w.create(Officer, department=dept, name=f"官{len(officers)}", gender="男",
                                          term_start=start, term_end=None if length is None else start + D(length)),
                                 with_letter))
            items = []
            for k, (inclusion, reason, retired) in enumerate(spec["items"]):
                if inclusion != rules.EXCLUDED:
                    reason = None
                officer = officers[k % len(officers)][0] if officers and inclusion == rules.INCLUDED else None
                items.append(w.create(ServiceItem, department=dept, seq=k, item_name=f"事项{k}", sub_item_name=f"事项{k}",
                                      item_type="行政许可", inclusion=inclusion, reason=reason, officer=officer,
                                      mode=rules.FINAL if inclusion == rules.INCLUDED else None, retired=retired))
            for k, (officer, with_letter) in enumerate(officers):
                if with_letter:
                    seq += 1
                    letter = w.create(Letter, number=rules.letter_number(2026, seq), year=2026, seq=seq,
                                      department=dept, officer=officer, state=rules.LETTER_ISSUED,
                                      issue_date=officer.term_start)
                    for item in items[k::2]:  # some of the items, not necessarily the officer's own
                        w.create(LetterItem, letter=letter, item=item, mode=rules.FINAL, label=item.label)
            for k, (state, reason, early) in enumerate(spec["reports"]):
                outgoing = officers[k][0] if k < len(officers) else None
                w.create(TenureReport, department=dept, outgoing=outgoing, effective_date=TODAY - D(30),
                         reason="调动" if reason else "", early=early, state=state)
            submitted = TODAY - D(300)
            for revision, (year, state, back, published) in enumerate(spec["lists"], start=1):
                # Revisions are submitted one after the other.
                at = None
                if back is not None:
                    submitted = max(submitted, TODAY + D(back))
                    at = dt.datetime.combine(submitted, dt.time(9))
                w.create(ItemList, department=dept, revision=revision, year=year, state=state, submitted_at=at,
                         published=published and state == rules.LIST_APPROVED)
            investor = w.create(Investor, department=dept, name="企业", credit_code=f"{n:018d}")
            matters = []
            for status, promised, completed, visits, handling in spec["matters"]:
                matters.append(w.create(
                    Matter, department=dept, investor=investor, project="项目", received_date=TODAY - D(90),
                    promised_date=None if promised is None else TODAY + D(promised), status=status,
                    completed_date=None if completed is None else TODAY + D(min(completed, 0)),
                    visits=visits, handling=handling))
            for level, deadline, answered in spec["evaluations"]:
                w.create(Evaluation, department=dept, level=level,
                         deadline=None if deadline is None else TODAY + D(deadline),
                         answered_at=None if answered is None or level > 2
                         else dt.datetime.combine(TODAY + D(min(answered, 0)), dt.time(15)))
            for matter, (finding, answered, closed) in zip(matters, spec["findings"]):
                w.create(ReviewFinding, review=review, department=dept, matter=matter, finding=finding,
                         answered_on=None if answered is None else TODAY + D(min(answered, 0)),
                         closed=closed and answered is not None)
        for parts in city["joint"]:
            by_dept = {}
            for index, decision, deadline in parts:
                if index < len(departments):
                    by_dept.setdefault(departments[index].id, (decision, deadline))
            if not by_dept:
                continue
            lead = departments[0]
            done = all(decision == rules.SIGN_AGREE for decision, _ in by_dept.values())
            joint = w.create(JointMatter, lead=lead, investor=Investor.get(Investor.department == lead),
                             project="联办", opened_on=TODAY - D(30), finished_on=TODAY - D(1) if done else None)
            for dept_id, (decision, deadline) in by_dept.items():
                w.create(JointPart, joint=joint, department=dept_id, deadline=TODAY + D(deadline), decision=decision)
    return departments


def plain(model, department) -> list[dict]:
    """The department's records as plain rows, the rules' input."""
    return list(model.select().where(model.department == department).dicts())


def rule_figures(dept: Department) -> dict:
    """Each figure of the department from the rules of portal/rules.py over its plain rows."""
    items = [r for r in plain(ServiceItem, dept) if not r["retired"]]
    terms = [rules.Term(r["term_start"], r["term_end"]) for r in plain(Officer, dept)]
    matters = [{"status": r["status"], "promised": r["promised_date"], "completed": r["completed_date"],
                "visits": r["visits"], "handling": r["handling"]} for r in plain(Matter, dept)]
    evaluations = plain(Evaluation, dept)
    bad = [e for e in evaluations if rules.is_bad_review(e["level"])]
    submissions = [(r["submitted_at"].date(), r["state"]) for r in plain(ItemList, dept)
                   if r["year"] == TODAY.year and r["submitted_at"] is not None]
    deadline = OversightReview.select().get().deadline
    findings = [f for f in plain(ReviewFinding, dept) if f["finding"] == rules.FINDING_FIX]
    open_joint = {p.joint_id for p in JointPart.select().join(JointMatter).where(JointMatter.finished_on.is_null())}
    stopped = {p.joint_id for p in JointPart.select() if p.decision == rules.SIGN_DISAGREE}
    waiting = [p for p in JointPart.select().where(JointPart.department == dept)
               if p.joint_id in open_joint - stopped and p.decision is None]
    return {
        "items": rules.count_inclusion((r["inclusion"], r["reason"]) for r in items),
        "gap_days": rules.gap_day_count(terms, SINCE, TODAY) if dept.has_window else None,
        "ledger": rules.ledger_figures(matters, TODAY),
        "satisfaction_rate": rules.satisfaction_rate([e["level"] for e in evaluations]),
        "evaluations": len(evaluations), "bad": len(bad),
        "bad_open": sum(e["answered_at"] is None for e in bad),
        "bad_late": sum(e["deadline"] is not None and rules.answer_late(
            e["deadline"], e["answered_at"].date() if e["answered_at"] else None, TODAY) for e in bad),
        "reports_open": sum(rules.report_open(r["state"]) for r in plain(TenureReport, dept)),
        "list_on_time": rules.submitted_on_time(rules.year_submission_day(submissions),
                                                Setting.list_deadline(TODAY.year), TODAY),
        "list_days_late": rules.list_days_late(rules.year_submission_day(submissions),
                                               Setting.list_deadline(TODAY.year), TODAY),
        "findings_fix": len(findings),
        "findings_late": sum(rules.answer_late(deadline, f["answered_on"], TODAY) for f in findings),
        "joint_waiting": len(waiting),
        "joint_late": sum(TODAY > p.deadline for p in waiting),
    }


def page_figures(dept: Department, today: dt.date) -> dict:
    """The same figures as the department's pages, reminders and exports count them (their query forms)."""
    mine = Matter.select().where(Matter.department == dept)
    evaluations = department_summary(today, dept)[0]
    row = next(r for r in coverage.city_rows(today) if r.department.id == dept.id)
    overview = next(o for o in departments_overview(today.year, today) if o["department"].id == dept.id)
    findings = (ReviewFinding.select().join(OversightReview)
                .where((ReviewFinding.department == dept) & ReviewFinding.late_condition(today)))
    return {
        "items": {k: v for k, v in list_counts(dept, today).items() if k != "unassigned"},
        "overview_items": overview["figures"],
        "gap_days": coverage.gaps(list(Officer.select().where(Officer.department == dept)), SINCE, today)[1]
        if dept.has_window else None,
        "overview_gap_days": row.gap_days if dept.has_window else None,
        "ledger": Matter.ledger_figures(today, mine),
        "overdue_filter": mine.where(Matter.overdue_condition(today)).count(),  # ?status=overdue, reminders
        "satisfaction_rate": evaluations["rate"], "evaluations": evaluations["total"], "bad": evaluations["bad"],
        "bad_open": evaluations["open"], "bad_late": evaluations["late"],
        "reports_open": row.open_reports,
        "list_on_time": overview["on_time"], "list_days_late": overview["days_late"],
        "findings_late": findings.count(),
        "joint_late": JointPart.select().where((JointPart.department == dept) & JointPart.late_condition(today)).count(),
    }


@pytest.fixture
def one_app(app):
    with app.app_context():
        yield app


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(city=city_st)
def test_rules_and_query_forms_agree_on_every_department(one_app, city):
    empty_tables()
    departments = build(city)
    computed = metrics.compute(TODAY)
    assert len(computed.departments) == len(departments)
    for dept in departments:
        d = computed.department(dept.id)
        want = rule_figures(dept)
        pages = page_figures(dept, TODAY)
        where = f"department {dept.code} of {city}"
        # 纳入率 (rule 1): the dashboard, the list page and the office's overview of the lists
        assert d.items == want["items"] == pages["items"] == pages["overview_items"], where
        # 断档天数 (rule 5): the dashboard, the officers page and timeline, the office's overview
        assert d.gap_days == want["gap_days"] == pages["gap_days"] == pages["overview_gap_days"], where
        # 逾期, 按时办结率, 最多跑一次率, 网上办率 …: the dashboard, the ledger page's figures and filter
        assert d.ledger == want["ledger"] == pages["ledger"], where
        assert d.ledger["overdue"] == pages["overdue_filter"], where
        # 满意率 and 差评: the dashboard and the evaluations page
        for key in ("satisfaction_rate", "evaluations", "bad", "bad_open", "bad_late"):
            assert getattr(d, key) == want[key] == pages[key], (key, where)
        # 未确认的调整报告 (rule 6), 清单按时报送 (rule 7), 整改逾期 (rule 10), 会签逾期
        assert d.reports_open == want["reports_open"] == pages["reports_open"], where
        assert d.list_on_time == want["list_on_time"] == pages["list_on_time"], where
        assert d.list_days_late == want["list_days_late"] == pages["list_days_late"], where
        assert d.findings_fix == want["findings_fix"], where
        assert d.findings_late == want["findings_late"] == pages["findings_late"], where
        assert d.joint_waiting == want["joint_waiting"], where
        assert d.joint_late == want["joint_late"] == pages["joint_late"], where
        # 合规率: the rules judged on the rules' own figures give the dashboard's verdicts and rate
        expected = dataclasses.replace(
            d, items=want["items"], gap_days=want["gap_days"], ledger=want["ledger"],
            reports_open=want["reports_open"], list_on_time=want["list_on_time"],
            findings_fix=want["findings_fix"], findings_late=want["findings_late"], verdicts={})
        metrics.apply_rules(expected)
        assert (expected.verdicts, expected.compliance_rate) == (d.verdicts, d.compliance_rate), where
        assert d.compliance_rate == rules.compliance_rate(
            None if v == metrics.NA else v == metrics.MET for v in d.verdicts.values())
    # The city's rates pool its departments' rows (not averages of rates).
    t = computed.totals
    everything = [(r.inclusion, r.reason) for r in ServiceItem.select().where(ServiceItem.retired == False)]  # noqa: E712
    assert t["inclusion_rate"] == rules.count_inclusion(everything)["rate"]
    city_ledger = rules.ledger_figures([{"status": r["status"], "promised": r["promised"], "completed": r["completed"],
                                         "visits": r["visits"], "handling": r["handling"]}
                                        for r in Matter.figure_rows()], TODAY)
    assert city_ledger == Matter.ledger_figures(TODAY)
    for key in ("on_time_rate", "one_visit_rate", "online_rate"):
        assert t[key] == city_ledger[key]
    assert (t["ledger_overdue"], t["ledger_open"]) == (city_ledger["overdue"], city_ledger["open"])
    assert t["satisfaction_rate"] == rules.satisfaction_rate([e.level for e in Evaluation.select()])
    assert DataVersion.current() > 0


# ---------------------------------------------------------------------------
# The demo city: what a department's own pages show is what the office's dashboard shows for it

# A figure's element carries data-figure="<key>"; what it shows is its first .value.
FIGURE = re.compile(r'data-figure="([a-z_]+)"[^>]*>.*?<span class="value">(.*?)</span>', re.S)


def shown(html: str) -> str:
    """A figure as shown: its text without tags, units or spaces (— for none)."""
    text = re.sub(r"<[^>]+>", "", html)
    return re.sub(r"\s|天", "", text)


def page_figures_shown(client, paths) -> dict[str, str]:
    out = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        for key, value in FIGURE.findall(response.get_data(as_text=True)):
            assert key not in out, f"{key} shown twice"
            out[key] = shown(value)
    return out


def test_a_departments_pages_and_the_dashboard_show_the_same_figures(app):
    from portal.demo import DEMO_PASSWORD, load_demo
    from tests.test_dashboard import cell, row

    with app.app_context():
        load_demo()
        city = {d.code: d for d in metrics.compute(TODAY).departments}
    office = app.test_client()
    assert office.post("/login", data={"username": "office", "password": DEMO_PASSWORD}).status_code == 302
    # Every page of the ranking table (it shows a page of departments at a time).
    dashboard, number = "", 1
    while True:
        page = office.get(f"/dashboard/?cols=全部&page={number}").get_data(as_text=True)
        dashboard += page
        if 'rel="next"' not in page:
            break
        number += 1
    assert number > 1  # the demo city has more departments than one page holds
    compared = set()
    for code, d in city.items():
        client = app.test_client()
        assert client.post("/login", data={"username": code, "password": DEMO_PASSWORD}).status_code == 302
        pages = page_figures_shown(client, ("/items/", "/officers/", "/ledger/", "/ledger/evaluations"))
        assert {"inclusion_rate", "gap_days", "ledger_overdue", "satisfaction_rate"} <= set(pages)
        on_dashboard = {c.key: shown(cell(row(dashboard, code), c.key)) for c in metrics.COLUMNS}
        # Figures of the pages that the table shows differently, from the same department figures.
        on_dashboard.update(unauthorised=str(int(on_dashboard["serving"]) - int(on_dashboard["authorised"])),
                            excluded=str(d.items["excluded"]), ledger_total=str(d.ledger["total"]),
                            evaluations=str(d.evaluations), bad=str(d.bad))
        for key, value in pages.items():
            assert value == on_dashboard[key], f"{code} {key}: the department's page shows {value}, " \
                                               f"the dashboard {on_dashboard[key]}"
            compared.add(key)
    assert len(compared) >= 20
