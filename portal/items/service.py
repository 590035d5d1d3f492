"""事项清单 — what the views do to items and lists, as functions of a writer and plain values.

Every function that changes something takes the writer of the caller's ``with write() as w:`` so that
one user action is one transaction (and the demo loader can reuse them with its own writer).
"""
from __future__ import annotations

import datetime as dt
import json

from peewee import JOIN, fn

from .. import rules
from ..cache import by_data_version
from ..db import db
from ..files import attachment1, imports
from ..models import AuditLog, Department, ItemList, Letter, ListRow, Officer, ServiceItem, Setting, User

# The columns of an item copied into a list revision (ListRow) and compared between versions.
COPY_FIELDS = ("seq", "code", "item_name", "sub_item_name", "item_type", "inclusion", "reason", "reason_note",
               "mode", "basis", "legal_days", "promised_days", "kind", "visits", "materials", "location")
FIELD_LABELS = {
    "item_name": "事项名称", "sub_item_name": "办理项名称", "code": "事项编码", "item_type": "事项类型", "inclusion": "是否纳入", "officer_name": "首席服务员",
    "mode": "审批方式", "reason": "未纳入原因", "reason_note": "原因说明", "basis": "设定依据",
    "legal_days": "法定办结时限", "promised_days": "承诺办结时限", "kind": "办件类型", "visits": "到现场次数",
    "materials": "申请材料", "location": "办理地点/窗口",
}
DIFF_FIELDS = tuple(FIELD_LABELS)
KINDS = ("即办件", "承诺件")
TEXT_LIMITS = {"code": (64, "事项编码"), "location": (200, "办理地点/窗口"), "reason_note": (1000, "原因说明"),
               "basis": (4000, "设定依据"), "materials": (4000, "申请材料")}


class ServiceError(Exception):
    """An action refused for a reason the user must be told (in Chinese)."""


def moment(day: dt.date, clock_now: dt.datetime) -> dt.datetime:
    """The time of an action on the portal's today (tests and demos fix the date, not the clock)."""
    return dt.datetime.combine(day, clock_now.time()).replace(microsecond=0)


# --- items ---------------------------------------------------------------------------------------


def serving_officers(department) -> list[Officer]:
    """The department's serving officers (在任首席服务员), first appointed first."""
    return list(Officer.serving(department).order_by(Officer.term_start, Officer.id))


def officer_ids(officers) -> set[int] | None:
    """For rules.check_item: the serving officers' ids, or None while the department has none (未指定)."""
    return {o.id for o in officers} or None


def item_keys(department) -> dict[tuple[str, str], tuple[int, bool]]:
    """(事项名称, 办理项名称) → (id, retired) of every item of the department, retired ones included."""
    q = (ServiceItem.select(ServiceItem.id, ServiceItem.item_name, ServiceItem.sub_item_name, ServiceItem.retired)
         .where(ServiceItem.department == department))
    return {(name, sub): (item_id, retired) for item_id, name, sub, retired in q.tuples()}


def _int_or_error(value, label: str, errors: dict, name: str):
    text = "" if value is None else str(value).strip()
    if not text:
        return None
    if text.isascii() and text.isdigit():
        return int(text)
    errors[name] = f"{label}须为不小于0的整数"
    return None


def check(data: dict, *, officers, keys: dict, item=None, details: bool = False) -> dict[str, str]:
    """Every error of an item form ({field: Chinese message}): the plan's rules (rules.check_item) and,
    on the item's own page, the optional elements (序号, 到现场次数, 办件类型, lengths)."""
    fields = dict(data)
    fields["item_name"] = rules.normalize_text(data.get("item_name"))
    fields["sub_item_name"] = rules.normalize_text(data.get("sub_item_name"))
    own_key = (item.item_name, item.sub_item_name) if item is not None else None
    existing = set(keys)
    errors = rules.check_item(fields, officer_ids=officer_ids(officers), existing_keys=existing, own_key=own_key)
    key = (fields["item_name"], fields["sub_item_name"])
    if "sub_item_name" in errors and key in keys and key != own_key and keys[key][1]:
        errors["sub_item_name"] = "已有相同的已停用事项，请在“已停用”列表中恢复该事项，不要重复新增"
    for name, (limit, label) in TEXT_LIMITS.items():
        if len(str(data.get(name) or "")) > limit and name not in errors:
            errors[name] = f"{label}不能超过{limit}个字"
    if details:
        _int_or_error(data.get("seq"), "排序号", errors, "seq")
        _int_or_error(data.get("visits"), "到现场次数", errors, "visits")
        if (data.get("kind") or "") not in ("",) + KINDS:
            errors["kind"] = "办件类型须为即办件或承诺件"
    return errors


