"""Publication channels (公示渠道) beyond the web pages: window cards with QR codes (窗口公示牌), the
service hall's bulletin (宣传栏), a data feed for the government website and new media (数据接口), and
the approved highlight cases (亮点案例) — what they are made of; the routes are in views.py.

Everything here is public, like the rest of /public/: a window card shows only what the roster and
the letter verification already show (name, department, position, work phone, letter number), and it
is meant to be posted at the window. Printing the cards is the office's task: the office reaches them
from 公示渠道 (admin.channels).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask import current_app, url_for
from markupsafe import Markup
from peewee import JOIN

from .. import clock, qr, rules
from ..models import Case, Department, HighlightCase, ItemList, Letter, LetterItem, ListRow, Officer, fn

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

    @property
    def authorised(self) -> bool:
        return bool(self.letter_number)


def serving_today():
    """Serving today: the term has started and its last day, if set, is not yet past."""
    today = clock.today()
    return (Officer.term_start <= today) & (Officer.term_end.is_null() | (Officer.term_end >= today))


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
    letters = (Letter.select(Letter.officer, Letter.number, Letter.issue_date, final.alias("final_count"),
                             first.alias("first_count"))
               .join(LetterItem, join_type=JOIN.LEFT_OUTER, on=(LetterItem.letter == Letter.id))
               .where((Letter.state == rules.LETTER_ISSUED) & Letter.officer.in_([e.officer.id for e in entries]))
               .group_by(Letter.id, Letter.officer, Letter.number, Letter.issue_date)
               .order_by(Letter.issue_date, Letter.id)
               .dicts())
    # One letter is in force per officer; should two be marked issued, the latest one counts.
    by_officer = {row["officer"]: row for row in letters}
    for e in entries:
        row = by_officer.get(e.officer.id)
        if row:
            e.letter_number = row["number"]
            e.letter_date = row["issue_date"]
            e.final_count = int(row["final_count"] or 0)
            e.first_count = int(row["first_count"] or 0)
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
