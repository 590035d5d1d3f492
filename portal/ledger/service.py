"""服务台账 — the matter queries every ledger page shares, the choices of the matter form, saving
matters and investors, the status change, the 好差评 summary and answers, and the holiday list.

Functions that write take the open audit writer `w` or open `write()` themselves after every check,
so that a view wraps one user action in one transaction."""
from __future__ import annotations

import datetime as dt

from peewee import JOIN, Case, IntegrityError, fn
from wtforms.fields.choices import SelectChoice

from .. import clock, listing, rules
from ..audit import write
from ..db import db
from ..models import Department, Evaluation, Holiday, Investor, Matter, Officer, ServiceItem, Setting

OVERDUE = "overdue"
OPEN = "open"  # 在办: 已受理 or 办理中


def parse_month(value: str | None) -> tuple[dt.date, dt.date] | None:
    """'2026-11' → (first day, last day); None for anything else."""
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        first = dt.date(year, month, 1)
    except ValueError:
        return None
    last = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    return first, last


def _int(value) -> int | None:
    return listing.record_id(value)  # bounded: ?item=<20 digits> is no record, not a database overflow


def matters(department=None):
    """Matters with their investor, item, officer (and department) joined: no query per row."""
    q = (Matter.select(Matter, Investor, ServiceItem, Officer, Department)
         .join(Investor).switch(Matter)
         .join(ServiceItem, JOIN.LEFT_OUTER).switch(Matter)
         .join(Officer, JOIN.LEFT_OUTER).switch(Matter)
         .join(Department))
    if department is not None:
        q = q.where(Matter.department == department)
    return q


def month_filter(query, args):
    """Only matters received in ?month=YYYY-MM (the figures follow the month too)."""
    span = parse_month(args.get("month"))
    if span:
        query = query.where(Matter.received_date.between(*span))
    return query


def apply_filters(query, args, today: dt.date):
    """The ledger's filters from the query string: status (or open / overdue), item, officer, month, q.

    Values that do not parse are ignored, so an edited link shows the whole ledger, not an error."""
    status = args.get("status")
    if status == OVERDUE:
        query = query.where(Matter.overdue_condition(today))
    elif status == OPEN:
        query = query.where(Matter.open_condition())
    elif status in rules.MATTER_STATES:
        query = query.where(Matter.status == status)
    item_id = _int(args.get("item"))
    if item_id:
        query = query.where(Matter.item == item_id)
    officer_id = _int(args.get("officer"))
    if officer_id:
        query = query.where(Matter.officer == officer_id)
    query = month_filter(query, args)
    text = (args.get("q") or "").strip()
    if text:
        query = query.where(Matter.project.contains(text) | Investor.name.contains(text)
                            | (Investor.credit_code == text.upper()))
    return query


SORT_COLUMNS = {
    "received": Matter.received_date, "promised": Matter.promised_date, "completed": Matter.completed_date,
    "project": Matter.project, "investor": Investor.name, "status": Matter.status, "visits": Matter.visits,
}


def ledger_figures(dept, today: dt.date, args) -> dict:
    """The ledger's figures (rules.ledger_figures, as Matter.ledger_figures puts it in SQL — the same
    query form as the dashboard's) for the department, in the chosen month if any."""
    return Matter.ledger_figures(today, month_filter(Matter.select().where(Matter.department == dept), args))


def filter_choices(dept) -> tuple[list, list]:
    """Items and officers of the department for the filter selects (two queries)."""
    items = list(ServiceItem.for_department(dept, include_retired=True).select(
        ServiceItem.id, ServiceItem.item_name, ServiceItem.sub_item_name, ServiceItem.retired))
    return items, list(Officer.choices(dept))


