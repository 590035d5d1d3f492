"""亮点案例 — a department submits a short case of good practice (title, text, date, optional photo);
the office approves it for publication (已发布) or returns it with a comment (已退回), after which the
department edits and resubmits it (待审核). Approved cases appear on the public pages and in the Word
export the office sends to the media. Also here: 公示渠道, the office's page for printing the window
cards and the hall bulletin and for the data feed's addresses.

    待审核 --approve--> 已发布 --return (撤下)--> 已退回 --edit and resubmit--> 待审核
    待审核 --return--> 已退回
"""
from __future__ import annotations

import datetime as dt

from flask import Response, abort, current_app, flash, render_template, request, url_for
from flask_login import current_user
from ..forms import PortalForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, StopValidation, ValidationError

from .. import clock, htmx, listing, qr, reminders, rules
from ..access import any_role, department_required, get_scoped_or_404, office_required, scoped, staff_required
from ..audit import write
from ..exports import download_name, send_download
from ..exports.cases import DOCX_MIMETYPE, cases_docx
from ..models import AuditLog, Department, HighlightCase, ItemList, Setting, User, fn
from ..uploads import UploadError, check_upload
from . import bp

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


# --- forms ------------------------------------------------------------------------------------------


class ChineseDateField(DateField):
    """A date typed as 年-月-日, with the error in Chinese; an empty field is left to DateRequired."""

    def process_formdata(self, valuelist):
        if not valuelist or not " ".join(valuelist).strip():
            self.data = None
            return
        super().process_formdata(valuelist)


class DateRequired:
    """Required date: unlike DataRequired, it keeps the "not a date" error of a mistyped value."""

    field_flags = {"required": True}

    def __init__(self, message: str):
        self.message = message

    def __call__(self, form, field):
        if field.data is None and not field.process_errors:
            raise StopValidation(self.message)


class CaseForm(PortalForm):
    title = StringField("案例标题", validators=[DataRequired("请填写案例标题。"),
                                             Length(max=TITLE_MAX, message=f"标题不超过{TITLE_MAX}个字。")])
    case_date = ChineseDateField("案例日期", validators=[DateRequired("请填写案例日期。")],
                                 invalid_value_message="请按“年-月-日”填写日期，例如 2026-11-26。")
    body = TextAreaField("案例内容", validators=[DataRequired("请填写案例内容。"),
                                             Length(max=BODY_MAX, message=f"案例内容不超过{BODY_MAX}个字。")])
    photo = FileField("照片（可选）")
    remove_photo = BooleanField("删除现有照片")

    def validate_case_date(self, field):
        if field.data and field.data > clock.today():
            raise ValidationError("案例日期不能晚于今天。")
        if field.data and field.data < EARLIEST:
            raise ValidationError("案例日期不能早于2000年。")

    def validate_title(self, field):
        field.data = (field.data or "").strip()
        if not field.data:
            raise ValidationError("请填写案例标题。")

    def validate_body(self, field):
        # Line ends as typed in Windows browsers; the public page splits paragraphs on them.
        field.data = (field.data or "").replace("\r\n", "\n").strip()
        if not field.data:
            raise ValidationError("请填写案例内容。")


class ReturnForm(PortalForm):
    comment = TextAreaField("退回意见", validators=[DataRequired("请填写退回意见，说明需要修改的内容。"),
                                                Length(max=1000, message="退回意见不超过1000个字。")])

    def validate_comment(self, field):
        field.data = (field.data or "").strip()
        if not field.data:
            raise ValidationError("请填写退回意见，说明需要修改的内容。")


# --- reminders --------------------------------------------------------------------------------------


@reminders.source
def case_reminders(user, today):
    """待办: a department's returned cases to edit and resubmit; the office's cases waiting for review."""
    if user.is_department:
        n = HighlightCase.select().where((HighlightCase.department == user.department_id)
                                         & (HighlightCase.state == CASE_RETURNED)).count()
        if n:
            return [reminders.Reminder(area="亮点案例", text=f"{n} 个亮点案例被协调办退回，请按意见修改后重新提交",
                                       url=url_for("admin.cases", state=CASE_RETURNED), count=n,
                                       endpoint="admin.cases")]
    elif user.is_office:
        n = (HighlightCase.select().join(Department)
             .where((HighlightCase.state == CASE_PENDING) & (Department.active == True)).count())  # noqa: E712
        if n:
            return [reminders.Reminder(area="亮点案例", text=f"{n} 个亮点案例待审核",
                                       url=url_for("admin.cases", state=CASE_PENDING), count=n,
                                       endpoint="admin.cases")]
    return []


