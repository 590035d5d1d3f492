"""抽查 pages: the reviews, the draw, the findings and their answers (rules and queries in service.py)."""
from __future__ import annotations

from flask import abort, flash, request, url_for
from flask_login import current_user

from .. import clock, htmx, listing, rules
from ..access import any_role, chosen_department, department_required, office_required, scoped, staff_required
from ..audit import write
from ..files import download_name, send_xlsx
from ..files.oversight import review_results
from ..models import Department, Matter, OversightReview, ReviewFinding
from . import bp
from .forms import AnswerForm, FindingForm, ReturnForm, ReviewForm
from .service import COUNT_KEYS, create_review, finding_counts, findings_query, review_defaults, verify_review

F = ReviewFinding


def _state_filter(q, today):
    state = request.args.get("state")
    if state == "待答复":
        q = q.where(F.state_is(F.TO_FIX) | F.state_is(F.RETURNED))
    elif state in F.STATES:
        q = q.where(F.state_is(state))
    if request.args.get("open") == "1":
        q = q.where((F.finding == rules.FINDING_FIX) & (F.closed == False))  # noqa: E712
    if request.args.get("late") == "1":
        q = q.where(F.late_condition(today))
    return q


FINDING_SORT = {
    "dept": Department.sort_order, "matter": Matter.project, "completed": Matter.completed_date,
    "deadline": OversightReview.deadline, "answered": F.answered_on, "review": OversightReview.created_at,
}


# --- reviews -------------------------------------------------------------------------------------


@bp.route("/oversight")
@staff_required
def index():
    """抽查: every review with its progress (drawn, recorded, 需整改, answered, closed, late)."""
    page = listing.paginate(OversightReview.with_creator())
    ids = [r.id for r in page.rows]
    counts = finding_counts(F.review, F.review.in_(ids)) if ids else {}
    return htmx.render("oversight/index.html", "oversight/_rows.html", page=page, counts=counts)


@bp.route("/oversight/new", methods=["GET", "POST"])
@office_required
def new():
    """发起抽查: the period, departments, rate, minimum and deadline; the portal draws the sample with a
    fresh random seed (secrets) and records it."""
    today = clock.today()
    depts = list(Department.active_ordered())
    form = ReviewForm(data=review_defaults(today) if request.method == "GET" else None)
    form.departments.choices = [(d.id, d.name) for d in depts]
    if request.method == "GET":
        form.departments.data = [d.id for d in depts]
    extra = []
    if form.validate_on_submit():
        rate = form.rate.data / 100
        pools = OversightReview.finished_matter_ids(form.departments.data, form.period_start.data,
                                                    form.period_end.data)
        if not any(pools.values()):
            extra.append("所选部门在抽查期间内没有已办结的事项，无法抽取。请调整抽查期间或部门。")
        else:
            with write() as w:
                review, drawn = create_review(
                    w, title=form.title.data, period_start=form.period_start.data, period_end=form.period_end.data,
                    department_ids=form.departments.data, rate=rate, minimum=form.minimum.data,
                    deadline=form.deadline.data, created_by=current_user.id)
            return htmx.flash_redirect(
                f"已发起“{review.title}”，随机抽取 {drawn} 件已办结事项（随机种子 {review.seed}）。",
                "success", "oversight.detail", review_id=review.id)
    status = 422 if form.is_submitted() else 200
    return htmx.render("oversight/form.html", None, status, form=form, extra=extra,
                       preview=_preview(form))


def _preview(form) -> list[dict] | None:
    """How many finished matters each chosen department has in the period and how many would be drawn."""
    start, end = form.period_start.data, form.period_end.data
    rate, minimum = form.rate.data, form.minimum.data
    if not (start and end and start <= end and rate and 0 < rate <= 100 and minimum is not None and minimum >= 0):
        return None
    chosen = set(form.departments.data or [])
    pools = OversightReview.finished_matter_ids([c for c, _ in form.departments.choices], start, end)
    return [{"id": dept_id, "name": name, "chosen": dept_id in chosen, "pool": len(pools.get(dept_id, [])),
             "size": rules.sample_size(len(pools.get(dept_id, [])), rate / 100, minimum)}
            for dept_id, name in form.departments.choices]


