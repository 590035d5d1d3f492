"""The dashboard pages (看板): what each role sees, drill-down links, sorting and the non-compliant
filter, live polling with the data version as ETag (304 / 204 when nothing changed), the assessment
export read back, the daily snapshot (by the server's job and the CLI, never by a view), and a constant number of queries per page.

The city is the hand-made one of tests/test_metrics.py: gaj ranks 1 (100%), tjj 2 (33.3%), fgj 3 (10%).
"""
from __future__ import annotations

import io
import re
from urllib.parse import parse_qs, unquote, urlsplit

import openpyxl
import pytest
from flask import url_for

from portal import metrics
from portal.dashboard.views import RANKING_PAGE
from portal.audit import write
from portal.db import db
from portal.models import AuditLog, DailySnapshot, ServiceItem
from tests.conftest import HTMX, PASSWORD, TODAY, World, make_app
from tests.test_metrics import QueryCounter, build_city, department, populate

NAMES = {"gaj": "赤壁市公安局", "fgj": "赤壁市发展和改革局", "tjj": "赤壁市统计局"}


@pytest.fixture
def city(app):
    build_city()
    w = World()
    w.office = w.user("office", "office")
    w.leader = w.user("leader", "leader")
    return w


@pytest.fixture
def as_user(client, city):
    def _login(username):
        response = client.post("/login", data={"username": username, "password": PASSWORD})
        assert response.status_code == 302
        return client

    return _login


def row_ids(html: str) -> list[str]:
    return re.findall(r'<tr id="dept-([a-z0-9]+)"', html)


def row(html: str, code: str) -> str:
    match = re.search(r'<tr id="dept-%s">(.*?)</tr>' % code, html, re.S)
    assert match, f"no row for {code}"
    return match.group(1)


def cell(row_html: str, key: str) -> str:
    match = re.search(r'<td class="[^"]*\bc-%s\b[^"]*">(.*?)</td>' % re.escape(key), row_html, re.S)
    assert match, f"no cell {key}"
    return match.group(1).strip()


def link_of(cell_html: str) -> tuple[str, dict]:
    href = re.search(r'href="([^"]+)"', cell_html).group(1).replace("&amp;", "&")
    parts = urlsplit(href)
    return parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()}


def text(cell_html: str) -> str:
    return re.sub(r"<[^>]+>", "", cell_html).strip()


# ---------------------------------------------------------------------------
# What the office and the leader see


def test_office_sees_every_department_ranked_with_figures_and_rules(as_user):
    html = as_user("office").get("/dashboard/?cols=全部").get_data(as_text=True)
    assert row_ids(html) == ["gaj", "tjj", "fgj"]
    gaj, fgj, tjj = row(html, "gaj"), row(html, "fgj"), row(html, "tjj")
    assert text(cell(gaj, "rank")) == "1" and text(cell(tjj, "rank")) == "2" and text(cell(fgj, "rank")) == "3"
    assert text(cell(gaj, "compliance")).startswith("100.0%")
    assert text(cell(fgj, "compliance")) == "10.0% 1/10"
    assert text(cell(fgj, "inclusion_rate")) == "60.0%"
    assert text(cell(fgj, "gap_days")) == "2"
    assert text(cell(tjj, "gap_days")) == "—"  # no window
    assert text(cell(fgj, "list_on_time")) == "否"
    assert text(cell(fgj, "documents_missing")) == "管理办法"
    assert [text(cell(tjj, f"rule_{n}")) for n in range(1, 11)] == \
        ["达标", "达标", "未达标", "不适用", "不适用", "不适用", "未达标", "未达标", "未达标", "不适用"]
    # the city totals at the top and in the table's last row
    assert "全市概况" in html
    assert "81.8%" in html  # city 纳入率 9/11
    late = re.search(r'<p class="dash-late">(.*?)</p>', html, re.S).group(1)
    assert re.sub(r"\s+|<[^>]+>", "", late) == "联办会签逾期的部门：赤壁市发展和改革局1件"
    assert "最后更新：" in html


