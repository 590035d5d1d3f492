"""公开页面 — what anyone sees without logging in: the published lists of every department (always the
latest approved version, rule 8), the one-time notification of an item, the roster of serving
officers, each officer's authorised items, the verification of a letter by its number, 好差评, and the
publication channels (公示渠道): window cards, the hall bulletin, the data feed and highlight cases.

The queries are in service.py; officer queries there name their columns one by one: a mobile number or
a date of birth is never even read on a public page.
"""
from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import re
import secrets

from flask import Response, abort, current_app, redirect, render_template, request, session, url_for

from .. import clock, listing, qr, rules
from ..audit import write
from ..files import csv_text
from ..models import DataVersion, Department, HighlightCase, ListRow
from . import bp, service
from .forms import EvaluationForm

EVALUATIONS_PER_ADDRESS_PER_DAY = 5
QUESTION_KEY = "evaluation_question"
_NUMBERING = re.compile(r"^\s*(?:[0-9０-９]+|[一二三四五六七八九十]+)\s*[.．、)）]\s*")


def _active_department_or_404(code: str) -> Department:
    return service.active_department(code) or abort(404)


# --- published lists ------------------------------------------------------------------------------


@bp.route("/")
def index():
    """公开清单 (the public start page): every department with its count of items and its officers, one
    click from its published list; and a search of the published lists (latest approved versions) by item
    name, type and department, each row with the officer, the approval mode and the one-time notification."""
    text = (request.args.get("q") or "").strip()
    item_type = request.args.get("type", "")
    item_type = item_type if item_type in rules.ITEM_TYPES else ""
    code = request.args.get("dept", "")
    included = request.args.get("included") == "1"
    searched = bool(text or item_type or code or included)
    page = listing.paginate(service.search_published(text, item_type, code, included))
    return render_template("public/index.html", page=page, q=text, item_type=item_type, code=code,
                           directory=service.department_directory(), searched=searched,
                           awaiting=service.awaiting_authorisation(page.rows))


@bp.route("/departments/<code>")
def department(code: str):
    """部门公示页: one department's published list, its serving officers and the link to 好差评."""
    dept = _active_department_or_404(code)
    return render_template("public/department.html", dept=dept, **service.department_page(dept))


@bp.route("/items/<int:item_id>")
def notice(item_id: int):
    """一次性告知: a published item's materials, time limits, window and officer's work phone, printable to
    hand over at the window. Items not in a published list are 404."""
    row = ListRow.published().where(ListRow.item == item_id).first()
    if row is None:
        abort(404)
    officer = service.notice_officer(row.officer_id)
    # Departments number their materials themselves ("1. 申请书；"); the page numbers them once.
    materials = [_NUMBERING.sub("", line).strip() for line in (row.materials or "").splitlines() if line.strip()]
    return render_template("public/notice.html", row=row, dept=row.item_list.department, officer=officer,
                           materials=materials)


# --- officers and letters -------------------------------------------------------------------------


@bp.route("/officers")
def roster():
    """首席服务员名单: serving officers — name, department, position, work phone (never the mobile
    number or the date of birth) — with the letter in force."""
    text = (request.args.get("q") or "").strip()
    return render_template("public/roster.html", officers=service.roster(text), q=text)


@bp.route("/officers/<int:officer_id>")
def officer(officer_id: int):
    """首席服务员公开页: the officer's department, position and work phone, and the items of the
    letter in force (sections 一 终审 and 二 初审) with its number and a link to verify it."""
    page = service.officer_page(officer_id)
    if page is None:
        abort(404)
    return render_template("public/officer.html", **page)


@bp.route("/verify")
def verify():
    """授权委托书核验: a letter number (any bracket style) is valid (已签发: for whom, which items),
    replaced (by which letter), ended (since when) or unknown."""
    number = (request.args.get("number") or "").strip()[:60]
    result, error = None, None
    if number:
        parsed = rules.parse_letter_number(number)
        if parsed is None:
            error = "文号格式不正确，请按授权委托书上的文号填写，如：赤首授〔2026〕3号"
        else:
            result = service.verify(*parsed)
    return render_template("public/verify.html", number=number, result=result, error=error,
                           example=rules.letter_number(clock.today().year, 1))


