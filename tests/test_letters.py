"""Authorisation letters (授权委托书): sections from the item modes, unique numbers, drafts, issuing,
replacement after an item change, immutability once issued, the A4 page and the .docx read back."""
from __future__ import annotations

import datetime as dt
import io
from urllib.parse import unquote

import pytest
from docx import Document
from peewee import IntegrityError

from portal import rules
from portal.audit import write
from portal.models import Letter, LetterItem, Officer, ServiceItem
from portal.files import letter_text
from portal.officers import service
from tests.test_officers import assign, client_for, html, officer, snapshot


@pytest.fixture
def setup(world):
    """fgj's officer 王一 with three items: two 终审, one 初审; an item of another officer; one 未纳入."""
    o = officer(world.fgj, "王一", start=dt.date(2025, 1, 1))
    a = world.item(world.fgj, "企业投资项目备案", mode="终审")
    b = world.item(world.fgj, "固定资产投资项目节能审查", sub="节能审查意见", mode="初审")
    c = world.item(world.fgj, "粮食收购资格认定", mode="终审")
    world.item(world.fgj, "涉密事项", inclusion="未纳入", reason="涉密", reason_note="涉密")
    assign([a, b, c], o)
    world.o, world.a, world.b, world.c = o, a, b, c
    return world


def _draft(client, o):
    response = client.post(f"/officers/{o.id}/letters/new")
    assert response.status_code == 302, html(client.get(f"/officers/{o.id}"))
    return Letter.get((Letter.officer == o) & (Letter.state == rules.LETTER_DRAFT))


def _issue(client, letter, day="2026-11-26"):
    return client.post(f"/officers/letters/{letter.id}/issue", data={"issue_date": day})


def test_a_draft_puts_final_items_in_section_one_and_first_in_section_two(app, setup, login):
    client = login("fgj")
    letter = _draft(client, setup.o)
    assert letter.number == "赤首授〔2026〕1号" and letter.department_id == setup.fgj.id
    rows = list(LetterItem.select().where(LetterItem.letter == letter).order_by(LetterItem.seq))
    assert [(r.mode, r.label) for r in rows] == [
        ("终审", "企业投资项目备案"), ("终审", "粮食收购资格认定"), ("初审", "固定资产投资项目节能审查（节能审查意见）")]
    page = html(client.get(f"/officers/letters/{letter.id}"))
    one, two = page.index(letter_text.SECTION_FINAL), page.index(letter_text.SECTION_FIRST)
    assert one < page.index("企业投资项目备案") < page.index("粮食收购资格认定") < two
    assert two < page.index("固定资产投资项目节能审查（节能审查意见）")
    for duty in letter_text.DUTIES:
        assert duty in page
    assert letter_text.RESPONSIBILITY in page and letter_text.DRAFT_MARK in page and "a4-sheet" in page
    assert "涉密事项" not in page


def test_issuing_fixes_the_letter_and_authorises_the_officer(app, setup, login):
    client = login("fgj")
    letter = _draft(client, setup.o)
    response = _issue(client, letter, "2026-11-20")
    assert response.status_code == 303
    letter = Letter.get_by_id(letter.id)
    assert letter.state == "已签发" and letter.issue_date == dt.date(2026, 11, 20) and letter.issued_by.username == "fgj"
    assert Officer.authorised_ids(setup.fgj) == {setup.o.id}
    page = html(client.get(f"/officers/letters/{letter.id}"))
    assert "2026年11月20日" in page and letter_text.DRAFT_MARK not in page and "签发授权委托书</button>" not in page
    assert "tag-bad\">未授权上岗" not in html(client.get("/officers/"))


def test_an_issued_letter_is_immutable(app, setup, login):
    client = login("fgj")
    letter = _draft(client, setup.o)
    _issue(client, letter)
    before = snapshot()
    for action, data in (("issue", {"issue_date": "2026-11-25"}), ("refresh", {}), ("discard", {})):
        response = client.post(f"/officers/letters/{letter.id}/{action}", data=data)
        assert response.status_code == 409, action
        assert "已签发" in html(response)
    assert snapshot() == before
    # Renaming the item later does not rewrite the letter: it keeps the label as issued.
    with write(username="test") as w:
        w.update(ServiceItem.get_by_id(setup.a.id), item_name="企业投资项目备案（新名称）", sub_item_name="企业投资项目备案（新名称）")
    page = html(client.get(f"/officers/letters/{letter.id}"))
    assert "<li>企业投资项目备案</li>" in page and "事项已有变化" in page


