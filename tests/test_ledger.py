"""服务台账: isolation between departments, every bad input refused with its Chinese error and nothing
saved, promised dates in working days, the in-place status control, filters, export, overview,
the holiday list and the ledger's reminders."""
from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from portal import rules
from portal.audit import write
from portal.demo.ledger import credit_code
from portal.models import AuditLog, Holiday, Investor, Matter, Officer
from tests.conftest import HTMX, TODAY, World, count_queries, stored

def _valid(code17: str) -> str:
    total = sum(rules.CREDIT_CODE_CHARSET.index(c) * w for c, w in zip(code17, rules.CREDIT_CODE_WEIGHTS))
    return code17 + rules.CREDIT_CODE_CHARSET[(31 - total % 31) % 31]


CODE_A = _valid("91421281MA4ABCDE1")
CODE_B = _valid("91421281MA4FGHJK2")


counted_queries = count_queries


def officer(dept, name="张三", **extra):
    fields = dict(department=dept, name=name, gender="男", term_start=dt.date(2025, 1, 1), work_phone="0715-5200001",
                  mobile="13900000000", birth_date=dt.date(1980, 1, 2))
    return stored(Officer, **{**fields, **extra})


def investor(dept, name="湖北赤壁测试有限公司", code=CODE_A):
    return stored(Investor, department=dept, name=name, credit_code=code, contact="李四", phone="0715-5200002")


def matter(dept, inv, item, off=None, **extra):
    fields = dict(department=dept, investor=inv, project="测试项目", item=item, officer=off,
                  received_date=dt.date(2026, 11, 2), promised_date=dt.date(2026, 11, 16), status="已受理", visits=1)
    return stored(Matter, **{**fields, **extra})


@pytest.fixture
def city(world):
    """gaj and fgj, each with an item, an officer, an investor and a matter."""
    w = World()
    c = world
    c.gaj_item = w.item(world.gaj, "旅馆业特种行业许可证核发", promised_days=5, legal_days=20)
    c.fgj_item = w.item(world.fgj, "企业投资项目备案", promised_days=3, legal_days=10)
    c.gaj_officer = officer(world.gaj, "张警官")
    c.fgj_officer = officer(world.fgj, "王主任")
    c.gaj_investor = investor(world.gaj, "湖北赤壁旅馆管理有限公司", CODE_A)
    c.fgj_investor = investor(world.fgj, "湖北赤壁能源投资有限公司", CODE_B)
    c.gaj_matter = matter(world.gaj, c.gaj_investor, c.gaj_item, c.gaj_officer, project="城南旅馆开业")
    c.fgj_matter = matter(world.fgj, c.fgj_investor, c.fgj_item, c.fgj_officer, project="光伏电站备案")
    return c


def snapshot():
    """The ledger tables as they stand, to show that a refused request changed nothing."""
    return ([m.snapshot() for m in Matter.select().order_by(Matter.id)],
            [i.snapshot() for i in Investor.select().order_by(Investor.id)],
            AuditLog.select().count())


def matter_form(city, **changes):
    data = {"investor": str(city.gaj_investor.id), "project": "新建酒店", "item": str(city.gaj_item.id),
            "officer": str(city.gaj_officer.id), "received_date": "2026-11-20", "promised_date": "",
            "status": "已受理", "completed_date": "", "visits": "1", "handling": "窗口办", "notes": ""}
    data.update(changes)
    return data


# --- isolation ---------------------------------------------------------------------------------------


def test_department_sees_only_its_own_ledger(login, city):
    client = login("gaj")
    html = client.get("/ledger/?dept=fgj").get_data(as_text=True)  # ?dept is ignored for a department
    assert "城南旅馆开业" in html and "光伏电站备案" not in html
    investors = client.get("/ledger/investors").get_data(as_text=True)
    assert "湖北赤壁旅馆管理有限公司" in investors and "湖北赤壁能源投资有限公司" not in investors


FOREIGN = [
    ("get", "/ledger/matters/{fgj_matter}/edit", None),
    ("post", "/ledger/matters/{fgj_matter}/edit", {"project": "改掉"}),
    ("post", "/ledger/matters/{fgj_matter}/status", {"status": "办理中"}),
    ("get", "/ledger/investors/{fgj_investor}/edit", None),
    ("post", "/ledger/investors/{fgj_investor}/edit", {"name": "改掉", "credit_code": CODE_B}),
]