# --- 好差评 ----------------------------------------------------------------------------------------


def _new_question(form: EvaluationForm) -> None:
    """A fresh sum of two small numbers; its answer stays in the session, never in the page."""
    a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    session[QUESTION_KEY] = a + b
    form.answer.label.text = f"验证问题：{a} + {b} = ？"
    form.answer.data = ""
    form.answer.raw_data = []


def _address_hash() -> str:
    """The address as a keyed hash: enough to count a day's evaluations, useless to identify anyone."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, (request.remote_addr or "").encode(), hashlib.sha256).hexdigest()


def _limit() -> int:
    """How many evaluations one address may leave a day."""
    return current_app.config.get("EVALUATIONS_PER_ADDRESS_PER_DAY", EVALUATIONS_PER_ADDRESS_PER_DAY)


def _answer_error(form: EvaluationForm) -> bool:
    """Check the arithmetic question against the session's answer (taken out: one try per question);
    True (with the error on the field) when the given answer is wrong."""
    expected = session.pop(QUESTION_KEY, None)
    given = (form.answer.data or "").strip()
    if given and (expected is None or not given.isdigit() or int(given) != expected):
        form.answer.errors.append("验证问题回答不正确，已换一道新题，请重新计算")
        return True
    return False


@bp.route("/evaluate/<code>", methods=["GET", "POST"])
def evaluate(code: str):
    """好差评: rate a department's officer service in five levels, with an optional comment and matter
    reference. An arithmetic question stands in for a CAPTCHA; one address may leave a few a day."""
    dept = _active_department_or_404(code)
    form = EvaluationForm()
    limit_error = None
    if request.method == "POST":
        valid = form.validate_on_submit()
        if _answer_error(form):
            valid = False
        address = _address_hash()
        if service.evaluations_today(address) >= _limit():
            limit_error = f"同一网络每天最多提交{_limit()}条评价，今天的评价次数已用完，请明天再来。"
            valid = False
        if valid:
            with write(username="公众评价") as w:
                service.record_evaluation(w, dept, form, address)
            return redirect(url_for("public.thanks"), 303)
    _new_question(form)
    response = current_app.make_response((render_template(
        "public/evaluate.html", dept=dept, form=form, limit_error=limit_error, limit=_limit()),
        422 if request.method == "POST" else 200))
    # The form carries this visitor's CSRF token and question: no shared cache may keep it.
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.route("/thanks")
def thanks():
    """感谢评价: nothing else is shown — not the evaluation, not the department's figures."""
    return render_template("public/thanks.html")


# --- publication channels (公示渠道): window cards, hall bulletin, data feed, highlight cases ----------

CARD_SIZES = ("a5", "a4")
CASE_PAGE_SIZE = 12


def _department_or_404(code: str | None) -> Department | None:
    """The active department of ?dept=<code>; None when no code is given."""
    if not code:
        return None
    return service.active_department(code) or abort(404)


def _card_size() -> str:
    size = request.args.get("size", "a5").lower()
    return size if size in CARD_SIZES else "a5"


@bp.route("/cards/<int:officer_id>")
def card(officer_id: int):
    """窗口公示牌: one serving officer's printable window card with two QR codes."""
    officer = service.serving_officer(officer_id) or abort(404)
    entries = [e for e in service.serving_officers(officer.department) if e.officer.id == officer_id]
    return render_template("public/card.html", cards=service.window_cards(entries), department=officer.department,
                           officer=officer, size=_card_size())


@bp.route("/cards")
def cards():
    """窗口公示牌（批量）: the cards of every serving officer — of one department with ?dept=<code> —
    on one print page, one card per sheet."""
    department = _department_or_404(request.args.get("dept"))
    entries = service.serving_officers(department)
    return render_template("public/cards.html", cards=service.window_cards(entries), department=department,
                           departments=list(Department.active_ordered()), size=_card_size())