def test_a_change_of_items_makes_a_new_letter_that_replaces_the_old(app, setup, login, world):
    client = login("fgj")
    first = _draft(client, setup.o)
    _issue(client, first, "2026-03-01")
    # Nothing changed: no new letter.
    before = snapshot()
    response = client.post(f"/officers/{setup.o.id}/letters/new", follow_redirects=True)
    assert "无需重新签发" in html(response) and snapshot() == before
    d = world.item(world.fgj, "新增事项", mode="初审")
    assign([d], setup.o)
    assert "事项有变化" in html(client.get("/officers/"))
    second = _draft(client, setup.o)
    assert second.number == "赤首授〔2026〕2号"
    assert _issue(client, second, "2026-11-26").status_code == 303
    first, second = Letter.get_by_id(first.id), Letter.get_by_id(second.id)
    assert first.state == "已替换" and first.end_date == dt.date(2026, 11, 26)
    assert second.state == "已签发" and second.replaces_id == first.id
    assert LetterItem.select().where(LetterItem.letter == first).count() == 3  # the old one kept whole
    assert LetterItem.select().where(LetterItem.letter == second).count() == 4
    page = html(client.get(f"/officers/letters/{first.id}"))
    assert "被" in page and "赤首授〔2026〕2号" in page


def test_numbers_are_unique_and_sequential_city_wide(app, setup, login, world):
    g = officer(world.gaj, "公安一")
    assign([world.item(world.gaj, "保安服务公司设立许可")], g)
    first = _draft(login("fgj"), setup.o)
    second = _draft(client_for(app, "gaj"), g)
    assert (first.number, second.number) == ("赤首授〔2026〕1号", "赤首授〔2026〕2号")
    with pytest.raises(IntegrityError):
        with write(username="test") as w:
            w.create(Letter, number=first.number, year=2026, seq=9, department=world.gaj, officer=g)
    with pytest.raises(IntegrityError):
        with write(username="test") as w:
            w.create(Letter, number="赤首授〔2026〕9号", year=2026, seq=1, department=world.gaj, officer=g)


def test_a_number_taken_meanwhile_is_a_clear_error(app, setup, login, monkeypatch):
    client = login("fgj")
    with write(username="test") as w:
        w.create(Letter, number="赤首授〔2026〕1号", year=2026, seq=1, department=setup.fgj,
                 officer=officer(setup.fgj, "旧人", start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31)),
                 state="已终止", issue_date=dt.date(2024, 1, 5))
    monkeypatch.setattr(service, "next_seq", lambda year: 1)  # as if another user took it at the same moment
    before = snapshot()
    response = client.post(f"/officers/{setup.o.id}/letters/new", follow_redirects=True)
    assert "文号已被占用" in html(response)
    assert snapshot() == before


def test_issue_date_and_stale_drafts_are_checked(app, setup, login, world):
    client = login("fgj")
    letter = _draft(client, setup.o)
    before = snapshot()
    for day, error in (("2026-11-27", "签发日期不能晚于今天"), ("2024-12-31", "不能早于王一的任期开始日期"),
                       ("", "请填写签发日期"), ("2026-02-30", "请按“年-月-日”填写签发日期")):
        response = _issue(client, letter, day)
        assert response.status_code == 422 and error in html(response), day
    assert snapshot() == before
    assign([world.item(world.fgj, "后来的事项")], setup.o)
    before = snapshot()
    response = _issue(client, letter)
    assert response.status_code == 409 and "重新生成" in html(response)
    assert snapshot() == before
    assert client.post(f"/officers/letters/{letter.id}/refresh").status_code == 303
    assert LetterItem.select().where(LetterItem.letter == letter).count() == 4
    assert _issue(client, letter).status_code == 303