def model_fields(data: dict, *, details: bool = False) -> dict:
    """Form values as the item's columns; what does not apply to its inclusion is cleared, so that a
    未纳入 item never keeps an officer and a 纳入 item never keeps a reason."""
    inclusion = data.get("inclusion")
    officer = data.get("officer_id")
    out = {
        "item_name": rules.normalize_text(data.get("item_name")),
        "sub_item_name": rules.normalize_text(data.get("sub_item_name")),
        "item_type": data.get("item_type"),
        "inclusion": inclusion,
        "officer": int(officer) if inclusion == rules.INCLUDED and str(officer or "").strip() else None,
        "mode": data.get("mode") if inclusion == rules.INCLUDED else None,
        "reason": data.get("reason") if inclusion == rules.EXCLUDED else None,
        "reason_note": (data.get("reason_note") or "").strip() if inclusion == rules.EXCLUDED else "",
    }
    if details:
        def number(name):
            text = str(data.get(name) or "").strip()
            return int(text) if text else None

        out.update(
            seq=number("seq") or 0, code=(data.get("code") or "").strip(), basis=(data.get("basis") or "").strip(),
            legal_days=number("legal_days"), promised_days=number("promised_days"), kind=data.get("kind") or "",
            visits=number("visits"), materials=(data.get("materials") or "").strip(),
            location=(data.get("location") or "").strip(),
        )
    return out


def create_item(w, department, fields: dict, at: dt.datetime) -> ServiceItem:
    """新增事项 at the end of the list."""
    last = ServiceItem.select(fn.MAX(ServiceItem.seq)).where(ServiceItem.department == department).scalar() or 0
    fields = dict(fields)
    if not fields.get("seq"):
        fields["seq"] = last + 1
    return w.create(ServiceItem, department=department, created_at=at, updated_at=at, **fields)


def update_item(w, item: ServiceItem, fields: dict, at: dt.datetime) -> ServiceItem:
    """修改事项; the time of change moves only when something really changed."""
    changed = changed_fields(item, fields)
    if changed:
        w.update(item, updated_at=at, **changed)
    return item


def changed_fields(item: ServiceItem, fields: dict) -> dict:
    """Those of `fields` (the item's columns, the officer by id) whose value really differs from the
    item's: texts are compared by rules.text_key, so that a save of an unedited page (a browser sends
    CRLF, a stored text may end in a space) changes nothing and writes nothing."""
    return {k: v for k, v in fields.items()
            if rules.text_key(getattr(item, k + "_id" if k == "officer" else k)) != rules.text_key(v)}


def set_retired(w, item: ServiceItem, retired: bool, at: dt.datetime) -> ServiceItem:
    """停用 (retire) or 恢复 (restore) an item: nothing is erased, a retired item leaves the list."""
    return w.update(item, action="retire" if retired else "restore", retired=retired, updated_at=at)


