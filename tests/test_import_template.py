"""The plan's own attachment-1 template, filled in by hand the way clerks fill it, imports as it is; an
unchanged export imports back with 0 changes (for every department of the demo city); 序号 is one
number — an item's place in the current list — on the screen and in the export.

The workbooks are made here with openpyxl as a clerk makes them in Excel: the 附件1 row, a merged title
with （模板）, the 填报单位 line, a header whose 是否纳入 cell wraps (a line break in the cell), full-width
brackets, then a blank row and the template's note line word for word."""
from __future__ import annotations

import io

import openpyxl
import pytest
from openpyxl.styles import Alignment

from portal.files import imports
from portal.files.attachment1 import HEADER, NOTE, OLD_NOTE, TEMPLATE_TITLE, TITLE, parse_reason_cell
from portal.models import AuditLog, DataVersion, Department, ItemList, ServiceItem
from tests.conftest import make_app
from tests.test_import_export import read_back, upload
from tests.test_items import make_officer, switch

# The header as the template has it: 是否纳入 wraps onto a second line, a full-width bracketed note.
CLERK_HEADER = ["序号", "实施部门", "事项名称", "办理项名称", "事项类型", "是否纳入首席服务员\n审批服务清单", "首席服务员",
                "未纳入原因（涉密、涉及重大公共安全或公民生命财产安全的）"]
FIRST_DATA_LINE = 5  # 附件1, title, 填报单位, header


def clerk_sheet(ws, rows, *, unit="赤壁市公安局", title=TEMPLATE_TITLE, note=NOTE, header=CLERK_HEADER,
                second_header_row=None):
    """Fill one sheet the way a clerk fills the template; returns the sheet."""
    ws.append(["附件1"])
    ws.append([title])
    ws.merge_cells("A2:H2")
    ws["A2"].alignment = Alignment(horizontal="center")
    ws.append([f"填报单位（盖章）：{unit}" if unit is not None else "填报单位（盖章）：", None, None, None, None,
               "填报日期：2026年8月1日"])
    ws.append(header)
    for cell in ws[ws.max_row]:
        cell.alignment = Alignment(wrap_text=True)
    if second_header_row is not None:
        ws.append(second_header_row)
    for row in rows:
        ws.append(row or [])
    ws.append([])  # the template's blank row under the table
    ws.append([note])
    ws.merge_cells(f"A{ws.max_row}:H{ws.max_row}")
    return ws


def clerk_xlsx(rows, **options) -> bytes:
    wb = openpyxl.Workbook()
    clerk_sheet(wb.active, rows, **options)
    wb.active.title = "附件1"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def state(dept=None):
    """The data version, the audit log's and the items' row counts, and every item: what a refused or
    an unchanged import must leave as it was."""
    items = ServiceItem.select().order_by(ServiceItem.id)
    if dept is not None:
        items = items.where(ServiceItem.department == dept)
    return (DataVersion.current(), AuditLog.select().count(), ServiceItem.select().count(),
            ItemList.select().count(), [tuple(i.__data__.items()) for i in items])


def flashes(client) -> str:
    return client.get("/items/").get_data(as_text=True)


# --- the template as clerks fill it --------------------------------------------------------------------


FILLED = [
    [1, "赤壁市公安局", "保安服务公司设立许可", "保安服务公司设立许可", "行政许可", "是", "", ""],
    [2, "赤壁市公安局", "户口迁移", "户口迁入（投靠）", "行政确认", " 纳 入 ", "李四（初审）", ""],
    [3, "公安局", "第二类、第三类易制毒化 学品购买备案证明", "第二类、第三类易制毒化学品购买备案证明", "行政许可", "√", "", ""],
    [4, "赤壁市公安局", "焰火晚会烟花爆竹燃放许可", "焰火晚会烟花爆竹燃放许可", "行政许可", "否", "", "涉及重大公共安全，须经集体研究审批"],
    [5, "赤壁市公安局", "对举报违法犯罪有功人员的奖励", "对举报违法犯罪有功人员的奖励", "行政奖励", "×", "", "涉密 涉及举报人信息"],
    [6, "赤壁市公安局", "枪支持有许可", "公务用枪持枪证件核发", "行政许可", "N", "", "涉及公民生命财产安全:涉及枪支管理"],
    [7, "赤壁市公安局", "犬类准养证核发", "犬类准养证核发", "行政许可", "Ｙ", "", ""],
    [8, "赤壁市公安局", "禁毒宣传", "禁毒宣传", "公共服务", "", "", ""],
    [9, "赤壁市公安局", "旅馆业特种行业许可证核发", "旅馆业特种行业许可证核发", "行政许可", "未纳入", "", "其他：省级尚未下放"],
]


