"""考核 — the figures of an assessment period as of its cut-off day (截止日), the scores, locking (定稿),
the preview's rank movers and the comparison of two periods.

The figures are the dashboard's (portal/metrics.py, `compute(cutoff)`: officers serving then, gap days,
overdue matters, late answers as of that day), with what belongs to the period put in from the records'
own dates, through the same rules:
- 事项 and 纳入率 from the list version approved by the cut-off day (ListRow of the latest ItemList
  reviewed by then), not the items as they are now;
- 断档 within the period (rules.gap_intervals of the officers' terms);
- the ledger's rates over the matters received in the period (Matter.ledger_figures_by_department);
- 满意率 over the evaluations made in the period (Evaluation.satisfied);
- 建章立制 from the documents dated by the cut-off day.
What the records cannot tell exactly (the current state of a report or a letter) is found in the audit
log: changes after the cut-off day are listed as notes on the page (`notes`).

A locked period's figures and scores are stored (AssessmentResult, AssessmentPeriod.city) and read
back from there; they never change again.
"""
from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass, field

from peewee import fn

from .. import clock, metrics, rules
from ..models import (AssessmentPeriod, AssessmentResult, AuditLog, DailySnapshot, Department, Evaluation, ItemList, ListRow, Matter,
                      Officer, RuleDocument, Setting, count_if)

RANKING_VISIBLE = "assessment_ranking_visible"  # office setting: departments see the whole ranking

# Where the record behind a rate or a deduction is (endpoint, arguments); rules use metrics.Rule.drill.
LINKS = {
    "inclusion_rate": ("items.index", {}),
    "on_time_rate": ("ledger.index", {"status": rules.MATTER_DONE}),
    "one_visit_rate": ("ledger.index", {"status": rules.MATTER_DONE}),
    "satisfaction_rate": ("ledger.evaluations", {}),
    "gap_day": ("officers.index", {}),
    "unreported": ("tenure.index", {}),
    "overdue": ("ledger.index", {"status": "overdue"}),
}
# Tables whose state the figures take as it is now: a change after the cut-off day makes a figure uncertain.
CURRENT_STATE_TABLES = {
    "service_item": "事项（规则2 授权）",
    "letter": "授权委托书（规则2）",
    "tenure_report": "任期调整报告（规则4、6）",
    "review_finding": "抽查整改（规则10）",
    "item_list": "清单审核与公示（规则7、8）",
    "matter": "服务台账（办结状态、逾期）",
}
CITY_RATES = (("compliance_rate", "平均合规率"), ("inclusion_rate", "纳入率"), ("on_time_rate", "按时办结率"),
              ("one_visit_rate", "最多跑一次率"), ("satisfaction_rate", "满意率"))


def cn_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


@dataclass
class Assessment:
    """One period's result: departments ranked by score (plain dicts, as stored when locked)."""

    period: AssessmentPeriod
    as_of: dt.date
    departments: list[dict]
    city: dict
    notes: list[str] = field(default_factory=list)

    @property
    def locked(self) -> bool:
        return self.period.locked

    def department(self, department_id: int) -> dict | None:
        return next((d for d in self.departments if d["id"] == department_id), None)

    @property
    def by_id(self) -> dict[int, dict]:
        return {d["id"]: d for d in self.departments}


# ---------------------------------------------------------------------------
# Figures as of the cut-off day


def as_of_day(period: AssessmentPeriod, today: dt.date | None = None) -> dt.date:
    """The day the figures are as of: the cut-off day, or today while the cut-off day is still ahead."""
    return min(period.cutoff, today or clock.today())


def _day_end(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, 0))


def compute(period: AssessmentPeriod, today: dt.date | None = None) -> Assessment:
    """The period's figures and scores computed from the records (a fixed number of queries)."""
    as_of = as_of_day(period, today)
    end = min(period.end_date, as_of)
    city = metrics.compute(as_of)
    figs = {d.id: d for d in city.departments}
    gaps = _period_inputs(figs, period.start_date, end, as_of)
    for d in figs.values():
        metrics.apply_rules(d)
    scoring = period.scoring_data()
    rows = [_department_row(d, gaps.get(d.id, []), scoring) for d in figs.values()]
    ranks = rules.score_ranks([(r["id"], r["score"]) for r in sorted(rows, key=lambda r: (r["sort_order"], r["id"]))])
    for r in rows:
        r["rank"] = ranks[r["id"]]
    rows.sort(key=lambda r: (r["rank"], r["sort_order"], r["id"]))
    totals = metrics.city_totals(list(figs.values()))
    city_figures = {key: totals.get(key) for key, _ in CITY_RATES}
    city_figures["departments"] = len(rows)
    city_figures["average_score"] = round(sum(r["score"] for r in rows) / len(rows), 2) if rows else None
    return Assessment(period=period, as_of=as_of, departments=rows, city=city_figures,
                      notes=_notes(period, as_of, today or clock.today()))


