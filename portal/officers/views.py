"""首席服务员与授权委托书 — the department's officers, their letters, the coverage timeline, the office's
overview and settings, and the roster exports (附件3)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from peewee import IntegrityError

from .. import clock, htmx, rules
from ..access import (any_role, can_write_department, department_required, get_scoped_or_404, office_required,
                      staff_required)
from ..audit import write
from ..files import docs, download_name, letter_text, send_xlsx
from ..files.attachment3 import roster_workbook
from ..models import Department, Letter, LetterItem, Officer, Setting, TenureReport
from . import bp, coverage, service, timeline
from .forms import AppointForm, EditForm, IssueForm, SettingsForm

SORTS = {"name": lambda r: r.department.sort_order, "gap": lambda r: r.gap_days, "early": lambda r: r.early,
         "open": lambda r: r.open_reports, "serving": lambda r: len(r.serving)}


def _department():
    """The department shown: a department user's own (?dept ignored); ?dept=<code> for the office and
    leaders (None when not given)."""
    if current_user.is_department:
        return current_user.department
    code = request.args.get("dept", "").strip()
    if not code:
        return None
    return Department.get_or_none(Department.code == code) or abort(404)


def _department_page(dept: Department) -> dict:
    """Everything the department's officers page shows, in a fixed number of queries."""
    today = clock.today()
    since = Setting.system_start()
    officers = list(Officer.of_department(dept))
    serving = [o for o in officers if o.term_end is None]
    past = sorted((o for o in officers if o.term_end is not None), key=lambda o: (o.term_end, o.id), reverse=True)
    status = service.status_for(serving, today)
    all_letters = list(Letter.of_department(dept))
    counts = LetterItem.section_counts([l.id for l in all_letters])
    reports = list(TenureReport.of_department(dept))
    early_out = {r.outgoing_id for r in reports if r.early}
    open_reports = [r for r in reports if rules.report_open(r.state)]
    intervals, gap_count = coverage.gaps(officers, since, today) if dept.has_window else ([], 0)
    svg = timeline.render(officers, [l for l in all_letters if l.state != rules.LETTER_DRAFT], intervals, since, today,
                          f"{dept.name}首席服务员任职时间轴")
    return dict(dept=dept, today=today, since=since, officers=officers, serving=serving, past=past, status=status,
                unauthorised=[o for o in serving if status[o.id]["letter"] is None],
                letters=all_letters, counts=counts, early_out=early_out, open_reports=open_reports,
                gap_intervals=intervals, gap_days=gap_count, svg=svg,
                may_appoint=not serving or dept.several_officers,
                can_write=can_write_department(dept.id))


@bp.route("/")
@any_role
def index():
    """首席服务员: who serves now and since when, past officers, letters, and the coverage timeline with
    the gap days (断档天数) since the system's start. The office and leaders pick a department (?dept=)."""
    dept = _department()
    if dept is None:
        return redirect(url_for("officers.overview"))
    ctx = _department_page(dept)
    form = AppointForm() if ctx["can_write"] and ctx["may_appoint"] else None
    return render_template("officers/index.html", form=form, **ctx)


def _appoint_refusal(dept: Department) -> str | None:
    serving = list(Officer.serving(dept))
    if serving and not dept.several_officers:
        names = "、".join(o.name for o in serving)
        return (f"本部门已有在任首席服务员（{names}），每个部门只设一名首席服务员。更换人员请报送任期调整报告；"
                "确需设置多名首席服务员的，请联系协调办。")
    return None


@bp.route("/new", methods=["GET", "POST"])
@department_required
def appoint():
    """任命首席服务员: the first officer of the department, or another one where the office allowed
    several (rule 3). A change of officer goes through a tenure-change report instead."""
    dept = current_user.department
    form = AppointForm()
    refusal = _appoint_refusal(dept)
    if request.method == "POST" and refusal is None and form.validate_on_submit():
        last_end = Officer.last_term_end(dept)
        if last_end and not dept.several_officers and form.term_start.data <= last_end:
            form.term_start.errors.append(f"任期开始日期须晚于上一任首席服务员的离任日期（{last_end.isoformat()}）。")
        else:
            with write() as w:
                officer = w.create(Officer, department=dept, term_start=form.term_start.data, **form.person())
            return htmx.flash_redirect(
                f"已任命 {officer.name} 为首席服务员。请为其指定审批事项并签发授权委托书，签发前为“未授权上岗”。",
                "success", "officers.detail", officer_id=officer.id)
    failed = request.method == "POST"
    return render_template("officers/new.html", form=form, dept=dept, refusal=refusal), (422 if failed else 200)