def test_the_template_filled_by_hand_imports_as_it_is(login, world):
    officer = make_officer(world.gaj, "李四")  # the department's one serving officer
    client = login("gaj")
    response = upload(client, clerk_xlsx(FILLED))
    assert response.status_code == 302, response.get_data(as_text=True)
    got = [(i.seq, i.item_name, i.inclusion, i.officer_id, i.mode, i.reason, i.reason_note)
           for i in ServiceItem.for_department(world.gaj)]
    assert got == [
        (1, "保安服务公司设立许可", "纳入", officer.id, "终审", None, ""),
        (2, "户口迁移", "纳入", officer.id, "初审", None, ""),
        (3, "第二类、第三类易制毒化 学品购买备案证明", "纳入", officer.id, "终审", None, ""),  # kept as typed
        (4, "焰火晚会烟花爆竹燃放许可", "未纳入", None, None, "涉及重大公共安全", "须经集体研究审批"),
        (5, "对举报违法犯罪有功人员的奖励", "未纳入", None, None, "涉密", "涉及举报人信息"),
        (6, "枪支持有许可", "未纳入", None, None, "涉及公民生命财产安全", "涉及枪支管理"),
        (7, "犬类准养证核发", "纳入", officer.id, "终审", None, ""),
        (8, "禁毒宣传", "待定", None, None, None, ""),
        (9, "旅馆业特种行业许可证核发", "未纳入", None, None, "其他", "省级尚未下放"),
    ]
    html = flashes(client)
    assert "导入完成：9项变化（新增9项" in html
    # Said, not silently done: the officer taken for the rows that left it blank, the name with a space.
    assert f"第{FIRST_DATA_LINE}、{FIRST_DATA_LINE + 2}、{FIRST_DATA_LINE + 6}行的纳入事项未填写首席服务员，已指定为本部门唯一在任的首席服务员李四" in html
    assert f"第{FIRST_DATA_LINE + 2}行事项名称“第二类、第三类易制毒化 学品购买备案证明”" in html


def test_rows_that_are_not_items_are_skipped(login, world):
    """The note in either wording, section rows, 序号 numbered ahead, 填报人 lines under the table, the
    header again and a header over two rows: none of them is an item, and none is an error."""
    rows = [
        ["一、行政许可"],
        [1, "赤壁市公安局", "保安服务公司设立许可", "保安服务公司设立许可", "行政许可", "是", "", ""],
        list(HEADER),  # the header repeated (a list printed page by page)
        [2],  # 序号 numbered ahead of the rows
        [3, "赤壁市公安局"],  # and the department filled in ahead
        [OLD_NOTE],
        ["填报人：张三", None, None, "联系电话：0715-5212345", None, "审核人：李四"],
        [None, None, None, None, None, None, None, None],
    ]
    data = clerk_xlsx(rows, second_header_row=[None, None, None, None, None, "（是/否）", "（姓名）", None])
    response = upload(login("gaj"), data)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert [i.item_name for i in ServiceItem.for_department(world.gaj)] == ["保安服务公司设立许可"]


def test_the_header_over_two_rows_is_one_header(login, world):
    header = ["序号", "实施部门", "事项名称", "办理项名称", "事项类型", "是否纳入首席服务员", "首席服务员", "未纳入原因"]
    data = clerk_xlsx([[1, "赤壁市公安局", "禁毒宣传", "禁毒宣传", "公共服务", "否", "", "其他：非依申请"]],
                      header=header, second_header_row=[None, None, None, None, None, "审批服务清单", None, None])
    assert upload(login("gaj"), data).status_code == 302
    assert ServiceItem.get().reason_note == "非依申请"


