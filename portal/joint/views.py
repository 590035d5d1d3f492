"""一事联办 — views: the list of joint matters, opening one, the countersignatures (会签), the sheet."""
from __future__ import annotations

from flask import abort, flash, render_template, request, url_for
from flask_login import current_user
from peewee import IntegrityError

from .. import clock, htmx, listing, rules
from ..access import any_role, chosen_department, department_required
from ..audit import write
from ..models import Department, JointMatter, ServiceItem, Setting
from . import bp
from . import service
from .forms import (INVESTOR_EXISTING, INVESTOR_NEW, MAX_ROWS, JointForm, LeadForm, NoteForm, PartRow, ReceivedForm,
                    SignForm, parse_int, summary)


def _text(field) -> str:
    """A text field's value as stored: trimmed, and empty (not None) when the browser sent nothing."""
    return (field.data or "").strip()


SORTS = {"opened": JointMatter.opened_on, "project": JointMatter.project, "finished": JointMatter.finished_on}


# --- the list ----------------------------------------------------------------------------------------


@bp.get("/")
@any_role
def index():
    """联办事项列表: a department sees the matters it leads or takes part in; the office and the leader
    see all (?dept= one department), with the late ones and each department's time to countersign."""
    today = clock.today()
    department = chosen_department()
    if current_user.is_department:
        dept_id, role = current_user.department_id, request.args.get("role")
    else:
        role, dept_id = None, department.id if department else None
    search = (request.args.get("q") or "").strip()
    state = request.args.get("state")
    figures, query = service.listed(service.list_conditions(dept_id, role, search), state, today)
    query, current_sort = listing.sort(query, SORTS, "-opened")
    page = listing.paginate(query.order_by_extend(JointMatter.id.desc()))
    views = service.load_views(page.rows, today)

    office_view = not current_user.is_department
    context = dict(
        views=views, page=page, figures=figures, state=state, sort=current_sort, search=search,
        department=department, office_view=office_view, states=service.STATE_FILTERS,
        roles=service.ROLE_FILTERS, role=request.args.get("role"),
        departments=list(Department.active_ordered()) if office_view else [],
        late_parts=service.late_parts(today, department.id if department else None) if office_view else [],
        times=service.department_times(today, department.id if department else None) if office_view else [],
    )
    return htmx.render("joint/index.html", "joint/_rows.html", **context)


# --- opening a joint matter ----------------------------------------------------------------------


def _row_choices(row, departments, items_by_department):
    row.department.choices = [("", "（不参加，留空）")] + [(str(d.id), d.name) for d in departments]
    dept_id = parse_int(row.department.data)
    items = items_by_department.get(dept_id, [])
    placeholder = "— 请选择事项 —" if dept_id else "— 请先选择部门 —"
    row.item.choices = [("", placeholder)] + [(str(i.id), i.label) for i in items]


def _other_departments(lead_id):
    return [d for d in Department.active_ordered() if d.id != lead_id]


def _prepare(form: JointForm, lead):
    """Fill the form's choices; returns what validation needs (lead's investors and items, departments)."""
    investors = service.lead_investors(lead.id)
    lead_items = {i.id: i for i in ServiceItem.for_department(lead.id)}
    departments = _other_departments(lead.id)
    form.investor_id.choices = [("", "— 请选择 —")] + [(str(i.id), f"{i.name}（{i.credit_code}）") for i in investors.values()]
    form.lead_item.choices = [("", "— 请选择本部门事项 —")] + [(str(i.id), i.label) for i in lead_items.values()]
    by_department = service.items_by_department(parse_int(e.form.department.data) for e in form.parts)
    for entry in form.parts:
        _row_choices(entry.form, departments, by_department)
    items = {i.id: i for rows in by_department.values() for i in rows}
    return investors, lead_items, {d.id: d for d in Department.active_ordered()}, items


def _render_new(form, status=200):
    return htmx.render("joint/new.html", "joint/_form.html", status, form=form, errors=summary(form),
                       has_investors=len(form.investor_id.choices) > 1, max_rows=MAX_ROWS)


