"""Officers (首席服务员): appointing, the one-officer rule, the department page with its coverage timeline
and gap days, the office's overview and settings, the roster export (附件3), reminders and isolation.

Gap days and tenure themselves are plain functions tested in test_rules.py; here they are checked
through the pages that show them."""
from __future__ import annotations

import datetime as dt
import io
import re
from urllib.parse import unquote

import openpyxl

from portal.audit import write
from portal.models import AuditLog, Department, Letter, LetterItem, Officer, ServiceItem, Setting, TenureReport
from portal.officers import timeline
from tests.conftest import PASSWORD, TODAY

PERSON = {"name": "李建华", "gender": "男", "birth_date": "1978-05-12", "position": "行政审批股股长",
          "work_phone": "0715-5321234", "mobile": "13907151234", "note": ""}


# --- helpers shared by the officers, letters and tenure tests ---------------------------------------


def client_for(app, username):
    """A test client logged in as username (each user their own client, as in real life)."""
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def officer(dept, name="张三", start=dt.date(2025, 1, 1), end=None, **extra):
    """An officer record written the way the portal writes (through the audit path)."""
    fields = dict(department=dept, name=name, gender="男", position="行政审批股股长", work_phone="0715-5320001",
                  term_start=start, term_end=end)
    fields.update(extra)
    with write(username="test") as w:
        return w.create(Officer, **fields)


def assign(items, person, mode=None):
    """Give items to an officer (what the item list does), optionally changing their mode."""
    with write(username="test") as w:
        for item in items:
            w.update(item, officer=person, **({"mode": mode} if mode else {}))


def snapshot():
    """The rows this area writes, to prove that a refused action changed nothing."""
    return (list(Officer.select().order_by(Officer.id).dicts()), list(Letter.select().order_by(Letter.id).dicts()),
            list(LetterItem.select().order_by(LetterItem.id).dicts()),
            list(TenureReport.select().order_by(TenureReport.id).dicts()),
            list(ServiceItem.select(ServiceItem.id, ServiceItem.officer).order_by(ServiceItem.id).tuples()),
            list(Department.select().order_by(Department.id).dicts()),
            Setting.system_start())


def html(response) -> str:
    return response.get_data(as_text=True)


# --- appointing and the one-officer rule ----------------------------------------------------------


def test_department_appoints_its_first_officer_and_sees_the_term(app, world, login):
    client = login("fgj")
    page = client.get("/officers/")
    assert page.status_code == 200 and "目前没有在任首席服务员" in html(page) and "任命首席服务员" in html(page)
    response = client.post("/officers/new", data={**PERSON, "term_start": "2025-03-01"})
    assert response.status_code == 303
    o = Officer.get(Officer.name == "李建华")
    assert o.department_id == world.fgj.id and o.term_start == dt.date(2025, 3, 1) and o.term_end is None
    assert o.mobile == "13907151234"
    assert AuditLog.select().where((AuditLog.table == "officer") & (AuditLog.record_id == o.id)).exists()
    page = html(client.get("/officers/"))
    assert "李建华" in page and "未授权上岗" in page
    assert "636" in page  # 任职天数: 2025-03-01 … 2026-11-26, both counted
    detail = html(client.get(f"/officers/{o.id}"))
    assert "2027年3月1日" in detail  # 满两年


BAD_PERSON = [
    ({"name": ""}, "name", "请填写姓名"),
    ({"gender": "未知"}, "gender", "性别须为"),
    ({"gender": ""}, "gender", "请选择性别"),
    ({"birth_date": "2020-01-01"}, "birth_date", "出生日期不合理"),
    ({"birth_date": "1978-02-30"}, "birth_date", "请按“年-月-日”填写出生日期"),
    ({"position": ""}, "position", "请填写工作单位（股室）及职位"),
    ({"work_phone": ""}, "work_phone", "请填写办公电话"),
    ({"work_phone": "abc"}, "work_phone", "请填写正确的电话号码"),
    ({"mobile": "1390715"}, "mobile", "手机号码应为11位数字"),
    ({"term_start": ""}, "term_start", "请填写任期开始日期"),
    ({"term_start": "2026-12-01"}, "term_start", "日期不能晚于今天"),
    ({"note": "很" * 201}, "note", "备注最长200个字"),
]