def test_a_row_with_values_but_no_names_is_an_error_not_skipped(login, world):
    """A row that only lacks its names is a clerk's unfinished row: it is listed, never dropped unseen."""
    before = state()
    rows = [[1, "赤壁市公安局", "禁毒宣传", "禁毒宣传", "公共服务", "待定", "", ""],
            [2, "赤壁市公安局", "", "", "行政许可", "是", "", ""]]
    response = upload(login("gaj"), clerk_xlsx(rows))
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "未导入任何数据" in html
    assert f"第{FIRST_DATA_LINE + 1}行</td><td>事项名称</td><td>请填写事项名称" in html
    assert state() == before


def test_a_blank_officer_with_several_serving_officers_names_them(login, world):
    make_officer(world.gaj, "邓卫东")
    make_officer(world.gaj, "袁慧敏")
    world.item(world.gaj, "机动车登记", "机动车注册登记")
    before = state()
    rows = [[1, "赤壁市公安局", "保安服务公司设立许可", "保安服务公司设立许可", "行政许可", "是", "", ""]]
    response = upload(login("gaj"), clerk_xlsx(rows))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f"第{FIRST_DATA_LINE}行</td><td>首席服务员</td><td>请填写首席服务员：邓卫东、袁慧敏</td>" in html
    assert state() == before


def test_a_blank_officer_without_any_serving_officer_stays_unassigned(login, world):
    rows = [[1, "赤壁市公安局", "保安服务公司设立许可", "保安服务公司设立许可", "行政许可", "是", "", ""]]
    assert upload(login("gaj"), clerk_xlsx(rows)).status_code == 302
    item = ServiceItem.get()
    assert (item.inclusion, item.officer_id) == ("纳入", None)


def test_matching_ignores_spaces_and_keeps_the_name_as_typed(login, world):
    officer = make_officer(world.gaj, "李四")
    item = world.item(world.gaj, "第二类、第三类易制毒化学品购买备案证明", officer=officer)
    client = login("gaj")
    rows = [[1, "赤壁市公安局", "第二类、第三类易制毒化 学品购买备案证明", "第二类、第三类易制毒化学品 购买备案证明",
             "行政许可", "是", "李四", ""]]
    assert upload(client, clerk_xlsx(rows)).status_code == 302
    assert ServiceItem.select().where(ServiceItem.department == world.gaj).count() == 1  # matched, not duplicated
    again = ServiceItem.get_by_id(item.id)
    assert (again.item_name, again.sub_item_name) == ("第二类、第三类易制毒化 学品购买备案证明", "第二类、第三类易制毒化学品 购买备案证明")
    html = flashes(client)
    assert "更新1项" in html
    assert (f"第{FIRST_DATA_LINE}行事项名称“第二类、第三类易制毒化 学品购买备案证明”；"
            f"第{FIRST_DATA_LINE}行办理项名称“第二类、第三类易制毒化学品 购买备案证明”") in html
    assert "请在清单中修改名称" in html


def test_two_rows_that_differ_only_in_spaces_are_one_row_twice(login, world):
    rows = [[1, "赤壁市公安局", "禁毒宣传", "禁毒宣传", "公共服务", "待定", "", ""],
            [2, "赤壁市公安局", "禁毒 宣传", "禁毒宣传", "公共服务", "待定", "", ""]]
    response = upload(login("gaj"), clerk_xlsx(rows))
    assert response.status_code == 422
    assert f"与第{FIRST_DATA_LINE}行的事项名称、办理项名称相同" in response.get_data(as_text=True)
    assert ServiceItem.select().count() == 0