def assign(w, department, ids: list[int], officer_id, mode: str, at: dt.datetime) -> int:
    """批量指定: the selected items become 纳入 under one officer and mode, all or none.

    Raises ServiceError when nothing is selected, an id is not the department's, or the officer and
    mode break the rules."""
    if not ids:
        raise ServiceError("请先勾选要指定首席服务员的事项。")
    items = list(ServiceItem.select().where((ServiceItem.department == department) & ServiceItem.id.in_(ids)
                                            & (ServiceItem.retired == False)))  # noqa: E712
    if len(items) != len(set(ids)):
        raise ServiceError("所选事项中有不属于本部门或已停用的事项，请刷新页面后重试。")
    officers = serving_officers(department)
    probe = {"item_name": "-", "sub_item_name": "-", "item_type": rules.ITEM_TYPES[0],
             "inclusion": rules.INCLUDED, "officer_id": officer_id, "mode": mode}
    errors = rules.check_item(probe, officer_ids=officer_ids(officers))
    if errors:
        raise ServiceError("；".join(errors.values()))
    officer = int(officer_id) if str(officer_id or "").strip() else None
    for item in items:
        update_item(w, item, {"inclusion": rules.INCLUDED, "officer": officer, "mode": mode,
                              "reason": None, "reason_note": ""}, at)
    return len(items)


def unauthorised_ids(department, today: dt.date) -> set[int]:
    """Ids of the department's 纳入 items without an authorised officer (rule 2, 纳入事项未授权): no officer
    named, or not in an issued letter of that serving officer — the same test as the dashboard's."""
    q = (ServiceItem.select(ServiceItem.id)
         .where((ServiceItem.department == department) & (ServiceItem.retired == False)  # noqa: E712
                & ServiceItem.unauthorised_condition(today)))
    return {item_id for (item_id,) in q.tuples()}


def counts(department, today: dt.date, unauthorised: set[int] | None = None) -> dict:
    """The department's figures: rules.count_inclusion of its current items plus the unauthorised ones
    (`unauthorised`: unauthorised_ids already computed by the caller, so as not to run it twice)."""
    q = (ServiceItem.select(ServiceItem.inclusion, ServiceItem.reason, fn.COUNT(ServiceItem.id))
         .where((ServiceItem.department == department) & (ServiceItem.retired == False))  # noqa: E712
         .group_by(ServiceItem.inclusion, ServiceItem.reason))
    rows = []
    for inclusion, reason, n in q.tuples():
        rows.extend([(inclusion, reason)] * n)
    figures = rules.count_inclusion(rows)
    figures["unassigned"] = len(unauthorised if unauthorised is not None else unauthorised_ids(department, today))
    return figures


def department_figures(department, today: dt.date) -> tuple[frozenset[int], dict]:
    """(unauthorised_ids, counts) of the department, which its list page and the counts block above it
    show on every view: two of the page's dearest queries (rule 2 tests each 纳入 item against the
    letters). Computed once per (data version, day, department) in each process, as the reminders are
    (portal/reminders.py): every write moves the data version, so a figure is never older than the
    last write. Off under TESTING unless FIGURES_CACHE is set (tests count a page's queries)."""
    def compute():
        unauthorised = frozenset(unauthorised_ids(department, today))
        return unauthorised, counts(department, today, unauthorised)

    unauthorised, figures = by_data_version("items_figures_cache", "FIGURES_CACHE", (today, department.id), compute)
    return unauthorised, {**figures, "by_reason": dict(figures["by_reason"])}  # the caller's own copy


HISTORY_LABELS = {"seq": "序号", "item_name": "事项名称", "sub_item_name": "办理项名称", "officer": "首席服务员",
                  "retired": "停用", **FIELD_LABELS}
ACTION_LABELS = {"create": "新增", "update": "修改", "retire": "停用", "restore": "恢复", "assign": "指定首席服务员"}


def history(item, limit: int = 20) -> list[dict]:
    """修改记录 of an item from the audit log, field by field in Chinese (two queries)."""
    entries = list(AuditLog.for_record(ServiceItem._meta.table_name, item.id).limit(limit))
    parsed = [(e, json.loads(e.before) if e.before else {}, json.loads(e.after) if e.after else {}) for e in entries]
    officer_ids = {v for _, b, a in parsed for v in (b.get("officer"), a.get("officer")) if isinstance(v, int)}
    names = dict(Officer.select(Officer.id, Officer.name).where(Officer.id.in_(officer_ids)).tuples()) if officer_ids else {}

    def show(name, value):
        if value is None or value == "":
            return "（空）"
        if name == "officer":
            return names.get(value, f"#{value}")
        if name == "retired":
            return "是" if value else "否"
        return str(value)

    out = []
    for entry, before, after in parsed:
        changes = []
        if entry.action != "create":
            changes = [(label, show(name, before.get(name)), show(name, after.get(name)))
                       for name, label in HISTORY_LABELS.items() if name in before or name in after]
        out.append({"at": entry.at, "username": entry.username,
                    "action": ACTION_LABELS.get(entry.action, entry.action), "changes": changes})
    return out


