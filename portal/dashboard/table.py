"""The dashboard table's plumbing: drill-down links to other areas, sorting and filtering of the
department rows, and the rows' HTML. The figures themselves come from portal.metrics.

The ranking table has one cell per figure and rule for every department (a province has a hundred
departments and forty columns): its rows are built here in Python rather than through a Jinja macro
per cell, and each area's URL is built once per request, not once per cell.
"""
from __future__ import annotations

from urllib.parse import quote_plus, urlencode

from flask import current_app, g, url_for
from flask_login import current_user
from markupsafe import Markup, escape

from .. import metrics
from ..filters import percent

VERDICT_ORDER = {metrics.NOT_MET: 0, metrics.MET: 1, metrics.NA: 2}
VERDICT_TAGS = {metrics.MET: ("tag-ok", "达标"), metrics.NOT_MET: ("tag-bad", "未达标"), metrics.NA: ("tag-muted", "不适用")}


def _links() -> dict:
    """Per request: each area's path and encoded filters, built once rather than once per cell."""
    if "_dashboard_links" not in g:
        g._dashboard_links = {}
        g._dashboard_by_dept = not current_user.is_department
    return g._dashboard_links


def drill(spec, department=None) -> str | None:
    """The URL of the rows behind a figure (the drill-down contract: ?dept=<code> plus the area's
    filters), or None while that area's page does not exist yet."""
    if not spec:
        return None
    endpoint, params = spec
    links = _links()
    key = (endpoint, tuple(params.items()))
    if key not in links:
        links[key] = (url_for(endpoint), urlencode(params)) if endpoint in current_app.view_functions else None
    if links[key] is None:
        return None
    path, query = links[key]
    # Department users always see their own rows; the parameter is only for the office and leader.
    if department is not None and g._dashboard_by_dept:
        query = "dept=" + quote_plus(department.code) + ("&" + query if query else "")
    return path + ("?" + query if query else "")


def show(value, kind: str) -> str:
    """A figure as text: rates as percentages, flags as 是/否 (未到期 while undecided), nothing as —."""
    if kind == "rate":
        return percent(value)
    if kind == "flag":
        return {True: "是", False: "否"}.get(value, "未到期")
    if value is None or value == "":
        return "—"
    return str(value)


def _getter(name: str):
    if name == "rank":
        return lambda d: d.rank
    if name == "name":
        return lambda d: d.sort_order
    if name == "compliance":
        return lambda d: d.compliance_rate
    if name.startswith("rule_") and name[5:].isdigit() and int(name[5:]) in metrics.RULES_BY_NUMBER:
        number = int(name[5:])
        return lambda d: VERDICT_ORDER[d.verdicts[number]]
    column = metrics.COLUMNS_BY_KEY.get(name)
    if column is None:
        return None
    if column.kind == "text":
        return lambda d: column.value(d) or None
    return column.value


def normalized_sort(key: str | None) -> str:
    """?sort= as sort_rows will apply it: a known key, with its direction, or the ranking."""
    key = key or "rank"
    name = key[1:] if key.startswith("-") else key
    return key if _getter(name) is not None else "rank"


def sort_rows(rows, key: str | None) -> tuple[list, str]:
    """Departments ordered by ?sort=<key> (or -<key> descending); missing values always last.

    Keys: rank, name, compliance, rule_<n>, or any column key of metrics.COLUMNS. Unknown keys fall
    back to the ranking."""
    key = normalized_sort(key)
    desc = key.startswith("-")
    name = key[1:] if desc else key
    getter = _getter(name)
    base = sorted(rows, key=lambda d: (d.rank, d.sort_order, d.id))
    present = [d for d in base if getter(d) is not None]
    missing = [d for d in base if getter(d) is None]
    # Python's sort is stable in both directions: equal values keep the ranking order.
    present.sort(key=getter, reverse=desc)
    return present + missing, ("-" if desc else "") + name


def _link(text: str, url: str | None, title: str | None = None) -> str:
    if not url:
        return escape(text) if title is None else f'<span title="{escape(title)}">{escape(text)}</span>'
    title_attr = f' title="{escape(title)}"' if title else ""
    return f'<a href="{escape(url)}"{title_attr}>{escape(text)}</a>'


def verdict_html(rule: metrics.Rule, d: metrics.DepartmentFigures) -> str:
    """A rule's verdict as a tag; 未达标 links to the rows to act on and says why on hover."""
    verdict = d.verdicts[rule.number]
    css, label = VERDICT_TAGS[verdict]
    tag = f'<span class="tag {css}">{label}</span>'
    if verdict != metrics.NOT_MET:
        return tag
    url = drill(rule.drill, d)
    why = escape(rule.detail(d))
    return f'<a href="{escape(url)}" title="{why}">{tag}</a>' if url else f'<span title="{why}">{tag}</span>'


def _expand_html(d: metrics.DepartmentFigures) -> str:
    """The 明细 control of a row: htmx opens every figure of the department in a row under it (app.js
    closes it again on a second click); without script it is a link to the department's page."""
    links = _links()
    if "_detail" not in links:
        links["_detail"] = url_for("dashboard.department", code="__code__")
    url = escape(links["_detail"].replace("__code__", quote_plus(d.code)))
    target = f"detail-{escape(d.code)}"
    return (f' <a class="dept-expand no-print" href="{url}" hx-get="{url}" hx-target="closest tr" hx-swap="afterend"'
            f' data-detail="{target}" aria-expanded="false" aria-controls="{target}">明细</a>')


def row_html(d: metrics.DepartmentFigures, columns=None, with_rules: bool = True, expand: bool = False) -> Markup:
    """One department's row of the ranking table, with the columns of the view chosen; ``expand`` adds
    the 明细 control that opens every figure of the department on demand."""
    cells = [
        f'<tr id="dept-{escape(d.code)}">',
        f'<td class="num c-rank">{d.rank}</td>',
        f'<th scope="row" class="c-name">{escape(d.name)}{_expand_html(d) if expand else ""}</th>',
        f'<td class="num c-compliance{"" if d.compliant else " dash-bad"}"><strong>{percent(d.compliance_rate)}</strong>'
        f'<small class="muted"> {d.met}/{d.applicable}</small></td>',
    ]
    for c in metrics.COLUMNS if columns is None else columns:
        num = "num " if c.kind in ("int", "rate") else ""
        cells.append(f'<td class="{num}c-{c.key}">{_link(show(c.value(d), c.kind), drill(c.drill, d))}</td>')
    for r in metrics.RULES if with_rules else ():
        cells.append(f'<td class="c-rule c-rule_{r.number}">{verdict_html(r, d)}</td>')
    cells.append("</tr>")
    return Markup("".join(cells))
