"""Every figure of the office's dashboard (看板), computed once, and the compliance rules as data.

`compute(today)` reads the whole city with a fixed number of aggregate queries (grouped by
department, never one query per department), one section of the dashboard at a time (SECTIONS), and
returns a `City`: one `DepartmentFigures` per active department, the city totals (each column of
COLUMNS says how it adds up over the city), the ranking for the assessment (考核排名) and the trend of
the daily snapshots. `city_figures(today)` remembers that result in the process per data version
(portal/cache.py) and day, so that a hundred viewers polling the dashboard cost one computation.

Each figure's meaning is a rule of portal/rules.py; where the figure is counted in SQL, it is through
that rule's one query form on its model (Matter.ledger_counts, Evaluation.satisfied …), the same the
area pages use. The compliance rules (rules 1–10 of DESIGN.md) are the list `RULES`: each has a Chinese
name, an applicability test and a check, both taking a department's figures.

This module only reads: the daily snapshot, which is written, lives in portal/snapshots.py.
"""
from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import groupby, repeat
from typing import Any, Callable

from peewee import fn

from . import cache, clock, rules
from .models import (
    DailySnapshot,
    DataVersion,
    Department,
    Evaluation,
    ItemList,
    JointMatter,
    JointPart,
    Letter,
    Matter,
    Officer,
    OversightReview,
    ReviewFinding,
    RuleDocument,
    ServiceItem,
    Setting,
    TenureReport,
    count_if,
)

TREND_DAYS = 90  # how far back the compliance trend (合规率走势) reaches

# Verdicts of a rule for one department.
MET, NOT_MET, NA = "met", "not_met", "na"
VERDICT_LABELS = {MET: "达标", NOT_MET: "未达标", NA: "不适用"}


# ---------------------------------------------------------------------------
# One department's figures


@dataclass
class DepartmentFigures:
    """Everything the dashboard shows for one department (one row of the table)."""

    id: int
    code: str
    name: str
    short_name: str
    sort_order: int
    has_window: bool
    several_officers: bool
    # 事项: rules.count_inclusion of the department's current (not retired) items, and counts by 事项类型
    items: dict = field(default_factory=lambda: rules.count_inclusion([]))
    types: dict = field(default_factory=dict)
    unassigned: int = 0  # 纳入 items without a serving, authorised officer whose letter lists them (rule 2)
    # 首席服务员
    serving: int = 0
    authorised: int = 0  # serving officers holding an issued letter (已授权上岗)
    gap_days: int | None = None  # 断档天数 since the system start (departments with a window)
    gap_days_year: int | None = None  # … of this calendar year
    changes: int = 0  # terms that ended (任期调整)
    reports: int = 0  # tenure reports filed, any state
    early_changes: int = 0  # terms ended before two years (提前调整)
    early_unexplained: int = 0  # … without a report giving the reason
    reports_open: int = 0  # reports 待确认 or 已退回 (not acknowledged)
    reports_filed: int = 0  # … of which 待确认: waiting for the office
    unreported: int = 0  # ended terms without any report
    # 清单
    list_state: str | None = None  # state of the latest revision
    approved: bool = False  # some version was approved (已通过)
    published: bool = False  # the latest approved version is the public one (rule 8)
    list_submitted_on: dt.date | None = None  # first submission of this year's list
    list_on_time: bool | None = None  # rules.submitted_on_time; None while it still can be
    list_days_late: int = 0  # rules.list_days_late: 逾期报送天数
    # 服务台账: rules.ledger_figures (its counts, pooled for the city totals, and its rates)
    ledger: dict = field(default_factory=lambda: rules.ledger_figures([], None))
    # 一事联办: this department's parts of open joint matters still waiting for its countersignature
    # (会签), and those past their deadline
    joint_waiting: int = 0
    joint_late: int = 0
    # 好差评
    evaluations: int = 0
    satisfied: int = 0
    satisfaction_rate: float | None = None
    bad: int = 0
    bad_open: int = 0  # 差评 not answered yet
    bad_late: int = 0  # rules.answer_late
    # 建章立制
    documents_missing: tuple = ()  # required kinds (实施方案, 管理办法) without a current document
    # 抽查
    findings_fix: int = 0  # findings 需整改
    findings_open: int = 0  # … not closed yet (未销号)
    findings_late: int = 0  # rules.answer_late against the review's deadline
    # 合规 (filled by the rules)
    verdicts: dict = field(default_factory=dict)  # rule number → MET / NOT_MET / NA
    met: int = 0
    applicable: int = 0
    compliance_rate: float | None = None
    rank: int = 0

    @property
    def inclusion_rate(self) -> float | None:
        return self.items["rate"]

    @property
    def changed(self) -> bool:
        """An officer was ever changed (a term ended or a report was filed)."""
        return self.changes > 0 or self.reports > 0

    @property
    def compliant(self) -> bool:
        """全部达标: every rule that applies is met."""
        return self.applicable > 0 and self.met == self.applicable

    @property
    def failing(self) -> list[int]:
        return [n for n, v in self.verdicts.items() if v == NOT_MET]

    @property
    def label(self) -> str:
        return self.short_name or self.name