@pytest.mark.parametrize("typed, stored", [
    ("是", "纳入"), ("否", "未纳入"), ("纳入", "纳入"), ("未纳入", "未纳入"), ("√", "纳入"), ("×", "未纳入"),
    ("Y", "纳入"), ("N", "未纳入"), ("y", "纳入"), ("ｎ", "未纳入"), ("Ｙ", "纳入"), (" 是 ", "纳入"), ("\u3000否\u3000", "未纳入"),
    ("纳 入", "纳入"), ("", "待定"), ("待定", "待定"), ("可能", "可能"),
])
def test_inclusion_accepts_what_clerks_type(typed, stored):
    assert imports.inclusion_value(typed) == stored


@pytest.mark.parametrize("cell, expected", [
    ("涉密：涉及国家秘密", ("涉密", "涉及国家秘密")),
    ("涉密:涉及国家秘密", ("涉密", "涉及国家秘密")),
    ("涉密，涉及国家秘密", ("涉密", "涉及国家秘密")),
    ("涉密,涉及国家秘密", ("涉密", "涉及国家秘密")),
    ("涉密 涉及国家秘密", ("涉密", "涉及国家秘密")),
    ("涉密\u3000涉及国家秘密", ("涉密", "涉及国家秘密")),
    ("涉密 ：涉及国家秘密", ("涉密", "涉及国家秘密")),
    ("涉及重大 公共安全：须集体研究", ("涉及重大公共安全", "须集体研究")),
])
def test_the_reason_takes_its_explanation_after_any_separator(cell, expected):
    assert parse_reason_cell(cell) == expected


@pytest.mark.parametrize("text", [NOTE, OLD_NOTE, "注：本表由各部门填报", "附件1", TITLE, TEMPLATE_TITLE,
                                  "填报单位（盖章）：赤壁市公安局", "填报日期：2026年8月1日",
                                  "（包含公共服务、行政许可等所有类型的依申请服务事项）"])
def test_note_title_and_form_lines_are_not_items(text):
    cells = dict.fromkeys(imports.COLUMNS, "")
    # In a cell of its own, or somewhere along a row with other such lines.
    assert imports.is_not_an_item([None, None, None, text], cells, 0)
    assert imports.is_not_an_item([text], cells, 0)


def test_a_row_with_an_item_value_is_never_taken_for_a_note():
    cells = dict.fromkeys(imports.COLUMNS, "")
    assert not imports.is_not_an_item([None, None, None, None, "行政许可", "是"],
                                      {**cells, "item_type": "行政许可", "inclusion": "是"}, 0)
    assert not imports.is_not_an_item([None, None, None, None, None, "是"], {**cells, "inclusion": "是"}, 0)  # an error
    # Only 序号 and 实施部门, filled in ahead of the item: a prepared row, not an item.
    assert imports.is_not_an_item([7, "赤壁市公安局"], {**cells, "seq": "7", "department": "赤壁市公安局"}, 0)
    assert not imports.is_not_an_item(["x"], {**cells, "item_name": "禁毒宣传"}, 0)


# --- 序号: the file only orders, a pure renumbering changes nothing -----------------------------------


@pytest.mark.parametrize("current, placed, order, kept", [
    # An export of a list with a retired item in its stored order: the same order, nothing moves.
    ([1, 3, 4], [1, 3, 4], [1, 3, 4], True),
    # A file naming only some items, in the list's order.
    ([1, 2, 3, 4], [2, 4], [1, 2, 3, 4], True),
    # New rows at the end of the file join at the end.
    ([1, 2], [1, 2, "a", "b"], [1, 2, "a", "b"], True),
    # A file of new rows only (a first import, or a batch): at the end.
    ([1, 2], ["a", "b"], [1, 2, "a", "b"], True),
    # A new row between two: in between.
    ([1, 2, 3], [1, "a", 2, 3], [1, "a", 2, 3], False),
    # A new row above the file's first item: before it.
    ([1, 2, 3], ["a", 2, 3], [1, "a", 2, 3], False),
    # The file swaps two items: they swap their places; an item the file does not name keeps its own.
    ([1, 2, 3], [3, 1], [3, 2, 1], False),
])
def test_arrange_follows_the_file_only_where_its_order_differs(current, placed, order, kept):
    assert imports.arrange(current, placed) == (order, kept)


