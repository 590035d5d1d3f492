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
    count = {key: int(row[key] or 0) for key in ("overdue", "due", "answered", "pending")}
    department = user.is_department
    # A department works its findings from their list; the office is sent to the reviews.
    area, endpoint = ("抽查整改", "oversight.findings") if department else ("抽查", "oversight.index")

    def day(value):
        return value if isinstance(value, dt.date) or value is None else dt.date.fromisoformat(str(value)[:10])

    out = []

    def add(key, text, url, **extra):
        if count[key]:
            out.append(reminders.Reminder(area=area, text=f"{text} {count[key]} 件", url=url, count=count[key],
                                          endpoint=endpoint, **extra))

    if not department:
        add("answered", "部门已答复整改情况、待确认销号", url_for("oversight.findings", state=F.ANSWERED))
    add("overdue", "抽查发现的问题逾期未答复" if department else "抽查整改逾期未答复",
        url_for("oversight.findings", state="待答复", late="1"), deadline=day(row["overdue_since"]), overdue=True)
    if department:
        add("due", "抽查发现的问题待答复整改情况", url_for("oversight.findings", state="待答复"),
            deadline=day(row["next_deadline"]))
    else:
        add("pending", "抽查事项待录入结论", url_for("oversight.index"))
    return out