def test_appointing_with_bad_input_changes_nothing(app, world, login):
    client = login("fgj")
    before = snapshot()
    for change, field, error in BAD_PERSON:
        response = client.post("/officers/new", data={**PERSON, "term_start": "2025-03-01", **change})
        assert response.status_code == 422, field
        body = html(response)
        assert error in body and "error-summary" in body and f'id="{field}-error"' in body, field
    assert snapshot() == before


def test_a_second_serving_officer_is_refused_unless_the_office_allowed_several(app, world, login):
    officer(world.fgj, "王一")
    client = login("fgj")
    before = snapshot()
    response = client.post("/officers/new", data={**PERSON, "term_start": "2025-03-01"})
    assert response.status_code == 422
    assert "每个部门只设一名首席服务员" in html(response) and "任期调整报告" in html(response)
    assert snapshot() == before
    assert "每个部门只设一名首席服务员" in html(client.get("/officers/new"))


def test_a_department_allowed_several_officers_appoints_a_second(app, world, login):
    officer(world.gaj, "王一")
    client = login("gaj")
    response = client.post("/officers/new", data={**PERSON, "term_start": "2025-03-01"})
    assert response.status_code == 303
    assert Officer.serving(world.gaj).count() == 2


def test_a_new_officer_after_a_gap_starts_after_the_last_term(app, world, login):
    officer(world.fgj, "王一", start=dt.date(2024, 1, 1), end=dt.date(2025, 6, 30))
    client = login("fgj")
    before = snapshot()
    response = client.post("/officers/new", data={**PERSON, "term_start": "2025-06-30"})
    assert response.status_code == 422 and "须晚于上一任首席服务员的离任日期（2025-06-30）" in html(response)
    assert snapshot() == before
    assert client.post("/officers/new", data={**PERSON, "term_start": "2025-07-01"}).status_code == 303


def test_editing_particulars_keeps_name_and_position_once_a_letter_was_issued(app, world, login):
    o = officer(world.fgj, "王一")
    client = login("fgj")
    data = {**PERSON, "name": "王一", "position": "行政审批股股长", "work_phone": "0715-5329999"}
    assert client.post(f"/officers/{o.id}/edit", data=data).status_code == 303
    assert Officer.get_by_id(o.id).work_phone == "0715-5329999"
    with write(username="test") as w:
        w.create(Letter, number="赤首授〔2026〕1号", year=2026, seq=1, department=world.fgj, officer=o, state="已签发",
                 issue_date=dt.date(2026, 1, 5))
    before = snapshot()
    response = client.post(f"/officers/{o.id}/edit", data={**data, "name": "王二"})
    assert response.status_code == 422 and "已签发授权委托书后不能修改" in html(response)
    assert snapshot() == before


# --- the department page: timeline and gap days --------------------------------------------------


def test_gap_days_since_the_system_start_are_shown_beside_the_timeline(app, world, login):
    # System start 2025-01-01 (default). First officer from 2025-01-11: ten gap days; then a one-day gap.
    officer(world.fgj, "王一", start=dt.date(2025, 1, 11), end=dt.date(2025, 6, 30))
    officer(world.fgj, "赵二", start=dt.date(2025, 7, 2))
    body = html(login("fgj").get("/officers/"))
    assert "断档 11 天" in body
    assert "2025年1月1日 至 2025年1月10日，10 天" in body and "2025年7月1日，1 天" in body
    svg = re.search(r"<svg.*?</svg>", body, re.S).group(0)
    assert svg.count('class="gap"') == 2
    assert "style=" not in svg