def test_reordered_rows_reorder_the_list_and_renumbering_alone_does_not(login, world):
    for name in ("甲", "乙", "丙"):
        world.item(world.gaj, f"事项{name}", inclusion="待定")
    client = login("gaj")
    rows = lambda names, numbers: [[n, "赤壁市公安局", f"事项{x}", f"事项{x}", "行政许可", "待定", "", ""]
                                   for n, x in zip(numbers, names)]
    before = state(world.gaj)
    assert upload(client, clerk_xlsx(rows("甲乙丙", (10, 20, 30)))).status_code == 302
    assert state(world.gaj) == before and "0项变化" in flashes(client)
    # Rows sorted otherwise in Excel, each keeping its 序号: the 序号 orders them, nothing moves.
    assert upload(client, clerk_xlsx(rows("丙甲乙", (3, 1, 2)))).status_code == 302
    assert state(world.gaj) == before
    # A real reorder: 丙 first.
    assert upload(client, clerk_xlsx(rows("丙甲乙", (1, 2, 3)))).status_code == 302
    assert [i.item_name for i in ServiceItem.for_department(world.gaj)] == ["事项丙", "事项甲", "事项乙"]
    html = flashes(client)
    assert "0项变化" in html and "已按文件中的顺序调整了事项的排列" in html


def test_a_row_without_a_seq_stays_under_the_row_above(login, world):
    world.item(world.gaj, "事项甲", inclusion="待定")
    world.item(world.gaj, "事项乙", inclusion="待定")
    rows = [[1, "", "事项甲", "事项甲", "行政许可", "待定", "", ""],
            [None, "", "新事项", "新事项", "行政许可", "待定", "", ""],
            [2, "", "事项乙", "事项乙", "行政许可", "待定", "", ""]]
    client = login("gaj")
    assert upload(client, clerk_xlsx(rows)).status_code == 302
    assert [i.item_name for i in ServiceItem.for_department(world.gaj)] == ["事项甲", "新事项", "事项乙"]
    assert "1项变化（新增1项，更新0项" in flashes(client)


def test_the_screen_and_the_export_show_the_same_seq_for_a_list_with_a_retired_item(login, world):
    items = [world.item(world.gaj, f"事项{n}", inclusion="待定") for n in range(1, 5)]
    client = login("gaj")
    assert client.post(f"/items/{items[1].id}/retire").status_code in (302, 303)
    html = client.get("/items/").get_data(as_text=True)
    screen = [(n, name) for n, name in
              __import__("re").findall(r'<td class="num">(\d+)</td>\s*<td>[^<]*</td>\s*<td><a href="[^"]+">([^<]+)</a>', html)]
    ws = read_back(client.get("/items/export").data)
    export = [(str(r[0].value), r[2].value) for r in ws.iter_rows(min_row=5, max_row=7)]
    assert screen == export == [("1", "事项1"), ("2", "事项3"), ("3", "事项4")]
    # The edited row keeps its number, and a retired item takes none.
    assert '<td class="num">2</td>' in client.get(f"/items/{items[2].id}/edit").get_data(as_text=True)
    retired = client.get("/items/?retired=1").get_data(as_text=True)
    assert '<td class="num">—</td>' in retired
    # 序号 is one number everywhere (issue 17 §4): the review page, the public page, the bulletin and the feed.
    re = __import__("re")
    client.post("/items/submit")
    item_list = ItemList.get()
    switch(client, "office")
    review = client.get(f"/items/review/{item_list.id}").get_data(as_text=True)
    assert re.findall(r'<td class="num">(\d+)</td><td>[^<]*</td><td>([^<]+)</td>', review) == screen
    assert client.post(f"/items/review/{item_list.id}/approve").status_code in (302, 303)
    public = client.get("/public/departments/gaj").get_data(as_text=True)
    assert re.findall(r'<td class="num">(\d+)</td>\s*<td>([^<]+)</td>', public) == screen
    bulletin = client.get("/public/bulletin").get_data(as_text=True)
    assert re.findall(r'<td class="num">(\d+)</td>\s*<td>([^<]+)</td>', bulletin) == screen
    feed = client.get("/public/feed/lists.json").get_json()["departments"][0]["items"]
    assert [(str(i["seq"]), i["item_name"]) for i in feed] == screen


