"""全市清单导入: the office uploads a city-wide workbook on its review page — one sheet with 实施部门, or
one sheet per department — checked whole, then written for every department or for none.

The workbooks are made here as the office makes them: the template's layout (tests/test_import_template),
departments named in full (赤壁市公安局), by their short name (公安局), or without the city's name."""
from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from portal.files import imports
from portal.audit import write
from portal.items import city_import, service
from portal.models import AuditLog, Department, ItemList, ServiceItem, User
from tests.conftest import TODAY, make_app
from tests.security_city import login as demo_login
from tests.test_import_export import XLSX, read_back
from tests.test_import_template import FIRST_DATA_LINE, clerk_sheet, state

URL = "/items/review/import"


@pytest.fixture
def demo(tmp_path):
    app = make_app(tmp_path)
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    return app


def upload_city(client, data: bytes, name="全市清单.xlsx", check_only=False):
    """Post the workbook as the browser does (the body encoded here, as tests/test_import_export.upload)."""
    boundary = "----portal-test-boundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
            f"Content-Type: {XLSX}\r\n\r\n").encode() + data + b"\r\n"
    if check_only:
        body += f"--{boundary}\r\nContent-Disposition: form-data; name=\"check_only\"\r\n\r\ny\r\n".encode()
    body += f"--{boundary}--\r\n".encode()
    return client.post(URL, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def workbook(*sheets) -> bytes:
    """sheets: (title, rows, options for clerk_sheet)."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows, options in sheets:
        clerk_sheet(wb.create_sheet(title), rows, **options)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def city_state(app):
    with app.app_context():
        return state()


def dept(app, code) -> Department:
    with app.app_context():
        return Department.get(Department.code == code)


def officers(app, code) -> list[str]:
    with app.app_context():
        return [o.name for o in service.serving_officers(Department.get(Department.code == code))]


def first_item(app, code) -> ServiceItem:
    with app.app_context():
        return ServiceItem.for_department(Department.get(Department.code == code)).first()


def row(seq, department, name, inclusion="待定", officer="", reason="", item_type="行政许可", sub=None):
    return [seq, department, name, sub or name, item_type, inclusion, officer, reason]


def test_the_review_page_offers_the_city_import_to_the_office_only(demo):
    office = demo_login(demo, "office")
    queue = office.get("/items/review").get_data(as_text=True)
    assert f'href="{URL}"' in queue and "导入全市清单" in queue
    page = office.get(URL).get_data(as_text=True)
    assert 'name="csrf_token"' in page and 'enctype="multipart/form-data"' in page and "返回清单审核" in page
    leader = demo_login(demo, "leader")
    assert f'href="{URL}"' not in leader.get("/items/review").get_data(as_text=True)
    assert leader.get(URL).status_code == 403 and demo_login(demo, "gaj").get(URL).status_code == 403


def test_one_sheet_with_the_department_column(demo):
    gaj_item = first_item(demo, "gaj")
    gaj_officer = officers(demo, "gaj")[0]
    fgj_officer = officers(demo, "fgj")
    assert len(fgj_officer) == 1
    rows = [
        # An item of 公安局 changed, by the department's full name; a new one by its short name.
        row(1, "赤壁市公安局", gaj_item.item_name, "纳入", f"{gaj_officer}（初审）", sub=gaj_item.sub_item_name),
        row(2, "公安局", "全市导入的新事项", "未纳入", reason="其他：省级尚未下放"),
        # 发展和改革局 without the city's name; no officer named, and it has only one.
        row(1, "发展和改革局", "城市导入的发改事项", "是"),
        # 生态环境局赤壁分局: 咸宁市生态环境局赤壁分局 without the city's name in front.
        row(1, "生态环境局赤壁分局", "环境影响评价文件审批（城市导入）", "待定"),
        # 市教育局: 赤壁市教育局 written without 赤壁.
        row(1, "市教育局", "教育事项（城市导入）", "待定"),
    ]
    before = city_state(demo)
    office = demo_login(demo, "office")
    response = upload_city(office, workbook(("全市汇总", rows, {"unit": "市政务服务和大数据管理局"})))
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html[-4000:]
    assert "已导入文件“全市清单.xlsx”：4个部门，共新增4项，更新1项" in html
    for name in ("赤壁市公安局", "赤壁市发展和改革局", "咸宁市生态环境局赤壁分局", "赤壁市教育局"):
        assert name in html
    assert html.count("已导入</span>") == 4
    assert f"按本部门唯一在任的首席服务员{fgj_officer[0]}导入" in html

    with demo.app_context():
        changed = ServiceItem.get_by_id(gaj_item.id)
        assert (changed.inclusion, changed.officer.name, changed.mode) == ("纳入", gaj_officer, "初审")
        new = ServiceItem.get(ServiceItem.item_name == "全市导入的新事项")
        assert (new.department.code, new.reason, new.reason_note) == ("gaj", "其他", "省级尚未下放")
        assert ServiceItem.get(ServiceItem.item_name == "城市导入的发改事项").officer.name == fgj_officer[0]
        assert ServiceItem.get(ServiceItem.item_name.startswith("环境影响评价文件审批（")).department.code == "hbj"
        # Audited as the office's, each change under its own department.
        office_user = User.get(User.username == "office")
        entries = list(AuditLog.select().where(AuditLog.id > before[1]))
        assert entries and {e.user_id for e in entries} == {office_user.id}
        assert {e.department_id for e in entries} == {Department.get(Department.code == c).id
                                                      for c in ("gaj", "fgj", "hbj", "jyj")}
        # No new list revision: the departments' current lists (their drafts) changed, as their own import
        # would have changed them.
        assert ItemList.select().count() == before[3]
    assert city_state(demo)[0] > before[0]
    # The department sees it in its list and in what it would submit.
    gaj = demo_login(demo, "gaj")
    assert "全市导入的新事项" in gaj.get("/items/").get_data(as_text=True)
    assert "新增 1 项，删除 0 项，修改 1 项" in gaj.get("/items/submit").get_data(as_text=True)


def test_one_sheet_per_department(demo):
    gaj_item = first_item(demo, "gaj")
    office = demo_login(demo, "office")
    data = workbook(
        # Named after the department, 实施部门 left blank.
        ("公安局", [row(1, "", "公安按表导入", "待定"), row(2, "", gaj_item.item_name, "待定", sub=gaj_item.sub_item_name)],
         {"unit": ""}),
        # Any name, the department in its 填报单位 line.
        ("Sheet2", [row(1, None, "教育按表导入", "待定")], {"unit": "赤壁市教育局"}),
        # A sheet that is not a list at all (a note for the office) is left alone.
    )
    wb = openpyxl.load_workbook(io.BytesIO(data))
    wb.create_sheet("说明").append(["本表由协调办汇总"])
    buffer = io.BytesIO()
    wb.save(buffer)
    response = upload_city(office, buffer.getvalue())
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html[-4000:]
    with demo.app_context():
        assert ServiceItem.get(ServiceItem.item_name == "公安按表导入").department.code == "gaj"
        assert ServiceItem.get(ServiceItem.item_name == "教育按表导入").department.code == "jyj"
        assert ServiceItem.get_by_id(gaj_item.id).inclusion == "待定"


def test_an_unchanged_workbook_of_every_departments_list_changes_nothing(demo):
    """Each department's own export, one sheet each, for every department not under review: 0 changes,
    no audit entry, the data version where it was."""
    with demo.app_context():
        departments = [(d.code, d.short_name) for d in Department.active_ordered()
                       if service.waiting(d) is None]
    office = demo_login(demo, "office")
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for code, short_name in departments:
        source = read_back(office.get(f"/items/export?dept={code}").data)
        sheet = wb.create_sheet(short_name[:31])
        for values in source.iter_rows(values_only=True):
            sheet.append(values)
    buffer = io.BytesIO()
    wb.save(buffer)
    before = city_state(demo)
    response = upload_city(office, buffer.getvalue())
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html[-4000:]
    assert f"{len(departments)}个部门，共新增0项，更新0项" in html
    assert city_state(demo) == before


def test_an_unknown_department_refuses_the_workbook(demo):
    before = city_state(demo)
    rows = [row(1, "赤壁市公安局", "公安新事项", "待定"), row(2, "赤壁市不存在局", "某事项", "待定"),
            row(3, "赤壁市不存在局", "另一事项", "待定")]
    response = upload_city(demo_login(demo, "office"), workbook(("附件1", rows, {})))
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "未导入任何数据" in html
    assert "文件中有本平台没有登记的实施部门：“赤壁市不存在局”" in html
    assert (f"实施部门「赤壁市不存在局」不是本平台登记的部门（第{FIRST_DATA_LINE + 1}、{FIRST_DATA_LINE + 2}行）") in html
    assert city_state(demo) == before


def test_one_wrong_row_of_one_department_writes_nothing_anywhere(demo):
    before = city_state(demo)
    rows = [row(1, "赤壁市公安局", "公安新事项", "待定"), row(2, "赤壁市公安局", "公安另一新事项", "待定"),
            row(1, "发展和改革局", "发改事项", "待定", item_type="行政处罚")]
    response = upload_city(demo_login(demo, "office"), workbook(("全市", rows, {})))
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "未导入任何数据" in html
    # Per department: 公安局's two rows pass but are not written; 发改局 has one wrong row.
    assert "本部门无误，因文件中其他问题未导入" in html
    assert '<td class="num">1</td>\n        <td>\n          <span class="tag tag-bad">有误</span>' in html
    # The error with its sheet, row and column.
    assert (f"<td>全市</td><td class=\"num\">第{FIRST_DATA_LINE + 2}行</td><td>事项类型</td>"
            f"<td>赤壁市发展和改革局</td><td>事项类型须为") in html
    assert city_state(demo) == before


def test_a_department_under_review_is_refused(demo):
    with demo.app_context():
        nyj = Department.get(Department.code == "nyj")
        assert service.waiting(nyj) is not None
        revision = service.waiting(nyj).revision
    before = city_state(demo)
    rows = [row(1, "赤壁市公安局", "公安新事项", "待定"), row(1, "农业农村局", "农业新事项", "待定")]
    response = upload_city(demo_login(demo, "office"), workbook(("全市", rows, {})))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f"该部门第{revision}版清单已报送、正在等待协调办审核，审核期间不能通过导入修改其清单" in html
    assert "以下部门的清单正在审核，不能导入：赤壁市农业农村局" in html
    assert city_state(demo) == before


def test_check_only_shows_the_counts_and_writes_nothing(demo):
    before = city_state(demo)
    rows = [row(1, "赤壁市公安局", "公安新事项", "待定")]
    response = upload_city(demo_login(demo, "office"), workbook(("全市", rows, {})), check_only=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "检查通过（只检查，未导入）：1个部门，将新增1项" in html and "可导入" in html
    assert city_state(demo) == before


@pytest.mark.parametrize("rows, message", [
    ([], "文件中没有事项数据"),
    ([row(1, "", "无部门的事项", "待定")], "请填写实施部门"),
])
def test_a_workbook_without_rows_or_departments_is_refused(demo, rows, message):
    before = city_state(demo)
    response = upload_city(demo_login(demo, "office"), workbook(("全市", rows, {"unit": None})))
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert city_state(demo) == before


def test_a_file_that_is_not_a_workbook_is_refused(demo):
    before = city_state(demo)
    office = demo_login(demo, "office")
    response = upload_city(office, "序号,事项名称\n".encode())
    assert response.status_code == 422 and "这是 CSV 或文本文件" in response.get_data(as_text=True)
    none = office.post(URL, data={}, content_type="multipart/form-data")
    assert none.status_code == 422 and "请选择要上传的文件" in none.get_data(as_text=True)
    assert city_state(demo) == before


def test_a_submission_between_the_check_and_the_write_writes_nothing(demo):
    """The check runs before the write's transaction; a department that submits meanwhile is found again
    inside it, and nothing at all is written."""
    data = workbook(("全市", [row(1, "赤壁市公安局", "公安新事项", "待定"), row(1, "教育局", "教育新事项", "待定")], {}))
    with demo.app_context():
        result = city_import.check(imports.read_sheets(data, 1000))
        assert result.ok
        jyj = Department.get(Department.code == "jyj")
        at = dt.datetime.combine(TODAY, dt.time(10, 0))
        with write(username="jyj") as w:
            service.submit(w, jyj, User.get(User.username == "jyj"), at)
        before = state()
        with pytest.raises(service.ServiceError, match="赤壁市教育局的清单刚刚报送"):
            with write(username="office") as w:
                city_import.apply(w, result, at)
        assert state() == before


# --- rows to departments, as a plain function ---------------------------------------------------------


DEPARTMENTS = [(1, "赤壁市公安局", "公安局", True), (2, "赤壁市交通运输局", "交通运输局", True),
               (3, "赤壁市交通局", "交通局", True), (4, "赤壁市旧局", "旧局", False),
               (5, "咸宁市生态环境局赤壁分局", "生态环境分局", True)]


def sheet(title, rows, unit=""):
    return imports.Sheet(title, unit, [imports.SheetRow(n, {"department": d}, title) for n, d in enumerate(rows, 5)])


def test_split_by_department():
    split = imports.split_by_department([
        sheet("附件1", ["赤壁市公安局", "公安局", "市公安局", "赤壁市 公安局", "湖北省咸宁市赤壁市公安局", "生态环境局赤壁分局",
                        "生态环境分局", "咸宁市生态环境局赤壁分局"]),
        sheet("交通运输局", ["", "公安局"]),  # blank → the sheet's department; a named row goes by its name
        sheet("Sheet3", [""], unit="赤壁市交通局"),
        sheet("Sheet4", ["", "旧局", "某某局", "某某局"]),
    ], DEPARTMENTS)
    lines = {dept_id: [(r.sheet, r.line) for r in rows] for dept_id, rows in split.rows.items()}
    assert lines == {1: [("附件1", n) for n in range(5, 10)] + [("交通运输局", 6)],
                     5: [("附件1", 10), ("附件1", 11), ("附件1", 12)],
                     2: [("交通运输局", 5)], 3: [("Sheet3", 5)]}
    assert split.unknown == ["某某局"]
    assert [(e.sheet, e.line, e.message[:12]) for e in split.errors] == [
        ("Sheet4", 5, "请填写实施部门（全市汇总"), ("Sheet4", 6, "赤壁市旧局已停用，不能导"), ("Sheet4", 7, "实施部门「某某局」不是本")]


def test_a_name_two_departments_share_is_refused():
    split = imports.split_by_department([sheet("附件1", ["交通"])], DEPARTMENTS + [(6, "赤壁市交通", "交通", True),
                                                                                (7, "交通", "交通", True)])
    assert not split.rows and "可对应多个部门（赤壁市交通、交通），请填写部门全称" in split.errors[0].message