# --- hall bulletin ---------------------------------------------------------------------------------


@bp.route("/bulletin")
def bulletin():
    """宣传栏: the whole city's published lists, grouped by department, with each version's date, in
    large type for the hall's notice board (?dept=<code> prints one department)."""
    department = _department_or_404(request.args.get("dept"))
    lists = service.published_lists(department)
    return render_template("public/bulletin.html", lists=lists, department=department,
                           departments=list(Department.active_ordered()))


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
            cells.append(csv_text(str(value)))
        writer.writerow(cells)
    response = _feed_response("\ufeff" + out.getvalue(), "text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    return response


@bp.route("/feed/lists.json")
def feed_lists_json():
    """数据接口（清单 JSON）: every department's published list with its version date."""
    base = qr.public_base_url()
    departments = []
    for p in service.published_lists():
        departments.append({
            "code": p.department.code, "name": p.department.name, "short_name": p.department.short_name,
            "revision": p.item_list.revision, "year": p.item_list.year,
            "version_date": service.iso(p.version_date), "page_url": service.department_url(base, p.department.code),
            "items": [service.list_record(r) for r in p.rows],
        })
    return _json({"generated_at": service.generated_at(), "source": base, "departments": departments})


@bp.route("/feed/lists.csv")
def feed_lists_csv():
    """数据接口（清单 CSV）: one line per item of the published lists, with the department and version."""
    generated = service.generated_at()
    records = []
    for p in service.published_lists():
        head = {"department_code": p.department.code, "department_name": p.department.name,
                "version_date": service.iso(p.version_date), "revision": p.item_list.revision, "generated_at": generated}
        records.extend({**head, **service.list_record(r)} for r in p.rows)
    return _csv(service.LIST_CSV_FIELDS, records)


@bp.route("/feed/officers.json")
def feed_roster_json():
    """数据接口（名单 JSON）: the serving officers with their public fields and letter in force."""
    base = qr.public_base_url()
    officers = [service.officer_record(e, base) for e in service.serving_officers()]
    return _json({"generated_at": service.generated_at(), "source": base, "officers": officers})


@bp.route("/feed/officers.csv")
def feed_roster_csv():
    """数据接口（名单 CSV）: the serving officers, one line each."""
    base = qr.public_base_url()
    generated = service.generated_at()
    records = [{**service.officer_record(e, base), "generated_at": generated} for e in service.serving_officers()]
    return _csv(service.OFFICER_CSV_FIELDS, records)


def _published_case_or_404(case_id: int) -> HighlightCase:
    return service.published_case(case_id) or abort(404)


@bp.route("/cases")
def cases():
    """亮点案例: the approved cases of good practice, newest first (?dept=<code> for one department)."""
    department = _department_or_404(request.args.get("dept"))
    page = listing.paginate(service.published_cases(department), CASE_PAGE_SIZE)
    return render_template("public/cases.html", page=page, department=department,
                           departments=service.departments_with_cases())


@bp.route("/cases/<int:case_id>")
def case(case_id: int):
    """亮点案例详情: one approved case with its photo."""
    return render_template("public/cases_detail.html", case=_published_case_or_404(case_id))


@bp.route("/cases/<int:case_id>/photo")
def case_photo(case_id: int):
    """The photo of an approved case, served with the type its content was checked to be."""
    row = service.published_photo(case_id)
    if row is None or row.photo is None or row.photo_type not in ("image/png", "image/jpeg"):
        abort(404)
    response = Response(bytes(row.photo), mimetype=row.photo_type)
    response.headers["Cache-Control"] = "public, max-age=3600"
    response.headers["Content-Disposition"] = "inline"
    response.set_etag(f"case-{case_id}-v{DataVersion.current()}")
    return response.make_conditional(request)
