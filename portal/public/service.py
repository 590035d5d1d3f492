"""Publication channels (公示渠道) beyond the web pages: window cards with QR codes (窗口公示牌), the
service hall's bulletin (宣传栏), a data feed for the government website and new media (数据接口), and
the approved highlight cases (亮点案例) — what they are made of; the routes are in views.py.

Everything here is public, like the rest of /public/: a window card shows only what the roster and
the letter verification already show (name, department, position, work phone, letter number), and it
is meant to be posted at the window. Printing the cards is the office's task: the office reaches them
from 公示渠道 (cases.channels).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask import current_app, url_for
from markupsafe import Markup
from peewee import JOIN

from .. import clock, qr, rules
from ..models import (Case, Department, Evaluation, HighlightCase, Holiday, ItemList, Letter, LetterItem, ListRow,
                      Officer, ServiceItem, Setting, fn)

CASE_PENDING, CASE_PUBLISHED, CASE_RETURNED = rules.CASE_STATES  # 待审核, 已发布, 已退回

# --- what the cards, the roster feed and the bulletin are made of ----------------------------------


@dataclass
class OfficerEntry:
    """A serving officer with the letter in force and its item counts (终审 / 初审)."""

    officer: Officer
    department: Department
    letter_number: str = ""
    letter_date: dt.date | None = None
    final_count: int = 0
    first_count: int = 0
    standing: rules.LetterStanding | None = None  # the letter's public state (有效 / 待重新签发)

    @property
    def authorised(self) -> bool:
        return bool(self.letter_number)


def serving_today():
    """Serving today: the term has started and its last day, if set, is not yet past."""
    today = clock.today()
    return (Officer.term_start <= today) & (Officer.term_end.is_null() | (Officer.term_end >= today))


def published_assignments(officer_ids) -> dict[int, dict]:
    """Each officer's 纳入 items in the published lists: {officer id: {item id: (mode, name)}}; one query."""
    out: dict[int, dict] = {i: {} for i in officer_ids}
    if not out:
        return out
    rows = (ListRow.published().select(ListRow.officer, ListRow.item, ListRow.mode, ListRow.item_name,
                                       ListRow.sub_item_name)
            .where(ListRow.officer.in_(list(out)) & (ListRow.inclusion == rules.INCLUDED)).tuples())
    for officer_id, item_id, mode, name, sub in rows:
        out[officer_id][item_id or ("name", name, sub)] = (mode, ServiceItem.label_of(name, sub))
    return out


def letter_standings(letters) -> dict[int, rules.LetterStanding]:
    """rules.letter_standing of each letter given as (letter id, officer id, state): two queries in all."""
    letters = list(letters)
    issued = [(lid, oid) for lid, oid, state in letters if state == rules.LETTER_ISSUED]
    items: dict[int, dict] = {lid: {} for lid, _ in issued}
    if issued:
        for lid, item_id, mode, label in (LetterItem.select(LetterItem.letter, LetterItem.item, LetterItem.mode,
                                                            LetterItem.label)
                                          .where(LetterItem.letter.in_(list(items))).tuples()):
            items[lid][item_id or ("label", label)] = (mode, label)
    published = published_assignments({oid for _, oid in issued})
    return {lid: rules.letter_standing(state, items.get(lid, {}), published.get(oid, {}))
            for lid, oid, state in letters}


def awaiting_authorisation(rows) -> set[int]:
    """授权办理中 rows of a published list (ListRow.awaiting_authorisation)."""
    return ListRow.awaiting_authorisation(rows)


