"""The item list (事项清单): in-place editing with htmx, the rules at the field, bulk assignment,
isolation between departments, the leader's read-only access, submission, review, versions and their
differences, the deadline and the reminders."""
from __future__ import annotations

import datetime as dt
import re
from urllib.parse import unquote

import pytest

from portal import metrics, rules
from portal.audit import write
from portal.models import AuditLog, ItemList, Letter, LetterItem, ListRow, Officer, ServiceItem, Setting
from tests.conftest import HTMX, PASSWORD, count_queries, without_csrf

D = dt.date


# --- helpers -------------------------------------------------------------------------------------


def switch(client, username):
    """Log the test client in as another user."""
    client.post("/logout")
    response = client.post("/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def make_officer(dept, name="张三"):
    with write(username="test") as w:
        return w.create(Officer, department=dept, name=name, gender="男", term_start=D(2025, 1, 1))


def issue_letter(officer, items, seq=1):
    """An issued authorisation letter naming these items (rule 2 needs each 纳入 item in its officer's letter)."""
    with write(username="test") as w:
        letter = w.create(Letter, number=rules.letter_number(2026, seq), year=2026, seq=seq,
                          department=officer.department_id, officer=officer, state=rules.LETTER_ISSUED,
                          issue_date=D(2026, 1, 5))
        for n, item in enumerate(items):
            w.create(LetterItem, letter=letter, item=item, mode=item.mode, label=item.label, seq=n)
    return letter


def items_state(dept):
    """Everything about a department's items, to show that a refused action changed nothing."""
    return [tuple(i.__data__.items()) for i in ServiceItem.select().where(ServiceItem.department == dept).order_by(ServiceItem.id)]


def row_fields(**values):
    base = {"item_name": "食品经营许可", "sub_item_name": "食品经营许可证核发", "item_type": "行政许可",
            "inclusion": "纳入", "officer_id": "", "mode": "终审", "reason": "", "reason_note": ""}
    base.update(values)
    return base


def row_data(item_id, **values):
    """The in-place form of an existing row (its inputs carry the row's prefix)."""
    return {f"i{item_id}-{k}": v for k, v in row_fields(**values).items()}


def new_row(**values):
    """The in-place form of a new row."""
    return {f"new-{k}": v for k, v in row_fields(**values).items()}


@pytest.fixture
def gaj_items(world):
    a = world.item(world.gaj, "保安服务公司设立许可")
    b = world.item(world.gaj, "居民身份证核发", "居民身份证换领", item_type="行政确认", inclusion="待定")
    c = world.item(world.gaj, "公务用枪持枪证件核发", inclusion="未纳入", reason="涉及重大公共安全", reason_note="须集体研究")
    return a, b, c


# --- the list page ---------------------------------------------------------------------------------


def test_list_shows_attachment1_columns_and_the_counts(login, gaj_items):
    html = login("gaj").get("/items/").get_data(as_text=True)
    for label in ("序号", "实施部门", "事项名称", "办理项名称", "事项类型", "是否纳入", "首席服务员", "未纳入原因"):
        assert label in html
    assert "保安服务公司设立许可" in html and "居民身份证换领" in html
    # 1 纳入 of (3 − 1 exempt) → 50.0%
    assert "50.0%" in html and "纳入率" in html
    assert 'hx-trigger="items-changed from:body"' in html
    # Until the department has officers a 纳入 item shows 未指定.
    assert "未指定" in html


def test_filters_search_and_unassigned(login, world, gaj_items):
    officer = make_officer(world.gaj, "李四")
    unlettered = make_officer(world.gaj, "王五")
    lettered = world.item(world.gaj, "旅馆业特种行业许可证核发", officer=officer)
    world.item(world.gaj, "机动车登记", "机动车注册登记", officer=unlettered)
    world.item(world.gaj, "犬类准养证核发", officer=officer)  # added after the letter: not yet authorised
    issue_letter(officer, [lettered])
    client = login("gaj")

    def names(query):
        html = client.get("/items/?" + query).get_data(as_text=True)
        return {n for n in ("保安服务公司设立许可", "居民身份证换领", "公务用枪持枪证件核发", "旅馆业特种行业许可证核发",
                            "机动车注册登记", "犬类准养证核发") if n in html}

    assert names("inclusion=待定") == {"居民身份证换领"}
    assert names("type=行政确认") == {"居民身份证换领"}
    assert names("reason=涉及重大公共安全") == {"公务用枪持枪证件核发"}
    assert names("q=旅馆") == {"旅馆业特种行业许可证核发"}
    # 纳入 but not authorised (rule 2): no officer named, or not in that officer's issued letter.
    assert names("unassigned=1") == {"保安服务公司设立许可", "机动车注册登记", "犬类准养证核发"}
    html = client.get("/items/").get_data(as_text=True)
    assert html.count('class="tag tag-bad" title=') == 2 and "未指定" in html
    assert "纳入但未授权" in client.get("/items/counts").get_data(as_text=True)


def test_sorting_and_pagination(app, login, world):
    for n in range(5):
        world.item(world.gaj, f"事项{n}")
    app.config["PAGE_SIZE"] = 2
    client = login("gaj")
    html = client.get("/items/?sort=-seq").get_data(as_text=True)
    assert "事项4" in html and "事项3" in html and "事项0" not in html
    assert "第 1 / 3 页" in html
    assert "事项0" in client.get("/items/?sort=-seq&page=3").get_data(as_text=True)


def test_the_number_is_the_items_place_in_the_list_on_every_page_and_order(app, login, world):
    """序号 on the list page: unfiltered in list order it runs on from the page's place (no query); sorted
    or filtered it is still each item's place in the list, never its place on the page. A retired item
    takes none, and seq ties are broken by id as the list breaks them."""
    items = [world.item(world.gaj, f"事项{n}", seq=[3, 1, 2, 2, 5, 4][n]) for n in range(6)]
    with write(username="test") as w:
        w.update(items[4], retired=True)
    in_list = sorted((i for i in items if not i.retired), key=lambda i: (i.seq, i.id))
    place = {i.item_name: n for n, i in enumerate(in_list, 1)}
    app.config["PAGE_SIZE"] = 2
    client = login("gaj")

    def shown(query):
        html = client.get("/items/?" + query).get_data(as_text=True)
        return dict((name, int(n)) for n, name in re.findall(
            r'<td class="num">(\d+)</td>.*?(事项\d)', html, flags=re.S))

    seen = {}
    for page in (1, 2, 3):
        rows = shown(f"page={page}")
        assert list(rows.values()) == list(range(2 * page - 1, 2 * page + 1))[:len(rows)]
        seen.update(rows)
    assert seen == place
    for query in ("sort=-seq", "sort=item_name&page=2", "q=事项", "inclusion=纳入&page=2"):
        rows = shown(query)
        assert rows and all(place[name] == n for name, n in rows.items()), query


def test_page_costs_the_same_queries_for_few_or_many_items(app, login, world):
    client = login("gaj")
    officer = make_officer(world.gaj, "李四")

    def queries():
        with count_queries() as statements:
            assert client.get("/items/").status_code == 200
        return len(statements)

    issue_letter(officer, [world.item(world.gaj, "事项甲", officer=officer)])
    few = queries()
    for n in range(12):
        world.item(world.gaj, f"事项{n}", officer=officer)
    assert queries() == few


def test_the_figures_are_kept_until_the_next_write(app, login, gaj_items):
    """With the cache on (as outside the tests), a second view of the list runs neither the rule-2 query
    nor the counts; a write moves the data version and the figures follow it."""
    app.config["FIGURES_CACHE"] = True
    client = login("gaj")

    def view():
        with count_queries() as statements:
            html = client.get("/items/").get_data(as_text=True)
        return without_csrf(html), len(statements)

    first, cold = view()
    again, warm = view()
    assert again == first and warm == cold - 2
    assert '<span class="value">3</span><span class="label">事项总数</span>' in first
    client.post(f"/items/{gaj_items[0].id}/retire", headers=HTMX)
    html, _ = view()
    total = '<span class="value">2</span><span class="label">事项总数</span>'
    assert total in html and total in client.get("/items/counts").get_data(as_text=True)


def test_row_urls_are_url_for_s(app):
    from flask import url_for

    from portal.listing import RowUrl

    for base in ("http://localhost/", "http://localhost/门户/"):  # also under a prefix (SCRIPT_NAME)
        with app.test_request_context("/", base_url=base):
            for endpoint in ("items.detail", "items.edit_row", "items.retire", "items.restore"):
                row_url, ids = RowUrl(endpoint, "item_id"), (1, 42, RowUrl.MARKER)
                assert [row_url(i) for i in ids] == [url_for(endpoint, item_id=i) for i in ids]


# --- editing in place ------------------------------------------------------------------------------


def test_row_turns_into_a_form_and_saves_in_place(login, world, gaj_items):
    _, pending, _ = gaj_items
    client = login("gaj")
    form = client.get(f"/items/{pending.id}/edit", headers=HTMX)
    assert form.status_code == 200 and f'hx-put="/items/{pending.id}/row"' in form.get_data(as_text=True)
    response = client.put(f"/items/{pending.id}/row", headers=HTMX, data=row_data(
        pending.id, item_name="居民身份证核发", sub_item_name="居民身份证换领", item_type="行政确认", inclusion="纳入"))
    assert response.status_code == 200
    assert response.headers["HX-Trigger"] == "items-changed"
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith("<tr") and "居民身份证换领" in body
    saved = ServiceItem.get_by_id(pending.id)
    assert saved.inclusion == "纳入" and saved.mode == "终审"
    entry = AuditLog.for_record("service_item", pending.id).first()
    assert entry.action == "update" and entry.username == "gaj"
    # The counts fragment follows.
    assert "100.0%" in client.get("/items/counts").get_data(as_text=True)


def test_excluded_item_keeps_no_officer_and_included_keeps_no_reason(login, world, gaj_items):
    officer = make_officer(world.gaj, "李四")
    included, _, _ = gaj_items
    client = login("gaj")
    client.put(f"/items/{included.id}/row", headers=HTMX, data=row_data(
        included.id, item_name=included.item_name, sub_item_name=included.sub_item_name, inclusion="未纳入",
        officer_id=str(officer.id), reason="涉密", reason_note="涉及国家秘密"))
    saved = ServiceItem.get_by_id(included.id)
    assert saved.officer_id is None and saved.mode is None and saved.reason == "涉密"


@pytest.mark.parametrize("values, field, message", [
    ({"item_type": "行政处罚"}, "item_type", "事项类型须为"),
    ({"item_name": "  "}, "item_name", "请填写事项名称"),
    ({"sub_item_name": ""}, "sub_item_name", "请填写办理项名称"),
    ({"item_name": "长" * 201}, "item_name", "不能超过200个字"),
    ({"inclusion": "不知道"}, "inclusion", "是否纳入须为"),
    ({"inclusion": "未纳入", "reason": "", "reason_note": "说明"}, "reason", "未纳入的事项须选择原因"),
    ({"inclusion": "未纳入", "reason": "涉密", "reason_note": " "}, "reason_note", "须说明具体原因"),
    ({"inclusion": "纳入", "mode": ""}, "mode", "审批方式"),
    ({"sub_item_name": "居民身份证换领", "item_name": "居民身份证核发"}, "sub_item_name", "已有相同的办理项"),
])
def test_each_rule_refuses_the_row_with_the_error_next_to_the_field(login, world, gaj_items, values, field, message):
    item = gaj_items[0]
    before = items_state(world.gaj)
    values = {"item_name": item.item_name, "sub_item_name": item.sub_item_name, **values}
    response = login("gaj").put(f"/items/{item.id}/row", headers=HTMX, data=row_data(item.id, **values))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="i{item.id}-{field}-error"' in html and message in html
    assert 'aria-invalid="true"' in html and "未保存" in html
    assert "HX-Trigger" not in response.headers
    assert items_state(world.gaj) == before


def test_included_needs_a_serving_officer_once_the_department_has_one(login, world, gaj_items):
    make_officer(world.gaj, "李四")
    other = make_officer(world.fgj, "赵六")
    item = gaj_items[0]
    before = items_state(world.gaj)
    client = login("gaj")
    missing = client.put(f"/items/{item.id}/row", headers=HTMX, data=row_data(
        item.id, item_name=item.item_name, sub_item_name=item.sub_item_name))
    assert missing.status_code == 422 and "须指定本部门的首席服务员" in missing.get_data(as_text=True)
    foreign = client.put(f"/items/{item.id}/row", headers=HTMX, data=row_data(
        item.id, item_name=item.item_name, sub_item_name=item.sub_item_name, officer_id=str(other.id)))
    assert foreign.status_code == 422 and "不是本部门在任的首席服务员" in foreign.get_data(as_text=True)
    assert items_state(world.gaj) == before


def test_add_a_row_with_htmx_and_cancel_one(login, world, gaj_items):
    client = login("gaj")
    form = client.get("/items/new", headers=HTMX).get_data(as_text=True)
    assert 'hx-post="/items/"' in form and 'id="item-new"' in form
    assert client.get("/items/new?cancel=1", headers=HTMX).get_data(as_text=True) == ""
    response = client.post("/items/", headers=HTMX, data=new_row(item_name="犬类准养证核发", sub_item_name="犬类准养证核发",
                                                                  inclusion="待定", mode=""))
    assert response.status_code == 200 and response.headers["HX-Trigger"] == "items-changed"
    item = ServiceItem.get(ServiceItem.item_name == "犬类准养证核发")
    assert item.department_id == world.gaj.id and item.seq == 4 and item.inclusion == "待定"


def test_add_a_duplicate_row_is_refused(login, world, gaj_items):
    before = items_state(world.gaj)
    response = login("gaj").post("/items/", headers=HTMX, data=new_row(
        item_name="保安服务公司设立许可", sub_item_name="保安服务公司设立许可"))
    assert response.status_code == 422 and "已有相同的办理项" in response.get_data(as_text=True)
    assert items_state(world.gaj) == before


def test_names_are_normalised_so_pasted_spaces_and_brackets_do_not_duplicate(login, world):
    world.item(world.gaj, "户口迁移", "户口迁入（投靠）")
    before = items_state(world.gaj)
    response = login("gaj").post("/items/", headers=HTMX, data=new_row(
        item_name=" 户口迁移\n", sub_item_name="户口迁入(投靠) ", inclusion="待定", mode=""))
    assert response.status_code == 422
    assert items_state(world.gaj) == before


def test_add_on_its_own_page_without_htmx(login, world):
    client = login("gaj")
    assert "办理要素" in client.get("/items/new").get_data(as_text=True)
    bad = client.post("/items/", data={"item_name": "A", "sub_item_name": "A", "item_type": "行政许可",
                                       "inclusion": "待定", "legal_days": "5", "promised_days": "9"})
    assert bad.status_code == 422 and "承诺办结时限不能超过法定办结时限" in bad.get_data(as_text=True)
    assert ServiceItem.select().count() == 0
    ok = client.post("/items/", data={"item_name": "A", "sub_item_name": "A", "item_type": "行政许可",
                                      "inclusion": "待定", "legal_days": "20", "promised_days": "5", "kind": "承诺件"})
    item = ServiceItem.get()
    assert ok.status_code == 303 and ok.headers["Location"].endswith(f"/items/{item.id}")
    assert (item.legal_days, item.promised_days, item.kind) == (20, 5, "承诺件")


def test_retire_asks_first_and_restore_brings_it_back(login, world, gaj_items):
    item = gaj_items[0]
    client = login("gaj")
    assert "hx-confirm=" in client.get("/items/").get_data(as_text=True)
    response = client.post(f"/items/{item.id}/retire", headers=HTMX)
    assert response.status_code == 200 and response.headers["HX-Trigger"] == "items-changed"
    assert ServiceItem.get_by_id(item.id).retired
    assert "保安服务公司设立许可" not in client.get("/items/").get_data(as_text=True)
    assert "保安服务公司设立许可" in client.get("/items/?retired=1").get_data(as_text=True)
    # A retired item cannot be added again: it is restored instead.
    again = client.post("/items/", headers=HTMX, data=new_row(item_name=item.item_name, sub_item_name=item.sub_item_name))
    assert again.status_code == 422 and "已停用" in again.get_data(as_text=True)
    assert client.post(f"/items/{item.id}/restore").status_code == 302
    assert not ServiceItem.get_by_id(item.id).retired
    actions = [e.action for e in AuditLog.for_record("service_item", item.id)]
    assert actions[:2] == ["restore", "retire"]


def test_item_page_edits_the_optional_elements(login, world, gaj_items):
    item = gaj_items[0]
    client = login("gaj")
    html = client.get(f"/items/{item.id}").get_data(as_text=True)
    for label in ("事项编码", "设定依据", "法定办结时限", "承诺办结时限", "办件类型", "到现场次数", "申请材料", "办理地点/窗口"):
        assert label in html
    data = {"item_name": item.item_name, "sub_item_name": item.sub_item_name, "item_type": "行政许可",
            "inclusion": "纳入", "mode": "初审", "officer_id": "", "code": "11421281MB0000001", "basis": "《保安服务管理条例》",
            "legal_days": "20", "promised_days": "10", "kind": "承诺件", "visits": "1", "materials": "1. 申请书",
            "location": "政务服务中心 公安窗口", "seq": "7"}
    assert client.post(f"/items/{item.id}", data=data).status_code == 303
    saved = ServiceItem.get_by_id(item.id)
    assert (saved.code, saved.mode, saved.legal_days, saved.visits, saved.seq) == ("11421281MB0000001", "初审", 20, 1, 7)
    assert "法定办结时限" in client.get(f"/items/{item.id}").get_data(as_text=True)  # history lists the changes


@pytest.mark.parametrize("values, message", [
    ({"legal_days": "5", "promised_days": "10"}, "承诺办结时限不能超过法定办结时限"),
    ({"legal_days": "二十"}, "法定办结时限须为不小于0的整数"),
    ({"visits": "-1"}, "到现场次数须为不小于0的整数"),
    ({"seq": "abc"}, "序号须为不小于0的整数"),
    ({"kind": "特急件"}, "办件类型须为即办件或承诺件"),
    ({"code": "9" * 65}, "事项编码不能超过64个字"),
])
def test_item_page_refuses_bad_elements(login, world, gaj_items, values, message):
    item = gaj_items[0]
    before = items_state(world.gaj)
    data = {"item_name": item.item_name, "sub_item_name": item.sub_item_name, "item_type": "行政许可",
            "inclusion": "纳入", "mode": "终审", **values}
    response = login("gaj").post(f"/items/{item.id}", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and message in html and "error-summary" in html
    assert items_state(world.gaj) == before


# --- bulk assignment -----------------------------------------------------------------------------


def test_bulk_assignment_sets_officer_and_mode_of_all_selected(login, world, gaj_items):
    officer = make_officer(world.gaj, "李四")
    a, b, _ = gaj_items
    response = login("gaj").post("/items/assign", data={"ids": [a.id, b.id], "officer_id": officer.id, "mode": "初审",
                                                        "back": "/items/?inclusion=待定"})
    assert response.status_code == 302 and unquote(response.headers["Location"]) == "/items/?inclusion=待定"
    for item_id in (a.id, b.id):
        saved = ServiceItem.get_by_id(item_id)
        assert (saved.inclusion, saved.officer_id, saved.mode) == ("纳入", officer.id, "初审")


@pytest.mark.parametrize("case", ["nothing", "bad_officer", "no_mode", "foreign_item"])
def test_bulk_assignment_refused_changes_nothing(login, world, gaj_items, case):
    officer = make_officer(world.gaj, "李四")
    foreign_officer = make_officer(world.fgj, "赵六")
    foreign = world.item(world.fgj, "企业投资项目核准")
    a, b, _ = gaj_items
    data = {"ids": [a.id, b.id], "officer_id": officer.id, "mode": "终审"}
    if case == "nothing":
        data["ids"] = []
    elif case == "bad_officer":
        data["officer_id"] = foreign_officer.id
    elif case == "no_mode":
        data["mode"] = ""
    else:
        data["ids"] = [a.id, foreign.id]
    before, before_fgj = items_state(world.gaj), items_state(world.fgj)
    client = login("gaj")
    response = client.post("/items/assign", data=data)
    assert response.status_code == 302
    assert "未能批量指定" in client.get("/items/").get_data(as_text=True)
    assert items_state(world.gaj) == before and items_state(world.fgj) == before_fgj


def test_bulk_assignment_with_a_forged_id_is_a_bad_request(login, world, gaj_items):
    before = items_state(world.gaj)
    assert login("gaj").post("/items/assign", data={"ids": ["1 OR 1=1"], "mode": "终审"}).status_code == 400
    assert items_state(world.gaj) == before


# --- isolation and roles -------------------------------------------------------------------------


def test_another_departments_item_is_a_404_and_nothing_changes(login, world, gaj_items):
    item = gaj_items[0]
    before = items_state(world.gaj)
    client = login("fgj")
    assert client.get(f"/items/{item.id}").status_code == 404
    assert client.get(f"/items/{item.id}/edit", headers=HTMX).status_code == 404
    assert client.get(f"/items/{item.id}/row", headers=HTMX).status_code == 404
    assert client.put(f"/items/{item.id}/row", headers=HTMX, data=row_data(item.id, item_name="篡改")).status_code == 404
    assert client.post(f"/items/{item.id}", data={"item_name": "篡改"}).status_code == 404
    assert client.post(f"/items/{item.id}/retire").status_code == 404
    assert client.post(f"/items/{item.id}/restore").status_code == 404
    assert items_state(world.gaj) == before
    # ?dept= is ignored for a department user: they always see their own list.
    html = client.get("/items/?dept=gaj").get_data(as_text=True)
    assert "赤壁市发展和改革局" in html and "保安服务公司设立许可" not in html


def test_a_department_cannot_see_or_review_anothers_lists(login, world, gaj_items):
    client = login("gaj")
    client.post("/items/submit")
    item_list = ItemList.get()
    switch(client, "fgj")
    assert client.get(f"/items/versions/{item_list.id}").status_code == 404
    assert client.get(f"/items/diff?a={item_list.id}").status_code == 404
    assert client.get(f"/items/export?version={item_list.id}").status_code == 404
    assert client.get("/items/review").status_code == 403
    assert client.get(f"/items/review/{item_list.id}").status_code == 403
    assert client.post(f"/items/review/{item_list.id}/approve").status_code == 403
    assert client.post(f"/items/review/{item_list.id}/return", data={"comment": "x"}).status_code == 403
    assert "第1版" not in client.get("/items/versions").get_data(as_text=True)
    assert ItemList.get_by_id(item_list.id).state == "已报送"


def test_leader_reads_every_list_but_writes_nothing(login, world, gaj_items):
    client = login("gaj")
    client.post("/items/submit")
    item_list = ItemList.get()
    item = gaj_items[0]
    before = items_state(world.gaj)
    switch(client, "leader")
    assert "保安服务公司设立许可" in client.get("/items/?dept=gaj").get_data(as_text=True)
    assert "赤壁市公安局" in client.get("/items/").get_data(as_text=True)
    assert client.get(f"/items/{item.id}").status_code == 200
    assert client.get(f"/items/review/{item_list.id}").status_code == 200
    for method, url, data in [
        ("post", "/items/", new_row(item_name="X", sub_item_name="X")),
        ("put", f"/items/{item.id}/row", row_data(item.id, item_name="篡改")),
        ("post", f"/items/{item.id}", {"item_name": "篡改"}),
        ("post", f"/items/{item.id}/retire", {}),
        ("post", "/items/assign", {"ids": [item.id], "mode": "终审"}),
        ("post", "/items/import", {}),
        ("post", "/items/submit", {}),
        ("post", f"/items/review/{item_list.id}/approve", {}),
        ("post", f"/items/review/{item_list.id}/return", {"comment": "意见"}),
        ("post", "/items/deadline", {"year": "2026", "deadline": "2026-09-01"}),
    ]:
        assert getattr(client, method)(url, data=data).status_code == 403, url
    assert items_state(world.gaj) == before
    assert ItemList.get_by_id(item_list.id).state == "已报送"
    assert Setting.get_value("list_deadline_2026") is None


def test_office_reads_a_department_list_but_does_not_edit_items(login, world, gaj_items):
    item = gaj_items[0]
    client = login("office")
    html = client.get("/items/?dept=gaj").get_data(as_text=True)
    assert "保安服务公司设立许可" in html and "hx-get=\"/items/%d/edit\"" % item.id not in html
    assert client.put(f"/items/{item.id}/row", headers=HTMX, data=row_data(item.id, item_name="篡改")).status_code == 403
    assert client.get("/items/?dept=nope").status_code == 404


# --- submission, review, versions ------------------------------------------------------------------


def test_full_journey_submit_return_resubmit_approve_adjust_approve(login, world, gaj_items):
    included, pending, excluded = gaj_items
    client = login("gaj")
    assert "将要报送的清单" in client.get("/items/submit").get_data(as_text=True)
    assert client.post("/items/submit").status_code == 303
    first = ItemList.get()
    assert (first.revision, first.state, first.year, first.deadline) == (1, "已报送", 2026, D(2026, 8, 10))
    assert first.on_time is False  # 26 November is after 10 August
    assert ListRow.select().where(ListRow.item_list == first).count() == 3
    # The submitted version is frozen while the department keeps drafting.
    client.put(f"/items/{pending.id}/row", headers=HTMX, data=row_data(
        pending.id, item_name=pending.item_name, sub_item_name=pending.sub_item_name, item_type="行政确认"))
    assert ListRow.get(ListRow.item == pending.id).inclusion == "待定"
    # Only one list may wait at a time.
    client.post("/items/submit")
    assert ItemList.select().count() == 1
    assert "正在等待协调办审核" in client.get("/items/submit").get_data(as_text=True)

    switch(client, "office")
    assert "赤壁市公安局" in client.get("/items/review").get_data(as_text=True)
    assert "待审核" in client.get("/").get_data(as_text=True)
    page = client.get(f"/items/review/{first.id}").get_data(as_text=True)
    assert "审核通过并公示" in page and "本次为首次审核" in page
    empty = client.post(f"/items/review/{first.id}/return", data={"comment": "  "})
    assert empty.status_code == 422 and "请填写退回意见" in empty.get_data(as_text=True)
    assert ItemList.get_by_id(first.id).state == "已报送"
    client.post(f"/items/review/{first.id}/return", data={"comment": "居民身份证换领仍为待定，请明确后重新报送。"})
    assert ItemList.get_by_id(first.id).state == "已退回"
    # A reviewed list cannot be reviewed again.
    client.post(f"/items/review/{first.id}/approve")
    assert ItemList.get_by_id(first.id).state == "已退回"

    switch(client, "gaj")
    home = client.get("/").get_data(as_text=True)
    assert "居民身份证换领仍为待定，请明确后重新报送。" in home
    client.post("/items/submit")
    second = ItemList.get(ItemList.revision == 2)
    assert second.on_time is False and ListRow.get((ListRow.item_list == second) & (ListRow.item == pending.id)).inclusion == "纳入"

    switch(client, "office")
    client.post(f"/items/review/{second.id}/approve")
    second = ItemList.get_by_id(second.id)
    assert second.state == "已通过" and second.published and ItemList.published_for(world.gaj).id == second.id

    # Adjust (动态调整): one added, one retired, one changed; the published version stays public.
    switch(client, "gaj")
    client.post("/items/", headers=HTMX, data=new_row(item_name="犬类准养证核发", sub_item_name="犬类准养证核发",
                                                      item_type="行政许可", inclusion="纳入"))
    client.post(f"/items/{excluded.id}/retire", headers=HTMX)
    client.put(f"/items/{included.id}/row", headers=HTMX, data=row_data(
        included.id, item_name=included.item_name, sub_item_name=included.sub_item_name, mode="初审"))
    assert ItemList.published_for(world.gaj).id == second.id
    submit_page = client.get("/items/submit").get_data(as_text=True)
    assert "新增 1 项，删除 1 项，修改 1 项" in submit_page
    client.post("/items/submit")
    third = ItemList.get(ItemList.revision == 3)
    switch(client, "office")
    review = client.get(f"/items/review/{third.id}").get_data(as_text=True)
    assert "与上一通过版本（第2版）相比" in review and "犬类准养证核发" in review
    client.post(f"/items/review/{third.id}/approve")
    assert ItemList.published_for(world.gaj).id == third.id
    second = ItemList.get_by_id(second.id)
    assert second.state == "已通过" and not second.published  # kept whole, no longer the public one
    assert ListRow.select().where(ListRow.item_list == second).count() == 3

    switch(client, "gaj")
    html = client.get(f"/items/diff?a={second.id}&b={third.id}").get_data(as_text=True)
    assert ('新增 <strong>1</strong></li>' in html and '删除 <strong>1</strong></li>' in html
            and '修改 <strong>1</strong></li>' in html)
    assert "犬类准养证核发" in html and "公务用枪持枪证件核发" in html
    assert "审批方式" in html and "终审" in html and "初审" in html
    # Picked the other way round, the comparison still reads older → newer.
    assert without_csrf(html) == without_csrf(client.get(f"/items/diff?a={third.id}&b={second.id}").get_data(as_text=True))
    versions = client.get("/items/versions").get_data(as_text=True)
    assert "已通过·公示中" in versions and "已通过（历史版本）" in versions and "已退回" in versions


def test_a_too_long_return_comment_is_refused(login, world, gaj_items):
    client = login("gaj")
    client.post("/items/submit")
    item_list = ItemList.get()
    switch(client, "office")
    response = client.post(f"/items/review/{item_list.id}/return", data={"comment": "长" * 2001})
    assert response.status_code == 422 and "退回意见不能超过2000个字" in response.get_data(as_text=True)
    item_list = ItemList.get_by_id(item_list.id)
    assert item_list.state == "已报送" and item_list.review_comment == ""


def test_empty_list_cannot_be_submitted(login, world):
    client = login("gaj")
    client.post("/items/submit")
    assert ItemList.select().count() == 0
    assert "清单中还没有事项" in client.get("/items/submit").get_data(as_text=True)


def test_a_returned_list_is_not_the_list_so_its_resubmission_after_the_deadline_is_late(app, login, world, gaj_items):
    """逾期报送 (issue 17 §6): the list returned on 1 August was not the list; the one of 20 August is 10 days late,
    on the department's page, the office's overview and the dashboard alike."""
    app.config["FIXED_TODAY"] = D(2026, 8, 1)
    client = login("gaj")
    client.post("/items/submit")
    switch(client, "office")
    client.post(f"/items/review/{ItemList.get().id}/return", data={"comment": "请补充"})
    app.config["FIXED_TODAY"] = D(2026, 8, 20)
    switch(client, "gaj")
    assert "已逾期10天" in client.get("/items/submit").get_data(as_text=True)
    client.post("/items/submit")
    assert [lst.on_time for lst in ItemList.select().order_by(ItemList.revision)] == [True, False]
    page = client.get("/items/submit").get_data(as_text=True)
    assert "逾期报送</span>，逾期10天" in page
    switch(client, "office")
    assert "逾期报送</span> 逾期10天" in client.get("/items/review").get_data(as_text=True)
    figures = {d.code: d for d in metrics.compute(D(2026, 8, 20)).departments}
    assert (figures["gaj"].list_on_time, figures["gaj"].list_days_late) == (False, 10)


def test_an_adjustment_after_an_accepted_list_stays_on_time(app, login, world, gaj_items):
    app.config["FIXED_TODAY"] = D(2026, 8, 1)
    client = login("gaj")
    client.post("/items/submit")
    switch(client, "office")
    client.post(f"/items/review/{ItemList.get().id}/approve")
    app.config["FIXED_TODAY"] = D(2026, 9, 20)
    switch(client, "gaj")
    client.post("/items/submit")
    assert [lst.on_time for lst in ItemList.select().order_by(ItemList.revision)] == [True, True]
    assert "按时报送" in client.get("/items/submit").get_data(as_text=True)


def test_office_sets_the_deadline_and_submissions_are_judged_again(login, world, gaj_items):
    client = login("gaj")
    client.post("/items/submit")
    assert ItemList.get().on_time is False
    switch(client, "office")
    assert "2026年8月10日" in client.get("/items/deadline").get_data(as_text=True)
    response = client.post("/items/deadline", data={"year": "2026", "deadline": "2026-12-01"})
    assert response.status_code == 303
    assert Setting.list_deadline(2026) == D(2026, 12, 1)
    item_list = ItemList.get()
    assert item_list.on_time is True and item_list.deadline == D(2026, 12, 1)
    assert AuditLog.select().where(AuditLog.table == "setting").count() == 1


@pytest.mark.parametrize("data, message", [
    ({"year": "2026", "deadline": "2026/13/45"}, "请按“年-月-日”填写报送截止日期"),
    ({"year": "2026", "deadline": ""}, "请填写报送截止日期"),
    ({"year": "2026", "deadline": "2027-08-10"}, "截止日期须在2026年内"),
    ({"year": "1999", "deadline": "1999-08-10"}, "请选择年度"),
])
def test_bad_deadline_is_refused(login, world, data, message):
    response = login("office").post("/items/deadline", data=data)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert Setting.select().where(Setting.key.startswith("list_deadline")).count() == 0


def test_department_user_cannot_set_the_deadline(login, world):
    assert login("gaj").post("/items/deadline", data={"year": "2026", "deadline": "2026-09-01"}).status_code == 403
    assert Setting.get_value("list_deadline_2026") is None


# --- reminders -----------------------------------------------------------------------------------


def test_reminders_for_department_and_office(login, world, gaj_items):
    client = login("gaj")
    home = client.get("/").get_data(as_text=True)
    assert "2026年度事项清单已超过报送截止日期" in home and "已逾期" in home
    client.post("/items/submit")
    assert "已超过报送截止日期" not in client.get("/").get_data(as_text=True)
    switch(client, "office")
    home = client.get("/").get_data(as_text=True)
    assert "赤壁市公安局 报送的第1版事项清单待审核" in home
    assert "1个部门逾期未报送2026年度事项清单" in home  # fgj
    assert "清单审核 <span class=\"badge\">1</span>" in home
    switch(client, "leader")
    assert "事项清单待审核" not in client.get("/").get_data(as_text=True)


def test_office_overview_of_departments(login, world, gaj_items):
    html = login("office").get("/items/").get_data(as_text=True)
    assert "赤壁市公安局" in html and "赤壁市发展和改革局" in html and "逾期" in html


def test_approving_a_list_naming_an_officer_without_a_letter_asks_for_confirmation(login, world, gaj_items):
    """未授权上岗 (issue 17 §1): the office is told who and which items, and nothing is approved unconfirmed."""
    from tests.test_officers import assign, officer
    deng = officer(world.gaj, "邓卫东")
    assign([gaj_items[0]], deng)
    client = login("gaj")
    client.post("/items/submit")
    item_list = ItemList.get()
    switch(client, "office")
    page = client.get(f"/items/review/{item_list.id}").get_data(as_text=True)
    assert "邓卫东（没有现行有效的授权委托书）：保安服务公司设立许可" in page and "已知悉上述事项尚未授权" in page
    versions = AuditLog.select().count()
    refused = client.post(f"/items/review/{item_list.id}/approve")
    assert refused.status_code == 422 and "请勾选“已知悉”" in refused.get_data(as_text=True)
    assert ItemList.get_by_id(item_list.id).state == "已报送" and AuditLog.select().count() == versions
    done = client.post(f"/items/review/{item_list.id}/approve", data={"confirm_unauthorised": "1"})
    assert done.status_code in (302, 303) and ItemList.get_by_id(item_list.id).state == "已通过"
    # Published, the item is not presented as delegated.
    assert "授权办理中" in client.get("/public/departments/gaj").get_data(as_text=True)