def _period_inputs(figs: dict, start: dt.date, end: dt.date, as_of: dt.date) -> dict[int, list]:
    """Puts the period's own figures into the dashboard's figures of `as_of`; returns the gap intervals
    (断档) within the period by department."""
    # 事项: the latest list version approved by the cut-off day (its rows as they were approved).
    approved = (ItemList.select(ItemList.department, fn.MAX(ItemList.revision).alias("rev"))
                .where((ItemList.state == rules.LIST_APPROVED) & ItemList.reviewed_at.is_null(False)
                       & (ItemList.reviewed_at < _day_end(as_of)))
                .group_by(ItemList.department).alias("approved"))
    rows = defaultdict(list)
    for dept_id, inclusion, reason in (
            ListRow.select(ItemList.department, ListRow.inclusion, ListRow.reason).join(ItemList)
            .join(approved, on=((approved.c.department_id == ItemList.department) & (approved.c.rev == ItemList.revision)))
            .tuples()):
        rows[dept_id].append((inclusion, reason))
    for d in figs.values():
        d.items = rules.count_inclusion(rows.get(d.id, []))
        d.approved = d.published = d.id in rows
        d.list_state = rules.LIST_APPROVED if d.id in rows else d.list_state

    # 断档 within the period, from the officers' terms.
    terms = defaultdict(list)
    for dept_id, term_start, term_end in Officer.select(Officer.department, Officer.term_start, Officer.term_end).tuples():
        terms[dept_id].append(rules.Term(term_start, term_end))
    gaps = {}
    since = max(start, Setting.system_start())
    for d in figs.values():
        if d.has_window:
            gaps[d.id] = rules.gap_intervals(terms[d.id], since, end)
            d.gap_days = d.gap_days_year = rules.days_in(gaps[d.id])

    # 服务台账: the matters received in the period.
    period_matters = Matter.select().where(Matter.received_date.between(start, end))
    ledger = Matter.ledger_figures_by_department(as_of, period_matters)
    for d in figs.values():
        d.ledger = ledger.get(d.id, rules.ledger_figures([], as_of))

    # 好差评: the evaluations made in the period.
    E = Evaluation
    for d in figs.values():
        d.evaluations = d.satisfied = 0
        d.satisfaction_rate = None
    for dept_id, n, satisfied in (E.select(E.department, fn.COUNT(E.id), count_if(E.satisfied()))
                                  .where((E.created_at >= dt.datetime.combine(start, dt.time(0, 0)))
                                         & (E.created_at < _day_end(end)))
                                  .group_by(E.department).tuples()):
        d = figs.get(dept_id)
        if d is not None:
            d.evaluations, d.satisfied = n, int(satisfied or 0)
            d.satisfaction_rate = rules.satisfaction_of(d.satisfied, n)

    # 建章立制: the required kinds with a document dated by the cut-off day.
    have = defaultdict(set)
    for dept_id, kind in (RuleDocument.select(RuleDocument.department, RuleDocument.kind)
                          .where(RuleDocument.kind.in_(rules.REQUIRED_DOCUMENT_KINDS) & (RuleDocument.doc_date <= as_of))
                          .distinct().tuples()):
        have[dept_id].add(kind)
    for d in figs.values():
        d.documents_missing = tuple(k for k in rules.REQUIRED_DOCUMENT_KINDS if k not in have[d.id])
    return gaps