# ---------------------------------------------------------------------------
# The compliance rules (DESIGN.md "Rules the portal enforces" 1–10), as data


@dataclass(frozen=True)
class Rule:
    """One compliance rule: applies(d) and check(d) take a department's figures."""

    number: int
    name: str  # 规则名称
    short: str  # column header
    applies: Callable[[DepartmentFigures], bool]
    check: Callable[[DepartmentFigures], bool]
    detail: Callable[[DepartmentFigures], str]  # why it is not met, in Chinese
    drill: tuple[str, dict] | None = None  # where the rows behind a failure are
    columns: tuple = ()  # (label, getter, kind) figures for the export's sheet of this rule

    def verdict(self, d: DepartmentFigures) -> str:
        if not self.applies(d):
            return NA
        return MET if self.check(d) else NOT_MET


def _pct(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _always(d) -> bool:
    return True


RULES: list[Rule] = [
    Rule(1, "事项100%纳入", "纳入率",
         applies=_always,
         # All exempt (rate None) is met; a department without any item has not made its list.
         check=lambda d: d.items["total"] > 0 and (d.inclusion_rate is None or d.inclusion_rate >= 1),
         detail=lambda d: ("尚未录入事项" if d.items["total"] == 0 else
                           f"纳入率{_pct(d.inclusion_rate)}：待定{d.items['pending']}项，"
                           f"未纳入（非法定除外情形）{d.items['other']}项"),
         drill=("items.index", {}),
         columns=(("纳入率", lambda d: d.inclusion_rate, "rate"), ("待定", lambda d: d.items["pending"], "int"),
                  ("未纳入（其他）", lambda d: d.items["other"], "int"))),
    Rule(2, "纳入事项均有授权首席服务员", "授权",
         applies=lambda d: d.items["included"] > 0,
         check=lambda d: d.unassigned == 0,
         detail=lambda d: f"{d.unassigned}项纳入事项未列入在任首席服务员已签发的授权委托书",
         drill=("items.index", {"unassigned": "1"}),
         columns=(("未授权事项", lambda d: d.unassigned, "int"), ("纳入事项", lambda d: d.items["included"], "int"))),
    Rule(3, "一个部门一名首席服务员", "人数",
         applies=lambda d: not d.several_officers,
         check=lambda d: d.serving <= 1,
         detail=lambda d: f"在任首席服务员{d.serving}名",
         drill=("officers.index", {}),
         columns=(("在任首席服务员", lambda d: d.serving, "int"),)),
    Rule(4, "任期不少于两年", "任期",
         applies=lambda d: d.changed,
         check=lambda d: d.early_unexplained == 0,
         detail=lambda d: f"{d.early_unexplained}次提前调整未在调整报告中说明理由",
         drill=("tenure.index", {"early": "1"}),
         columns=(("提前调整", lambda d: d.early_changes, "int"), ("未说明理由", lambda d: d.early_unexplained, "int"))),
    Rule(5, "首席服务员不断档", "不断档",
         applies=lambda d: d.has_window,
         check=lambda d: not d.gap_days,
         detail=lambda d: f"制度实施以来断档{d.gap_days}天",
         drill=("officers.index", {}),
         columns=(("断档天数", lambda d: d.gap_days, "int"), ("本年断档天数", lambda d: d.gap_days_year, "int"))),
    Rule(6, "调整均有书面报告", "报告",
         applies=lambda d: d.changed,
         check=lambda d: d.reports_open == 0 and d.unreported == 0,
         detail=lambda d: "、".join(p for p in (
             f"{d.reports_open}份调整报告待确认或被退回" if d.reports_open else "",
             f"{d.unreported}次调整没有报告" if d.unreported else "") if p),
         drill=("tenure.index", {"state": rules.REPORT_FILED}),
         columns=(("待确认/退回报告", lambda d: d.reports_open, "int"), ("无报告的调整", lambda d: d.unreported, "int"))),
    Rule(7, "清单按时报送", "按时报送",
         # Before the deadline an unsubmitted list is not late yet: the rule is not decided.
         applies=lambda d: d.list_on_time is not None,
         check=lambda d: bool(d.list_on_time),
         detail=lambda d: (f"{d.list_submitted_on.isoformat()}报送，晚于截止日期" if d.list_submitted_on
                           else "截止日期已过，尚未报送"),
         drill=("items.index", {}),
         columns=(("报送日期", lambda d: d.list_submitted_on, "date"),)),
    Rule(8, "清单已公示", "公示",
         applies=_always,
         check=lambda d: d.published,
         detail=lambda d: "最新审核通过的版本尚未公示" if d.approved else "尚无审核通过的清单",
         drill=("items.index", {}),
         columns=(("清单状态", lambda d: d.list_state or "未建立", "text"),)),
    Rule(9, "建章立制", "制度",
         applies=_always,
         check=lambda d: not d.documents_missing,
         detail=lambda d: "缺少" + "、".join(d.documents_missing),
         drill=("documents.index", {}),
         columns=(("缺少的制度文件", lambda d: "、".join(d.documents_missing), "text"),)),
    Rule(10, "抽查整改按时回复", "整改",
         applies=lambda d: d.findings_fix > 0,
         check=lambda d: d.findings_late == 0,
         detail=lambda d: f"{d.findings_late}项需整改问题逾期未回复或逾期回复",
         drill=("oversight.findings", {"late": "1"}),
         columns=(("需整改", lambda d: d.findings_fix, "int"), ("逾期", lambda d: d.findings_late, "int"))),
]
RULES_BY_NUMBER = {r.number: r for r in RULES}


def apply_rules(d: DepartmentFigures) -> None:
    """Judges every rule for the department: 合规率 = rules met ÷ rules that apply."""
    d.verdicts = {r.number: r.verdict(d) for r in RULES}
    d.applicable = sum(v != NA for v in d.verdicts.values())
    d.met = sum(v == MET for v in d.verdicts.values())
    d.compliance_rate = rules.compliance_rate(None if v == NA else v == MET for v in d.verdicts.values())


def rank_key(d: DepartmentFigures) -> tuple:
    """What the assessment ranks by (rules.ranking_key): 合规率, 纳入率, 断档天数, 逾期事项, 满意率, 按时办结率."""
    return rules.ranking_key(d.compliance_rate, d.inclusion_rate, d.gap_days, d.ledger.get("overdue", 0),
                             d.satisfaction_rate, d.ledger.get("on_time_rate"))


def rank(departments: list[DepartmentFigures]) -> list[DepartmentFigures]:
    """考核排名: by rules.RANKING_KEYS in order, then the department's sort order.

    Departments equal on every key share a rank and the next rank skips (1, 2, 2, 4): the sort order
    only decides who is listed first among equals, never the rank itself.
    """
    ordered = sorted(departments, key=lambda d: (tuple(-x for x in rank_key(d)), d.sort_order, d.id))
    previous = None
    for position, d in enumerate(ordered, start=1):
        key = rank_key(d)
        if key != previous:
            current = position
            previous = key
        d.rank = current
    return ordered


# ---------------------------------------------------------------------------
# Columns of the dashboard table and the assessment sheet, as data


# How a figure adds up over the city (its 全市 value), from the departments' figures.


def _summed(get):
    """A count of the city: the departments' counts added (none counts 0)."""
    return lambda departments: sum(get(d) or 0 for d in departments)


def _counted(test):
    """The number of departments for which test(d) holds."""
    return lambda departments: sum(bool(test(d)) for d in departments)


def _pooled(numerator, denominator):
    """A rate of the city: numerators and denominators summed first, never an average of the rates."""
    def pool(departments):
        n, m = sum(numerator(d) for d in departments), sum(denominator(d) for d in departments)
        return n / m if m > 0 else None
    return pool


def _mean(get):
    """The average of the departments' values, those without one left out."""
    def mean(departments):
        values = [v for v in map(get, departments) if v is not None]
        return sum(values) / len(values) if values else None
    return mean


def _ledger(key):
    return lambda d: d.ledger[key]


@dataclass(frozen=True)
class Column:
    """One figure of a department's row: where it comes from, how it is shown, where it drills to, and
    how it adds up over the city (`adds`; by default counts are summed and flags counted)."""

    key: str
    label: str
    group: str
    value: Callable[[DepartmentFigures], Any]
    kind: str = "int"  # int | rate | text | flag
    drill: tuple[str, dict] | None = None
    total: str | None = None  # key of the city totals shown in the 全市 row
    adds: Callable[[list[DepartmentFigures]], Any] | None = None

    def city_total(self, departments: list[DepartmentFigures]):
        if self.adds is not None:
            return self.adds(departments)
        return (_counted if self.kind == "flag" else _summed)(self.value)(departments)


def _reason(reason):
    return lambda d: d.items["by_reason"][reason]


REASON_LABELS = {"涉密": "涉密", "涉及重大公共安全": "公共安全", "涉及公民生命财产安全": "生命财产", "其他": "其他原因"}

COLUMNS: list[Column] = [
    Column("items", "事项", "事项清单", lambda d: d.items["total"], drill=("items.index", {}), total="items"),
    Column("included", "纳入", "事项清单", lambda d: d.items["included"],
           drill=("items.index", {"inclusion": rules.INCLUDED}), total="included"),
    *[Column("reason_%d" % i, "未纳入·" + REASON_LABELS[reason], "事项清单", _reason(reason),
             drill=("items.index", {"inclusion": rules.EXCLUDED, "reason": reason}), total="reason_%d" % i)
      for i, reason in enumerate(rules.REASONS, start=1)],
    Column("pending", "待定", "事项清单", lambda d: d.items["pending"],
           drill=("items.index", {"inclusion": rules.PENDING}), total="pending"),
    Column("inclusion_rate", "纳入率", "事项清单", lambda d: d.inclusion_rate, "rate",
           drill=("items.index", {}), total="inclusion_rate",
           adds=_pooled(lambda d: d.items["included"], lambda d: d.items["total"] - d.items["exempt"])),
    Column("unassigned", "未授权事项", "事项清单", lambda d: d.unassigned,
           drill=("items.index", {"unassigned": "1"}), total="unassigned"),
    Column("serving", "在任", "首席服务员", lambda d: d.serving, drill=("officers.index", {}), total="serving"),
    Column("authorised", "已授权", "首席服务员", lambda d: d.authorised, drill=("officers.index", {}), total="authorised"),
    Column("gap_days", "断档天数", "首席服务员", lambda d: d.gap_days, drill=("officers.index", {}), total="gap_days"),
    Column("gap_days_year", "本年断档", "首席服务员", lambda d: d.gap_days_year,
           drill=("officers.index", {}), total="gap_days_year"),
    Column("early_changes", "提前调整", "首席服务员", lambda d: d.early_changes,
           drill=("tenure.index", {"early": "1"}), total="early_changes"),
    Column("reports_open", "报告未确认", "首席服务员", lambda d: d.reports_open,
           drill=("tenure.index", {}), total="reports_open"),
    Column("list_state", "清单状态", "清单", lambda d: d.list_state or "未建立", "text", drill=("items.index", {})),
    Column("list_on_time", "按时报送", "清单", lambda d: d.list_on_time, "flag",
           drill=("items.index", {}), total="lists_on_time"),
    Column("list_days_late", "逾期天数", "清单", lambda d: d.list_days_late, drill=("items.index", {})),
    Column("published", "已公示", "清单", lambda d: d.published, "flag", drill=("items.index", {}), total="published"),
    Column("ledger_open", "在办", "服务台账", _ledger("open"), drill=("ledger.index", {}), total="ledger_open"),
    Column("ledger_overdue", "逾期", "服务台账", _ledger("overdue"),
           drill=("ledger.index", {"status": "overdue"}), total="ledger_overdue"),
    Column("on_time_rate", "按时办结率", "服务台账", _ledger("on_time_rate"), "rate",
           drill=("ledger.index", {"status": rules.MATTER_DONE}), total="on_time_rate",
           adds=_pooled(_ledger("on_time"), _ledger("judged"))),
    Column("one_visit_rate", "最多跑一次", "服务台账", _ledger("one_visit_rate"), "rate",
           drill=("ledger.index", {"status": rules.MATTER_DONE}), total="one_visit_rate",
           adds=_pooled(_ledger("one_visit"), _ledger("done"))),
    Column("online_rate", "网上办率", "服务台账", _ledger("online_rate"), "rate",
           drill=("ledger.index", {}), total="online_rate", adds=_pooled(_ledger("online"), _ledger("total"))),
    Column("proxy", "代办", "服务台账", _ledger("proxy"), drill=("ledger.index", {}), total="proxy"),
    Column("onsite", "上门办", "服务台账", _ledger("onsite"), drill=("ledger.index", {}), total="onsite"),
    Column("joint_waiting", "待会签", "一事联办", lambda d: d.joint_waiting,
           drill=("joint.index", {"state": "open"}), total="joint_waiting"),
    Column("joint_late", "会签逾期", "一事联办", lambda d: d.joint_late,
           drill=("joint.index", {"state": "late"}), total="joint_late_parts"),
    Column("satisfaction_rate", "满意率", "好差评", lambda d: d.satisfaction_rate, "rate",
           drill=("ledger.evaluations", {}), total="satisfaction_rate",
           adds=_pooled(lambda d: d.satisfied, lambda d: d.evaluations)),
    Column("bad_open", "差评待回复", "好差评", lambda d: d.bad_open,
           drill=("ledger.evaluations", {"open": "1"}), total="bad_open"),
    Column("bad_late", "差评逾期", "好差评", lambda d: d.bad_late,
           drill=("ledger.evaluations", {"late": "1"}), total="bad_late"),
    Column("documents_missing", "缺少制度", "建章立制", lambda d: "、".join(d.documents_missing) or "齐全", "text",
           drill=("documents.index", {}), total="documents_missing", adds=_counted(lambda d: d.documents_missing)),
    Column("findings_open", "整改未销号", "抽查", lambda d: d.findings_open,
           drill=("oversight.findings", {"open": "1"}), total="findings_open"),
    Column("findings_late", "整改逾期", "抽查", lambda d: d.findings_late,
           drill=("oversight.findings", {"late": "1"}), total="findings_late"),
]
COLUMNS_BY_KEY = {c.key: c for c in COLUMNS}

# The city's figures that are not a column of the table (the summary, the charts, the snapshot).
CITY_TOTALS: list[tuple[str, Callable[[list[DepartmentFigures]], Any]]] = [
    ("departments", len),
    *[(key, _summed(lambda d, key=key: d.items[key])) for key in ("excluded", "exempt", "other")],
    ("by_reason", lambda ds: {r: _summed(_reason(r))(ds) for r in rules.REASONS}),
    ("types", lambda ds: {k: _summed(lambda d, k=k: d.types.get(k, 0))(ds) for k in rules.ITEM_TYPES}),
    ("compliant_departments", _counted(lambda d: d.compliant)),
    ("compliance_rate", _mean(lambda d: d.compliance_rate)),  # the average 合规率 of the departments
    ("gap_departments", _counted(lambda d: d.gap_days_year)),
    ("reports_filed", _summed(lambda d: d.reports_filed)),
    ("lists_late", _counted(lambda d: d.list_on_time is False)),
    ("lists_due", _counted(lambda d: d.list_on_time is not None)),
    *[("ledger_" + key, _summed(_ledger(key))) for key in rules.LEDGER_COUNTS],
    ("evaluations", _summed(lambda d: d.evaluations)),
    ("bad", _summed(lambda d: d.bad)),
    ("findings_fix", _summed(lambda d: d.findings_fix)),
    ("rules_failing", lambda ds: {r.number: sum(d.verdicts.get(r.number) == NOT_MET for d in ds) for r in RULES}),
]
# (group, number of columns) for the table's header row of groups
COLUMN_GROUPS = [(group, len(list(cols))) for group, cols in groupby(COLUMNS, key=lambda c: c.group)]

# 看板排名表的列组: the default view (概要) fits a 1366 px screen — the ranking keys and what the office acts
# on first; each group of the table, the rules' verdicts, or every column, one click away. Exports keep all.
SUMMARY_KEYS = ("inclusion_rate", "unassigned", "gap_days", "list_state", "ledger_overdue", "on_time_rate",
                "satisfaction_rate", "findings_late")
DEFAULT_VIEW, RULES_VIEW, ALL_VIEW = "概要", "考核规则", "全部"
VIEWS = (DEFAULT_VIEW,) + tuple(group for group, _ in COLUMN_GROUPS) + (RULES_VIEW, ALL_VIEW)


def view_columns(view: str) -> tuple[str, list, bool]:
    """The ranking table's columns in a view: (the view as known, its columns, whether the rules'
    verdicts show). An unknown view is the default one."""
    view = view if view in VIEWS else DEFAULT_VIEW
    if view == DEFAULT_VIEW:
        by_key = {c.key: c for c in COLUMNS}
        return view, [by_key[k] for k in SUMMARY_KEYS], False
    if view == RULES_VIEW:
        return view, [], True
    if view == ALL_VIEW:
        return view, list(COLUMNS), True
    return view, [c for c in COLUMNS if c.group == view], False


def column_groups_of(columns: list) -> list[tuple[str, int]]:
    """The header row's groups over the columns shown (consecutive columns of one group share a cell)."""
    return [(group, len(list(cols))) for group, cols in groupby(columns, key=lambda c: c.group)]


# ---------------------------------------------------------------------------
# The whole city


@dataclass
class City:
    """The dashboard's figures for one data version and day."""

    today: dt.date
    version: int
    computed_at: dt.datetime
    departments: list[DepartmentFigures]  # ranked: rank, then sort order
    totals: dict
    joint_late_departments: list[tuple[str, str, int]]  # (code, name, late parts), most first
    trend: list[tuple[dt.date, float | None, float | None]]  # (day, average 合规率, 纳入率)

    def department(self, department_id: int) -> DepartmentFigures | None:
        return next((d for d in self.departments if d.id == department_id), None)

    @property
    def average(self) -> dict:
        """全市平均 per column: counts per department, rates pooled over the city."""
        n = self.totals["departments"] or 1
        out = {}
        for c in COLUMNS:
            value = self.totals.get(c.total) if c.total else None
            if c.kind == "int" and value is not None:
                value = round(value / n, 1)
            elif c.kind in ("flag", "text"):
                value = None
            out[c.key] = value
        return out


def _date(value):
    if value is None or isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.datetime):
        return value.date()
    return dt.date.fromisoformat(str(value)[:10])


