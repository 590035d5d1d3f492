"""抽查 (放权与监管衔接) — the office's random review of departments' finished matters: the draw,
recorded with its seed so that anyone can repeat it (复核抽样); a finding per matter (规范 / 需整改);
the department's answer (整改情况) before the deadline; the office closes it (销号) or sends it back.
Rule 10: every 需整改 finding is answered before its deadline."""
from __future__ import annotations

import datetime as dt
import json
import secrets

from peewee import JOIN

from .. import clock, rules
from ..models import (Case, Department, Holiday, Investor, Matter, Officer, OversightReview, ReviewFinding,
                      ServiceItem, Setting, fn)

F = ReviewFinding
SEED_LIMIT = 10**9  # nine digits: easy to read out, and seed + department id fits any integer column
QUARTERS = "一二三四"


# --- the draw ------------------------------------------------------------------------------------


def previous_quarter(today: dt.date) -> tuple[dt.date, dt.date, str]:
    """The last finished quarter before today, with its name (2026年第三季度)."""
    q = (today.month - 1) // 3  # 0-based quarter of today
    year, q = (today.year - 1, 3) if q == 0 else (today.year, q - 1)
    start = dt.date(year, 3 * q + 1, 1)
    end = (dt.date(year + (q == 3), (3 * q + 3) % 12 + 1, 1)) - dt.timedelta(days=1)
    return start, end, f"{year}年第{QUARTERS[q]}季度"


def review_defaults(today: dt.date) -> dict:
    """A new review's defaults: last quarter, every active department, the rate, minimum and answer
    time limit from the settings (抽查比例, 最少抽取件数, 整改答复工作日)."""
    start, end, name = previous_quarter(today)
    days = int(Setting.get_value("oversight_answer_days"))
    return {
        "title": f"{name}抽查", "period_start": start, "period_end": end,
        "rate": round(float(Setting.get_value("oversight_rate")) * 100, 4),
        "minimum": int(Setting.get_value("oversight_minimum")),
        "deadline": rules.add_working_days(today, days, *Holiday.calendar()),
    }


def draw(department_ids, start: dt.date, end: dt.date, rate: float, minimum: int, seed: int) -> list[dict]:
    """Draws each department's sample of 已办结 matters completed in [start, end]:
    rules.draw_sample(pool, rate, minimum, seed + department id). The pool is kept with the sample."""
    pools = OversightReview.finished_matter_ids(department_ids, start, end)
    return [{"department": dept_id, "pool": pool,
             "sample": rules.draw_sample(pool, rate, minimum, OversightReview.department_seed(seed, dept_id))}
            for dept_id, pool in sorted(pools.items())]


def create_review(w, *, title, period_start, period_end, department_ids, rate, minimum, deadline,
                  seed=None, created_by=None, created_at=None):
    """发起抽查: draws the samples and records the review with its seed and one finding row per sampled
    matter. ``rate`` is a fraction (0.05). Returns (review, number of matters drawn)."""
    if seed is None:
        seed = secrets.randbelow(SEED_LIMIT)
    record = draw(department_ids, period_start, period_end, rate, minimum, seed)
    if created_at is None:
        created_at = dt.datetime.combine(clock.today(), clock.now().time())
    review = w.create(OversightReview, title=title, period_start=period_start, period_end=period_end, rate=rate,
                      minimum=minimum, seed=seed, deadline=deadline, created_at=created_at, created_by=created_by,
                      draw=json.dumps({"derivation": "seed + department id", "departments": record},
                                      separators=(",", ":")))
    drawn = 0
    for entry in record:
        for matter_id in entry["sample"]:
            w.create(ReviewFinding, review=review, department=entry["department"], matter=matter_id)
            drawn += 1
    return review, drawn


