"""Version comparison that a reviewer can trust (issue 17 §3): rows matched by the item's identity (a
rename is one 修改 with the old and new name), texts compared and stored tidied (a save with no real
change writes nothing), counts at the top, unchanged rows hidden and shown again, and each changed
cell's before and after."""
from __future__ import annotations

import re

from portal.audit import write
from portal.models import AuditLog, DataVersion, ItemList, ServiceItem
from tests.conftest import HTMX
from tests.test_items import switch
from tests.crawl import FormParser, demo_city, demo_client


def _publish(client, dept_code="gaj"):
    """Submit gaj's list and approve it as the office; back as gaj. Returns the approved list."""
    assert client.post("/items/submit").status_code in (302, 303)
    item_list = ItemList.select().order_by(ItemList.id.desc()).get()
    switch(client, "office")
    assert client.post(f"/items/review/{item_list.id}/approve").status_code in (302, 303)
    switch(client, dept_code)
    return item_list


def _state():
    return AuditLog.select().count(), DataVersion.current(), ItemList.select().count()


def _items(world):
    a = world.item(world.gaj, "旅馆业特种行业许可证核发", inclusion="待定",
                   materials="一、申请书 \n二、营业执照", basis="《旅馆业治安管理办法》", location="二楼 3 号窗口 ")
    b = world.item(world.gaj, "易制毒化 学品购买许可", inclusion="待定", code="11421281MB1234567A")
    c = world.item(world.gaj, "公章刻制备案", inclusion="待定")
    return a, b, c


def test_a_rename_is_one_change_with_the_old_and_the_new_name(login, world):
    a, b, c = _items(world)
    client = login("gaj")
    published = _publish(client)
    data = {"item_name": "旅馆业特种行业许可证核发（新）", "sub_item_name": a.sub_item_name, "item_type": a.item_type,
            "inclusion": a.inclusion, "officer_id": "", "mode": "", "reason": "", "reason_note": ""}
    response = client.put(f"/items/{a.id}/row", headers=HTMX, data={f"i{a.id}-{k}": v for k, v in data.items()})
    assert response.status_code == 200, response.get_data(as_text=True)[:1000]
    html = client.get(f"/items/diff?a={published.id}&b=draft").get_data(as_text=True)
    assert "新增 <strong>0</strong>" in html and "删除 <strong>0</strong>" in html and "修改 <strong>1</strong>" in html
    assert "未变化 <strong>2</strong>" in html
    # The cell shows its before and after.
    before = re.search(r'<del class="before">.*?</del>', html, re.S).group(0)
    after = re.search(r'<ins class="after">.*?</ins>', html, re.S).group(0)
    assert "旅馆业特种行业许可证核发" in before and "旅馆业特种行业许可证核发（新）" in after
    # The office's review page of the next submission says the same.
    client.post("/items/submit")
    third = ItemList.select().order_by(ItemList.id.desc()).get()
    switch(client, "office")
    review = client.get(f"/items/review/{third.id}").get_data(as_text=True)
    assert "修改 <strong>1</strong>" in review and "删除 <strong>0</strong>" in review


def test_an_item_with_a_code_is_matched_by_its_code(login, world):
    """Two versions whose rows name no common item id (a list rebuilt) still pair by 事项编码."""
    from portal.items import service
    a, b, c = _items(world)
    old = [service.as_dict(i) for i in (a, b, c)]
    new = [dict(row) for row in old]
    new[1].update(item_id=None, item_name="易制毒化学品购买许可（更名）")
    new[0].update(item_id=None)  # no code: matched by its names
    result = service.diff([], [])
    from portal import rules
    result = rules.compare_versions(old, new, service.DIFF_FIELDS)
    assert [r["state"] for r in result["rows"]] == ["unchanged", "changed", "unchanged"]
    assert result["changed"][0]["changes"] == [("item_name", "易制毒化 学品购买许可", "易制毒化学品购买许可（更名）")]