def row_counts(rows) -> dict:
    """Figures of a frozen list revision (its ListRows)."""
    return rules.count_inclusion((r.inclusion, r.reason) for r in rows)


def draft_items(department) -> list[ServiceItem]:
    """The department's current items with their officers, in list order."""
    return list(ServiceItem.select(ServiceItem, Officer)
                .join(Officer, JOIN.LEFT_OUTER, on=(ServiceItem.officer == Officer.id))
                .where((ServiceItem.department == department) & (ServiceItem.retired == False))  # noqa: E712
                .order_by(ServiceItem.seq, ServiceItem.id))


def as_dict(row) -> dict:
    """An item or a list row as plain values for rules.compare_versions and the exports (item_id: the
    item's identity)."""
    out = {name: getattr(row, name) for name in COPY_FIELDS}
    if isinstance(row, ListRow):
        out["officer_name"] = row.officer_name
        out["item_id"] = row.item_id
    else:
        out["officer_name"] = row.officer.name if row.officer_id and row.officer else ""
        out["item_id"] = row.id
    for name in ("reason_note", "basis", "materials", "location", "code", "kind"):
        out[name] = out[name] or ""
    return out


# The columns of the comparison table; the other fields' changes are listed in its last column.
DIFF_COLUMNS = ("item_name", "sub_item_name", "item_type", "inclusion", "officer")
_OFFICER_FIELDS = ("officer_name", "mode")


def diff(old_rows, new_rows) -> dict:
    """清单版本比对 (rules.compare_versions): every row of the newer version and the removed ones, each
    with its state and, for a changed row, each changed cell's before and after.

    Each row: "state", "row" (the values shown: the new ones, or the old for a removed row), "old",
    "changed" (the changed columns of DIFF_COLUMNS, "officer" for 首席服务员 or 审批方式), "others"
    ([(label, before, after)] of the other fields) and "changes" (every change, labelled in Chinese)."""
    result = rules.compare_versions([as_dict(r) for r in old_rows], [as_dict(r) for r in new_rows],
                                    fields=DIFF_FIELDS)
    for row in result["rows"]:
        fields = {f for f, _, _ in row["changes"]}
        row["row"] = row["new"] if row["new"] is not None else row["old"]
        row["changed"] = {f for f in DIFF_COLUMNS if f in fields} | ({"officer"} if fields & set(_OFFICER_FIELDS) else set())
        row["others"] = [(FIELD_LABELS[f], before, after) for f, before, after in row["changes"]
                         if f not in DIFF_COLUMNS and f not in _OFFICER_FIELDS]
        row["changes"] = [(FIELD_LABELS[f], before, after) for f, before, after in row["changes"]]
    return result


# --- lists ---------------------------------------------------------------------------------------


def list_rows(item_list) -> list[ListRow]:
    return list(ListRow.select().where(ListRow.item_list == item_list).order_by(ListRow.seq, ListRow.id))


def waiting(department) -> ItemList | None:
    """The department's list waiting for review (已报送), if any: only one may wait at a time."""
    return (ItemList.select().where((ItemList.department == department) & (ItemList.state == rules.LIST_SUBMITTED))
            .first())


def first_submission(department, year: int) -> dt.datetime | None:
    """When the department's list of the year was submitted (rule 7 is judged on it): its first
    submission that was not returned (rules.year_submission_day, in its query form)."""
    row = ItemList.year_submission_day(year).where(ItemList.department == department).tuples().first()
    return _as_datetime(row[1]) if row else None


