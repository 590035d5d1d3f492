"""The import's fast paths give what the slower general ones gave:

- reading: imports.load_workbook + sheet_values yield, cell for cell, what openpyxl's read-only
  iter_rows(values_only=True) yields, on every kind of cell, sheet layout and hand-made oddity, and
  refuse XML entity declarations in the parts they parse themselves (openpyxl refuses them through
  defusedxml);
- writing: Writer.create_rows and Writer.update_many write the same records and the same audit entries
  as create_many and update, and an import still logs one entry per created or changed item."""
from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import openpyxl
import pytest
import xlsxwriter
from peewee import fn

from portal.files import imports
from portal.audit import write
from portal.models import AuditLog, Department, ServiceItem, User
from portal.uploads import EntityGuard, UploadError
from tests.test_import_export import GOOD_ROWS, template_xlsx, upload
from tests.test_items import make_officer
from tests.test_upload_bombs import _replace_parts, laughs

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def typed(rows) -> list[tuple]:
    """Rows with each value's type beside it: True == 1 and 1.0 == 1, but a cell read as the other is not
    read the same."""
    return [tuple((type(v).__name__, v) for v in row) for row in rows]


def openpyxl_rows(data: bytes) -> list[tuple[str, list[tuple]]]:
    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        return [(sheet.title, typed(sheet.iter_rows(values_only=True))) for sheet in wb.worksheets]
    finally:
        wb.close()


def fast_rows(data: bytes) -> list[tuple[str, list[tuple]]]:
    wb = imports.load_workbook(data)
    try:
        return [(sheet.title, typed(imports.sheet_values(wb, sheet))) for sheet in wb.worksheets]
    finally:
        wb.close()


def xlsxwriter_book(**options) -> bytes:
    """Every kind of cell xlsxwriter writes, with gaps, formats, formulas' cached results, a rich string,
    a hidden sheet and a chart sheet (which is not a worksheet)."""
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True, **options})
    day = wb.add_format({"num_format": "yyyy-mm-dd"})
    clock = wb.add_format({"num_format": "hh:mm"})
    duration = wb.add_format({"num_format": "[h]:mm:ss"})
    bold = wb.add_format({"bold": True})
    ws = wb.add_worksheet("附件1")
    ws.write_row(0, 0, ["序号", "事项名称", "  前后空格 ", "多\n行", "x005F_转义", ""])
    ws.write_row(1, 0, [1, 2.5, 3.0, -7, 12345678901234567890, 1e-7, True, False])
    ws.write_datetime(2, 0, dt.datetime(2026, 8, 10, 9, 30), day)
    ws.write_datetime(2, 1, dt.datetime(1899, 12, 31, 14, 15), clock)
    ws.write_number(2, 2, 1.5, duration)
    ws.write_number(2, 3, 10 ** 10, day)  # a serial no date can have: an error cell
    ws.write_number(2, 4, 45000, day)
    ws.write_formula(3, 0, "=1+1", None, 2)
    ws.write_formula(3, 1, '="a"&"b"', None, "ab")
    ws.write_formula(3, 2, "=NA()", None, "#N/A")
    ws.write_formula(3, 3, "=TRUE()", None, True)
    ws.write_formula(3, 4, "=B2*2", None)  # no cached result
    ws.write_rich_string(4, 1, "富", bold, "文本", "段落")
    ws.write_blank(4, 3, None, bold)
    ws.write(6, 2, "跳过一行之后")  # rows 6 and 8 are missing, and cells between
    ws.write(8, 5, "=LEN(A1)")  # a formula without a cached result: xlsxwriter writes 0
    ws.write_string(9, 0, "'=1+2")
    chart = wb.add_chart({"type": "column"})
    chart.add_series({"values": "=附件1!$A$2:$D$2"})
    wb.add_chartsheet("图表").set_chart(chart)
    hidden = wb.add_worksheet("隐藏")
    hidden.write_row(0, 0, ["事项名称", "办理项名称"])
    hidden.hide()
    wb.close()
    return buffer.getvalue()


