"""事项清单 — views: the department's items (附件1) edited in place, import and export, submission
(报送), the office's review (审核), versions and their differences, the submission deadline."""
from __future__ import annotations

from flask import abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from peewee import IntegrityError

from .. import clock, htmx, listing, rules
from ..access import (any_role, can_write_department, department_required, get_scoped_or_404, office_required,
                     staff_required, viewed_department)
from ..audit import write
from ..files import attachment1, download_name, imports, send_xlsx
from ..models import ItemList, Officer, ServiceItem, Setting
from ..uploads import UploadError, check_upload
from . import bp, city_import, service
from .forms import AssignForm, CityImportForm, DeadlineForm, ImportForm, ItemDetailForm, ItemRowForm, ReturnForm

SORT_COLUMNS = {
    "seq": ServiceItem.seq, "item_name": ServiceItem.item_name, "sub_item_name": ServiceItem.sub_item_name,
    "item_type": ServiceItem.item_type, "inclusion": ServiceItem.inclusion, "officer": Officer.name,
    "reason": ServiceItem.reason,
}
CHANGED = "items-changed"  # the event the counts block listens for


def _moment():
    return service.moment(clock.today(), clock.now())


def _dept_args(dept) -> dict:
    """The ?dept= argument that keeps the office and the leader on the department they opened."""
    return {} if current_user.is_department or dept is None else {"dept": dept.code}


def _filters() -> dict:
    args = request.args
    q = (args.get("q") or "").strip()[:100]
    return {
        "type": args.get("type") if args.get("type") in rules.ITEM_TYPES else "",
        "inclusion": args.get("inclusion") if args.get("inclusion") in rules.INCLUSIONS else "",
        "reason": args.get("reason") if args.get("reason") in rules.REASONS else "",
        "q": q,
        "unassigned": args.get("unassigned") == "1",
        "retired": args.get("retired") == "1",
    }


def _row_urls() -> dict:
    """The URLs of a row's link and buttons, each built once for all the rows (listing.RowUrl)."""
    return {name: listing.RowUrl(f"items.{name}", "item_id") for name in ("detail", "edit_row", "retire", "restore")}


def _row_context(item) -> dict:
    dept = item.department
    if not hasattr(item, "position"):
        item.position = ServiceItem.position_of(item)
    return {"item": item, "dept": dept, "editable": can_write_department(dept.id),
            "unauthorised": service.unauthorised_ids(dept, clock.today()), "urls": _row_urls()}


def _row(item, status: int = 200, changed: bool = False):
    response = make_response(render_template("items/_row.html", **_row_context(item)), status)
    return htmx.trigger(response, CHANGED) if changed else response


def _row_form(form, item=None, status: int = 200):
    dept = item.department if item is not None else current_user.department
    if item is not None and not hasattr(item, "position"):
        item.position = ServiceItem.position_of(item)
    return make_response(render_template("items/_row_form.html", form=form, item=item, dept=dept), status)


def _own_active_item(item_id) -> ServiceItem:
    item = get_scoped_or_404(ServiceItem, item_id)
    if not can_write_department(item.department_id):
        abort(403)
    if item.retired:
        abort(404)
    return item


def _save(form, dept, officers, item=None, details: bool = False) -> tuple[ServiceItem | None, dict]:
    """Check a validated item form by the plan's rules and save the new item (item None) or the
    changes in one transaction; returns (the saved item, {}) or (None, {field: Chinese error}). A text
    the input filter refused (forms.clean_text) is not checked further, nor saved."""
    errors = form.refused() or service.check(form.values(), officers=officers, keys=service.item_keys(dept), item=item, details=details)
    if errors:
        return None, errors
    fields = service.model_fields(form.values(), details=details)
    try:
        with write() as w:
            if item is None:
                return service.create_item(w, dept, fields, _moment()), {}
            return service.update_item(w, item, fields, _moment()), {}
    except IntegrityError:
        return None, {"sub_item_name": "同一事项名称下已有相同的办理项"}


# --- the list --------------------------------------------------------------------------------------