def verify_review(review: OversightReview) -> dict:
    """复核抽样: repeats every department's draw from the recorded seed and pool and compares it with
    the recorded sample and with the matters actually under review; also says whether the ledger
    has changed since, and what a draw on today's ledger would give."""
    recorded = review.draw_record()
    dept_ids = [r["department"] for r in recorded]
    depts = {d.id: d for d in Department.select().where(Department.id.in_(dept_ids))} if dept_ids else {}
    now_pools = OversightReview.finished_matter_ids(dept_ids, review.period_start, review.period_end)
    under_review: dict[int, list[int]] = {}
    for dept_id, matter_id in (F.select(F.department, F.matter).where(F.review == review)
                               .order_by(F.matter).tuples()):
        under_review.setdefault(dept_id, []).append(matter_id)
    rows = []
    for r in recorded:
        dept_id, pool, sample = r["department"], r["pool"], r["sample"]
        seed = OversightReview.department_seed(review.seed, dept_id)
        again = rules.draw_sample(pool, review.rate, review.minimum, seed)
        now_pool = set(now_pools.get(dept_id, []))
        changed = now_pool != set(pool)
        rows.append({
            "dept": depts.get(dept_id), "seed": seed, "pool": len(pool),
            "size": rules.sample_size(len(pool), review.rate, review.minimum),
            "sample": sample, "again": again, "under_review": under_review.get(dept_id, []),
            "matches": again == sample == under_review.get(dept_id, []),
            "ledger_changed": changed, "added": len(now_pool - set(pool)), "removed": len(set(pool) - now_pool),
            "now_draw": rules.draw_sample(list(now_pool), review.rate, review.minimum, seed) if changed else None,
        })
    return {"rows": rows, "ok": bool(rows) and all(r["matches"] for r in rows)}


# --- queries -------------------------------------------------------------------------------------


def findings_query():
    """Findings with their review, department, matter, investor, item and officer: one query."""
    return (F.select(F, OversightReview, Department, Matter, Investor, ServiceItem, Officer)
            .join_from(F, OversightReview)
            .join_from(F, Department)
            .join_from(F, Matter)
            .join_from(Matter, Investor)
            .join_from(Matter, ServiceItem, JOIN.LEFT_OUTER)
            .join_from(Matter, Officer, JOIN.LEFT_OUTER))


COUNT_KEYS = ("total", "pending", "ok", "fix", "to_answer", "answered", "closed", "late")


def count_where(condition):
    return fn.SUM(Case(None, [(condition, 1)], 0))


def finding_counts(group_by=None, where=None, today=None) -> dict:
    """Counts of findings by state (drawn, 待录入, 规范, 需整改, 待答复, 待确认, 已销号, late), per group
    (a review, a department …) or, without group_by, in all: one query."""
    today = today or clock.today()
    columns = {
        "total": fn.COUNT(F.id),
        "pending": count_where(F.state_is(F.PENDING)),
        "ok": count_where(F.state_is(F.OK)),
        "fix": count_where(F.finding == rules.FINDING_FIX),
        "to_answer": count_where(F.state_is(F.TO_FIX) | F.state_is(F.RETURNED)),
        "answered": count_where(F.state_is(F.ANSWERED)),
        "closed": count_where(F.state_is(F.CLOSED)),
        "late": count_where(F.late_condition(today)),
    }
    keys = [group_by.alias("key")] if group_by is not None else []
    q = F.select(*keys, *[c.alias(k) for k, c in columns.items()]).join(OversightReview)
    if where is not None:
        q = q.where(where)
    if group_by is None:
        row = q.dicts().get()
        return {k: int(row[k] or 0) for k in columns}
    return {row["key"]: {k: int(row[k] or 0) for k in columns} for row in q.group_by(group_by).dicts()}


def officer_review_record(officer) -> dict:
    """The officer's 抽查 record: matters of theirs reviewed, findings (规范 / 需整改), and whether each
    需整改 was answered on time. One query; the caller decides who may see the officer."""
    today = clock.today()
    rows = list(F.select(F, OversightReview, Matter)
                .join_from(F, OversightReview).join_from(F, Matter)
                .where((Matter.officer == officer) & F.finding.is_null(False))
                .order_by(OversightReview.period_end.desc(), Matter.completed_date.desc(), F.id))
    fixes = [r for r in rows if r.finding == rules.FINDING_FIX]
    answered = [r for r in fixes if r.answered_on is not None]
    return {
        "reviewed": len(rows),
        "ok": len(rows) - len(fixes),
        "fix": len(fixes),
        "answered": len(answered),
        "on_time": sum(1 for r in answered if not r.is_late(r.review.deadline, today)),
        "late": sum(1 for r in fixes if r.is_late(r.review.deadline, today)),
        "open": sum(1 for r in fixes if not r.closed),
        "rows": [{"id": r.id, "review": r.review.title, "project": r.matter.project,
                  "completed": r.matter.completed_date, "finding": r.finding, "requirement": r.requirement,
                  "state": r.state, "deadline": r.review.deadline, "answered_on": r.answered_on,
                  "late": r.is_late(r.review.deadline, today)} for r in rows],
    }