@bp.route("/new", methods=["GET", "POST"])
@department_required
def new():
    """发起联办: the lead department opens a joint matter — investor, project, its own item and the
    participating departments each with their item and deadline (工作日) — in one transaction."""
    lead = current_user.department
    today = clock.today()
    form = JointForm()
    form.today, form.since = today, Setting.system_start()
    investors, lead_items, departments, items = _prepare(form, lead)
    if request.method == "GET":
        form.opened_on.data = today
        form.investor_mode.data = INVESTOR_EXISTING if investors else INVESTOR_NEW
        return _render_new(form)

    form.validate()
    form.check_investor(investors)
    rows = form.check_parts(lead.id, lead_items, departments, items)
    if summary(form):
        return _render_new(form, 422)

    try:
        with write() as w:
            matter = service.open_matter(w, lead.id, form, investors, rows, current_user.id)
    except IntegrityError:
        # Another user registered the same investor a moment ago: nothing of this form was saved.
        form.inv_code.errors.append("本部门台账中已有该统一社会信用代码的投资者，请在“本部门台账中已有的投资者”中选择")
        return _render_new(form, 422)
    return htmx.flash_redirect(
        f"联办事项“{matter.project}”已发起，已通知{len(rows)}个参与部门会签。",
        "success", "joint.detail", matter_id=matter.id)


@bp.get("/new/row")
@department_required
def part_row():
    """One participating-department row of the new-matter form: its item list follows the department
    chosen (htmx), and "添加参与部门" appends a fresh row."""
    index = parse_int(request.args.get("row"))
    if index is None or index >= MAX_ROWS:
        abort(404)
    row = PartRow(formdata=request.args, prefix=f"parts-{index}")
    departments = _other_departments(current_user.department_id)
    _row_choices(row, departments, service.items_by_department([parse_int(row.department.data)]))
    if not row.days.data:
        row.days.data = "5"
    return render_template("joint/_part_row.html", row=row, index=index, add=request.args.get("add") == "1",
                           max_rows=MAX_ROWS)


# --- one joint matter ----------------------------------------------------------------------------


def _visible_or_404(matter_id):
    matter = service.visible_matter_or_none(matter_id, current_user)
    if matter is None:
        abort(404)
    return matter


def _own_part_or_404(matter, part_id):
    return service.part_of(matter, part_id, current_user.department_id) or abort(404)


def _sign_form(officers, form=None):
    form = form or SignForm(formdata=None, signed_on=clock.today(),
                            officer_id=str(officers[0].id) if len(officers) == 1 else "")
    form.officer_id.choices = [("", "— 请选择 —")] + [(str(o.id), f"{o.name}（{o.position}）" if o.position else o.name)
                                                   for o in officers]
    return form


def _detail_context(matter, sign_form=None, received_forms=None, note_form=None, lead_form=None):
    """Everything the detail page shows to this user: every part's status, and the forms the user may use."""
    today = clock.today()
    view = service.load_views([matter], today, with_requests=True)[0]
    dept_id = current_user.department_id if current_user.is_department else None
    own = view.part_of(dept_id) if dept_id else None
    is_lead = dept_id is not None and dept_id == matter.lead_id
    officers = service.serving_officers(dept_id) if own else []
    if own and (sign_form is not None or own.part.decision in (None, rules.SIGN_SUPPLEMENT)):
        sign_form = _sign_form(officers, sign_form)
    received_forms = dict(received_forms or {})
    for pv in view.parts:
        if pv.part.decision == rules.SIGN_SUPPLEMENT and dept_id in (pv.part.department_id, matter.lead_id):
            received_forms.setdefault(pv.part.id, ReceivedForm(formdata=None, prefix=f"r{pv.part.id}",
                                                               received_on=today))
    # The lead keeps its notes on the matter (牵头部门记录); its own part needs no second note.
    if own and not is_lead and note_form is None:
        note_form = NoteForm(formdata=None, internal_note=own.part.internal_note)
    if is_lead and lead_form is None:
        lead_form = LeadForm(formdata=None, visits=str(matter.visits), notes=matter.notes)
    return dict(view=view, matter=matter, own=own, is_lead=is_lead, officers=officers, sign_form=sign_form,
                received_forms=received_forms, note_form=note_form, lead_form=lead_form,
                sign_errors=summary(sign_form) if sign_form else [])


@bp.get("/<int:matter_id>")
@any_role
def detail(matter_id):
    """联办事项详情: every department's part and countersignature, who is late and where the matter is
    stuck; a department signs its own part here, the lead records the investor's visits."""
    matter = _visible_or_404(matter_id)
    return render_template("joint/detail.html", **_detail_context(matter))


def _invalid(matter, fragment, **forms):
    return htmx.render("joint/detail.html", fragment, 422, **_detail_context(matter, **forms))


