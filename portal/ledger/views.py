"""服务台账 — a department's investors and matters, their figures, the status control, the export and
the office's city overview; the answers to 好差评; the holiday list. Department users write their own
ledger; the office and the leader read any department's through ?dept=<code>."""
from __future__ import annotations

import datetime as dt

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from peewee import JOIN, Case, IntegrityError, fn
from wtforms.fields.choices import SelectChoice

from .. import clock, htmx, listing, rules
from ..access import any_role, department_required, get_scoped_or_404, office_required, staff_required
from ..audit import write
from ..db import db
from ..exports import download_name, send_xlsx
from ..exports.ledger import ledger_workbook
from ..models import Department, Evaluation, Holiday, Investor, Matter, Officer, ServiceItem, Setting
from . import bp
from .forms import AnswerDaysForm, AnswerForm, HolidayForm, InvestorForm, MatterForm
from .service import (NEXT_STATES, SORT_COLUMNS, apply_filters, matters, month_filter, parse_month,
                    viewed_department)


def _filter_choices(dept):
    """Items and officers of the department for the filter selects (two queries)."""
    items = list(ServiceItem.for_department(dept, include_retired=True).select(
        ServiceItem.id, ServiceItem.item_name, ServiceItem.sub_item_name, ServiceItem.retired))
    officers = list(Officer.select(Officer.id, Officer.name, Officer.term_end)
                    .where(Officer.department == dept).order_by(Officer.term_end.is_null(False), Officer.term_start.desc()))
    return items, officers


def _figures(dept, today):
    """The ledger's figures (rules.ledger_figures, as Matter.ledger_figures puts it in SQL — the same
    query form as the dashboard's) for the department, in the chosen month if any."""
    query = month_filter(Matter.select().where(Matter.department == dept), request.args)
    return Matter.ledger_figures(today, query)


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
    items, officers = _filter_choices(dept)
    return htmx.render("ledger/index.html", "ledger/_table.html", dept=dept, page=page, sort=sort,
                       figures=_figures(dept, today), items=items, officers=officers,
                       can_write=current_user.is_department, next_states=NEXT_STATES,
                       month_span=parse_month(request.args.get("month")), states=rules.MATTER_STATES)


@bp.route("/figures")
@any_role
def figures():
    """The figures block alone, refreshed after a status change (htmx)."""
    dept = viewed_department(optional=False)
    return render_template("ledger/_figures.html", dept=dept, figures=_figures(dept, clock.today()),
                           month_span=parse_month(request.args.get("month")))


# --- matters ---------------------------------------------------------------------------------------


def _matter_choices(form: MatterForm, dept, matter=None) -> bool:
    """Fill the selects with the department's investors, items and officers; True if it has officers.

    A matter keeps its own item when that item has been retired since, so editing does not fail."""
    investors = Investor.select(Investor.id, Investor.name, Investor.credit_code).where(
        Investor.department == dept).order_by(Investor.name)
    form.investor.choices = [SelectChoice("", "请选择")] + [
        SelectChoice(str(i.id), f"{i.name}（{i.credit_code}）") for i in investors]
    items = (ServiceItem.select(ServiceItem.id, ServiceItem.item_name, ServiceItem.sub_item_name, ServiceItem.retired)
             .where((ServiceItem.department == dept)
                    & ((ServiceItem.retired == False)  # noqa: E712
                       | (ServiceItem.id == (matter.item_id if matter else 0))))
             .order_by(ServiceItem.seq, ServiceItem.id).tuples())
    # Plain tuples: a department may have hundreds of items, and every POST fills these choices.
    form.item.choices = [SelectChoice("", "请选择")] + [
        SelectChoice(str(item_id), (f"{name}（{sub}）" if sub and sub != name else name) + ("（已停用）" if retired else ""))
        for item_id, name, sub, retired in items]
    officers = list(Officer.select(Officer.id, Officer.name, Officer.term_end).where(Officer.department == dept)
                    .order_by(Officer.term_end.is_null(False), Officer.term_start.desc()))
    form.officer.choices = [SelectChoice("", "未指定")] + [
        SelectChoice(str(o.id), o.name + ("（已离任）" if o.term_end else "")) for o in officers]
    form.officer.flags.required = bool(officers)  # a department with officers names who handled it
    return bool(officers)