def serving_officers(department: Department | None = None) -> list[OfficerEntry]:
    """Serving officers of active departments with the letter in force: two queries for the city."""
    q = (Officer.select(Officer, Department).join(Department)
         .where(serving_today() & (Department.active == True))  # noqa: E712
         .order_by(Department.sort_order, Department.id, Officer.term_start, Officer.id))
    if department is not None:
        q = q.where(Officer.department == department)
    entries = [OfficerEntry(officer=o, department=o.department) for o in q]
    if not entries:
        return entries
    final = fn.SUM(Case(None, [(LetterItem.mode == rules.FINAL, 1)], 0))
    first = fn.SUM(Case(None, [(LetterItem.mode == rules.FIRST, 1)], 0))
    letters = (Letter.select(Letter.id, Letter.officer, Letter.number, Letter.issue_date, final.alias("final_count"),
                             first.alias("first_count"))
               .join(LetterItem, join_type=JOIN.LEFT_OUTER, on=(LetterItem.letter == Letter.id))
               .where((Letter.state == rules.LETTER_ISSUED) & Letter.officer.in_([e.officer.id for e in entries]))
               .group_by(Letter.id, Letter.officer, Letter.number, Letter.issue_date)
               .order_by(Letter.issue_date, Letter.id)
               .dicts())
    # One letter is in force per officer; should two be marked issued, the latest one counts.
    by_officer = {row["officer"]: row for row in letters}
    standings = letter_standings((row["id"], oid, rules.LETTER_ISSUED) for oid, row in by_officer.items())
    for e in entries:
        row = by_officer.get(e.officer.id)
        if row:
            e.letter_number = row["number"]
            e.letter_date = row["issue_date"]
            e.final_count = int(row["final_count"] or 0)
            e.first_count = int(row["first_count"] or 0)
            e.standing = standings[row["id"]]
    return entries


@dataclass
class PublishedList:
    """A department's published list version (the latest approved revision) with its rows."""

    item_list: ItemList
    department: Department
    rows: list = field(default_factory=list)

    @property
    def version_date(self) -> dt.date | None:
        """公示版本日期: the day the office approved this version."""
        stamp = self.item_list.reviewed_at or self.item_list.submitted_at or self.item_list.created_at
        return stamp.date() if isinstance(stamp, dt.datetime) else stamp

    @property
    def included(self) -> list:
        return [r for r in self.rows if r.inclusion == rules.INCLUDED]

    @property
    def officer_names(self) -> list[str]:
        return list(dict.fromkeys(r.officer_name for r in self.rows if r.officer_name))


def published_lists(department: Department | None = None) -> list[PublishedList]:
    """Every active department's published list with its rows: two queries, whatever the city's size."""
    q = ItemList.latest_approved()
    if department is not None:
        q = q.where(ItemList.department == department)
    lists = [PublishedList(item_list=il, department=il.department) for il in q]
    if lists:
        by_id = {p.item_list.id: p for p in lists}
        rows = (ListRow.select().where(ListRow.item_list.in_(list(by_id)))
                .order_by(ListRow.item_list, ListRow.seq, ListRow.id))
        for row in rows:
            by_id[row.item_list_id].rows.append(row)
    return lists


# --- window cards ----------------------------------------------------------------------------------


@dataclass
class WindowCard:
    entry: OfficerEntry
    officer_url: str
    evaluate_url: str
    officer_qr: Markup
    evaluate_qr: Markup


def window_cards(entries: list[OfficerEntry]) -> list[WindowCard]:
    base = qr.public_base_url()
    evaluate_qrs: dict[str, tuple[str, Markup]] = {}
    cards = []
    for e in entries:
        code = e.department.code
        if code not in evaluate_qrs:
            url = qr.evaluate_url(code, base)
            evaluate_qrs[code] = (url, qr.svg(url, f"扫码评价{e.department.name}首席服务员服务（好差评）"))
        officer_url = qr.officer_url(e.officer.id, base)
        cards.append(WindowCard(
            entry=e, officer_url=officer_url, evaluate_url=evaluate_qrs[code][0],
            officer_qr=qr.svg(officer_url, f"扫码查看{e.officer.name}的授权审批事项并核验授权委托书"),
            evaluate_qr=evaluate_qrs[code][1],
        ))
    return cards


# --- data feed -------------------------------------------------------------------------------------

LIST_FIELDS = ("seq", "code", "item_name", "sub_item_name", "item_type", "inclusion", "reason", "mode",
               "officer_id", "officer_name", "legal_days", "promised_days", "kind", "visits", "location",
               "basis", "materials")
LIST_CSV_FIELDS = ("department_code", "department_name", "version_date", "revision") + LIST_FIELDS + ("generated_at",)
OFFICER_FIELDS = ("id", "name", "department_code", "department_name", "position", "work_phone", "term_start",
                  "authorised", "letter_number", "letter_issue_date", "final_items", "first_items",
                  "page_url", "evaluate_url")