@bp.route("/oversight/preview")
@office_required
def preview():
    """预计抽取: the new-review form's table of finished matters and sample sizes, redrawn as the
    office changes the period, rate or departments."""
    form = ReviewForm(request.args, meta={"csrf": False})
    form.departments.choices = [(d.id, d.name) for d in Department.active_ordered()]
    form.validate()  # fills the data; the errors are shown when the form is submitted
    return htmx.render("oversight/_preview.html", preview=_preview(form))


def _review_or_404(review_id) -> OversightReview:
    review = OversightReview.with_creator().where(OversightReview.id == review_id).first()
    if review is None:
        abort(404)
    return review


@bp.route("/oversight/<int:review_id>")
@staff_required
def detail(review_id):
    """抽查详情: the sampled matters by department, each with its finding; the office records findings
    here (规范 / 需整改 with 整改要求). Filters ?dept=, ?state=, ?late=1."""
    today = clock.today()
    review = _review_or_404(review_id)
    dept = chosen_department()
    q = findings_query().where(F.review == review)
    if dept is not None:
        q = q.where(F.department == dept)
    q = _state_filter(q, today)
    q, sort = listing.sort(q, FINDING_SORT, "dept")
    q = q.order_by_extend(Department.id, Matter.completed_date, Matter.id)
    page = listing.paginate(q)
    by_dept = finding_counts(F.department, F.review == review, today)
    names = Department.by_ids(by_dept)
    pools = {r["department"]: len(r["pool"]) for r in review.draw_record()}
    summary = sorted(({"dept": names[k], "pool": pools.get(k, 0), **v} for k, v in by_dept.items()),
                     key=lambda s: (s["dept"].sort_order, s["dept"].id))
    empty_depts = sum(1 for k, n in pools.items() if n == 0)
    totals = {k: sum(s[k] for s in summary) for k in COUNT_KEYS}
    return htmx.render("oversight/detail.html", "oversight/_findings_table.html", review=review, page=page,
                       sort=sort, summary=summary, totals=totals, dept=dept, empty_depts=empty_depts,
                       chosen=len(pools), show_review=False, today=today)


@bp.route("/oversight/<int:review_id>/figures")
@staff_required
def figures(review_id):
    """The review's progress figures, redrawn after the office records a finding in the table."""
    review = _review_or_404(review_id)
    return htmx.render("oversight/_figures.html", review=review,
                       totals=finding_counts(where=F.review == review))


@bp.route("/oversight/<int:review_id>/verify")
@staff_required
def verify(review_id):
    """复核抽样: repeats the draw from the recorded seed and shows that it gives the same sample."""
    review = _review_or_404(review_id)
    return htmx.render("oversight/verify.html", review=review, check=verify_review(review))


@bp.route("/oversight/<int:review_id>/export")
@staff_required
def export(review_id):
    """导出抽查结果 (.xlsx) for the leading group: per matter the finding, requirement and answer."""
    today = clock.today()
    review = _review_or_404(review_id)
    rows = list(findings_query().where(F.review == review)
                .order_by(Department.sort_order, Department.id, Matter.completed_date, Matter.id))
    data = review_results(review, rows, today)
    return send_xlsx(data, download_name("赤壁市", review.title, "抽查结果", day=today,
                                           ascii=f"chibi-oversight-review-{review.id}-results"))


class _Recorded(Exception):
    """A review whose findings have begun cannot be withdrawn."""


