"""No formula cells from user text, anywhere: records whose text starts with = + - @ are made through
the portal's own forms (items, officers, investors, matters, findings and their answers, a department's
name), then every .xlsx export is downloaded and opened with openpyxl. No cell is a formula, and the
text is kept exactly as typed, in a string cell without a visible apostrophe (issue 20 §5). The CSV
feeds, which have no cell types, prefix such cells with an apostrophe (exports.csv_text); an
export imported again keeps the names exactly."""
from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from portal.files import FORMULA_START
from portal.models import Department, ItemList, Officer, OversightReview, ReviewFinding, ServiceItem
from tests import security_city
from tests.conftest import TODAY
from tests.test_joint import credit_code

TEXT = {
    "officer_name": "=cmd|' /C calc'!A0",
    "position": "+领导岗位",
    "work_phone": "-0715-5321234",
    "note": "@备注",
    "item_name": "=2+3*HYPERLINK",
    "sub_item_name": "@SUM",
    "materials": "-申请书",
    "location": "=三楼窗口",
    "investor": "-恶意企业有限公司",
    "contact": "+张三",
    "project": "=1+2",
    "notes": "@台账备注",
    "requirement": "=整改要求",
    "answer": "@整改情况",
    "department": "=恶意部门",
    "short_name": "+恶意",
}


def _ok(response, *statuses):
    assert response.status_code in (statuses or (302, 303)), response.get_data(as_text=True)[:3000]
    return response


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    from tests.conftest import make_app

    app = make_app(tmp_path_factory.mktemp("exports"))
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    gaj, office = security_city.login(app, "gaj"), security_city.login(app, "office")
    today = TODAY.isoformat()

    _ok(gaj.post("/officers/new", data={
        "name": TEXT["officer_name"], "gender": "男", "position": TEXT["position"], "work_phone": TEXT["work_phone"],
        "note": TEXT["note"], "term_start": today}))
    with app.app_context():
        officer = Officer.get(Officer.name == TEXT["officer_name"])
    _ok(gaj.post("/items/", data={
        "item_name": TEXT["item_name"], "sub_item_name": TEXT["sub_item_name"], "item_type": "行政许可",
        "inclusion": "纳入", "officer_id": str(officer.id), "mode": "终审", "materials": TEXT["materials"],
        "location": TEXT["location"], "legal_days": "20", "promised_days": "5"}))
    with app.app_context():
        item = ServiceItem.get(ServiceItem.item_name == TEXT["item_name"])
    code = credit_code("91421281MA4F0F0R1")
    _ok(gaj.post("/ledger/investors/new", data={"name": TEXT["investor"], "credit_code": code,
                                                "contact": TEXT["contact"], "phone": "0715-5321234"}))
    with app.app_context():
        from portal.models import Investor

        investor = Investor.get(Investor.credit_code == code)
    _ok(gaj.post("/ledger/matters/new", data={
        "investor": str(investor.id), "project": TEXT["project"], "item": str(item.id), "officer": str(officer.id),
        "received_date": today, "promised_date": today, "status": "已受理", "visits": "0", "handling": "窗口办",
        "notes": TEXT["notes"]}))
    # The list goes public: submitted by gaj, approved by the office.
    _ok(gaj.post("/items/submit"))
    with app.app_context():
        submitted = ItemList.get((ItemList.department == officer.department_id) & (ItemList.state == "已报送"))
    _ok(office.post(f"/items/review/{submitted.id}/approve", data={"confirm_unauthorised": "1"}))
    # An oversight finding to put right, and gaj's answer.
    with app.app_context():
        finding = ReviewFinding.select().where(ReviewFinding.department == officer.department_id).first()
        review = OversightReview.get_by_id(finding.review_id)
    _ok(office.post(f"/admin/findings/{finding.id}/record", data={"finding": "需整改",
                                                                  "requirement": TEXT["requirement"]}))
    _ok(gaj.post(f"/admin/findings/{finding.id}/answer", data={"answer": TEXT["answer"], "answered_on": today}))
    # A department the office names badly.
    _ok(office.post("/admin/departments/new", data={"code": "evil", "name": TEXT["department"],
                                                    "short_name": TEXT["short_name"], "has_window": "y",
                                                    "active": "y"}))
    with app.app_context():
        assert Department.get(Department.code == "evil").name == TEXT["department"]
    with app.app_context():
        from portal.models import AssessmentPeriod

        period = AssessmentPeriod.get(AssessmentPeriod.locked_at.is_null()).id  # open: computed with evil
    return {"app": app, "gaj": gaj, "office": office, "list": submitted.id, "review": review.id, "period": period}