def _department_row(d: metrics.DepartmentFigures, gaps: list, scoring: dict) -> dict:
    """A department's figures, verdicts, score and points lost, as plain (JSON-storable) data."""
    rates = {"inclusion_rate": d.inclusion_rate, "on_time_rate": d.ledger["on_time_rate"],
             "one_visit_rate": d.ledger["one_visit_rate"], "satisfaction_rate": d.satisfaction_rate}
    counts = {"gap_day": d.gap_days or 0, "unreported": d.unreported, "overdue": d.ledger["overdue"]}
    result = rules.assessment_score(d.verdicts, rates, counts, scoring)
    gap_text = "、".join(f"{cn_date(a)}至{cn_date(b)}" if a != b else cn_date(a) for a, b in gaps)
    problems = []
    for rule in metrics.RULES:
        if d.verdicts[rule.number] == metrics.NOT_MET:
            detail = rule.detail(d)
            if rule.number == 5 and gaps:
                detail = f"断档{d.gap_days}天（{gap_text}）"
            elif rule.number in (1, 8) and d.items["total"] == 0:
                detail = "截止日前没有审核通过的清单版本"
            problems.append({"rule": rule.number, "name": rule.name, "detail": detail})
    for entry in result["lost"]:
        key = entry["key"]
        if entry["kind"] == "rule":
            rule = metrics.RULES_BY_NUMBER[key]
            entry["name"] = f"规则{key} {rule.name}"
            entry["detail"] = next((p["detail"] for p in problems if p["rule"] == key), entry["detail"])
        elif entry["kind"] == "rate":
            entry["name"] = rules.SCORE_RATES[key]
        else:
            entry["name"] = rules.SCORE_DEDUCTIONS[key][0]
            if key == "gap_day" and gaps:
                entry["detail"] += f"（{gap_text}）"
    return {
        "id": d.id, "code": d.code, "name": d.name, "label": d.label, "sort_order": d.sort_order,
        "score": result["score"], "lost": result["lost"], "rank": 0,
        "compliance_rate": d.compliance_rate, "met": d.met, "applicable": d.applicable,
        "verdicts": {str(n): v for n, v in d.verdicts.items()}, "rates": rates, "counts": counts,
        "items": d.items["total"], "included": d.items["included"], "evaluations": d.evaluations,
        "matters": d.ledger["total"], "gaps": [[a.isoformat(), b.isoformat()] for a, b in gaps],
        "problems": problems,
    }


def _notes(period: AssessmentPeriod, as_of: dt.date, today: dt.date) -> list[str]:
    """Where the past state cannot be known exactly (无法精确还原), in Chinese: what the audit log shows
    changed after the cut-off day among records whose present state the figures take."""
    notes = []
    if as_of < period.cutoff:
        notes.append(f"截止日{cn_date(period.cutoff)}尚未到，数字截至{cn_date(as_of)}，定稿前会变化。")
    changed = dict(AuditLog.select(AuditLog.table, fn.COUNT(AuditLog.id))
                   .where((AuditLog.at >= _day_end(as_of)) & AuditLog.table.in_(list(CURRENT_STATE_TABLES)))
                   .group_by(AuditLog.table).tuples())
    if changed:
        listed = "、".join(f"{CURRENT_STATE_TABLES[t]}{n}次" for t, n in sorted(changed.items()))
        notes.append(f"操作日志显示截止日之后有改动：{listed}。这些记录只保存当前状态，相关数字按当前记录计算，"
                     f"可能与截止日当时不完全一致。")
    notes.append("事项和纳入率按截止日前审核通过的清单版本计算；首席服务员按任期起止日期、台账按受理日期、"
                 "好差评按评价时间、制度文件按成文日期计算，这些可以准确还原。")
    return notes


# ---------------------------------------------------------------------------
# Stored (locked) periods


def load(period: AssessmentPeriod, today: dt.date | None = None) -> Assessment:
    """A locked period's stored result, or an open one's figures computed now."""
    if not period.locked:
        return compute(period, today)
    rows = []
    for result in (AssessmentResult.select(AssessmentResult, Department).join(Department)
                   .where(AssessmentResult.period == period)
                   .order_by(AssessmentResult.rank, Department.sort_order, Department.id)):
        row = json.loads(result.figures)
        row.update(rank=result.rank, score=result.score)
        rows.append(row)
    stored = json.loads(period.city) if period.city else {}
    return Assessment(period=period, as_of=period.cutoff, departments=rows, city=stored.get("city", {}),
                      notes=stored.get("notes", []))


def lock_problem(period: AssessmentPeriod, today: dt.date | None = None) -> str | None:
    """Why the period cannot be locked (定稿) now, or None."""
    today = today or clock.today()
    if period.locked:
        return "该考核周期已定稿，不能再次定稿。"
    if period.cutoff >= today:
        return f"截止日{cn_date(period.cutoff)}之后才能定稿。"
    return None


def lock(w, period: AssessmentPeriod, user, today: dt.date | None = None) -> Assessment:
    """定稿: stores the figures and scores (inside the caller's write())."""
    result = compute(period, today)
    for row in result.departments:
        w.create(AssessmentResult, period=period, department=row["id"], rank=row["rank"], score=row["score"],
                 figures=json.dumps(row, ensure_ascii=False, default=str))
    w.update(period, locked_at=clock.now(), locked_by=user,
             city=json.dumps({"city": result.city, "notes": result.notes}, ensure_ascii=False, default=str))
    return result


