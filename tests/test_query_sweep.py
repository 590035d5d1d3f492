"""The query-parameter sweep (issue 20 §6): every GET route of the URL map, on the records of a demo
department (gaj in tests/security_city.py), as each role, with every query parameter the route reads set to
hostile values — quotes, OR 1=1, 20-digit numbers, NUL, emoji, RTL marks, 5,000 characters, negative and
zero pages.

Which parameters a route reads is not written down here: it is observed. The app's query arguments are a
MultiDict that notes every key looked up, and each route is requested once per role (plain, and with the
department of the demo city chosen, which is what opens the office's and the leader's per-department
pages); what it looked up is what it is swept with. A test checks that this covers every name the
portal's code reads from the query string.

Each (route, parameter, value) is sent once; the roles that read the parameter take the values in turn.
The answer must be no 5xx; a filter, sort or page the route does not know is ignored (the route's usual
status) or answered 400; a parameter naming a record (a department code, a list version) may also be 404,
as an unknown id in the path is; and every pager shown counts pages from 1."""
from __future__ import annotations

import pathlib
import re
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from werkzeug.datastructures import ImmutableMultiDict

from tests import security_city
from tests.test_route_matrix import _clone, _rules, _url

ROLES = ("anonymous", "gaj", "office", "leader")
HOSTILE = [
    "'\"", "' OR 1=1 --", "9" * 20, "-" + "9" * 20, "a\x00b", "😀", "\u202e\u200f名称\u202c", "長" * 5000, "-1", "0",
]
# Parameters that name a record: an unknown one is a 404, as an unknown id in the path is.
RECORD_PARAMS = {"dept", "a", "b", "version", "row"}
# Read from the query string by a POST only: the login's ?next= (tests/test_foundation.py, safe_next).
POST_ONLY = {"next"}
PAGER = re.compile(r"第 (-?\d+) / (-?\d+) 页，共 (-?\d+) 条")
TOTAL = re.compile(r'<p class="muted">共 (-?\d+) 条</p>')

_read: list[str] = []


class NotedArgs(ImmutableMultiDict):
    """Query arguments that note every key a view looks up."""

    def get(self, key, default=None, type=None):
        _read.append(key)
        return super().get(key, default, type)

    def __getitem__(self, key):
        _read.append(key)
        return super().__getitem__(key)

    def getlist(self, key, type=None):
        _read.append(key)
        return super().getlist(key, type)

    def __contains__(self, key):
        _read.append(key)
        return super().__contains__(key)


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    # Five rows a page, so that the demo city's tables have pagers for ?page= to push at.
    city = security_city.build(tmp_path_factory.mktemp("sweep"), PAGE_SIZE=5)
    app = city.app
    app.request_class = type("NotingRequest", (app.request_class,), {"parameter_storage_class": NotedArgs})
    return city


def _with(url: str, **params) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query.update(params)
    return parts.path + ("?" + urlencode(query) if query else "")


@pytest.fixture(scope="module")
def reads(city):
    """(endpoint, parameter) → [(role, url, status without the hostile value)] for every GET route."""
    found: dict[tuple[str, str], list] = {}
    for rule in _rules(city.app):
        if "GET" not in rule.methods:
            continue
        url = _url(city, rule)
        for role in ROLES:
            for base in dict.fromkeys((url, _with(url, dept=city.samples["code"]))):
                _read.clear()
                status = _clone(city, role).get(base).status_code
                assert status < 500, f"GET {base} as {role}: {status} with no hostile value"
                for name in set(_read):
                    found.setdefault((rule.endpoint, name), []).append((role, base, status))
    return found


def _names_in_code() -> set[str]:
    """Every query-parameter name the portal's code reads (request.args / args .get, [], getlist)."""
    pattern = re.compile(r"""\bargs(?:\.get|\.getlist)?\(?\[?\s*["']([A-Za-z_][\w-]*)["']""")
    names = set()
    for path in pathlib.Path(__file__).parent.parent.joinpath("portal").rglob("*.py"):
        names.update(pattern.findall(path.read_text(encoding="utf-8")))
    return names


def test_the_sweep_covers_every_parameter_the_code_reads(reads):
    observed = {name for _endpoint, name in reads}
    in_code = _names_in_code()
    assert {"q", "sort", "page", "dept", "state", "month"} <= in_code  # the pattern finds what it should
    missing = sorted(in_code - observed - POST_ONLY)
    assert not missing, f"read in portal/ but by no GET route the sweep reached: {missing}"


def test_hostile_query_parameters(city, reads):
    failures, pagers = [], 0
    for (endpoint, name), seen in sorted(reads.items()):
        for i, value in enumerate(HOSTILE):
            role, base, usual = seen[i % len(seen)]
            url = _with(base, **{name: value})
            response = _clone(city, role).get(url)
            status = response.status_code
            where = f"GET {endpoint} ?{name}={value[:20]!r} as {role}"
            allowed = {usual, 400} | ({404} if name in RECORD_PARAMS else set())
            if status >= 500:
                failures.append(f"{where}: {status} (server error)")
            elif status not in allowed:
                failures.append(f"{where}: {status}, expected {sorted(allowed)}")
            if status == 200 and response.mimetype == "text/html":
                html = response.get_data(as_text=True)
                for number, pages, total in PAGER.findall(html):
                    pagers += 1
                    if not (1 <= int(number) <= int(pages) and int(total) >= 0):
                        failures.append(f"{where}: pager 第 {number} / {pages} 页，共 {total} 条")
                for total in TOTAL.findall(html):
                    if int(total) < 0:
                        failures.append(f"{where}: 共 {total} 条")
    assert not failures, "\n".join(failures)
    assert pagers > 50, "the sweep met almost no pager: PAGE_SIZE or the demo city changed"


def test_a_nul_in_the_query_string_is_a_bad_request(city):
    client = _clone(city, "gaj")
    assert client.get("/items/?q=a%00b").status_code == 400
    assert "请求有误" in client.get("/ledger/?q=%00").get_data(as_text=True)
    assert client.get("/items/?q=a%2500b").status_code == 200  # "%00" typed as text is no NUL


def test_an_id_too_long_for_the_database_names_no_record(city):
    office = _clone(city, "office")
    assert office.get("/admin/audit?record=" + "9" * 20).status_code == 200
    assert office.get("/admin/findings?review=" + "9" * 20).status_code == 200
    assert office.get(f"/ledger/?dept={city.samples['code']}&item={'9' * 20}&officer=-{'9' * 20}").status_code == 200


def test_the_demo_city_shows_a_strangers_guessing_in_the_audit_log(city):
    from portal.models import AuditLog

    with city.app.app_context():
        entries = list(AuditLog.select().where(AuditLog.action == "login-lock"))
    assert {e.table for e in entries} == {"user", "login_attempt"} and len(entries) == 3
    html = _clone(city, "office").get("/admin/audit?table=login_attempt").get_data(as_text=True)
    assert "login-lock" in html and "203.0.113.45" in html


@pytest.mark.parametrize("value, expect", [
    ("12", 12), (" 7 ", 7), ("9" * 18, int("9" * 18)), ("9" * 19, None), ("-1", None), ("0x1", None),
    ("١٢", None), ("", None), (None, None), ("1 OR 1=1", None),
])
def test_record_id(value, expect):
    from portal.listing import record_id

    assert record_id(value) == expect