OFFICER = ("officer_name", "position", "work_phone", "note")
ITEM = ("item_name", "sub_item_name")
LEDGER = ("investor", "contact", "project", "notes")

# (who, url, texts that must be in the workbook)
EXPORTS = [
    ("gaj", "/items/export", ITEM),
    ("office", "/items/export?dept=gaj", ITEM),
    ("office", "/items/export?dept=gaj&version={list}", ITEM),
    ("office", "/items/export/city", ITEM),
    ("gaj", "/officers/roster.xlsx", OFFICER),
    ("office", "/officers/roster-city.xlsx", OFFICER + ("department",)),
    ("gaj", "/ledger/export", LEDGER),
    ("office", "/ledger/export", LEDGER),
    ("office", "/ledger/export?dept=gaj", LEDGER),
    ("office", "/ledger/export?dept=evil", ("department",)),
    ("office", "/items/export?dept=evil", ("department",)),
    ("office", "/officers/roster.xlsx?dept=evil", ("department",)),
    ("office", "/dashboard/export", ("department",)),
    ("office", "/admin/oversight/{review}/export", ("requirement", "answer")),
    ("office", "/assessment/periods/{period}/workbook.xlsx", ("department",)),
]


def _cells(data: bytes):
    wb = openpyxl.load_workbook(io.BytesIO(data))
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None:
                    yield ws.title, cell


@pytest.mark.parametrize("who, url, keys", EXPORTS, ids=[e[1] for e in EXPORTS])
def test_no_formula_cells_in_exports(city, who, url, keys):
    response = city[who].get(url.format(**city))
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    strings = []
    for sheet, cell in _cells(response.data):
        assert cell.data_type != "f", f"{sheet}!{cell.coordinate} is a formula: {cell.value!r}"
        if isinstance(cell.value, str):
            strings.append(cell.value)
            # A string cell, as typed: no apostrophe for the clerk to see.
            assert cell.data_type == "s", f"{sheet}!{cell.coordinate} is {cell.data_type}: {cell.value!r}"
            assert not (cell.value[:1] == "'" and cell.value[1:2] in FORMULA_START), f"{sheet}!{cell.coordinate} = {cell.value!r}"
    for key in keys:
        # Kept whole: a cell of its own reads "=…" exactly; or inside a longer cell (办公电话：-0715…).
        assert any(TEXT[key] == s or TEXT[key] in s for s in strings), f"{key}: {TEXT[key]!r} is not in the workbook"


@pytest.mark.parametrize("url, keys", [("/public/feed/lists.csv", ITEM), ("/public/feed/officers.csv", OFFICER)])
def test_csv_feed_cells_are_prefixed(city, url, keys):
    response = city["app"].test_client().get(url)
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    cells = [c for row in rows[1:] for c in row]
    for c in cells:
        assert not c.startswith(FORMULA_START), c
    for key in keys:
        if key in ("note",):  # the private note is not in the public feed
            continue
        assert "'" + TEXT[key] in cells, (key, TEXT[key])


def test_every_export_route_is_covered(city):
    """A new export (an endpoint named *export*, or a .xlsx address) joins EXPORTS above."""
    app = city["app"]
    adapter = app.url_map.bind("localhost")
    covered = {adapter.match(url.format(**city).split("?")[0])[0] for _, url, _ in EXPORTS}
    exports = {r.endpoint for r in app.url_map.iter_rules() if "export" in r.endpoint or r.rule.endswith(".xlsx")}
    docx = {"cases.export"}  # a Word document: no cells, no formulas
    assert exports - docx - covered == set()


