"""Cross-department isolation. Department A's records (gaj) reached by id from department B (fgj):
every route taking that id answers 404 (403 where the route is not for departments at all), and the
database is unchanged — for every record type, with the form department A itself would post. Ids of
A's records slipped into B's own forms (selects, hidden fields) are refused too. And fields a
department may not set (department, state, published, reviewer, on-time, issuer …) posted along with
a legitimate form are ignored."""
from __future__ import annotations

import datetime as dt
import io
import re

import pytest

from portal.models import (Department, Evaluation, HighlightCase, Investor, ItemList, JointMatter, JointPart, Letter, Matter,
                           Officer, ReviewFinding, RuleDocument, ServiceItem, TenureReport, User)
from tests import security_city
from tests.conftest import TODAY
from tests.test_route_matrix import CLASSES, _class, _clone, _methods, _rules

PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
       b"trailer<</Root 1 0 R>>\n%%EOF\n")

# Record type → (URL argument, the blueprints whose routes take it as that record). The public pages
# show published records to anyone by design and are not part of this.
KINDS = {
    "item": ("item_id", ("items",)),
    "list": ("list_id", ("items",)),
    "officer": ("officer_id", ("officers",)),
    "letter": ("letter_id", ("officers",)),
    "report": ("report_id", ("tenure",)),
    "investor": ("investor_id", ("ledger",)),
    "matter": ("matter_id", ("ledger",)),
    "joint": ("matter_id", ("joint",)),
    "evaluation": ("evaluation_id", ("ledger",)),
    "case": ("case_id", ("cases",)),
    "document": ("doc_id", ("documents",)),
    "finding": ("finding_id", ("oversight",)),
}

# What each write route's body changes, on top of the form department A sees for the record (or alone,
# where the form is built by htmx or not on a page in the city's current state): a body that would
# write if the route let department B through. Formatted with the record id and the matrix samples.
BODIES = {
    "items.update": {"i{id}-item_name": "B 改名", "i{id}-sub_item_name": "B 改名", "i{id}-item_type": "行政许可",
                     "i{id}-inclusion": "待定"},
    "items.detail": {"location": "B 改的窗口", "inclusion": "待定"},
    "officers.edit": {"note": "B 改的备注"},
    "officers.letter_issue": {"issue_date": TODAY.isoformat()},
    "tenure.refile": {"reason": "B 改的", "handover": "B 改的"},
    "ledger.investor_edit": {"contact": "B 改的"},
    "ledger.matter_edit": {"notes": "B 改的"},
    "ledger.matter_status": {"status": "已退回", "completed_date": TODAY.isoformat()},
    "ledger.evaluation_answer": {"verified": "B", "remedy": "B", "callback": "B"},
    "joint.note": {"internal_note": "B 的备注"},
    "joint.received": {"r{part_id}-received_on": TODAY.isoformat()},
    "joint.lead": {"visits": "1", "notes": "B 写的"},
    "joint.sign": {"decision": "同意", "opinion": "B", "signed_on": TODAY.isoformat()},
    "cases.edit": {"title": "B 改的标题", "case_date": TODAY.isoformat(), "body": "B 改的内容"},
    "oversight.finding_answer": {"answer": "B 答的", "answered_on": TODAY.isoformat()},
    "documents.replace": {"title": "B 的替换", "doc_date": TODAY.isoformat()},
}
# Write routes whose body, posted by department A itself, writes for at least one of the records tried
# (so that B's 404 is the route's refusal, not a bad body). The others refuse A too in the demo city's
# state (an issued letter, a filed report, a part without 补正) or belong to the office.
OWNER_WRITES = {
    "items.update", "items.detail", "items.retire", "officers.edit", "officers.letter_new",
    "officers.letter_issue", "officers.letter_refresh", "officers.letter_discard", "ledger.investor_edit",
    "ledger.matter_edit", "ledger.matter_status", "ledger.evaluation_answer", "joint.note", "joint.lead",
    "joint.sign", "cases.edit", "cases.delete", "oversight.finding_answer", "documents.replace",
}
FILES = {"documents.replace": "file"}


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    return security_city.build(tmp_path_factory.mktemp("isolation"))


def _routes(city, argument, blueprints):
    return [r for r in _rules(city.app) if argument in r.arguments and r.endpoint.split(".")[0] in blueprints]


