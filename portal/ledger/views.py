"""服务台账 — a department's investors and matters, their figures, the status control, the export and
the office's city overview; the answers to 好差评; the holiday list. Department users write their own
ledger; the office and the leader read any department's through ?dept=<code>."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from .. import clock, htmx, listing, rules
from ..access import (any_role, department_required, get_scoped_or_404, office_required, staff_required,
                     viewed_department)
from ..audit import write
from ..files import download_name, send_xlsx
from ..files.ledger import ledger_workbook
from ..models import Evaluation, Holiday, Investor, Matter, Setting
from . import bp, service
from .forms import AnswerDaysForm, AnswerForm, HolidayForm, InvestorForm, MatterForm, StatusForm
from .service import SORT_COLUMNS, apply_filters, matters, parse_month

NEXT_STATES = rules.MATTER_NEXT_STATES


@bp.route("/")
@any_role
def index():
    """服务台账: the department's matters with figures, filters, sorting and pages.

    The office and the leader reach a department with ?dept=<code>; without it they get the city
    overview."""
    dept = viewed_department()
    if dept is None:
        return redirect(url_for("ledger.overview"))
    today = clock.today()
    query = apply_filters(matters(dept), request.args, today)
    query, sort = listing.sort(query, SORT_COLUMNS, "-received")
    page = listing.paginate(query.order_by_extend(Matter.id.desc()))
    items, officers = service.filter_choices(dept)
    return htmx.render("ledger/index.html", "ledger/_table.html", dept=dept, page=page, sort=sort,
                       figures=service.ledger_figures(dept, today, request.args), items=items, officers=officers,
                       can_write=current_user.is_department, next_states=NEXT_STATES,
                       month_span=parse_month(request.args.get("month")), states=rules.MATTER_STATES)


@bp.route("/figures")
@any_role
def figures():
    """The figures block alone, refreshed after a status change (htmx)."""
    dept = viewed_department(optional=False)
    return render_template("ledger/_figures.html", dept=dept, figures=service.ledger_figures(dept, clock.today(), request.args),
                           month_span=parse_month(request.args.get("month")))


# --- matters ---------------------------------------------------------------------------------------


@bp.route("/matters/new", methods=["GET", "POST"])
@department_required
def matter_new():
    """登记台账事项: a new matter of the department's ledger."""
    form = MatterForm()
    if request.method == "GET":
        form.received_date.data = clock.today()
        if request.args.get("investor"):
            form.investor.data = request.args["investor"]
    # A successful POST needs only the department's id: no query for the department itself.
    matter = service.save_matter(form, current_user.department_id) if request.method == "POST" else None
    if matter is not None:
        flash(f"已登记台账事项：{matter.project}", "success")
        _warn_visits(matter)
        return redirect(url_for("ledger.index"))
    dept = current_user.department
    if request.method == "GET":
        service.matter_choices(form, dept)
    status = 422 if request.method == "POST" else 200
    return render_template("ledger/matter_form.html", form=form, matter=None, dept=dept), status


def _warn_visits(matter) -> None:
    """The plan's own warning, said again once the matter is saved: it counts against 最多跑一次率."""
    if rules.visits_over_limit(matter.visits):
        flash(f"跑动次数为{matter.visits}次，超过“最多跑一次”：该事项办结后计入最多跑一次率的未达标事项。", "warning")


@bp.route("/matters/<int:matter_id>/edit", methods=["GET", "POST"])
@department_required
def matter_edit(matter_id: int):
    """修改台账事项 (own department only)."""
    matter = get_scoped_or_404(Matter, matter_id)
    dept = current_user.department
    form = MatterForm(obj=None if request.method == "POST" else service.matter_data(matter))
    if request.method == "POST":
        if service.save_matter(form, dept, matter) is not None:
            flash(f"已保存台账事项：{matter.project}", "success")
            _warn_visits(matter)
            return redirect(url_for("ledger.index"))
        return render_template("ledger/matter_form.html", form=form, matter=matter, dept=dept), 422
    service.matter_choices(form, dept, matter)
    return render_template("ledger/matter_form.html", form=form, matter=matter, dept=dept)