# --- helpers ----------------------------------------------------------------------------------------


def _columns():
    """A case's columns without the photo's bytes."""
    return [f for f in HighlightCase._meta.sorted_fields if f.name != "photo"]


def _case_for_page(case_id: int) -> HighlightCase:
    """The case with its department (no photo bytes), or 404 — including another department's case."""
    q = (HighlightCase.select(*_columns(), Department).join(Department)
         .where(HighlightCase.id == case_id))
    case = scoped(q, HighlightCase.department).first()
    if case is None:
        abort(404)
    return case


def _filter_department():
    """?dept=<code> for the office and the leader; a department user always sees their own."""
    if current_user.is_department:
        return None
    code = request.args.get("dept")
    if not code:
        return None
    return Department.get_or_none(Department.code == code)


def _read_photo(form: CaseForm):
    """The uploaded photo checked by content (PNG or JPEG, at most 2 MB), or None when none was chosen.
    A refused file becomes the field's error."""
    storage = form.photo.data
    if storage is None or not getattr(storage, "filename", ""):
        return None
    try:
        return check_upload(storage, ("png", "jpeg"), PHOTO_MAX_BYTES)
    except UploadError as exc:
        form.photo.errors = list(form.photo.errors) + [str(exc)]
        return None


def _form_page(form: CaseForm, case: HighlightCase | None, status: int = 200):
    return render_template("admin/cases_form.html", form=form, case=case), status


# --- pages ------------------------------------------------------------------------------------------


@bp.route("/cases")
@any_role
def cases():
    """亮点案例: a department's own cases, or every department's for the office and the leader, with
    filters by state (?state=待审核|已发布|已退回), department (?dept=) and title (?q=)."""
    q = HighlightCase.select(*_columns(), Department).join(Department)
    q = scoped(q, HighlightCase.department)
    department = _filter_department()
    if department is not None:
        q = q.where(HighlightCase.department == department)
    counts_q = scoped(HighlightCase.select(HighlightCase.state, fn.COUNT(HighlightCase.id)), HighlightCase.department)
    if department is not None:
        counts_q = counts_q.where(HighlightCase.department == department)
    counts = dict(counts_q.group_by(HighlightCase.state).tuples())
    state = request.args.get("state", "")
    if state in rules.CASE_STATES:
        q = q.where(HighlightCase.state == state)
    else:
        state = ""
    search = (request.args.get("q") or "").strip()[:100]
    if search:
        q = q.where(HighlightCase.title.contains(search))
    q, current = listing.sort(q, {"date": HighlightCase.case_date, "submitted": HighlightCase.submitted_at,
                                  "title": HighlightCase.title, "state": HighlightCase.state,
                                  "department": Department.sort_order}, "-submitted")
    q = q.order_by_extend(HighlightCase.id.desc())
    page = listing.paginate(q)
    departments = [] if current_user.is_department else list(Department.active_ordered())
    return htmx.render("admin/cases.html", "admin/cases_rows.html", page=page, sort=current, state=state,
                       search=search, department=department, departments=departments, counts=counts)


@bp.route("/cases/new", methods=["GET", "POST"])
@department_required
def case_new():
    """提交亮点案例: the department's new case goes to the office for review (待审核)."""
    form = CaseForm()
    if request.method == "POST":
        valid = form.validate()
        photo = _read_photo(form)
        if not valid or form.photo.errors:
            return _form_page(form, None, 422)
        with write() as w:
            case = w.create(HighlightCase, department=current_user.department_id, title=form.title.data,
                            body=form.body.data, case_date=form.case_date.data,
                            photo=photo.data if photo else None, photo_type=photo.content_type if photo else "",
                            state=CASE_PENDING, submitted_at=clock.now(), submitted_by=current_user.id)
        flash("亮点案例已提交，等待协调办审核。", "success")
        return htmx.redirect_to(url_for("admin.case", case_id=case.id))
    return _form_page(form, None)