def _build(city, rule, argument, record_id):
    blueprint = rule.endpoint.split(".")[0]
    values = {}
    for name in rule.arguments:
        key = f"{blueprint}.{name}" if f"{blueprint}.{name}" in city.samples else name
        values[name] = record_id if name == argument else city.samples[key]
    return rule.build(values, append_unknown=False)[1]


def _owner_forms(city, urls) -> dict:
    """The forms department A sees on these pages (plain and htmx fragments), by the path they post to."""
    found = {}
    for url in urls:
        for headers in ({}, {"HX-Request": "true"}):
            response = _clone(city, "gaj").get(url, headers=headers)
            if response.status_code == 200 and response.mimetype == "text/html":
                for form in security_city.forms_in(response.get_data(as_text=True), url):
                    if form.method != "get":
                        found.setdefault(form.action, form)
    return found


def _body(city, endpoint, url, forms, record_id):
    values = dict(city.samples, id=record_id)
    data = forms[url].data() if url in forms else {}
    data.update({k.format(**values): v for k, v in BODIES.get(endpoint, {}).items()})
    data.pop("csrf_token", None)
    if endpoint in FILES:
        data[FILES[endpoint]] = (io.BytesIO(PDF + b"% B\n"), "替换.pdf")
    return data


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_department_b_cannot_reach_department_a_records(city, kind):
    argument, blueprints = KINDS[kind]
    routes = _routes(city, argument, blueprints)
    assert routes, kind
    city.snapshot.restore()
    before = security_city.fingerprint(city.app)
    failures, owner_posts = [], []
    for record_id in city.ids[kind][:3]:
        urls = [_build(city, r, argument, record_id) for r in routes]
        forms = _owner_forms(city, [u for r, u in zip(routes, urls) if "GET" in r.methods])
        for rule, url in zip(routes, urls):
            for method in _methods(rule):
                expect = CLASSES[_class(rule.endpoint, method)]["fgj"]
                expect = 404 if expect == "ok" else expect
                data = _body(city, rule.endpoint, url, forms, record_id) if method != "GET" else None
                version = security_city.data_version(city.app)
                response = _clone(city, "fgj").open(url, method=method, data=data)
                if response.status_code != expect:
                    failures.append(f"{method} {url} ({rule.endpoint}): expected {expect}, got {response.status_code}")
                if security_city.data_version(city.app) != version:
                    failures.append(f"{method} {url} ({rule.endpoint}) wrote")
                if method != "GET" and rule.endpoint in OWNER_WRITES:
                    owner_posts.append((rule.endpoint, method, url, _body(city, rule.endpoint, url, forms, record_id)))
    # Every row as it was (also what a write outside the audited write path would have changed).
    after = security_city.fingerprint(city.app)
    assert after == before, f"changed: {security_city.changed_tables(before, after)}\n" + "\n".join(failures)
    assert not failures, "\n".join(failures)

    # The same bodies from department A do write: B's 404 is the route's refusal, not a bad body.
    owner_wrote = set()
    for endpoint, method, url, data in owner_posts:
        version = security_city.data_version(city.app)
        _clone(city, "gaj").open(url, method=method, data=data)
        if security_city.data_version(city.app) != version:
            owner_wrote.add(endpoint)
            city.snapshot.restore()
    expected = {r.endpoint for r in routes} & OWNER_WRITES
    assert owner_wrote == expected, f"A's own post did not write: {sorted(expected - owner_wrote)}"


def test_b_sees_no_record_of_a_in_its_lists(city):
    """B's own list pages never show A's records, whatever ?dept= says."""
    client = _clone(city, "fgj")
    with city.app.app_context():
        item = ServiceItem.get_by_id(city.ids["item"][0])
        investor = Investor.get_by_id(city.ids["investor"][0])
        project = JointMatter.get_by_id(city.ids["joint"][0]).project
    pages = {
        "/items/?dept=gaj": item.item_name,
        "/items/?dept=gaj&q=" + item.item_name: f'href="/items/{item.id}"',
        "/ledger/investors?dept=gaj": investor.name,
        "/joint/?q=" + project: f'href="/joint/{city.ids["joint"][0]}"',
        "/admin/cases?dept=gaj": "安全测试案例",
        "/tenure/?dept=gaj": f'href="/tenure/{city.ids["report"][0]}"',
        "/admin/audit": "安全测试案例",
        "/admin/findings": "补充材料",
        "/ledger/evaluations?bad=1": f"/ledger/evaluations/{city.samples['evaluation_id']}/",
    }
    for url, text in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert text not in response.get_data(as_text=True), url
    # …while A sees them (the markers are real).
    for url, text in pages.items():
        if "q=" not in url:
            assert text in _clone(city, "gaj").get(url).get_data(as_text=True), url