@bp.route("/oversight/<int:review_id>/cancel", methods=["POST"])
@office_required
def cancel(review_id):
    """撤销抽查: a review started by mistake (wrong period, wrong departments) is withdrawn with its sample,
    as long as no finding has been recorded — after that the departments may already be acting on it.
    The audit log keeps the review and every sampled matter it withdrew."""
    review = _review_or_404(review_id)
    title = review.title
    try:
        with write() as w:
            # Checked inside the transaction: a finding recorded meanwhile cannot slip through.
            findings = F.of_review(review)
            if any(f.finding is not None for f in findings):
                raise _Recorded
            for finding in findings:
                w.delete(finding, action="cancel")
            w.delete(review, action="cancel")
    except _Recorded:
        return htmx.flash_redirect("本次抽查已录入结论，不能撤销。", "error", "oversight.detail", review_id=review_id)
    return htmx.flash_redirect(f"已撤销抽查“{title}”及其抽取的 {len(findings)} 件事项。", "success", "oversight.index")


# --- findings ------------------------------------------------------------------------------------


@bp.route("/findings")
@any_role
def findings():
    """抽查整改: a department's findings, each 需整改 to be answered before the deadline; the office and
    the leading group see every department's (?dept=). Filters ?open=1, ?late=1, ?state=, ?review=."""
    today = clock.today()
    dept = chosen_department()
    q = scoped(findings_query().where(F.finding.is_null(False)), F.department)
    if dept is not None:
        q = q.where(F.department == dept)
    review_id = listing.record_id(request.args.get("review"))
    if review_id:
        q = q.where(F.review == review_id)
    q = _state_filter(q, today)
    q, sort = listing.sort(q, FINDING_SORT, "-review")
    q = q.order_by_extend(Department.sort_order, Department.id, Matter.id)
    page = listing.paginate(q)
    where = F.finding.is_null(False)
    if current_user.is_department:
        where &= F.department == current_user.department_id
    elif dept is not None:
        where &= F.department == dept
    totals = finding_counts(where=where, today=today)
    reviews = OversightReview.titles()
    departments = list(Department.active_ordered()) if not current_user.is_department else []
    return htmx.render("oversight/findings.html", "oversight/_findings_table.html", page=page, sort=sort, dept=dept,
                       totals=totals, reviews=reviews, departments=departments, show_review=True, today=today,
                       review=None)


def _finding_or_404(finding_id) -> ReviewFinding:
    """One finding with everything shown about it; 404 for another department's, or for a
    department while the office has not recorded its finding yet."""
    q = scoped(findings_query().where(F.id == finding_id), F.department)
    if current_user.is_department:
        q = q.where(F.finding.is_null(False))
    finding = q.first()
    if finding is None:
        abort(404)
    return finding


def _editable(finding) -> bool:
    """The office may record or correct a finding until the department has answered it."""
    return finding.state in (F.PENDING, F.OK, F.TO_FIX)


def _detail(finding, status=200, **forms):
    review = finding.review
    today = clock.today()
    ctx = {"f": finding, "review": review, "today": today, "late": finding.is_late(review.deadline, today),
           "record_form": None, "answer_form": None, "return_form": None}
    if current_user.is_office and _editable(finding):
        ctx["record_form"] = forms.get("record_form") or FindingForm(
            formdata=None, data={"finding": finding.finding, "requirement": finding.requirement})
    if current_user.is_office and finding.state == F.ANSWERED:
        ctx["return_form"] = forms.get("return_form") or ReturnForm(formdata=None)
    if (current_user.is_department and current_user.department_id == finding.department_id
            and finding.state in (F.TO_FIX, F.RETURNED)):
        ctx["answer_form"] = forms.get("answer_form") or AnswerForm(
            formdata=None, data={"answer": finding.answer, "answered_on": today}, review=review)
    return htmx.render("oversight/finding_detail.html", None, status, **ctx)


@bp.route("/findings/<int:finding_id>")
@any_role
def finding_detail(finding_id):
    """抽查事项详情: the sampled matter, the finding and 整改要求, the answer, and what can be done next."""
    return _detail(_finding_or_404(finding_id))


def _row(finding, status=200, form=None):
    """The finding's row of the review table, or its edit row (with the form) for the office."""
    template = "oversight/_finding_edit_row.html" if form is not None else "oversight/_finding_row.html"
    return htmx.render(template, None, status, f=finding, form=form, today=clock.today(), show_review=False)