def _as_datetime(value) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(str(value))


def submit(w, department, user, at: dt.datetime) -> ItemList:
    """报送: freezes the current items into a new revision (已报送) for the office to review.

    The revision records the year's deadline and whether the department's list of the year was
    submitted on time (rules.submitted_on_time on its first submission of the year: a resubmission after
    a return, or a later adjustment, does not make an on-time department late).
    """
    if waiting(department) is not None:
        raise ServiceError("已有一份清单正在等待协调办审核，审核完成后才能再次报送。")
    items = draft_items(department)
    if not items:
        raise ServiceError("清单中还没有事项，无法报送。")
    year = at.year
    deadline = Setting.list_deadline(year)
    first = first_submission(department, year)
    on_time = rules.submitted_on_time((first or at).date(), deadline, at.date())
    revision = (ItemList.select(fn.MAX(ItemList.revision)).where(ItemList.department == department).scalar() or 0) + 1
    item_list = w.create(ItemList, department=department, revision=revision, year=year, state=rules.LIST_SUBMITTED,
                         created_at=at, submitted_at=at, submitted_by=user, deadline=deadline, on_time=on_time)
    for n, item in enumerate(items, start=1):
        values = {name: getattr(item, name) for name in COPY_FIELDS}
        values["seq"] = n
        w.create(ListRow, item_list=item_list, item=item, officer=item.officer_id,
                 officer_name=item.officer.name if item.officer_id and item.officer else "", **values)
    return item_list


def _reviewable(item_list) -> ItemList:
    # Read again inside the write transaction: another office user may have reviewed it meanwhile.
    current = ItemList.get_by_id(item_list.id)
    if current.state != rules.LIST_SUBMITTED:
        raise ServiceError(f"该清单已是“{current.state}”状态，不能再审核。")
    return current


def unauthorised_officers(rows) -> list[tuple[str, str, list[str]]]:
    """未授权上岗 in a list under review: per officer, (name, why, item names) for the 纳入 rows whose officer
    holds no letter in force listing them — the office is warned before it publishes them."""
    awaiting = {i for i in ListRow.awaiting_authorisation(rows)}
    awaiting &= {r.id for r in rows if r.officer_id}  # a row naming nobody is rule 2's, not a warning here
    if not awaiting:
        return []
    officer_ids = {r.officer_id for r in rows if r.id in awaiting and r.officer_id}
    letters = {o: n for o, n in Letter.select(Letter.officer, Letter.number)
               .where((Letter.state == rules.LETTER_ISSUED) & Letter.officer.in_(list(officer_ids))).tuples()}
    out: dict = {}
    for r in rows:
        if r.id in awaiting:
            name = r.officer_name or "（未填写姓名）"
            why = f"授权委托书{letters[r.officer_id]}未列入" if r.officer_id in letters else "没有现行有效的授权委托书"
            out.setdefault((name, why), []).append(ServiceItem.label_of(r.item_name, r.sub_item_name))
    return [(name, why, items) for (name, why), items in out.items()]


def approve(w, item_list, user, at: dt.datetime) -> ItemList:
    """审核通过: the revision is approved and becomes the published one (已公示); earlier approved
    versions are kept whole but no longer shown to the public."""
    current = _reviewable(item_list)
    for older in ItemList.select().where((ItemList.department == current.department_id)
                                         & (ItemList.published == True) & (ItemList.id != current.id)):  # noqa: E712
        w.update(older, action="unpublish", published=False)
    return w.update(current, action="approve", state=rules.LIST_APPROVED, published=True, reviewed_at=at,
                    reviewed_by=user)


def return_list(w, item_list, user, comment: str, at: dt.datetime) -> ItemList:
    """退回: the revision goes back to the department with the office's comment."""
    comment = (comment or "").strip()
    if not comment:
        raise ServiceError("请填写退回意见。")
    current = _reviewable(item_list)
    return w.update(current, action="return", state=rules.LIST_RETURNED, reviewed_at=at, reviewed_by=user,
                    review_comment=comment)