@bp.route("/cases/<int:case_id>")
@any_role
def case(case_id: int):
    """亮点案例详情: the case, its state and review comment, its history, and the actions the user may
    take (the department edits or withdraws; the office approves or returns)."""
    case = _case_for_page(case_id)
    return _detail(case, ReturnForm(formdata=None))


def _detail(case, return_form, status: int = 200):
    history = list(AuditLog.for_record(HighlightCase._meta.table_name, case.id)
                   .select(AuditLog.at, AuditLog.username, AuditLog.action))
    names = dict(User.select(User.username, User.display_name)
                 .where(User.username.in_([h.username for h in history])).tuples()) if history else {}
    return render_template("admin/cases_detail.html", case=case, return_form=return_form, history=history,
                           names=names, labels=ACTION_LABELS,
                           can_edit=current_user.is_department and case.state in EDITABLE,
                           can_review=current_user.is_office), status


@bp.route("/cases/<int:case_id>/edit", methods=["GET", "POST"])
@department_required
def case_edit(case_id: int):
    """修改亮点案例: a case not yet published; a returned case goes back to review (重新提交)."""
    case = get_scoped_or_404(HighlightCase, case_id)
    if case.state not in EDITABLE:
        flash("已发布的案例不能修改。如需更正，请联系协调办撤下后再修改。", "error")
        return htmx.redirect_to(url_for("admin.case", case_id=case.id))
    form = CaseForm(obj=case) if request.method == "GET" else CaseForm()
    if request.method == "POST":
        valid = form.validate()
        photo = _read_photo(form)
        if not valid or form.photo.errors:
            return _form_page(form, case, 422)
        changes = dict(title=form.title.data, body=form.body.data, case_date=form.case_date.data)
        if photo:
            changes.update(photo=photo.data, photo_type=photo.content_type)
        elif form.remove_photo.data:
            changes.update(photo=None, photo_type="")
        with write() as w:
            # Re-read inside the transaction: the office may have reviewed it meanwhile.
            current = HighlightCase.get_by_id(case.id)
            if current.state not in EDITABLE:
                flash("该案例刚刚已被协调办审核发布，修改未保存。", "error")
                return htmx.redirect_to(url_for("admin.case", case_id=case.id))
            action = "update"
            if current.state == CASE_RETURNED:
                action = "resubmit"
                changes.update(state=CASE_PENDING, submitted_at=clock.now(), submitted_by=current_user.id)
            w.update(current, action=action, **changes)
        flash("案例已重新提交，等待协调办审核。" if action == "resubmit" else "案例已修改。", "success")
        return htmx.redirect_to(url_for("admin.case", case_id=case.id))
    return _form_page(form, case)


@bp.route("/cases/<int:case_id>/delete", methods=["POST"])
@department_required
def case_delete(case_id: int):
    """撤回亮点案例: the department withdraws a case the office has not published (the log keeps it)."""
    case = get_scoped_or_404(HighlightCase, case_id)
    with write() as w:
        current = HighlightCase.get_by_id(case.id)
        if current.state not in EDITABLE:
            flash("已发布的案例不能撤回。", "error")
            return htmx.redirect_to(url_for("admin.case", case_id=case.id))
        w.delete(current)
    flash(f"案例“{case.title}”已撤回。", "success")
    return htmx.redirect_to(url_for("admin.cases"))


@bp.route("/cases/<int:case_id>/approve", methods=["POST"])
@office_required
def case_approve(case_id: int):
    """审核通过: the office publishes a case waiting for review (已发布)."""
    case = get_scoped_or_404(HighlightCase, case_id)
    with write() as w:
        current = HighlightCase.get_by_id(case.id)
        if current.state != CASE_PENDING:
            flash(f"该案例当前状态为“{current.state}”，不能审核通过。", "error")
            return htmx.redirect_to(url_for("admin.case", case_id=case.id))
        w.update(current, action="approve", state=CASE_PUBLISHED, reviewed_at=clock.now(),
                 reviewed_by=current_user.id, review_comment="")
    flash("案例已审核通过，已在公开页面发布。", "success")
    return htmx.redirect_to(url_for("admin.case", case_id=case.id))