@bp.route("/findings/<int:finding_id>/record", methods=["GET", "POST"])
@office_required
def finding_record(finding_id):
    """录入抽查结论: 规范, or 需整改 with 整改要求. In the review table the row turns into a form."""
    finding = _finding_or_404(finding_id)
    if not _editable(finding):
        return htmx.flash_redirect(
            "部门已答复整改情况，结论不能再修改；请确认销号或退回。",
            "error", "oversight.finding_detail", finding_id=finding.id)
    if request.method == "GET":
        if not htmx.is_htmx():
            return htmx.redirect_to(url_for("oversight.finding_detail", finding_id=finding.id))
        return _row(finding, form=FindingForm(formdata=None, data={"finding": finding.finding,
                                                                   "requirement": finding.requirement}))
    form = FindingForm()
    if not form.validate():
        if htmx.is_htmx():
            return _row(finding, status=422, form=form)
        return _detail(finding, status=422, record_form=form)
    requirement = form.requirement.data if form.finding.data == rules.FINDING_FIX else ""
    with write() as w:
        w.update(finding, action="finding", finding=form.finding.data, requirement=requirement)
    if htmx.is_htmx():
        return htmx.trigger(_row(finding), "findings-changed")
    return htmx.flash_redirect(
        f"已录入抽查结论：{finding.finding}。",
        "success", "oversight.finding_detail", finding_id=finding.id)


@bp.route("/findings/<int:finding_id>/row")
@staff_required
def finding_row(finding_id):
    """The finding's row as shown in the review table (used to cancel an edit)."""
    return _row(_finding_or_404(finding_id))


@bp.route("/findings/<int:finding_id>/answer", methods=["POST"])
@department_required
def finding_answer(finding_id):
    """整改答复: the department says what it put right (整改情况) and when; an answer after the
    deadline is accepted and flagged late (rule 10)."""
    finding = _finding_or_404(finding_id)
    if finding.state not in (F.TO_FIX, F.RETURNED):
        return htmx.flash_redirect("该事项当前无需答复。", "error", "oversight.finding_detail", finding_id=finding.id)
    form = AnswerForm(review=finding.review)
    if not form.validate_on_submit():
        return _detail(finding, status=422, answer_form=form)
    with write() as w:
        w.update(finding, action="answer", answer=form.answer.data, answered_on=form.answered_on.data)
    late = finding.is_late(finding.review.deadline, clock.today())
    flash("已提交整改情况，等待协调办确认。" + ("本次答复已超过答复期限，将标记为逾期。" if late else ""),
          "warning" if late else "success")
    return htmx.redirect_to(url_for("oversight.finding_detail", finding_id=finding.id))


@bp.route("/findings/<int:finding_id>/close", methods=["POST"])
@office_required
def finding_close(finding_id):
    """整改销号: the office accepts the department's answer and closes the finding."""
    finding = _finding_or_404(finding_id)
    if finding.state != F.ANSWERED:
        flash("只有已答复、待确认的事项可以销号。", "error")
    else:
        with write() as w:
            w.update(finding, action="close", closed=True)
        flash("已确认整改，事项已销号。", "success")
    return htmx.redirect_to(url_for("oversight.finding_detail", finding_id=finding.id))


@bp.route("/findings/<int:finding_id>/return", methods=["POST"])
@office_required
def finding_return(finding_id):
    """退回整改: the office sends the answer back with its comment; the department answers again,
    and the original deadline still applies."""
    finding = _finding_or_404(finding_id)
    if finding.state != F.ANSWERED:
        return htmx.flash_redirect("只有已答复、待确认的事项可以退回。", "error", "oversight.finding_detail", finding_id=finding.id)
    form = ReturnForm()
    if not form.validate_on_submit():
        return _detail(finding, status=422, return_form=form)
    with write() as w:
        w.update(finding, action="return", return_comment=form.return_comment.data, answered_on=None)
    return htmx.flash_redirect("已退回，部门须重新答复整改情况。", "success", "oversight.finding_detail", finding_id=finding.id)