@bp.route("/")
@any_role
def index():
    """事项清单: the department's items in the attachment-1 columns, filtered, sorted and paged, with its
    counts and 纳入率; the office and leaders choose a department first (read-only for them)."""
    dept = viewed_department()
    today = clock.today()
    if dept is None:
        overview = service.departments_overview(today.year, today)
        return render_template("items/departments.html", overview=overview, year=today.year)
    f = _filters()
    unauthorised, figures = service.department_figures(dept, today)
    # The columns a row shows, and of its officer only the name: less to sort and to turn into objects.
    q, sort = listing.sort(ServiceItem.listed(dept, f, today), SORT_COLUMNS, "seq")
    q = q.order_by_extend(ServiceItem.id)
    # Unfiltered, the list holds the department's current items, which the figures have counted.
    unfiltered = not any(f.values())
    page = listing.paginate(q, total=figures["total"] if unfiltered else None, fetch=ServiceItem.listed_rows)
    # Unfiltered in list order, the page is a run of the list: its 序号 follow from the page's place.
    in_order = unfiltered and sort == "seq"
    ServiceItem.attach_positions(dept, page.rows, first=(page.number - 1) * page.size + 1 if in_order else None)
    editable = can_write_department(dept.id)
    officers = service.serving_officers(dept) if editable else []
    return render_template(
        "items/index.html", dept=dept, page=page, sort=sort, f=f, unauthorised=unauthorised, editable=editable,
        figures=figures, officers=officers, assign_form=AssignForm.for_officers(officers),
        waiting=service.waiting(dept), published=ItemList.published_for(dept), dept_args=_dept_args(dept),
        deadline=Setting.list_deadline(today.year), urls=_row_urls(),
    )


@bp.route("/counts")
@any_role
def counts():
    """The counts and 纳入率 at the top of the list, fetched again whenever a row changes."""
    dept = viewed_department()
    if dept is None:
        abort(404)
    return render_template("items/_counts.html", dept=dept, figures=service.department_figures(dept, clock.today())[1],
                           dept_args=_dept_args(dept))


@bp.route("/new")
@department_required
def new():
    """新增事项: an empty row form in the list (htmx), or the item form on its own page."""
    if request.args.get("cancel"):
        return ""  # the new row is dropped from the table
    officers = service.serving_officers(current_user.department)
    if htmx.wants_fragment():
        form = ItemRowForm(prefix="new")
        form.set_officers(officers)
        return _row_form(form)
    form = ItemDetailForm()
    form.set_officers(officers)
    return render_template("items/detail.html", form=form, item=None, dept=current_user.department, history=[])


@bp.route("/", methods=["POST"])
@department_required
def create():
    """保存新增事项: checked by the plan's rules; an invalid row comes back with the errors (422)."""
    dept = current_user.department
    fragment = htmx.wants_fragment()
    form = ItemRowForm(prefix="new") if fragment else ItemDetailForm()
    officers = service.serving_officers(dept)
    form.set_officers(officers)
    form.validate()
    item, errors = _save(form, dept, officers, details=not fragment)
    if errors:
        form.add_errors(errors)
        if fragment:
            return _row_form(form, status=422)
        return render_template("items/detail.html", form=form, item=None, dept=dept, history=[]), 422
    if fragment:
        return _row(item, changed=True)
    return htmx.flash_redirect(f"已新增事项“{item.label}”。", "success", "items.detail", item_id=item.id)


@bp.route("/<int:item_id>/row")
@any_role
def row(item_id):
    """One row of the list as shown (after cancelling an edit)."""
    item = get_scoped_or_404(ServiceItem, item_id)
    return _row(item)


@bp.route("/<int:item_id>/edit")
@department_required
def edit_row(item_id):
    """The row turned into a form, in place."""
    item = _own_active_item(item_id)
    form = ItemRowForm(data=ItemRowForm.data_of(item), prefix=f"i{item.id}")
    form.set_officers(service.serving_officers(item.department))
    return _row_form(form, item)