# ---------------------------------------------------------------------------
# The sections of the dashboard: each fills its figures of every department (`figs`, by id) in a fixed
# number of queries, and returns the city's figures that are not sums of the departments' (if any).


def _lists(figs: dict[int, DepartmentFigures], today: dt.date) -> dict:
    """事项清单 and 清单: items by inclusion, reason and type (rule 1), 纳入 items not authorised
    (rule 2), each list's latest revision, its published version (rule 8) and this year's first
    submission (rule 7)."""
    inclusion_rows = defaultdict(list)
    for dept_id, inclusion, reason, item_type, n in (
            ServiceItem.select(ServiceItem.department, ServiceItem.inclusion, ServiceItem.reason,
                               ServiceItem.item_type, fn.COUNT(ServiceItem.id))
            .where(ServiceItem.retired == False)  # noqa: E712
            .group_by(ServiceItem.department, ServiceItem.inclusion, ServiceItem.reason, ServiceItem.item_type)
            .tuples()):
        if dept_id not in figs:
            continue
        inclusion_rows[dept_id].append(repeat((inclusion, reason), n))
        types = figs[dept_id].types
        types[item_type] = types.get(item_type, 0) + n
    for dept_id, chunks in inclusion_rows.items():
        figs[dept_id].items = rules.count_inclusion(row for chunk in chunks for row in chunk)

    # Rule 2: 纳入 items not listed in an issued letter of their own serving officer of the department.
    for dept_id, n in (ServiceItem.select(ServiceItem.department, fn.COUNT(ServiceItem.id))
                       .where((ServiceItem.retired == False) & ServiceItem.unauthorised_condition(today))  # noqa: E712
                       .group_by(ServiceItem.department).tuples()):
        if dept_id in figs:
            figs[dept_id].unassigned = n

    deadline = Setting.list_deadline(today.year)
    latest, latest_approved, first_submitted = {}, {}, {}
    for dept_id, revision, year, state, submitted_at, published in (
            ItemList.select(ItemList.department, ItemList.revision, ItemList.year, ItemList.state,
                            ItemList.submitted_at, ItemList.published).tuples()):
        if dept_id not in figs:
            continue
        if revision > latest.get(dept_id, (-1,))[0]:
            latest[dept_id] = (revision, state)
        if state == rules.LIST_APPROVED and revision > latest_approved.get(dept_id, (-1,))[0]:
            latest_approved[dept_id] = (revision, bool(published))
        if year == today.year and submitted_at is not None:
            first_submitted.setdefault(dept_id, []).append((_date(submitted_at), state))
    for d in figs.values():
        d.list_state = latest[d.id][1] if d.id in latest else None
        d.approved = d.id in latest_approved
        d.published = latest_approved.get(d.id, (0, False))[1]
        d.list_submitted_on = rules.year_submission_day(first_submitted.get(d.id, ()))
        d.list_on_time = rules.submitted_on_time(d.list_submitted_on, deadline, today)
        d.list_days_late = rules.list_days_late(d.list_submitted_on, deadline, today)
    return {}