def _row_response(matter, error=None, status=200):
    row = matters().where(Matter.id == matter.id).get()
    response = htmx.render("ledger/_row.html", None, status, m=row, error=error,
                           can_write=True, next_states=NEXT_STATES)
    if status == 200:
        htmx.trigger(response, "ledger-changed")
    return response


@bp.route("/matters/<int:matter_id>/status", methods=["POST"])
@department_required
def matter_status(matter_id: int):
    """办理状态: move a matter on in place (已受理 → 办理中 → 已办结, or 已退回) from its row."""
    matter = get_scoped_or_404(Matter, matter_id)
    form = StatusForm()
    error = form.check(matter, clock.today())
    if error:
        if not htmx.is_htmx():
            return htmx.flash_redirect(error, "error", "ledger.index")
        return _row_response(matter, error=error, status=422)
    with write() as w:
        service.set_status(w, matter, form)
    if not htmx.is_htmx():
        return htmx.flash_redirect(f"「{matter.project}」已改为{form.status.data}", "success", "ledger.index")
    return _row_response(matter)


@bp.route("/export")
@any_role
def export():
    """导出台账 (.xlsx): the rows the page shows with its filters; the whole city for the office and
    the leader when no department is chosen."""
    dept = viewed_department()
    today = clock.today()
    query = apply_filters(matters(dept), request.args, today)
    query, _ = listing.sort(query, SORT_COLUMNS, "-received")
    rows = list(query.order_by_extend(Matter.id.desc()))
    title = f"{dept.name}服务台账" if dept else "赤壁市首席服务员服务台账"
    data = ledger_workbook(rows, title=title, today=today, with_department=dept is None)
    return send_xlsx(data, download_name(dept.name if dept else "赤壁市", "首席服务员服务台账", day=today,
                                           ascii=f"{dept.code if dept else 'chibi-city'}-service-ledger"))


@bp.route("/overview")
@staff_required
def overview():
    """全市台账概况: each department's ledger figures, with links to its ledger and overdue matters."""
    rows, city, sort = service.city_overview(clock.today(), request.args.get("sort", ""))
    return render_template("ledger/overview.html", rows=rows, city=city, sort=sort)


# --- investors -------------------------------------------------------------------------------------


@bp.route("/investors")
@any_role
def investors():
    """投资者/企业: the department's investors, searchable by name or 统一社会信用代码."""
    dept = viewed_department(optional=False)
    text = (request.args.get("q") or "").strip()
    query, count = Investor.listed(dept, text)
    query, sort = listing.sort(query, {"name": Investor.name, "code": Investor.credit_code,
                                       "matters": count, "created": Investor.created_at}, "name")
    page = listing.paginate(query.order_by_extend(Investor.id))
    return htmx.render("ledger/investors.html", "ledger/_investor_table.html", dept=dept, page=page, sort=sort,
                       q=text, can_write=current_user.is_department)


@bp.route("/investors/new", methods=["GET", "POST"])
@department_required
def investor_new():
    """新增投资者/企业."""
    form = InvestorForm()
    if request.method == "POST":
        investor = service.save_investor(form, current_user.department)
        if investor is not None:
            return htmx.flash_redirect(f"已添加企业：{investor.name}", "success", "ledger.investors")
        return render_template("ledger/investor_form.html", form=form, investor=None), 422
    return render_template("ledger/investor_form.html", form=form, investor=None)


@bp.route("/investors/<int:investor_id>/edit", methods=["GET", "POST"])
@department_required
def investor_edit(investor_id: int):
    """修改投资者/企业 (own department only)."""
    investor = get_scoped_or_404(Investor, investor_id)
    form = InvestorForm(obj=investor if request.method == "GET" else None)
    if request.method == "POST":
        if service.save_investor(form, current_user.department, investor) is not None:
            return htmx.flash_redirect(f"已保存企业：{investor.name}", "success", "ledger.investors")
        return render_template("ledger/investor_form.html", form=form, investor=investor), 422
    return render_template("ledger/investor_form.html", form=form, investor=investor)