def test_another_departments_records_are_404_and_unchanged(login, city):
    client = login("gaj")
    before = snapshot()
    for method, url, data in FOREIGN:
        url = url.format(fgj_matter=city.fgj_matter.id, fgj_investor=city.fgj_investor.id)
        response = getattr(client, method)(url, data=data)
        assert response.status_code == 404, url
        assert "光伏电站备案" not in response.get_data(as_text=True)
        assert snapshot() == before, url


@pytest.mark.parametrize("user", ["office", "leader"])
def test_office_and_leader_read_any_ledger_but_write_none(login, city, user):
    client = login(user)
    html = client.get("/ledger/?dept=fgj").get_data(as_text=True)
    assert "光伏电站备案" in html and "城南旅馆开业" not in html
    assert "登记事项" not in html and 'name="status"' not in html.split("ledger-table")[-1]
    assert client.get("/ledger/").status_code == 302  # no department chosen: the city overview
    assert client.get("/ledger/?dept=nosuch").status_code == 404
    before = snapshot()
    assert client.post(f"/ledger/matters/{city.fgj_matter.id}/status", data={"status": "办理中"}).status_code == 403
    assert client.post("/ledger/matters/new", data=matter_form(city)).status_code == 403
    assert client.post("/ledger/investors/new", data={"name": "x", "credit_code": CODE_A}).status_code == 403
    assert snapshot() == before


def test_city_overview_is_for_the_office_and_the_leader(login, city):
    with write(username="test") as w:
        w.update(city.fgj_matter, promised_date=dt.date(2026, 11, 5))  # open and past its date: overdue
    html = login("office").get("/ledger/overview").get_data(as_text=True)
    assert "赤壁市公安局" in html and "赤壁市发展和改革局" in html
    assert "/ledger/?dept=fgj&amp;status=overdue" in html
    login("office").post("/logout")
    assert login("gaj").get("/ledger/overview").status_code == 403


# --- investors ---------------------------------------------------------------------------------------


def test_investor_is_added_with_a_valid_credit_code_in_capitals(login, city):
    client = login("gaj")
    code = _valid("91421281MA4QWERT1")
    response = client.post("/ledger/investors/new", data={"name": "湖北赤壁新茶业有限公司", "credit_code": code.lower(),
                                                         "contact": "赵六", "phone": "0715-5201111"})
    assert response.status_code == 303
    saved = Investor.get(Investor.name == "湖北赤壁新茶业有限公司")
    assert saved.credit_code == code and saved.department_id == city.gaj.id


BAD_INVESTORS = [
    ({"name": "甲公司", "credit_code": CODE_A[:-1] + ("0" if CODE_A[-1] != "0" else "1")}, "统一社会信用代码校验位错误"),
    ({"name": "甲公司", "credit_code": "91421281MA4ABC"}, "统一社会信用代码应为18位，当前为14位"),
    ({"name": "甲公司", "credit_code": "91421281MA4ABCDEI" + "1"}, "统一社会信用代码含有非法字符：I"),
    ({"name": "甲公司", "credit_code": ""}, "请填写统一社会信用代码"),
    ({"name": "", "credit_code": CODE_B}, "请填写企业（投资者）名称"),
    ({"name": "重复公司", "credit_code": CODE_A}, "本部门台账中已有该统一社会信用代码的企业：湖北赤壁旅馆管理有限公司"),
    ({"name": "名" * 201, "credit_code": CODE_B}, "名称不能超过200个字"),
    ({"name": "甲公司", "credit_code": CODE_B, "contact": "联" * 41}, "联系人不能超过40个字"),
    ({"name": "甲公司", "credit_code": CODE_B, "phone": "1" * 41}, "联系电话不能超过40个字符"),
]


def test_bad_investor_input_is_refused_and_nothing_saved(login, city):
    client = login("gaj")
    before = snapshot()
    for data, message in BAD_INVESTORS:
        urls = ["/ledger/investors/new"]
        if "重复公司" not in data["name"]:  # on its own record, its own code is no clash
            urls.append(f"/ledger/investors/{city.gaj_investor.id}/edit")
        for url in urls:
            response = client.post(url, data=data)
            assert response.status_code == 422, (url, data)
            html = response.get_data(as_text=True)
            assert message in html and "error-summary" in html, (url, message)
            assert snapshot() == before, (url, data)