@bp.route("/<int:item_id>/row", methods=["PUT", "POST"])
@department_required
def update(item_id):
    """保存修改 of a row: the row comes back as shown, or as the form with errors next to fields (422)."""
    item = _own_active_item(item_id)
    dept = item.department
    form = ItemRowForm(prefix=f"i{item.id}")
    officers = service.serving_officers(dept)
    form.set_officers(officers)
    form.validate()
    _, errors = _save(form, dept, officers, item)
    if errors:
        form.add_errors(errors)
        return _row_form(form, item, status=422)
    return _row(ServiceItem.get_by_id(item.id), changed=True)


@bp.route("/<int:item_id>/retire", methods=["POST"])
@department_required
def retire(item_id):
    """停用事项: the item leaves the list (kept, and restorable); asked for confirmation first."""
    item = _own_active_item(item_id)
    with write() as w:
        service.set_retired(w, item, True, _moment())
    if htmx.is_htmx():
        return htmx.trigger(make_response("", 200), CHANGED)
    return htmx.flash_redirect(f"已停用事项“{item.label}”，可在“已停用”中恢复。", "success", "items.index")


@bp.route("/<int:item_id>/restore", methods=["POST"])
@department_required
def restore(item_id):
    """恢复事项: a retired item back in the list."""
    item = get_scoped_or_404(ServiceItem, item_id)
    if not can_write_department(item.department_id):
        abort(403)
    if item.retired:
        with write() as w:
            service.set_retired(w, item, False, _moment())
        flash(f"已恢复事项“{item.label}”。", "success")
    return redirect(url_for("items.detail", item_id=item.id))


@bp.route("/<int:item_id>", methods=["GET", "POST"])
@any_role
def detail(item_id):
    """事项详情: every element of the item (事项编码, 设定依据, 时限, 办件类型, 到现场次数, 申请材料, 办理地点),
    editable by its department; read-only for the office and leaders."""
    item = get_scoped_or_404(ServiceItem, item_id)
    dept = item.department
    editable = can_write_department(dept.id) and not item.retired
    if request.method == "POST" and not editable:
        abort(403 if not can_write_department(dept.id) else 404)
    history = service.history(item)
    form = None
    if editable:
        officers = service.serving_officers(dept)
        form = ItemDetailForm(data=ItemDetailForm.data_of(item))
        form.set_officers(officers)
        if request.method == "POST":
            form.validate()
            _, errors = _save(form, dept, officers, item, details=True)
            if errors:
                form.add_errors(errors)
                return render_template("items/detail.html", form=form, item=item, dept=dept, history=history), 422
            return htmx.flash_redirect("已保存。", "success", "items.detail", item_id=item.id)
    return render_template("items/detail.html", form=form, item=item, dept=dept, history=history,
                           unauthorised=service.unauthorised_ids(dept, clock.today()), dept_args=_dept_args(dept),
                           position=None if editable else ServiceItem.position_of(item))


@bp.route("/assign", methods=["POST"])
@department_required
def assign():
    """批量指定首席服务员: the ticked items become 纳入 under one officer and approval mode, in one
    transaction; nothing changes when any of them cannot."""
    dept = current_user.department
    form = AssignForm()
    ids = []
    for value in request.form.getlist("ids"):
        if not value.isdigit():
            abort(400)
        ids.append(int(value))
    back = request.form.get("back") or ""
    if not back.startswith(url_for("items.index")) or "//" in back or "\\" in back:
        back = url_for("items.index")
    try:
        with write() as w:
            n = service.assign(w, dept, ids, form.officer_id.data, form.mode.data, _moment())
    except service.ServiceError as exc:
        flash(f"未能批量指定：{exc}", "error")
        return redirect(back)
    flash(f"已将{n}项事项设为纳入并指定首席服务员、审批方式。", "success")
    return redirect(back)


# --- import and export ---------------------------------------------------------------------------


def _uploaded(form, read, max_rows: int):
    """(the upload, what ``read`` makes of its workbook), or (None, None) with the reason on the form's
    file field: no file, not an .xlsx, too big, unreadable, not attachment 1, too many rows."""
    form.validate()
    try:
        checked = check_upload(request.files.get(form.file.name), allowed=("xlsx",),
                               max_bytes=current_app.config["UPLOAD_MAX_BYTES"])
        return checked, read(checked.data, max_rows)
    except UploadError as exc:
        form.file.errors = [str(exc)]
        return None, None