# --- 好差评 (evaluations) ------------------------------------------------------------------------
# A department reads its evaluations and answers each 差评 (核实情况, 整改措施, 回访结果) before its
# deadline; the office sees every department's, the open and late bad reviews and the satisfaction
# rate, and sets the answer deadline. The leader reads.


@bp.route("/evaluations")
@any_role
def evaluations():
    """好差评: the evaluations of the department (or of the city for the office and the leader), with
    figures, filters (差评 / 待答复 / 超期) and, for the office, the satisfaction rate per department."""
    days_form = None
    if current_user.is_office:
        days_form = AnswerDaysForm(formdata=None, days=Setting.get_value("evaluation_answer_days"))
    return _evaluations_page(days_form)


def _evaluations_page(days_form, status: int = 200):
    dept = viewed_department()
    today = clock.today()
    query = service.evaluations_filtered(Evaluation.with_department(dept), request.args, today)
    query, sort = listing.sort(query, {"created": Evaluation.created_at, "level": Evaluation.level,
                                       "deadline": Evaluation.deadline}, "-created")
    page = listing.paginate(query.order_by_extend(Evaluation.id.desc()), 20)
    summary = service.department_summary(today, dept)
    return htmx.render("ledger/evaluations.html", "ledger/_evaluation_table.html", status, dept=dept,
                       page=page, sort=sort, summary=summary if dept is None else None, totals=service.city_total(summary),
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
            return htmx.flash_redirect(
                "该差评已答复，答复不能再修改。",
                "warning", "ledger.evaluation_answer", evaluation_id=evaluation.id)
        if form.validate_on_submit():
            with write() as w:
                late = service.answer(w, evaluation, form, current_user.id)
            return htmx.flash_redirect("答复已保存。" + ("已超过答复期限，将标记为超期答复。" if late else ""), "warning" if late else "success", "ledger.evaluations", bad=1)
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
        return _evaluations_page(form, status=422)
    with write() as w:
        w.set_setting("evaluation_answer_days", form.days.data)
    return htmx.flash_redirect(f"差评答复时限已设为{form.days.data}个工作日，自此后收到的差评起执行。", "success", "ledger.evaluations")


# --- 节假日安排 (holidays) -------------------------------------------------------------------------
# The office keeps the list of public holidays (法定节假日) and make-up working days (调休上班日) that
# every working-day deadline counts with (承诺办结日期, 差评答复期限 …).


WEEKDAYS = "一二三四五六日"


def _year() -> int:
    value = request.args.get("year", "")
    return int(value) if value.isdigit() and 2000 <= int(value) <= 2100 else clock.today().year


def _holidays_page(form: HolidayForm, status: int = 200):
    year = _year()
    days = list(Holiday.of_year(year))
    this_year = clock.today().year
    years = sorted(Holiday.years() | {this_year, this_year + 1, year})
    return render_template("ledger/holidays.html", form=form, days=days, year=year, years=years,
                           weekdays=WEEKDAYS), status


@bp.route("/holidays", methods=["GET", "POST"])
@office_required
def holidays():
    """节假日安排: the year's holidays and make-up working days; the office adds a day here."""
    form = HolidayForm()
    if request.method == "GET":
        return _holidays_page(form)
    if not form.validate_on_submit():
        return _holidays_page(form, 422)
    error = service.add_holiday(form)
    if error:
        form.day.errors.append(error)
        return _holidays_page(form, 422)
    kind = "调休上班日" if form.kind.data == "on" else "法定节假日"
    return htmx.flash_redirect(
        f"已添加{kind}：{form.day.data.isoformat()} {form.name.data.strip()}",
        "success", "ledger.holidays", year=form.day.data.year)


@bp.route("/holidays/<int:holiday_id>/delete", methods=["POST"])
@office_required
def holiday_delete(holiday_id: int):
    """删除节假日: removes one day from the list (asked for confirmation first; the log keeps it)."""
    day = Holiday.get_or_none(Holiday.id == holiday_id)
    if day is None:
        return htmx.flash_redirect("该日期已不在节假日安排中。", "warning", "ledger.holidays")
    with write() as w:
        w.delete(day)
    return htmx.flash_redirect(
        f"已删除：{day.day.isoformat()} {day.name}",
        "success", "ledger.holidays", year=day.day.year)
