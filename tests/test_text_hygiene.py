"""Text that cannot lie (issue 20 §1): the one input filter (portal.forms.clean_text) on every text
field of every form and every imported cell, and `flask check-text` for what is already stored.

The forms are found by crawling the demo city as the public, a department and the office; each text
field of each form is posted, the other fields as the page filled them, with each control character:
the answer is the clear Chinese error and the database is as it was."""
from __future__ import annotations

import io
import re
import unicodedata
from urllib.parse import urlsplit

import pytest
import xlsxwriter

from portal import rules
from portal.audit import write
from portal.forms import CONTROL_MESSAGE, TextProblem, clean_text
from portal.models import AuditLog, DataVersion, Matter, ServiceItem
from tests.conftest import World
from tests.crawl import FILE_LINKS, FormParser, demo_city, demo_client, post_forms
from tests.test_ledger import city, matter_form  # noqa: F401 (the fixture)

BAD = ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\x9b"]
TEXT_TYPES = {"text", "textarea", "search", "tel", "email", "url", "password"}
SKIP = ("/logout", "/disable", "/reset", "/delete")


def _crawl(client, starts=("/",), limit=80):
    """The POST forms with text fields on the pages within three links of the start pages, one form per
    kind of action (/admin/departments/3 stands for every department)."""
    forms = {}
    for page, action, form in post_forms(client, starts, depth=3, limit=limit,
                                         skip_links=FILE_LINKS + ("qr", "card"), one_page_per_path=True):
        texts = [n for n, t in form["types"].items() if t in TEXT_TYPES and n != "csrf_token"]
        if texts and not any(s in action for s in SKIP):
            path = urlsplit(action).path
            forms.setdefault(re.sub(r"/[0-9]+(?=/|$)", "/N", path), (path, page, form["values"], texts, form["hx"]))
    return forms


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory):
    return demo_city(tmp_path_factory, "hygiene")


def _state(app):
    with app.app_context():
        return DataVersion.current(), AuditLog.select().count()


@pytest.mark.parametrize("username", [None, "gaj", "office"])
def test_every_form_refuses_control_characters(demo_app, username):
    """Each text field of each form, with each control character: 422 or 200 with the clear error, and
    nothing written."""
    client = demo_client(demo_app, username)
    forms = _crawl(client, ("/public/evaluate/gaj", "/login", "/public/") if username is None else ("/", "/items/new"), limit=200)
    assert len(forms) >= (2 if username is None else 4), sorted(forms)
    before = _state(demo_app)
    missing = []
    for path, page, values, texts, hx in sorted(forms.values()):
        for name in texts:
            for bad in BAD:
                payload = dict(values)
                payload[name] = f"a{bad}b"
                headers = {"HX-Request": "true", "HX-Current-URL": page} if hx else {}
                response = client.post(path, data=payload, headers=headers)
                assert response.status_code < 500, (path, name, repr(bad), response.status_code)
                body = response.get_data(as_text=True)
                if CONTROL_MESSAGE not in body:
                    missing.append((path, name, repr(bad), response.status_code))
                assert _state(demo_app) == before, (path, name, repr(bad), "database changed")
    assert not missing, sorted({m[:2] + (m[3],) for m in missing})


# --- the filter itself ---------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1f", "\x7f", "\x80", "\x85", "\x9f"])
def test_clean_text_refuses_control_characters(bad):
    for multiline in (False, True):
        with pytest.raises(TextProblem) as error:
            clean_text(f"项目{bad}名称", multiline)
        assert str(error.value) == CONTROL_MESSAGE


def test_tab_and_newline_only_in_multi_line_text():
    assert clean_text("第一行\r\n第二行\t说明\r\n", multiline=True) == ("第一行\n第二行\t说明", False)
    for bad in ("a\tb", "a\nb"):
        with pytest.raises(TextProblem):
            clean_text(bad, multiline=False)
    assert clean_text("\t名称\n", multiline=False) == ("名称", False)  # at the ends: trimmed, not refused


@pytest.mark.parametrize("mark", ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067",
                                  "\u2068", "\u2069", "\u200e", "\u200f"])
def test_bidi_controls_are_removed_and_said(mark):
    assert clean_text(f"{mark}abc.exe", False) == ("abc.exe", True)