@bp.route("/<int:officer_id>")
@any_role
def detail(officer_id):
    """首席服务员详情: particulars, term, the items held now against the letter in force, every letter."""
    officer = get_scoped_or_404(Officer, officer_id)
    today = clock.today()
    status = service.status_for([officer], today)[officer.id]
    in_force = status["letter"]
    rows = service.letter_rows([in_force.id])[in_force.id] if in_force else []
    items = status["items"]
    officer_letters = list(Letter.of_officer(officer))
    reports = list(TenureReport.of_officer(officer))
    return render_template(
        "officers/detail.html", review_record=_review_record(officer), officer=officer, dept=officer.department, status=status, in_force=in_force,
        items=items, final=[i for i in items if i.mode == rules.FINAL], first=[i for i in items if i.mode == rules.FIRST],
        unmoded=[i for i in items if i.mode not in rules.MODES],
        changes=service.changes(rows, items) if in_force else None, letters=officer_letters,
        counts=LetterItem.section_counts([l.id for l in officer_letters]), reports=reports, today=today,
        can_write=can_write_department(officer.department_id) and officer.term_end is None)


def _review_record(officer):
    """The officer's oversight record (抽查), shown when the oversight area provides it."""
    try:
        from ..oversight.service import officer_review_record
    except ImportError:
        return None
    return officer_review_record(officer)


@bp.route("/<int:officer_id>/edit", methods=["GET", "POST"])
@department_required
def edit(officer_id):
    """修改首席服务员信息: particulars only. Name and position are printed on letters, so they are fixed
    once a letter was issued; the term changes only through a tenure-change report."""
    officer = get_scoped_or_404(Officer, officer_id)
    form = EditForm(obj=officer)
    if form.validate_on_submit():
        fields = form.person()
        if Letter.ever_issued(officer):
            for name in ("name", "position"):
                if fields[name] != getattr(officer, name):
                    getattr(form, name).errors.append("已签发授权委托书后不能修改（授权委托书须与签发时一致）；"
                                                      "人员变化请报送任期调整报告。")
        if not form.errors:
            with write() as w:
                w.update(officer, **fields)
            return htmx.flash_redirect("已保存首席服务员信息。", "success", "officers.detail", officer_id=officer.id)
    return render_template("officers/edit.html", form=form, officer=officer), (422 if request.method == "POST" else 200)


# --- letters --------------------------------------------------------------------------------------


@bp.route("/<int:officer_id>/letters/new", methods=["POST"])
@department_required
def letter_new(officer_id):
    """生成授权委托书草稿: sections 一 (终审) and 二 (初审) from the officer's current 纳入 items."""
    officer = get_scoped_or_404(Officer, officer_id)
    try:
        with write() as w:
            letter = service.draft(w, officer, clock.today())
    except service.LetterError as e:
        return htmx.flash_redirect(e.message, "error", "officers.detail", officer_id=officer.id)
    except IntegrityError:
        return htmx.flash_redirect("文号已被占用（可能有人同时生成了授权委托书），请重试。", "error", "officers.detail", officer_id=officer.id)
    return redirect(url_for("officers.letter", letter_id=letter.id))


@bp.route("/<int:officer_id>/letters/reissue", methods=["POST"])
@department_required
def letter_reissue(officer_id):
    """按当前事项重新签发: the new letter drawn from the officer's current items and issued today, in one step."""
    officer = get_scoped_or_404(Officer, officer_id)
    try:
        with write() as w:
            letter = service.reissue(w, officer, current_user._get_current_object(), clock.today())
    except service.LetterError as e:
        return htmx.flash_redirect(e.message, "error", "officers.detail", officer_id=officer.id)
    except IntegrityError:
        return htmx.flash_redirect("文号已被占用（可能有人同时签发了授权委托书），请重试。", "error", "officers.detail", officer_id=officer.id)
    return htmx.flash_redirect(
        f"已按当前事项重新签发授权委托书 {letter.number}，原授权委托书已替换。",
        "success", "officers.letter", letter_id=letter.id)