def _posted_choices(form: MatterForm, dept, matter=None) -> tuple[bool, object | None]:
    """The selects' choices for validating a POST: only the submitted values, each kept when the
    department's full choices (_matter_choices) would hold it — one small query per select instead of
    hundreds of rows on every write. Returns (has officers, the chosen item's id and promised_days)."""

    def posted(field) -> int | None:
        value = field.data
        ok = isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 18  # fits a 64-bit id
        return int(value) if ok else None

    def only(field, placeholder, found: bool, label: str = ""):
        field.choices = [SelectChoice("", placeholder)] + ([SelectChoice(field.data, label)] if found else [])

    investor_id, item_id, officer_id = posted(form.investor), posted(form.item), posted(form.officer)
    dept_id = getattr(dept, "id", dept)
    # Hand-written: this runs on every write, and building four peewee queries costs more than running them.
    p = db.param
    investor_ok, has_officers, officer_ok, item_ok, promised_days = db.execute_sql(
        f"SELECT EXISTS (SELECT 1 FROM investor WHERE id = {p} AND department_id = {p}), "
        f"EXISTS (SELECT 1 FROM officer WHERE department_id = {p}), "
        f"EXISTS (SELECT 1 FROM officer WHERE id = {p} AND department_id = {p}), "
        f"EXISTS (SELECT 1 FROM service_item WHERE id = {p} AND department_id = {p} AND (NOT retired OR id = {p})), "
        f"(SELECT promised_days FROM service_item WHERE id = {p})",
        (investor_id or 0, dept_id, dept_id, officer_id or 0, dept_id, item_id or 0, dept_id,
         matter.item_id if matter and matter.item_id else 0, item_id or 0)).fetchone()
    only(form.investor, "请选择", investor_id is not None and bool(investor_ok))
    item = _Data(id=item_id, promised_days=promised_days) if item_id is not None and item_ok else None
    only(form.item, "请选择", item is not None)
    has_officers = bool(has_officers)
    only(form.officer, "未指定", officer_id is not None and bool(officer_ok))
    form.officer.flags.required = has_officers
    return has_officers, item


def _save_matter(form: MatterForm, dept, matter=None):
    """Validate the matter form against the department (a Department or its id) and save it; None
    when there are errors (the selects then hold the department's full choices again, for the form
    shown with its errors)."""
    has_officers, item = _posted_choices(form, dept, matter)
    valid = form.validate_on_submit()
    form.check_dates(clock.today())
    if has_officers and not form.officer.data and not form.officer.errors:
        form.officer.errors.append("请选择办理该事项的首席服务员")
    if not valid or any(f.errors for f in form):
        _matter_choices(form, dept, matter)
        return None
    promised = form.promised_date.data
    if promised is None:
        if item.promised_days is None:
            form.promised_date.errors.append("该事项未设定承诺办结时限，请填写承诺办结日期")
            _matter_choices(form, dept, matter)
            return None
        # 承诺办结时限 counts working days: weekends and the office's holiday list are skipped.
        promised = rules.add_working_days(form.received_date.data, item.promised_days, *Holiday.calendar())
    status = form.status.data
    fields = dict(
        investor=int(form.investor.data), project=form.project.data.strip(), item=item.id,
        officer=int(form.officer.data) if form.officer.data else None,
        received_date=form.received_date.data, promised_date=promised, status=status,
        completed_date=form.completed_date.data if status not in rules.MATTER_OPEN_STATES else None,
        visits=form.visits.data, handling=form.handling.data, notes=(form.notes.data or "").strip(),
    )
    with write() as w:
        if matter is None:
            return w.create(Matter, department=dept, **fields)
        return w.update(matter, updated_at=clock.now(), **fields)


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
    matter = _save_matter(form, current_user.department_id) if request.method == "POST" else None
    if matter is not None:
        flash(f"已登记台账事项：{matter.project}", "success")
        return redirect(url_for("ledger.index"))
    dept = current_user.department
    if request.method == "GET":
        _matter_choices(form, dept)
    status = 422 if request.method == "POST" else 200
    return render_template("ledger/matter_form.html", form=form, matter=None, dept=dept), status


@bp.route("/matters/<int:matter_id>/edit", methods=["GET", "POST"])
@department_required
def matter_edit(matter_id: int):
    """修改台账事项 (own department only)."""
    matter = get_scoped_or_404(Matter, matter_id)
    dept = current_user.department
    form = MatterForm(obj=None if request.method == "POST" else _matter_data(matter))
    if request.method == "POST":
        if _save_matter(form, dept, matter) is not None:
            flash(f"已保存台账事项：{matter.project}", "success")
            return redirect(url_for("ledger.index"))
        return render_template("ledger/matter_form.html", form=form, matter=matter, dept=dept), 422
    _matter_choices(form, dept, matter)
    return render_template("ledger/matter_form.html", form=form, matter=matter, dept=dept)


class _Data:
    def __init__(self, **kw):
        self.__dict__.update(kw)