OFFICER_CSV_FIELDS = OFFICER_FIELDS + ("generated_at",)


def iso(value):
    return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value


def generated_at() -> str:
    return clock.now().isoformat(timespec="seconds")


def list_record(row: ListRow) -> dict:
    return {
        "seq": row.seq, "code": row.code, "item_name": row.item_name, "sub_item_name": row.sub_item_name,
        "item_type": row.item_type, "inclusion": row.inclusion, "reason": row.reason, "mode": row.mode,
        "officer_id": row.officer_id, "officer_name": row.officer_name, "legal_days": row.legal_days,
        "promised_days": row.promised_days, "kind": row.kind, "visits": row.visits, "location": row.location,
        "basis": row.basis, "materials": row.materials,
    }


def department_url(base: str, code: str) -> str | None:
    if "public.department" not in current_app.view_functions:
        return None
    return base + url_for("public.department", code=code)


def officer_record(e: OfficerEntry, base: str) -> dict:
    o = e.officer
    return {
        "id": o.id, "name": o.name, "department_code": e.department.code, "department_name": e.department.name,
        "position": o.position, "work_phone": o.work_phone, "term_start": iso(o.term_start),
        "authorised": e.authorised, "letter_number": e.letter_number or None,
        "letter_issue_date": iso(e.letter_date), "final_items": e.final_count, "first_items": e.first_count,
        "page_url": qr.officer_url(o.id, base), "evaluate_url": qr.evaluate_url(e.department.code, base),
    }


# --- highlight cases -------------------------------------------------------------------------------


def case_columns():
    """A case's columns without the photo's bytes (lists never load the pictures)."""
    return [f for f in HighlightCase._meta.sorted_fields if f.name != "photo"]


# --- the public pages' queries -----------------------------------------------------------------------
# Officer queries here name their columns one by one: a mobile number or a date of birth is never even
# read on a public page.


def active_department(code: str) -> Department | None:
    """The active department of this code, or None."""
    return Department.get_or_none((Department.code == code) & (Department.active == True))  # noqa: E712


def public_officers():
    """Serving officers of active departments with their public columns and the letter in force."""
    return (Officer.select(Officer.id, Officer.name, Officer.position, Officer.work_phone, Officer.term_start,
                           Department.code.alias("department_code"), Department.name.alias("department_name"),
                           Letter.id.alias("letter_id"), Letter.number.alias("letter_number"),
                           Letter.issue_date.alias("letter_date"))
            .join(Department).switch(Officer)
            .join(Letter, JOIN.LEFT_OUTER, on=((Letter.officer == Officer.id) & (Letter.state == rules.LETTER_ISSUED)))
            .where(Officer.term_end.is_null() & (Department.active == True))  # noqa: E712
            .order_by(Department.sort_order, Department.id, Officer.term_start, Officer.id)
            .dicts())


def _with_standing(rows: list[dict]) -> list[dict]:
    """Each officer row with its letter's public state (`standing`, rules.letter_standing)."""
    standings = letter_standings((r["letter_id"], r["id"], rules.LETTER_ISSUED) for r in rows if r["letter_id"])
    for r in rows:
        r["standing"] = standings.get(r["letter_id"])
    return rows


def roster(text: str = "") -> list[dict]:
    """首席服务员名单, searched by the officer's or the department's name."""
    query = public_officers()
    if text:
        query = query.where(Officer.name.contains(text) | Department.name.contains(text))
    return _with_standing(list(query))


@dataclass
class DirectoryEntry:
    """One department of the public start page: its published list's counts and its serving officers."""

    item_list: ItemList
    department: Department
    items: int = 0
    included: int = 0
    officers: list = field(default_factory=list)