def test_the_same_code_may_be_in_another_departments_ledger(login, city):
    response = login("gaj").post("/ledger/investors/new", data={"name": "湖北赤壁能源投资有限公司", "credit_code": CODE_B})
    assert response.status_code == 303
    assert Investor.select().where(Investor.credit_code == CODE_B).count() == 2


def test_editing_an_investor_keeps_its_own_code(login, city):
    client = login("gaj")
    response = client.post(f"/ledger/investors/{city.gaj_investor.id}/edit",
                           data={"name": "湖北赤壁旅馆管理集团有限公司", "credit_code": CODE_A})
    assert response.status_code == 303
    assert Investor.get_by_id(city.gaj_investor.id).name == "湖北赤壁旅馆管理集团有限公司"


def test_investors_are_searched_by_name_or_code(login, city):
    investor(city.gaj, "湖北赤壁另一家有限公司", _valid("91421281MA4WXYTR3"))
    client = login("gaj")
    by_name = client.get("/ledger/investors?q=旅馆").get_data(as_text=True)
    assert "湖北赤壁旅馆管理有限公司" in by_name and "湖北赤壁另一家有限公司" not in by_name
    by_code = client.get("/ledger/investors?q=" + _valid("91421281MA4WXYTR3").lower()).get_data(as_text=True)
    assert "湖北赤壁另一家有限公司" in by_code and "湖北赤壁旅馆管理有限公司" not in by_code


def test_demo_credit_codes_are_valid():
    import random

    rng = random.Random(1)
    for _ in range(200):
        code = credit_code(rng)
        assert rules.credit_code_error(code) is None, code


# --- matters -----------------------------------------------------------------------------------------


def test_matter_promised_date_defaults_to_working_days_after_received(login, city):
    with write(username="test") as w:  # the Monday after is a holiday: it does not count
        w.create(Holiday, day=dt.date(2026, 11, 23), name="测试假日")
    response = login("gaj").post("/ledger/matters/new", data=matter_form(city, received_date="2026-11-20"))
    assert response.status_code == 302, response.get_data(as_text=True)
    saved = Matter.get(Matter.project == "新建酒店")
    # Fri 20th + 5 working days, skipping the weekend and Monday the 23rd: Mon 30th.
    assert saved.promised_date == dt.date(2026, 11, 30)
    assert saved.promised_date == rules.add_working_days(dt.date(2026, 11, 20), 5, *Holiday.calendar())
    assert saved.department_id == city.gaj.id and saved.officer_id == city.gaj_officer.id


def test_finished_matter_is_recorded_with_its_completion_date(login, city):
    response = login("gaj").post("/ledger/matters/new", data=matter_form(
        city, status="已办结", completed_date="2026-11-24", promised_date="2026-11-27", visits="0", handling="代办"))
    assert response.status_code == 302
    saved = Matter.get(Matter.project == "新建酒店")
    assert (saved.status, saved.completed_date, saved.handling, saved.visits) == ("已办结", dt.date(2026, 11, 24), "代办", 0)


BAD_MATTERS = [
    ({"promised_date": "2026-11-19"}, "承诺办结日期不能早于受理日期"),
    ({"status": "已办结", "completed_date": "2026-11-19", "promised_date": "2026-11-27"}, "办结日期不能早于受理日期"),
    ({"status": "已办结", "completed_date": ""}, "已办结的事项须填写办结日期"),
    ({"status": "办理中", "completed_date": "2026-11-24"}, "尚未办结或退回的事项不应填写办结日期"),
    ({"status": "已办结", "completed_date": "2026-12-24"}, "办结日期不能晚于今天"),
    ({"received_date": "2026-12-01"}, "受理日期不能晚于今天"),
    ({"received_date": "2024-12-31"}, "受理日期不能早于制度实施日期（2025-01-01）"),
    ({"received_date": ""}, "请填写受理日期"),
    ({"received_date": "2026-02-30"}, "请按“年-月-日”填写受理日期"),
    ({"promised_date": "下周一"}, "请按“年-月-日”填写承诺办结日期"),
    ({"status": "已办结", "completed_date": "昨天"}, "请按“年-月-日”填写办结日期"),
    ({"project": "项" * 201}, "项目名称不能超过200个字"),
    ({"item": "FGJ"}, "所选事项不是本部门在用的服务事项"),
    ({"item": ""}, "请选择服务事项"),
    ({"investor": "FGJ_INVESTOR"}, "所选企业不在本部门台账中"),
    ({"officer": "FGJ_OFFICER"}, "所选人员不是本部门的首席服务员"),
    ({"officer": ""}, "请选择办理该事项的首席服务员"),
    ({"visits": "-1"}, "跑动次数须为0到99之间的整数"),
    ({"visits": "两次"}, "跑动次数须为0到99之间的整数"),
    ({"handling": "快递办"}, "办理方式须为：窗口办、网上办、代办、上门办"),
    ({"status": "已作废"}, "状态须为：已受理、办理中、已办结、已退回"),
    ({"project": ""}, "请填写项目名称"),
    ({"notes": "注" * 1001}, "备注不能超过1000个字"),
]


