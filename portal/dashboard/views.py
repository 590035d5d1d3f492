"""Home page (首页) with the to-do panel, the office's live dashboard (看板) with the assessment ranking
(考核排名) and its export, and the health check."""
from __future__ import annotations

from flask import abort, current_app, jsonify, make_response, render_template, request
from flask_login import current_user, login_required

from .. import cache, clock, htmx, listing, metrics, reminders, rules, svg
from ..access import any_role, staff_required
from ..db import db
from ..files import send_xlsx
from ..files.assessment import assessment_workbook, assessment_filename
from ..models import DataVersion
from . import bp
from .table import drill, normalized_sort, row_html, sort_rows, verdict_html

# The office's page stays light whatever the number of departments: the ranking table shows a page of
# rows (each expands to every figure on demand), and the per-department charts show at most CHART_BARS
# bars — the departments that most need the office's eye. The export keeps every department and column.
RANKING_PAGE = 25
CHART_BARS = 40  # a city of up to 40 departments (Chibi has 37) sees every one


@bp.route("/")
@login_required
def home():
    """首页: who I am, what waits for me (待办), overdue first, and a short summary of the figures."""
    today = clock.today()
    todo = reminders.for_user(current_user, today)
    city = metrics.city_figures(today)
    own = city.department(current_user.department_id) if current_user.is_department else None
    return render_template("dashboard/home.html", todo=todo, city=city, own=own)


@bp.route("/healthz")
def healthz():
    """Health check for the operator and the load balancer: no login, no personal data."""
    try:
        version = DataVersion.current()
        db.execute_sql("SELECT 1")
        return jsonify(status="ok", database="ok", data_version=version)
    except Exception as exc:  # the health check reports instead of failing
        return jsonify(status="error", database=type(exc).__name__), 503


def _unchanged(tag: str):
    """Nothing moved since the viewer's copy: 304 for a conditional request, 204 for the htmx poll
    (htmx is configured to swap nothing on 204, while it would swap a 304's empty body)."""
    response = make_response("", 204 if htmx.is_htmx() else 304)
    response.set_etag(tag)
    return response


@bp.route("/dashboard/")
@any_role
def index():
    """看板: city totals, the ranking of every department (考核排名, 合规率, the figures of the column view
    chosen and the rules' verdicts) a page of RANKING_PAGE rows at a time, each row opening to every
    figure of its department (明细), and the charts. Live: the figures part polls this URL with the data
    version as ETag and is swapped only when something changed.

    A department user sees its own row, its rank and the city average — never another department's
    row."""
    today = clock.today()
    # A history restore or a boosted visit wants the whole page even when nothing moved: no empty 204.
    if request.if_none_match and (htmx.wants_fragment() or not htmx.is_htmx()):
        current = metrics.etag(today)
        if current in request.if_none_match:
            return _unchanged(current)
    city = metrics.city_figures(today)  # reads only: the daily snapshot is the server's job (portal/snapshots.py)
    tag = f"{city.version}-{today.isoformat()}"
    # A department sees its own row with every figure; the office's table shows one view at a time.
    view, columns, with_rules = metrics.view_columns(
        metrics.ALL_VIEW if current_user.is_department else request.args.get("cols", ""))
    context = dict(city=city, etag=tag, rules_list=metrics.RULES if with_rules else [], columns=columns,
                   column_groups=metrics.column_groups_of(columns), drill=drill, views=metrics.VIEWS, view=view,
                   row_html=lambda d: row_html(d, columns, with_rules, expand=not current_user.is_department),
                   verdict_html=verdict_html,
                   verdict_labels=metrics.VERDICT_LABELS, poll=current_app.config.get("DASHBOARD_POLL_SECONDS", 10),
                   trend_chart=_derived(city, ("trend",), lambda: _trend_chart(city)))
    if current_user.is_department:
        own = city.department(current_user.department_id)
        context.update(own=own, average=city.average, types_chart=_types_chart(city, [own] if own else []))
    else:
        noncompliant = request.args.get("noncompliant") == "1"
        sort = normalized_sort(request.args.get("sort"))
        rows, sort = _derived(city, ("ranking", sort, noncompliant), lambda: sort_rows(
            [d for d in city.departments if not (noncompliant and d.compliant)], sort))
        page = listing.paginate_list(rows, RANKING_PAGE)
        (inclusion_chart, inclusion_caption), (types_chart, types_caption), (late, late_total) = _derived(
            city, ("office",), lambda: (_inclusion_chart(city), _busiest_types_chart(city), _late_departments(city)))
        context.update(rows=page.rows, page=page, sort=sort, noncompliant=noncompliant,
                       late_departments=late, late_total=late_total,
                       inclusion_chart=inclusion_chart, inclusion_caption=inclusion_caption,
                       types_chart=types_chart, types_caption=types_caption)
    response = htmx.render("dashboard/index.html", "dashboard/_live.html", **context)
    response.set_etag(tag)
    return response


