"""Publication channels (公示渠道) beyond the web pages: window cards with QR codes (窗口公示牌), the
service hall's bulletin (宣传栏), a data feed for the government website and new media (数据接口), and
the approved highlight cases (亮点案例).

Everything here is public, like the rest of /public/: a window card shows only what the roster and
the letter verification already show (name, department, position, work phone, letter number), and it
is meant to be posted at the window. Printing the cards is the office's task: the office reaches them
from 公示渠道 (admin.channels).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass, field

from flask import Response, abort, current_app, render_template, request, url_for
from markupsafe import Markup
from peewee import JOIN

from .. import clock, listing, qr, rules
from ..exports import safe_text
from ..models import (Case, DataVersion, Department, HighlightCase, ItemList, Letter, LetterItem, ListRow,
                      Officer, fn)
from . import bp

CASE_PENDING, CASE_PUBLISHED, CASE_RETURNED = rules.CASE_STATES  # 待审核, 已发布, 已退回
CARD_SIZES = ("a5", "a4")
CASE_PAGE_SIZE = 12

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


def _serving_today():
    """Serving today: the term has started and its last day, if set, is not yet past."""
    today = clock.today()
    return (Officer.term_start <= today) & (Officer.term_end.is_null() | (Officer.term_end >= today))


def serving_officers(department: Department | None = None) -> list[OfficerEntry]:
    """Serving officers of active departments with the letter in force: two queries for the city."""
    q = (Officer.select(Officer, Department).join(Department)
         .where(_serving_today() & (Department.active == True))  # noqa: E712
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


def _department_or_404(code: str | None) -> Department | None:
    """The active department of ?dept=<code>; None when no code is given."""
    if not code:
        return None
    dept = Department.get_or_none((Department.code == code) & (Department.active == True))  # noqa: E712
    if dept is None:
        abort(404)
    return dept


# --- window cards ----------------------------------------------------------------------------------


@dataclass
class WindowCard:
    entry: OfficerEntry
    officer_url: str
    evaluate_url: str
    officer_qr: Markup
    evaluate_qr: Markup


def _cards(entries: list[OfficerEntry]) -> list[WindowCard]:
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


def _card_size() -> str:
    size = request.args.get("size", "a5").lower()
    return size if size in CARD_SIZES else "a5"


@bp.route("/cards/<int:officer_id>")
def card(officer_id: int):
    """窗口公示牌: one serving officer's printable window card with two QR codes."""
    officer = (Officer.select(Officer, Department).join(Department)
               .where((Officer.id == officer_id) & _serving_today() & (Department.active == True))  # noqa: E712
               .first())
    if officer is None:
        abort(404)
    entries = [e for e in serving_officers(officer.department) if e.officer.id == officer_id]
    return render_template("public/card.html", cards=_cards(entries), department=officer.department,
                           officer=officer, size=_card_size())


@bp.route("/cards")
def cards():
    """窗口公示牌（批量）: the cards of every serving officer — of one department with ?dept=<code> —
    on one print page, one card per sheet."""
    department = _department_or_404(request.args.get("dept"))
    entries = serving_officers(department)
    return render_template("public/cards.html", cards=_cards(entries), department=department,
                           departments=list(Department.active_ordered()), size=_card_size())


# --- hall bulletin ---------------------------------------------------------------------------------


@bp.route("/bulletin")
def bulletin():
    """宣传栏: the whole city's published lists, grouped by department, with each version's date, in
    large type for the hall's notice board (?dept=<code> prints one department)."""
    department = _department_or_404(request.args.get("dept"))
    lists = published_lists(department)
    return render_template("public/bulletin.html", lists=lists, department=department,
                           departments=list(Department.active_ordered()))


# --- data feed -------------------------------------------------------------------------------------

LIST_FIELDS = ("seq", "code", "item_name", "sub_item_name", "item_type", "inclusion", "reason", "mode",
               "officer_id", "officer_name", "legal_days", "promised_days", "kind", "visits", "location",
               "basis", "materials")
LIST_CSV_FIELDS = ("department_code", "department_name", "version_date", "revision") + LIST_FIELDS + ("generated_at",)
OFFICER_FIELDS = ("id", "name", "department_code", "department_name", "position", "work_phone", "term_start",
                  "authorised", "letter_number", "letter_issue_date", "final_items", "first_items",
                  "page_url", "evaluate_url")
OFFICER_CSV_FIELDS = OFFICER_FIELDS + ("generated_at",)


def _iso(value):
    return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value


def _generated_at() -> str:
    return clock.now().isoformat(timespec="seconds")


def _list_row(row: ListRow) -> dict:
    return {
        "seq": row.seq, "code": row.code, "item_name": row.item_name, "sub_item_name": row.sub_item_name,
        "item_type": row.item_type, "inclusion": row.inclusion, "reason": row.reason, "mode": row.mode,
        "officer_id": row.officer_id, "officer_name": row.officer_name, "legal_days": row.legal_days,
        "promised_days": row.promised_days, "kind": row.kind, "visits": row.visits, "location": row.location,
        "basis": row.basis, "materials": row.materials,
    }


def _department_url(base: str, code: str) -> str | None:
    if "public.department" not in current_app.view_functions:
        return None
    return base + url_for("public.department", code=code)


def _officer_record(e: OfficerEntry, base: str) -> dict:
    o = e.officer
    return {
        "id": o.id, "name": o.name, "department_code": e.department.code, "department_name": e.department.name,
        "position": o.position, "work_phone": o.work_phone, "term_start": _iso(o.term_start),
        "authorised": e.authorised, "letter_number": e.letter_number or None,
        "letter_issue_date": _iso(e.letter_date), "final_items": e.final_count, "first_items": e.first_count,
        "page_url": qr.officer_url(o.id, base), "evaluate_url": qr.evaluate_url(e.department.code, base),
    }