def _officers(figs: dict[int, DepartmentFigures], today: dt.date) -> dict:
    """首席服务员: serving and authorised officers, gap days (rule 5, rules.gap_day_count), changes of
    officer and their reports (rules 4 and 6)."""
    system_start = Setting.system_start()
    year_start = max(system_start, dt.date(today.year, 1, 1))
    serving_today = (Officer.term_start <= today) & (Officer.term_end.is_null() | (Officer.term_end >= today))
    terms = defaultdict(list)
    ended = []  # (department, officer id, term start, last day served) of terms already over
    for officer_id, dept_id, start, end in (Officer.select(Officer.id, Officer.department, Officer.term_start,
                                                           Officer.term_end).tuples()):
        if dept_id not in figs:
            continue
        terms[dept_id].append(rules.Term(start, end))
        if start <= today and (end is None or end >= today):
            figs[dept_id].serving += 1
        elif end is not None and end < today:
            ended.append((dept_id, officer_id, start, end))
    for dept_id, _officer_id in (Letter.select(Officer.department, Letter.officer)
                                 .join(Officer, on=(Letter.officer == Officer.id))
                                 .where((Letter.state == rules.LETTER_ISSUED) & serving_today)
                                 .distinct().tuples()):
        if dept_id in figs:
            figs[dept_id].authorised += 1
    for d in figs.values():
        if d.has_window:
            d.gap_days = rules.gap_day_count(terms[d.id], system_start, today)
            d.gap_days_year = rules.gap_day_count(terms[d.id], year_start, today)

    # 任期调整报告: open ones, and whether each early change (提前调整) gives its reason.
    explained, reported, early = set(), set(), defaultdict(set)
    for dept_id, outgoing_id, flagged_early, reason, state in (
            TenureReport.select(TenureReport.department, TenureReport.outgoing, TenureReport.early,
                                TenureReport.reason, TenureReport.state).tuples()):
        d = figs.get(dept_id)
        if d is None:
            continue
        d.reports += 1
        d.reports_open += rules.report_open(state)
        d.reports_filed += state == rules.REPORT_FILED
        if outgoing_id is not None:
            reported.add(outgoing_id)
            if (reason or "").strip():
                explained.add(outgoing_id)
            if flagged_early:  # also a change filed ahead of its effective date
                early[dept_id].add(outgoing_id)
    for dept_id, officer_id, start, end in ended:
        d = figs[dept_id]
        d.changes += 1
        d.unreported += officer_id not in reported
        # The successor's first day is the day after the last day served.
        if rules.is_early_change(start, end + dt.timedelta(days=1)):
            early[dept_id].add(officer_id)
    for dept_id, officers in early.items():
        figs[dept_id].early_changes = len(officers)
        figs[dept_id].early_unexplained = len(officers - explained)
    return {}