def city_overview(today: dt.date, sort: str) -> tuple[list[dict], dict, str]:
    """全市台账概况: each active department's ledger figures, sorted by ?sort= (departments without the
    figure stay at the bottom in either direction), and the city's total. Returns (rows, city, sort)."""
    by_dept = Matter.ledger_figures_by_department(today)
    empty = rules.ledger_figures([], today)
    rows = [{"dept": d, "fig": by_dept.get(d.id, empty)} for d in Department.active_ordered()]
    keys = {"open": "open", "overdue": "overdue", "total": "total", "on_time": "on_time_rate",
            "one_visit": "one_visit_rate", "online": "online_rate", "proxy": "proxy", "onsite": "onsite"}
    key = keys.get(sort.lstrip("-"))
    if key:
        known = sorted((r for r in rows if r["fig"][key] is not None), key=lambda r: r["fig"][key],
                       reverse=sort.startswith("-"))
        rows = known + [r for r in rows if r["fig"][key] is None]
    else:
        sort = "dept"
    return rows, rules.ledger_total(by_dept.values()), sort


# --- the matter form ---------------------------------------------------------------------------------


class _Data:
    def __init__(self, **kw):
        self.__dict__.update(kw)


def matter_data(matter):
    """The matter as the form's initial data (ids as the strings the selects hold)."""
    return _Data(investor=str(matter.investor_id), project=matter.project,
                 item=str(matter.item_id or ""), officer=str(matter.officer_id or ""),
                 received_date=matter.received_date, promised_date=matter.promised_date, status=matter.status,
                 completed_date=matter.completed_date, visits=matter.visits, handling=matter.handling,
                 notes=matter.notes)


def matter_choices(form, dept, matter=None) -> bool:
    """Fill the selects with the department's investors, items and officers; True if it has officers.

    A matter keeps its own item when that item has been retired since, so editing does not fail."""
    form.investor.choices = [SelectChoice("", "请选择")] + [
        SelectChoice(str(i.id), f"{i.name}（{i.credit_code}）") for i in Investor.choices(dept)]
    # Plain tuples: a department may have hundreds of items, and every POST fills these choices.
    form.item.choices = [SelectChoice("", "请选择")] + [
        SelectChoice(str(item_id), (f"{name}（{sub}）" if sub and sub != name else name) + ("（已停用）" if retired else ""))
        for item_id, name, sub, retired in ServiceItem.matter_choices(dept, matter.item_id if matter else None)]
    officers = list(Officer.choices(dept))
    form.officer.choices = [SelectChoice("", "未指定")] + [
        SelectChoice(str(o.id), o.name + ("（已离任）" if o.term_end else "")) for o in officers]
    form.officer.flags.required = bool(officers)  # a department with officers names who handled it
    return bool(officers)


