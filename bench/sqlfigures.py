"""The baseline of "recomputing all dashboard figures": the same figures as portal.metrics.compute,
computed by hand-written SQL through the standard library's sqlite3 — or, for `make bench-pg`, through
psycopg on the same PostgreSQL server (compute_pg) — with no ORM and no Flask, and the few figures that
are not aggregates (gap days) done by the shortest Python that gives the same answer. The SQL is the
one dialect both engines read (FILTER on aggregates, booleans tested as such).

`compute(path, today)` returns the city totals it found, which the benchmark compares with the portal's
own: a baseline that computed less would make the ratio meaningless.
"""
from __future__ import annotations

import datetime as dt
import sqlite3
from collections import defaultdict

EXEMPT = ("涉密", "涉及重大公共安全", "涉及公民生命财产安全")


def _d(value):
    if value is None or isinstance(value, dt.date):
        return value.date() if isinstance(value, dt.datetime) else value
    return dt.date.fromisoformat(value[:10])


def compute(path: str, today: dt.date) -> dict:
    con = sqlite3.connect(path)
    try:
        return _compute(con.execute, today.isoformat(), today)
    finally:
        con.close()


def compute_pg(url: str, today: dt.date) -> dict:
    """The same figures through psycopg (one connection, autocommit reads)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as con:
        def q(sql, params=()):
            return con.execute(sql.replace("?", "%s"), params)

        return _compute(q, today, today)


def _compute(q, t, today: dt.date) -> dict:
    """``q(sql, params)`` runs a statement (? placeholders); ``t`` is today as the driver binds it."""
    depts = {row[0]: row for row in q("SELECT id, has_window, several_officers FROM department WHERE active")}

    items = defaultdict(lambda: defaultdict(int))
    for dept, inclusion, reason, item_type, n in q(
            "SELECT department_id, inclusion, reason, item_type, COUNT(*) FROM service_item WHERE NOT retired "
            "GROUP BY department_id, inclusion, reason, item_type"):
        d = items[dept]
        d["total"] += n
        d[inclusion] += n
        d["type:" + item_type] += n
        if inclusion == "未纳入" and reason in EXEMPT:
            d["exempt"] += n

    unassigned = dict(q(
        "SELECT s.department_id, COUNT(*) FROM service_item s WHERE NOT s.retired AND s.inclusion = '纳入' "
        "AND NOT EXISTS (SELECT 1 FROM letter_item li JOIN letter l ON l.id = li.letter_id "
        "JOIN officer o ON o.id = l.officer_id WHERE li.item_id = s.id AND l.officer_id = s.officer_id "
        "AND l.state = '已签发' AND o.term_start <= ? AND (o.term_end IS NULL OR o.term_end >= ?) "
        "AND o.department_id = s.department_id) GROUP BY s.department_id", (t, t)))

    start = _d(q("SELECT value FROM setting WHERE key = 'system_start'").fetchone()[0].strip('"'))
    terms = defaultdict(list)
    serving = defaultdict(int)
    for dept, s, e in q("SELECT department_id, term_start, term_end FROM officer"):
        s, e = _d(s), _d(e)
        terms[dept].append((s, e))
        serving[dept] += s <= today and (e is None or e >= today)
    authorised = dict(q(
        "SELECT o.department_id, COUNT(DISTINCT l.officer_id) FROM letter l JOIN officer o ON o.id = l.officer_id "
        "WHERE l.state = '已签发' AND o.term_start <= ? AND (o.term_end IS NULL OR o.term_end >= ?) "
        "GROUP BY o.department_id", (t, t)))
    gap_days = 0
    for dept, row in depts.items():
        if not row[1]:
            continue
        covered_until = start - dt.timedelta(days=1)
        for s, e in sorted(terms[dept]):
            if s > covered_until + dt.timedelta(days=1):
                gap_days += (min(s, today + dt.timedelta(days=1)) - covered_until).days - 1
            covered_until = max(covered_until, e or today)
            if covered_until >= today:
                break
        if covered_until < today:
            gap_days += (today - covered_until).days

    reports = list(q("SELECT department_id, outgoing_id, early, reason, state FROM tenure_report"))
    reports_open = sum(state in ("待确认", "已退回") for *_, state in reports)

    lists = list(q("SELECT department_id, revision, year, state, submitted_at, published FROM item_list"))

    ledger = q(
        "SELECT department_id, COUNT(*), "
        "COUNT(*) FILTER (WHERE status IN ('已受理', '办理中')), "
        "COUNT(*) FILTER (WHERE status IN ('已受理', '办理中') AND promised_date IS NOT NULL AND promised_date < ?), "
        "COUNT(*) FILTER (WHERE status = '已办结'), "
        "COUNT(*) FILTER (WHERE status = '已办结' AND promised_date IS NOT NULL AND completed_date IS NOT NULL), "
        "COUNT(*) FILTER (WHERE status = '已办结' AND promised_date IS NOT NULL AND completed_date IS NOT NULL "
        "AND completed_date <= promised_date), "
        "COUNT(*) FILTER (WHERE status = '已办结' AND visits <= 1), COUNT(*) FILTER (WHERE handling = '网上办'), "
        "COUNT(*) FILTER (WHERE handling = '代办'), COUNT(*) FILTER (WHERE handling = '上门办') "
        "FROM matter GROUP BY department_id", (t,)).fetchall()

    evaluations = q(
        "SELECT department_id, COUNT(*), COUNT(*) FILTER (WHERE level IN (4, 5)), COUNT(*) FILTER (WHERE level IN (1, 2)), "
        "COUNT(*) FILTER (WHERE level IN (1, 2) AND answered_at IS NULL) FROM evaluation GROUP BY department_id").fetchall()
    late_bad = q("SELECT department_id, deadline, answered_at FROM evaluation "
                 "WHERE level IN (1, 2) AND deadline IS NOT NULL").fetchall()

    parts = q("SELECT p.joint_id, p.department_id, p.deadline, p.decision FROM joint_part p "
              "JOIN joint_matter j ON j.id = p.joint_id WHERE p.decision IS NULL OR p.decision <> '同意'").fetchall()
    documents = q("SELECT DISTINCT department_id, kind FROM rule_document WHERE replaced_by_id IS NULL "
                  "AND kind IN ('实施方案', '管理办法')").fetchall()
    findings = q("SELECT f.department_id, r.deadline, f.answered_on, f.closed FROM review_finding f "
                 "JOIN oversight_review r ON r.id = f.review_id WHERE f.finding = '需整改'").fetchall()
    since = today - dt.timedelta(days=90)
    trend = q("SELECT day, figures FROM daily_snapshot WHERE day >= ? AND day < ? ORDER BY day",
              (since.isoformat() if isinstance(t, str) else since, t)).fetchall()

    return {
        "departments": len(depts),
        "items": sum(d["total"] for k, d in items.items() if k in depts),
        "included": sum(d["纳入"] for k, d in items.items() if k in depts),
        "exempt": sum(d["exempt"] for k, d in items.items() if k in depts),
        "unassigned": sum(n for k, n in unassigned.items() if k in depts),
        "serving": sum(n for k, n in serving.items() if k in depts),
        "authorised": sum(n for k, n in authorised.items() if k in depts),
        "gap_days": gap_days,
        "reports_open": reports_open,
        "lists": len(lists),
        "ledger_total": sum(r[1] for r in ledger if r[0] in depts),
        "ledger_open": sum(r[2] for r in ledger if r[0] in depts),
        "ledger_overdue": sum(r[3] for r in ledger if r[0] in depts),
        "evaluations": sum(r[1] for r in evaluations if r[0] in depts),
        "bad_open": sum(r[4] for r in evaluations if r[0] in depts),
        "late_bad_rows": len(late_bad),
        "joint_parts_open": len(parts),
        "documents": len(documents),
        "findings_fix": len(findings),
        "trend": len(trend),
    }


# The totals both computations must agree on (portal.metrics.City.totals key → key here).
CHECKED = ("items", "included", "exempt", "unassigned", "serving", "authorised", "gap_days", "reports_open",
           "ledger_total", "ledger_open", "ledger_overdue", "evaluations", "bad_open", "findings_fix")