def test_every_figure_links_to_the_rows_behind_it(as_user, app):
    html = as_user("office").get("/dashboard/?cols=全部").get_data(as_text=True)
    fgj = row(html, "fgj")
    with app.test_request_context():
        items_path = url_for("items.index") if "items.index" in app.view_functions else None
    expected = {
        "pending": ("items.index", {"dept": "fgj", "inclusion": "待定"}),
        "reason_4": ("items.index", {"dept": "fgj", "inclusion": "未纳入", "reason": "其他"}),
        "unassigned": ("items.index", {"dept": "fgj", "unassigned": "1"}),
        "gap_days": ("officers.index", {"dept": "fgj"}),
        "reports_open": ("tenure.index", {"dept": "fgj"}),
        "ledger_overdue": ("ledger.index", {"dept": "fgj", "status": "overdue"}),
        "bad_late": ("ledger.evaluations", {"dept": "fgj", "late": "1"}),
        "joint_late": ("joint.index", {"dept": "fgj", "state": "late"}),
        "documents_missing": ("documents.index", {"dept": "fgj"}),
        "findings_open": ("oversight.findings", {"dept": "fgj", "open": "1"}),
        "rule_9": ("documents.index", {"dept": "fgj"}),
        "rule_10": ("oversight.findings", {"dept": "fgj", "late": "1"}),
    }
    for key, (endpoint, params) in expected.items():
        if endpoint not in app.view_functions:  # that area's page is not built yet: plain text
            assert "href" not in cell(fgj, key)
            continue
        with app.test_request_context():
            path = url_for(endpoint)
        assert link_of(cell(fgj, key)) == (path, params), key
    assert items_path is None or items_path in html


def test_a_link_to_a_page_that_does_not_exist_yet_is_plain_text(app, city):
    from flask_login import login_user

    from portal.dashboard.table import drill
    from portal.models import User

    with app.test_request_context():
        login_user(User.get(User.username == "office"))
        assert drill(("nowhere.index", {"x": "1"})) is None
        assert drill(None) is None


def test_sorting_by_any_column_and_the_non_compliant_filter(as_user):
    client = as_user("office")
    assert row_ids(client.get("/dashboard/?sort=-inclusion_rate").get_data(as_text=True)) == ["gaj", "tjj", "fgj"]
    assert row_ids(client.get("/dashboard/?sort=inclusion_rate").get_data(as_text=True)) == ["fgj", "gaj", "tjj"]
    # ascending verdicts put 未达标 first, ties keep the ranking
    assert row_ids(client.get("/dashboard/?sort=rule_7").get_data(as_text=True)) == ["tjj", "fgj", "gaj"]
    assert row_ids(client.get("/dashboard/?sort=-gap_days").get_data(as_text=True)) == ["fgj", "gaj", "tjj"]
    assert row_ids(client.get("/dashboard/?sort=name").get_data(as_text=True)) == ["gaj", "fgj", "tjj"]
    assert row_ids(client.get("/dashboard/?sort=list_state").get_data(as_text=True)) == ["gaj", "fgj", "tjj"]
    assert row_ids(client.get("/dashboard/?sort=no-such-column").get_data(as_text=True)) == ["gaj", "tjj", "fgj"]
    html = client.get("/dashboard/?noncompliant=1").get_data(as_text=True)
    assert row_ids(html) == ["tjj", "fgj"]
    assert "显示全部部门" in html


ODD_QUERIES = ["sort=", "sort=-", "sort=--rank", "sort=rule_99", "sort=rule_x", "sort=%E2%80%AE", "noncompliant=yes",
               "sort=" + "x" * 500, "page=-1"]


def test_odd_query_strings_fall_back_to_the_ranking(as_user):
    client = as_user("office")
    for query in ODD_QUERIES:
        response = client.get("/dashboard/?" + query)
        assert response.status_code == 200, query
        assert row_ids(response.get_data(as_text=True)) == ["gaj", "tjj", "fgj"], query
    # A NUL is answered 400 on every page (security.refuse_nul_in_query: PostgreSQL cannot take one).
    assert client.get("/dashboard/?sort=%00").status_code == 400


