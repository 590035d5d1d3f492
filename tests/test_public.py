"""Public pages: only the latest approved list version is shown, never a draft or an older version;
no mobile number or date of birth on any page; the one-time notification; the roster and the
officer's page; letter verification for valid, replaced, ended and unknown numbers."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from portal import rules
from portal.audit import write
from portal.models import ItemList, Letter, LetterItem, ListRow, Officer
from tests.conftest import World
from tests.test_ledger import counted_queries

MOBILE = "13987654321"
BIRTH = dt.date(1979, 8, 14)
BIRTH_FORMS = ("1979-08-14", "1979年8月14日", "1979/08/14", "19790814")


def approved_list(dept, revision, rows, state=rules.LIST_APPROVED):
    """A list revision with its rows: (item, officer or None, name as it stood, mode)."""
    with write(username="test") as w:
        il = w.create(ItemList, department=dept, revision=revision, year=2026, state=state,
                      reviewed_at=dt.datetime(2026, 3, revision, 10, 0) if state == rules.LIST_APPROVED else None)
        for n, (item, officer, name, mode) in enumerate(rows, start=1):
            w.create(ListRow, item_list=il, item=item, seq=n, item_name=name, sub_item_name=name,
                     item_type=item.item_type, inclusion=item.inclusion, officer=officer,
                     officer_name=officer.name if officer else "", mode=mode, promised_days=item.promised_days,
                     legal_days=item.legal_days, kind="承诺件", visits=1, location="政务服务中心公安窗口",
                     materials="1. 申请表；\n2. 营业执照复印件；\n3. 消防安全检查合格证明。")
    return il


def letter(dept, officer, year, seq, state, items=(), replaces=None, end_date=None):
    with write(username="test") as w:
        lt = w.create(Letter, number=rules.letter_number(year, seq), year=year, seq=seq, department=dept,
                      officer=officer, state=state, issue_date=dt.date(year, 3, 1), end_date=end_date,
                      replaces=replaces)
        for n, (item, mode) in enumerate(items, start=1):
            w.create(LetterItem, letter=lt, item=item, mode=mode, label=item.label, seq=n)
    return lt


@pytest.fixture
def city(world):
    w = World()
    c = world
    with write(username="test") as wr:
        c.officer = wr.create(Officer, department=world.gaj, name="陈卫国", gender="男", birth_date=BIRTH,
                              position="治安管理大队 副大队长", work_phone="0715-5321100", mobile=MOBILE,
                              term_start=dt.date(2025, 1, 1))
        c.former = wr.create(Officer, department=world.gaj, name="周前任", gender="女", birth_date=BIRTH,
                             work_phone="0715-5321199", mobile="13711112222", term_start=dt.date(2022, 1, 1),
                             term_end=dt.date(2024, 12, 31))
        c.fgj_officer = wr.create(Officer, department=world.fgj, name="吴发改", gender="男", birth_date=BIRTH,
                                  work_phone="0715-5322000", mobile="13600001111", term_start=dt.date(2025, 1, 1))
    c.hotel = w.item(world.gaj, "旅馆业特种行业许可证核发", officer=c.officer, promised_days=5, legal_days=20)
    c.seal = w.item(world.gaj, "公章刻制业特种行业许可证核发", officer=c.officer, mode="初审", promised_days=3, legal_days=10)
    c.draft_only = w.item(world.gaj, "草稿里新加的事项", officer=c.officer)
    c.secret = w.item(world.gaj, "涉密事项", inclusion="未纳入", reason="涉密")
    c.project = w.item(world.fgj, "企业投资项目备案", item_type="行政确认", officer=c.fgj_officer, promised_days=2)
    approved_list(world.gaj, 1, [(c.hotel, c.officer, "旧版本的事项名称", "终审")])
    approved_list(world.gaj, 2, [(c.hotel, c.officer, c.hotel.item_name, "终审"),
                                 (c.seal, c.officer, c.seal.item_name, "初审"),
                                 (c.secret, None, c.secret.item_name, None)])
    approved_list(world.gaj, 3, [(c.hotel, c.officer, c.hotel.item_name, "终审"),
                                 (c.draft_only, c.officer, c.draft_only.item_name, "终审")], state=rules.LIST_SUBMITTED)
    approved_list(world.fgj, 1, [(c.project, c.fgj_officer, c.project.item_name, "终审")])
    c.old_letter = letter(world.gaj, c.officer, 2025, 7, rules.LETTER_REPLACED, [(c.hotel, "终审")])
    c.letter = letter(world.gaj, c.officer, 2026, 3, rules.LETTER_ISSUED, [(c.hotel, "终审"), (c.seal, "初审")],
                      replaces=c.old_letter)
    c.ended = letter(world.gaj, c.former, 2024, 2, rules.LETTER_ENDED, [(c.hotel, "终审")], end_date=dt.date(2024, 12, 31))
    c.draft_letter = letter(world.gaj, c.officer, 2026, 9, rules.LETTER_DRAFT)
    return c


def public_pages(c):
    return ["/public/", "/public/?q=旅馆", f"/public/departments/{c.gaj.code}", f"/public/items/{c.hotel.id}",
            "/public/officers", f"/public/officers/{c.officer.id}", f"/public/officers/{c.former.id}",
            "/public/verify?number=" + c.letter.number, "/public/verify?number=" + c.ended.number,
            "/public/verify?number=" + c.old_letter.number, "/public/evaluate/gaj"]


def test_no_public_page_shows_a_mobile_number_or_a_birth_date(client, city):
    for url in public_pages(city):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        for private in (MOBILE, "13711112222", "13600001111", *BIRTH_FORMS):
            assert private not in html, (url, private)
        assert not re.search(r"1[3-9]\d{9}", html), url  # no mobile-looking number at all
        assert "年龄" not in html and "出生" not in html, url


def test_public_pages_need_no_login_and_may_be_cached(client, city):
    for url in public_pages(city)[:-1]:
        response = client.get(url)
        assert response.status_code == 200
        assert "no-store" not in response.headers.get("Cache-Control", ""), url
        assert "工作人员登录" in response.get_data(as_text=True)


def test_only_the_latest_approved_version_is_public(client, city):
    html = client.get("/public/").get_data(as_text=True)
    assert "旅馆业特种行业许可证核发" in html and "企业投资项目备案" in html
    assert "旧版本的事项名称" not in html  # revision 1, approved but superseded
    assert "草稿里新加的事项" not in html  # revision 3, submitted, not approved
    dept = client.get("/public/departments/gaj").get_data(as_text=True)
    assert "第2版" in dept and "旧版本的事项名称" not in dept and "草稿里新加的事项" not in dept
    assert "公章刻制业特种行业许可证核发" in dept and "涉密" in dept


def test_one_time_notification_only_for_published_items(client, city):
    html = client.get(f"/public/items/{city.hotel.id}").get_data(as_text=True)
    assert "一次性告知书" in html and "营业执照复印件" in html and "5个工作日" in html and "20个工作日" in html
    assert "陈卫国" in html and "0715-5321100" in html and "政务服务中心公安窗口" in html and "data-print" in html
    assert client.get(f"/public/items/{city.draft_only.id}").status_code == 404  # only in the unapproved revision
    assert client.get("/public/items/999999").status_code == 404
    with write(username="test") as w:
        w.update(city.gaj, active=False)
    assert client.get(f"/public/items/{city.hotel.id}").status_code == 404


def test_search_by_name_type_and_department_across_the_city(client, city):
    by_name = client.get("/public/?q=特种行业").get_data(as_text=True)
    assert "旅馆业特种行业许可证核发" in by_name and "企业投资项目备案" not in by_name
    assert f"/public/items/{city.hotel.id}" in by_name and f"/public/officers/{city.officer.id}" in by_name
    by_type = client.get("/public/?type=行政确认").get_data(as_text=True)
    assert "企业投资项目备案" in by_type and "旅馆业特种行业许可证核发" not in by_type
    by_dept = client.get("/public/?dept=fgj").get_data(as_text=True)
    assert "企业投资项目备案" in by_dept and "旅馆业" not in by_dept.split("<tbody>")[1].split("</tbody>")[0]
    nothing = client.get("/public/?q=不存在的事项").get_data(as_text=True)
    assert "没有找到符合条件的事项" in nothing
    included = client.get("/public/?included=1&dept=gaj").get_data(as_text=True)
    assert "涉密事项" not in included and "旅馆业特种行业许可证核发" in included


def test_public_search_costs_the_same_queries_for_more_departments(client, city):
    client.get("/public/")
    with counted_queries() as few:
        client.get("/public/")
    w = World()
    for n in range(5):
        dept = w.department(f"d{n}", f"赤壁市测试{n}局")
        item = w.item(dept, f"测试事项{n}")
        approved_list(dept, 1, [(item, None, item.item_name, "终审")])
    with counted_queries() as many:
        assert "测试事项4" in client.get("/public/").get_data(as_text=True)
    assert len(many) == len(few)


def test_roster_shows_serving_officers_with_work_phone_and_letter(client, city):
    html = client.get("/public/officers").get_data(as_text=True)
    assert "陈卫国" in html and "0715-5321100" in html and "治安管理大队 副大队长" in html
    assert city.letter.number in html and "吴发改" in html and "未授权上岗" in html
    assert "周前任" not in html  # no longer serving
    assert "吴发改" not in client.get("/public/officers?q=公安").get_data(as_text=True)


def test_officer_page_lists_the_items_of_the_letter_in_force(client, city):
    html = client.get(f"/public/officers/{city.officer.id}").get_data(as_text=True)
    assert city.letter.number in html and city.old_letter.number not in html
    assert "一、授权终审的事项（1项）" in html and "二、授权初审的事项（1项）" in html
    assert f"/public/items/{city.seal.id}" in html
    former = client.get(f"/public/officers/{city.former.id}").get_data(as_text=True)
    assert "已离任" in former and city.ended.number not in former
    assert client.get("/public/officers/999999").status_code == 404


def test_department_page_and_unknown_department(client, city):
    html = client.get("/public/departments/gaj").get_data(as_text=True)
    assert "陈卫国" in html and "/public/evaluate/gaj" in html
    assert client.get("/public/departments/nosuch").status_code == 404


# --- letter verification -------------------------------------------------------------------------------


def test_a_valid_letter_shows_whom_and_which_items(client, city):
    for typed in ("赤首授〔2026〕3号", "赤首授[2026]3号", "赤首授【2026】3号", "赤首授（2026）第3号",
                  " 赤首授 〔２０２６〕 ３ 号 "):
        html = client.get("/public/verify", query_string={"number": typed}).get_data(as_text=True)
        assert "有效" in html and "陈卫国" in html and "赤壁市公安局" in html and "2026年3月1日" in html, typed
        assert "一、授权终审的事项（1项）" in html and "旅馆业特种行业许可证核发" in html
        assert "二、授权初审的事项（1项）" in html and "公章刻制业特种行业许可证核发" in html


def test_a_replaced_letter_names_its_successor(client, city):
    html = client.get("/public/verify", query_string={"number": city.old_letter.number}).get_data(as_text=True)
    assert "已替换" in html and city.letter.number in html
    assert "公章刻制业" not in html  # the items of a replaced letter are not vouched for


def test_an_ended_letter_says_since_when(client, city):
    html = client.get("/public/verify", query_string={"number": city.ended.number}).get_data(as_text=True)
    assert "已终止" in html and "2024年12月31日" in html and "周前任" in html


def test_unknown_or_draft_letter_is_not_found(client, city):
    for typed in ("赤首授〔2026〕99号", "赤首授〔2026〕9号"):  # unknown, and a draft
        html = client.get("/public/verify", query_string={"number": typed}).get_data(as_text=True)
        assert "未查到该文号的授权委托书" in html and "陈卫国" not in html, typed


def test_badly_formed_numbers_get_a_clear_message(client, city):
    for typed in ("abc", "赤首授2026-3", "<script>alert(1)</script>", "x" * 500):
        response = client.get("/public/verify", query_string={"number": typed})
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and "文号格式不正确" in html and "<script>alert(1)" not in html


def test_verify_page_without_a_number_just_asks(client, city):
    html = client.get("/public/verify").get_data(as_text=True)
    assert "授权委托书核验" in html and "文号格式不正确" not in html and "未查到" not in html


# --- a letter is in force only for what it lists (issue 17 §1) ------------------------------------------


def test_a_letter_that_no_longer_matches_the_published_list_is_to_be_reissued(client, city, world):
    w = World()
    extra = w.item(world.gaj, "娱乐场所治安备案", officer=city.officer)
    approved_list(world.gaj, 4, [(city.hotel, city.officer, city.hotel.item_name, "终审"),
                                 (city.seal, city.officer, city.seal.item_name, "终审"),  # 初审 → 终审
                                 (extra, city.officer, extra.item_name, "终审")])
    html = client.get("/public/verify", query_string={"number": city.letter.number}).get_data(as_text=True)
    assert "待重新签发" in html and "现行有效" not in html
    assert "公示清单已列入、授权委托书未列：娱乐场所治安备案" in html
    assert "终审/初审已调整：公章刻制业特种行业许可证核发" in html
    officer_page = client.get(f"/public/officers/{city.officer.id}").get_data(as_text=True)
    assert "待重新签发" in officer_page and "娱乐场所治安备案" in officer_page
    card = client.get(f"/public/cards/{city.officer.id}").get_data(as_text=True)
    assert "待重新签发" in card
    assert "待重新签发" in client.get("/public/officers").get_data(as_text=True)
    # The published list does not present the letter's missing items as delegated.
    dept = client.get("/public/departments/gaj").get_data(as_text=True)
    row = dept[dept.index("娱乐场所治安备案"):][:600]
    assert "授权办理中" in row
    hotel = dept[dept.index("旅馆业特种行业许可证核发"):][:600]
    assert "授权办理中" not in hotel.split("</tr>")[0]
    assert "授权办理中" in client.get("/public/?q=娱乐场所").get_data(as_text=True)


def test_a_letter_that_matches_the_published_list_is_valid_everywhere(client, city):
    assert "所列事项与公示清单一致" in client.get(
        "/public/verify", query_string={"number": city.letter.number}).get_data(as_text=True)
    card = client.get(f"/public/cards/{city.officer.id}").get_data(as_text=True)
    assert "待重新签发" not in card and '<span class="tag tag-ok">有效</span>' in card
    assert "授权办理中" not in client.get("/public/departments/gaj").get_data(as_text=True)


def test_an_officer_without_a_letter_has_the_items_shown_as_awaiting(client, city, world):
    assert "授权办理中" in client.get("/public/departments/fgj").get_data(as_text=True)  # 吴发改 has no letter