def test_unchanged_rows_are_hidden_and_shown_again(login, world):
    a, b, c = _items(world)
    client = login("gaj")
    published = _publish(client)
    with write(username="test") as w:
        w.update(ServiceItem.get_by_id(c.id), mode=None, item_type="行政确认")
    html = client.get(f"/items/diff?a={published.id}&b=draft").get_data(as_text=True)
    assert "公章刻制备案" in html and "旅馆业特种行业许可证核发" not in html  # unchanged: hidden
    link = re.search(r'href="([^"]*unchanged=show[^"]*)"[^>]*>显示未变化的 2 项', html)
    assert link, "no link to show the unchanged rows"
    shown = client.get(link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert "旅馆业特种行业许可证核发" in shown and 'class="unchanged"' in shown and "隐藏未变化的 2 项" in shown
    hide = re.search(r'href="([^"]*)"[^>]*>隐藏未变化的 2 项', shown).group(1).replace("&amp;", "&")
    assert "unchanged" not in hide
    assert "旅馆业特种行业许可证核发" not in client.get(hide).get_data(as_text=True)
    # The changed cell: 事项类型 before and after.
    assert re.search(r'<del class="before">.*?行政许可</del>\s*<ins class="after">.*?行政确认</ins>', html, re.S)


def _page_form(html: str, action: str) -> dict:
    parser = FormParser()
    parser.feed(html)
    form = next(f for f in parser.forms if f["action"] in (action, "") and f["method"] == "post" and f["types"])
    values = dict(form["values"])
    for name, kind in form["types"].items():
        if kind == "textarea":  # what a browser sends: the leading newline dropped, CRLF line ends
            values[name] = values[name].lstrip("\r\n").replace("\r\n", "\n").replace("\n", "\r\n")
    return values


def test_saving_an_unedited_item_page_writes_nothing(login, world):
    """申请材料 with LF and a trailing space, 办理地点 ending in a space: the page posted back as a browser
    posts it (CRLF) is no change — no audit entry, no version, no data-version bump."""
    a, b, c = _items(world)
    client = login("gaj")
    published = _publish(client)
    before = _state()
    page = client.get(f"/items/{a.id}").get_data(as_text=True)
    values = _page_form(page, f"/items/{a.id}")
    assert "\r\n" in values["materials"]
    response = client.post(f"/items/{a.id}", data=values)
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:2000]
    assert _state() == before
    # And the draft compares equal to the published version.
    html = client.get(f"/items/diff?a={published.id}&b=draft").get_data(as_text=True)
    assert "两个版本的事项完全相同" in html
    # A full-width space typed for a half-width one is no change either.
    values["location"] = "二楼\u30003 号窗口"
    client.post(f"/items/{a.id}", data=values)
    assert _state() == before


def test_saving_an_unedited_row_writes_nothing(login, world):
    a, b, c = _items(world)
    client = login("gaj")
    fragment = client.get(f"/items/{a.id}/edit", headers=HTMX).get_data(as_text=True)
    parser = FormParser()
    parser.feed('<form method="post">' + fragment + "</form>")  # the row's inputs, sent with hx-include
    values = next(f["values"] for f in parser.forms if f["types"])
    before = _state()
    response = client.put(f"/items/{a.id}/row", headers=HTMX, data=values)
    assert response.status_code == 200, (values, re.findall(r'class="error"[^>]*>([^<]*)', response.get_data(as_text=True)))
    assert _state() == before


def test_a_real_change_is_still_saved(login, world):
    a, b, c = _items(world)
    client = login("gaj")
    values = _page_form(client.get(f"/items/{a.id}").get_data(as_text=True), f"/items/{a.id}")
    values["materials"] = values["materials"] + "\r\n三、身份证明  "
    before = _state()
    client.post(f"/items/{a.id}", data=values)
    assert _state()[0] == before[0] + 1 and _state()[1] == before[1] + 1
    assert ServiceItem.get_by_id(a.id).materials == "一、申请书\n二、营业执照\n三、身份证明"  # stored tidied


def test_the_demo_city_shows_a_rename_as_one_change(tmp_path_factory):
    """make run: 公安局's two approved versions differ by a renamed 办理项, shown as one 修改."""
    app = demo_city(tmp_path_factory, "diff")
    client = demo_client(app, "gaj")
    with app.app_context():
        from portal.models import Department
        lists = list(ItemList.select().join(Department).where((Department.code == "gaj") & (ItemList.state == "已通过"))
                     .order_by(ItemList.revision))
    html = client.get(f"/items/diff?a={lists[0].id}&b={lists[-1].id}").get_data(as_text=True)
    assert re.search(r'<del class="before">.*?户口迁入（投靠）</del>\s*<ins class="after">.*?户口迁入（投靠亲属）</ins>', html, re.S)
    assert "删除 <strong>1</strong>" in html and "新增 <strong>1</strong>" in html  # 禁毒宣传 out, one item in