def _matter_data(matter):
    """The matter as the form's initial data (ids as the strings the selects hold)."""
    return _Data(investor=str(matter.investor_id), project=matter.project,
                 item=str(matter.item_id or ""), officer=str(matter.officer_id or ""),
                 received_date=matter.received_date, promised_date=matter.promised_date, status=matter.status,
                 completed_date=matter.completed_date, visits=matter.visits, handling=matter.handling,
                 notes=matter.notes)


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
    new = request.form.get("status", "")
    today = clock.today()
    error = None
    completed = None
    if new not in NEXT_STATES.get(matter.status, ()):
        error = f"不能将「{matter.status}」改为「{new or '（空）'}」"
    elif new in (rules.MATTER_DONE, rules.MATTER_RETURNED):
        raw = (request.form.get("completed_date") or "").strip()
        label = "办结日期" if new == rules.MATTER_DONE else "退回日期"
        try:
            completed = dt.date.fromisoformat(raw) if raw else None
        except ValueError:
            error = f"{label}格式应为 年-月-日"
        if error is None:
            if completed is None:
                error = f"请填写{label}"
            elif completed < matter.received_date:
                error = f"{label}不能早于受理日期（{matter.received_date.isoformat()}）"
            elif completed > today:
                error = f"{label}不能晚于今天"
    if error:
        if not htmx.is_htmx():
            flash(error, "error")
            return redirect(url_for("ledger.index"))
        return _row_response(matter, error=error, status=422)
    with write() as w:
        w.update(matter, action="status", status=new, completed_date=completed, updated_at=clock.now())
    if not htmx.is_htmx():
        flash(f"「{matter.project}」已改为{new}", "success")
        return redirect(url_for("ledger.index"))
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
    return send_xlsx(data, download_name(dept.name if dept else "赤壁市", "首席服务员服务台账", day=today))


@bp.route("/overview")
@staff_required
def overview():
    """全市台账概况: each department's ledger figures, with links to its ledger and overdue matters."""
    today = clock.today()
    by_dept = Matter.ledger_figures_by_department(today)
    empty = rules.ledger_figures([], today)
    rows = [{"dept": d, "fig": by_dept.get(d.id, empty)} for d in Department.active_ordered()]
    keys = {"open": "open", "overdue": "overdue", "total": "total", "on_time": "on_time_rate",
            "one_visit": "one_visit_rate", "online": "online_rate", "proxy": "proxy", "onsite": "onsite"}
    sort = request.args.get("sort", "")
    key = keys.get(sort.lstrip("-"))
    if key:
        # Departments without the figure (no matters) stay at the bottom in either direction.
        known = sorted((r for r in rows if r["fig"][key] is not None), key=lambda r: r["fig"][key],
                       reverse=sort.startswith("-"))
        rows = known + [r for r in rows if r["fig"][key] is None]
    else:
        sort = "dept"
    city = rules.ledger_total(by_dept.values())
    return render_template("ledger/overview.html", rows=rows, city=city, sort=sort)


# --- investors -------------------------------------------------------------------------------------


@bp.route("/investors")
@any_role
def investors():
    """投资者/企业: the department's investors, searchable by name or 统一社会信用代码."""
    dept = viewed_department(optional=False)
    text = (request.args.get("q") or "").strip()
    count = fn.COUNT(Matter.id)
    query = (Investor.select(Investor, count.alias("matter_count"))
             .join(Matter, on=(Matter.investor == Investor.id), join_type=JOIN.LEFT_OUTER)
             .where(Investor.department == dept).group_by(Investor.id))
    if text:
        query = query.where(Investor.name.contains(text) | Investor.credit_code.contains(text.upper()))
    query, sort = listing.sort(query, {"name": Investor.name, "code": Investor.credit_code,
                                       "matters": count, "created": Investor.created_at}, "name")
    page = listing.paginate(query.order_by_extend(Investor.id))
    return htmx.render("ledger/investors.html", "ledger/_investor_table.html", dept=dept, page=page, sort=sort,
                       q=text, can_write=current_user.is_department)


def _save_investor(form: InvestorForm, dept, investor=None):
    if not form.validate_on_submit():
        return None
    code = form.credit_code.data
    clash = Investor.select(Investor.name).where((Investor.department == dept) & (Investor.credit_code == code)
                                                 & (Investor.id != (investor.id if investor else 0))).first()
    if clash is not None:
        form.credit_code.errors.append(f"本部门台账中已有该统一社会信用代码的企业：{clash.name}")
        return None
    fields = dict(name=form.name.data.strip(), credit_code=code, contact=(form.contact.data or "").strip(),
                  phone=(form.phone.data or "").strip())
    try:
        with write() as w:
            if investor is None:
                return w.create(Investor, department=dept, **fields)
            return w.update(investor, **fields)
    except IntegrityError:  # the same code saved by a colleague a moment ago
        form.credit_code.errors.append("本部门台账中已有该统一社会信用代码的企业")
        return None