@bp.route("/import", methods=["GET", "POST"])
@department_required
def import_():
    """导入附件1: every row checked; all rows imported or none, with each bad row and column listed."""
    dept = current_user.department
    form = ImportForm()
    max_rows = current_app.config["IMPORT_MAX_ROWS"]
    context = {"form": form, "dept": dept, "max_rows": max_rows, "plan": None}
    if request.method == "POST":
        checked, rows = _uploaded(form, imports.read_workbook, max_rows)
        if checked is None:
            return render_template("items/import.html", **context), 422
        officers = service.serving_officers(dept)
        existing = service.existing_for_import(dept)
        plan = imports.plan(rows, department_name=dept.name, short_name=dept.short_name,
                            officers=[(o.id, o.name) for o in officers], existing=existing)
        if not plan.ok:
            context.update(plan=plan, filename=checked.filename)
            return render_template("items/import.html", **context), 422
        with write() as w:
            summary = service.apply_import(w, dept, plan, _moment())
        untouched = service.untouched_count(dept, plan)
        for category, message in service.import_messages(summary, plan, untouched):
            flash(message, category)
        return redirect(url_for("items.index"))
    return render_template("items/import.html", **context)


@bp.route("/export")
@any_role
def export():
    """导出附件1: the department's current list, or one of its versions (?version=<id>), as .xlsx."""
    dept = viewed_department()
    if dept is None:
        abort(404)
    today = clock.today()
    version = request.args.get("version")
    if version:
        item_list = get_scoped_or_404(ItemList, version)
        if item_list.department_id != dept.id:
            abort(404)
        rows = [service.as_dict(r) for r in service.list_rows(item_list)]
        parts = (dept.name, attachment1.DOWNLOAD_TITLE, f"第{item_list.revision}版")
        words = f"{dept.code}-item-list-version-{item_list.revision}"
    else:
        rows = [service.as_dict(i) for i in service.draft_items(dept)]
        parts = (dept.name, attachment1.DOWNLOAD_TITLE)
        words = f"{dept.code}-item-list"
    data = attachment1.build([attachment1.fields_of(r, dept.name) for r in rows], day=today, unit=dept.name)
    return send_xlsx(data, download_name(*parts, day=today, ascii=words))


@bp.route("/export/city")
@staff_required
def export_city():
    """全市汇总导出: every department's latest approved list in the attachment-1 layout."""
    today = clock.today()
    # Kept in memory the workbook is written fastest (+90 MB at a province's 50,000 rows); only a larger
    # one is streamed through a temporary file, slower but flat in memory.
    stream = service.city_row_count() > current_app.config["EXPORT_STREAM_ROWS"]
    data = attachment1.build(service.city_rows(), day=today, city=True, stream=stream)
    return send_xlsx(data, download_name("赤壁市", attachment1.DOWNLOAD_TITLE, "全市汇总", day=today,
                                           ascii="chibi-city-item-list"))


# --- submission, versions, review ---------------------------------------------------------------


@bp.route("/submit", methods=["GET", "POST"])
@department_required
def submit():
    """报送清单: what will be submitted (figures, what is still undecided, changes since the published
    version), then the submission itself, which freezes the list as a new version."""
    dept = current_user.department
    today = clock.today()
    if request.method == "POST":
        try:
            with write() as w:
                item_list = service.submit(w, dept, current_user._get_current_object(), _moment())
        except service.ServiceError as exc:
            return htmx.flash_redirect(str(exc), "error", "items.submit")
        return htmx.flash_redirect(
            f"已报送第{item_list.revision}版事项清单，等待协调办审核。报送后仍可继续修改事项，修改内容将在下次报送时提交。",
            "success", "items.versions")
    published = ItemList.published_for(dept)
    changes = service.diff(service.list_rows(published), service.draft_items(dept)) if published else None
    return render_template(
        "items/submit.html", dept=dept, figures=service.counts(dept, today), waiting=service.waiting(dept),
        published=published, changes=changes, deadline=Setting.list_deadline(today.year),
        first=service.first_submission(dept, today.year),
    )