def _posted_choices(form, dept, matter=None) -> tuple[bool, object | None]:
    """The selects' choices for validating a POST: only the submitted values, each kept when the
    department's full choices (matter_choices) would hold it — one small query per select instead of
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
    investor_ok, has_officers, officer_ok, item_ok, promised_days, item_name, sub_item_name = db.execute_sql(
        f"SELECT EXISTS (SELECT 1 FROM investor WHERE id = {p} AND department_id = {p}), "
        f"EXISTS (SELECT 1 FROM officer WHERE department_id = {p}), "
        f"EXISTS (SELECT 1 FROM officer WHERE id = {p} AND department_id = {p}), "
        f"EXISTS (SELECT 1 FROM service_item WHERE id = {p} AND department_id = {p} AND (NOT retired OR id = {p})), "
        f"(SELECT promised_days FROM service_item WHERE id = {p}), "
        f"(SELECT item_name FROM service_item WHERE id = {p}), (SELECT sub_item_name FROM service_item WHERE id = {p})",
        (investor_id or 0, dept_id, dept_id, officer_id or 0, dept_id, item_id or 0, dept_id,
         matter.item_id if matter and matter.item_id else 0, item_id or 0, item_id or 0, item_id or 0)).fetchone()
    only(form.investor, "请选择", investor_id is not None and bool(investor_ok))
    item = (_Data(id=item_id, promised_days=promised_days, label=ServiceItem.label_of(item_name, sub_item_name))
            if item_id is not None and item_ok else None)
    only(form.item, "请选择", item is not None)
    has_officers = bool(has_officers)
    only(form.officer, "未指定", officer_id is not None and bool(officer_ok))
    form.officer.flags.required = has_officers
    return has_officers, item


def save_matter(form, dept, matter=None):
    """Validate the matter form against the department (a Department or its id) and save it; None
    when there are errors (the selects then hold the department's full choices again, for the form
    shown with its errors)."""
    has_officers, item = _posted_choices(form, dept, matter)
    valid = form.validate_on_submit()
    form.check_dates(clock.today(), Setting.system_start())
    if has_officers and not form.officer.data and not form.officer.errors:
        form.officer.errors.append("请选择办理该事项的首席服务员")
    if not valid or any(f.errors for f in form):
        matter_choices(form, dept, matter)
        return None
    promised = form.promised_date.data
    if promised is None:
        if item.promised_days is None:
            form.promised_date.errors.append("该事项未设定承诺办结时限，请填写承诺办结日期")
            matter_choices(form, dept, matter)
            return None
        # 承诺办结时限 counts working days: weekends and the office's holiday list are skipped.
        promised = rules.add_working_days(form.received_date.data, item.promised_days, *Holiday.calendar())
    status = form.status.data
    fields = dict(
        investor=int(form.investor.data), project=form.project.data.strip(), item=item.id,
        # The item's name as recorded: kept when the item stays, today's when the item is changed.
        item_name=matter.item_name if matter is not None and matter.item_id == item.id and matter.item_name
        else item.label,
        officer=int(form.officer.data) if form.officer.data else None,
        received_date=form.received_date.data, promised_date=promised, status=status,
        completed_date=form.completed_date.data if status not in rules.MATTER_OPEN_STATES else None,
        visits=form.visits.data, handling=form.handling.data, notes=(form.notes.data or "").strip(),
    )
    with write() as w:
        if matter is None:
            return w.create(Matter, department=dept, **fields)
        return w.update(matter, updated_at=clock.now(), **fields)


def set_status(w, matter: Matter, form) -> Matter:
    """办理状态: the change a checked StatusForm asks for (with its 办结 / 退回 date)."""
    return w.update(matter, action="status", status=form.status.data, completed_date=form.completed,
                    updated_at=clock.now())


# --- investors ---------------------------------------------------------------------------------------


def save_investor(form, dept, investor=None):
    """Validate and save an investor of the department; None when there are errors (on the form)."""
    if not form.validate_on_submit():
        return None
    code = form.credit_code.data
    clash = Investor.with_code(dept, code, other_than=investor)
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


# --- 好差评 ------------------------------------------------------------------------------------------


def stamp() -> dt.datetime:
    """Now, on the portal's today (clock.today), so that dates agree with deadlines in demos and tests."""
    return dt.datetime.combine(clock.today(), clock.now().time())


def evaluations_filtered(query, args, today: dt.date):
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


def answer(w, evaluation: Evaluation, form, user_id: int) -> bool:
    """差评答复: 核实情况, 整改措施 and 回访结果, recorded once. True when it came after the deadline (超期)."""
    w.update(evaluation, action="answer", verified=form.verified.data.strip(), remedy=form.remedy.data.strip(),
             callback=form.callback.data.strip(), answered_at=stamp(), answered_by=user_id)
    today = clock.today()
    return bool(evaluation.deadline) and rules.answer_late(evaluation.deadline, today, today)


# --- 节假日安排 ---------------------------------------------------------------------------------------


def add_holiday(form) -> str | None:
    """Add the form's day to the holiday list; the Chinese error for the 日期 field, or None when added."""
    if Holiday.get_or_none(Holiday.day == form.day.data) is not None:
        return "该日期已在节假日安排中；如需更改，请先删除原记录"
    try:
        with write() as w:
            w.create(Holiday, day=form.day.data, is_workday=form.kind.data == "on", name=form.name.data.strip())
    except IntegrityError:
        return "该日期已在节假日安排中"
    return None