def test_bad_matter_input_is_refused_and_nothing_saved(login, city):
    ids = {"FGJ": str(city.fgj_item.id), "FGJ_INVESTOR": str(city.fgj_investor.id), "FGJ_OFFICER": str(city.fgj_officer.id)}
    client = login("gaj")
    before = snapshot()
    for changes, field_message in BAD_MATTERS:
        changes = {k: ids.get(v, v) for k, v in changes.items()}
        # A new matter and the same input on an existing one: both refused, nothing saved.
        for url in ("/ledger/matters/new", f"/ledger/matters/{city.gaj_matter.id}/edit"):
            response = client.post(url, data=matter_form(city, **changes))
            assert response.status_code == 422, (url, changes)
            html = response.get_data(as_text=True)
            assert field_message in html and "error-summary" in html, (url, field_message)
            assert snapshot() == before, (url, changes)


def test_retired_items_are_not_offered_for_new_matters(login, city):
    retired = World().item(city.gaj, "已停用事项", promised_days=5, retired=True)
    client = login("gaj")
    assert "已停用事项" not in client.get("/ledger/matters/new").get_data(as_text=True)
    before = snapshot()
    response = client.post("/ledger/matters/new", data=matter_form(city, item=str(retired.id)))
    assert response.status_code == 422 and snapshot() == before


def test_item_without_promised_days_needs_a_promised_date(login, city):
    item = World().item(city.gaj, "无承诺时限事项")
    before = snapshot()
    response = login("gaj").post("/ledger/matters/new", data=matter_form(city, item=str(item.id)))
    assert response.status_code == 422
    assert "该事项未设定承诺办结时限，请填写承诺办结日期" in response.get_data(as_text=True)
    assert snapshot() == before


def test_editing_a_matter_saves_and_logs_it(login, city):
    client = login("gaj")
    page = client.get(f"/ledger/matters/{city.gaj_matter.id}/edit").get_data(as_text=True)
    assert "城南旅馆开业" in page
    response = client.post(f"/ledger/matters/{city.gaj_matter.id}/edit",
                           data=matter_form(city, project="城南旅馆开业（改）", received_date="2026-11-02",
                                            promised_date="2026-11-16"))
    assert response.status_code == 302
    assert Matter.get_by_id(city.gaj_matter.id).project == "城南旅馆开业（改）"
    assert AuditLog.for_record("matter", city.gaj_matter.id).first().action == "update"


# --- the status control ------------------------------------------------------------------------------


def test_status_moves_on_in_place_with_htmx(login, city):
    client = login("gaj")
    response = client.post(f"/ledger/matters/{city.gaj_matter.id}/status", data={"status": "办理中"}, headers=HTMX)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith("<tr") and "办理中" in html
    assert "ledger-changed" in response.headers["HX-Trigger"]
    response = client.post(f"/ledger/matters/{city.gaj_matter.id}/status",
                           data={"status": "已办结", "completed_date": "2026-11-13"}, headers=HTMX)
    assert response.status_code == 200
    saved = Matter.get_by_id(city.gaj_matter.id)
    assert (saved.status, saved.completed_date) == ("已办结", dt.date(2026, 11, 13))
    assert 'name="status"' not in response.get_data(as_text=True)  # finished: no further control


