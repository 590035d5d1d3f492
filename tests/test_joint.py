"""一事联办: the state of a joint matter, opening one, countersigning (会签) each department's own part,
补正 and the material arriving, visibility between departments, the office's view and the reminders."""
from __future__ import annotations

import datetime as dt
import itertools

import pytest

from portal import rules
from portal.audit import write
from portal.joint import service
from portal.models import Holiday, Investor, JointMatter, JointPart, JointRequest, Officer
from tests.conftest import HTMX, PASSWORD, TODAY, count_queries

D = dt.date


def credit_code(prefix17: str) -> str:
    """A valid 统一社会信用代码 for a 17-character prefix (the 校验位 computed)."""
    cs, weights = rules.CREDIT_CODE_CHARSET, rules.CREDIT_CODE_WEIGHTS
    total = sum(cs.index(ch) * w for ch, w in zip(prefix17, weights))
    return prefix17 + cs[(31 - total % 31) % 31]


GOOD_CODE = credit_code("91421281MA4F00001")
OTHER_CODE = credit_code("91421281MA4F00002")


# --- the state rules as plain functions ----------------------------------------------------------


def _oracle(decisions):
    if "不同意" in decisions:
        return "不同意"
    if "补正" in decisions:
        return "待补正"
    if decisions and all(d == "同意" for d in decisions):
        return "已办结"
    return "会签中"


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_joint_state_for_every_combination_of_parts(n):
    for decisions in itertools.product([None, "同意", "不同意", "补正"], repeat=n):
        assert rules.joint_state(list(decisions)) == _oracle(decisions), decisions


def test_joint_state_without_parts_is_still_being_signed():
    assert rules.joint_state([]) == "会签中"
    assert rules.joint_state([None]) == "会签中"
    assert rules.joint_state(["不同意", None]) == "不同意"


def test_part_rules():
    assert service.part_label(None) == "待会签"
    assert service.part_label("补正") == "待补正"
    assert service.part_late(None, D(2026, 11, 25), TODAY)
    assert not service.part_late(None, TODAY, TODAY)  # due today is not yet late
    assert not service.part_late("补正", D(2026, 11, 1), TODAY)  # the investor holds it
    assert not service.part_late(None, D(2026, 11, 1), TODAY, stopped=True)
    assert not service.part_late("同意", D(2026, 11, 1), TODAY)
    assert service.signed_late(D(2026, 11, 3), D(2026, 11, 2))
    assert not service.signed_late(D(2026, 11, 2), D(2026, 11, 2))
    assert service.finished_on([("同意", D(2026, 11, 3)), ("同意", D(2026, 11, 5))]) == D(2026, 11, 5)
    assert service.finished_on([("同意", D(2026, 11, 3)), (None, None)]) is None
    assert service.finished_on([]) is None


def test_average_days_per_department():
    rows = [
        {"department_id": 1, "decision": "同意", "signed_on": D(2026, 11, 4), "opened_on": D(2026, 11, 2),
         "deadline": D(2026, 11, 3), "stopped": False, "today": TODAY},
        {"department_id": 1, "decision": "同意", "signed_on": D(2026, 11, 7), "opened_on": D(2026, 11, 2),
         "deadline": D(2026, 11, 9), "stopped": False, "today": TODAY},
        {"department_id": 2, "decision": None, "signed_on": None, "opened_on": D(2026, 11, 2),
         "deadline": D(2026, 11, 9), "stopped": False, "today": TODAY},
    ]
    stats = service.average_days(rows)
    assert stats[1]["average"] == 3.5 and stats[1]["agreed"] == 2 and stats[1]["signed_late"] == 1
    assert stats[2]["average"] is None and stats[2]["late_now"] == 1


# --- a small city ----------------------------------------------------------------------------------


class City:
    pass


def _officer(dept, name):
    with write(username="test") as w:
        return w.create(Officer, department=dept, name=name, gender="男", term_start=D(2025, 1, 1), position="副局长")


@pytest.fixture
def city(world):
    """fgj leads; zrj and zjj take part; gaj stays outside. Each has an item and a serving officer."""
    c = City()
    c.world = world
    c.fgj, c.gaj = world.fgj, world.gaj
    c.zrj = world.department("zrj", "赤壁市自然资源和规划局")
    c.zjj = world.department("zjj", "赤壁市住房和城乡建设局")
    c.fgj_item = world.item(c.fgj, "企业投资项目备案")
    c.fgj_item2 = world.item(c.fgj, "企业投资项目核准")
    c.zrj_item = world.item(c.zrj, "建设用地规划许可证核发")
    c.zjj_item = world.item(c.zjj, "建筑工程施工许可证核发")
    c.gaj_item = world.item(c.gaj, "保安服务公司设立许可")
    c.retired = world.item(c.zrj, "已取消的事项", retired=True)
    c.fgj_officer = _officer(c.fgj, "王发改")
    c.zrj_officer = _officer(c.zrj, "李规划")
    c.zjj_officer = _officer(c.zjj, "赵住建")
    c.gaj_officer = _officer(c.gaj, "陈公安")
    return c