@bp.route("/cases/<int:case_id>/return", methods=["POST"])
@office_required
def case_return(case_id: int):
    """退回: the office returns a case waiting for review, or takes down a published one, with a comment
    telling the department what to change (已退回)."""
    case = _case_for_page(case_id)
    form = ReturnForm()
    if not form.validate():
        return _detail(case, form, 422)
    with write() as w:
        current = HighlightCase.get_by_id(case.id)
        if current.state not in (CASE_PENDING, CASE_PUBLISHED):
            flash(f"该案例当前状态为“{current.state}”，不能退回。", "error")
            return htmx.redirect_to(url_for("admin.case", case_id=case.id))
        was_published = current.state == CASE_PUBLISHED
        w.update(current, action="return", state=CASE_RETURNED, reviewed_at=clock.now(),
                 reviewed_by=current_user.id, review_comment=form.comment.data)
    flash("案例已撤下并退回部门修改。" if was_published else "案例已退回部门修改。", "success")
    return htmx.redirect_to(url_for("admin.case", case_id=case.id))


@bp.route("/cases/<int:case_id>/photo")
@any_role
def case_photo(case_id: int):
    """The case's photo, for the department that owns it and for the office and the leader."""
    q = (HighlightCase.select(HighlightCase.photo, HighlightCase.photo_type)
         .where(HighlightCase.id == case_id))
    row = scoped(q, HighlightCase.department).first()
    if row is None or row.photo is None or row.photo_type not in ("image/png", "image/jpeg"):
        abort(404)
    return Response(bytes(row.photo), mimetype=row.photo_type, headers={"Content-Disposition": "inline"})


@bp.route("/cases/export")
@staff_required
def cases_export():
    """亮点案例汇编 (.docx): the published cases with their photos, for the media (?dept=, ?year=)."""
    q = (HighlightCase.select(HighlightCase, Department).join(Department)
         .where((HighlightCase.state == CASE_PUBLISHED) & (Department.active == True))  # noqa: E712
         .order_by(Department.sort_order, Department.id, HighlightCase.case_date, HighlightCase.id))
    department = _filter_department()
    if department is not None:
        q = q.where(HighlightCase.department == department)
    year = request.args.get("year", "")
    if year.isdigit() and len(year) == 4:
        q = q.where((HighlightCase.case_date >= dt.date(int(year), 1, 1))
                    & (HighlightCase.case_date <= dt.date(int(year), 12, 31)))
    else:
        year = ""
    today = clock.today()
    data = cases_docx(list(q), today, department=department, year=int(year) if year else None)
    name = download_name(department.name if department else "赤壁市", "首席服务员亮点案例", f"{year}年" if year else "",
                         day=today, ext="docx",
                         ascii=f"{department.code if department else 'chibi-city'}-highlight-cases{'-' + year if year else ''}")
    return send_download(data, name, DOCX_MIMETYPE)


# --- 公示渠道 -----------------------------------------------------------------------------------------


@bp.route("/channels")
@any_role
def channels():
    """公示渠道: where the office (or a department, for its own windows) prints the window cards and
    the hall bulletin, and finds the data feed's public addresses."""
    from ..public.service import serving_officers

    own = current_user.department if current_user.is_department else None
    departments = [own] if own is not None else list(Department.active_ordered())
    officers: dict[int, list] = {}
    for e in serving_officers(own):
        officers.setdefault(e.department.id, []).append(e)
    lists_q = ItemList.latest_approved()
    if own is not None:
        lists_q = lists_q.where(ItemList.department == own)
    published = {il.department_id: il for il in lists_q}
    base = qr.public_base_url()
    feeds = [(endpoint, label, base + url_for(endpoint)) for endpoint, label in (
        ("public.feed_lists_json", "清单（JSON）"), ("public.feed_lists_csv", "清单（CSV，Excel 可直接打开）"),
        ("public.feed_roster_json", "首席服务员名单（JSON）"), ("public.feed_roster_csv", "首席服务员名单（CSV）"))]
    return render_template("admin/cases_channels.html", departments=departments, officers=officers,
                           published=published, base=base, feeds=feeds,
                           base_is_local=qr.is_loopback(base),
                           base_from_request=not ((Setting.get_value("public_base_url") or "").strip()
                                                  or current_app.config.get("PUBLIC_BASE_URL")))
