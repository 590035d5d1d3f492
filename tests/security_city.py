"""The demo city the security tests share (not a test module): seed-demo, plus what the demo lacks for
department A (gaj) — a submitted list version, a tenure report, a joint matter it leads (without B,
fgj), a highlight case waiting for review, a finding to put right — all made through the portal's own
pages. Also: a disabled gaj account with a session, a spare account for the office's user actions,
logged-in clients per role, a form parser, and a save/restore of the database so that a test may
post anything and put the city back afterwards.

Department A is gaj, department B is fgj."""
from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from portal.db import db
from portal.models import (AssessmentPeriod, AuditLog, DataVersion, Department, Evaluation, HighlightCase, Holiday, Investor, ItemList,
                           JointMatter, JointPart, Letter, Matter, Officer, OversightReview, ReviewFinding,
                           RuleDocument, ServiceItem, TenureReport, User)
from tests.conftest import TODAY, make_app

DEMO_PASSWORD = "chibi-demo-2026"
ROLES = ("anonymous", "gaj", "fgj", "office", "leader", "disabled")
# Tables whose rows a request may touch without changing any record (sessions, login attempts, the
# dashboard's daily snapshot): left out of the "database unchanged" comparison.
OPEN = ("已受理", "办理中")
VOLATILE = {"login_session", "login_attempt", "daily_snapshot"}


# --- forms as a browser would send them -----------------------------------------------------------