BAD_STATUS = [
    ("办理中", {"status": "已办结", "completed_date": ""}, "请填写办结日期"),
    ("办理中", {"status": "已办结", "completed_date": "2026-11-01"}, "办结日期不能早于受理日期（2026-11-02）"),
    ("办理中", {"status": "已办结", "completed_date": "2026-11-27"}, "办结日期不能晚于今天"),
    ("办理中", {"status": "已办结", "completed_date": "2026/11/13"}, "请按“年-月-日”填写办结日期"),
    ("办理中", {"status": "已退回", "completed_date": ""}, "请填写退回日期"),
    ("办理中", {"status": "已受理"}, "不能将「办理中」改为「已受理」"),
    ("已办结", {"status": "办理中"}, "不能将「已办结」改为「办理中」"),
    ("已退回", {"status": "已办结", "completed_date": "2026-11-13"}, "不能将「已退回」改为「已办结」"),
    ("已受理", {"status": "作废"}, "不能将「已受理」改为「作废」"),
]


def test_bad_status_change_shows_the_error_in_the_row_and_changes_nothing(login, city):
    client = login("gaj")
    for start, data, message in BAD_STATUS:
        with write(username="test") as w:
            w.update(city.gaj_matter, status=start,
                     completed_date=dt.date(2026, 11, 10) if start in ("已办结", "已退回") else None)
        before = snapshot()
        response = client.post(f"/ledger/matters/{city.gaj_matter.id}/status", data=data, headers=HTMX)
        assert response.status_code == 422, (start, data)
        assert message in response.get_data(as_text=True), message
        assert snapshot() == before, (start, data)


def test_status_change_without_htmx_redirects_with_a_message(login, city):
    client = login("gaj")
    response = client.post(f"/ledger/matters/{city.gaj_matter.id}/status", data={"status": "已退回", "completed_date": "2026-11-05"})
    assert response.status_code == 303
    assert Matter.get_by_id(city.gaj_matter.id).status == "已退回"


# --- figures, filters, overdue -----------------------------------------------------------------------


def test_overdue_matters_are_flagged_counted_and_filtered(login, city):
    # gaj_matter: received 2 Nov, promised 16 Nov, still open on 26 Nov → 逾期
    matter(city.gaj, city.gaj_investor, city.gaj_item, city.gaj_officer, project="准时办结的项目",
           status="已办结", completed_date=dt.date(2026, 11, 10), visits=1)
    matter(city.gaj, city.gaj_investor, city.gaj_item, city.gaj_officer, project="还没到期的项目",
           received_date=dt.date(2026, 11, 25), promised_date=dt.date(2026, 12, 2), handling="网上办", visits=0)
    client = login("gaj")
    html = client.get("/ledger/").get_data(as_text=True)
    assert "逾期" in html
    figures = client.get("/ledger/figures").get_data(as_text=True)
    assert "100.0%" in figures  # on time, and one visit
    overdue = client.get("/ledger/?status=overdue").get_data(as_text=True)
    assert "城南旅馆开业" in overdue and "还没到期的项目" not in overdue and "准时办结的项目" not in overdue


def test_filters_by_item_officer_month_and_text(login, city):
    other_item = World().item(city.gaj, "公章刻制业特种行业许可证核发", promised_days=5)
    other_officer = officer(city.gaj, "李警官")
    matter(city.gaj, city.gaj_investor, other_item, other_officer, project="刻章店开业",
           received_date=dt.date(2026, 10, 12), promised_date=dt.date(2026, 10, 19))
    client = login("gaj")
    by_item = client.get(f"/ledger/?item={other_item.id}").get_data(as_text=True)
    assert "刻章店开业" in by_item and "城南旅馆开业" not in by_item
    by_officer = client.get(f"/ledger/?officer={city.gaj_officer.id}").get_data(as_text=True)
    assert "城南旅馆开业" in by_officer and "刻章店开业" not in by_officer
    by_month = client.get("/ledger/?month=2026-10").get_data(as_text=True)
    assert "刻章店开业" in by_month and "城南旅馆开业" not in by_month
    by_text = client.get("/ledger/?q=刻章").get_data(as_text=True)
    assert "刻章店开业" in by_text and "城南旅馆开业" not in by_text
    nonsense = client.get("/ledger/?month=abc&item=x&officer=y&status=zzz&sort=nope")
    assert nonsense.status_code == 200 and "刻章店开业" in nonsense.get_data(as_text=True)