def department_directory() -> list[DirectoryEntry]:
    """公开首页的部门目录: every department with a published list, its items (纳入 among them) and its
    serving officers, in the departments' order: three queries, whatever the city's size."""
    entries = [DirectoryEntry(item_list=il, department=il.department) for il in ItemList.latest_approved()]
    by_list = {e.item_list.id: e for e in entries}
    if by_list:
        included = fn.SUM(Case(None, [(ListRow.inclusion == rules.INCLUDED, 1)], 0))
        for list_id, n, k in (ListRow.select(ListRow.item_list, fn.COUNT(ListRow.id), included)
                              .where(ListRow.item_list.in_(list(by_list))).group_by(ListRow.item_list).tuples()):
            by_list[list_id].items, by_list[list_id].included = n, int(k or 0)
    by_dept = {e.department.id: e for e in entries}
    for o in (Officer.select(Officer.id, Officer.name, Officer.department).where(serving_today())
              .order_by(Officer.term_start, Officer.id)):
        if o.department_id in by_dept:
            by_dept[o.department_id].officers.append(o)
    return entries


def search_published(text: str, item_type: str, code: str, included: bool):
    """公开清单 search: rows of the published lists by item name or 事项编码, type, department, 纳入 only."""
    query = ListRow.published()
    if text:
        query = query.where(ListRow.item_name.contains(text) | ListRow.sub_item_name.contains(text)
                            | (ListRow.code == text))
    if item_type:
        query = query.where(ListRow.item_type == item_type)
    if code:
        query = query.where(Department.code == code)
    if included:
        query = query.where(ListRow.inclusion == rules.INCLUDED)
    return query.order_by(Department.sort_order, Department.id, ListRow.seq, ListRow.id)


def department_page(dept: Department) -> dict:
    """部门公示页: the published list version with its rows, and the serving officers."""
    published = ItemList.published_for(dept)
    rows = []
    if published is not None:
        rows = list(ListRow.select().where(ListRow.item_list == published).order_by(ListRow.seq, ListRow.id))
    officers = _with_standing(list(public_officers().where(Officer.department == dept)))
    return dict(published=published, rows=rows, officers=officers, awaiting=awaiting_authorisation(rows),
                included=sum(1 for r in rows if r.inclusion == rules.INCLUDED))


def notice_officer(officer_id):
    """The officer named on a 一次性告知 (name and work phone only), or None."""
    if not officer_id:
        return None
    return (Officer.select(Officer.id, Officer.name, Officer.work_phone, Officer.term_end)
            .where(Officer.id == officer_id).first())


def officer_page(officer_id: int) -> dict | None:
    """首席服务员公开页: the officer (of an active department), the letter in force with its sections 一 and
    二, and which of its items are in the published list; None when there is no such officer."""
    person = (Officer.select(Officer.id, Officer.name, Officer.position, Officer.work_phone, Officer.term_start,
                             Officer.term_end, Officer.department, Department.id, Department.code, Department.name)
              .join(Department)
              .where((Officer.id == officer_id) & (Department.active == True))  # noqa: E712
              .first())
    if person is None:
        return None
    letter = (Letter.select(Letter.id, Letter.number, Letter.issue_date)
              .where((Letter.officer == person.id) & (Letter.state == rules.LETTER_ISSUED))
              .order_by(Letter.issue_date.desc(), Letter.id.desc()).first())
    final, first = [], []
    published_ids = set()
    if letter is not None and person.term_end is None:
        items = list(LetterItem.select(LetterItem.item, LetterItem.mode, LetterItem.label)
                     .where(LetterItem.letter == letter.id).order_by(LetterItem.seq, LetterItem.id))
        final = [i for i in items if i.mode == rules.FINAL]
        first = [i for i in items if i.mode == rules.FIRST]
        published_ids = {item_id for (item_id,) in ListRow.published().select(ListRow.item)
                         .where(Department.id == person.department_id).tuples() if item_id}
    else:
        letter = None  # a former officer holds no letter in force
    standing = letter_standings([(letter.id, person.id, rules.LETTER_ISSUED)])[letter.id] if letter else None
    today = clock.today()
    serving = person.term_start <= today and (person.term_end is None or person.term_end >= today)
    return dict(person=person, dept=person.department, letter=letter, final=final, first=first,
                published_ids=published_ids, serving=serving, standing=standing)