@bp.route("/dashboard/dept/<code>")
@staff_required
def department(code):
    """一个部门的全部指标: every figure of the ranking table for one department, by column group, with
    the rules' verdicts and the drill-down links. An htmx request (the 明细 button of a table row)
    gets the row that opens under it; a plain request, the page."""
    today = clock.today()
    city = metrics.city_figures(today)
    d = next((x for x in city.departments if x.code == code), None)
    if d is None:
        abort(404)
    groups = [(group, [c for c in metrics.COLUMNS if c.group == group]) for group, _ in metrics.COLUMN_GROUPS]
    return htmx.render("dashboard/department.html", "dashboard/_department_row.html", d=d, city=city,
                       groups=groups, rules_list=metrics.RULES, drill=drill, verdict_html=verdict_html)


@bp.route("/dashboard/export")
@staff_required
def export():
    """导出考核表: the assessment workbook — the ranking with every figure, and one sheet per rule
    listing the departments that fail it."""
    today = clock.today()
    city = metrics.city_figures(today)
    return send_xlsx(assessment_workbook(city), assessment_filename(today))


# --- charts ----------------------------------------------------------------------------------------


def _derived(city, key: tuple, compute):
    """What the page derives from the city's figures (the ranking in an order, the charts), worked out
    once per data version and day like the figures themselves, not on every request: at 500
    departments the sorting and the bars cost more than the page of rows shown."""
    return cache.by_data_version("dashboard_derived", "METRICS_CACHE", (city.today, *key), compute,
                                 version=city.version, default=True)


def _late_departments(city, shown: int = 10):
    """联办会签逾期的部门 for the summary: the ``shown`` with the most overdue countersignatures, as
    (name, count, drill-down URL), and how many departments have any — the list stays short in a province."""
    by_code = {d.code: d for d in city.departments}
    late = city.joint_late_departments  # most first already (metrics.compute)
    return ([(name, n, drill(("joint.index", {"state": "late"}), by_code.get(code))) for code, name, n in late[:shown]],
            len(late))


def _inclusion_chart(city):
    """各部门纳入率, or — past CHART_BARS departments — the CHART_BARS lowest, in the office's order."""
    departments = city.departments
    caption = "各部门纳入率（虚线为100%目标，点击查看该部门事项）"
    if len(departments) > CHART_BARS:
        lowest = sorted(departments, key=lambda d: (d.inclusion_rate if d.inclusion_rate is not None else 2,
                                                    d.sort_order, d.id))[:CHART_BARS]
        departments = lowest
        caption = (f"纳入率最低的{CHART_BARS}个部门（共{len(city.departments)}个部门；虚线为100%目标，"
                   "点击查看该部门事项）")
    rows = [(d.label, d.inclusion_rate, drill(("items.index", {}), d))
            for d in sorted(departments, key=lambda d: (d.sort_order, d.id))]
    return svg.rate_bars(rows, chart_id="chart-inclusion", title="各部门纳入率"), caption


def _busiest_types_chart(city):
    """事项类型构成 of every department, or — past CHART_BARS — of the CHART_BARS with the most items."""
    departments = city.departments
    caption = "各部门事项类型构成（单位：项）"
    if len(departments) > CHART_BARS:
        departments = sorted(departments, key=lambda d: (-sum(d.types.values()), d.sort_order, d.id))[:CHART_BARS]
        caption = f"事项最多的{CHART_BARS}个部门的事项类型构成（共{len(city.departments)}个部门；单位：项）"
    return _types_chart(city, departments), caption


def _trend_chart(city):
    return svg.line_chart(
        [("平均合规率", svg.BLUE, [(day, c) for day, c, _ in city.trend]),
         ("全市纳入率", svg.OK, [(day, i) for day, _, i in city.trend])],
        chart_id="chart-trend", title=f"近{metrics.TREND_DAYS}天合规率与纳入率走势", width=1180, height=240)


def _types_chart(city, departments):
    rows = [(d.label, d.types, drill(("items.index", {}), d))
            for d in sorted(departments, key=lambda d: (d.sort_order, d.id))]
    return svg.stacked_bars(rows, rules.ITEM_TYPES, chart_id="chart-types", title="事项类型构成")
