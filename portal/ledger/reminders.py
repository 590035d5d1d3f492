"""待办提醒 of the ledger and of 好差评: for a department, the bad reviews it must answer and its overdue
matters; for the office, the bad reviews across the city left unanswered past their deadline and the
overdue matters across the city.
Each source costs one or two queries whatever the number of records."""
from __future__ import annotations

from flask import url_for
from peewee import fn

from .. import reminders, rules
from ..models import Evaluation, Matter


@reminders.source
def bad_reviews_to_answer(user, today):
    """A department's 差评 waiting for an answer, each with its deadline."""
    if not user.is_department:
        return []
    rows = (Evaluation.select(Evaluation.id, Evaluation.level, Evaluation.deadline, Evaluation.created_at)
            .where((Evaluation.department == user.department_id) & Evaluation.open_condition())
            .order_by(Evaluation.deadline))
    return [reminders.Reminder(
        area="好差评",
        text=f"{e.created_at:%Y-%m-%d} 收到的“{rules.EVALUATION_LEVELS[e.level]}”评价待答复（核实、整改、回访）",
        url=url_for("ledger.evaluation_answer", evaluation_id=e.id), deadline=e.deadline,
        overdue=bool(e.deadline) and today > e.deadline, endpoint="ledger.evaluations") for e in rows]


@reminders.source
def overdue_matters(user, today):
    """A department's ledger matters past their promised date and not finished (逾期)."""
    if not user.is_department:
        return []
    n, oldest = (Matter.select(fn.COUNT(Matter.id), fn.MIN(Matter.promised_date))
                 .where((Matter.department == user.department_id) & Matter.overdue_condition(today))
                 .scalar(as_tuple=True))
    if not n:
        return []
    return [reminders.Reminder(area="服务台账", text=f"{n}件台账事项已超过承诺办结日期，尚未办结",
                               url=url_for("ledger.index", status="overdue"), deadline=oldest, overdue=True,
                               count=n, endpoint="ledger.index")]


@reminders.source
def late_bad_reviews(user, today):
    """For the office: 差评 anywhere in the city still unanswered after their deadline."""
    if not user.is_office:
        return []
    n, oldest = (Evaluation.select(fn.COUNT(Evaluation.id), fn.MIN(Evaluation.deadline))
                 .where(Evaluation.open_condition() & (Evaluation.deadline < today)).scalar(as_tuple=True))
    if not n:
        return []
    return [reminders.Reminder(area="好差评", text=f"全市有{n}条差评超过答复期限仍未答复",
                               url=url_for("ledger.evaluations", late=1, open=1), deadline=oldest, overdue=True,
                               count=n, endpoint="ledger.evaluations")]


@reminders.source
def city_overdue_matters(user, today):
    """For the office: ledger matters anywhere in the city past their promised date and not finished,
    with how many departments they belong to; the overview lists the departments, most overdue first."""
    if not user.is_office:
        return []
    n, departments, oldest = (
        Matter.select(fn.COUNT(Matter.id), fn.COUNT(Matter.department.distinct()), fn.MIN(Matter.promised_date))
        .where(Matter.overdue_condition(today)).scalar(as_tuple=True))
    if not n:
        return []
    return [reminders.Reminder(area="服务台账", text=f"全市{departments}个部门共有{n}件台账事项超过承诺办结日期仍未办结",
                               url=url_for("ledger.overview", sort="-overdue"), deadline=oldest, overdue=True,
                               count=n, endpoint="ledger.overview")]