def _feed_response(body: str | bytes, mimetype: str) -> Response:
    """A feed answer: cacheable for a few minutes, revalidated by the data version, readable by the
    government website's own scripts (CORS), and never guessed as another type."""
    response = Response(body, mimetype=mimetype)
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "public, max-age=300"
    response.set_etag(f"v{DataVersion.current()}-{request.path}")
    return response.make_conditional(request)


def _json(payload: dict) -> Response:
    body = json.dumps(payload, ensure_ascii=False, indent=1)
    return _feed_response(body, "application/json")


def _csv(fields: tuple[str, ...], records: list[dict]) -> Response:
    """UTF-8 with a byte-order mark so that Excel opens the Chinese text correctly; a cell that Excel
    would read as a formula (= + - @) starts with an apostrophe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(fields)
    for rec in records:
        cells = []
        for name in fields:
            value = rec.get(name)
            if value is None:
                value = ""
            elif isinstance(value, bool):
                value = "true" if value else "false"
            cells.append(safe_text(str(value)))
        writer.writerow(cells)
    response = _feed_response("\ufeff" + out.getvalue(), "text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    return response


@bp.route("/feed/lists.json")
def feed_lists_json():
    """数据接口（清单 JSON）: every department's published list with its version date."""
    base = qr.public_base_url()
    departments = []
    for p in published_lists():
        departments.append({
            "code": p.department.code, "name": p.department.name, "short_name": p.department.short_name,
            "revision": p.item_list.revision, "year": p.item_list.year,
            "version_date": _iso(p.version_date), "page_url": _department_url(base, p.department.code),
            "items": [_list_row(r) for r in p.rows],
        })
    return _json({"generated_at": _generated_at(), "source": base, "departments": departments})


@bp.route("/feed/lists.csv")
def feed_lists_csv():
    """数据接口（清单 CSV）: one line per item of the published lists, with the department and version."""
    generated = _generated_at()
    records = []
    for p in published_lists():
        head = {"department_code": p.department.code, "department_name": p.department.name,
                "version_date": _iso(p.version_date), "revision": p.item_list.revision, "generated_at": generated}
        records.extend({**head, **_list_row(r)} for r in p.rows)
    return _csv(LIST_CSV_FIELDS, records)


@bp.route("/feed/officers.json")
def feed_roster_json():
    """数据接口（名单 JSON）: the serving officers with their public fields and letter in force."""
    base = qr.public_base_url()
    officers = [_officer_record(e, base) for e in serving_officers()]
    return _json({"generated_at": _generated_at(), "source": base, "officers": officers})


@bp.route("/feed/officers.csv")
def feed_roster_csv():
    """数据接口（名单 CSV）: the serving officers, one line each."""
    base = qr.public_base_url()
    generated = _generated_at()
    records = [{**_officer_record(e, base), "generated_at": generated} for e in serving_officers()]
    return _csv(OFFICER_CSV_FIELDS, records)


# --- highlight cases -------------------------------------------------------------------------------


def case_columns():
    """A case's columns without the photo's bytes (lists never load the pictures)."""
    return [f for f in HighlightCase._meta.sorted_fields if f.name != "photo"]


def _published_case_or_404(case_id: int) -> HighlightCase:
    case = (HighlightCase.select(*case_columns(), Department).join(Department)
            .where((HighlightCase.id == case_id) & (HighlightCase.state == CASE_PUBLISHED)
                   & (Department.active == True))  # noqa: E712
            .first())
    if case is None:
        abort(404)
    return case


@bp.route("/cases")
def cases():
    """亮点案例: the approved cases of good practice, newest first (?dept=<code> for one department)."""
    department = _department_or_404(request.args.get("dept"))
    q = (HighlightCase.select(*case_columns(), Department).join(Department)
         .where((HighlightCase.state == CASE_PUBLISHED) & (Department.active == True))  # noqa: E712
         .order_by(HighlightCase.case_date.desc(), HighlightCase.id.desc()))
    if department is not None:
        q = q.where(HighlightCase.department == department)
    page = listing.paginate(q, CASE_PAGE_SIZE)
    with_cases = (Department.select(Department).join(HighlightCase)
                  .where((HighlightCase.state == CASE_PUBLISHED) & (Department.active == True))  # noqa: E712
                  .group_by(Department.id).order_by(Department.sort_order, Department.id))
    return render_template("public/cases.html", page=page, department=department, departments=list(with_cases))


@bp.route("/cases/<int:case_id>")
def case(case_id: int):
    """亮点案例详情: one approved case with its photo."""
    return render_template("public/cases_detail.html", case=_published_case_or_404(case_id))


@bp.route("/cases/<int:case_id>/photo")
def case_photo(case_id: int):
    """The photo of an approved case, served with the type its content was checked to be."""
    row = (HighlightCase.select(HighlightCase.photo, HighlightCase.photo_type).join(Department)
           .where((HighlightCase.id == case_id) & (HighlightCase.state == CASE_PUBLISHED)
                  & (Department.active == True))  # noqa: E712
           .first())
    if row is None or row.photo is None or row.photo_type not in ("image/png", "image/jpeg"):
        abort(404)
    response = Response(bytes(row.photo), mimetype=row.photo_type)
    response.headers["Cache-Control"] = "public, max-age=3600"
    response.headers["Content-Disposition"] = "inline"
    response.set_etag(f"case-{case_id}-v{DataVersion.current()}")
    return response.make_conditional(request)
