"""亮点案例 — a department submits a short case of good practice (title, text, date, optional photo);
the office approves it for publication (已发布) or returns it with a comment (已退回), after which the
department edits and resubmits it (待审核). Approved cases appear on the public pages and in the Word
export the office sends to the media.

    待审核 --approve--> 已发布 --return (撤下)--> 已退回 --edit and resubmit--> 待审核
    待审核 --return--> 已退回
"""
from __future__ import annotations

import datetime as dt

from .. import rules
from ..models import AuditLog, Department, HighlightCase, User

CASE_PENDING, CASE_PUBLISHED, CASE_RETURNED = rules.CASE_STATES  # 待审核, 已发布, 已退回
PHOTO_MAX_BYTES = 2 * 1024 * 1024
TITLE_MAX = 100
BODY_MAX = 5000
EARLIEST = dt.date(2000, 1, 1)
# The department may change a case the office has not published; a published one is fixed until the
# office takes it down (returns it).
EDITABLE = (CASE_PENDING, CASE_RETURNED)
ACTION_LABELS = {"create": "提交", "update": "修改", "resubmit": "修改后重新提交", "approve": "审核通过并发布",
                 "return": "退回", "delete": "删除"}


def history(case) -> tuple[list, dict]:
    """The case's history from the audit log (when, who, what) and the display names of the people."""
    rows = list(AuditLog.for_record(HighlightCase._meta.table_name, case.id)
                .select(AuditLog.at, AuditLog.username, AuditLog.action))
    names = dict(User.select(User.username, User.display_name)
                 .where(User.username.in_([h.username for h in rows])).tuples()) if rows else {}
    return rows, names


def published(department=None, year: int | None = None):
    """The published cases of active departments for the Word export, in the departments' order."""
    q = (HighlightCase.select(HighlightCase, Department).join(Department)
         .where((HighlightCase.state == CASE_PUBLISHED) & (Department.active == True))  # noqa: E712
         .order_by(Department.sort_order, Department.id, HighlightCase.case_date, HighlightCase.id))
    if department is not None:
        q = q.where(HighlightCase.department == department)
    if year is not None:
        q = q.where((HighlightCase.case_date >= dt.date(year, 1, 1)) & (HighlightCase.case_date <= dt.date(year, 12, 31)))
    return q