def test_ledger_page_costs_the_same_queries_for_many_matters(login, city):
    client = login("gaj")
    client.get("/ledger/")
    with counted_queries() as few:
        client.get("/ledger/")
    for n in range(25):
        matter(city.gaj, city.gaj_investor, city.gaj_item, city.gaj_officer, project=f"项目{n}")
    with counted_queries() as many:
        assert client.get("/ledger/").status_code == 200
    assert len(many) == len(few)


# --- export --------------------------------------------------------------------------------------------


def test_export_is_an_xlsx_with_the_filtered_rows_and_formula_text_kept(login, city):
    with write(username="test") as w:
        w.update(city.gaj_matter, notes="=HYPERLINK(\"http://x\")")
    client = login("gaj")
    response = client.get("/ledger/export")
    assert response.status_code == 200
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    assert "%E6%9C%8D%E5%8A%A1%E5%8F%B0%E8%B4%A6" in response.headers["Content-Disposition"]  # 服务台账
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    values = [c.value for row in sheet.iter_rows() for c in row]
    assert "城南旅馆开业" in values and "光伏电站备案" not in values
    assert "逾期" in values
    assert '=HYPERLINK("http://x")' in values  # a string cell as typed, no apostrophe
    empty = openpyxl.load_workbook(io.BytesIO(client.get("/ledger/export?status=已退回").data)).active
    assert "城南旅馆开业" not in [c.value for row in empty.iter_rows() for c in row]


def test_office_exports_the_whole_city(login, city):
    sheet = openpyxl.load_workbook(io.BytesIO(login("office").get("/ledger/export").data)).active
    values = [c.value for row in sheet.iter_rows() for c in row]
    assert "城南旅馆开业" in values and "光伏电站备案" in values and "赤壁市公安局" in values


# --- holidays ------------------------------------------------------------------------------------------


def test_office_adds_and_removes_holidays(login, world):
    client = login("office")
    response = client.post("/ledger/holidays", data={"day": "2026-12-31", "kind": "off", "name": "测试假日"})
    assert response.status_code == 303
    day = Holiday.get(Holiday.day == dt.date(2026, 12, 31))
    assert not day.is_workday
    assert client.post("/ledger/holidays", data={"day": "2026-12-27", "kind": "on", "name": "调休"}).status_code == 303
    assert dt.date(2026, 12, 27) in Holiday.calendar()[1]
    page = client.get("/ledger/holidays?year=2026").get_data(as_text=True)
    assert "测试假日" in page and "data-confirm" in page
    assert client.post(f"/ledger/holidays/{day.id}/delete").status_code == 303
    assert Holiday.get_or_none(Holiday.day == dt.date(2026, 12, 31)) is None
    assert AuditLog.select().where((AuditLog.table == "holiday") & (AuditLog.action == "delete")).count() == 1


BAD_HOLIDAYS = [
    ({"day": "2026-10-01", "kind": "off", "name": "重复"}, "该日期已在节假日安排中"),
    ({"day": "2026-12-30", "kind": "on", "name": "调休"}, "调休上班日应为周六或周日"),
    ({"day": "", "kind": "off", "name": "无日期"}, "请填写日期"),
    ({"day": "2026-13-01", "kind": "off", "name": "坏日期"}, "请按“年-月-日”填写日期"),
    ({"day": "2026-12-31", "kind": "off", "name": ""}, "请填写名称"),
    ({"day": "2026-12-31", "kind": "maybe", "name": "x"}, "类型须为法定节假日或调休上班日"),
    ({"day": "2026-12-31", "kind": "off", "name": "节" * 41}, "名称不能超过40个字"),
]


def test_bad_holiday_input_is_refused(login, world):
    with write(username="test") as w:
        w.create(Holiday, day=dt.date(2026, 10, 1), name="国庆节")
    client = login("office")
    before = list(Holiday.select().tuples())
    for data, message in BAD_HOLIDAYS:
        response = client.post("/ledger/holidays", data=data)
        assert response.status_code == 422, data
        assert message in response.get_data(as_text=True), message
        assert list(Holiday.select().tuples()) == before


@pytest.mark.parametrize("user", ["gaj", "leader"])
def test_only_the_office_edits_holidays(login, world, user):
    client = login(user)
    assert client.post("/ledger/holidays", data={"day": "2026-12-31", "kind": "off", "name": "x"}).status_code == 403
    assert Holiday.select().count() == 0


# --- reminders -----------------------------------------------------------------------------------------


