"""Server-rendered SVG charts (no chart library, no script): bars, lines and stacked bars.

Only presentation attributes (fill, stroke, font-size …) — the CSP forbids style attributes. Every
chart is an <svg role="img"> (role="group" when its bars are links) with a <title> and a <desc>, and
every label is escaped.
"""
from __future__ import annotations

from markupsafe import Markup, escape

from portal import clock

FONT = 'font-family="WenQuanYi Micro Hei, Microsoft YaHei, PingFang SC, sans-serif"'
INK, MUTED, GRID = "#1d1d1f", "#5f6368", "#d9dde3"
OK, WARN, BAD, BLUE = "#1b7f3b", "#a15c00", "#b3261e", "#1f4e8c"
# Seven colours for the seven 事项类型, distinguishable in print and for common colour blindness.
PALETTE = ("#1f4e8c", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#7f7f7f")


def _f(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _pct(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _open(chart_id: str, width: int, height: int, title: str, desc: str, interactive: bool = False) -> list[str]:
    # A chart whose bars are links is a group of links, not one image: role="img" would hide them.
    role = "group" if interactive else "img"
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{escape(chart_id)}" role="{role}" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" {FONT}>',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-desc">{escape(desc)}</desc>',
    ]


def _link(href, inner: str) -> str:
    return f'<a href="{escape(href)}">{inner}</a>' if href else inner


def rate_bars(rows, *, chart_id: str, title: str, width: int = 640, label_width: int = 150,
              bar_height: int = 16, gap: int = 6) -> Markup:
    """Horizontal bars of a rate per row (e.g. 纳入率 by department), with the 100% target line.

    rows: (label, rate 0..1 or None, href or None). A row at 100% is green, below 80% red.
    """
    rows = list(rows)
    top, right = 24, 56
    plot = width - label_width - right
    height = top + len(rows) * (bar_height + gap) + 8
    desc = "；".join(f"{label} {_pct(rate)}" for label, rate, _ in rows) or "暂无数据"
    out = _open(chart_id, width, height, title, desc, interactive=any(href for _, _, href in rows))
    for tick in (0, 0.5, 1):
        x = label_width + plot * tick
        dash = ' stroke-dasharray="4 3"' if tick == 1 else ""  # the 100% target
        out.append(f'<line x1="{_f(x)}" y1="{top - 6}" x2="{_f(x)}" y2="{height - 4}" stroke="{GRID}" '
                   f'stroke-width="1"{dash}/>')
        out.append(f'<text x="{_f(x)}" y="{top - 10}" font-size="11" fill="{MUTED}" text-anchor="middle">'
                   f'{int(tick * 100)}%</text>')
    for i, (label, rate, href) in enumerate(rows):
        y = top + i * (bar_height + gap)
        colour = MUTED if rate is None else OK if rate >= 1 else BAD if rate < 0.8 else WARN
        length = plot * min(max(rate or 0, 0), 1)
        text_y = _f(y + bar_height * 0.75)
        bar = (f'<text x="{label_width - 6}" y="{text_y}" font-size="12" fill="{INK}" text-anchor="end">'
               f'{escape(label)}</text>'
               f'<rect x="{label_width}" y="{y}" width="{_f(max(length, 1 if rate is not None else 0))}" '
               f'height="{bar_height}" fill="{colour}"><title>{escape(label)}：{_pct(rate)}</title></rect>'
               f'<text x="{_f(label_width + length + 4)}" y="{text_y}" font-size="11" fill="{INK}">{_pct(rate)}</text>')
        out.append(f'<g class="bar">{_link(href, bar)}</g>')
    out.append("</svg>")
    return Markup("".join(out))


def line_chart(series, *, chart_id: str, title: str, width: int = 640, height: int = 220) -> Markup:
    """Lines of rates (0..1) over days, e.g. 合规率 and 纳入率 over the last 90 days.

    series: (name, colour, [(date, value or None)]). Days without a value break the line.
    """
    series = list(series)
    left, right, top, bottom = 44, 16, 28, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    days = sorted({day for _, _, points in series for day, value in points})
    first, last = (days[0], days[-1]) if days else (clock.today(), clock.today())  # the portal's day, FIXED_TODAY too
    span = max((last - first).days, 1)
    latest = "；".join(f"{name}最新 {_pct(next((v for _, v in reversed(points) if v is not None), None))}"
                      for name, _, points in series)
    desc = (f"{first.isoformat()} 至 {last.isoformat()}，{latest}" if days else "暂无数据")
    out = _open(chart_id, width, height, title, desc)
    for tick in (0, 0.25, 0.5, 0.75, 1):
        y = top + plot_h * (1 - tick)
        out.append(f'<line x1="{left}" y1="{_f(y)}" x2="{width - right}" y2="{_f(y)}" stroke="{GRID}" stroke-width="1"/>')
        out.append(f'<text x="{left - 6}" y="{_f(y + 4)}" font-size="11" fill="{MUTED}" text-anchor="end">'
                   f'{int(tick * 100)}%</text>')
    if days:
        for day, anchor in ((first, "start"), (last, "end")) if last != first else ((first, "start"),):
            x = left + plot_w * (day - first).days / span
            out.append(f'<text x="{_f(x)}" y="{height - 10}" font-size="11" fill="{MUTED}" text-anchor="{anchor}">'
                       f'{day.month}月{day.day}日</text>')
    legend_x = left
    for name, colour, points in series:
        out.append(f'<rect x="{legend_x}" y="6" width="12" height="12" fill="{colour}"/>'
                   f'<text x="{legend_x + 16}" y="16" font-size="12" fill="{INK}">{escape(name)}</text>')
        legend_x += 24 + 13 * len(name)
        runs, run = [], []
        for day, value in sorted(points):
            if value is None:
                if run:
                    runs.append(run)
                run = []
                continue
            x = left + plot_w * (day - first).days / span
            y = top + plot_h * (1 - min(max(value, 0), 1))
            run.append(f"{_f(x)},{_f(y)}")
        if run:
            runs.append(run)
        for r in runs:
            if len(r) == 1:
                cx, cy = r[0].split(",")
                out.append(f'<circle cx="{cx}" cy="{cy}" r="3" fill="{colour}"/>')
            else:
                out.append(f'<polyline points="{" ".join(r)}" fill="none" stroke="{colour}" stroke-width="2" '
                           f'stroke-linejoin="round"/>')
    out.append("</svg>")
    return Markup("".join(out))


def stacked_bars(rows, categories, *, chart_id: str, title: str, width: int = 640, label_width: int = 150,
                 bar_height: int = 16, gap: int = 6, colours=PALETTE) -> Markup:
    """Horizontal stacked bars of counts by category (e.g. 事项类型 per department), with a legend.

    rows: (label, {category: count}, href or None); bars share one scale so that sizes compare.
    """
    rows = list(rows)
    categories = list(categories)
    legend_rows = (len(categories) + 3) // 4
    top, right = 12 + legend_rows * 18 + 8, 48
    plot = width - label_width - right
    largest = max([sum(counts.values()) for _, counts, _ in rows] + [1])
    height = top + len(rows) * (bar_height + gap) + 8
    desc = "；".join(f"{label}：" + "、".join(f"{c}{counts.get(c, 0)}项" for c in categories if counts.get(c))
                    for label, counts, _ in rows) or "暂无数据"
    out = _open(chart_id, width, height, title, desc, interactive=any(href for _, _, href in rows))
    for i, category in enumerate(categories):
        x = 10 + (i % 4) * ((width - 20) / 4)
        y = 8 + (i // 4) * 18
        out.append(f'<rect x="{_f(x)}" y="{y}" width="12" height="12" fill="{colours[i % len(colours)]}"/>'
                   f'<text x="{_f(x + 16)}" y="{y + 10}" font-size="12" fill="{INK}">{escape(category)}</text>')
    for r, (label, counts, href) in enumerate(rows):
        y = top + r * (bar_height + gap)
        parts = [f'<text x="{label_width - 6}" y="{_f(y + bar_height * 0.75)}" font-size="12" fill="{INK}" '
                 f'text-anchor="end">{escape(label)}</text>']
        x = label_width
        for i, category in enumerate(categories):
            n = counts.get(category, 0)
            if not n:
                continue
            w = plot * n / largest
            parts.append(f'<rect x="{_f(x)}" y="{y}" width="{_f(w)}" height="{bar_height}" '
                         f'fill="{colours[i % len(colours)]}"><title>{escape(label)} {escape(category)}：{n}项</title></rect>')
            x += w
        parts.append(f'<text x="{_f(x + 4)}" y="{_f(y + bar_height * 0.75)}" font-size="11" fill="{INK}">'
                     f'{sum(counts.values())}</text>')
        out.append(f'<g class="bar">{_link(href, "".join(parts))}</g>')
    out.append("</svg>")
    return Markup("".join(out))