def test_nfc_line_ends_and_inner_spaces_as_typed():
    decomposed = "e\u0301"  # é as e + combining acute
    assert clean_text(decomposed, False) == ("\u00e9", False)
    assert unicodedata.is_normalized("NFC", clean_text(decomposed, False)[0])
    assert clean_text("易制毒化 学品　", False) == ("易制毒化 学品", False)  # the inner space stays
    assert clean_text("　　一、身份证明  \r\n　　二、申请书　\r\n\r\n", True) == ("　　一、身份证明\n　　二、申请书", False)


def test_text_key_reads_every_space_alike():
    assert rules.text_key("申请书\r\n营业执照 ") == rules.text_key("申请书\n营业执照")
    assert rules.text_key("易制毒化　学品") == rules.text_key("易制毒化 学品")
    assert rules.text_key("易制毒化学品") != rules.text_key("易制毒化 学品")


# --- forms: the error next to the field, the database unchanged; bidi removal said ---------------


def test_a_nul_in_a_project_name_is_refused_and_nothing_is_stored(app, login, city):
    client = login("gaj")
    data = matter_form(city, project="a\x00b")
    before = (Matter.select().count(), DataVersion.current(), AuditLog.select().count())
    response = client.post("/ledger/matters/new", data=data)
    assert response.status_code in (200, 422)
    assert CONTROL_MESSAGE in response.get_data(as_text=True)
    assert (Matter.select().count(), DataVersion.current(), AuditLog.select().count()) == before


def test_bidi_marks_are_removed_from_an_item_name_and_the_user_is_told(app, login, world):
    client = login("gaj")
    item = World().item(world.gaj, "测试事项", inclusion=rules.PENDING)
    item_id = item.id
    data = {"item_name": "\u202e" + item.item_name, "sub_item_name": item.sub_item_name + "\u200f",
            "item_type": item.item_type, "inclusion": item.inclusion, "officer_id": str(item.officer_id or ""),
            "mode": item.mode or "", "reason": item.reason or "", "reason_note": item.reason_note or "",
            "seq": str(item.seq), "code": item.code or "", "basis": "设定依据\u202e", "legal_days": "",
            "promised_days": "", "kind": "", "visits": "", "materials": "", "location": ""}
    name = item.item_name
    response = client.post(f"/items/{item_id}", data=data)
    assert response.status_code in (200, 302, 303), response.get_data(as_text=True)[:2000]
    saved = ServiceItem.get_by_id(item_id)
    assert saved.item_name == name and "\u202e" not in saved.basis and "\u200f" not in saved.sub_item_name
    page = client.get(f"/items/{item_id}").get_data(as_text=True)
    assert "不可见方向控制字符" in page and "“事项名称”" in page


def test_the_row_form_of_the_list_refuses_control_characters(login, world):
    """The list's in-place row (its inputs sent with hx-include, no <form> for the walk to find)."""
    item = World().item(world.gaj, "测试事项", inclusion=rules.PENDING)
    client = login("gaj")
    fragment = client.get(f"/items/{item.id}/edit", headers={"HX-Request": "true"}).get_data(as_text=True)
    parser = FormParser()
    parser.feed('<form method="post">' + fragment + "</form>")
    values = next(f for f in parser.forms if f["types"])
    for name in [n for n, t in values["types"].items() if t in TEXT_TYPES]:
        for bad in BAD:
            before = (DataVersion.current(), AuditLog.select().count())
            response = client.put(f"/items/{item.id}/row", headers={"HX-Request": "true"},
                                  data={**values["values"], name: f"a{bad}b"})
            assert response.status_code == 422 and CONTROL_MESSAGE in response.get_data(as_text=True), (name, bad)
            assert (DataVersion.current(), AuditLog.select().count()) == before
    # New rows too.
    response = client.post("/items/", headers={"HX-Request": "true"},
                           data={"new-item_name": "a\x00b", "new-sub_item_name": "x", "new-item_type": "行政许可",
                                 "new-inclusion": rules.PENDING})
    assert response.status_code == 422 and CONTROL_MESSAGE in response.get_data(as_text=True)