def test_a_part_of_a_joint_matter_belongs_to_its_department_only(city):
    """zrj takes part in A's joint matter and sees it; A's own part is still not zrj's to sign, note
    or mark received."""
    zrj = security_city.login(city.app, "zrj")
    matter, part = city.samples["joint.matter_id"], city.samples["part_id"]
    assert zrj.get(f"/joint/{matter}").status_code == 200
    before = security_city.fingerprint(city.app)
    for action, data in (("sign", BODIES["joint.sign"]), ("note", BODIES["joint.note"]),
                         ("received", {f"r{part}-received_on": TODAY.isoformat()})):
        response = zrj.post(f"/joint/{matter}/parts/{part}/{action}", data=data)
        assert response.status_code == 404, action
    assert zrj.post(f"/joint/{matter}/lead", data=BODIES["joint.lead"]).status_code == 404  # not the lead
    assert security_city.fingerprint(city.app) == before


# --- A's ids inside B's own forms ------------------------------------------------------------------


def _b_form(city, path, action=None, **override):
    client = _clone(city, "fgj")
    page = client.get(path)
    assert page.status_code == 200, path
    return client, security_city.form_to(page.get_data(as_text=True), action or path, path).data(**override)


def test_ids_of_a_in_b_forms_are_refused(city):
    city.snapshot.restore()
    with city.app.app_context():
        a_item, a_officer, a_investor = city.ids["item"][0], city.samples["officer_id"], city.ids["investor"][0]
        b_item = ServiceItem.for_department(city.fgj).first().id
        b_investor = Investor.select().where(Investor.department == city.fgj).first().id
        b_officer = Officer.serving(city.fgj).first().id
        b_list = ItemList.select().where(ItemList.department == city.fgj).first().id
        zrj = Department.get(Department.code == "zrj")
        zrj_item = ServiceItem.for_department(zrj).first().id
    b_ids = {"matter": {"investor": str(b_investor), "item": str(b_item), "officer": str(b_officer)},
             "joint": {"investor_mode": "existing", "investor_id": str(b_investor), "lead_item": str(b_item),
                       "parts-0-department": str(zrj.id), "parts-0-item": str(zrj_item)},
             "item": {"officer_id": str(b_officer)}, "tenure": {"outgoing": str(b_officer)}}
    forms = {
        "matter": lambda ids: ("/ledger/matters/new", "/ledger/matters/new", dict(
            project="越权事项", received_date=TODAY.isoformat(), promised_date=TODAY.isoformat(), **ids)),
        "joint": lambda ids: ("/joint/new", "/joint/new", dict(project="越权联办", **ids)),
        "item": lambda ids: ("/items/new", "/items/", dict(item_name="越权事项", sub_item_name="越权事项",
                                                          item_type="行政许可", inclusion="纳入", mode="终审", **ids)),
        "tenure": lambda ids: ("/tenure/new", "/tenure/new", dict(
            incoming_kind="none", effective_date=TODAY.isoformat(), reason="越权", handover="越权", **ids)),
    }
    # Each of B's forms with one of A's ids in place of B's own.
    swaps = [("matter", "investor", a_investor), ("matter", "item", a_item), ("matter", "officer", a_officer),
             ("joint", "investor_id", a_investor), ("joint", "lead_item", a_item), ("item", "officer_id", a_officer),
             ("tenure", "outgoing", a_officer)]
    before = security_city.fingerprint(city.app)
    for form, field, a_id in swaps:
        page, action, fields = forms[form]({**b_ids[form], field: str(a_id)})
        client, data = _b_form(city, page, action, **fields)
        response = client.post(action, data=data)
        assert response.status_code == 422, (form, field, response.status_code)
    # A's items ticked in B's batch assignment; A's list version in B's export and comparison.
    client = _clone(city, "fgj")
    response = client.post("/items/assign", data={"ids": [str(a_item)], "officer_id": str(b_officer), "mode": "终审"})
    assert response.status_code == 302  # back to the list with the refusal as a flash message
    assert client.get(f"/items/export?version={city.ids['list'][0]}").status_code == 404
    assert client.get(f"/items/diff?a={b_list}&b={city.ids['list'][0]}").status_code == 404
    after = security_city.fingerprint(city.app)
    assert after == before, security_city.changed_tables(before, after)
    # The same forms with B's own ids go through: the refusals above are about A's ids.
    for form in forms:
        page, action, fields = forms[form](b_ids[form])
        client, data = _b_form(city, page, action, **fields)
        response = client.post(action, data=data)
        assert response.status_code in (302, 303), (form, response.get_data(as_text=True)[:3000])
        city.snapshot.restore()