def _list_of_viewed(list_id) -> ItemList:
    """A list revision the user may see: a department user only their own (404 otherwise)."""
    return get_scoped_or_404(ItemList, list_id)


@bp.route("/versions")
@any_role
def versions():
    """版本记录: every submitted revision of the department's list with its state, and a comparison form."""
    dept = viewed_department()
    if dept is None:
        abort(404)
    lists = service.versions(dept)
    reviewers = service.list_users(lists)
    return render_template("items/versions.html", dept=dept, lists=lists, figures=service.list_figures(lists),
                           users=reviewers, dept_args=_dept_args(dept))


@bp.route("/versions/<int:list_id>")
@any_role
def version(list_id):
    """One frozen version of a department's list, as submitted."""
    item_list = _list_of_viewed(list_id)
    rows = service.list_rows(item_list)
    dept = item_list.department
    return render_template("items/version.html", item_list=item_list, dept=dept, rows=rows,
                           figures=service.row_counts(rows), dept_args=_dept_args(dept))


def _show_unchanged() -> bool:
    """?unchanged=show: the comparison lists the unchanged rows too (hidden by default)."""
    return request.args.get("unchanged") == "show"


@bp.route("/diff")
@any_role
def diff():
    """版本比对: rows added, removed and changed field by field between two versions (or a version and the
    current draft, b=draft)."""
    a, b = request.args.get("a"), request.args.get("b")
    if not a:
        abort(404)
    old = _list_of_viewed(a)
    dept = old.department
    if b in (None, "", "draft"):
        new, new_rows = None, service.draft_items(dept)
    else:
        new = _list_of_viewed(b)
        if new.department_id != dept.id:
            abort(404)
        if new.revision < old.revision:  # always older → newer, whichever way round they were picked
            old, new = new, old
        new_rows = service.list_rows(new)
    result = service.diff(service.list_rows(old), new_rows)
    return render_template("items/diff.html", dept=dept, old=old, new=new, result=result,
                           lists=service.versions(dept), dept_args=_dept_args(dept),
                           diff_args={"a": old.id, "b": new.id if new else "draft"},
                           show_unchanged=_show_unchanged())


@bp.route("/review")
@staff_required
def review_queue():
    """清单审核: the lists waiting for the office's review, and every department's list state."""
    today = clock.today()
    waiting = list(ItemList.waiting_review())
    overview = service.departments_overview(today.year, today)
    return render_template("items/review_queue.html", waiting=waiting, figures=service.list_figures(waiting),
                           overview=overview, year=today.year, deadline=Setting.list_deadline(today.year))


def _review_page(item_list, form, status=200):
    rows = service.list_rows(item_list)
    previous = service.previous_approved(item_list)
    changes = service.diff(service.list_rows(previous), rows) if previous else None
    dept = item_list.department
    return render_template("items/review.html", item_list=item_list, dept=dept, rows=rows,
                           figures=service.row_counts(rows), current=service.counts(dept, clock.today()), previous=previous,
                           changes=changes, form=form, dept_args={"dept": dept.code},
                           unauthorised=service.unauthorised_officers(rows),
                           show_unchanged=_show_unchanged()), status


@bp.route("/review/import", methods=["GET", "POST"])
@office_required
def import_city():
    """导入全市清单: a city-wide workbook (one sheet with 实施部门, or a sheet per department) checked
    whole, then written for every department at once or not at all; the result per department."""
    form = CityImportForm()
    max_rows = current_app.config["CITY_IMPORT_MAX_ROWS"]
    context = {"form": form, "max_rows": max_rows, "result": None, "refused": ""}
    if request.method == "GET":
        return render_template("items/city_import.html", **context)
    checked, sheets = _uploaded(form, imports.read_sheets, max_rows)
    if checked is None:
        return render_template("items/city_import.html", **context), 422
    result = city_import.check(sheets)
    context.update(result=result, filename=checked.filename, check_only=bool(form.check_only.data))
    if not result.ok:
        return render_template("items/city_import.html", **context), 422
    if not form.check_only.data:
        try:
            with write() as w:
                city_import.apply(w, result, _moment())
        except service.ServiceError as exc:
            context["refused"] = str(exc)
            return render_template("items/city_import.html", **context), 409
    return render_template("items/city_import.html", **context)