# --- an unchanged export comes back with 0 changes, for every department of the demo city ----------------


@pytest.fixture
def demo(tmp_path):
    app = make_app(tmp_path)
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    return app


def test_every_demo_department_round_trips_to_zero_changes(demo):
    from tests.security_city import login as demo_login

    with demo.app_context():
        departments = [(d.code, d.name) for d in Department.active_ordered()]
        retired = ServiceItem.select().where(ServiceItem.retired == True).count()  # noqa: E712
    assert len(departments) > 30 and retired  # a department with a retired item is among them
    for code, name in departments:
        client = demo_login(demo, code)
        exported = client.get("/items/export").data
        with demo.app_context():
            before = state()
        response = upload(client, exported, name="导出.xlsx")
        assert response.status_code == 302, (name, response.get_data(as_text=True)[-3000:])
        html = client.get("/items/").get_data(as_text=True)
        with demo.app_context():
            assert state() == before, name  # no audit entry, the data version where it was
        assert "导入完成：0项变化" in html, name
        # The office's copy of the department's list is the same file.
        office = demo_login(demo, "office")
        assert read_back(office.get(f"/items/export?dept={code}").data)["C5"].value == read_back(exported)["C5"].value


def test_the_export_is_the_template(login, world):
    world.item(world.gaj, "禁毒宣传", item_type="公共服务", inclusion="待定")
    client = login("gaj")
    ws = read_back(client.get("/items/export").data)
    assert ws["A1"].value == "附件1" and ws["A2"].value == TITLE and ws["A3"].value == "填报单位：赤壁市公安局"
    assert [c.value for c in ws[4]] == list(HEADER)
    assert ws["C5"].value == "禁毒宣传"
    assert all(c.value is None for c in ws[6])
    assert ws["A7"].value == "（包含公共服务、行政裁决、行政给付、行政奖励、行政确认、行政许可、其他行政权力等所有类型的依申请服务事项。）"
    # The city-wide export has the same shape.
    client.post("/items/submit")
    switch(client, "office")
    client.post(f"/items/review/{ItemList.get().id}/approve")
    city = read_back(client.get("/items/export/city").data)
    assert city["A1"].value == "附件1" and city["A2"].value == TITLE and [c.value for c in city[4]] == list(HEADER)
    assert city["C5"].value == "禁毒宣传" and all(c.value is None for c in city[6]) and city["A7"].value == NOTE


def test_cells_merged_down_over_an_items_rows_count_for_every_row(login, world):
    """Clerks merge 事项名称 (and 实施部门, 事项类型, 是否纳入, 首席服务员, 序号) down over the 办理项 of one
    item; the file holds the value in the top cell only. Every row takes it, but 序号, which only orders."""
    officer = make_officer(world.gaj, "李四")
    rows = [
        [1, "赤壁市公安局", "户口迁移", "户口迁入（投靠）", "行政确认", "是", "李四（初审）", ""],
        [None, None, None, "户口迁入（入学）", None, None, None, ""],
        [None, None, None, "户口迁出", None, None, None, ""],
        [2, None, "犬类准养证核发", "犬类准养证核发", "行政许可", "否", "", "涉密：涉及举报人信息"],
    ]
    wb = openpyxl.Workbook()
    ws = clerk_sheet(wb.active, rows)
    first = FIRST_DATA_LINE
    for column in "ACEFG":
        ws.merge_cells(f"{column}{first}:{column}{first + 2}")
    ws.merge_cells(f"B{first}:B{first + 3}")  # 实施部门 over the whole table
    buffer = io.BytesIO()
    wb.save(buffer)
    response = upload(login("gaj"), buffer.getvalue())
    assert response.status_code == 302, response.get_data(as_text=True)
    got = [(i.item_name, i.sub_item_name, i.item_type, i.inclusion, i.officer_id, i.mode)
           for i in ServiceItem.for_department(world.gaj)]
    assert got == [
        ("户口迁移", "户口迁入（投靠）", "行政确认", "纳入", officer.id, "初审"),
        ("户口迁移", "户口迁入（入学）", "行政确认", "纳入", officer.id, "初审"),
        ("户口迁移", "户口迁出", "行政确认", "纳入", officer.id, "初审"),
        ("犬类准养证核发", "犬类准养证核发", "行政许可", "未纳入", None, None),
    ]