def test_an_htmx_save_says_so_in_the_swapped_answer(login, world):
    """The row form of the list is saved by htmx: the notice comes with the swapped row, out of band."""
    item = World().item(world.gaj, "测试事项", inclusion=rules.PENDING)
    client = login("gaj")
    data = {f"i{item.id}-{k}": v for k, v in {
        "item_name": "测试事项\u202e", "sub_item_name": item.sub_item_name, "item_type": item.item_type,
        "inclusion": item.inclusion, "officer_id": "", "mode": "", "reason": "", "reason_note": ""}.items()}
    response = client.put(f"/items/{item.id}/row", headers={"HX-Request": "true"}, data=data)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="messages"' in body and 'hx-swap-oob="true"' in body and "不可见方向控制字符" in body
    assert ServiceItem.get_by_id(item.id).item_name == "测试事项"
    # Said once: the next page has no leftover flash.
    assert "不可见方向控制字符" not in client.get("/items/").get_data(as_text=True)


# --- the import of Excel rows --------------------------------------------------------------------


def _workbook(rows) -> bytes:
    # xlsxwriter, as Excel does, keeps C1 characters and DEL in the file (openpyxl would refuse them).
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True})
    ws = wb.add_worksheet()
    for n, row in enumerate([["序号", "实施部门", "事项名称", "办理项名称", "事项类型", "是否纳入", "首席服务员", "未纳入原因"],
                             *rows]):
        for col, value in enumerate(row):
            ws.write_string(n, col, str(value)) if isinstance(value, str) else ws.write(n, col, value)
    wb.close()
    return out.getvalue()


def test_an_imported_cell_with_a_control_character_is_refused_by_line():
    from portal.files import imports
    data = _workbook([[1, "", "旅馆业\x85许可", "办理项", "行政许可", "否", "", "涉密：说明"],
                      [2, "", "旅馆业许可", "办理\x7f项", "行政许可", "否", "", "涉密：说明"]])
    rows = imports.read_workbook(data, 100)
    plan = imports.plan(rows, department_name="公安局", short_name="公安", officers=[], existing={})
    assert [(e.line, e.column, e.message) for e in plan.errors] == [(2, "事项名称", CONTROL_MESSAGE),
                                                                    (3, "办理项名称", CONTROL_MESSAGE)]


def test_an_imported_cell_loses_its_bidi_marks_and_the_import_says_so():
    from portal.files import imports
    data = _workbook([[1, "", "\u202e事项名称", "办理项\u200f", "行政许可", "否", "", "涉密：说明"]])
    plan = imports.plan(imports.read_workbook(data, 100), department_name="公安局", short_name="公安",
                        officers=[], existing={})
    assert plan.ok, plan.errors
    assert plan.rows[0]["fields"]["item_name"] == "事项名称" and plan.rows[0]["fields"]["sub_item_name"] == "办理项"
    assert plan.bidi_lines == [2]
    from portal.items.service import import_messages
    messages = import_messages({"created": 1, "updated": 0, "unchanged": 0}, plan)
    assert any("第2行" in text and "方向控制字符" in text for _, text in messages)


# --- flask check-text ----------------------------------------------------------------------------


def test_check_text_lists_and_cleans_stored_records_with_an_audit_entry(app, runner, world):
    item = World().item(world.gaj, "测试事项", inclusion=rules.PENDING)
    World().item(world.gaj, "另一事项", inclusion=rules.PENDING)
    with write() as w:
        # BEL, not NUL: PostgreSQL cannot store NUL at all, and the check must run on both databases
        w.update(item, item_name="\u202e反转名称", materials="一、申请书\x07\r\n二、证明")
    clean = ServiceItem.select().where(ServiceItem.id != item.id).count()
    result = runner.invoke(args=["check-text"])
    assert result.exit_code == 1, result.output
    assert f"service_item #{item.id}" in result.output and "item_name" in result.output and "materials" in result.output
    assert "U+202E" in result.output and "U+0007" in result.output
    assert ServiceItem.get_by_id(item.id).item_name == "\u202e反转名称"  # listing changes nothing
    entries = AuditLog.select().count()
    result = runner.invoke(args=["check-text", "--fix"])
    assert result.exit_code == 0, result.output
    assert "已清理 1 条记录" in result.output
    fixed = ServiceItem.get_by_id(item.id)
    assert fixed.item_name == "反转名称" and fixed.materials == "一、申请书\n二、证明"
    assert AuditLog.select().count() == entries + 1
    entry = AuditLog.select().order_by(AuditLog.id.desc()).get()
    assert entry.action == "check_text" and entry.record_id == item.id and clean > 0
    result = runner.invoke(args=["check-text"])
    assert result.exit_code == 0 and "没有" in result.output