def test_a_stale_or_garbled_version_gets_the_figures(as_user):
    client = as_user("office")
    for header in ('"nonsense"', "*-*", "W/", '"1-2026-11-26", "2-2026-11-26"', "\\x00", ""):
        response = client.get("/dashboard/", headers={**HTMX, "If-None-Match": header})
        assert response.status_code == 200 and 'id="dashboard-live"' in response.get_data(as_text=True), header


def test_the_leader_reads_but_cannot_write(as_user):
    client = as_user("leader")
    assert client.get("/dashboard/").status_code == 200
    assert client.get("/dashboard/export").status_code == 200
    assert client.post("/dashboard/").status_code == 405


# ---------------------------------------------------------------------------
# A department sees its own row, its rank and the city average — nothing of the others


def test_a_department_sees_only_its_own_row_rank_and_the_city_average(as_user):
    client = as_user("fgj")
    page = client.get("/dashboard/?sort=name&noncompliant=0&dept=gaj").get_data(as_text=True)
    fragment = client.get("/dashboard/", headers=HTMX).get_data(as_text=True)
    assert 'id="dashboard-live"' in fragment and "<html" not in fragment
    for html in (page, fragment):
        assert row_ids(html) == []  # no ranking table at all
        assert "第 3 名" in html and "全市 3 个部门中" in html
        assert "全市平均" in html
    for other in ("赤壁市公安局", "赤壁市统计局", "公安局", "统计局", "dept=gaj", "dept=tjj"):
        assert other not in fragment
    assert "dept=" not in fragment  # its own links need no department parameter
    assert "缺少管理办法" in fragment  # rule 9 explained
    assert "60.0%" in fragment and "81.8%" in fragment  # own 纳入率 and the city's


def test_a_department_cannot_export_the_assessment(as_user):
    assert as_user("gaj").get("/dashboard/export").status_code == 403


def test_anonymous_is_sent_to_login(client, city):
    assert client.get("/dashboard/").status_code == 302
    assert client.get("/dashboard/export").status_code == 302


# ---------------------------------------------------------------------------
# Live: the data version as ETag