def test_a_department_that_never_had_an_officer_has_every_day_as_a_gap(app, world, login):
    body = html(login("fgj").get("/officers/"))
    assert f"{(TODAY - dt.date(2025, 1, 1)).days + 1} 天" in body


def test_the_timeline_marks_a_one_day_gap_visibly_and_the_letters(app, world):
    a = officer(world.fgj, "王一", start=dt.date(2024, 1, 1), end=dt.date(2025, 5, 31))
    b = officer(world.fgj, "赵二", start=dt.date(2025, 6, 2))

    class L:  # a letter as the timeline reads it
        def __init__(self, officer_id, day, state):
            self.officer_id, self.issue_date, self.state, self.number = officer_id, day, state, "赤首授〔2025〕1号"

    svg = str(timeline.render([a, b], [L(a.id, dt.date(2025, 2, 1), "已终止"), L(b.id, dt.date(2025, 6, 5), "已签发")],
                              [(dt.date(2025, 6, 1), dt.date(2025, 6, 1))], dt.date(2025, 1, 1), TODAY, "测试"))
    gap = re.search(r'<rect class="gap" x="[0-9.]+" y="[0-9.]+" width="([0-9.]+)"', svg)
    assert gap and float(gap.group(1)) >= 2
    assert svg.count('class="letter"') == 2 and 'fill="#b3261e"' in svg
    assert "2025年6月1日，1天" in svg and "style=" not in svg and "<script" not in svg


def test_the_office_and_leaders_read_any_department_page_without_forms(app, world, login):
    o = officer(world.fgj, "王一")
    for name in ("office", "leader"):
        client = client_for(app, name)
        assert client.get("/officers/").headers["Location"].endswith("/officers/overview")
        page = client.get("/officers/?dept=fgj")
        assert page.status_code == 200 and "王一" in html(page) and "只读查看" in html(page)
        assert 'action="/officers/new"' not in html(page)
        assert client.get(f"/officers/{o.id}").status_code == 200
        assert client.get("/officers/?dept=nope").status_code == 404


def test_a_department_user_ignores_dept_and_sees_its_own(app, world, login):
    officer(world.gaj, "公安一")
    body = html(login("fgj").get("/officers/?dept=gaj"))
    assert "赤壁市发展和改革局" in body and "公安一" not in body


# --- isolation and roles -------------------------------------------------------------------------


def test_a_department_cannot_see_or_touch_another_departments_officers(app, world, login):
    o = officer(world.gaj, "公安一")
    client = login("fgj")
    before = snapshot()
    assert client.get(f"/officers/{o.id}").status_code == 404
    assert client.get(f"/officers/{o.id}/edit").status_code == 404
    assert client.post(f"/officers/{o.id}/edit", data={**PERSON}).status_code == 404
    assert client.post(f"/officers/{o.id}/letters/new").status_code == 404
    assert snapshot() == before


def test_office_and_leader_cannot_write_department_records(app, world):
    o = officer(world.fgj, "王一")
    before = snapshot()
    for username in ("leader", "office"):
        client = client_for(app, username)
        assert client.post("/officers/new", data={**PERSON, "term_start": "2025-03-01"}).status_code == 403
        assert client.post(f"/officers/{o.id}/edit", data=PERSON).status_code == 403
        assert client.post(f"/officers/{o.id}/letters/new").status_code == 403
    assert snapshot() == before


# --- the office's overview and settings --------------------------------------------------------------


