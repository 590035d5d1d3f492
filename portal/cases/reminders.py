"""亮点案例 reminders: returned cases to resubmit (department), cases to review (office)."""
from __future__ import annotations

from flask import url_for

from .. import reminders
from ..models import Department, HighlightCase
from .service import CASE_PENDING, CASE_RETURNED



@reminders.source
def case_reminders(user, today):
    """待办: a department's returned cases to edit and resubmit; the office's cases waiting for review."""
    if user.is_department:
        n = HighlightCase.select().where((HighlightCase.department == user.department_id)
                                         & (HighlightCase.state == CASE_RETURNED)).count()
        if n:
            return [reminders.Reminder(area="亮点案例", text=f"{n} 个亮点案例被协调办退回，请按意见修改后重新提交",
                                       url=url_for("cases.index", state=CASE_RETURNED), count=n,
                                       endpoint="cases.index")]
    elif user.is_office:
        n = (HighlightCase.select().join(Department)
             .where((HighlightCase.state == CASE_PENDING) & (Department.active == True)).count())  # noqa: E712
        if n:
            return [reminders.Reminder(area="亮点案例", text=f"{n} 个亮点案例待审核",
                                       url=url_for("cases.index", state=CASE_PENDING), count=n,
                                       endpoint="cases.index")]
    return []