@bp.route("/review/<int:list_id>")
@staff_required
def review(list_id):
    """审核清单: the submitted version with the department's figures and what changed since its last
    approved version; approve or return with a comment."""
    item_list = get_scoped_or_404(ItemList, list_id)
    return _review_page(item_list, ReturnForm())


@bp.route("/review/<int:list_id>/approve", methods=["POST"])
@office_required
def approve(list_id):
    """审核通过: the version is approved and published (公示); earlier approved versions are kept."""
    item_list = get_scoped_or_404(ItemList, list_id)
    if (service.unauthorised_officers(service.list_rows(item_list))
            and request.form.get("confirm_unauthorised") != "1"):
        flash("该清单有纳入事项的首席服务员尚未获得授权（见下方提示）。如确需公示，请勾选“已知悉”后再审核通过。", "error")
        return _review_page(item_list, ReturnForm(formdata=None), 422)
    try:
        with write() as w:
            service.approve(w, item_list, current_user._get_current_object(), _moment())
    except service.ServiceError as exc:
        return htmx.flash_redirect(str(exc), "error", "items.review", list_id=item_list.id)
    return htmx.flash_redirect(
        f"已通过{item_list.department.name}第{item_list.revision}版事项清单，并已公示。",
        "success", "items.review_queue")


@bp.route("/review/<int:list_id>/return", methods=["POST"])
@office_required
def return_(list_id):
    """退回清单 with the office's comment, which the department sees on its home page."""
    item_list = get_scoped_or_404(ItemList, list_id)
    form = ReturnForm()
    if not form.validate():
        return _review_page(item_list, form, 422)
    try:
        with write() as w:
            service.return_list(w, item_list, current_user._get_current_object(), form.comment.data, _moment())
    except service.ServiceError as exc:
        return htmx.flash_redirect(str(exc), "error", "items.review", list_id=item_list.id)
    return htmx.flash_redirect(
        f"已退回{item_list.department.name}第{item_list.revision}版事项清单。",
        "success", "items.review_queue")


@bp.route("/deadline", methods=["GET", "POST"])
@office_required
def deadline():
    """报送截止日期: the office sets the year's deadline (default 10 August); submissions of that year are
    judged again against it."""
    today = clock.today()
    years = [today.year - 1, today.year, today.year + 1]
    form = DeadlineForm()
    form.year.choices = [(str(y), f"{y}年") for y in years]
    if request.method == "GET":
        form.year.data = str(today.year)
        form.deadline.data = Setting.list_deadline(today.year)
    status = 200
    if request.method == "POST":
        form.validate()
        year = int(form.year.data) if (form.year.data or "").isdigit() and int(form.year.data) in years else None
        if year is None:
            form.year.errors = list(form.year.errors) + ["请选择年度。"]
        elif form.deadline.data and form.deadline.data.year != year:
            form.deadline.errors = list(form.deadline.errors) + [f"截止日期须在{year}年内。"]
        if not form.errors and not form.year.errors and not form.deadline.errors:
            with write() as w:
                changed = service.set_deadline(w, year, form.deadline.data, today)
            message = f"已将{year}年度清单报送截止日期设为{form.deadline.data.year}年{form.deadline.data.month}月{form.deadline.data.day}日。"
            if changed:
                message += f"已按新的截止日期重新判定{changed}份已报送清单是否按时。"
            return htmx.flash_redirect(message, "success", "items.deadline")
        status = 422
    current = [(y, Setting.list_deadline(y), Setting.get_value(f"list_deadline_{y}") is not None) for y in years]
    return render_template("items/deadline.html", form=form, current=current), status
