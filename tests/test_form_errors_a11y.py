"""Every form error is tied to its field and summarised at the top: invalid data posted to one form of
each area of the demo city answers with an error summary whose links reach the fields, and each invalid
field carries aria-invalid and aria-describedby pointing at its own error, in Chinese."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from portal.demo import DEMO_PASSWORD
from portal.models import Department, Evaluation, ReviewFinding, ServiceItem
from tests.conftest import make_app

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
CJK = re.compile(r"[\u4e00-\u9fff]")


class Node:
    def __init__(self, tag, attrs, parent=None):
        self.tag, self.attrs, self.parent, self.children = tag, attrs, parent, []

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def walk(self):
        for c in self.children:
            if isinstance(c, Node):
                yield c
                yield from c.walk()

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())


class _Tree(HTMLParser):
    """A small DOM of the page (the standard library's parser; no extra dependency)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = self.current = Node("#root", {})

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {k: (v if v is not None else "") for k, v in attrs}, self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_endtag(self, tag):
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse(html: str) -> Node:
    tree = _Tree()
    tree.feed(html)
    return tree.root


def check_errors_accessible(html: str) -> list[str]:
    """What is wrong with the way a page shows its form errors (empty when all is well)."""
    root = parse(html)
    nodes = list(root.walk())
    problems = []
    ids: dict[str, Node] = {}
    for n in nodes:
        if "id" in n.attrs:
            if n.attrs["id"] in ids:
                problems.append(f"duplicate id {n.attrs['id']!r}")
            ids[n.attrs["id"]] = n

    summaries = [n for n in nodes if "error-summary" in n.classes]
    if not summaries:
        return problems + ["no .error-summary"]
    summary_text = " ".join(s.text() for s in summaries)
    links = [a.attrs.get("href", "") for s in summaries for a in s.walk() if a.tag == "a"]
    if not links:
        problems.append("the error summary links to no field")
    invalid = [n for n in nodes if n.attrs.get("aria-invalid") == "true"]
    if not invalid:
        problems.append("no field has aria-invalid=true")
    for href in links:
        target = ids.get(href[1:]) if href.startswith("#") else None
        if target is None:
            problems.append(f"summary link {href!r} reaches no element")
        elif target not in invalid and not any(n in invalid for n in target.walk()):
            problems.append(f"summary link {href!r} reaches {target.tag} that is not (and holds no) invalid field")

    described = set()
    for field in invalid:
        name = field.attrs.get("name") or field.attrs.get("id")
        refs = (field.attrs.get("aria-describedby") or "").split()
        if not refs:
            problems.append(f"invalid field {name!r} has no aria-describedby")
            continue
        missing = [r for r in refs if r not in ids]
        if missing:
            problems.append(f"invalid field {name!r}: aria-describedby {missing} not in the page")
        errors = [ids[r] for r in refs if r in ids and "error" in ids[r].classes]
        if not errors or not all(e.text().strip() for e in errors):
            problems.append(f"invalid field {name!r} is not described by its error text")
        for e in errors:
            described.add(id(e))
            text = e.text().strip()
            if not CJK.search(text):
                problems.append(f"error of {name!r} is not in Chinese: {text!r}")
            for part in text.split("；"):
                if part and part not in summary_text:
                    problems.append(f"error of {name!r} missing from the summary: {part!r}")
    for n in nodes:
        if "error" in n.classes and n.tag != "#root" and id(n) not in described:
            problems.append(f"error text {n.text().strip()!r} is tied to no field")
    return problems


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    app = make_app(tmp_path_factory.mktemp("form-errors"))
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        gaj = Department.get(code="gaj")
        app.ids = {
            "item": ServiceItem.select().where((ServiceItem.department == gaj) & (ServiceItem.retired == False))  # noqa: E712
            .order_by(ServiceItem.id).first().id,
            "evaluation": Evaluation.select().where((Evaluation.department == gaj) & Evaluation.open_condition())
            .order_by(Evaluation.id).first().id,
            "finding": ReviewFinding.select().where(ReviewFinding.state_is(ReviewFinding.TO_FIX)).first().id,
        }
    return app


# (area, role, url, data): data that fails validation, as a browser would send it.
CASES = [
    ("auth", None, "/login", {"username": "", "password": ""}),
    ("auth", "gaj", "/account/password", {"current": "", "new": "", "confirm": ""}),
    ("public", None, "/public/evaluate/gaj", {"level": "", "comment": "", "answer": ""}),
    ("items", "gaj", "/items/{item}", {"item_name": "", "sub_item_name": "", "item_type": "行政许可", "inclusion": "未纳入",
                                       "reason": "", "reason_note": "", "legal_days": "x"}),
    ("officers", "gaj", "/officers/new", {"name": "", "gender": "", "term_start": "2026-13-01"}),
    ("tenure", "gaj", "/tenure/new", {"outgoing": "", "incoming_kind": "nobody", "handover": ""}),
    ("ledger", "gaj", "/ledger/matters/new", {"project": "", "visits": "-1"}),
    ("evaluations", "gaj", "/ledger/evaluations/{evaluation}/answer", {"verified": "", "remedy": "", "callback": ""}),
    ("joint", "gaj", "/joint/new", {"project": "", "investor_mode": ""}),
    ("documents", "gaj", "/admin/documents/new", {"kind": "", "title": ""}),
    ("cases", "gaj", "/admin/cases/new", {"title": "", "body": ""}),
    ("oversight", "office", "/admin/oversight/new", {"title": "", "rate": "x"}),
    ("findings", "office", "/admin/findings/{finding}/record", {"finding": "", "requirement": ""}),
    ("admin", "office", "/admin/users/new", {"username": "", "role": ""}),
    ("admin", "office", "/admin/settings", {"oversight_rate": "x", "oversight_minimum": "", "oversight_answer_days": "0"}),
]


@pytest.mark.parametrize("area,role,url,data", CASES, ids=[f"{c[0]}:{c[2]}" for c in CASES])
def test_form_errors_are_tied_to_fields_and_summarised(demo, area, role, url, data):
    client = demo.test_client()
    if role:
        response = client.post("/login", data={"username": role, "password": DEMO_PASSWORD})
        assert response.status_code == 302
    response = client.post(url.format(**demo.ids), data=data)
    assert response.status_code in (200, 401, 422), response.status_code
    problems = check_errors_accessible(response.get_data(as_text=True))
    assert problems == [], f"{area} {url}:\n" + "\n".join(problems)


def test_the_checker_finds_an_error_tied_to_nothing():
    html = """<main><div class="error-summary"><a href="#name">姓名：请填写姓名</a></div>
      <input id="name" name="name" aria-invalid="true"><div class="error">请填写姓名</div></main>"""
    problems = check_errors_accessible(html)
    assert "invalid field 'name' has no aria-describedby" in problems
    assert "error text '请填写姓名' is tied to no field" in problems