def verify(year: int, seq: int) -> dict:
    """授权委托书核验 of a parsed 文号: 已签发 (for whom, which items), 已替换 (by which letter), 已终止, or unknown."""
    letter = (Letter.select(Letter.id, Letter.number, Letter.state, Letter.issue_date, Letter.end_date,
                            Officer.id, Officer.name, Department.name)
              .join(Officer).switch(Letter).join(Department)
              .where((Letter.year == year) & (Letter.seq == seq) & (Letter.state != rules.LETTER_DRAFT))
              .first())
    if letter is None:
        return {"state": "unknown", "number": rules.letter_number(year, seq)}
    out = {"state": letter.state, "letter": letter, "officer": letter.officer, "dept": letter.department,
           "standing": letter_standings([(letter.id, letter.officer.id, letter.state)])[letter.id]}
    if letter.state == rules.LETTER_ISSUED:
        items = list(LetterItem.select(LetterItem.mode, LetterItem.label).where(LetterItem.letter == letter.id)
                     .order_by(LetterItem.seq, LetterItem.id))
        out["final"], out["first"] = rules.letter_sections([(i.label, i.mode) for i in items])
    elif letter.state == rules.LETTER_REPLACED:
        out["replacement"] = (Letter.select(Letter.number, Letter.issue_date, Letter.state)
                              .where((Letter.replaces == letter.id) & (Letter.state != rules.LETTER_DRAFT))
                              .order_by(Letter.id.desc()).first())
    return out


def serving_officer(officer_id: int):
    """A serving officer of an active department, with the department, for the window card; or None."""
    return (Officer.select(Officer, Department).join(Department)
            .where((Officer.id == officer_id) & serving_today() & (Department.active == True))  # noqa: E712
            .first())


# --- 好差评 ------------------------------------------------------------------------------------------


def stamp() -> dt.datetime:
    return dt.datetime.combine(clock.today(), clock.now().time())


def evaluations_today(address_hash: str) -> int:
    """How many evaluations this (hashed) address has left today."""
    since = dt.datetime.combine(clock.today(), dt.time())
    return (Evaluation.select().where((Evaluation.address_hash == address_hash) & (Evaluation.created_at >= since))
            .count())


def record_evaluation(w, dept: Department, form, address_hash: str) -> Evaluation:
    """A public evaluation; a 差评 gets its answer deadline (差评答复时限 working days from today)."""
    level = form.level.data
    deadline = None
    if rules.is_bad_review(level):
        days = int(Setting.get_value("evaluation_answer_days") or 5)
        deadline = rules.add_working_days(clock.today(), days, *Holiday.calendar())
    return w.create(Evaluation, department=dept, level=level, comment=(form.comment.data or "").strip(),
                    matter_ref=(form.matter_ref.data or "").strip(), created_at=stamp(),
                    address_hash=address_hash, deadline=deadline)


# --- highlight cases ---------------------------------------------------------------------------------


def _published_cases():
    return (HighlightCase.select(*case_columns(), Department).join(Department)
            .where((HighlightCase.state == CASE_PUBLISHED) & (Department.active == True)))  # noqa: E712


def published_cases(department: Department | None = None):
    """亮点案例 approved for the public, newest first (without the photos' bytes)."""
    q = _published_cases().order_by(HighlightCase.case_date.desc(), HighlightCase.id.desc())
    if department is not None:
        q = q.where(HighlightCase.department == department)
    return q


def departments_with_cases() -> list[Department]:
    """The active departments that have an approved case, in the departments' order."""
    return list(Department.select(Department).join(HighlightCase)
                .where((HighlightCase.state == CASE_PUBLISHED) & (Department.active == True))  # noqa: E712
                .group_by(Department.id).order_by(Department.sort_order, Department.id))


def published_case(case_id: int) -> HighlightCase | None:
    """One approved case (without its photo's bytes), or None."""
    return _published_cases().where(HighlightCase.id == case_id).first()


def published_photo(case_id: int):
    """The photo and its type of an approved case (row.photo, row.photo_type), or None."""
    return (HighlightCase.select(HighlightCase.photo, HighlightCase.photo_type).join(Department)
            .where((HighlightCase.id == case_id) & (HighlightCase.state == CASE_PUBLISHED)
                   & (Department.active == True))  # noqa: E712
            .first())