def test_polling_costs_nothing_when_nothing_changed_and_brings_new_figures_after_a_write(as_user, city):
    client = as_user("office")
    first = client.get("/dashboard/")
    tag = first.headers["ETag"]
    assert first.status_code == 200 and tag
    assert f'data-version="{tag.strip(chr(34))}"' in first.get_data(as_text=True)
    # a conditional request: 304; the htmx poll: 204, which htmx swaps with nothing
    plain = client.get("/dashboard/", headers={"If-None-Match": tag})
    assert plain.status_code == 304 and plain.get_data() == b""
    poll = client.get("/dashboard/", headers={**HTMX, "If-None-Match": tag})
    assert poll.status_code == 204 and poll.get_data() == b"" and poll.headers["ETag"] == tag
    # a department changes an item: the next poll gets the new figures and a new version
    item = ServiceItem.get(ServiceItem.item_name == "发改事项4")
    with write(username="fgj") as w:
        w.update(item, inclusion="纳入", mode="终审")
    changed = client.get("/dashboard/", headers={**HTMX, "If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["ETag"] != tag
    html = changed.get_data(as_text=True)
    assert "<html" not in html and 'hx-trigger="every 10s"' in html
    assert text(cell(row(html, "fgj"), "inclusion_rate")) == "80.0%"
    assert changed.headers["ETag"].strip('"') in html  # the next poll carries the new version


def test_the_poll_interval_is_a_setting(app, as_user):
    app.config["DASHBOARD_POLL_SECONDS"] = 1
    html = as_user("office").get("/dashboard/?cols=全部").get_data(as_text=True)
    assert 'hx-trigger="every 1s"' in html and "每1秒自动刷新" in html


def test_figures_are_computed_once_for_every_viewer(app, city, monkeypatch):
    calls = []
    original = metrics.compute
    monkeypatch.setattr(metrics, "compute", lambda today, version=None: calls.append(1) or original(today, version))
    for username in ("office", "leader", "gaj", "fgj"):
        client = app.test_client()
        client.post("/login", data={"username": username, "password": PASSWORD})
        assert client.get("/dashboard/").status_code == 200
        assert client.get("/").status_code == 200
    assert len(calls) == 1


# ---------------------------------------------------------------------------
# Daily snapshots


def test_viewing_the_dashboard_writes_nothing_the_servers_job_stores_the_snapshot(app, as_user):
    from portal import snapshots
    from portal.models import DataVersion

    client = as_user("office")
    with app.app_context():
        entries, version = AuditLog.select().count(), DataVersion.current()
    for url in ("/dashboard/", "/dashboard/?sort=name", "/", "/dashboard/export"):
        assert client.get(url).status_code == 200
    assert client.get("/dashboard/", headers=HTMX).status_code == 200
    with app.app_context():
        assert (AuditLog.select().count(), DataVersion.current()) == (entries, version)
    assert not DailySnapshot.select().exists()

    job = snapshots.DailyJob(app)  # what start_daily runs in a daemon thread
    assert job.run_once() is True
    row_ = DailySnapshot.get(DailySnapshot.day == TODAY)
    assert '"compliant_departments": 1' in row_.figures
    entry = AuditLog.get(AuditLog.table == "daily_snapshot")
    assert entry.username == "每日快照" and entry.user is None  # the portal's record, not a user's
    assert job.run_once() is False  # once a day, whichever worker runs it
    assert DailySnapshot.select().count() == 1


def test_cli_stores_and_replaces_the_days_snapshot(runner, city):
    result = runner.invoke(args=["dashboard", "snapshot"])
    assert result.exit_code == 0, result.output
    assert "已保存 2026-11-26 的每日快照" in result.output
    assert runner.invoke(args=["dashboard", "snapshot"]).exit_code == 0
    assert DailySnapshot.select().count() == 1
    result = runner.invoke(args=["dashboard", "snapshot", "--date", "2026-13-01"])
    assert result.exit_code == 1 and "日期格式应为 YYYY-MM-DD" in result.output
    assert DailySnapshot.select().count() == 1


def test_charts_are_svg_without_style_attributes(as_user):
    html = as_user("office").get("/dashboard/?cols=全部").get_data(as_text=True)
    assert html.count("<svg") == 3
    for chart in ("chart-trend", "chart-inclusion", "chart-types"):
        assert f'id="{chart}"' in html
    assert "style=" not in html and "<script>" not in html
    assert "赤壁市统计局" in html and "统计局：100.0%" in html  # a bar with its label and value


# ---------------------------------------------------------------------------
# The assessment workbook


def test_export_reads_back_with_numbers_percentages_and_one_sheet_per_rule(as_user, city):
    with write(username="test") as w:
        department(w, "bad", "=HYPERLINK(\"http://x\")局", order=9)
    response = as_user("office").get("/dashboard/export")
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    name = unquote(disposition.split("filename*=UTF-8''")[1])
    assert name == "赤壁市首席服务员制度考核排名-2026-11-26.xlsx"
    wb = openpyxl.load_workbook(io.BytesIO(response.data))
    assert wb.sheetnames[0] == "考核排名"
    assert wb.sheetnames[1:] == [f"规则{r.number} {r.short}" for r in metrics.RULES]
    ws = wb["考核排名"]
    header = [c.value for c in ws[4]]
    col = {label: i for i, label in enumerate(header)}
    rows = {r[1].value: r for r in ws.iter_rows(min_row=5) if r[1].value}
    gaj, fgj = rows["赤壁市公安局"], rows["赤壁市发展和改革局"]
    assert gaj[col["排名"]].value == 1 and isinstance(gaj[col["排名"]].value, int)
    assert gaj[col["合规率"]].value == 1 and gaj[col["合规率"]].number_format == "0.0%"
    assert fgj[col["事项清单·纳入率"]].value == pytest.approx(0.6)
    assert fgj[col["事项清单·纳入率"]].number_format == "0.0%"
    assert fgj[col["首席服务员·断档天数"]].value == 2
    assert fgj[col["规则9 建章立制"]].value == "未达标"
    assert rows["赤壁市统计局"][col["规则5 首席服务员不断档"]].value == "不适用"
    total = rows["全市"]
    assert total[col["事项清单·事项"]].value == 12 and total[col["事项清单·纳入率"]].number_format == "0.0%"
    # user text never becomes a formula
    evil = next(r for r in ws.iter_rows(min_row=5) if r[1].value and "HYPERLINK" in r[1].value)
    assert evil[1].data_type == "s" and evil[1].value == '=HYPERLINK("http://x")局'  # as typed, no apostrophe
    # one sheet per rule with the failing departments
    failing9 = [r[1].value for r in wb["规则9 制度"].iter_rows(min_row=5) if r[1].value]
    assert set(failing9) >= {"赤壁市发展和改革局", "赤壁市统计局"} and "赤壁市公安局" not in failing9
    sheet5 = wb["规则5 不断档"]
    assert [c.value for c in sheet5[4]][:3] == ["排名", "部门", "未达标原因"]
    fgj5 = next(r for r in sheet5.iter_rows(min_row=5) if r[1].value == "赤壁市发展和改革局")
    assert fgj5[2].value == "制度实施以来断档2天" and fgj5[3].value == 2
    assert wb["规则10 整改"]["A2"].value == "适用部门2个，达标1个，未达标1个。"


# ---------------------------------------------------------------------------
# Home page


def test_home_page_keeps_the_todo_panel_and_shows_a_summary(as_user, app):
    client = as_user("office")
    html = client.get("/").get_data(as_text=True)
    assert "待办提醒" in html and "全市概况" in html and "打开看板" in html
    client.post("/logout")
    client.post("/login", data={"username": "gaj", "password": PASSWORD})
    html = client.get("/").get_data(as_text=True)
    assert "待办提醒" in html and "本部门考核情况" in html and "第 1 名" in html


def test_an_empty_city_has_a_dashboard_too(client, app):
    World().user("office", "office")
    client.post("/login", data={"username": "office", "password": PASSWORD})
    html = client.get("/dashboard/").get_data(as_text=True)
    assert "暂无部门。" in html and row_ids(html) == []
    assert client.get("/dashboard/export").status_code == 200
    assert client.get("/").status_code == 200


def test_healthz_still_answers(client):
    assert client.get("/healthz").get_json()["status"] == "ok"


# ---------------------------------------------------------------------------
# A page costs a fixed number of queries


def page_queries(tmp_path, n: int) -> int:
    app = make_app(tmp_path / f"page{n}")
    with app.app_context():
        populate(n)
        World().user("office", "office")
    client = app.test_client()
    client.post("/login", data={"username": "office", "password": PASSWORD})
    assert client.get("/dashboard/").status_code == 200
    with app.app_context():
        metrics.clear_cache()
        with QueryCounter() as counter:
            response = client.get("/dashboard/")
        assert response.status_code == 200
        assert len(row_ids(response.get_data(as_text=True))) == min(n, RANKING_PAGE)
    db.close()
    return len(counter)


def test_the_dashboard_page_costs_the_same_queries_for_3_or_60_departments(tmp_path):
    assert page_queries(tmp_path, 3) == page_queries(tmp_path, 60)


def test_a_trend_without_any_day_says_so(app):
    from portal import svg

    with app.app_context():
        chart = svg.line_chart([("合规率", "#000", [])], chart_id="empty", title="趋势")
    assert "暂无数据" in chart and "<polyline" not in chart and "月" not in chart