def test_cells_of_their_own_read_exactly_as_typed(city):
    """The item list's own cells: 事项名称 reads "=2+3*HYPERLINK", not "'=2+3*HYPERLINK"."""
    response = city["gaj"].get("/items/export")
    values = {cell.value for _, cell in _cells(response.data)}
    assert TEXT["item_name"] in values and TEXT["sub_item_name"] in values
    assert "'" + TEXT["item_name"] not in values


def test_an_export_imported_again_keeps_the_text_exactly(city):
    """Export, then import the same file: every row matches its item (nothing new, nothing renamed)."""
    app, gaj = city["app"], city["gaj"]
    with app.app_context():
        before = {(i.id, i.item_name, i.sub_item_name) for i in ServiceItem.select().where(
            ServiceItem.department == Department.get(Department.code == "gaj"))}
    data = gaj.get("/items/export").data
    from werkzeug.datastructures import FileStorage
    response = gaj.post("/items/import", data={"file": FileStorage(io.BytesIO(data), filename="附件1.xlsx")},
                        content_type="multipart/form-data")
    assert response.status_code in (200, 302, 303), response.get_data(as_text=True)[:2000]
    with app.app_context():
        after = {(i.id, i.item_name, i.sub_item_name) for i in ServiceItem.select().where(
            ServiceItem.department == Department.get(Department.code == "gaj"))}
    assert after == before
    assert any(name == TEXT["item_name"] and sub == TEXT["sub_item_name"] for _, name, sub in after)


def test_the_import_drops_exactly_one_guard_apostrophe():
    from portal.files.imports import cell_text
    assert cell_text("'=1+2") == "=1+2"  # the guard of a CSV or of a workbook exported before
    assert cell_text("''=1+2") == "'=1+2"  # only one
    assert cell_text("'abc") == "'abc"  # an apostrophe before ordinary text is the clerk's own
    assert cell_text("=1+2") == "=1+2"


@pytest.mark.parametrize("who, url, fallback", [
    ("gaj", "/items/export", "gaj-item-list-2026-11-26.xlsx"),
    ("office", "/items/export?dept=gaj&version={list}", None),
    ("office", "/items/export/city", "chibi-city-item-list-2026-11-26.xlsx"),
    ("gaj", "/officers/roster.xlsx", "gaj-officer-roster-2026-11-26.xlsx"),
    ("office", "/officers/roster-city.xlsx", "chibi-city-officer-roster-2026-11-26.xlsx"),
    ("gaj", "/ledger/export", "gaj-service-ledger-2026-11-26.xlsx"),
    ("office", "/ledger/export", "chibi-city-service-ledger-2026-11-26.xlsx"),
    ("office", "/dashboard/export", "chibi-assessment-ranking-2026-11-26.xlsx"),
    ("office", "/admin/oversight/{review}/export", "chibi-oversight-review-{review}-results-2026-11-26.xlsx"),
    ("office", "/admin/cases/export", "chibi-city-highlight-cases-2026-11-26.docx"),
])
def test_the_ascii_file_name_says_what_the_file_is(city, who, url, fallback):
    """Content-Disposition: filename= is ASCII and meaningful (department code and English words), the
    Chinese name comes as filename*."""
    response = city[who].get(url.format(**city))
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    ascii_name = disposition.split('filename="')[1].split('"')[0]
    assert ascii_name.isascii() and not ascii_name.startswith("-") and "--" not in ascii_name
    if fallback is None:
        with city["app"].app_context():
            revision = ItemList.get_by_id(city["list"]).revision
        fallback = f"gaj-item-list-version-{revision}-2026-11-26.xlsx"
    assert ascii_name == fallback.format(**city)
    assert "filename*=UTF-8''" in disposition


def test_a_letter_downloads_under_its_number(city):
    from portal.models import Letter
    with city["app"].app_context():
        letter = Letter.select().join(Department).where((Department.code == "gaj") & Letter.number.is_null(False)).first()
        if letter is None or not letter.number:
            pytest.skip("no issued letter in the demo")
        year, seq = __import__("portal.rules", fromlist=["x"]).parse_letter_number(letter.number)
    response = city["gaj"].get(f"/officers/letters/{letter.id}.docx")
    assert response.status_code == 200
    assert f'filename="gaj-authorisation-letter-{year}-{seq}.docx"' in response.headers["Content-Disposition"]