@bp.post("/<int:matter_id>/parts/<int:part_id>/sign")
@department_required
def sign(matter_id, part_id):
    """会签: the department records its countersignature on its own part — 同意, 不同意, or 补正 with the
    missing material told once. The matter is finished (办结) when every part is 同意."""
    today = clock.today()
    matter = _visible_or_404(matter_id)
    part = _own_part_or_404(matter, part_id)
    officers = service.serving_officers(current_user.department_id)
    form = _sign_form(officers, SignForm())
    form.validate()
    outstanding = service.outstanding_request(part)
    earliest, label = service.earliest_signing(matter, part, outstanding)
    form.check(today, earliest, label, {o.id for o in officers})
    if part.decision in (rules.SIGN_AGREE, rules.SIGN_DISAGREE):
        form.decision.errors.append(f"本部门已于{part.signed_on.isoformat()}会签“{part.decision}”，不能重复会签")
    if summary(form):
        return _invalid(matter, "joint/_sign_form.html", sign_form=form)

    try:
        with write() as w:
            service.sign(w, matter, part, form, outstanding, current_user.id)
    except service.Changed:
        form.decision.errors.append("本部门的会签刚刚已由他人办理，请刷新页面查看")
        return _invalid(matter, "joint/_sign_form.html", sign_form=form)
    flash({rules.SIGN_AGREE: "已会签“同意”。", rules.SIGN_DISAGREE: "已会签“不同意”，联办事项办理终止。",
           rules.SIGN_SUPPLEMENT: "已要求补正，牵头部门将一次性告知投资者需补正的材料。"}[form.decision.data], "success")
    return htmx.redirect_to(url_for("joint.detail", matter_id=matter.id))


@bp.post("/<int:matter_id>/parts/<int:part_id>/received")
@department_required
def received(matter_id, part_id):
    """补正材料已收到: recorded by the department that asked or by the lead; the part returns to be
    signed again and its deadline is counted afresh from the day the material arrived."""
    today = clock.today()
    matter = _visible_or_404(matter_id)
    part = service.part_of(matter, part_id)
    if part is None or current_user.department_id not in (part.department_id, matter.lead_id):
        abort(404)
    outstanding = service.outstanding_request(part)
    form = ReceivedForm(prefix=f"r{part.id}")
    form.validate()
    if part.decision != rules.SIGN_SUPPLEMENT:
        form.received_on.errors.append("该部门没有待补正的材料要求（可能已登记收到或已重新会签），请刷新页面")
    else:
        asked_on = outstanding.asked_on if outstanding else (part.signed_on or matter.opened_on)
        form.check(today, asked_on)
    if summary(form):
        return _invalid(matter, "joint/_parts.html", received_forms={part.id: form})

    with write() as w:
        service.record_received(w, part, outstanding, form.received_on.data)
    return htmx.flash_redirect(
        f"已登记补正材料收到，{part.department.name}须在{part.deadline.isoformat()}前重新会签。",
        "success", "joint.detail", matter_id=matter.id)


@bp.post("/<int:matter_id>/parts/<int:part_id>/note")
@department_required
def note(matter_id, part_id):
    """本部门内部备注 on the department's own part: never shown to any other department."""
    matter = _visible_or_404(matter_id)
    part = _own_part_or_404(matter, part_id)
    form = NoteForm()
    if not form.validate():
        return _invalid(matter, "joint/_note_form.html", note_form=form)
    with write() as w:
        w.update(part, internal_note=_text(form.internal_note))
    return htmx.flash_redirect("内部备注已保存。", "success", "joint.detail", matter_id=matter.id)


@bp.post("/<int:matter_id>/lead")
@department_required
def lead(matter_id):
    """牵头部门记录: the investor's in-person visits (跑动次数, goal at most one) and the lead's notes."""
    matter = _visible_or_404(matter_id)
    if matter.lead_id != current_user.department_id:
        abort(404)
    form = LeadForm()
    if not form.validate():
        return _invalid(matter, "joint/_lead_form.html", lead_form=form)
    with write() as w:
        w.update(JointMatter.get_by_id(matter.id), visits=parse_int(form.visits.data),
                 notes=_text(form.notes))
    return htmx.flash_redirect("牵头部门记录已保存。", "success", "joint.detail", matter_id=matter.id)


@bp.get("/<int:matter_id>/sheet")
@any_role
def sheet(matter_id):
    """联办单: one printable page with every department's countersignature, for the file."""
    matter = _visible_or_404(matter_id)
    view = service.load_views([matter], clock.today(), with_requests=True)[0]
    return render_template("joint/sheet.html", view=view, matter=matter)