def _ledger_section(figs: dict[int, DepartmentFigures], today: dt.date) -> dict:
    """服务台账: rules.ledger_figures of each department, in SQL as Matter.ledger_counts (the ledger
    pages' own query form)."""
    for dept_id, figures in Matter.ledger_figures_by_department(today).items():
        if dept_id in figs:
            figs[dept_id].ledger = figures
    return {}


def _evaluations(figs: dict[int, DepartmentFigures], today: dt.date) -> dict:
    """好差评: 满意率 (rules.satisfaction_rate, in SQL as Evaluation.satisfied), 差评 open and late
    (rules.answer_late, as Evaluation.late_condition puts it for the evaluations page's ?late=1)."""
    E = Evaluation
    for dept_id, n, satisfied, bad_n, bad_open, bad_late in (
            E.select(E.department, fn.COUNT(E.id), count_if(E.satisfied()), count_if(E.bad_condition()),
                     count_if(E.open_condition()), count_if(E.late_condition(today)))
            .group_by(E.department).tuples()):
        d = figs.get(dept_id)
        if d is not None:
            d.evaluations, d.satisfied, d.bad = n, int(satisfied or 0), int(bad_n or 0)
            d.bad_open, d.bad_late = int(bad_open or 0), int(bad_late or 0)
            d.satisfaction_rate = rules.satisfaction_of(d.satisfied, n)
    return {}