@dataclass
class Form:
    action: str
    method: str
    fields: list = field(default_factory=list)  # (name, value, type) in document order

    def data(self, **override) -> dict:
        """The values the browser would submit (a select's chosen option, ticked boxes), overridden."""
        out: dict = {}
        for name, value, kind in self.fields:
            if kind == "file" or value is None:
                continue
            out.setdefault(name, value)
        out.update(override)
        return {k: v for k, v in out.items() if v is not None}


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select = None  # [name, first value, chosen value]
        self._option = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            action, method = a.get("action", ""), (a.get("method") or "get").lower()
            for verb in ("post", "put", "delete"):
                if a.get(f"hx-{verb}") is not None:
                    action, method = a[f"hx-{verb}"], verb
            self._form = Form(action, method)
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                value = a.get("value", "on") if "checked" in a else None
            elif kind in ("submit", "button", "image", "reset"):
                value = None
            else:
                value = a.get("value", "")
            self._form.fields.append((a["name"], value, kind))
        elif tag == "textarea" and a.get("name"):
            self._textarea = [a["name"], ""]
        elif tag == "select" and a.get("name"):
            self._select = [a["name"], None, None]
        elif tag == "option" and self._select is not None:
            value = a.get("value")
            self._option = [value, "selected" in a, ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data
        if self._option is not None:
            self._option[2] += data

    def handle_endtag(self, tag):
        if tag == "option" and self._option is not None and self._select is not None:
            value, selected, text = self._option
            value = text.strip() if value is None else value
            if self._select[1] is None:
                self._select[1] = value
            if selected:
                self._select[2] = value
            self._option = None
        elif tag == "select" and self._select is not None and self._form is not None:
            name, first, chosen = self._select
            self._form.fields.append((name, chosen if chosen is not None else (first or ""), "select"))
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            name, text = self._textarea
            self._form.fields.append((name, text[1:] if text.startswith("\n") else text, "textarea"))
            self._textarea = None
        elif tag == "form":
            self._form = None


def forms_in(html: str, page: str = "") -> list[Form]:
    """The page's forms, each action made a path (an empty action posts to the page itself)."""
    parser = _FormParser()
    parser.feed(html)
    for f in parser.forms:
        f.action = urlsplit(urljoin(page, f.action)).path
    return parser.forms


def form_to(html: str, action: str, page: str = "") -> Form:
    """The form on the page that posts to `action` (a path)."""
    for f in forms_in(html, page or action):
        if f.action == action and f.method != "get":
            return f
    raise AssertionError(f"no form posting to {action}")


# --- the database, saved and put back ------------------------------------------------------------


class Snapshot:
    """The whole SQLite database copied in memory; restore() puts every row back (the backup API,
    so the live file's WAL and open pooled connections stay consistent)."""

    def __init__(self, app):
        self.app = app
        self.copy = sqlite3.connect(":memory:")
        with app.app_context(), db.connection_context():
            db.connection().backup(self.copy)

    def restore(self):
        with self.app.app_context(), db.connection_context():
            self.copy.backup(db.connection())


def fingerprint(app, exclude=VOLATILE) -> dict[str, str]:
    """A digest of every row of every table (but the volatile ones), table by table."""
    out = {}
    with app.app_context(), db.connection_context():
        tables = [r[0] for r in db.execute_sql(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        for table in tables:
            if table in exclude:
                continue
            digest = hashlib.sha256()
            for row in db.execute_sql(f'SELECT * FROM "{table}" ORDER BY 1'):
                digest.update(repr(row).encode())
            out[table] = digest.hexdigest()
    return out


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(t for t in set(before) | set(after) if before.get(t) != after.get(t))


# --- the city --------------------------------------------------------------------------------------


def login(app, username, password=DEMO_PASSWORD):
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": password})
    assert response.status_code == 302, (username, response.status_code)
    return client


def _ok(response, *statuses):
    assert response.status_code in (statuses or (200, 302, 303)), (response.status_code,
                                                                    response.get_data(as_text=True)[:2000])
    return response


@dataclass
class City:
    app: object
    gaj: Department
    fgj: Department
    clients: dict
    samples: dict  # URL argument name → a value of department A's records (see build())
    ids: dict  # record kind → ids of department A's records, for the isolation tests
    snapshot: Snapshot | None = None

    def client(self, role):
        return self.clients[role]


def build(tmp_path, **config) -> City:
    """The demo city with department A's extra records, made through the portal's pages."""
    import os

    import pytest

    if (config.get("DATABASE_URL") or os.environ.get("TEST_DATABASE_URL") or "").startswith("postgres"):
        # Snapshot and fingerprint read SQLite itself (its backup API, sqlite_master); what these tests
        # check (scoping, roles) does not depend on the database, and the SQLite run covers it.
        pytest.skip("the security city is saved and restored with SQLite's backup API")
    config.setdefault("PROPAGATE_EXCEPTIONS", False)  # an error is a 500 the tests can see
    app = make_app(tmp_path, **config)
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        gaj = Department.get(Department.code == "gaj")
        fgj = Department.get(Department.code == "fgj")
        zrj = Department.get(Department.code == "zrj")
    office, gaj_client = login(app, "office"), login(app, "gaj")
    today = TODAY.isoformat()

    with app.app_context():
        officers = list(Officer.serving(gaj).order_by(Officer.term_start, Officer.id))
        assert len(officers) >= 2
        keep, leaving = officers[0], officers[-1]
        investor = Investor.select().where(Investor.department == gaj).order_by(Investor.id).first()
        gaj_item = ServiceItem.for_department(gaj).first()
        zrj_item = ServiceItem.for_department(zrj).first()
        finding = ReviewFinding.select().where(ReviewFinding.department == gaj).order_by(ReviewFinding.id).first()

    # A list version waiting for the office's review.
    _ok(gaj_client.post("/items/submit"))
    # A tenure report waiting for the office (the second officer leaves, nobody new yet).
    _ok(gaj_client.post("/tenure/new", data={
        "outgoing": str(leaving.id), "incoming_kind": "none", "effective_date": today,
        "reason": "工作调动。", "handover": "在办事项已移交。"}))
    # A joint matter gaj leads with zrj (fgj outside it).
    _ok(gaj_client.post("/joint/new", data={
        "project": "安全测试联办项目", "opened_on": today, "investor_mode": "existing",
        "investor_id": str(investor.id), "lead_item": str(gaj_item.id), "lead_days": "5",
        "parts-0-department": str(zrj.id), "parts-0-item": str(zrj_item.id), "parts-0-days": "5",
        "parts-1-department": "", "parts-1-item": "", "parts-1-days": "5",
        "parts-2-department": "", "parts-2-item": "", "parts-2-days": "5", "notes": ""}))
    # A draft letter for the serving officer.
    _ok(gaj_client.post(f"/officers/{keep.id}/letters/new"))
    # A highlight case waiting for review.
    _ok(gaj_client.post("/admin/cases/new", data={"title": "安全测试案例", "case_date": today,
                                                   "body": "窗口延时服务。"}))
    # A finding gaj has to put right.
    _ok(office.post(f"/admin/findings/{finding.id}/record", data={"finding": "需整改", "requirement": "补充材料。"}))
    # A spare account for the office's user actions, and a gaj account that gets disabled.
    for username, dept in (("spare", zrj), ("gaj_off", gaj)):
        _ok(office.post("/admin/users/new", data={"username": username, "display_name": username,
                                                  "role": "department", "department": str(dept.id),
                                                  "password": "spare-password-1"}))
    disabled = login(app, "gaj_off", "spare-password-1")
    with app.app_context():
        off_id = User.get(User.username == "gaj_off").id
    _ok(office.post(f"/admin/users/{off_id}/disable"))

    clients = {"anonymous": app.test_client(), "gaj": gaj_client, "fgj": login(app, "fgj"), "office": office,
               "leader": login(app, "leader"), "disabled": disabled}

    with app.app_context():
        ids = _ids(gaj, keep)
        samples = {
            "item_id": ids["item"][0], "list_id": ids["submitted_list"], "officer_id": keep.id,
            "letter_id": ids["letter"][0], "report_id": ids["report"][0], "investor_id": ids["investor"][0],
            "ledger.matter_id": ids["matter"][0], "joint.matter_id": ids["joint"][0], "part_id": ids["part"][0],
            "evaluation_id": ids["evaluation"][0], "case_id": ids["published_case"],
            "doc_id": ids["document"][0], "finding_id": ids["finding"][0],
            "review_id": OversightReview.select().first().id,
            "holiday_id": Holiday.select().order_by(Holiday.id).first().id,
            "user_id": User.get(User.username == "spare").id, "dept_id": gaj.id, "code": gaj.code,
            "period_id": AssessmentPeriod.get(AssessmentPeriod.locked_at.is_null()).id,
        }
    city = City(app=app, gaj=gaj, fgj=fgj, clients=clients, samples=samples, ids=ids)
    city.snapshot = Snapshot(app)
    return city


def _ids(gaj, officer) -> dict:
    """Department A's records by kind (the first id of each list is the matrix's sample)."""
    def of(model, *where, order=None):
        q = model.select(model.id).where(model.department == gaj, *where)
        return [r.id for r in q.order_by(order or model.id)]

    submitted = ItemList.get((ItemList.department == gaj) & (ItemList.state == "已报送"))
    joint = [m.id for m in JointMatter.select().where(JointMatter.lead == gaj)]
    assert joint, "no joint matter led by gaj"
    bad = of(Evaluation, Evaluation.level.in_((1, 2)), Evaluation.answered_at.is_null())
    published = HighlightCase.get((HighlightCase.department == gaj) & (HighlightCase.state == "已发布"))
    fix = of(ReviewFinding, ReviewFinding.finding == "需整改")
    return {
        "item": of(ServiceItem, ServiceItem.retired == False),  # noqa: E712
        "list": of(ItemList), "submitted_list": submitted.id,
        "officer": [officer.id] + [i for i in of(Officer) if i != officer.id],
        "letter": of(Letter, Letter.state == "草稿") + of(Letter, Letter.state != "草稿"),
        "report": of(TenureReport), "investor": of(Investor),
        "matter": of(Matter, Matter.status.in_(OPEN)) + of(Matter, Matter.status.not_in(OPEN)),
        "joint": joint, "part": [p.id for p in JointPart.select().where(
            (JointPart.joint.in_(joint)) & (JointPart.department == gaj))],
        "evaluation": bad + [i for i in of(Evaluation) if i not in bad],
        "case": of(HighlightCase), "published_case": published.id,
        "document": of(RuleDocument), "finding": fix + [i for i in of(ReviewFinding) if i not in fix],
    }


def data_version(app) -> tuple[int, int]:
    with app.app_context(), db.connection_context():
        return DataVersion.current(), AuditLog.select().count()