def openpyxl_book() -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["文本", 1, 2.25, True, dt.date(2026, 11, 26), dt.datetime(2026, 11, 26, 8, 1, 2), dt.time(7, 30)])
    ws.append([])
    ws.append(["=SUM(B1:C1)", None, "末尾"])
    ws["H10"] = "远处的格"
    wb.create_sheet("第二张").append(["事项名称", "办理项名称", 3])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def handmade(sheet_data: str, strings: list[str], dimension: str | None = None) -> bytes:
    """An openpyxl workbook whose first sheet and shared strings are replaced by hand-written XML."""
    dimension_xml = f'<dimension ref="{dimension}"/>' if dimension else ""
    sheet = (f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{NS}">{dimension_xml}'
             f"<sheetData>{sheet_data}</sheetData></worksheet>")
    table = (f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{NS}" count="{len(strings)}" '
             f'uniqueCount="{len(strings)}">{"".join(strings)}</sst>')
    buffer = io.BytesIO()
    openpyxl.Workbook().save(buffer)
    data = buffer.getvalue()
    types = zipfile.ZipFile(io.BytesIO(data)).read("[Content_Types].xml").decode()
    if "sharedStrings" not in types:  # (openpyxl leaves the part out of a workbook without text)
        types = types.replace("</Types>", '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                              'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
    return _replace_parts(data, {"xl/worksheets/sheet1.xml": sheet.encode(), "xl/sharedStrings.xml": table.encode(),
                                 "[Content_Types].xml": types.encode()})


STRINGS = [
    "<si><t>普通</t></si>",
    '<si><t xml:space="preserve">  留空格  </t></si>',
    "<si><r><t>富</t></r><r><rPr><b/></rPr><t>文本</t></r></si>",
    "<si><t>有注音</t><rPh sb=\"0\" eb=\"1\"><t>ヨミ</t></rPh></si>",
    "<si><t/></si>",
    "<si/>",
    "<si><t>a_x005F_b</t></si>",
    "<si><t>&lt;&amp;&gt;</t></si>",
]

HANDMADE = {
    # Cells and rows without their r attributes: counted along.
    "no references": ('<row><c t="s"><v>0</v></c><c><v>5</v></c></row><row><c t="s"><v>2</v></c></row>', None),
    # Out of order, repeated and missing rows; cells out of order; a row number written as 3.0.
    "odd order": ('<row r="2"><c r="C2" t="s"><v>1</v></c><c r="A2" t="s"><v>3</v></c></row>'
                  '<row r="2"><c r="A2"><v>9</v></c></row><row r="1"><c r="A1"><v>8</v></c></row>'
                  '<row r="3.0"><c r="B3" t="b"><v>1</v></c><c r="D3" t="s"><v>4</v></c></row>'
                  '<row r="6"><c r="A6" t="s"><v>5</v></c><c r="B6" t="s"><v>6</v></c>'
                  '<c r="C6" t="s"><v>7</v></c></row>', "A1:D6"),
    # A dimension smaller than the data: openpyxl cuts the rows and cells to it.
    "small dimension": ('<row r="1"><c r="A1" t="s"><v>0</v></c><c r="D1"><v>1</v></c></row>'
                        '<row r="5"><c r="A5"><v>2</v></c></row>', "A1:B3"),
    # Inline strings (rich and phonetic too), an empty value, an error, text and ISO date cells.
    "inline and the rest": ('<row r="1"><c r="A1" t="inlineStr"><is><t>行内</t></is></c>'
                            '<c r="B1" t="inlineStr"><is><r><t>一</t></r><r><t>二</t></r>'
                            '<rPh sb="0" eb="1"><t>x</t></rPh></is></c>'
                            '<c r="C1" t="inlineStr"/><c r="D1"><v></v></c><c r="E1" t="e"><v>#REF!</v></c>'
                            '<c r="F1" t="str"><v>公式文本</v></c><c r="G1" t="d"><v>2026-08-10T09:30:00</v></c>'
                            '<c r="H1" s="0"><v>1E3</v></c><c r="I1"><v>007</v></c></row>', "A1:I1"),
}


@pytest.mark.parametrize("data", [
    pytest.param(lambda: xlsxwriter_book(), id="xlsxwriter"),
    pytest.param(lambda: xlsxwriter_book(date_1904=True), id="xlsxwriter-1904"),
    pytest.param(openpyxl_book, id="openpyxl"),
    pytest.param(template_xlsx, id="template"),
    *[pytest.param(lambda xml=xml, dim=dim: handmade(xml, STRINGS, dim), id=name)
      for name, (xml, dim) in HANDMADE.items()],
])
def test_sheets_read_as_openpyxl_reads_them(data):
    data = data()
    expected = openpyxl_rows(data)
    assert any(rows for _, rows in expected)
    assert fast_rows(data) == expected


@pytest.mark.parametrize("ref", ["A1", "AB12", "ab12", "XFD1048576", "A12 ", "A1_2", "A 12", "12", "AB", "Ａ1",
                                 "A١2", "A1B2", "AAAA1", "$A$1"])
def test_a_cell_reference_gives_the_column_openpyxl_gives(ref):
    from openpyxl.utils.cell import coordinate_to_tuple

    def column(find):
        try:
            return find(ref)
        except ValueError:
            return "refused"

    assert column(imports._column) == column(lambda r: coordinate_to_tuple(r)[1])


def test_the_export_reads_back_as_openpyxl_reads_it(login, world):
    world.item(world.gaj, "=1+2", "-减", item_type="其他行政权力", inclusion="待定")
    world.item(world.gaj, "公务用枪持枪证件核发", inclusion="未纳入", reason="涉及重大公共安全", reason_note="须经集体研究：局党委")
    data = login("gaj").get("/items/export").data
    assert fast_rows(data) == openpyxl_rows(data)


def test_entity_declarations_are_refused_in_the_parts_read_here():
    """The shared strings and the sheet are parsed without defusedxml: a declaration is refused as the
    part is read, even one too small for the parser's own limits to stop."""
    table = (f'<?xml version="1.0" encoding="UTF-8"?>{laughs("sst", levels=2)}<sst xmlns="{NS}" count="1" '
             'uniqueCount="1"><si><t>&lol2;</t></si></sst>')
    data = _replace_parts(handmade('<row r="1"><c r="A1" t="s"><v>0</v></c></row>', STRINGS),
                          {"xl/sharedStrings.xml": table.encode()})
    with pytest.raises(imports.FileRefused):
        imports.read_workbook(data, 100)


def test_the_guard_finds_a_declaration_split_between_two_reads():
    stream = io.BytesIO(b"<?xml version='1.0'?>" + b" " * 100 + b"<!DOCTYPE x [<!ENTITY a 'b'>]><x/>")
    guard = EntityGuard(stream)
    with pytest.raises(UploadError):
        while guard.read(125):  # "<!DOC" ends the first read, "TYPE" begins the second
            pass
    plain = EntityGuard(io.BytesIO(b"<x>DOCTYPE ENTITY</x>"))
    assert plain.read(4) + plain.read() == b"<x>DOCTYPE ENTITY</x>"


# --- writing ---------------------------------------------------------------------------------------


def _entries(table, ids):
    return {e.record_id: e for e in AuditLog.select().where((AuditLog.table == table) & AuditLog.record_id.in_(ids))}


def test_create_rows_writes_and_logs_as_create_many(app, world):
    at = dt.datetime(2026, 11, 26, 9, 30)
    officer = make_officer(world.gaj, "李四")
    rows = [{"seq": 1, "item_name": "事项甲", "sub_item_name": "办理项甲", "item_type": "行政许可", "inclusion": "纳入",
             "officer": officer.id, "mode": "终审", "reason": None, "reason_note": ""},
            {"seq": 7, "item_name": "事项乙", "sub_item_name": "办理项乙", "item_type": "公共服务", "inclusion": "未纳入",
             "officer": None, "mode": None, "reason": "涉密", "reason_note": "涉及国家秘密"}]
    user = User.get(User.username == "gaj")
    with write(user) as w:
        ids = w.create_rows(ServiceItem, rows, common={"department": world.gaj, "created_at": at, "updated_at": at})
    with write(user) as w:
        twins = w.create_many(ServiceItem, [dict(row, department=world.fgj, created_at=at, updated_at=at)
                                            for row in rows])
    assert len(ids) == 2 and ids == sorted(ids)
    fast, slow = _entries("service_item", ids), _entries("service_item", [t.id for t in twins])
    for new_id, twin in zip(ids, twins):
        item = ServiceItem.get_by_id(new_id)
        assert item.department_id == world.gaj.id and item.created_at == at and not item.retired
        mine, theirs = fast[new_id], slow[twin.id]
        # The same entry but for the record's id and department: same keys in the same order, same text.
        assert mine.after == theirs.after.replace(f'"id": {twin.id}, "department": {world.fgj.id},',
                                                  f'"id": {new_id}, "department": {world.gaj.id},')
        assert json.loads(mine.after) == item.snapshot()
        assert (mine.action, mine.before, mine.username, mine.user_id, mine.department_id) == (
            "create", None, "gaj", user.id, world.gaj.id)
        assert mine.address == theirs.address


def test_create_rows_fills_defaults_per_record_and_wants_the_same_fields_in_every_row(app, world):
    with write(username="test") as w:
        with pytest.raises(ValueError):
            w.create_rows(Department, [{"code": "a", "name": "甲"}, {"code": "b"}])
        assert w.create_rows(Department, []) == []
        ids = w.create_rows(Department, [{"code": "a", "name": "甲局"}, {"code": "b", "name": "乙局"}])
    created = [Department.get_by_id(i) for i in ids]
    assert [(d.code, d.short_name, d.active, d.sort_order) for d in created] == [("a", "", True, 0), ("b", "", True, 0)]
    assert all(d.created_at is not None for d in created)  # a callable default, called for each record
    entries = _entries("department", ids)
    assert [json.loads(entries[d.id].after) for d in created] == [d.snapshot() for d in created]
    assert all(entries[i].department_id is None and entries[i].username == "test" for i in ids)


def test_update_many_changes_and_logs_as_update(app, world):
    at = dt.datetime(2026, 1, 2, 3, 4)  # not the time of the items' creation
    one = world.item(world.gaj, "事项甲", inclusion="待定")
    two = world.item(world.gaj, "事项乙", inclusion="待定")
    same = world.item(world.gaj, "事项丙", inclusion="待定")
    change = {"inclusion": "未纳入", "reason": "其他", "reason_note": "省级尚未下放", "updated_at": at}
    with write(username="test") as w:
        w.update(one, **change)
    with write(username="test") as w:
        assert w.update_many([(two, dict(change)), (same, {"inclusion": "待定"})]) == 1
    assert AuditLog.for_record("service_item", same.id).count() == 1  # its creation only
    slow = AuditLog.for_record("service_item", one.id).first()
    fast = AuditLog.for_record("service_item", two.id).first()
    assert (fast.action, fast.department_id, fast.username) == (slow.action, slow.department_id, slow.username)
    assert json.loads(fast.before) == json.loads(slow.before) and json.loads(fast.after) == json.loads(slow.after)
    assert set(json.loads(fast.after)) == {"inclusion", "reason", "reason_note", "updated_at"}
    fresh_one, fresh_two = ServiceItem.get_by_id(one.id), ServiceItem.get_by_id(two.id)
    assert [getattr(fresh_two, k) for k in change] == [getattr(fresh_one, k) for k in change]
    assert not two.is_dirty()


def test_an_import_logs_one_entry_per_created_or_changed_item(login, world):
    kept = world.item(world.gaj, "禁毒宣传", item_type="公共服务", inclusion="待定", updated_at=dt.datetime(2026, 1, 5, 8))
    unchanged = world.item(world.gaj, "户口迁移", "户口迁入（投靠）", item_type="行政确认", inclusion="纳入")
    last = AuditLog.select(fn.MAX(AuditLog.id)).scalar()
    rows = [list(r) if r else None for r in GOOD_ROWS]
    rows[5][5], rows[5][7] = "未纳入", "其他：省级尚未下放"  # 禁毒宣传: 待定 → 未纳入
    response = upload(login("gaj"), template_xlsx(rows))
    assert response.status_code == 302
    entries = list(AuditLog.select().where((AuditLog.id > last) & (AuditLog.table == "service_item"))
                   .order_by(AuditLog.id))
    created = [e for e in entries if e.action == "create"]
    updated = [e for e in entries if e.action == "update"]
    new_items = ServiceItem.select().where((ServiceItem.department == world.gaj)
                                           & ServiceItem.id.not_in([kept.id, unchanged.id]))
    assert sorted(e.record_id for e in created) == sorted(i.id for i in new_items) and len(created) == 3
    for entry in created:
        assert json.loads(entry.after) == ServiceItem.get_by_id(entry.record_id).snapshot() and entry.before is None
    assert [e.record_id for e in updated] == [kept.id]
    # The row's 序号 (5 in the file) and its inclusion changed: those fields only, before and after.
    assert json.loads(updated[0].before) == {"seq": 1, "inclusion": "待定", "reason": None, "reason_note": "",
                                             "updated_at": "2026-01-05T08:00:00"}
    after = json.loads(updated[0].after)
    assert after.keys() == json.loads(updated[0].before).keys()
    assert (after["seq"], after["inclusion"], after["reason"], after["reason_note"]) == (5, "未纳入", "其他", "省级尚未下放")
    assert len(entries) == 4  # nothing for the unchanged row
