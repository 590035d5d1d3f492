"""Attachment 1 in and out: import of a workbook laid out like the template (and every way one can be
wrong), the export read back cell by cell, formulas kept as text, and the round trip."""
from __future__ import annotations

import io
import zipfile
from urllib.parse import unquote

import openpyxl
import pytest
import xlsxwriter

from portal.files.attachment1 import HEADER, NOTE, TITLE
from portal.models import ItemList, ServiceItem
from tests.test_items import items_state, make_officer, switch

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The header as departments' own copies of the template have it: line breaks, spaces and a full-width
# bracketed note inside cells.
TEMPLATE_HEADER = ["序 号", "实施部门", "事项名称", "办理项\n名称", "事项类型", "是否纳入首席\n服务员审批服务清单",
                   "首席服务员", "未纳入原因（涉密、涉及重大公共安全或公民生命财产安全）"]
GOOD_ROWS = [
    [1, "赤壁市公安局", "保安服务公司设立许可", "保安服务公司设立许可", "行政许可", "纳入", "", ""],
    [2, "赤壁市公安局", "户口迁移", "户口迁入(投靠)", "行政确认", "纳入", "", ""],
    None,  # a blank row between data rows
    [3, "赤壁市公安局", "焰火晚会烟花爆竹燃放许可", "焰火晚会烟花爆竹燃放许可", "行政许可", "未纳入", "", "涉及重大公共安全：须经集体研究审批"],
    [4, "赤壁市公安局", "对举报违法犯罪有功人员的奖励", "对举报违法犯罪有功人员的奖励", "行政奖励", "未纳入", "", "涉密（涉及举报人信息保密）"],
    [5, "赤壁市公安局", "禁毒宣传", "禁毒宣传", "公共服务", "待定", "", ""],
]