def set_deadline(w, year: int, deadline: dt.date, today: dt.date) -> int:
    """设置报送截止日期 of a year; lists of that year already submitted are judged again against it.

    Returns how many submitted revisions changed their on-time mark."""
    w.set_setting(f"list_deadline_{year}", deadline.isoformat())
    firsts = {dept_id: _as_datetime(at).date() for dept_id, at in ItemList.year_submission_day(year).tuples()}
    lists = list(ItemList.select().where((ItemList.year == year) & ItemList.submitted_at.is_null(False))
                 .order_by(ItemList.submitted_at))
    changed = 0
    for item_list in lists:
        on_time = rules.submitted_on_time(firsts.get(item_list.department_id), deadline, today)
        if item_list.on_time != on_time or item_list.deadline != deadline:
            changed += item_list.on_time != on_time
            w.update(item_list, deadline=deadline, on_time=on_time)
    return changed


def versions(department) -> list[ItemList]:
    return list(ItemList.select().where(ItemList.department == department).order_by(ItemList.revision.desc()))


def list_users(lists) -> dict[int, User]:
    """The users who submitted or reviewed these revisions, by id: one query."""
    ids = ({lst.reviewed_by_id for lst in lists if lst.reviewed_by_id}
           | {lst.submitted_by_id for lst in lists if lst.submitted_by_id})
    return {u.id: u for u in User.select().where(User.id.in_(ids))}


def list_figures(lists) -> dict[int, dict]:
    """Figures of several revisions at once: one grouped query, whatever their number."""
    ids = [lst.id for lst in lists]
    grouped: dict[int, list] = {i: [] for i in ids}
    if ids:
        q = (ListRow.select(ListRow.item_list, ListRow.inclusion, ListRow.reason, fn.COUNT(ListRow.id))
             .where(ListRow.item_list.in_(ids)).group_by(ListRow.item_list, ListRow.inclusion, ListRow.reason))
        for list_id, inclusion, reason, n in q.tuples():
            grouped[list_id].extend([(inclusion, reason)] * n)
    return {i: rules.count_inclusion(rows) for i, rows in grouped.items()}


def previous_approved(item_list) -> ItemList | None:
    """The approved revision before this one, to compare with (与上一通过版本比对)."""
    return (ItemList.select().where((ItemList.department == item_list.department_id)
                                    & (ItemList.state == rules.LIST_APPROVED) & (ItemList.revision < item_list.revision))
            .order_by(ItemList.revision.desc()).first())


def departments_overview(year: int, today: dt.date) -> list[dict]:
    """Each active department's items and list state for the office: three queries in all."""
    departments = list(Department.active_ordered())
    by_dept: dict[int, list] = {d.id: [] for d in departments}
    q = (ServiceItem.select(ServiceItem.department, ServiceItem.inclusion, ServiceItem.reason, fn.COUNT(ServiceItem.id))
         .where(ServiceItem.retired == False)  # noqa: E712
         .group_by(ServiceItem.department, ServiceItem.inclusion, ServiceItem.reason))
    for dept_id, inclusion, reason, n in q.tuples():
        if dept_id in by_dept:
            by_dept[dept_id].extend([(inclusion, reason)] * n)
    lists: dict[int, list[ItemList]] = {d.id: [] for d in departments}
    for item_list in ItemList.select().order_by(ItemList.revision):
        if item_list.department_id in lists:
            lists[item_list.department_id].append(item_list)
    deadline = Setting.list_deadline(year)
    out = []
    for dept in departments:
        revisions = lists[dept.id]
        latest = revisions[-1] if revisions else None
        published = next((r for r in reversed(revisions) if r.state == rules.LIST_APPROVED), None)
        submitted_on = rules.year_submission_day(
            (_as_datetime(r.submitted_at).date(), r.state) for r in revisions if r.year == year and r.submitted_at)
        out.append({
            "department": dept, "figures": rules.count_inclusion(by_dept[dept.id]), "latest": latest,
            "published": published, "submitted_on": submitted_on,
            "on_time": rules.submitted_on_time(submitted_on, deadline, today), "deadline": deadline,
            "days_late": rules.list_days_late(submitted_on, deadline, today),
        })
    return out