def _letter_page(letter: Letter, form=None, status: int = 200):
    rows = service.letter_rows([letter.id])[letter.id]
    content = service.content(letter, rows)
    successor = Letter.get_or_none(Letter.replaces == letter)
    stale = None
    if letter.state in (rules.LETTER_DRAFT, rules.LETTER_ISSUED):
        current = service.assigned_items([letter.officer_id])[letter.officer_id]
        stale = service.changes(rows, current)
    can_write = can_write_department(letter.department_id) and letter.officer.term_end is None
    if form is None and letter.state == rules.LETTER_DRAFT and can_write:
        form = IssueForm(issue_date=clock.today())
    in_force = Letter.in_force(letter.officer_id) if letter.state == rules.LETTER_DRAFT else None
    return render_template("officers/letter.html", letter=letter, content=content, text=letter_text,
                           successor=successor, stale=stale, form=form, can_write=can_write, in_force=in_force), status


@bp.route("/letters/<int:letter_id>")
@any_role
def letter(letter_id):
    """授权委托书: the letter as an A4 page that prints cleanly; a draft can be issued from here."""
    return _letter_page(get_scoped_or_404(Letter, letter_id))


@bp.route("/letters/<int:letter_id>.docx")
@any_role
def letter_docx(letter_id):
    """授权委托书 (.docx), laid out like the city's template."""
    letter = get_scoped_or_404(Letter, letter_id)
    data = docs.letter_docx(service.content(letter, service.letter_rows([letter.id])[letter.id]))
    suffix = "草稿" if letter.state == rules.LETTER_DRAFT else letter.number
    number = "draft" if letter.state == rules.LETTER_DRAFT else "-".join(str(n) for n in rules.parse_letter_number(letter.number) or (letter.id,))
    return docs.send_docx(data, f"{letter.department.name}-首席服务员授权委托书-{suffix}.docx",
                          ascii=f"{letter.department.code}-authorisation-letter-{number}.docx")


def _refused(e: service.LetterError, letter: Letter):
    flash(e.message, "error")
    if e.status == 409:
        return _letter_page(letter, status=409)
    return redirect(url_for("officers.letter", letter_id=letter.id))


@bp.route("/letters/<int:letter_id>/issue", methods=["POST"])
@department_required
def letter_issue(letter_id):
    """签发授权委托书: the draft becomes fixed and replaces the officer's letter in force (已替换)."""
    letter = get_scoped_or_404(Letter, letter_id)
    form = IssueForm()
    if letter.state != rules.LETTER_DRAFT:
        return _refused(service.LetterError(f"授权委托书 {letter.number} {letter.state}，不能再次签发或修改。"), letter)
    if not form.validate_on_submit():
        return _letter_page(letter, form, 422)
    try:
        with write() as w:
            service.issue(w, letter, form.issue_date.data, current_user._get_current_object(), clock.today())
    except service.LetterError as e:
        if e.status == 422:
            form.issue_date.errors.append(e.message)
            return _letter_page(Letter.get_by_id(letter.id), form, 422)
        return _refused(e, Letter.get_by_id(letter.id))
    except IntegrityError:
        form.issue_date.errors.append("文号已被占用（可能有人同时签发了授权委托书），请重试。")
        return _letter_page(Letter.get_by_id(letter.id), form, 422)
    letter = Letter.get_by_id(letter.id)
    return htmx.flash_redirect(f"已签发授权委托书 {letter.number}。", "success", "officers.letter", letter_id=letter.id)


@bp.route("/letters/<int:letter_id>/refresh", methods=["POST"])
@department_required
def letter_refresh(letter_id):
    """按当前事项重新生成: redraw a draft from the officer's items as they are now."""
    letter = get_scoped_or_404(Letter, letter_id)
    if letter.state != rules.LETTER_DRAFT:
        return _refused(service.LetterError(f"授权委托书 {letter.number} {letter.state}，内容不能再修改；"
                                            "事项有变化时请生成新的授权委托书。"), letter)
    try:
        with write() as w:
            service.draft(w, letter.officer, clock.today())
    except service.LetterError as e:
        return _refused(e, letter)
    return htmx.flash_redirect("已按当前事项重新生成草稿。", "success", "officers.letter", letter_id=letter.id)