def new_form(city, **over):
    data = {
        "project": "赤壁市纳米新材料产业园项目", "opened_on": TODAY.isoformat(), "investor_mode": "new",
        "inv_name": "湖北赤壁纳米材料有限公司", "inv_code": GOOD_CODE, "inv_contact": "张经理", "inv_phone": "0715-5212345",
        "lead_item": str(city.fgj_item.id), "lead_days": "5",
        "parts-0-department": str(city.zrj.id), "parts-0-item": str(city.zrj_item.id), "parts-0-days": "3",
        "parts-1-department": str(city.zjj.id), "parts-1-item": str(city.zjj_item.id), "parts-1-days": "10",
        "parts-2-department": "", "parts-2-item": "", "parts-2-days": "5",
        "notes": "牵头部门的内部备注：投资方要求年底前开工",
    }
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


def login_as(client, username):
    client.post("/logout")
    response = client.post("/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 302, username
    return client


def open_matter(client, city, **over):
    login_as(client, "fgj")
    response = client.post("/joint/new", data=new_form(city, **over))
    assert response.status_code == 303, response.get_data(as_text=True)
    return JointMatter.select().order_by(JointMatter.id.desc()).first()


def part_of(matter, dept):
    return JointPart.get((JointPart.joint == matter.id) & (JointPart.department == dept.id))


def sign_data(officer, decision="同意", **over):
    data = {"decision": decision, "missing": "", "opinion": "符合规划条件，同意。", "signed_on": TODAY.isoformat(),
            "officer_id": str(officer.id)}
    data.update(over)
    return data


def sign(client, matter, dept, officer, decision="同意", **over):
    part = part_of(matter, dept)
    return client.post(f"/joint/{matter.id}/parts/{part.id}/sign", data=sign_data(officer, decision, **over))


def snapshot():
    """Everything the joint-matter area writes, to show that a refused input changed nothing."""
    return (
        [tuple(r) for r in JointMatter.select().order_by(JointMatter.id).tuples()],
        [tuple(r) for r in JointPart.select().order_by(JointPart.id).tuples()],
        [tuple(r) for r in JointRequest.select().order_by(JointRequest.id).tuples()],
        [tuple(r) for r in Investor.select().order_by(Investor.id).tuples()],
    )


# --- opening a joint matter ----------------------------------------------------------------------


def test_form_lists_only_the_leads_items_and_other_departments(client, city):
    login_as(client, "fgj")
    html = client.get("/joint/new").get_data(as_text=True)
    assert "企业投资项目备案" in html and "保安服务公司设立许可" not in html  # only the lead's own items here
    assert "赤壁市自然资源和规划局" in html
    assert 'name="parts-0-department"' in html
    # The lead is not offered as a participating department.
    assert f'<option value="{city.fgj.id}">赤壁市发展和改革局</option>' not in html


def test_part_row_follows_the_chosen_department(client, city):
    login_as(client, "fgj")
    html = client.get(f"/joint/new/row?row=1&parts-1-department={city.zrj.id}&parts-1-days=7", headers=HTMX).get_data(as_text=True)
    assert "建设用地规划许可证核发" in html and "已取消的事项" not in html and "建筑工程施工许可证核发" not in html
    assert 'value="7"' in html
    added = client.get("/joint/new/row?row=3&add=1", headers=HTMX).get_data(as_text=True)
    assert 'name="parts-3-department"' in added and 'hx-swap-oob="true"' in added and "row=4" in added
    assert client.get("/joint/new/row?row=99").status_code == 404


def test_lead_opens_a_matter_with_a_new_investor(client, city):
    matter = open_matter(client, city)
    assert matter.lead_id == city.fgj.id and matter.project == "赤壁市纳米新材料产业园项目"
    assert matter.opened_on == TODAY and matter.finished_on is None and matter.lead_item_id == city.fgj_item.id
    investor = Investor.get_by_id(matter.investor_id)
    assert investor.department_id == city.fgj.id and investor.credit_code == GOOD_CODE and investor.phone == "0715-5212345"
    parts = {p.department_id: p for p in JointPart.select().where(JointPart.joint == matter.id)}
    # The lead countersigns its own item too; the blank row is not saved.
    assert set(parts) == {city.fgj.id, city.zrj.id, city.zjj.id}
    assert parts[city.fgj.id].item_id == city.fgj_item.id
    assert parts[city.zrj.id].item_id == city.zrj_item.id and parts[city.zrj.id].deadline_days == 3
    assert all(p.decision is None for p in parts.values())


def test_deadlines_are_counted_in_working_days_across_a_weekend_and_a_holiday(client, city):
    # 2026-11-26 is a Thursday. Monday 30 November is made a holiday, Saturday 5 December a make-up workday.
    with write(username="test") as w:
        w.create(Holiday, day=D(2026, 11, 30), is_workday=False, name="测试假日")
        w.create(Holiday, day=D(2026, 12, 5), is_workday=True, name="调休上班")
    matter = open_matter(client, city, **{"parts-0-days": "3", "parts-1-days": "6", "lead_days": "1"})
    # Fri 27, (Sat, Sun, holiday Mon 30 skipped) Tue 1, Wed 2.
    assert part_of(matter, city.zrj).deadline == D(2026, 12, 2)
    # … Thu 3, Fri 4, and the make-up Saturday 5 is the sixth working day.
    assert part_of(matter, city.zjj).deadline == D(2026, 12, 5)
    assert part_of(matter, city.fgj).deadline == D(2026, 11, 27)


def test_lead_opens_a_matter_for_an_investor_of_its_ledger(client, city):
    with write(username="test") as w:
        investor = w.create(Investor, department=city.fgj, name="赤壁青砖茶业有限公司", credit_code=OTHER_CODE,
                            contact="刘", phone="13900000000")
    before = Investor.select().count()
    matter = open_matter(client, city, investor_mode="existing", investor_id=str(investor.id), inv_name="", inv_code="")
    assert matter.investor_id == investor.id and Investor.select().count() == before


def test_new_investor_code_is_stored_in_capitals(client, city):
    matter = open_matter(client, city, inv_code=GOOD_CODE.lower())
    assert Investor.get_by_id(matter.investor_id).credit_code == GOOD_CODE


BAD_NEW = [
    ({"project": ""}, "请填写项目名称"),
    ({"project": "项" * 201}, "项目名称不能超过200个字"),
    ({"opened_on": ""}, "请填写受理日期"),
    ({"opened_on": "2026-02-30"}, "请按“年-月-日”填写受理日期"),
    ({"opened_on": "2026-11-27"}, "受理日期不能晚于今天"),
    ({"opened_on": "2024-12-31"}, "受理日期不能早于制度实施日期（2025-01-01）"),
    ({"investor_mode": "other"}, "请选择投资者来源"),
    ({"inv_name": ""}, "请填写投资者（企业）名称"),
    ({"inv_code": ""}, "请填写统一社会信用代码"),
    ({"inv_code": "91421281MA4F0000"}, "统一社会信用代码应为18位"),
    ({"inv_code": GOOD_CODE[:-1] + ("0" if GOOD_CODE[-1] != "0" else "1")}, "统一社会信用代码校验位错误"),
    ({"inv_contact": ""}, "请填写联系人"),
    ({"inv_phone": ""}, "请填写联系电话"),
    ({"inv_phone": "电话号码"}, "联系电话格式不正确"),
    ({"investor_mode": "existing", "investor_id": ""}, "请选择本部门台账中的投资者"),
    ({"lead_item": ""}, "请选择牵头部门本部门的办理事项"),
    ({"lead_days": "0"}, "会签时限须为1至60之间的整数"),
    ({"parts-0-department": "", "parts-0-item": "", "parts-1-department": "", "parts-1-item": ""},
     "请至少选择一个参与部门"),
    ({"parts-0-item": ""}, "请选择该部门的办理事项"),
    ({"parts-0-days": ""}, "请填写会签时限"),
    ({"parts-0-days": "61"}, "会签时限须为1至60之间的整数"),
    ({"parts-0-days": "abc"}, "会签时限须为1至60之间的整数"),
    ({"parts-0-days": "-2"}, "会签时限须为1至60之间的整数"),
    ({"parts-0-department": "999999"}, "所选参与部门不存在或已停用"),
    ({"parts-0-department": "abc"}, "所选参与部门不存在或已停用"),
    ({"parts-0-department": "", "parts-0-item": "123"}, "请选择参与部门"),
]


def test_every_bad_input_of_the_new_form_is_refused_and_nothing_saved(client, city):
    # One app for all the cases: each posts the good form with one change and must change nothing.
    login_as(client, "fgj")
    before = snapshot()
    for change, message in BAD_NEW:
        response = client.post("/joint/new", data=new_form(city, **change))
        assert response.status_code == 422, message
        html = response.get_data(as_text=True)
        assert message in html, message
        assert "请修改以下" in html, message  # summarised at the top as well as next to the field
        assert snapshot() == before, message


def test_new_form_refuses_records_of_other_departments(client, city):
    with write(username="test") as w:
        foreign = w.create(Investor, department=city.gaj, name="公安局台账的企业", credit_code=OTHER_CODE)
    login_as(client, "fgj")
    cases = [
        ({"investor_mode": "existing", "investor_id": str(foreign.id)}, "所选投资者不在本部门的台账中"),
        ({"lead_item": str(city.gaj_item.id)}, "所选事项不是本部门在用的事项"),
        ({"lead_item": str(city.fgj_item.id), "parts-0-item": str(city.gaj_item.id)}, "所选事项不是该部门在用的事项"),
        ({"parts-0-item": str(city.retired.id)}, "所选事项不是该部门在用的事项"),
        ({"parts-0-department": str(city.fgj.id), "parts-0-item": str(city.fgj_item2.id)}, "参与部门须为其他部门"),
        ({"parts-1-department": str(city.zrj.id), "parts-1-item": str(city.zrj_item.id)}, "同一部门只能参加一次"),
    ]
    for change, message in cases:
        before = snapshot()
        response = client.post("/joint/new", data=new_form(city, **change))
        assert response.status_code == 422 and message in response.get_data(as_text=True), message
        assert snapshot() == before


def test_duplicate_credit_code_of_the_leads_ledger_is_refused(client, city):
    with write(username="test") as w:
        w.create(Investor, department=city.fgj, name="已在台账的企业", credit_code=GOOD_CODE)
    login_as(client, "fgj")
    before = snapshot()
    response = client.post("/joint/new", data=new_form(city))
    assert response.status_code == 422
    assert "本部门台账中已有该统一社会信用代码的投资者（已在台账的企业）" in response.get_data(as_text=True)
    assert snapshot() == before


def test_htmx_post_of_a_bad_form_answers_422_with_the_form_alone(client, city):
    login_as(client, "fgj")
    response = client.post("/joint/new", data=new_form(city, project=""), headers=HTMX)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and html.lstrip().startswith("<form") and "<html" not in html
    good = client.post("/joint/new", data=new_form(city), headers=HTMX)
    assert good.status_code == 204 and good.headers["HX-Redirect"].startswith("/joint/")


@pytest.mark.parametrize("username", ["office", "leader"])
def test_only_departments_open_joint_matters(client, city, username):
    login_as(client, username)
    before = snapshot()
    assert client.get("/joint/new").status_code == 403
    assert client.post("/joint/new", data=new_form(city)).status_code == 403
    assert snapshot() == before


# --- countersigning ----------------------------------------------------------------------------


def test_participating_department_signs_its_own_part(client, city):
    matter = open_matter(client, city, opened_on="2026-11-20")
    login_as(client, "zrj")
    response = sign(client, matter, city.zrj, city.zrj_officer, signed_on="2026-11-25", opinion="同意，按规划条件办理。")
    assert response.status_code == 303
    part = part_of(matter, city.zrj)
    assert (part.decision, part.signed_on, part.officer_id, part.opinion) == ("同意", D(2026, 11, 25), city.zrj_officer.id, "同意，按规划条件办理。")
    assert part_of(matter, city.zjj).decision is None
    assert JointMatter.get_by_id(matter.id).finished_on is None


def test_a_department_cannot_sign_another_departments_part(client, city):
    matter = open_matter(client, city)
    login_as(client, "zrj")
    before = snapshot()
    other = part_of(matter, city.zjj)
    response = client.post(f"/joint/{matter.id}/parts/{other.id}/sign", data=sign_data(city.zrj_officer))
    assert response.status_code == 404
    assert snapshot() == before


def test_a_department_outside_the_matter_gets_404_everywhere(client, city):
    matter = open_matter(client, city)
    login_as(client, "gaj")
    before = snapshot()
    part = part_of(matter, city.zrj)
    assert client.get(f"/joint/{matter.id}").status_code == 404
    assert client.get(f"/joint/{matter.id}/sheet").status_code == 404
    assert client.post(f"/joint/{matter.id}/parts/{part.id}/sign", data=sign_data(city.gaj_officer)).status_code == 404
    assert client.post(f"/joint/{matter.id}/parts/{part.id}/note", data={"internal_note": "x"}).status_code == 404
    assert client.post(f"/joint/{matter.id}/parts/{part.id}/received", data={f"r{part.id}-received_on": "2026-11-26"}).status_code == 404
    assert client.post(f"/joint/{matter.id}/lead", data={"visits": "1"}).status_code == 404
    assert "纳米新材料" not in client.get("/joint/").get_data(as_text=True)
    assert snapshot() == before


@pytest.mark.parametrize("username", ["office", "leader"])
def test_office_and_leader_cannot_sign_or_write(client, city, username):
    matter = open_matter(client, city)
    part = part_of(matter, city.zrj)
    login_as(client, username)
    before = snapshot()
    assert client.get(f"/joint/{matter.id}").status_code == 200
    assert client.post(f"/joint/{matter.id}/parts/{part.id}/sign", data=sign_data(city.zrj_officer)).status_code == 403
    assert client.post(f"/joint/{matter.id}/parts/{part.id}/received", data={}).status_code == 403
    assert client.post(f"/joint/{matter.id}/parts/{part.id}/note", data={"internal_note": "x"}).status_code == 403
    assert client.post(f"/joint/{matter.id}/lead", data={"visits": "3"}).status_code == 403
    assert snapshot() == before


BAD_SIGN = [
    ({"decision": ""}, "请选择会签意见"),
    ({"decision": "可以"}, "请选择会签意见"),
    ({"decision": "补正", "missing": "  "}, "须一次性列明需补正的全部材料"),
    ({"decision": "不同意", "opinion": ""}, "选择“不同意”时须说明理由"),
    ({"signed_on": ""}, "请填写会签日期"),
    ({"signed_on": "2026/11/26"}, "请按“年-月-日”填写会签日期"),
    ({"signed_on": "2026-11-27"}, "会签日期不能晚于今天"),
    ({"signed_on": "2026-11-19"}, "会签日期不能早于联办事项受理日期（2026-11-20）"),
    ({"officer_id": ""}, "请选择签署的首席服务员"),
    ({"officer_id": "abc"}, "所选人员不是本部门在任的首席服务员"),
    ({"opinion": "意" * 2001}, "意见说明不能超过2000个字"),
]


def test_every_bad_countersignature_is_refused_and_nothing_saved(client, city):
    matter = open_matter(client, city, opened_on="2026-11-20")
    login_as(client, "zrj")
    before = snapshot()
    part = part_of(matter, city.zrj)
    for change, message in BAD_SIGN:
        data = sign_data(city.zrj_officer)
        data.update(change)
        response = client.post(f"/joint/{matter.id}/parts/{part.id}/sign", data=data)
        assert response.status_code == 422, message
        assert message in response.get_data(as_text=True), message
        assert snapshot() == before, message


def test_signer_must_be_a_serving_officer_of_the_department(client, city):
    matter = open_matter(client, city)
    with write(username="test") as w:
        former = w.create(Officer, department=city.zrj, name="前任", gender="女", term_start=D(2020, 1, 1), term_end=D(2024, 12, 31))
    login_as(client, "zrj")
    before = snapshot()
    for officer in (city.zjj_officer, former):
        response = sign(client, matter, city.zrj, officer)
        assert response.status_code == 422 and "所选人员不是本部门在任的首席服务员" in response.get_data(as_text=True)
    assert snapshot() == before


def test_a_signed_part_cannot_be_signed_again(client, city):
    matter = open_matter(client, city)
    login_as(client, "zrj")
    assert sign(client, matter, city.zrj, city.zrj_officer).status_code == 303
    before = snapshot()
    response = sign(client, matter, city.zrj, city.zrj_officer, "不同意", opinion="改主意了")
    assert response.status_code == 422 and "不能重复会签" in response.get_data(as_text=True)
    assert snapshot() == before


def test_the_matter_is_finished_when_every_part_agrees(client, city):
    matter = open_matter(client, city, opened_on="2026-11-20")
    for username, dept, officer, day in (("zrj", city.zrj, city.zrj_officer, "2026-11-23"),
                                         ("fgj", city.fgj, city.fgj_officer, "2026-11-25"),
                                         ("zjj", city.zjj, city.zjj_officer, "2026-11-24")):
        assert JointMatter.get_by_id(matter.id).finished_on is None
        login_as(client, username)
        assert sign(client, matter, dept, officer, signed_on=day).status_code == 303
    # Finished on the day of the last 同意, whatever the order they were entered in.
    assert JointMatter.get_by_id(matter.id).finished_on == D(2026, 11, 25)
    html = client.get(f"/joint/{matter.id}").get_data(as_text=True)
    assert "已办结" in html and "提交会签" not in html
    login_as(client, "office")
    done = client.get("/joint/?state=done").get_data(as_text=True)
    assert "纳米新材料" in done
    assert "纳米新材料" not in client.get("/joint/?state=open").get_data(as_text=True)


def test_disagreement_stops_the_matter(client, city):
    matter = open_matter(client, city, opened_on="2026-11-02")
    login_as(client, "zjj")
    assert sign(client, matter, city.zjj, city.zjj_officer, "不同意", opinion="项目选址不符合建设要求。").status_code == 303
    login_as(client, "office")
    html = client.get(f"/joint/{matter.id}").get_data(as_text=True)
    assert "办理终止" in html and "项目选址不符合建设要求" in html
    assert "纳米新材料" in client.get("/joint/?state=refused").get_data(as_text=True)
    # The other parts are past their deadline, but a stopped matter is not late.
    assert "纳米新材料" not in client.get("/joint/?state=late").get_data(as_text=True)


# --- 补正 -----------------------------------------------------------------------------------------


def test_supplement_returns_the_part_and_records_what_was_asked(client, city):
    matter = open_matter(client, city, opened_on="2026-11-20")
    login_as(client, "zrj")
    missing = "1. 项目用地红线图（盖章）；\n2. 土地出让合同复印件。"
    response = sign(client, matter, city.zrj, city.zrj_officer, "补正", missing=missing, signed_on="2026-11-23",
                    opinion="材料不全")
    assert response.status_code == 303
    part = part_of(matter, city.zrj)
    assert part.decision == "补正" and part.missing == missing
    request = JointRequest.get(JointRequest.part == part.id)
    assert (request.asked_on, request.missing, request.officer_id, request.received_on) == (D(2026, 11, 23), missing, city.zrj_officer.id, None)

    # The lead is told, and every department sees what was asked and the matter as 待补正.
    login_as(client, "fgj")
    home = client.get("/").get_data(as_text=True)
    assert "赤壁市自然资源和规划局要求补正材料" in home
    detail = client.get(f"/joint/{matter.id}").get_data(as_text=True)
    assert "待补正" in detail and "土地出让合同复印件" in detail and "登记补正材料已收到" in detail

    # The material arrives (the lead records it): the part waits to be signed again, its deadline
    # counted afresh from the day it arrived (3 working days after Wednesday 25 November).
    response = client.post(f"/joint/{matter.id}/parts/{part.id}/received", data={f"r{part.id}-received_on": "2026-11-25"})
    assert response.status_code == 303
    part = part_of(matter, city.zrj)
    assert part.decision is None and part.deadline == D(2026, 11, 30)
    assert JointRequest.get_by_id(request.id).received_on == D(2026, 11, 25)
    assert part.missing == missing  # the request is kept

    login_as(client, "zrj")
    assert "待本部门会签" in client.get("/").get_data(as_text=True)
    # Not before the material arrived.
    early = sign(client, matter, city.zrj, city.zrj_officer, signed_on="2026-11-24")
    assert early.status_code == 422 and "会签日期不能早于补正材料收到日期（2026-11-25）" in early.get_data(as_text=True)
    assert sign(client, matter, city.zrj, city.zrj_officer, signed_on="2026-11-26").status_code == 303
    html = client.get(f"/joint/{matter.id}").get_data(as_text=True)
    assert "土地出让合同复印件" in html and "材料已于 2026-11-25 收到" in html


def test_signing_again_after_supplement_closes_the_request(client, city):
    matter = open_matter(client, city, opened_on="2026-11-20")
    login_as(client, "zjj")
    assert sign(client, matter, city.zjj, city.zjj_officer, "补正", missing="施工图审查合格书", signed_on="2026-11-23").status_code == 303
    before = snapshot()
    early = sign(client, matter, city.zjj, city.zjj_officer, signed_on="2026-11-22")
    assert early.status_code == 422 and "会签日期不能早于要求补正的日期（2026-11-23）" in early.get_data(as_text=True)
    assert snapshot() == before
    assert sign(client, matter, city.zjj, city.zjj_officer, signed_on="2026-11-26").status_code == 303
    part = part_of(matter, city.zjj)
    assert part.decision == "同意" and part.missing == "施工图审查合格书"
    assert JointRequest.get(JointRequest.part == part.id).received_on == D(2026, 11, 26)


def test_bad_material_received_is_refused(client, city):
    matter = open_matter(client, city, opened_on="2026-11-20")
    part = part_of(matter, city.zrj)
    login_as(client, "fgj")
    before = snapshot()
    # Nothing was asked yet.
    response = client.post(f"/joint/{matter.id}/parts/{part.id}/received", data={f"r{part.id}-received_on": "2026-11-26"})
    assert response.status_code == 422 and "没有待补正的材料要求" in response.get_data(as_text=True)
    assert snapshot() == before
    login_as(client, "zrj")
    sign(client, matter, city.zrj, city.zrj_officer, "补正", missing="红线图", signed_on="2026-11-24")
    before = snapshot()
    for day, message in (("2026-11-23", "材料收到日期不能早于要求补正的日期（2026-11-24）"),
                         ("2026-11-27", "材料收到日期不能晚于今天"), ("", "请填写材料收到日期"), ("x", "请按“年-月-日”填写材料收到日期")):
        response = client.post(f"/joint/{matter.id}/parts/{part.id}/received", data={f"r{part.id}-received_on": day})
        assert response.status_code == 422 and message in response.get_data(as_text=True), day
        assert "有1处需要修改，未登记。" in response.get_data(as_text=True), day  # announced, not only shown
    # Another participant may not record it for zrj.
    login_as(client, "zjj")
    assert client.post(f"/joint/{matter.id}/parts/{part.id}/received", data={f"r{part.id}-received_on": "2026-11-26"}).status_code == 404
    assert snapshot() == before
    # The department that asked may record it as well as the lead.
    login_as(client, "zrj")
    assert client.post(f"/joint/{matter.id}/parts/{part.id}/received", data={f"r{part.id}-received_on": "2026-11-26"}).status_code == 303
    assert part_of(matter, city.zrj).decision is None


# --- what each department sees -------------------------------------------------------------------


def test_internal_notes_never_reach_another_department(client, city):
    matter = open_matter(client, city, notes="牵头秘密备注")
    login_as(client, "zrj")
    part = part_of(matter, city.zrj)
    assert client.post(f"/joint/{matter.id}/parts/{part.id}/note", data={"internal_note": "规划局秘密备注"}).status_code == 303
    assert part_of(matter, city.zrj).internal_note == "规划局秘密备注"
    assert "规划局秘密备注" in client.get(f"/joint/{matter.id}").get_data(as_text=True)
    assert "牵头秘密备注" not in client.get(f"/joint/{matter.id}").get_data(as_text=True)
    for username in ("zjj", "fgj", "office", "leader"):
        login_as(client, username)
        for url in (f"/joint/{matter.id}", f"/joint/{matter.id}/sheet", "/joint/"):
            assert "规划局秘密备注" not in client.get(url).get_data(as_text=True), (username, url)
    login_as(client, "fgj")
    assert "牵头秘密备注" in client.get(f"/joint/{matter.id}").get_data(as_text=True)
    for username in ("zjj", "office"):
        login_as(client, username)
        assert "牵头秘密备注" not in client.get(f"/joint/{matter.id}").get_data(as_text=True)


def test_a_department_cannot_write_another_departments_note(client, city):
    matter = open_matter(client, city)
    login_as(client, "zjj")
    before = snapshot()
    part = part_of(matter, city.zrj)
    assert client.post(f"/joint/{matter.id}/parts/{part.id}/note", data={"internal_note": "x"}).status_code == 404
    assert snapshot() == before


def test_everyone_involved_sees_every_parts_status(client, city):
    matter = open_matter(client, city)
    login_as(client, "zrj")
    sign(client, matter, city.zrj, city.zrj_officer)
    login_as(client, "zjj")
    html = client.get(f"/joint/{matter.id}").get_data(as_text=True)
    assert "李规划" in html and "赤壁市自然资源和规划局" in html and "同意" in html
    assert "提交会签" in html  # its own part is still open to sign
    assert f"/parts/{part_of(matter, city.zrj).id}/sign" not in html


def test_lead_records_the_investors_visits(client, city):
    matter = open_matter(client, city)
    assert client.post(f"/joint/{matter.id}/lead", data={"visits": "2", "notes": "第二次来补材料"}).status_code == 303
    matter = JointMatter.get_by_id(matter.id)
    assert matter.visits == 2 and matter.notes == "第二次来补材料"
    login_as(client, "zrj")
    html = client.get(f"/joint/{matter.id}").get_data(as_text=True)
    assert "超过“最多跑一次”" in html
    assert client.post(f"/joint/{matter.id}/lead", data={"visits": "1"}).status_code == 404  # only the lead
    assert JointMatter.get_by_id(matter.id).visits == 2


def test_bad_visits_are_refused(client, city):
    matter = open_matter(client, city)
    before = snapshot()
    for visits, message in [("", "请填写投资者到现场次数"), ("-1", "到现场次数须为0至99之间的整数"),
                            ("abc", "到现场次数须为0至99之间的整数"), ("100", "到现场次数须为0至99之间的整数"),
                            ("1", "备注不能超过2000个字")]:
        notes = "备" * 2001 if visits == "1" else "x"
        response = client.post(f"/joint/{matter.id}/lead", data={"visits": visits, "notes": notes})
        assert response.status_code == 422 and message in response.get_data(as_text=True), visits
        assert snapshot() == before


def test_sheet_has_every_countersignature(client, city):
    matter = open_matter(client, city)
    login_as(client, "zrj")
    sign(client, matter, city.zrj, city.zrj_officer, opinion="同意用地规划。")
    html = client.get(f"/joint/{matter.id}/sheet").get_data(as_text=True)
    assert "联办单" in html and "同意用地规划。" in html and "李规划" in html
    assert html.count("<tr>") >= 3 + 6  # the three parts and the matter's rows
    assert "data-print" in html


# --- the list, the office and the reminders --------------------------------------------------------


def _late_matter(client, city):
    """Opened on 2 November with 3-day deadlines: by 26 November every unsigned part is late."""
    matter = open_matter(client, city, opened_on="2026-11-02", project="赤壁市青砖茶产业园项目",
                         **{"parts-1-days": "3", "parts-0-days": "3"})
    login_as(client, "zrj")
    sign(client, matter, city.zrj, city.zrj_officer, signed_on="2026-11-04")
    return matter


def test_office_sees_the_late_matters_and_at_which_department(client, city):
    _late_matter(client, city)
    login_as(client, "office")
    html = client.get("/joint/?state=late").get_data(as_text=True)
    assert "赤壁市青砖茶产业园项目" in html
    assert "逾期未会签" in html and "各部门会签用时" in html
    # zjj never signed: it is late; zrj signed 2 days after opening.
    late_section = html.split("逾期未会签", 1)[1].split("各部门会签用时", 1)[0]
    assert "赤壁市住房和城乡建设局" in late_section and "赤壁市自然资源和规划局" not in late_section
    times = html.split("各部门会签用时", 1)[1]
    assert "2.0" in times
    home = client.get("/").get_data(as_text=True)
    assert "赤壁市青砖茶产业园项目" in home and "逾期未会签" in home
    # Drill-down to one department.
    assert "赤壁市青砖茶产业园项目" in client.get("/joint/?dept=zjj").get_data(as_text=True)
    assert "赤壁市青砖茶产业园项目" not in client.get("/joint/?dept=gaj").get_data(as_text=True)
    assert client.get("/joint/?dept=nosuch").status_code == 404


def test_department_sees_its_matters_and_ignores_the_dept_parameter(client, city):
    matter = _late_matter(client, city)
    login_as(client, "zjj")
    html = client.get("/joint/?dept=gaj").get_data(as_text=True)
    assert "赤壁市青砖茶产业园项目" in html and "参与" in html
    home = client.get("/").get_data(as_text=True)
    assert "联办事项“赤壁市青砖茶产业园项目”待本部门会签" in home and "已逾期" in home
    assert "赤壁市青砖茶产业园项目" not in client.get("/joint/?role=lead").get_data(as_text=True)
    login_as(client, "fgj")
    assert "赤壁市青砖茶产业园项目" in client.get("/joint/?role=lead").get_data(as_text=True)
    assert "赤壁市青砖茶产业园项目" in client.get("/joint/?q=青砖茶").get_data(as_text=True)
    assert "赤壁市青砖茶产业园项目" not in client.get("/joint/?q=不存在的项目").get_data(as_text=True)
    login_as(client, "gaj")
    assert "赤壁市青砖茶产业园项目" not in client.get("/joint/").get_data(as_text=True)
    assert "待本部门会签" not in client.get("/").get_data(as_text=True)
    assert matter


def test_index_and_detail_cost_a_fixed_number_of_queries(client, city):
    def queries(url):
        with count_queries() as statements:
            assert client.get(url).status_code == 200
        return len(statements)

    first = open_matter(client, city)
    login_as(client, "office")
    one = queries("/joint/"), queries(f"/joint/{first.id}")
    for n in range(3):
        open_matter(client, city, project=f"项目{n}", inv_code=credit_code(f"91421281MA4F1000{n}"))
    login_as(client, "office")
    assert (queries("/joint/"), queries(f"/joint/{first.id}")) == one


def test_empty_posts_are_refused_without_a_server_error(client, city):
    matter = open_matter(client, city)
    part = part_of(matter, city.fgj)
    before = snapshot()
    new = client.post("/joint/new", data={})
    assert new.status_code == 422 and "请填写项目名称" in new.get_data(as_text=True)
    signed = client.post(f"/joint/{matter.id}/parts/{part.id}/sign", data={})
    assert signed.status_code == 422 and "请选择会签意见" in signed.get_data(as_text=True)
    assert client.post(f"/joint/{matter.id}/lead", data={}).status_code == 422
    assert client.post(f"/joint/{matter.id}/parts/{part.id}/received", data={}).status_code == 422
    assert snapshot() == before


def test_bad_htmx_countersignature_answers_the_sign_panel_alone(client, city):
    matter = open_matter(client, city)
    login_as(client, "zrj")
    part = part_of(matter, city.zrj)
    response = client.post(f"/joint/{matter.id}/parts/{part.id}/sign", data=sign_data(city.zrj_officer, decision=""), headers=HTMX)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and html.lstrip().startswith('<section class="panel" id="sign-panel"')
    assert "请选择会签意见" in html and "<html" not in html
    good = client.post(f"/joint/{matter.id}/parts/{part.id}/sign", data=sign_data(city.zrj_officer), headers=HTMX)
    assert good.status_code == 204 and good.headers["HX-Redirect"] == f"/joint/{matter.id}"


def test_too_long_internal_note_is_refused(client, city):
    matter = open_matter(client, city)
    login_as(client, "zrj")
    part = part_of(matter, city.zrj)
    before = snapshot()
    response = client.post(f"/joint/{matter.id}/parts/{part.id}/note", data={"internal_note": "备" * 2001})
    assert response.status_code == 422 and "备注不能超过2000个字" in response.get_data(as_text=True)
    assert snapshot() == before


ODD = ["", "x" * 5000, "\x00", "\u202eRTL", "😀", "'; DROP TABLE joint_part; --", "<b>x</b><script>alert(1)</script>",
       "0", "-5", "99999999999999999999", "2026-02-30", "9999-12-31", "１２３", "NaN", "　"]


def test_odd_input_never_breaks_a_joint_form(client, city):
    matter = open_matter(client, city)
    login_as(client, "zrj")
    sign(client, matter, city.zrj, city.zrj_officer, "补正", missing="红线图")
    login_as(client, "fgj")
    own, asked = part_of(matter, city.fgj), part_of(matter, city.zrj)
    forms = {
        "/joint/new": list(new_form(city)),
        f"/joint/{matter.id}/parts/{own.id}/sign": list(sign_data(city.fgj_officer)),
        f"/joint/{matter.id}/parts/{asked.id}/received": [f"r{asked.id}-received_on"],
        f"/joint/{matter.id}/lead": ["visits", "notes"],
    }
    for n, odd in enumerate(ODD):
        for path, fields in forms.items():
            payload = {name: ODD[(n + i) % len(ODD)] for i, name in enumerate(fields)}
            response = client.post(path, data=payload, headers=HTMX)
            assert response.status_code < 500, (path, payload)
            assert "<script>alert(1)</script>" not in response.get_data(as_text=True)
    row = client.get("/joint/new/row", query_string={"row": "0", "parts-0-department": "99999999999999999999"})
    assert row.status_code == 200


def test_ids_beyond_the_databases_range_are_404(client, city):
    matter = open_matter(client, city)
    huge = "99999999999999999999"
    assert client.get(f"/joint/{huge}").status_code == 404
    assert client.get(f"/joint/{huge}/sheet").status_code == 404
    assert client.post(f"/joint/{matter.id}/parts/{huge}/sign", data={}).status_code == 404
    assert client.post(f"/joint/{matter.id}/parts/{huge}/received", data={}).status_code == 404
    assert client.post(f"/joint/{matter.id}/parts/{huge}/note", data={}).status_code == 404


def test_a_joint_matter_keeps_the_item_names_it_was_opened_with(client, city):
    """历史记录保留当时的名称 (issue 17 §2): a rename later shows beside the recorded name, never instead."""
    matter = open_matter(client, city)
    assert matter.lead_item_name == "企业投资项目备案"
    assert part_of(matter, city.zrj).item_name == "建设用地规划许可证核发"
    with write(username="test") as w:
        w.update(city.zrj_item, item_name="建设用地规划许可", sub_item_name="建设用地规划许可")
    page = client.get(f"/joint/{matter.id}").get_data(as_text=True)
    assert "建设用地规划许可证核发 <span class=\"muted small renamed-note\">（现名：建设用地规划许可）</span>" in page