def _city_list_rows():
    """The rows of every active department's latest approved list (the city-wide export's scope)."""
    latest = (ItemList.select(fn.MAX(ItemList.revision))
              .where((ItemList.department == Department.id) & (ItemList.state == rules.LIST_APPROVED)))
    return (ListRow.select(Department.name, *[getattr(ListRow, name) for name in attachment1.FIELDS[1:]])
            .join(ItemList).join(Department)
            .where((ItemList.state == rules.LIST_APPROVED) & (Department.active == True)  # noqa: E712
                   & (ItemList.revision == latest)))


def city_rows():
    """Every active department's latest approved list, rows in department then list order, as tuples of
    attachment1.FIELDS: one query, read from the cursor as the workbook takes them (whether the workbook
    keeps them in memory or streams them is attachment1.build's `stream`). The rows come straight from
    the cursor — every column is text, there is nothing for peewee to convert."""
    q = _city_list_rows().order_by(Department.sort_order, Department.id, ListRow.seq, ListRow.id)
    yield from db.execute(q)


def city_row_count() -> int:
    """How many rows the city-wide export will hold."""
    return _city_list_rows().count()


# --- import --------------------------------------------------------------------------------------


def existing_for_import(department, items=None) -> dict[tuple[str, str], dict]:
    """For imports.plan: each of the department's items (retired ones included), or of ``items`` when
    the caller has them, by its (事项名称, 办理项名称) → {"id", "mode"}."""
    if items is None:
        items = (ServiceItem.select(ServiceItem.id, ServiceItem.item_name, ServiceItem.sub_item_name, ServiceItem.mode)
                 .where(ServiceItem.department == department))
    # Keyed by the normalised names, so that an item stored before names were normalised still matches.
    return {(rules.normalize_text(i.item_name), rules.normalize_text(i.sub_item_name)): {"id": i.id, "mode": i.mode}
            for i in items}


def department_items(departments) -> dict[int, list[ServiceItem]]:
    """Every item (retired ones included) of each of ``departments``, in one query."""
    ids = [d.id if isinstance(d, Department) else d for d in departments]
    out: dict[int, list[ServiceItem]] = {i: [] for i in ids}
    if ids:
        for item in ServiceItem.select().where(ServiceItem.department.in_(ids)):
            out[item.department_id].append(item)
    return out


def import_changes(plan, items: list[ServiceItem]) -> dict:
    """What a checked import plan would write into a department whose items (retired ones included)
    are ``items``, and its counts; nothing is written. New rows are created, matched rows updated (a
    retired one is restored); items absent from the file are left as they are.

    序号 is an item's place in the list, so the file's 序号 only orders (imports.arrange): a file in the
    list's order, however numbered, moves nothing, and the 序号 stored (the sort key, with gaps where
    items were retired) is written only where the order really changes or a row joins in between.

    Returns {"new_rows", "changes" ((item, fields) pairs), "created", "updated", "unchanged",
    "reordered" (whether the file changed the order of the list's items)}."""
    by_id = {i.id: i for i in items}
    current = [i.id for i in sorted((i for i in items if not i.retired), key=lambda i: (i.seq, i.id))]
    active = set(current)
    rows = sorted(plan.rows, key=lambda row: row["order"])
    tokens = [row["item_id"] if row["item_id"] in active else ("row", n) for n, row in enumerate(rows)]
    order, kept = imports.arrange(current, tokens)
    if kept:  # the list's items keep their 序号; rows joining it go after the last one
        last = max((i.seq for i in items), default=0)
        seqs = {token: last + n for n, token in enumerate(order[len(current):], start=1)}
    else:
        seqs = {token: n for n, token in enumerate(order, start=1)}
    new_rows, changes = [], []
    updated = 0
    for token, row in zip(tokens, rows):
        fields = dict(row["fields"])
        item = by_id.get(row["item_id"])
        if item is None:
            new_rows.append({**fields, "seq": seqs[token]})
            continue
        if item.retired:
            fields["retired"] = False
        changed = changed_fields(item, fields)
        updated += bool(changed)
        if token in seqs and seqs[token] != item.seq:
            changed["seq"] = seqs[token]
        if changed:
            changes.append((item, changed))
    # Items the file does not name move only to make room (a row that joins in between).
    named = {row["item_id"] for row in rows}
    for item_id in current:
        if item_id not in named and seqs.get(item_id, by_id[item_id].seq) != by_id[item_id].seq:
            changes.append((by_id[item_id], {"seq": seqs[item_id]}))
    moved = [token for token in order if token in active]
    return {"new_rows": new_rows, "changes": changes, "created": len(new_rows), "updated": updated,
            "unchanged": len(rows) - len(new_rows) - updated, "reordered": moved != current}