# --- fields a department may not set --------------------------------------------------------------


@pytest.fixture
def fresh(city):
    """The city as built, before and after each of these tests."""
    city.snapshot.restore()
    yield city
    city.snapshot.restore()


def _a_form(city, path, action=None, **override):
    client = _clone(city, "gaj")
    page = client.get(path)
    assert page.status_code == 200, path
    return client, security_city.form_to(page.get_data(as_text=True), action or path, path).data(**override)


def _get(city, model, record_id):
    with city.app.app_context():
        return model.get_by_id(record_id)


def _newest(city, model):
    with city.app.app_context():
        return model.select().order_by(model.id.desc()).first()


def foreign(city) -> str:
    """Department B's id, posted where a form might take a department."""
    return str(city.fgj.id)


def test_item_forms_ignore_department_and_list_fields(fresh):
    city = fresh
    extra = {"department": foreign(city), "department_id": foreign(city), "retired": "1", "published": "1",
             "state": "已通过", "seq": "1", "created_at": "2000-01-01"}
    client, data = _a_form(city, "/items/new", "/items/", item_name="新增事项甲", sub_item_name="新增事项甲",
                           item_type="公共服务", inclusion="待定", **extra)
    assert client.post("/items/", data=data).status_code == 303
    item = _newest(city, ServiceItem)
    assert item.item_name == "新增事项甲" and item.department_id == city.gaj.id and not item.retired

    item_id = city.ids["item"][0]
    client, data = _a_form(city, f"/items/{item_id}", location="三楼窗口", **extra)
    assert client.post(f"/items/{item_id}", data=data).status_code == 303
    item = _get(city, ServiceItem, item_id)
    assert item.location == "三楼窗口" and item.department_id == city.gaj.id and not item.retired

    # Submitting the list: the state, review, publication and on-time flag are the portal's to set.
    city.snapshot.restore()
    with city.app.app_context():
        ItemList.delete().where(ItemList.id == city.ids["submitted_list"]).execute()  # so that a new one can go
    response = _clone(city, "gaj").post("/items/submit", data={
        "state": "已通过", "published": "1", "on_time": "1", "reviewed_by": "1", "department": foreign(city),
        "deadline": "2099-12-31", "revision": "99"})
    assert response.status_code == 303
    submitted = _newest(city, ItemList)
    assert submitted.department_id == city.gaj.id and submitted.state == "已报送"
    assert not submitted.published and submitted.reviewed_by_id is None and submitted.revision != 99


def test_officer_and_letter_forms_ignore_department_and_term(fresh):
    city = fresh
    officer_id = city.samples["officer_id"]
    before = _get(city, Officer, officer_id)
    client, data = _a_form(city, f"/officers/{officer_id}/edit", note="改了备注", department=foreign(city),
                           term_start="2000-01-01", term_end="2000-12-31")
    assert client.post(f"/officers/{officer_id}/edit", data=data).status_code == 303
    after = _get(city, Officer, officer_id)
    assert after.note == "改了备注" and after.department_id == city.gaj.id
    assert (after.term_start, after.term_end) == (before.term_start, before.term_end)

    # A draft letter, issued: the number, state, issuer and department are the portal's.
    client = _clone(city, "gaj")
    response = client.post(f"/officers/{officer_id}/letters/new", data={"state": "已签发", "department": foreign(city)})
    assert response.status_code == 302
    letter = _newest(city, Letter)
    assert letter.state == "草稿" and letter.department_id == city.gaj.id
    response = client.post(f"/officers/letters/{letter.id}/issue", data={
        "issue_date": TODAY.isoformat(), "issued_by": "1", "number": "赤首授〔1999〕1号", "department": foreign(city),
        "officer": str(city.ids["officer"][-1]), "state": "已替换"})
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    letter = _get(city, Letter, letter.id)
    gaj_user = _user_id(city, "gaj")
    assert letter.state == "已签发" and letter.issued_by_id == gaj_user and letter.department_id == city.gaj.id
    assert letter.officer_id == officer_id and "1999" not in letter.number