def _joint(figs: dict[int, DepartmentFigures], today: dt.date) -> dict:
    """一事联办 (as the joint-matter pages count them): a matter is open while not finished and not stopped
    by a 不同意; a part waits for its department's countersignature while it has no decision (补正 puts
    the matter in the investor's hands) and is late once its deadline has passed. Returns the city's
    open and late matters (a matter late at two departments is one late matter)."""
    parts, stopped = [], set()
    for joint_id, dept_id, deadline_day, decision in (
            JointPart.select(JointPart.joint, JointPart.department, JointPart.deadline, JointPart.decision)
            .join(JointMatter, on=(JointPart.joint == JointMatter.id))
            .where(JointMatter.finished_on.is_null()).tuples()):
        parts.append((joint_id, dept_id, _date(deadline_day), decision))
        if decision == rules.SIGN_DISAGREE:
            stopped.add(joint_id)
    joint_open, joint_late = set(), set()
    for joint_id, dept_id, deadline_day, decision in parts:
        if joint_id in stopped or decision == rules.SIGN_AGREE:
            continue
        joint_open.add(joint_id)
        if decision is not None:
            continue
        late = deadline_day is not None and deadline_day < today
        if late:
            joint_late.add(joint_id)
        d = figs.get(dept_id)
        if d is not None:
            d.joint_waiting += 1
            d.joint_late += late
    return {"joint_open": len(joint_open), "joint_late": len(joint_late)}