def apply_import(w, department, plan, at: dt.datetime, items: list[ServiceItem] | None = None) -> dict:
    """Writes a checked import plan (see import_changes) into the department, each item written and
    logged as update_item and create_item would. Returns the counts."""
    if items is None:
        items = department_items([department])[department.id]
    result = import_changes(plan, items)
    # Thousands of rows at a time, without peewee building the statements record by record (see
    # Writer.update_many, create_rows); as update_item, the time of change moves only with a change.
    w.update_many([(item, {"updated_at": at, **changed}) for item, changed in result["changes"]])
    w.create_rows(ServiceItem, result["new_rows"], common={"department": department, "created_at": at, "updated_at": at})
    return {name: result[name] for name in ("created", "updated", "unchanged", "reordered")}


def untouched_count(department, plan) -> int:
    """After an import: how many of the department's current items the file did not name (each row of
    the plan is one current item now, new or restored)."""
    active = ServiceItem.select().where((ServiceItem.department == department) & (ServiceItem.retired == False))  # noqa: E712
    return active.count() - len(plan.rows)


def _lines(lines: list[int], limit: int = 20) -> str:
    return "、".join(str(n) for n in lines[:limit]) + ("等" if len(lines) > limit else "")


def import_messages(summary: dict, plan, untouched: int | None = None) -> list[tuple[str, str]]:
    """What an import tells the user, as (category, message in Chinese): the counts ("0项变化" for a
    file that matches the list), then what it assumed (the mode, the department's only officer) and the
    names with a space inside that it kept as typed."""
    changed = summary["created"] + summary["updated"]
    text = (f"导入完成：{changed}项变化（新增{summary['created']}项，更新{summary['updated']}项，"
            f"{summary['unchanged']}项无变化）。")
    if summary.get("reordered"):
        text += "已按文件中的顺序调整了事项的排列（序号）。"
    if untouched is not None:
        text += f"文件中没有的{untouched}项事项保持原样（未删除）。"
    messages = [("success", text)]
    if plan.defaulted_officers:
        messages.append(("warning", f"第{_lines(plan.defaulted_officers)}行的纳入事项未填写首席服务员，"
                                    f"已指定为本部门唯一在任的首席服务员{plan.officer_default}。"))
    if plan.defaulted_modes:
        messages.append(("warning", f"第{_lines(plan.defaulted_modes)}行的纳入事项未注明审批方式，已按“终审”导入，请核对。"))
    if plan.bidi_lines:
        messages.append(("warning", f"第{_lines(plan.bidi_lines)}行的文字中有不可见的方向控制字符（会让文字显示得与实际内容不同），"
                                    "已删除，请核对这些行。"))
    if plan.spaced_names:
        shown = "；".join(f"第{line}行{column}“{name}”" for line, column, name in plan.spaced_names[:20])
        more = f"等{len(plan.spaced_names)}处" if len(plan.spaced_names) > 20 else ""
        messages.append(("warning", f"以下名称中间有空格，已按文件原样保存（与已有事项比对时不计空格）：{shown}{more}。"
                                    "如是从 PDF 或 Word 复制时带入的，请在清单中修改名称。"))
    return messages