def _user_id(city, username):
    with city.app.app_context():
        return User.get(User.username == username).id


def test_tenure_report_ignores_state_reviewer_and_early(fresh):
    city = fresh
    officer_id = city.samples["officer_id"]
    client, data = _a_form(city, "/tenure/new", outgoing=str(officer_id), incoming_kind="none",
                           effective_date=TODAY.isoformat(), reason="调动。", handover="已移交。",
                           state="已确认", reviewed_by="1", reviewed_at="2026-01-01", department=foreign(city),
                           early="0", review_comment="自己批准")
    assert client.post("/tenure/new", data=data).status_code == 303
    report = _newest(city, TenureReport)
    assert report.department_id == city.gaj.id and report.state == "待确认"
    assert report.reviewed_by_id is None and report.review_comment == ""
    served = (TODAY - _get(city, Officer, officer_id).term_start).days
    assert report.early == (served < 730)


def test_ledger_forms_ignore_department(fresh):
    city = fresh
    investor_id = city.ids["investor"][0]
    client, data = _a_form(city, f"/ledger/investors/{investor_id}/edit", contact="新联系人",
                           department=foreign(city), department_id=foreign(city))
    assert client.post(f"/ledger/investors/{investor_id}/edit", data=data).status_code == 303
    investor = _get(city, Investor, investor_id)
    assert investor.contact == "新联系人" and investor.department_id == city.gaj.id

    matter_id = city.samples["ledger.matter_id"]
    client, data = _a_form(city, f"/ledger/matters/{matter_id}/edit", notes="新备注", department=foreign(city))
    assert client.post(f"/ledger/matters/{matter_id}/edit", data=data).status_code == 302
    matter = _get(city, Matter, matter_id)
    assert matter.notes == "新备注" and matter.department_id == city.gaj.id

    evaluation_id = city.samples["evaluation_id"]
    before = _get(city, Evaluation, evaluation_id)
    client, data = _a_form(city, f"/ledger/evaluations/{evaluation_id}/answer", verified="已核实", remedy="已整改",
                           callback="满意", level="5", department=foreign(city), answered_by="1",
                           answered_at="2000-01-01 00:00:00", deadline="2099-12-31", comment="改评价")
    assert client.post(f"/ledger/evaluations/{evaluation_id}/answer", data=data).status_code == 303
    after = _get(city, Evaluation, evaluation_id)
    assert after.verified == "已核实" and after.level == before.level and after.comment == before.comment
    assert after.department_id == city.gaj.id and after.deadline == before.deadline
    assert after.answered_by_id == _user_id(city, "gaj") and after.answered_at.year == TODAY.year


def test_joint_forms_ignore_lead_and_department(fresh):
    city = fresh
    matter_id, part_id = city.samples["joint.matter_id"], city.samples["part_id"]
    before = _get(city, JointMatter, matter_id)
    client = _clone(city, "gaj")
    response = client.post(f"/joint/{matter_id}/lead", data={"visits": "1", "notes": "记录", "lead": foreign(city),
                                                            "investor": "1", "finished_on": "2026-01-01",
                                                            "created_by": "1"})
    assert response.status_code in (302, 303)
    after = _get(city, JointMatter, matter_id)
    assert after.notes == "记录" and after.lead_id == city.gaj.id and after.investor_id == before.investor_id
    assert after.finished_on is None and after.created_by_id == before.created_by_id

    client, data = _a_form(city, f"/joint/{matter_id}", f"/joint/{matter_id}/parts/{part_id}/sign",
                           decision="同意", department=foreign(city), joint="1", deadline="2099-12-31")
    response = client.post(f"/joint/{matter_id}/parts/{part_id}/sign", data=data)
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:3000]
    part = _get(city, JointPart, part_id)
    assert part.decision == "同意" and part.department_id == city.gaj.id and part.joint_id == matter_id
    assert part.deadline != dt.date(2099, 12, 31)


