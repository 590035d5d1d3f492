"""亮点案例 pages (the workflow is described in service.py) and 公示渠道, the office's page for
printing the window cards and the hall bulletin and for the data feed's addresses."""
from __future__ import annotations

from flask import Response, abort, current_app, render_template, request, url_for
from flask_login import current_user

from .. import clock, htmx, listing, qr, rules
from ..access import (any_role, chosen_department, department_required, get_scoped_or_404, office_required,
                     scoped, staff_required)
from ..audit import write
from ..files import download_name, send_download
from ..files.cases import DOCX_MIMETYPE, cases_docx
from ..models import Department, HighlightCase, ItemList, Setting
from ..uploads import UploadError, check_upload
from . import bp, service
from .forms import CaseForm, ReturnForm
from .service import ACTION_LABELS, CASE_PENDING, CASE_PUBLISHED, CASE_RETURNED, EDITABLE, PHOTO_MAX_BYTES


def _case_for_page(case_id: int) -> HighlightCase:
    """The case with its department (no photo bytes), or 404 — including another department's case."""
    case = scoped(HighlightCase.without_photo().where(HighlightCase.id == case_id), HighlightCase.department).first()
    if case is None:
        abort(404)
    return case


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
    return render_template("cases/form.html", form=form, case=case), status


# --- pages ------------------------------------------------------------------------------------------


@bp.route("/cases")
@any_role
def index():
    """亮点案例: a department's own cases, or every department's for the office and the leader, with
    filters by state (?state=待审核|已发布|已退回), department (?dept=) and title (?q=)."""
    q = scoped(HighlightCase.without_photo(), HighlightCase.department)
    department = chosen_department()
    if department is not None:
        q = q.where(HighlightCase.department == department)
    counts_q = scoped(HighlightCase.state_counts(), HighlightCase.department)
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
    return htmx.render("cases/index.html", "cases/_rows.html", page=page, sort=current, state=state,
                       search=search, department=department, departments=departments, counts=counts)


@bp.route("/cases/new", methods=["GET", "POST"])
@department_required
def new():
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
        return htmx.flash_redirect("亮点案例已提交，等待协调办审核。", "success", "cases.detail", case_id=case.id)
    return _form_page(form, None)


@bp.route("/cases/<int:case_id>")
@any_role
def detail(case_id: int):
    """亮点案例详情: the case, its state and review comment, its history, and the actions the user may
    take (the department edits or withdraws; the office approves or returns)."""
    case = _case_for_page(case_id)
    return _detail(case, ReturnForm(formdata=None))


def _detail(case, return_form, status: int = 200):
    history, names = service.history(case)
    return render_template("cases/detail.html", case=case, return_form=return_form, history=history,
                           names=names, labels=ACTION_LABELS,
                           can_edit=current_user.is_department and case.state in EDITABLE,
                           can_review=current_user.is_office), status


@bp.route("/cases/<int:case_id>/edit", methods=["GET", "POST"])
@department_required
def edit(case_id: int):
    """修改亮点案例: a case not yet published; a returned case goes back to review (重新提交)."""
    case = get_scoped_or_404(HighlightCase, case_id)
    if case.state not in EDITABLE:
        return htmx.flash_redirect("已发布的案例不能修改。如需更正，请联系协调办撤下后再修改。", "error", "cases.detail", case_id=case.id)
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
                return htmx.flash_redirect("该案例刚刚已被协调办审核发布，修改未保存。", "error", "cases.detail", case_id=case.id)
            action = "update"
            if current.state == CASE_RETURNED:
                action = "resubmit"
                changes.update(state=CASE_PENDING, submitted_at=clock.now(), submitted_by=current_user.id)
            w.update(current, action=action, **changes)
        return htmx.flash_redirect(
            "案例已重新提交，等待协调办审核。" if action == "resubmit" else "案例已修改。",
            "success", "cases.detail", case_id=case.id)
    return _form_page(form, case)


@bp.route("/cases/<int:case_id>/delete", methods=["POST"])
@department_required
def delete(case_id: int):
    """撤回亮点案例: the department withdraws a case the office has not published (the log keeps it)."""
    case = get_scoped_or_404(HighlightCase, case_id)
    with write() as w:
        current = HighlightCase.get_by_id(case.id)
        if current.state not in EDITABLE:
            return htmx.flash_redirect("已发布的案例不能撤回。", "error", "cases.detail", case_id=case.id)
        w.delete(current)
    return htmx.flash_redirect(f"案例“{case.title}”已撤回。", "success", "cases.index")


@bp.route("/cases/<int:case_id>/approve", methods=["POST"])
@office_required
def approve(case_id: int):
    """审核通过: the office publishes a case waiting for review (已发布)."""
    case = get_scoped_or_404(HighlightCase, case_id)
    with write() as w:
        current = HighlightCase.get_by_id(case.id)
        if current.state != CASE_PENDING:
            return htmx.flash_redirect(
                f"该案例当前状态为“{current.state}”，不能审核通过。",
                "error", "cases.detail", case_id=case.id)
        w.update(current, action="approve", state=CASE_PUBLISHED, reviewed_at=clock.now(),
                 reviewed_by=current_user.id, review_comment="")
    return htmx.flash_redirect("案例已审核通过，已在公开页面发布。", "success", "cases.detail", case_id=case.id)


@bp.route("/cases/<int:case_id>/return", methods=["POST"])
@office_required
def send_back(case_id: int):
    """退回: the office returns a case waiting for review, or takes down a published one, with a comment
    telling the department what to change (已退回)."""
    case = _case_for_page(case_id)
    form = ReturnForm()
    if not form.validate():
        return _detail(case, form, 422)
    with write() as w:
        current = HighlightCase.get_by_id(case.id)
        if current.state not in (CASE_PENDING, CASE_PUBLISHED):
            return htmx.flash_redirect(f"该案例当前状态为“{current.state}”，不能退回。", "error", "cases.detail", case_id=case.id)
        was_published = current.state == CASE_PUBLISHED
        w.update(current, action="return", state=CASE_RETURNED, reviewed_at=clock.now(),
                 reviewed_by=current_user.id, review_comment=form.comment.data)
    return htmx.flash_redirect(
        "案例已撤下并退回部门修改。" if was_published else "案例已退回部门修改。",
        "success", "cases.detail", case_id=case.id)


@bp.route("/cases/<int:case_id>/photo")
@any_role
def photo(case_id: int):
    """The case's photo, for the department that owns it and for the office and the leader."""
    row = scoped(HighlightCase.photo_of(case_id), HighlightCase.department).first()
    if row is None or row.photo is None or row.photo_type not in ("image/png", "image/jpeg"):
        abort(404)
    return Response(bytes(row.photo), mimetype=row.photo_type, headers={"Content-Disposition": "inline"})


@bp.route("/cases/export")
@staff_required
def export():
    """亮点案例汇编 (.docx): the published cases with their photos, for the media (?dept=, ?year=)."""
    department = chosen_department()
    year = request.args.get("year", "")
    if not (year.isdigit() and len(year) == 4):
        year = ""
    q = service.published(department, int(year) if year else None)
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
    return render_template("cases/channels.html", departments=departments, officers=officers,
                           published=published, base=base, feeds=feeds,
                           base_is_local=qr.is_loopback(base),
                           base_from_request=not ((Setting.get_value("public_base_url") or "").strip()
                                                  or current_app.config.get("PUBLIC_BASE_URL")))