def _documents(figs: dict[int, DepartmentFigures], today: dt.date) -> dict:
    """建章立制 (rule 9): the required kinds (实施方案, 管理办法) without a current (not replaced) document."""
    have = defaultdict(set)
    for dept_id, kind in (RuleDocument.select(RuleDocument.department, RuleDocument.kind)
                          .where(RuleDocument.replaced_by.is_null()
                                 & RuleDocument.kind.in_(rules.REQUIRED_DOCUMENT_KINDS))
                          .distinct().tuples()):
        have[dept_id].add(kind)
    for d in figs.values():
        d.documents_missing = tuple(k for k in rules.REQUIRED_DOCUMENT_KINDS if k not in have[d.id])
    return {}


def _oversight(figs: dict[int, DepartmentFigures], today: dt.date) -> dict:
    """抽查 (rule 10): findings 需整改, not closed (未销号), and late against their review's deadline
    (rules.answer_late)."""
    for dept_id, review_deadline, answered_on, closed in (
            ReviewFinding.select(ReviewFinding.department, OversightReview.deadline, ReviewFinding.answered_on,
                                 ReviewFinding.closed)
            .join(OversightReview, on=(ReviewFinding.review == OversightReview.id))
            .where(ReviewFinding.finding == rules.FINDING_FIX).tuples()):
        d = figs.get(dept_id)
        if d is None:
            continue
        d.findings_fix += 1
        d.findings_open += not closed
        d.findings_late += rules.answer_late(_date(review_deadline), _date(answered_on), today)
    return {}