def test_case_forms_ignore_state_and_reviewer(fresh):
    city = fresh
    client = _clone(city, "gaj")
    forbidden = {"state": "已发布", "reviewed_by": "1", "reviewed_at": "2026-01-01 00:00:00",
                 "department": foreign(city), "department_id": foreign(city), "review_comment": "自己通过"}
    response = client.post("/admin/cases/new", data={"title": "新案例", "case_date": TODAY.isoformat(),
                                                     "body": "内容", **forbidden})
    assert response.status_code in (302, 303)
    case = _newest(city, HighlightCase)
    assert case.title == "新案例" and case.state == "待审核" and case.department_id == city.gaj.id
    assert case.reviewed_by_id is None and case.review_comment == ""
    response = client.post(f"/admin/cases/{case.id}/edit", data={"title": "改过的案例", "case_date": TODAY.isoformat(),
                                                                 "body": "内容", **forbidden})
    assert response.status_code in (302, 303)
    case = _get(city, HighlightCase, case.id)
    assert case.title == "改过的案例" and case.state == "待审核" and case.reviewed_by_id is None


def test_document_forms_ignore_department_and_replacement(fresh):
    city = fresh
    client = _clone(city, "gaj")
    other = city.ids["document"][-1]
    response = client.post("/admin/documents/new", content_type="multipart/form-data", data={
        "kind": "其他", "title": "新文件", "number": "", "doc_date": TODAY.isoformat(),
        "file": (io.BytesIO(PDF + b"% new\n"), "新文件.pdf"),
        "department": foreign(city), "replaced_by": str(other), "uploaded_by": "1", "sha256": "0" * 64, "size": "1"})
    assert response.status_code in (302, 303)
    doc = _newest(city, RuleDocument)
    assert doc.title == "新文件" and doc.department_id == city.gaj.id and doc.replaced_by_id is None
    assert doc.uploaded_by_id == _user_id(city, "gaj") and doc.size == len(PDF + b"% new\n")
    assert _get(city, RuleDocument, other).replaced_by_id is None


def test_finding_answer_ignores_finding_and_closing(fresh):
    city = fresh
    finding_id = city.samples["finding_id"]
    before = _get(city, ReviewFinding, finding_id)
    client, data = _a_form(city, f"/admin/findings/{finding_id}", f"/admin/findings/{finding_id}/answer",
                           answer="已整改完毕", answered_on=TODAY.isoformat(), finding="规范", closed="1",
                           requirement="", department=foreign(city), return_comment="x")
    assert client.post(f"/admin/findings/{finding_id}/answer", data=data).status_code in (302, 303)
    after = _get(city, ReviewFinding, finding_id)
    assert after.answer == "已整改完毕" and after.finding == "需整改" and not after.closed
    assert after.requirement == before.requirement and after.department_id == city.gaj.id
    assert after.return_comment == before.return_comment


def test_public_evaluation_ignores_answer_fields(fresh):
    city = fresh
    client = city.app.test_client()
    page = client.get("/public/evaluate/gaj").get_data(as_text=True)
    a, b = map(int, re.search(r"验证问题：(\d+) \+ (\d+)", page).groups())
    response = client.post("/public/evaluate/gaj", data={
        "level": "1", "comment": "排队太久", "answer": str(a + b), "department": foreign(city),
        "department_id": foreign(city), "verified": "已核实", "answered_at": "2026-01-01 00:00:00",
        "answered_by": "1", "deadline": "2099-12-31", "remedy": "x"})
    assert response.status_code == 303
    evaluation = _newest(city, Evaluation)
    assert evaluation.comment == "排队太久" and evaluation.department_id == city.gaj.id
    assert evaluation.answered_at is None and evaluation.verified == "" and evaluation.answered_by_id is None
    assert evaluation.deadline is not None and evaluation.deadline.year < 2099