def template_xlsx(rows=GOOD_ROWS, header=TEMPLATE_HEADER, unit="赤壁市公安局") -> bytes:
    """A workbook laid out exactly like the attachment-1 template."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "附件1"
    ws.append(["附件1"])
    ws.append([TITLE])
    ws.merge_cells("A2:H2")
    ws.append([f"填报单位（盖章）：{unit}", None, None, None, None, "填报时间：2026年8月1日"])
    ws.append([])
    ws.append(header)
    for row in rows:
        ws.append(row or [])
    ws.append([])
    ws.append([NOTE])
    ws.append([])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def upload(client, data: bytes, name="清单.xlsx"):
    """Post the file as the browser does. The body is encoded here because werkzeug's test client spools a
    large one to a temporary file that it never closes (a ResourceWarning, an error under our settings)."""
    boundary = "----portal-test-boundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
            f"Content-Type: {XLSX}\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return client.post("/items/import", data=body, content_type=f"multipart/form-data; boundary={boundary}")


def read_back(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data)).active


def snapshot(dept):
    return [(i.seq, i.item_name, i.sub_item_name, i.item_type, i.inclusion, i.officer_id, i.mode, i.reason, i.reason_note)
            for i in ServiceItem.for_department(dept)]


# --- import ----------------------------------------------------------------------------------------


def test_import_of_the_template_layout(login, world):
    client = login("gaj")
    response = upload(client, template_xlsx())
    assert response.status_code == 302, response.get_data(as_text=True)
    assert snapshot(world.gaj) == [
        (1, "保安服务公司设立许可", "保安服务公司设立许可", "行政许可", "纳入", None, "终审", None, ""),
        (2, "户口迁移", "户口迁入（投靠）", "行政确认", "纳入", None, "终审", None, ""),
        (3, "焰火晚会烟花爆竹燃放许可", "焰火晚会烟花爆竹燃放许可", "行政许可", "未纳入", None, None, "涉及重大公共安全", "须经集体研究审批"),
        (4, "对举报违法犯罪有功人员的奖励", "对举报违法犯罪有功人员的奖励", "行政奖励", "未纳入", None, None, "涉密", "涉及举报人信息保密"),
        (5, "禁毒宣传", "禁毒宣传", "公共服务", "待定", None, None, None, ""),
    ]
    html = client.get("/items/").get_data(as_text=True)
    assert "导入完成：5项变化（新增5项" in html and "保持原样" in html
    assert "已按“终审”导入" in html  # the template has no mode: say what was assumed


def test_reimport_updates_instead_of_duplicating_and_leaves_other_items(login, world):
    kept = world.item(world.gaj, "机动车登记", "机动车注册登记")
    client = login("gaj")
    upload(client, template_xlsx())
    rows = [list(r) if r else None for r in GOOD_ROWS]
    rows[4][5], rows[4][7] = "未纳入", "其他：省级尚未下放"
    response = upload(client, template_xlsx(rows))
    assert response.status_code == 302
    assert ServiceItem.select().where(ServiceItem.department == world.gaj).count() == 6
    changed = ServiceItem.get(ServiceItem.item_name == "对举报违法犯罪有功人员的奖励")
    assert (changed.reason, changed.reason_note) == ("其他", "省级尚未下放")
    assert not ServiceItem.get_by_id(kept.id).retired
    assert "更新1项，4项无变化" in client.get("/items/").get_data(as_text=True)


def test_import_matches_officers_by_name_with_their_mode(login, world):
    officer = make_officer(world.gaj, "李四")
    rows = [[1, "赤壁市公安局", "保安服务公司设立许可", "保安服务公司设立许可", "行政许可", "纳入", "李四（初审）", ""],
            [2, "公安局", "旅馆业特种行业许可证核发", "旅馆业特种行业许可证核发", "行政许可", "是", " 李 四 ", ""]]
    assert upload(login("gaj"), template_xlsx(rows)).status_code == 302
    assert [(i.officer_id, i.mode, i.inclusion) for i in ServiceItem.for_department(world.gaj)] == [
        (officer.id, "初审", "纳入"), (officer.id, "终审", "纳入")]


BAD_ROWS = [
    ([1, "赤壁市公安局", "", "保安服务公司设立许可", "行政许可", "纳入", "", ""], "事项名称", "请填写事项名称"),
    ([1, "赤壁市公安局", "保安服务公司设立许可", "", "行政许可", "纳入", "", ""], "办理项名称", "请填写办理项名称"),
    ([1, "赤壁市公安局", "保安服务公司设立许可", "保安服务公司设立许可", "行政处罚", "纳入", "", ""], "事项类型", "事项类型须为"),
    ([1, "赤壁市公安局", "保安服务公司设立许可", "保安服务公司设立许可", "行政许可", "可能", "", ""], "是否纳入", "是否纳入须为"),
    ([1, "赤壁市公安局", "保安服务公司设立许可", "保安服务公司设立许可", "行政许可", "未纳入", "", ""], "未纳入原因", "须选择原因"),
    ([1, "赤壁市公安局", "保安服务公司设立许可", "保安服务公司设立许可", "行政许可", "未纳入", "", "涉密"], "未纳入原因", "须说明具体原因"),
    ([1, "赤壁市公安局", "保安服务公司设立许可", "保安服务公司设立许可", "行政许可", "未纳入", "", "领导未同意"], "未纳入原因", "须以涉密"),
    ([1, "赤壁市公安局", "保安服务公司设立许可", "保安服务公司设立许可", "行政许可", "纳入", "王五", ""], "首席服务员", "「王五」不是本部门在任的首席服务员"),
    ([1, "赤壁市民政局", "保安服务公司设立许可", "保安服务公司设立许可", "行政许可", "纳入", "李四", ""], "实施部门", "不是本部门"),
    (["x", "赤壁市公安局", "长" * 201, "保安服务公司设立许可", "行政许可", "纳入", "李四", ""], "事项名称", "不能超过200个字"),
]


@pytest.mark.parametrize("bad, column, message", BAD_ROWS)
def test_each_kind_of_bad_row_is_listed_and_nothing_is_imported(login, world, bad, column, message):
    make_officer(world.gaj, "李四")
    world.item(world.gaj, "机动车登记", "机动车注册登记")
    good = [1, "赤壁市公安局", "旅馆业特种行业许可证核发", "旅馆业特种行业许可证核发", "行政许可", "纳入", "李四", ""]
    before = items_state(world.gaj)
    response = upload(login("gaj"), template_xlsx([good, None, bad]))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "未导入任何数据" in html
    # Row 8 of the sheet: title rows, header on row 5, the good row 6, a blank row 7.
    assert f"<td class=\"num\">第8行</td><td>{column}</td>" in html and message in html
    assert items_state(world.gaj) == before


def test_a_duplicate_row_in_the_file_names_the_first(login, world):
    row = [1, "赤壁市公安局", "禁毒宣传", "禁毒宣传", "公共服务", "待定", "", ""]
    response = upload(login("gaj"), template_xlsx([row, row]))
    assert response.status_code == 422 and "与第6行的事项名称、办理项名称相同" in response.get_data(as_text=True)
    assert ServiceItem.select().count() == 0


def test_every_bad_row_is_reported_at_once(login, world):
    rows = [r for r, _, _ in BAD_ROWS[:4]]  # the last two rows share their names, and the last is bad twice
    html = upload(login("gaj"), template_xlsx(rows)).get_data(as_text=True)
    assert "有 5 处问题" in html and html.count("第9行") == 2
    assert ServiceItem.select().count() == 0


def test_a_file_that_is_not_xlsx_is_refused(login, world):
    response = upload(login("gaj"), "序号,事项名称\n1,禁毒宣传\n".encode(), name="清单.xlsx")
    assert response.status_code == 422 and "这是 CSV 或文本文件" in response.get_data(as_text=True)
    assert ServiceItem.select().count() == 0


def test_no_file_and_a_wrong_extension_are_refused(login, world):
    client = login("gaj")
    none = client.post("/items/import", data={}, content_type="multipart/form-data")
    assert none.status_code == 422 and "请选择要上传的文件" in none.get_data(as_text=True)
    renamed = upload(client, template_xlsx(), name="清单.txt")
    assert renamed.status_code == 422 and "扩展名与内容不符" in renamed.get_data(as_text=True)
    assert ServiceItem.select().count() == 0


def test_a_file_over_the_size_limit_is_refused(app, login, world):
    app.config["UPLOAD_MAX_BYTES"] = 1024 * 1024
    response = upload(login("gaj"), b"PK\x03\x04" + b"x" * (1024 * 1024 + 10))
    assert response.status_code == 422 and "文件超过 1 MB 的大小限制" in response.get_data(as_text=True)
    assert ServiceItem.select().count() == 0


def test_a_zip_bomb_is_refused(login, world):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"0" * (300 * 1024 * 1024 // 10))  # 30 MB of zeros, ~30 KB packed
    response = upload(login("gaj"), buffer.getvalue())
    assert response.status_code == 422 and "压缩炸弹" in response.get_data(as_text=True)
    assert ServiceItem.select().count() == 0


def test_a_damaged_workbook_is_refused(login, world):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "not xml at all")
    response = upload(login("gaj"), buffer.getvalue())
    assert response.status_code == 422 and "无法读取该 Excel 文件" in response.get_data(as_text=True)


def test_a_workbook_without_the_attachment1_header_is_refused(login, world):
    wb = openpyxl.Workbook()
    wb.active.append(["姓名", "电话"])
    wb.active.append(["张三", "123"])
    buffer = io.BytesIO()
    wb.save(buffer)
    response = upload(login("gaj"), buffer.getvalue())
    assert response.status_code == 422 and "未找到附件1的表头" in response.get_data(as_text=True)


def test_a_header_missing_a_column_is_refused(login, world):
    header = TEMPLATE_HEADER[:6]  # no 首席服务员, no 未纳入原因
    response = upload(login("gaj"), template_xlsx([r[:6] for r in GOOD_ROWS if r], header=header))
    assert response.status_code == 422 and "表头缺少以下列：首席服务员、未纳入原因" in response.get_data(as_text=True)


def test_an_empty_template_is_refused(login, world):
    response = upload(login("gaj"), template_xlsx([]))
    assert response.status_code == 422 and "没有事项数据" in response.get_data(as_text=True)


def test_twenty_thousand_rows_are_refused_and_nothing_is_written(login, world):
    world.item(world.gaj, "机动车登记", "机动车注册登记")
    before = items_state(world.gaj)
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"constant_memory": True, "in_memory": True})
    ws = wb.add_worksheet()
    ws.write_row(0, 0, [TITLE])
    ws.write_row(1, 0, HEADER)
    for n in range(20000):
        ws.write_row(n + 2, 0, [n + 1, "赤壁市公安局", f"事项{n}", f"事项{n}", "行政许可", "待定", "", ""])
    wb.close()
    response = upload(login("gaj"), buffer.getvalue())
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "超过 5000 行" in html and "未导入任何数据" in html
    assert items_state(world.gaj) == before


# --- export --------------------------------------------------------------------------------------


def test_export_is_the_attachment1_layout_cell_by_cell(login, world):
    officer = make_officer(world.gaj, "李四")
    world.item(world.gaj, "保安服务公司设立许可", officer=officer)
    world.item(world.gaj, "公务用枪持枪证件核发", inclusion="未纳入", reason="涉及重大公共安全", reason_note="须集体研究")
    world.item(world.gaj, "禁毒宣传", item_type="公共服务", inclusion="待定")
    response = login("gaj").get("/items/export")
    assert response.status_code == 200 and response.mimetype == XLSX
    disposition = response.headers["Content-Disposition"]
    assert "filename*=UTF-8''" in disposition
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "赤壁市公安局-首席服务员审批服务事项清单-2026-11-26.xlsx"
    ws = read_back(response.data)
    assert ws["A1"].value == "附件1"
    assert ws["A2"].value == TITLE and "A2:H2" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["A3"].value == "填报单位：赤壁市公安局" and ws["F3"].value == "填报日期：2026年11月26日"
    assert [c.value for c in ws[4]] == list(HEADER)
    assert [[c.value for c in row] for row in ws.iter_rows(min_row=5, max_row=7)] == [
        [1, "赤壁市公安局", "保安服务公司设立许可", "保安服务公司设立许可", "行政许可", "纳入", "李四（终审）", None],
        [2, "赤壁市公安局", "公务用枪持枪证件核发", "公务用枪持枪证件核发", "行政许可", "未纳入", None, "涉及重大公共安全：须集体研究"],
        [3, "赤壁市公安局", "禁毒宣传", "禁毒宣传", "公共服务", "待定", None, None],
    ]
    assert all(c.value is None for c in ws[8])  # a blank row, then the template's note, as in the template
    assert ws["A9"].value == NOTE and "A9:H9" in {str(r) for r in ws.merged_cells.ranges} and ws.max_row == 9


def test_cells_beginning_with_formula_characters_stay_text(login, world):
    names = ["=SUM(1,2)", "+8613800000000", "-1", "@cmd"]
    for name in names:
        world.item(world.gaj, name, inclusion="未纳入", reason="其他", reason_note="=HYPERLINK(\"http://x\")")
    data = login("gaj").get("/items/export").data
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet  # no formula anywhere in the sheet
    ws = read_back(data)
    for row in ws.iter_rows(min_row=5, max_row=8):
        assert row[2].data_type == "s" and row[2].value.lstrip("'") in names
        assert row[7].data_type == "s"


def test_round_trip_export_then_import_gives_the_same_list(login, world):
    officer = make_officer(world.gaj, "李四")
    world.item(world.gaj, "保安服务公司设立许可", officer=officer, mode="初审")
    world.item(world.gaj, "户口迁移", "户口迁入（投靠）", item_type="行政确认", officer=officer)
    world.item(world.gaj, "公务用枪持枪证件核发", inclusion="未纳入", reason="涉及重大公共安全", reason_note="须经集体研究：局党委")
    world.item(world.gaj, "=1+2", "-减", item_type="其他行政权力", inclusion="待定")
    world.item(world.gaj, "@省级事项", "+1", inclusion="未纳入", reason="其他", reason_note="-（省级尚未下放）\n待下放后纳入")
    before = snapshot(world.gaj)
    client = login("gaj")
    data = client.get("/items/export").data
    # Re-imported as is: nothing changes, nothing is duplicated.
    assert upload(client, data, name="导出.xlsx").status_code == 302
    assert snapshot(world.gaj) == before
    assert "0项，更新0项，5项无变化" in client.get("/items/").get_data(as_text=True)
    # Into an empty list the same file gives back the same list.
    ServiceItem.delete().where(ServiceItem.department == world.gaj).execute()
    assert upload(client, data, name="导出.xlsx").status_code == 302
    assert snapshot(world.gaj) == before


def test_edit_in_excel_then_import(login, world):
    world.item(world.gaj, "禁毒宣传", item_type="公共服务", inclusion="待定")
    client = login("gaj")
    wb = openpyxl.load_workbook(io.BytesIO(client.get("/items/export").data))
    ws = wb.active
    ws["F5"] = "未纳入"
    ws["H5"] = "其他：不属于依申请事项"
    ws.insert_rows(6)
    ws["A6"], ws["B6"], ws["C6"], ws["D6"], ws["E6"], ws["F6"] = 2, "赤壁市公安局", "犬类准养证核发", "犬类准养证核发", "行政许可", "待定"
    buffer = io.BytesIO()
    wb.save(buffer)
    assert upload(client, buffer.getvalue()).status_code == 302
    assert [(i.item_name, i.inclusion, i.reason, i.reason_note) for i in ServiceItem.for_department(world.gaj)] == [
        ("禁毒宣传", "未纳入", "其他", "不属于依申请事项"), ("犬类准养证核发", "待定", None, "")]


def test_export_of_a_version_and_for_the_office(login, world):
    world.item(world.gaj, "保安服务公司设立许可")
    client = login("gaj")
    client.post("/items/submit")
    item_list = ItemList.get()
    world.item(world.gaj, "草稿中的新事项")
    ws = read_back(client.get(f"/items/export?version={item_list.id}").data)
    assert [c.value for c in ws[5]][2] == "保安服务公司设立许可" and ws["A7"].value == NOTE
    switch(client, "office")
    response = client.get("/items/export?dept=gaj")
    assert response.status_code == 200 and read_back(response.data)["C6"].value == "草稿中的新事项"
    assert client.get("/items/export").status_code == 404  # the office names the department


def test_city_export_holds_every_departments_latest_approved_list(login, world):
    world.item(world.gaj, "保安服务公司设立许可")
    world.item(world.fgj, "企业投资项目核准")
    client = login("gaj")
    client.post("/items/submit")
    switch(client, "office")
    client.post(f"/items/review/{ItemList.get().id}/approve", data={"confirm_unauthorised": "1"})
    switch(client, "gaj")
    world.item(world.gaj, "犬类准养证核发")
    client.post("/items/submit")
    switch(client, "fgj")
    client.post("/items/submit")  # waiting: not in the city export
    switch(client, "office")
    client.post(f"/items/review/{ItemList.get(ItemList.revision == 2).id}/approve")
    response = client.get("/items/export/city")
    assert "全市汇总" in unquote(response.headers["Content-Disposition"])
    ws = read_back(response.data)
    assert [c.value for c in ws[4]] == list(HEADER) and ws["A1"].value == "附件1" and ws["A2"].value == TITLE
    assert ws.cell(ws.max_row, 1).value == NOTE
    rows = [[c.value for c in row][:3] for row in ws.iter_rows(min_row=5, max_row=ws.max_row - 2)]
    assert rows == [[1, "赤壁市公安局", "保安服务公司设立许可"], [2, "赤壁市公安局", "犬类准养证核发"]]
    switch(client, "leader")
    assert client.get("/items/export/city").status_code == 200
    switch(client, "gaj")
    assert client.get("/items/export/city").status_code == 403


# --- the cell formats shared by export and import, as plain functions ---------------------------------


@pytest.mark.parametrize("cell, key", [
    ("序 号", "seq"), ("事项\n名称", "item_name"), (" 办理项名称 ", "sub_item_name"), ("事项类型", "item_type"),
    ("是否纳入首席\n服务员审批服务清单", "inclusion"), ("首席服务员（姓名）", "officer"), ("首席服务员(姓名)", "officer"),
    ("未纳入原因【涉密等】", "reason"), ("实施部门", "department"), ("备注", None), (None, None), ("", None),
])
def test_header_cells_are_recognised_however_typed(cell, key):
    from portal.files.imports import header_key

    assert header_key(cell) == key


@pytest.mark.parametrize("cell, expected", [
    ("涉密：涉及国家秘密", ("涉密", "涉及国家秘密")),
    ("涉密:涉及国家秘密", ("涉密", "涉及国家秘密")),
    ("涉密（涉及国家秘密）", ("涉密", "涉及国家秘密")),
    ("其他：-（省级尚未下放）\n待下放后纳入", ("其他", "-（省级尚未下放）\n待下放后纳入")),
    ("涉及公民生命财产安全", ("涉及公民生命财产安全", "")),
    ("领导未同意", (None, "领导未同意")),
    ("", (None, "")), (None, (None, "")),
])
def test_reason_cell_reads_back_what_the_export_writes(cell, expected):
    from portal.files.attachment1 import parse_reason_cell, reason_cell

    assert parse_reason_cell(cell) == expected
    if expected[0]:
        assert parse_reason_cell(reason_cell("未纳入", *expected)) == expected


@pytest.mark.parametrize("cell, expected", [
    ("张三（终审）", ("张三", "终审")), ("张 三(初审)", ("张三", "初审")), ("张三/初审", ("张三", "初审")),
    ("张三", ("张三", None)), ("未指定（终审）", ("", "终审")), ("终审", ("", "终审")), ("", ("", None)),
])
def test_officer_cell_reads_back_what_the_export_writes(cell, expected):
    from portal.files.attachment1 import officer_cell, parse_officer_cell

    assert parse_officer_cell(cell) == expected
    assert parse_officer_cell(officer_cell("纳入", expected[0], expected[1])) == expected
    assert officer_cell("未纳入", "张三", "终审") == ""


def test_formula_guard_is_dropped_on_import():
    from portal.files.imports import cell_text

    assert [cell_text(v) for v in ("'=1+2", "'+86", "'-1", "'@x", "'普通", 3.0, 2.5, None)] == [
        "=1+2", "+86", "-1", "@x", "'普通", "3", "2.5", ""]


def test_the_streamed_city_export_has_the_cells_an_in_memory_one_would_have(app, login, world):
    """A city export larger than EXPORT_STREAM_ROWS streams rows as the cursor gives them; the same rows
    in memory give the same cells (officer and reason cells, formula-like text, empty cells included).
    At or below the limit the workbook is built in memory (shared strings)."""
    import datetime as dt

    from portal.files import attachment1
    from portal.items import service

    officer = make_officer(world.gaj, "张三")
    world.item(world.gaj, "事项甲", officer=officer, mode="初审")
    world.item(world.gaj, "事项乙", sub="=1+1")
    world.item(world.gaj, "事项丙", inclusion="未纳入", reason="涉密", reason_note="涉及国家秘密")
    client = login("gaj")
    client.post("/items/submit")
    switch(client, "office")
    client.post(f"/items/review/{ItemList.get().id}/approve", data={"confirm_unauthorised": "1"})

    app.config["EXPORT_STREAM_ROWS"] = 3
    assert "xl/sharedStrings.xml" in zipfile.ZipFile(io.BytesIO(client.get("/items/export/city").data)).namelist()
    app.config["EXPORT_STREAM_ROWS"] = 2
    data = client.get("/items/export/city").data
    assert "xl/sharedStrings.xml" not in zipfile.ZipFile(io.BytesIO(data)).namelist()  # streamed: strings inline
    streamed = [[c.value for c in row] for row in read_back(data).iter_rows()]
    with app.app_context():
        in_memory = attachment1.build(list(service.city_rows()), day=dt.date(2026, 11, 26), city=True)
    assert streamed == [[c.value for c in row] for row in read_back(in_memory).iter_rows()]
    assert streamed[4][1:] == ["赤壁市公安局", "事项甲", "事项甲", "行政许可", "纳入", "张三（初审）", None]
    assert streamed[5][3] == "=1+1" and streamed[6][7] == "涉密：涉及国家秘密"  # text, never a formula


@pytest.mark.parametrize("data, name", [
    # The first bytes of every OLE2 compound file: a .xls saved by Excel 2003 or WPS, or an .xlsx with
    # an opening password (Excel keeps those in the same container).
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504, "清单.xls"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504, "清单.xlsx"),
])
def test_an_old_excel_or_protected_file_is_refused_with_what_to_do(login, world, data, name):
    response = upload(login("gaj"), data, name=name)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "旧版 Office 格式" in html and "另存为”Excel 工作簿（.xlsx）" in html
    assert ServiceItem.select().count() == 0


def test_a_csv_saved_in_gbk_is_refused_with_what_to_do(login, world):
    response = upload(login("gaj"), "序号,事项名称\r\n1,禁毒宣传\r\n".encode("gbk"), name="清单.xlsx")
    assert response.status_code == 422 and "这是 CSV 或文本文件" in response.get_data(as_text=True)