@bp.route("/investors/new", methods=["GET", "POST"])
@department_required
def investor_new():
    """新增投资者/企业."""
    form = InvestorForm()
    if request.method == "POST":
        investor = _save_investor(form, current_user.department)
        if investor is not None:
            flash(f"已添加企业：{investor.name}", "success")
            return redirect(url_for("ledger.investors"))
        return render_template("ledger/investor_form.html", form=form, investor=None), 422
    return render_template("ledger/investor_form.html", form=form, investor=None)


@bp.route("/investors/<int:investor_id>/edit", methods=["GET", "POST"])
@department_required
def investor_edit(investor_id: int):
    """修改投资者/企业 (own department only)."""
    investor = get_scoped_or_404(Investor, investor_id)
    form = InvestorForm(obj=investor if request.method == "GET" else None)
    if request.method == "POST":
        if _save_investor(form, current_user.department, investor) is not None:
            flash(f"已保存企业：{investor.name}", "success")
            return redirect(url_for("ledger.investors"))
        return render_template("ledger/investor_form.html", form=form, investor=investor), 422
    return render_template("ledger/investor_form.html", form=form, investor=investor)


# --- 好差评 (evaluations) ------------------------------------------------------------------------
# A department reads its evaluations and answers each 差评 (核实情况, 整改措施, 回访结果) before its
# deadline; the office sees every department's, the open and late bad reviews and the satisfaction
# rate, and sets the answer deadline. The leader reads.


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
    return _evaluations_page(days_form)


def _evaluations_page(days_form, status: int = 200):
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
        return _evaluations_page(form, status=422)
    before = Setting.get_value("evaluation_answer_days")
    if before != form.days.data:
        with write() as w:
            Setting.set_value("evaluation_answer_days", form.days.data)
            w.log("setting", Setting.get_by_id("evaluation_answer_days"), {"evaluation_answer_days": before},
                  {"evaluation_answer_days": form.days.data})
    flash(f"差评答复时限已设为{form.days.data}个工作日，自此后收到的差评起执行。", "success")
    return redirect(url_for("ledger.evaluations"))


# --- 节假日安排 (holidays) -------------------------------------------------------------------------
# The office keeps the list of public holidays (法定节假日) and make-up working days (调休上班日) that
# every working-day deadline counts with (承诺办结日期, 差评答复期限 …).


WEEKDAYS = "一二三四五六日"


def _year() -> int:
    value = request.args.get("year", "")
    return int(value) if value.isdigit() and 2000 <= int(value) <= 2100 else clock.today().year


def _holidays_page(form: HolidayForm, status: int = 200):
    year = _year()
    days = list(Holiday.select().where(Holiday.day.between(dt.date(year, 1, 1), dt.date(year, 12, 31)))
                .order_by(Holiday.day))
    this_year = clock.today().year
    years = sorted({d.year for (d,) in Holiday.select(Holiday.day).tuples()} | {this_year, this_year + 1, year})
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
    if Holiday.get_or_none(Holiday.day == form.day.data) is not None:
        form.day.errors.append("该日期已在节假日安排中；如需更改，请先删除原记录")
        return _holidays_page(form, 422)
    try:
        with write() as w:
            w.create(Holiday, day=form.day.data, is_workday=form.kind.data == "on", name=form.name.data.strip())
    except IntegrityError:
        form.day.errors.append("该日期已在节假日安排中")
        return _holidays_page(form, 422)
    kind = "调休上班日" if form.kind.data == "on" else "法定节假日"
    flash(f"已添加{kind}：{form.day.data.isoformat()} {form.name.data.strip()}", "success")
    return redirect(url_for("ledger.holidays", year=form.day.data.year))


@bp.route("/holidays/<int:holiday_id>/delete", methods=["POST"])
@office_required
def holiday_delete(holiday_id: int):
    """删除节假日: removes one day from the list (asked for confirmation first; the log keeps it)."""
    day = Holiday.get_or_none(Holiday.id == holiday_id)
    if day is None:
        flash("该日期已不在节假日安排中。", "warning")
        return redirect(url_for("ledger.holidays"))
    with write() as w:
        w.delete(day)
    flash(f"已删除：{day.day.isoformat()} {day.name}", "success")
    return redirect(url_for("ledger.holidays", year=day.day.year))
