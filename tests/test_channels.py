"""Publication channels: window cards (QR codes read back to the officer's and the department's public
pages under the configured base), the hall bulletin (published versions only), the data feed (stable
fields, UTF-8, version dates, nothing private, CSV safe for Excel), and the office's 公示渠道 page."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest

from portal import rules
from portal.audit import write
from portal.db import db
from portal.models import ItemList, Letter, LetterItem, ListRow, Officer, Setting
from portal.public.service import LIST_CSV_FIELDS, LIST_FIELDS, OFFICER_CSV_FIELDS, OFFICER_FIELDS
from tests.test_channels_qr import qr_codes_in

BASE = "https://zwfw.chibi.gov.cn"
MOBILE = "13907150001"
BIRTH = dt.date(1979, 3, 14)
NOTE = "内部备注：拟调整岗位"


# --- a small city -----------------------------------------------------------------------------------


def officer(dept, name="张伟", letter=True, modes=("终审", "终审", "初审"), ended=False, seq=1, **extra):
    """A serving officer with private fields filled in and, optionally, a letter in force."""
    fields = dict(department=dept, name=name, gender="男", birth_date=BIRTH, position="户政科 科长",
                  work_phone="0715-5212345", mobile=MOBILE, note=NOTE, term_start=dt.date(2025, 3, 1))
    fields.update(extra)
    if ended:
        fields["term_end"] = dt.date(2026, 1, 31)
    with write(username="test") as w:
        o = w.create(Officer, **fields)
        if letter:
            number = rules.letter_number(2026, seq)
            lt = w.create(Letter, number=number, year=2026, seq=seq, department=dept, officer=o,
                          state=rules.LETTER_ISSUED, issue_date=dt.date(2026, 3, 2))
            for i, mode in enumerate(modes):
                w.create(LetterItem, letter=lt, mode=mode, label=f"事项{i}", seq=i)
            # A replaced letter of the same officer must not count.
            w.create(Letter, number=rules.letter_number(2025, seq), year=2025, seq=seq, department=dept, officer=o,
                     state=rules.LETTER_REPLACED, issue_date=dt.date(2025, 3, 2))
    return o


def item_list(dept, revision, state, rows, reviewed=None):
    """A list revision in `state` with (item_name, inclusion, officer_name) rows."""
    with write(username="test") as w:
        il = w.create(ItemList, department=dept, revision=revision, year=2026, state=state,
                      reviewed_at=reviewed, published=state == rules.LIST_APPROVED)
        for i, (name, inclusion, officer_name) in enumerate(rows, 1):
            w.create(ListRow, item_list=il, seq=i, item_name=name, sub_item_name=name, item_type="行政许可",
                     inclusion=inclusion, officer_name=officer_name,
                     mode="终审" if inclusion == "纳入" else None,
                     reason="涉密" if inclusion == "未纳入" else None)
    return il


@pytest.fixture
def city(world):
    with write(username="test"):
        Setting.set_value("public_base_url", BASE)
    world.zhang = officer(world.gaj, "张伟", seq=1)
    world.li = officer(world.gaj, "李娜", letter=False, work_phone="0715-5200000")
    world.old = officer(world.gaj, "王旧", ended=True, letter=False)
    world.zhao = officer(world.fgj, "赵强", seq=2, modes=("初审",))
    # gaj: revision 1 approved, revision 2 approved (published), revision 3 a draft with another item.
    item_list(world.gaj, 1, rules.LIST_APPROVED, [("旧版事项", "纳入", "张伟")], dt.datetime(2026, 3, 1, 10))
    item_list(world.gaj, 2, rules.LIST_APPROVED,
              [("旅馆业特种行业许可证核发", "纳入", "张伟"), ("=HYPERLINK(\"http://evil\")", "纳入", "张伟"),
               ("涉密事项", "未纳入", "")], dt.datetime(2026, 8, 20, 15, 30))
    item_list(world.gaj, 3, rules.LIST_DRAFT, [("草稿中的新事项", "纳入", "张伟")])
    # fgj: only a submitted list and a returned one — nothing published.
    item_list(world.fgj, 1, rules.LIST_RETURNED, [("退回版事项", "纳入", "赵强")], dt.datetime(2026, 8, 1))
    item_list(world.fgj, 2, rules.LIST_SUBMITTED, [("报送中事项", "纳入", "赵强")])
    return world


class QueryCounter:
    def __init__(self, monkeypatch):
        self.count = 0
        real = db.obj.execute_sql

        def counting(sql, params=None, *args, **kwargs):
            if sql.lstrip().upper().startswith("SELECT"):
                self.count += 1
            return real(sql, params, *args, **kwargs)

        monkeypatch.setattr(db.obj, "execute_sql", counting)


# --- window cards -------------------------------------------------------------------------------------


def test_window_card_shows_the_public_facts_and_two_qr_codes_to_public_pages(client, city):
    response = client.get(f"/public/cards/{city.zhang.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for text in ("张伟", "赤壁市公安局", "户政科 科长", "0715-5212345", "赤首授〔2026〕1号", "打印公示牌"):
        assert text in html
    # 终审 2 / 初审 1 from the letter in force (the replaced letter is not counted).
    assert '终审 <strong class="wc-count">2</strong> 项' in html
    assert '初审 <strong class="wc-count">1</strong> 项' in html
    assert MOBILE not in html and "1979" not in html and NOTE not in html
    assert "style=" not in html
    codes = qr_codes_in(html)
    assert [url for _, url in codes] == [f"{BASE}/public/officers/{city.zhang.id}", f"{BASE}/public/evaluate/gaj"]
    assert all(url.startswith(BASE + "/public/") for _, url in codes)
    assert "授权" in codes[0][0] and "评价" in codes[1][0]  # accessible names say what each code is for


def test_window_card_of_an_officer_without_letter_says_unauthorised(client, city):
    html = client.get(f"/public/cards/{city.li.id}").get_data(as_text=True)
    assert "未授权" in html and "尚未签发" in html
    assert '终审 <strong class="wc-count">0</strong> 项' in html and '初审 <strong class="wc-count">0</strong> 项' in html
    assert [url for _, url in qr_codes_in(html)][0] == f"{BASE}/public/officers/{city.li.id}"


def test_window_card_only_for_serving_officers(client, city):
    assert client.get(f"/public/cards/{city.old.id}").status_code == 404
    assert client.get("/public/cards/99999").status_code == 404


def test_window_card_qr_follows_the_deployment_base_when_the_setting_is_empty(app, client, city):
    with write(username="test"):
        Setting.set_value("public_base_url", "")
    app.config["PUBLIC_BASE_URL"] = "http://portal.chibi.example/"
    html = client.get(f"/public/cards/{city.zhao.id}").get_data(as_text=True)
    assert [url for _, url in qr_codes_in(html)] == [
        f"http://portal.chibi.example/public/officers/{city.zhao.id}", "http://portal.chibi.example/public/evaluate/fgj"]


def test_all_window_cards_on_one_print_page(client, city):
    html = client.get("/public/cards").get_data(as_text=True)
    assert html.count('class="window-card size-a5"') == 3  # 张伟, 李娜, 赵强 — not the one whose term ended
    assert "王旧" not in html
    urls = [url for _, url in qr_codes_in(html)]
    assert len(urls) == 6 and urls.count(f"{BASE}/public/evaluate/gaj") == 2
    one = client.get("/public/cards?dept=fgj&size=a4").get_data(as_text=True)
    assert one.count('class="window-card size-a4"') == 1 and "赵强" in one and "张伟" not in one
    assert client.get("/public/cards?dept=nope").status_code == 404
    assert client.get("/public/cards?size=letter").status_code == 200  # unknown size falls back to A5


def test_cards_page_costs_the_same_queries_for_more_officers(client, city, monkeypatch):
    counter = QueryCounter(monkeypatch)
    client.get("/public/cards")
    few = counter.count
    for i in range(4):
        officer(city.fgj, f"新人{i}", seq=10 + i)
    counter.count = 0
    html = client.get("/public/cards").get_data(as_text=True)
    assert html.count('class="window-card size-') == 7
    assert counter.count == few


def test_empty_cards_page_says_so(client, world):
    html = client.get("/public/cards?dept=fgj").get_data(as_text=True)
    assert "目前没有在任的首席服务员" in html


# --- hall bulletin ------------------------------------------------------------------------------------


def test_bulletin_shows_only_the_published_version_of_each_list(client, city):
    html = client.get("/public/bulletin").get_data(as_text=True)
    assert "旅馆业特种行业许可证核发" in html and "涉密事项" in html
    assert "第 2 版，2026年8月20日审核通过" in html
    assert "旧版事项" not in html  # an older approved version
    assert "草稿中的新事项" not in html  # a draft revision
    assert "报送中事项" not in html and "退回版事项" not in html  # submitted / returned, never approved
    assert "赤壁市发展和改革局" not in html.split('class="bulletin"')[1]  # nothing published for fgj
    assert "首席服务员：张伟" in html
    assert "打印宣传栏" in html


def test_bulletin_for_one_department_and_the_empty_state(client, city):
    assert "旅馆业" in client.get("/public/bulletin?dept=gaj").get_data(as_text=True)
    html = client.get("/public/bulletin?dept=fgj").get_data(as_text=True)
    assert "尚未审核通过公示" in html
    assert client.get("/public/bulletin?dept=unknown").status_code == 404


def test_bulletin_costs_a_fixed_number_of_queries(client, city, monkeypatch):
    counter = QueryCounter(monkeypatch)
    client.get("/public/bulletin")
    before = counter.count
    item_list(city.fgj, 3, rules.LIST_APPROVED, [(f"事项{i}", "纳入", "赵强") for i in range(5)], dt.datetime(2026, 9, 1))
    counter.count = 0
    html = client.get("/public/bulletin").get_data(as_text=True)
    assert "事项4" in html and counter.count == before


# --- data feed ----------------------------------------------------------------------------------------


def test_lists_json_has_the_documented_fields_and_version_dates(client, city):
    response = client.get("/public/feed/lists.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    data = json.loads(response.get_data(as_text=True))
    assert set(data) == {"generated_at", "source", "departments"}
    assert data["source"] == BASE
    dt.datetime.fromisoformat(data["generated_at"])
    assert [d["code"] for d in data["departments"]] == ["gaj"]
    gaj = data["departments"][0]
    assert set(gaj) == {"code", "name", "short_name", "revision", "year", "version_date", "page_url", "items"}
    assert gaj["revision"] == 2 and gaj["version_date"] == "2026-08-20"
    assert [i["item_name"] for i in gaj["items"]] == ["旅馆业特种行业许可证核发", "=HYPERLINK(\"http://evil\")", "涉密事项"]
    assert all(tuple(i) == LIST_FIELDS for i in gaj["items"])
    assert gaj["items"][0]["officer_name"] == "张伟" and gaj["items"][2]["reason"] == "涉密"


def test_lists_csv_is_utf8_with_bom_and_safe_for_excel(client, city):
    response = client.get("/public/feed/lists.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert tuple(rows[0]) == LIST_CSV_FIELDS
    assert [r["item_name"] for r in rows] == ["旅馆业特种行业许可证核发", "'=HYPERLINK(\"http://evil\")", "涉密事项"]
    assert {r["version_date"] for r in rows} == {"2026-08-20"} and {r["department_code"] for r in rows} == {"gaj"}
    assert rows[0]["generated_at"]


def test_roster_feeds_have_public_fields_only(client, city):
    data = json.loads(client.get("/public/feed/officers.json").get_data(as_text=True))
    assert set(data) == {"generated_at", "source", "officers"}
    people = {o["name"]: o for o in data["officers"]}
    assert set(people) == {"张伟", "李娜", "赵强"}  # serving officers only
    assert all(tuple(o) == OFFICER_FIELDS for o in data["officers"])
    zhang = people["张伟"]
    assert zhang["letter_number"] == "赤首授〔2026〕1号" and zhang["authorised"] is True
    assert (zhang["final_items"], zhang["first_items"]) == (2, 1)
    assert zhang["work_phone"] == "0715-5212345"
    assert zhang["page_url"] == f"{BASE}/public/officers/{city.zhang.id}"
    assert zhang["evaluate_url"] == f"{BASE}/public/evaluate/gaj"
    assert people["李娜"]["authorised"] is False and people["李娜"]["letter_number"] is None
    rows = list(csv.DictReader(io.StringIO(client.get("/public/feed/officers.csv").get_data().decode("utf-8-sig"))))
    assert tuple(rows[0]) == OFFICER_CSV_FIELDS and len(rows) == 3
    assert {r["authorised"] for r in rows} == {"true", "false"}


@pytest.mark.parametrize("path", ["/public/feed/lists.json", "/public/feed/lists.csv", "/public/feed/officers.json",
                                  "/public/feed/officers.csv"])
def test_no_private_field_in_any_feed(client, city, path):
    body = client.get(path).get_data(as_text=True)
    for private in (MOBILE, BIRTH.isoformat(), "1979", NOTE, "mobile", "birth", "note", "gender"):
        assert private not in body, private


def test_feed_answers_not_modified_while_nothing_changed(client, city):
    first = client.get("/public/feed/officers.json")
    etag = first.headers["ETag"]
    assert client.get("/public/feed/officers.json", headers={"If-None-Match": etag}).status_code == 304
    officer(city.fgj, "新来的", seq=20)
    assert client.get("/public/feed/officers.json", headers={"If-None-Match": etag}).status_code == 200


def test_empty_feeds_are_still_well_formed(client, world):
    assert json.loads(client.get("/public/feed/lists.json").get_data(as_text=True))["departments"] == []
    text = client.get("/public/feed/officers.csv").get_data().decode("utf-8-sig")
    assert text.strip() == ",".join(OFFICER_CSV_FIELDS)


# --- 公示渠道 (office page) ------------------------------------------------------------------------------


def test_office_channels_page_links_cards_bulletin_and_feeds(login, city):
    html = login("office").get("/admin/channels").get_data(as_text=True)
    assert f"{BASE}/public/feed/lists.json" in html and f"{BASE}/public/feed/officers.csv" in html
    assert "/public/cards?dept=gaj" in html and "/public/bulletin?dept=gaj" in html
    assert "打印全部窗口公示牌" in html
    assert "第 2 版" in html
    assert "本机或内网地址" not in html


def test_channels_page_warns_about_a_local_base_url(app, login, world):
    with write(username="test"):
        Setting.set_value("public_base_url", "")
    app.config["PUBLIC_BASE_URL"] = "http://127.0.0.1:5000"
    html = login("office").get("/admin/channels").get_data(as_text=True)
    assert "本机或内网地址" in html


def test_department_sees_only_its_own_windows_on_the_channels_page(login, city):
    html = login("fgj").get("/admin/channels").get_data(as_text=True)
    assert "赵强" in html and "张伟" not in html and "赤壁市公安局" not in html


def test_channels_page_needs_a_login(client, world):
    assert client.get("/admin/channels").status_code == 302


def test_officer_whose_term_ends_later_still_has_a_card_and_a_future_one_not_yet(client, city):
    later = officer(city.fgj, "月底离任", letter=False, term_end=dt.date(2026, 11, 30))
    future = officer(city.fgj, "下月到任", letter=False, term_start=dt.date(2026, 12, 1))
    assert client.get(f"/public/cards/{later.id}").status_code == 200
    assert client.get(f"/public/cards/{future.id}").status_code == 404
    names = {o["name"] for o in json.loads(client.get("/public/feed/officers.json").get_data(as_text=True))["officers"]}
    assert "月底离任" in names and "下月到任" not in names


def test_a_window_cards_qr_code_leads_to_the_officers_page_and_back(app, client, city):
    """Decoded as a phone would, on the default base URL (the request's own host, issue 17 §7)."""
    with write(username="test"):
        Setting.set_value("public_base_url", "")
    app.config["PUBLIC_BASE_URL"] = ""
    html = client.get(f"/public/cards/{city.zhang.id}", base_url="http://10.20.0.5:8080").get_data(as_text=True)
    officer_url = qr_codes_in(html)[0][1]
    assert officer_url == f"http://10.20.0.5:8080/public/officers/{city.zhang.id}"
    page = client.get(officer_url)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "张伟" in text and "赤首授〔2026〕1号" in text
    assert f'href="/public/cards/{city.zhang.id}"' in text  # the officer's page links to the window card
    former = client.get(f"/public/officers/{city.old.id}").get_data(as_text=True)
    assert f'href="/public/cards/{city.old.id}"' not in former  # no card for a former officer


def test_public_start_page_lists_each_department_with_items_and_officers(client, city):
    html = client.get("/public/").get_data(as_text=True)
    directory = html[html.index('class="table dept-directory"'):html.index("全部公示事项")]
    assert 'href="/public/departments/gaj"' in directory and "赤壁市公安局" in directory
    assert "3项" in directory and "2项" in directory  # three published items, two of them 纳入
    assert f'href="/public/officers/{city.zhang.id}">张伟</a>' in directory
    assert f'href="/public/officers/{city.li.id}">李娜</a>' in directory
    assert "王旧" not in directory  # a former officer is not listed
    assert "fgj" not in directory  # nothing published yet
    searched = client.get("/public/?q=旅馆").get_data(as_text=True)
    assert "dept-directory" not in searched and "旅馆业特种行业许可证核发" in searched