def test_overview_lists_problems_and_filters_them(app, world):
    officer(world.gaj, "公安一", start=dt.date(2024, 1, 1))
    with write(username="test") as w:
        w.create(Department, code="jyj", name="赤壁市教育局")
    client = client_for(app, "office")
    body = html(client.get("/officers/overview"))
    assert "赤壁市公安局" in body and "赤壁市教育局" in body and "公安一" in body
    assert "未授权上岗：公安一" in body
    no_officer = html(client.get("/officers/overview?problem=no_officer"))
    assert "赤壁市教育局" in no_officer and "赤壁市发展和改革局" in no_officer and "公安一" not in no_officer
    gap = html(client.get("/officers/overview?problem=gap&sort=-gap"))
    assert "赤壁市公安局" not in gap.split("<tbody>")[1]
    assert client_for(app, "leader").get("/officers/overview").status_code == 200
    assert client_for(app, "gaj").get("/officers/overview").status_code == 403


def test_office_sets_the_system_start_and_several_officers(app, world):
    client = client_for(app, "office")
    assert client.get("/officers/settings").status_code == 200
    data = {"system_start": "2025-06-01", f"several_{world.fgj.id}": "1"}  # gaj loses, fgj gains
    assert client.post("/officers/settings", data=data).status_code == 303
    assert Setting.system_start() == dt.date(2025, 6, 1)
    assert Department.get_by_id(world.fgj.id).several_officers and not Department.get_by_id(world.gaj.id).several_officers
    assert AuditLog.select().where(AuditLog.action == "setting").exists()


def test_bad_settings_change_nothing(app, world):
    client = client_for(app, "office")
    before = snapshot()
    for value, error in (("2027-01-01", "日期不能晚于今天"), ("", "请填写制度实施日期"), ("1999-12-31", "不能早于2000年"),
                         ("2025-13-01", "请按“年-月-日”填写制度实施日期")):
        response = client.post("/officers/settings", data={"system_start": value})
        assert response.status_code == 422 and error in html(response), value
    assert snapshot() == before


def test_several_officers_cannot_be_withdrawn_while_two_serve(app, world):
    officer(world.gaj, "公安一")
    officer(world.gaj, "公安二")
    client = client_for(app, "office")
    before = snapshot()
    response = client.post("/officers/settings", data={"system_start": "2025-01-01"})
    assert response.status_code == 422 and "现有2名在任首席服务员" in html(response)
    assert snapshot() == before


def test_settings_are_for_the_office_only(app, world):
    for name in ("leader", "gaj"):
        client = client_for(app, name)
        assert client.get("/officers/settings").status_code == 403
        assert client.post("/officers/settings", data={"system_start": "2025-06-01"}).status_code == 403
    assert Setting.system_start() == dt.date(2025, 1, 1)


# --- roster export (附件3) ------------------------------------------------------------------------


def _sheet(response):
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return openpyxl.load_workbook(io.BytesIO(response.data)).active


def test_department_roster_export_reads_back_in_the_attachment_3_layout(app, world, login):
    officer(world.gaj, "公安一", birth_date=dt.date(1980, 12, 1), mobile="13907150001", note="=HYPERLINK(\"x\")")
    officer(world.gaj, "公安二", gender="女", position="治安大队副大队长")
    officer(world.gaj, "已离任", start=dt.date(2023, 1, 1), end=dt.date(2024, 12, 31))
    response = login("gaj").get("/officers/roster.xlsx")
    disposition = unquote(response.headers["Content-Disposition"])
    assert "赤壁市公安局-首席服务员名单-2026-11-26.xlsx" in disposition
    ws = _sheet(response)
    rows = [[c for c in row] for row in ws.iter_rows(values_only=True)]
    assert rows[0][0] == "“首席服务员”名单"
    assert rows[1][0] == "填报单位：赤壁市公安局" and "2026年11月26日" in rows[1][3]
    assert rows[2] == ["姓名", "性别", "年龄", "工作单位（股室）及职位", "联系方式", "备注"]
    assert rows[3][:4] == ["公安一", "男", 45, "行政审批股股长"]
    assert "办公电话：0715-5320001" in rows[3][4] and "手机：13907150001" in rows[3][4]
    assert rows[3][5] == '=HYPERLINK("x")'  # a string cell as typed: never a formula, no apostrophe
    assert rows[4][0] == "公安二" and rows[4][1] == "女" and rows[4][2] is None
    assert len(rows) == 5  # the past officer is not on the roster