@bp.route("/letters/<int:letter_id>/discard", methods=["POST"])
@department_required
def letter_discard(letter_id):
    """作废草稿: a draft that will not be issued; an issued letter can never be discarded."""
    letter = get_scoped_or_404(Letter, letter_id)
    try:
        with write() as w:
            service.discard(w, letter)
    except service.LetterError as e:
        return _refused(e, letter)
    return htmx.flash_redirect(f"已作废草稿 {letter.number}。", "success", "officers.detail", officer_id=letter.officer_id)


# --- the office -----------------------------------------------------------------------------------


@bp.route("/overview")
@staff_required
def overview():
    """全市首席服务员情况: per department serving officers, letters, gap days, early changes and open
    reports, filtered to the problems (?problem=no_officer|no_letter|gap|early|open)."""
    all_rows = coverage.city_rows(clock.today())
    counts = {key: sum(1 for r in all_rows if key in r.problems) for key in coverage.PROBLEMS}
    problem = request.args.get("problem", "")
    rows = all_rows
    if problem in coverage.PROBLEMS:
        rows = [r for r in all_rows if problem in r.problems]
    else:
        problem = ""
    sort = request.args.get("sort", "name")
    key = sort.lstrip("-")
    if key not in SORTS:
        sort, key = "name", "name"
    rows.sort(key=SORTS[key], reverse=sort.startswith("-"))
    return htmx.render("officers/overview.html", "officers/_overview_rows.html", rows=rows, counts=counts,
                       problem=problem, problems=coverage.PROBLEMS, sort=sort, since=Setting.system_start(),
                       total=len(all_rows))


@bp.route("/settings", methods=["GET", "POST"])
@office_required
def settings():
    """首席服务员设置: which departments may have several officers (rule 3), and the system's start date
    from which gap days are counted (rule 5)."""
    departments = list(Department.active_ordered())
    form = SettingsForm()
    if request.method == "GET":
        form.system_start.data = Setting.system_start()
    problems = []
    if form.validate_on_submit():
        wanted = {d.id: f"several_{d.id}" in request.form for d in departments}
        problems = service.several_officers_problems(departments, wanted)
        if not problems:
            with write() as w:
                for d in departments:
                    if d.several_officers != wanted[d.id]:
                        w.update(d, action="several_officers", several_officers=wanted[d.id])
                w.set_setting("system_start", form.system_start.data.isoformat())
            return htmx.flash_redirect("首席服务员设置已保存。", "success", "officers.settings")
        # Show the boxes as the office ticked them, not as stored.
        for d in departments:
            d.wanted = wanted[d.id]
    failed = request.method == "POST"
    return render_template("officers/settings.html", form=form, departments=departments, problems=problems), \
        (422 if failed else 200)


# --- roster exports (附件3) -----------------------------------------------------------------------


@bp.route("/roster.xlsx")
@any_role
def roster_export():
    """“首席服务员”名单 (附件3) of one department, as .xlsx."""
    dept = _department()
    if dept is None:
        return redirect(url_for("officers.roster_export_city"))
    today = clock.today()
    data = roster_workbook([(dept.name, Officer.serving_by_department([dept.id])[dept.id])], today, unit=dept.name)
    return send_xlsx(data, download_name(dept.name, "首席服务员名单", day=today, ascii=f"{dept.code}-officer-roster"))


@bp.route("/roster-city.xlsx")
@staff_required
def roster_export_city():
    """全市“首席服务员”名单 (附件3), every active department, as .xlsx."""
    today = clock.today()
    departments = list(Department.active_ordered())
    serving = Officer.serving_by_department([d.id for d in departments])
    data = roster_workbook([(d.name, serving[d.id]) for d in departments], today, unit=None)
    return send_xlsx(data, download_name("赤壁市", "首席服务员名单", day=today, ascii="chibi-city-officer-roster"))
