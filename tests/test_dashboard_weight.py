"""The office's dashboard stays light whatever the number of departments (issue 19 §1): at most 150 kB
of HTML at 100 departments, and at most 10% more at 500. The ranking table shows a page of rows, each
expanding on demand to every figure; the per-department charts show at most CHART_BARS bars."""
from __future__ import annotations

import re

import pytest

from portal import metrics
from portal.dashboard import views as dashboard_views
from portal.db import db
from tests.conftest import HTMX, PASSWORD, World, make_app
from tests.test_metrics import populate

LIMIT_AT_100 = 150_000
GROWTH_TO_500 = 1.10


def _office_page(tmp_path, n: int, **args) -> tuple[str, object]:
    app = make_app(tmp_path / f"weight{n}")
    with app.app_context():
        populate(n)
        World().user("office", "office")
    client = app.test_client()
    assert client.post("/login", data={"username": "office", "password": PASSWORD}).status_code == 302
    response = client.get("/dashboard/", query_string=args)
    assert response.status_code == 200
    return response.get_data(as_text=True), client


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """The office's dashboard at 100 and at 500 departments (each city built once for this module)."""
    tmp = tmp_path_factory.mktemp("weight")
    out = {}
    for n in (100, 500):
        html, client = _office_page(tmp, n)
        out[n] = (html, client)
        db.close()
    return out


def test_the_page_weighs_at_most_150_kb_at_100_departments_and_grows_little_to_500(pages):
    small, large = (len(pages[n][0].encode("utf-8")) for n in (100, 500))
    assert small <= LIMIT_AT_100, small
    assert large <= small * GROWTH_TO_500, (small, large)


def test_the_table_shows_a_page_of_rows_and_the_charts_a_bounded_number_of_bars(pages):
    html = pages[500][0]
    assert len(re.findall(r'<tr id="dept-', html)) == dashboard_views.RANKING_PAGE
    assert "第 1 / 20 页，共 500 条" in html
    for chart in ("chart-inclusion", "chart-types"):
        svg = re.search(r'<svg[^>]*id="%s".*?</svg>' % chart, html, re.S).group(0)
        assert len(re.findall(r'<a ', svg)) == dashboard_views.CHART_BARS, chart
    assert f"纳入率最低的{dashboard_views.CHART_BARS}个部门（共500个部门" in html
    assert f"事项最多的{dashboard_views.CHART_BARS}个部门" in html


def test_every_department_is_one_page_or_one_click_away(pages):
    """Page 20 holds the last 25 by rank; each row opens every figure of its department."""
    client = pages[500][1]
    last = client.get("/dashboard/?page=20").get_data(as_text=True)
    codes = re.findall(r'<tr id="dept-([a-z0-9]+)"', last)
    assert len(codes) == 25
    opened = client.get(f"/dashboard/dept/{codes[-1]}", headers=HTMX)
    body = opened.get_data(as_text=True)
    assert opened.status_code == 200 and body.lstrip().startswith("<tr class=\"dept-detail\"")
    labels = re.findall(r"<dt>([^<]+)</dt>", body)
    assert len(labels) == len(metrics.COLUMNS) + len(metrics.RULES)



def test_a_list_of_departments_in_the_summary_stays_short(pages):
    """联办会签逾期的部门: the ten with the most, and how many there are in all."""
    html = pages[500][0]
    late = re.search(r'<p class="dash-late">(.*?)</p>', html, re.S).group(1)
    assert len(re.findall(r" \d+ 件", late)) == 10 and "等500个部门" in late


def test_a_departments_figures_are_a_page_too_and_unknown_codes_are_not_found(pages):
    client = pages[500][1]  # the database of the last city built is the one open
    full = client.get("/dashboard/dept/d7")
    html = full.get_data(as_text=True)
    assert full.status_code == 200 and "<html" in html and "赤壁市第7局 · 全部指标" in html and "返回看板" in html
    assert "HX-Request" in full.headers.get("Vary", "")
    restore = client.get("/dashboard/dept/d7", headers={**HTMX, "HX-History-Restore-Request": "true"})
    assert "<html" in restore.get_data(as_text=True)  # never a bare row on a history restore
    assert client.get("/dashboard/dept/nope", headers=HTMX).status_code == 404


def test_only_the_office_and_the_leader_open_rows(app, world, login):
    """A department's own dashboard has no 明细 control, and the detail of a department is not its to ask."""
    department = login("gaj")
    assert "dept-expand" not in department.get("/dashboard/").get_data(as_text=True)
    assert department.get("/dashboard/dept/gaj").status_code == 403
    office = login("office")
    page = office.get("/dashboard/").get_data(as_text=True)
    assert 'hx-get="/dashboard/dept/gaj"' in page and 'aria-controls="detail-gaj"' in page


def test_the_ranking_and_charts_are_worked_out_once_per_data_version(app, world, login, monkeypatch):
    """Sorting every department and drawing the charts happens once per data version and order, not on
    every request; a write brings a fresh ranking."""
    calls = []
    real = dashboard_views.sort_rows
    monkeypatch.setattr(dashboard_views, "sort_rows", lambda rows, key: calls.append(key) or real(rows, key))
    office = login("office")
    for _ in range(3):
        assert office.get("/dashboard/").status_code == 200
    assert calls == ["rank"]
    office.get("/dashboard/?sort=-name")
    office.get("/dashboard/?sort=-name")
    assert calls == ["rank", "-name"]
    from portal.audit import write

    with write(username="test") as w:
        w.update(world.gaj, short_name="公安")
    office.get("/dashboard/")
    assert calls == ["rank", "-name", "rank"]