def test_department_is_reminded_of_overdue_matters(login, city):
    html = login("gaj").get("/").get_data(as_text=True)
    assert "1件台账事项已超过承诺办结日期" in html
    assert "/ledger/?status=overdue" in html


def test_the_office_is_reminded_of_overdue_matters_across_the_city(login, city):
    from portal.models import Matter

    html = login("office").get("/").get_data(as_text=True)
    assert "全市2个部门共有2件台账事项超过承诺办结日期仍未办结" in html
    assert "/ledger/overview?sort=-overdue" in html
    Matter.update(status="已办结", completed_date=TODAY).where(Matter.promised_date < TODAY).execute()
    assert "台账事项超过承诺办结日期" not in login("office").get("/").get_data(as_text=True)


def test_a_department_is_not_shown_the_citys_overdue_matters(login, city):
    html = login("fgj").get("/").get_data(as_text=True)
    assert "1件台账事项已超过承诺办结日期" in html and "部门共有" not in html


def test_reminder_deadline_is_a_date(app, city):
    from portal.ledger.reminders import overdue_matters
    from portal.models import User

    with app.test_request_context():
        (r,) = overdue_matters(User.get(User.username == "gaj"), TODAY)
    assert r.deadline == dt.date(2026, 11, 16) and r.overdue and r.count == 1


def test_more_than_one_visit_saves_with_the_plans_warning_and_counts_against_one_visit(login, city):
    """超过最多跑一次: a warning, not a refusal; the finished matter is not a one-visit matter."""
    client = login("gaj")
    form = client.get("/ledger/matters/new").get_data(as_text=True)
    assert 'data-warn-above="1" hidden' in form  # the note waits for the number typed
    response = client.post("/ledger/matters/new", follow_redirects=True, data=matter_form(
        city, status="已办结", completed_date="2026-11-24", promised_date="2026-11-27", visits="3"))
    html = response.get_data(as_text=True)
    assert "跑动次数为3次，超过“最多跑一次”" in html
    assert "超过最多跑一次</span>" in html  # the row says so too
    saved = Matter.get(Matter.project == "新建酒店")
    assert saved.visits == 3
    assert rules.matter_one_visit(saved.status, saved.visits) is False
    edit = client.get(f"/ledger/matters/{saved.id}/edit").get_data(as_text=True)
    assert 'data-warn-above="1" hidden' not in edit and "超过“最多跑一次”：跑动次数多于1次" in edit


def test_one_visit_saves_without_the_warning(login, city):
    html = login("gaj").post("/ledger/matters/new", follow_redirects=True, data=matter_form(
        city, visits="1")).get_data(as_text=True)
    assert "超过“最多跑一次”：该事项" not in html


# --- history keeps its names (issue 17 §2) ---------------------------------------------------------------


def test_a_renamed_item_does_not_rewrite_the_ledger(login, city):
    client = login("gaj")
    assert client.post("/ledger/matters/new", data=matter_form(city, project="七月的项目")).status_code == 302
    july = Matter.get(Matter.project == "七月的项目")
    assert july.item_name == "旅馆业特种行业许可证核发"
    with write(username="test") as w:
        w.update(city.gaj_item, item_name="旅馆业特种行业许可证核发（含民宿）", sub_item_name="旅馆业特种行业许可证核发（含民宿）")
    page = client.get("/ledger/").get_data(as_text=True)
    row = next(tr for tr in page[page.index("<tbody"):].split("<tr") if "七月的项目" in tr)
    assert "旅馆业特种行业许可证核发" in row and "（现名：旅馆业特种行业许可证核发（含民宿））" in row, row
    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/ledger/export").data)).active
    exported = next([c.value for c in r] for r in sheet.iter_rows() if "七月的项目" in [c.value for c in r])
    assert "旅馆业特种行业许可证核发" in exported and "旅馆业特种行业许可证核发（含民宿）" not in exported
    # Saving the matter again keeps the name it was recorded with; a new matter takes today's.
    assert client.post(f"/ledger/matters/{july.id}/edit", data=matter_form(city, project="七月的项目",
                                                                            notes="补记")).status_code == 302
    assert Matter.get_by_id(july.id).item_name == "旅馆业特种行业许可证核发"
    client.post("/ledger/matters/new", data=matter_form(city, project="十二月的项目"))
    assert Matter.get(Matter.project == "十二月的项目").item_name == "旅馆业特种行业许可证核发（含民宿）"