# ---------------------------------------------------------------------------
# Preview, previous period, comparison


def last_preview(period: AssessmentPeriod) -> dict[int, int]:
    try:
        return {int(k): int(v) for k, v in json.loads(period.preview or "{}").items()}
    except (ValueError, TypeError, AttributeError):
        return {}


def movers(result: Assessment, before: dict[int, int]) -> list[dict]:
    """Departments whose rank differs from `before` (department id → rank): name, before, now, change
    (positive = up)."""
    out = []
    for row in result.departments:
        old = before.get(row["id"])
        if old is not None and old != row["rank"]:
            out.append({"name": row["name"], "before": old, "now": row["rank"], "change": old - row["rank"]})
    return sorted(out, key=lambda m: -abs(m["change"]))


def save_preview(w, period: AssessmentPeriod, result: Assessment) -> None:
    """Remembers this preview's ranks, to show the movers at the next one."""
    w.update(period, preview=json.dumps({str(r["id"]): r["rank"] for r in result.departments}))


def previous(period: AssessmentPeriod) -> AssessmentPeriod | None:
    """The locked period before this one (the latest cut-off day before its own)."""
    return (AssessmentPeriod.select().where(AssessmentPeriod.locked_at.is_null(False)
                                            & (AssessmentPeriod.cutoff < period.cutoff)
                                            & (AssessmentPeriod.id != period.id))
            .order_by(AssessmentPeriod.cutoff.desc()).first())


def compare(a: Assessment, b: Assessment) -> list[dict]:
    """Per department, side by side: a's and b's score, rank, 合规率 and 纳入率, and what changed
    (b against a; a rank change is positive when b's rank is better)."""
    by_a, by_b = a.by_id, b.by_id
    order = [r["id"] for r in b.departments] + [i for i in by_a if i not in by_b]
    rows = []
    for dept_id in order:
        ra, rb = by_a.get(dept_id), by_b.get(dept_id)
        row = {"name": (rb or ra)["name"], "a": ra, "b": rb, "score_change": None, "rank_change": None}
        if ra and rb:
            row["score_change"] = round(rb["score"] - ra["score"], 2)
            row["rank_change"] = ra["rank"] - rb["rank"]
            row["changed_rules"] = [n for n in rb["verdicts"] if rb["verdicts"][n] != ra["verdicts"].get(n)]
        rows.append(row)
    return rows


def city_changes(result: Assessment, before: Assessment | None) -> list[dict]:
    """The city's figures and their change since the previous period (总体情况)."""
    out = []
    for key, label in CITY_RATES:
        now = result.city.get(key)
        old = before.city.get(key) if before else None
        out.append({"key": key, "label": label, "now": now, "before": old,
                    "change": (now - old) if now is not None and old is not None else None})
    return out


def rank_changes(result: Assessment, before: Assessment | None) -> dict[int, int | None]:
    """Department id → rank change since the previous period (positive = up), None when not ranked then."""
    old = before.by_id if before else {}
    return {r["id"]: (old[r["id"]]["rank"] - r["rank"]) if r["id"] in old else None for r in result.departments}


def ranking_visible() -> bool:
    return bool(Setting.get_value(RANKING_VISIBLE, False))


def link(entry: dict) -> tuple[str, dict] | None:
    """Where the record behind a point lost is: (endpoint, arguments)."""
    if entry["kind"] == "rule":
        return metrics.RULES_BY_NUMBER[int(entry["key"])].drill
    return LINKS.get(entry["key"])


def trend(result: Assessment) -> list[tuple[dt.date, float | None, float | None]]:
    """The city's 纳入率 and 合规率 over the period, from the daily snapshots (每日快照): (day, 纳入率, 合规率)."""
    period = result.period
    rows = (DailySnapshot.select(DailySnapshot.day, DailySnapshot.figures)
            .where(DailySnapshot.day.between(period.start_date, min(period.end_date, result.as_of)))
            .order_by(DailySnapshot.day))
    out = []
    for row in rows:
        compliance, inclusion = metrics._trend_point(row.figures)
        out.append((row.day, inclusion, compliance))
    return out


def report_filename(period: AssessmentPeriod, ext: str):
    """赤壁市首席服务员制度考核通报-2026年上半年-2026-06-30.docx, with an ASCII fallback."""
    from ..files import download_name

    title = "赤壁市首席服务员制度考核通报" if ext == "docx" else "赤壁市首席服务员制度考核表"
    return download_name(title, period.name, day=period.cutoff, ext=ext,
                         ascii=f"chibi-assessment-{'report' if ext == 'docx' else 'workbook'}-{period.id}")
