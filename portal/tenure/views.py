"""任期调整报告 — views: the department files and corrects reports, the office acknowledges or returns them."""
from __future__ import annotations

import datetime as dt

from flask import abort, flash, make_response, render_template, request
from flask_login import current_user

from .. import clock, htmx, listing, rules
from ..access import any_role, chosen_department, department_required, get_scoped_or_404, office_required, scoped
from ..audit import write
from ..models import Department, Officer, TenureReport
from . import bp, service
from .forms import RefileForm, ReportForm, ReturnForm

@bp.route("/")
@any_role
def index():
    """任期调整报告: a department's own reports; for the office and leaders every department's, filtered by
    state (?state=待确认|已确认|已退回), early changes (?early=1) and department (?dept=code)."""
    dept = chosen_department()
    state = request.args.get("state", "")
    state = state if state in rules.REPORT_STATES else ""
    early = request.args.get("early") == "1"
    q = TenureReport.filtered(scoped(TenureReport.with_people(), TenureReport.department), dept, state, early)
    q, sort = listing.sort(q, {"filed": TenureReport.filed_at, "effective": TenureReport.effective_date,
                               "department": Department.sort_order, "state": TenureReport.state}, "-filed")
    page = listing.paginate(q)
    departments = [] if current_user.is_department else list(Department.active_ordered())
    return htmx.render("tenure/index.html", "tenure/_rows.html", page=page, state=state, early=early, dept=dept,
                       sort=sort, departments=departments)


def _report_form(dept, form=None):
    form = form or ReportForm()
    serving = list(Officer.serving(dept).order_by(Officer.term_start))
    former = list(Officer.former(dept))
    form.outgoing.choices = [("", "请选择")] + [(str(o.id), f"{o.name}（{o.term_start.isoformat()}起）") for o in serving]
    form.previous.choices = [("", "请选择")] + [(str(o.id), f"{o.name}（{o.term_start.isoformat()}至{o.term_end.isoformat()}）")
                                             for o in former]
    return form, serving, former


@bp.route("/new", methods=["GET", "POST"])
@department_required
def new():
    """报送任期调整报告: ends the outgoing officer's term the day before the effective date and starts the
    incoming one on it; a change before two years of tenure needs its reason and is marked 提前调整."""
    dept = current_user.department
    form, serving, former = _report_form(dept)
    if request.method == "GET" and request.args.get("outgoing"):
        form.outgoing.data = request.args["outgoing"]
    if request.method == "POST":
        valid = form.validate_on_submit()
        checked = service.check(form, dept, clock.today())
        if valid and checked:
            with write() as w:
                report = service.file(w, dept, form, checked, current_user._get_current_object())
            return htmx.flash_redirect(
                service.filed_message(report, dept),
                "success", "tenure.detail", report_id=report.id)
        return render_template("tenure/new.html", form=form, serving=serving, former=former, dept=dept), 422
    return render_template("tenure/new.html", form=form, serving=serving, former=former, dept=dept)


@bp.route("/<int:report_id>")
@any_role
def detail(report_id):
    """任期调整报告详情, with the office's acknowledge / return, or the department's correction after a return."""
    report = get_scoped_or_404(TenureReport, report_id)
    return _detail_page(report)


def _detail_page(report, return_form=None, refile_form=None, status=200):
    report = TenureReport.with_people().where(TenureReport.id == report.id).get()
    if refile_form is None and report.state == rules.REPORT_RETURNED and current_user.is_department:
        refile_form = RefileForm(obj=report)
    if return_form is None and report.state == rules.REPORT_FILED and current_user.is_office:
        return_form = ReturnForm()
    return render_template("tenure/detail.html", report=report, return_form=return_form, refile_form=refile_form,
                           mark=rules.two_year_mark(report.outgoing.term_start), after=service.records_after(report),
                           served=rules.tenure_days(report.outgoing.term(), clock.today())), status


def _waiting_report(report_id) -> TenureReport:
    """The report the office is to decide on. One already decided (perhaps in another tab) stops the
    request with its own page and a 409, so nothing is decided twice."""
    report = get_scoped_or_404(TenureReport, report_id)
    if report.state != rules.REPORT_FILED:
        flash(f"该报告{report.state}，不能重复处理。", "error")
        abort(make_response(_detail_page(report, status=409)))
    return report


def _to_waiting(message: str):
    """Back to the reports that still wait for the office, saying what happened."""
    return htmx.flash_redirect(message, "success", "tenure.index", state=rules.REPORT_FILED)


@bp.route("/<int:report_id>/acknowledge", methods=["POST"])
@office_required
def acknowledge(report_id):
    """确认任期调整报告 (协调办)."""
    report = _waiting_report(report_id)
    with write() as w:
        service.acknowledge(w, report, current_user._get_current_object())
    return _to_waiting("已确认该任期调整报告。")


@bp.route("/<int:report_id>/return", methods=["POST"])
@office_required
def return_report(report_id):
    """退回任期调整报告 (协调办), with a comment the department sees in its to-dos."""
    report = _waiting_report(report_id)
    form = ReturnForm()
    if not form.validate_on_submit():
        return _detail_page(report, return_form=form, status=422)
    with write() as w:
        service.send_back(w, report, form.comment.data, current_user._get_current_object())
    return _to_waiting("已退回该任期调整报告，部门将在待办中看到退回意见。")


@bp.route("/<int:report_id>/edit", methods=["POST"])
@department_required
def refile(report_id):
    """修改后重新报送 a returned report: the reason and the handover; it waits for the office again."""
    report = get_scoped_or_404(TenureReport, report_id)
    if report.state != rules.REPORT_RETURNED:
        flash(f"该报告{report.state}，只有被退回的报告才能修改后重新报送。", "error")
        return _detail_page(report, status=409)
    form = RefileForm()
    if form.validate_on_submit():
        late_problem = service.backdate_problem(report.effective_date, report.effective_date
                                                + dt.timedelta(days=report.days_backdated), form.late_note.data)
        if report.early and not (form.reason.data or "").strip():
            form.reason.errors.append("本次调整属提前调整（任期未满两年），须说明调整原因。")
        elif late_problem:
            form.late_note.errors.append(late_problem)
        else:
            with write() as w:
                service.refile(w, report, form.reason.data or "", form.handover.data, current_user._get_current_object(),
                               form.late_note.data)
            return htmx.flash_redirect("已修改并重新报送协调办。", "success", "tenure.detail", report_id=report.id)
    return _detail_page(report, refile_form=form, status=422)

