"""The route-by-role matrix: every rule of the URL map × every method it accepts × anonymous, department
A (gaj), department B (fgj), the office, the leader and a disabled gaj account, compared with the
access table below. No answer is a 500, whatever the role; a POST with an empty body included.

URL arguments are records of department A in the demo city (tests/security_city.py), so department B
reaching them is the cross-department case: 404, never the record. The database is put back after
every write request, so that each request meets the same city.

A route that is not in EXPECTED fails the test: classify it there (one line per endpoint)."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests import security_city

# Access classes: what each role gets. "ok" = allowed (any answer but 401/403/404, a login redirect or
# a 5xx); "login" = sent to the login page; 403 = refused for the role; 404 = the record is hidden (it
# belongs to another department).
ANON = {"anonymous": "login", "disabled": "login"}
CLASSES = {
    # Anyone, without logging in (the public pages, the login page, the health check).
    "public": dict.fromkeys(security_city.ROLES, "ok"),
    # Any logged-in account (home page, own password).
    "login": {**ANON, "gaj": "ok", "fgj": "ok", "office": "ok", "leader": "ok"},
    # Any role; the URL names no department record (lists, per-department pages of one's own).
    "any": {**ANON, "gaj": "ok", "fgj": "ok", "office": "ok", "leader": "ok"},
    # Any role, on a record of department A: department B does not see that it exists.
    "any_a": {**ANON, "gaj": "ok", "fgj": 404, "office": "ok", "leader": "ok"},
    # Department users only (their own department's pages and forms).
    "dept": {**ANON, "gaj": "ok", "fgj": "ok", "office": 403, "leader": 403},
    # Department users only, on a record of department A: only A; B gets 404.
    "dept_a": {**ANON, "gaj": "ok", "fgj": 404, "office": 403, "leader": 403},
    # The office (协调办) only.
    "office": {**ANON, "gaj": 403, "fgj": 403, "office": "ok", "leader": 403},
    # The office and the leading group (read-only city-wide pages).
    "staff": {**ANON, "gaj": 403, "fgj": 403, "office": "ok", "leader": "ok"},
    # Logging out: anyone, never an error; checked on its own below.
    "logout": dict.fromkeys(security_city.ROLES, "logout"),
}

# endpoint → access class, or {method: class} where the methods differ.
EXPECTED = {
    # auth
    "auth.login": "public",
    "auth.logout": "logout",
    "auth.change_password": "login",
    # dashboard
    "dashboard.home": "login",
    "dashboard.healthz": "public",
    "dashboard.index": "any",
    "dashboard.export": "staff",
    "dashboard.department": "staff",
    # items (事项清单)
    "items.index": "any",
    "items.counts": "any",
    "items.new": "dept",
    "items.create": "dept",
    "items.row": "any_a",
    "items.edit_row": "dept_a",
    "items.update": "dept_a",
    "items.retire": "dept_a",
    "items.restore": "dept_a",
    "items.detail": {"GET": "any_a", "POST": "dept_a"},
    "items.assign": "dept",
    "items.import_": "dept",
    "items.export": "any",
    "items.export_city": "staff",
    "items.submit": "dept",
    "items.versions": "any",
    "items.version": "any_a",
    "items.diff": "any_a",  # ?a= a version of department A's list
    "items.review_queue": "staff",
    "items.review": "staff",
    "items.approve": "office",
    "items.return_": "office",
    "items.deadline": "office",
    "items.import_city": "office",
    # officers, letters (首席服务员, 授权委托书)
    "officers.index": "any",
    "officers.appoint": "dept",
    "officers.detail": "any_a",
    "officers.edit": "dept_a",
    "officers.letter_new": "dept_a",
    "officers.letter_reissue": "dept_a",
    "officers.letter": "any_a",
    "officers.letter_docx": "any_a",
    "officers.letter_issue": "dept_a",
    "officers.letter_refresh": "dept_a",
    "officers.letter_discard": "dept_a",
    "officers.overview": "staff",
    "officers.settings": "office",
    "officers.roster_export": "any",
    "officers.roster_export_city": "staff",
    # tenure reports (任期调整报告)
    "tenure.index": "any",
    "tenure.new": "dept",
    "tenure.detail": "any_a",
    "tenure.acknowledge": "office",
    "tenure.return_report": "office",
    "tenure.refile": "dept_a",
    # ledger, evaluations, holidays (服务台账, 好差评)
    "ledger.index": "any",
    "ledger.figures": "any",
    "ledger.matter_new": "dept",
    "ledger.matter_edit": "dept_a",
    "ledger.matter_status": "dept_a",
    "ledger.export": "any",
    "ledger.overview": "staff",
    "ledger.investors": "any",
    "ledger.investor_new": "dept",
    "ledger.investor_edit": "dept_a",
    "ledger.evaluations": "any",
    "ledger.evaluation_answer": {"GET": "any_a", "POST": "dept_a"},
    "ledger.evaluation_settings": "office",
    "ledger.holidays": "office",
    "ledger.holiday_delete": "office",
    # joint matters (一事联办)
    "joint.index": "any",
    "joint.new": "dept",
    "joint.part_row": "dept",
    "joint.detail": "any_a",
    "joint.sign": "dept_a",
    "joint.received": "dept_a",
    "joint.note": "dept_a",
    "joint.lead": "dept_a",
    "joint.sheet": "any_a",
    # public pages (公开页面, 公示渠道)
    "public.index": "public",
    "public.department": "public",
    "public.notice": "public",
    "public.roster": "public",
    "public.officer": "public",
    "public.verify": "public",
    "public.evaluate": "public",
    "public.thanks": "public",
    "public.card": "public",
    "public.cards": "public",
    "public.bulletin": "public",
    "public.feed_lists_json": "public",
    "public.feed_lists_csv": "public",
    "public.feed_roster_json": "public",
    "public.feed_roster_csv": "public",
    "public.cases": "public",
    "public.case": "public",
    "public.case_photo": "public",
    # system management (系统管理)
    "admin.index": "office",
    "admin.department": "office",
    "admin.user_new": "office",
    "admin.user_disable": "office",
    "admin.user_enable": "office",
    "admin.user_reset": "office",
    "admin.settings": "office",
    "admin.audit": "any",
    # highlight cases, channels (亮点案例, 公示渠道)
    "cases.index": "any",
    "cases.new": "dept",
    "cases.detail": "any_a",
    "cases.edit": "dept_a",
    "cases.delete": "dept_a",
    "cases.approve": "office",
    "cases.send_back": "office",
    "cases.photo": "any_a",
    "cases.export": "staff",
    "cases.channels": "any",
    # rule documents (制度文件)
    "documents.index": "any",
    "documents.new": "dept",
    "documents.replace": "dept_a",
    "documents.download": "any_a",
    # oversight (抽查)
    "oversight.index": "staff",
    "oversight.new": "office",
    "oversight.preview": "office",
    "oversight.detail": "staff",
    "oversight.figures": "staff",
    "oversight.verify": "staff",
    "oversight.export": "staff",
    "oversight.cancel": "office",
    "oversight.findings": "any",
    "oversight.finding_detail": "any_a",
    "oversight.finding_record": "office",
    "oversight.finding_row": "staff",
    "oversight.finding_answer": "dept_a",
    "oversight.finding_close": "office",
    "oversight.finding_return": "office",
    # the leading group's assessment (考核)
    "assessment.index": "any",
    "assessment.create": "office",
    "assessment.detail": "any",  # a period is the city's, not a department's: each sees its own row in it
    "assessment.scoring": "office",
    "assessment.preview": "office",
    "assessment.lock": "office",
    "assessment.closing": "office",
    "assessment.settings": "office",
    "assessment.compare": "staff",
    "assessment.report": "staff",
    "assessment.workbook": "staff",
}

# Query strings a page needs to show something rather than "choose a department" (the office and the
# leader pick one with ?dept=; a department user's own is used whatever ?dept says).
QUERY = {
    "items.counts": "dept={code}", "items.export": "dept={code}", "items.versions": "dept={code}",
    "items.diff": "a={list_id}&b=draft", "ledger.figures": "dept={code}", "ledger.investors": "dept={code}",
    "joint.part_row": "row=0",
}

HOW_TO_CLASSIFY = (
    "Add each new endpoint to EXPECTED in tests/test_route_matrix.py with its access class: "
    + ", ".join(f"'{name}'" for name in CLASSES)
    + " (see CLASSES), or a {method: class} dict when methods differ; URL arguments it takes need a "
    "sample of department A in tests/security_city.py (build → samples)."
)
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    return security_city.build(tmp_path_factory.mktemp("matrix"))


def _rules(app):
    return sorted((r for r in app.url_map.iter_rules() if r.endpoint != "static"), key=lambda r: (r.endpoint, r.rule))


def _methods(rule):
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


def _url(city, rule) -> str:
    blueprint = rule.endpoint.split(".")[0]
    values = {}
    for name in rule.arguments:
        key = f"{blueprint}.{name}" if f"{blueprint}.{name}" in city.samples else name
        assert key in city.samples, f"{rule.endpoint}: no sample value for <{name}>. {HOW_TO_CLASSIFY}"
        values[name] = city.samples[key]
    url = rule.build(values, append_unknown=False)[1]
    query = QUERY.get(rule.endpoint)
    return f"{url}?{query.format(**city.samples)}" if query else url


def _class(endpoint, method):
    entry = EXPECTED[endpoint]
    return entry[method] if isinstance(entry, dict) else entry


def _clone(city, role):
    """A fresh client with the role's session cookie: what a request does to its cookie (a flash
    message, a logout) stays with this request."""
    client = city.app.test_client()
    cookie = city.client(role).get_cookie("portal_session")
    if cookie is not None:
        client.set_cookie("portal_session", cookie.value)
    return client


def _to_login(response) -> bool:
    location = response.headers.get("Location") or response.headers.get("HX-Redirect") or ""
    return response.status_code in (302, 303) and urlsplit(location).path == "/login"


def _verdict(expect, response, method) -> str | None:
    """None when the response is what the class says; otherwise what went wrong."""
    status = response.status_code
    if status >= 500:
        return f"{status} (server error)"
    if expect == "ok":
        if status in (401, 403, 404) or _to_login(response):
            return f"refused with {status} {response.headers.get('Location', '')}"
    elif expect == "login":
        if not _to_login(response):
            return f"expected a redirect to /login, got {status}"
    elif expect == "logout":
        if method == "POST" and not _to_login(response):
            return f"logging out should end on /login, got {status}"
    elif status != expect:
        return f"expected {expect}, got {status}"
    return None


def test_every_route_is_classified(city):
    endpoints = {r.endpoint for r in _rules(city.app)}
    missing = sorted(endpoints - set(EXPECTED))
    assert not missing, f"routes not in the access table: {missing}. {HOW_TO_CLASSIFY}"
    stale = sorted(set(EXPECTED) - endpoints)
    assert not stale, f"EXPECTED names endpoints that no longer exist: {stale}"
    for rule in _rules(city.app):
        for method in _methods(rule):
            assert _class(rule.endpoint, method) in CLASSES, (rule.endpoint, method)


@pytest.mark.parametrize("role", security_city.ROLES)
def test_route_matrix(city, role):
    failures = []
    for rule in _rules(city.app):
        if rule.endpoint not in EXPECTED:
            continue  # reported by test_every_route_is_classified
        url = _url(city, rule)
        for method in _methods(rule):
            expect = CLASSES[_class(rule.endpoint, method)][role]
            writes = method in WRITE_METHODS
            version = security_city.data_version(city.app) if writes else None
            response = _clone(city, role).open(url, method=method, data={} if writes else None)
            problem = _verdict(expect, response, method)
            if problem:
                failures.append(f"{method} {url} ({rule.endpoint}) as {role}: {problem}")
            # Put the city back after anything that changed it (a logout revokes its session row).
            if writes and (rule.endpoint == "auth.logout" or security_city.data_version(city.app) != version):
                city.snapshot.restore()
    assert not failures, "\n".join(failures)


def test_the_disabled_account_is_anonymous_even_with_a_live_session_row(city):
    """Disabling revoked the account's sessions; even were its session row live, the account being
    inactive is enough to be logged out."""
    from portal.models import LoginSession, User

    with city.app.app_context():
        user = User.get(User.username == "gaj_off")
        assert not user.active
        LoginSession.update(revoked_at=None).where(LoginSession.user == user).execute()
    try:
        response = _clone(city, "disabled").get("/items/")
        assert _to_login(response)
    finally:
        city.snapshot.restore()