# The dashboard's sections, in the order of its table.
SECTIONS = (_lists, _officers, _ledger_section, _evaluations, _joint, _documents, _oversight)


def compute(today: dt.date, version: int | None = None) -> City:
    """Every figure of the city on `today`, in a fixed number of queries whatever the number of
    departments (each query is grouped by department or reads a small table whole)."""
    if version is None:
        version = DataVersion.current()
    figs = {d.id: DepartmentFigures(
        id=d.id, code=d.code, name=d.name, short_name=d.short_name, sort_order=d.sort_order,
        has_window=d.has_window, several_officers=d.several_officers) for d in Department.active_ordered()}
    extra: dict[str, Any] = {}
    for section in SECTIONS:
        extra.update(section(figs, today))
    for d in figs.values():
        apply_rules(d)
    ranked = rank(list(figs.values()))
    totals = {**city_totals(ranked), **extra}
    late_by_dept = [(d.code, d.name, d.joint_late) for d in sorted(ranked, key=lambda d: (-d.joint_late, d.sort_order))
                    if d.joint_late]
    return City(today=today, version=version, computed_at=clock.now(), departments=ranked, totals=totals,
                joint_late_departments=late_by_dept, trend=_trend(today, totals))


def _trend(today: dt.date, totals: dict) -> list:
    """合规率与纳入率走势: the daily snapshots of the last TREND_DAYS days, and today's figures."""
    trend = [(row.day, *_trend_point(row.figures)) for row in (
        DailySnapshot.select(DailySnapshot.day, DailySnapshot.figures)
        .where((DailySnapshot.day >= today - dt.timedelta(days=TREND_DAYS)) & (DailySnapshot.day < today))
        .order_by(DailySnapshot.day))]
    trend.append((today, totals["compliance_rate"], totals["inclusion_rate"]))
    return trend


def _trend_point(text: str) -> tuple:
    try:
        data = json.loads(text)
    except (TypeError, ValueError):
        return None, None
    return data.get("compliance_rate"), data.get("inclusion_rate")


def city_totals(departments: list[DepartmentFigures]) -> dict:
    """The city's figures: each column's as the column adds up (counts summed, rates pooled over the
    city, not averages of rates), then those of CITY_TOTALS (among them the average 合规率)."""
    totals = {c.total: c.city_total(departments) for c in COLUMNS if c.total}
    for key, adds in CITY_TOTALS:
        totals.setdefault(key, adds(departments))
    return totals


# ---------------------------------------------------------------------------
# Once per data version and day: portal/cache.py


CACHE = "metrics_cache"


def etag(today: dt.date | None = None) -> str:
    """The dashboard's ETag: the data version and the day (figures such as 逾期 move with the date)."""
    today = today or clock.today()
    return f"{DataVersion.current()}-{today.isoformat()}"


def city_figures(today: dt.date | None = None) -> City:
    """The city's figures, computed once per (data version, day) and shared by every viewer (concurrent
    viewers wait for one computation instead of each doing it). On unless METRICS_CACHE is False."""
    today = today or clock.today()
    # The version is read before computing, so the figures are at least as new as their key.
    version = DataVersion.current()
    return cache.by_data_version(CACHE, "METRICS_CACHE", (today,), lambda: compute(today, version=version),
                                 version=version, default=True)


def clear_cache() -> None:
    """Forgets the remembered figures (tests that count a cold computation's queries)."""
    cache.clear(CACHE)
