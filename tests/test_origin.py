"""The origin of every write (issue 20 §3): Origin, or Referer without it, must be the portal's own —
also over plain http, where flask-wtf does not look at the Referer — else the friendly 页面已过期 page and
nothing saved. CSRF is on here: every refused request carries a valid token."""
from __future__ import annotations

import pytest

from portal.audit import write
from portal.models import Evaluation, Investor, LoginSession, Setting
from tests.conftest import HTMX, PASSWORD, csrf_from, make_app
from tests.test_evaluations import QUESTION_KEY
from tests.test_joint import credit_code

OWN = "http://localhost"


@pytest.fixture
def app(tmp_path):
    yield make_app(tmp_path, WTF_CSRF_ENABLED=True)


def logged_in(client, username="gaj", **headers):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token},
                           headers=headers)
    assert response.status_code == 302, response.status_code
    return csrf_from(client.get("/").get_data(as_text=True))


def new_investor(client, token, n=1, **headers):
    data = {"name": f"赤壁某某公司{n}", "credit_code": credit_code(f"91421281MA4F0000{n}"), "contact": "张三",
            "phone": "0715-5123456", "csrf_token": token}
    return client.post("/ledger/investors/new", data=data, headers=headers)


def refused(response) -> bool:
    return response.status_code == 400 and "页面已过期" in response.get_data(as_text=True)


@pytest.mark.parametrize("headers", [
    {"Origin": "http://evil.example"},
    {"Origin": "https://localhost"},  # another scheme is another origin
    {"Origin": "http://localhost:8080"},  # so is another port
    {"Origin": "http://localhost.evil.example"},
    {"Origin": "null"},  # a sandboxed frame or a data: page
    {"Origin": "not a url"},
    {"Referer": "http://evil.example/page"},  # no Origin: the Referer is checked instead
    {"Origin": "http://evil.example", "Referer": OWN + "/ledger/investors/new"},  # Origin wins
])
def test_a_write_from_another_origin_is_refused_with_a_valid_token(client, world, headers):
    token = logged_in(client)
    assert refused(new_investor(client, token, **headers))
    assert Investor.select().count() == 0


@pytest.mark.parametrize("headers", [
    {"Origin": OWN},
    {"Origin": "HTTP://LOCALHOST:80"},  # the same origin, spelled otherwise
    {"Referer": OWN + "/ledger/investors/new"},
    {},  # neither header: not a browser; the CSRF token still decides
])
def test_a_write_from_the_portal_itself_is_accepted(client, world, headers):
    token = logged_in(client)
    response = new_investor(client, token, **headers)
    assert response.status_code in (302, 303), response.status_code
    assert Investor.select().count() == 1


def test_no_origin_still_needs_the_token(client, world):
    logged_in(client)
    assert refused(new_investor(client, "forged"))
    assert Investor.select().count() == 0


def test_an_htmx_write_from_another_origin_gets_the_message_fragment(client, world):
    token = logged_in(client)
    response = client.post("/logout", headers={**HTMX, "X-CSRFToken": token, "Origin": "http://evil.example"})
    assert response.status_code == 400 and response.headers["HX-Retarget"] == "#messages"
    assert client.get("/").status_code == 200  # still logged in


def test_a_login_from_another_origin_is_refused(client, world):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"username": "gaj", "password": PASSWORD, "csrf_token": token},
                           headers={"Origin": "http://evil.example"})
    assert refused(response) and LoginSession.select().count() == 0


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_every_unsafe_method_is_checked(client, world, method):
    token = logged_in(client)
    foreign = client.open("/logout", method=method, headers={"Origin": "http://evil.example", "X-CSRFToken": token})
    assert refused(foreign)
    own = client.open("/logout", method=method, headers={"Origin": OWN, "X-CSRFToken": token})
    assert own.status_code == 405  # past the check: the route only takes GET and POST


def test_reads_are_not_checked(client, world):
    assert client.get("/login", headers={"Origin": "http://evil.example"}).status_code == 200


def _evaluate(client, **headers):
    html = client.get("/public/evaluate/gaj").get_data(as_text=True)
    with client.session_transaction() as s:
        answer = s[QUESTION_KEY]
    return client.post("/public/evaluate/gaj", headers=headers,
                       data={"level": "5", "answer": str(answer), "csrf_token": csrf_from(html)})


def test_the_public_evaluation_form_is_checked_too(client, world):
    assert refused(_evaluate(client, Origin="http://evil.example"))
    assert Evaluation.select().count() == 0
    assert _evaluate(client, Origin=OWN).status_code == 303
    assert Evaluation.select().count() == 1


def test_the_public_base_url_is_an_own_origin(tmp_path, world):
    """The public reaches the portal under its public name (PUBLIC_BASE_URL, or the office's 对外公开地址),
    which need not be the name the request arrived with."""
    app = make_app(tmp_path / "public", WTF_CSRF_ENABLED=True, PUBLIC_BASE_URL="https://zwfw.chibi.gov.cn/shouxi")
    from tests.conftest import World

    world = World()
    world.department("gaj", "赤壁市公安局")
    client = app.test_client()
    assert _evaluate(client, Origin="https://zwfw.chibi.gov.cn").status_code == 303
    assert refused(_evaluate(client, Origin="https://chibi.gov.cn"))
    with write(username="test") as w:
        w.create(Setting, key="public_base_url", value='"https://portal.chibi.gov.cn:8443/"')
    assert _evaluate(client, Origin="https://portal.chibi.gov.cn:8443").status_code == 303
    assert _evaluate(client, Origin="https://zwfw.chibi.gov.cn").status_code == 303  # the deployment's still
    assert refused(_evaluate(client, Origin="https://portal.chibi.gov.cn"))  # not on port 443


def test_behind_https_the_https_origin_of_the_host_is_own(tmp_path):
    """PORTAL_HTTPS=1 behind a proxy that ends https but passes the Host on: the request looks like http."""
    app = make_app(tmp_path / "https", WTF_CSRF_ENABLED=True, SESSION_COOKIE_SECURE=True)
    from tests.conftest import World

    World().department("gaj", "赤壁市公安局")
    client = app.test_client()
    assert _evaluate(client, Origin="https://localhost").status_code == 303
    assert refused(_evaluate(client, Origin="https://evil.example"))


class TestBehindTrustedProxies:
    """TRUSTED_PROXIES=1: the portal's own origin is the one the proxy says the browser used."""

    # As a browser sends them through the proxy (flask-wtf wants a Referer of its own under https).
    PROXY = {"X-Forwarded-Host": "portal.chibi.gov.cn", "X-Forwarded-Proto": "https", "X-Forwarded-For": "10.1.2.3",
             "Referer": "https://portal.chibi.gov.cn/ledger/investors/new"}

    @pytest.fixture
    def app(self, tmp_path, monkeypatch):
        monkeypatch.setenv("TRUSTED_PROXIES", "1")
        yield make_app(tmp_path, WTF_CSRF_ENABLED=True)

    def test_the_portals_public_origin_is_accepted(self, client, world):
        token = logged_in(client, **self.PROXY)
        response = new_investor(client, token, **self.PROXY, Origin="https://portal.chibi.gov.cn")
        assert response.status_code in (302, 303) and Investor.select().count() == 1

    @pytest.mark.parametrize("origin", ["https://evil.example", "http://portal.chibi.gov.cn", OWN])
    def test_other_origins_are_refused(self, client, world, origin):
        token = logged_in(client, **self.PROXY)
        assert refused(new_investor(client, token, **self.PROXY, Origin=origin))
        assert Investor.select().count() == 0