def test_a_draft_needs_items_and_can_be_discarded(app, world, login):
    o = officer(world.fgj, "王一")
    client = login("fgj")
    before = snapshot()
    response = client.post(f"/officers/{o.id}/letters/new", follow_redirects=True)
    assert "名下还没有纳入事项" in html(response) and snapshot() == before
    assign([world.item(world.fgj, "企业投资项目备案")], o)
    letter = _draft(client, o)
    assert client.post(f"/officers/letters/{letter.id}/discard").status_code == 303
    assert Letter.get_or_none(Letter.id == letter.id) is None and not LetterItem.select().exists()


def test_the_docx_reads_back_with_its_sections(app, setup, login):
    client = login("fgj")
    letter = _draft(client, setup.o)
    _issue(client, letter, "2026-11-20")
    response = client.get(f"/officers/letters/{letter.id}.docx")
    assert response.status_code == 200
    assert "赤壁市发展和改革局-首席服务员授权委托书-赤首授〔2026〕1号.docx" in unquote(response.headers["Content-Disposition"])
    doc = Document(io.BytesIO(response.data))
    paragraphs = [p.text for p in doc.paragraphs if p.text.strip()]
    assert paragraphs[0] == letter_text.TITLE and paragraphs[1] == "赤首授〔2026〕1号"
    one, two = paragraphs.index(letter_text.SECTION_FINAL), paragraphs.index(letter_text.SECTION_FIRST)
    assert paragraphs[one + 1:two] == ["1. 企业投资项目备案", "2. 粮食收购资格认定"]
    assert paragraphs[two + 1] == "1. 固定资产投资项目节能审查（节能审查意见）"
    assert paragraphs[two + 2:two + 7] == list(letter_text.DUTIES)
    assert letter_text.RESPONSIBILITY in paragraphs and "2026年11月20日" in paragraphs
    assert "王一" in paragraphs[2] and "行政审批股股长" in paragraphs[2]
    section = doc.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297


def test_a_department_cannot_see_or_touch_another_departments_letters(app, setup, login):
    letter = _draft(client_for(app, "fgj"), setup.o)
    client = client_for(app, "gaj")
    before = snapshot()
    for url in (f"/officers/letters/{letter.id}", f"/officers/letters/{letter.id}.docx"):
        assert client.get(url).status_code == 404
    for action in ("issue", "refresh", "discard"):
        assert client.post(f"/officers/letters/{letter.id}/{action}", data={"issue_date": "2026-11-26"}).status_code == 404
    leader = client_for(app, "leader")
    assert leader.get(f"/officers/letters/{letter.id}").status_code == 200
    for action in ("issue", "refresh", "discard"):
        assert leader.post(f"/officers/letters/{letter.id}/{action}", data={"issue_date": "2026-11-26"}).status_code == 403
    assert snapshot() == before


def test_reissue_in_one_step_from_the_current_items(app, setup, login, world):
    """重新签发 (issue 17 §1): the reminder names the letter; one click issues the new one from today's items."""
    client = login("fgj")
    assert _issue(client, _draft(client, setup.o)).status_code == 303
    old = Letter.get(Letter.state == rules.LETTER_ISSUED)
    d = world.item(world.fgj, "新增的事项", mode="终审")
    assign([d], setup.o)
    assert f"授权委托书{old.number}需重新签发" in html(client.get("/"))
    page = html(client.get(f"/officers/{setup.o.id}"))
    assert "按当前事项重新签发" in page
    response = client.post(f"/officers/{setup.o.id}/letters/reissue")
    assert response.status_code == 303
    new = Letter.get(Letter.state == rules.LETTER_ISSUED)
    assert new.id != old.id and new.replaces_id == old.id and new.issue_date == dt.date(2026, 11, 26)
    assert Letter.get_by_id(old.id).state == rules.LETTER_REPLACED
    assert "新增的事项" in [r.label for r in LetterItem.select().where(LetterItem.letter == new)]
    assert "需重新签发" not in html(client.get("/"))
    # Nothing to reissue now: refused with the reason, nothing written.
    before = snapshot()
    again = client.post(f"/officers/{setup.o.id}/letters/reissue", follow_redirects=True)
    assert "无需重新签发" in html(again) and snapshot() == before


def test_reissue_is_the_departments_own(app, setup, login):
    assert login("gaj").post(f"/officers/{setup.o.id}/letters/reissue").status_code == 404