def test_a_merged_range_the_file_states_wrongly_is_read_as_not_merged():
    rows = [(5, ("x", None)), (6, (None, None))]
    assert imports._fill_merged(rows, ["A5:A6", "nonsense", "Q1:Q"], header_line=4, skip=[]) == [
        (5, ("x", None)), (6, ("x", None))]
    # Not into 序号, not from the header down, not across a row.
    assert imports._fill_merged(rows, ["A5:A6"], header_line=4, skip=[0]) == rows
    assert imports._fill_merged(rows, ["A4:A6"], header_line=4, skip=[]) == rows
    assert imports._fill_merged(rows, ["A5:B5"], header_line=4, skip=[]) == rows


def test_a_sheet_as_wide_as_excel_allows_is_read_to_the_tables_width(login, world):
    """One formatted cell in the last column (XFD) states the sheet 16,384 columns wide: read in full,
    a long list would take gigabytes. Only the first imports.MAX_COLUMNS columns are read."""
    from openpyxl.styles import Border, Side

    wb = openpyxl.Workbook()
    ws = clerk_sheet(wb.active, FILLED[:1])
    ws.cell(row=FIRST_DATA_LINE, column=16384).border = Border(left=Side(style="thin"))
    buffer = io.BytesIO()
    wb.save(buffer)
    loaded = imports.load_workbook(buffer.getvalue())
    sheet = loaded.worksheets[0]
    assert sheet.max_column == 16384
    assert {len(row) for row in imports.sheet_values(loaded, sheet, max_width=imports.MAX_COLUMNS)} == {64}
    loaded.close()
    response = upload(login("gaj"), buffer.getvalue())
    assert response.status_code == 302, response.get_data(as_text=True)
    assert [i.item_name for i in ServiceItem.for_department(world.gaj)] == ["保安服务公司设立许可"]


def test_borders_drawn_down_to_row_65536_are_not_rows(login, world):
    """Old .xls templates carry their borders down to the last row an .xls had; saved as .xlsx, every one
    of those rows is in the file. A list of a few items is not refused as 65,000 rows."""
    from openpyxl.styles import Border, Side

    make_officer(world.gaj, "李四")
    wb = openpyxl.Workbook()
    ws = clerk_sheet(wb.active, FILLED[:2])
    thin = Border(left=Side(style="thin"), right=Side(style="thin"))
    for row in range(ws.max_row + 1, 65537):
        for column in range(1, 9):
            ws.cell(row=row, column=column).border = thin
    buffer = io.BytesIO()
    wb.save(buffer)
    response = upload(login("gaj"), buffer.getvalue())
    assert response.status_code == 302, response.get_data(as_text=True)
    assert ServiceItem.select().count() == 2


def test_more_rows_than_the_limit_are_still_refused(app, world, login):
    app.config["IMPORT_MAX_ROWS"] = 3
    rows = [[n, "赤壁市公安局", f"事项{n}", f"事项{n}", "行政许可", "否", "", "涉密：说明"] for n in range(1, 3006)]
    before = state()
    response = upload(login("gaj"), clerk_xlsx(rows))
    assert response.status_code == 422 and "超过 3 行" in response.get_data(as_text=True)
    assert state() == before


@pytest.mark.parametrize("typed, stored", [
    ("行政许可", "行政许可"), ("行政许可类", "行政许可"), ("许可", "行政许可"), ("许可类", "行政许可"),
    (" 行政 确认 ", "行政确认"), ("公共服务事项", "公共服务"), ("公共服务类", "公共服务"), ("其他权力", "其他行政权力"),
    ("其他行政权力", "其他行政权力"), ("行政处罚", "行政处罚"), ("", ""),
])
def test_the_item_type_accepts_what_clerks_type(typed, stored):
    assert imports.item_type_value(typed) == stored
