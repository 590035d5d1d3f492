"""抽查 reminders: findings to answer (departments), answers to close and overdue findings (office)."""
from __future__ import annotations

import datetime as dt

from flask import url_for

from .. import reminders
from ..models import Case, OversightReview, ReviewFinding, fn
from .service import count_where

F = ReviewFinding


@reminders.source
def oversight_todo(user, today):
    """For a department: 需整改 findings to answer (deadline, overdue). For the office: answers waiting
    to be closed, findings overdue city-wide, sampled matters without a finding yet. One query."""
    if user.is_leader:
        return []
    unanswered = F.state_is(F.TO_FIX) | F.state_is(F.RETURNED)
    overdue = unanswered & (OversightReview.deadline < today)
    due = unanswered & (OversightReview.deadline >= today)
    q = F.select(count_where(overdue).alias("overdue"), count_where(due).alias("due"),
                 fn.MIN(Case(None, [(overdue, OversightReview.deadline)])).alias("overdue_since"),
                 fn.MIN(Case(None, [(due, OversightReview.deadline)])).alias("next_deadline"),
                 count_where(F.state_is(F.ANSWERED)).alias("answered"),
                 count_where(F.state_is(F.PENDING)).alias("pending")).join(OversightReview)
    if user.is_department:
        q = q.where(F.department == user.department_id)
    row = q.dicts().get()
    n_overdue, n_due = int(row["overdue"] or 0), int(row["due"] or 0)
    out = []

    def day(value):
        return value if isinstance(value, dt.date) or value is None else dt.date.fromisoformat(str(value)[:10])

    if user.is_department:
        if n_overdue:
            out.append(reminders.Reminder(area="抽查整改", text=f"抽查发现的问题逾期未答复 {n_overdue} 件",
                                          url=url_for("oversight.findings", state="待答复", late="1"),
                                          deadline=day(row["overdue_since"]), overdue=True, count=n_overdue,
                                          endpoint="oversight.findings"))
        if n_due:
            out.append(reminders.Reminder(area="抽查整改", text=f"抽查发现的问题待答复整改情况 {n_due} 件",
                                          url=url_for("oversight.findings", state="待答复"),
                                          deadline=day(row["next_deadline"]), count=n_due, endpoint="oversight.findings"))
        return out
    n_answered, n_pending = int(row["answered"] or 0), int(row["pending"] or 0)
    if n_answered:
        out.append(reminders.Reminder(area="抽查", text=f"部门已答复整改情况、待确认销号 {n_answered} 件",
                                      url=url_for("oversight.findings", state=F.ANSWERED), count=n_answered,
                                      endpoint="oversight.index"))
    if n_overdue:
        out.append(reminders.Reminder(area="抽查", text=f"抽查整改逾期未答复 {n_overdue} 件",
                                      url=url_for("oversight.findings", state="待答复", late="1"),
                                      deadline=day(row["overdue_since"]), overdue=True, count=n_overdue,
                                      endpoint="oversight.index"))
    if n_pending:
        out.append(reminders.Reminder(area="抽查", text=f"抽查事项待录入结论 {n_pending} 件",
                                      url=url_for("oversight.index"), count=n_pending, endpoint="oversight.index"))
    return out
