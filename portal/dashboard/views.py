"""Home page (首页) with the to-do panel, the office's live dashboard (看板) with the assessment ranking
(考核排名) and its export, and the health check."""
from __future__ import annotations

from flask import current_app, jsonify, make_response, render_template, request
from flask_login import current_user, login_required

from .. import clock, htmx, metrics, reminders, rules, svg
from ..access import any_role, staff_required
from ..db import db
from ..files import send_xlsx
from ..files.assessment import assessment_workbook, assessment_filename
from ..models import DataVersion
from . import bp
from .table import drill, row_html, sort_rows, verdict_html


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
    """看板: city totals, one row per department with every figure, the compliance rules (met / not
    met / not applicable), 合规率 and 考核排名, and the charts. Live: the figures part polls this URL
    with the data version as ETag and is swapped only when something changed.

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
                   row_html=lambda d: row_html(d, columns, with_rules),
                   verdict_html=verdict_html,
                   verdict_labels=metrics.VERDICT_LABELS, poll=current_app.config.get("DASHBOARD_POLL_SECONDS", 10),
                   trend_chart=_trend_chart(city))
    if current_user.is_department:
        own = city.department(current_user.department_id)
        context.update(own=own, average=city.average, types_chart=_types_chart(city, [own] if own else []))
    else:
        noncompliant = request.args.get("noncompliant") == "1"
        rows = [d for d in city.departments if not (noncompliant and d.compliant)]
        rows, sort = sort_rows(rows, request.args.get("sort"))
        context.update(rows=rows, sort=sort, noncompliant=noncompliant,
                       inclusion_chart=_inclusion_chart(city), types_chart=_types_chart(city, city.departments))
    response = htmx.render("dashboard/index.html", "dashboard/_live.html", **context)
    response.set_etag(tag)
    return response


@bp.route("/dashboard/export")
@staff_required
def export():
    """导出考核表: the assessment workbook — the ranking with every figure, and one sheet per rule
    listing the departments that fail it."""
    today = clock.today()
    city = metrics.city_figures(today)
    return send_xlsx(assessment_workbook(city), assessment_filename(today))


# --- charts ----------------------------------------------------------------------------------------


def _inclusion_chart(city):
    rows = [(d.label, d.inclusion_rate, drill(("items.index", {}), d))
            for d in sorted(city.departments, key=lambda d: (d.sort_order, d.id))]
    return svg.rate_bars(rows, chart_id="chart-inclusion", title="各部门纳入率")


def _trend_chart(city):
    return svg.line_chart(
        [("平均合规率", svg.BLUE, [(day, c) for day, c, _ in city.trend]),
         ("全市纳入率", svg.OK, [(day, i) for day, _, i in city.trend])],
        chart_id="chart-trend", title=f"近{metrics.TREND_DAYS}天合规率与纳入率走势", width=1180, height=240)


def _types_chart(city, departments):
    rows = [(d.label, d.types, drill(("items.index", {}), d))
            for d in sorted(departments, key=lambda d: (d.sort_order, d.id))]
    return svg.stacked_bars(rows, rules.ITEM_TYPES, chart_id="chart-types", title="事项类型构成")
