"""好差评 inside the portal: a department reads its evaluations and answers each 差评 (核实情况,
整改措施, 回访结果) before its deadline; the office sees every department's, the open and late bad
reviews and the satisfaction rate, and sets the answer deadline. The leader reads."""
from __future__ import annotations

import datetime as dt

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from peewee import Case, fn

from .. import clock, htmx, listing, rules
from ..access import any_role, get_scoped_or_404, office_required
from ..audit import write
from ..models import Department, Evaluation, Setting
from . import bp
from .forms import AnswerDaysForm, AnswerForm
from .service import viewed_department


def stamp() -> dt.datetime:
    """Now, on the portal's today (clock.today), so that dates agree with deadlines in demos and tests."""
    return dt.datetime.combine(clock.today(), clock.now().time())


def filtered(query, args, today: dt.date):
    """?bad=1 差评, ?open=1 待答复, ?late=1 超期, ?level=N."""
    if args.get("bad") == "1":
        query = query.where(Evaluation.level.in_(rules.BAD_LEVELS))
    if args.get("open") == "1":
        query = query.where(Evaluation.open_condition())
    if args.get("late") == "1":
        query = query.where(Evaluation.late_condition(today))
    level = args.get("level", "")
    if level.isdigit() and int(level) in rules.EVALUATION_LEVELS:
        query = query.where(Evaluation.level == int(level))
    return query


def department_summary(today: dt.date, department=None) -> list[dict]:
    """Per department: evaluations, 满意率 (rules.satisfaction_rate), 差评, open and late — two queries."""
    levels: dict[int, list[int]] = {}
    q = Evaluation.select(Evaluation.department, Evaluation.level, fn.COUNT(Evaluation.id)).group_by(
        Evaluation.department, Evaluation.level)
    if department is not None:
        q = q.where(Evaluation.department == department)
    for dept_id, level, n in q.tuples():
        levels.setdefault(dept_id, []).extend([level] * n)
    open_sum = fn.SUM(Case(None, [(Evaluation.open_condition(), 1)], 0))
    late_sum = fn.SUM(Case(None, [(Evaluation.late_condition(today), 1)], 0))
    q = Evaluation.select(Evaluation.department, open_sum, late_sum).group_by(Evaluation.department)
    if department is not None:
        q = q.where(Evaluation.department == department)
    counts = {dept_id: (int(o or 0), int(late or 0)) for dept_id, o, late in q.tuples()}
    depts = [department] if department is not None else list(Department.active_ordered())
    out = []
    for d in depts:
        lv = levels.get(d.id, [])
        out.append({"dept": d, "total": len(lv), "rate": rules.satisfaction_rate(lv),
                    "bad": sum(1 for x in lv if rules.is_bad_review(x)),
                    "by_level": {k: lv.count(k) for k in rules.EVALUATION_LEVELS},
                    "open": counts.get(d.id, (0, 0))[0], "late": counts.get(d.id, (0, 0))[1]})
    return out


def city_total(summary: list[dict]) -> dict:
    levels = [k for s in summary for k, n in s["by_level"].items() for _ in range(n)]
    return {"total": len(levels), "rate": rules.satisfaction_rate(levels),
            "bad": sum(s["bad"] for s in summary), "open": sum(s["open"] for s in summary),
            "late": sum(s["late"] for s in summary)}


@bp.route("/evaluations")
@any_role
def evaluations():
    """好差评: the evaluations of the department (or of the city for the office and the leader), with
    figures, filters (差评 / 待答复 / 超期) and, for the office, the satisfaction rate per department."""
    days_form = None
    if current_user.is_office:
        days_form = AnswerDaysForm(formdata=None, days=Setting.get_value("evaluation_answer_days"))
    return _page(days_form)


def _page(days_form, status: int = 200):
    dept = viewed_department()
    today = clock.today()
    query = Evaluation.select(Evaluation, Department).join(Department)
    if dept is not None:
        query = query.where(Evaluation.department == dept)
    query = filtered(query, request.args, today)
    query, sort = listing.sort(query, {"created": Evaluation.created_at, "level": Evaluation.level,
                                       "deadline": Evaluation.deadline}, "-created")
    page = listing.paginate(query.order_by_extend(Evaluation.id.desc()), 20)
    summary = department_summary(today, dept)
    return htmx.render("ledger/evaluations.html", "ledger/_evaluation_table.html", status, dept=dept,
                       page=page, sort=sort, summary=summary if dept is None else None, totals=city_total(summary),
                       days_form=days_form, answer_days=Setting.get_value("evaluation_answer_days"), today=today)


@bp.route("/evaluations/<int:evaluation_id>/answer", methods=["GET", "POST"])
@any_role
def evaluation_answer(evaluation_id: int):
    """差评答复: the department records 核实情况, 整改措施 and 回访结果 once; others read it."""
    evaluation = get_scoped_or_404(Evaluation, evaluation_id)
    if not evaluation.is_bad:
        abort(404)  # only 不满意 / 非常不满意 are answered
    can_answer = current_user.is_department and evaluation.answered_at is None
    form = AnswerForm()
    if request.method == "POST":
        if not current_user.is_department:
            abort(403)
        if evaluation.answered_at is not None:
            flash("该差评已答复，答复不能再修改。", "warning")
            return redirect(url_for("ledger.evaluation_answer", evaluation_id=evaluation.id))
        if form.validate_on_submit():
            with write() as w:
                w.update(evaluation, action="answer", verified=form.verified.data.strip(),
                         remedy=form.remedy.data.strip(), callback=form.callback.data.strip(),
                         answered_at=stamp(), answered_by=current_user.id)
            today = clock.today()
            late = bool(evaluation.deadline) and rules.answer_late(evaluation.deadline, today, today)
            flash("答复已保存。" + ("已超过答复期限，将标记为超期答复。" if late else ""), "warning" if late else "success")
            return redirect(url_for("ledger.evaluations", bad=1))
    today = clock.today()
    late = bool(evaluation.deadline) and rules.answer_late(
        evaluation.deadline, evaluation.answered_at.date() if evaluation.answered_at else None, today)
    status = 422 if request.method == "POST" else 200
    return render_template("ledger/evaluation_answer.html", e=evaluation, form=form, can_answer=can_answer,
                           late=late, today=today), status


@bp.route("/evaluations/settings", methods=["POST"])
@office_required
def evaluation_settings():
    """差评答复时限: the office sets the working days a department has to answer a bad review."""
    form = AnswerDaysForm()
    if not form.validate_on_submit():
        return _page(form, status=422)
    before = Setting.get_value("evaluation_answer_days")
    if before != form.days.data:
        with write() as w:
            Setting.set_value("evaluation_answer_days", form.days.data)
            w.log("setting", Setting.get_by_id("evaluation_answer_days"), {"evaluation_answer_days": before},
                  {"evaluation_answer_days": form.days.data})
    flash(f"差评答复时限已设为{form.days.data}个工作日，自此后收到的差评起执行。", "success")
    return redirect(url_for("ledger.evaluations"))