def test_city_roster_lists_every_department_and_marks_those_without_an_officer(app, world):
    officer(world.gaj, "公安一")
    client = client_for(app, "office")
    ws = _sheet(client.get("/officers/roster-city.xlsx"))
    rows = list(ws.iter_rows(values_only=True))
    assert "全市汇总" in rows[1][0]
    assert list(rows[2]) == ["填报单位", "姓名", "性别", "年龄", "工作单位（股室）及职位", "联系方式", "备注"]
    assert rows[3][:2] == ("赤壁市公安局", "公安一")
    assert rows[4][0] == "赤壁市发展和改革局" and rows[4][6] == "暂无在任首席服务员"
    one = _sheet(client.get("/officers/roster.xlsx?dept=fgj"))
    assert one.cell(2, 1).value == "填报单位：赤壁市发展和改革局"
    assert client_for(app, "gaj").get("/officers/roster-city.xlsx").status_code == 403


# --- reminders -----------------------------------------------------------------------------------


def test_reminders_for_a_missing_letter_and_a_term_reaching_two_years(app, world, login):
    officer(world.fgj, "王一", start=dt.date(2024, 12, 10))  # two years on 2026-12-10, within 30 days
    body = html(login("fgj").get("/"))
    assert "王一尚无已签发的授权委托书（未授权上岗）" in body
    assert "王一的任期将于2026年12月10日满两年" in body


# --- a page costs a fixed number of queries --------------------------------------------------------


def _city(world, prefix, n):
    """n more departments, each with a former officer, a serving one with an item and a letter, and a report."""
    for k in range(n):
        with write(username="test") as w:
            dept = w.create(Department, code=f"{prefix}{k}", name=f"赤壁市测试{prefix}{k}局")
        old = officer(dept, f"旧{k}", start=dt.date(2024, 1, 1), end=dt.date(2025, 12, 31))
        new = officer(dept, f"新{k}", start=dt.date(2026, 1, 1))
        item = world.item(dept, f"事项{k}")
        assign([item], new)
        with write(username="test") as w:
            letter = w.create(Letter, number=f"赤首授〔2026〕{prefix}{k}号", year=2026, seq=len(prefix) * 100 + k,
                              department=dept, officer=new, state="已签发", issue_date=dt.date(2026, 1, 2))
            w.create(LetterItem, letter=letter, item=item, mode="终审", label=item.label, seq=1)
            w.create(TenureReport, department=dept, outgoing=old, incoming=new, effective_date=dt.date(2026, 1, 1),
                     handover="已交接", state="待确认")


def _queries(client, url, monkeypatch):
    from portal.db import db

    count = [0]
    original = db.obj.execute_sql

    def counting(sql, params=None, *args, **kwargs):
        count[0] += 1
        return original(sql, params, *args, **kwargs)

    monkeypatch.setattr(db.obj, "execute_sql", counting)
    try:
        assert client.get(url).status_code == 200, url
    finally:
        monkeypatch.setattr(db.obj, "execute_sql", original)
    return count[0]


def test_pages_cost_the_same_queries_for_a_small_and_a_larger_city(app, world, monkeypatch):
    _city(world, "a", 1)
    office, department = client_for(app, "office"), client_for(app, "gaj")
    pages = [(office, "/officers/overview"), (office, "/officers/?dept=a0"), (office, "/tenure/"),
             (department, "/officers/"), (department, "/tenure/")]
    officer(world.gaj, "公安一")
    small = [_queries(client, url, monkeypatch) for client, url in pages]
    _city(world, "bb", 4)
    officer(world.gaj, "公安二")
    assert [_queries(client, url, monkeypatch) for client, url in pages] == small
