"""The coverage timeline (任职时间轴): a server-rendered SVG of a department's officers over time.

One lane per officer term, a diamond for each letter issued, and a red band on every gap day (断档) —
a gap is never drawn narrower than two pixels, so a one-day gap stays visible. Only presentation
attributes (fill, stroke …): the portal's CSP forbids style attributes.
"""
from __future__ import annotations

import datetime as dt

from markupsafe import Markup, escape

from .. import rules

WIDTH = 960
LABEL = 150  # the names column
RIGHT = 16
AXIS = 28  # room for the year labels on top
LANE = 28
BAR = 14
RED = "#b3261e"
BLUE = "#1f4e8c"
GREY = "#8a939e"
GREEN = "#1b7f3b"

LETTER_FILL = {rules.LETTER_ISSUED: GREEN, rules.LETTER_REPLACED: GREY, rules.LETTER_ENDED: GREY}


def _cn(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


class _Scale:
    def __init__(self, start: dt.date, end: dt.date):
        self.start = start
        self.days = (end - start).days + 1
        self.px = (WIDTH - LABEL - RIGHT) / self.days

    def x(self, day: dt.date) -> float:
        return round(LABEL + (day - self.start).days * self.px, 2)

    def width(self, first: dt.date, last: dt.date) -> float:
        return round(max(2.0, ((last - first).days + 1) * self.px), 2)


def _ticks(start: dt.date, end: dt.date):
    """Year starts (labelled) and quarter starts (light lines) inside the window."""
    day = dt.date(start.year, ((start.month - 1) // 3) * 3 + 1, 1)
    while day <= end:
        if day >= start:
            yield day, day.month == 1
        month = day.month + 3
        day = dt.date(day.year + (month > 12), (month - 1) % 12 + 1, 1)


def render(officers, letters, gap_intervals, since: dt.date, today: dt.date, title: str) -> Markup:
    """The SVG of the department's coverage from the system's start (since) to today."""
    if since > today:
        return Markup("")
    scale = _Scale(since, today)
    lanes = sorted(officers, key=lambda o: (o.term_start, o.id))
    gap_lane_y = AXIS + len(lanes) * LANE
    height = gap_lane_y + LANE + 36
    gap_days = rules.days_in(gap_intervals)
    desc = (f"自{_cn(since)}至{_cn(today)}，共{len(lanes)}个任期，"
            + (f"断档{len(gap_intervals)}段共{gap_days}天。" if gap_days else "无断档。"))
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" viewBox="0 0 {WIDTH} {height}" '
           f'width="100%" role="img" aria-labelledby="timeline-title timeline-desc" font-size="12" '
           f'font-family="WenQuanYi Micro Hei, Microsoft YaHei, sans-serif">',
           f'<title id="timeline-title">{escape(title)}</title><desc id="timeline-desc">{escape(desc)}</desc>',
           f'<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#ffffff"/>']

    # Axis: quarter lines, year labels.
    for day, is_year in _ticks(since, today):
        x = scale.x(day)
        out.append(f'<line x1="{x}" y1="{AXIS - 6}" x2="{x}" y2="{gap_lane_y + LANE}" stroke="{"#aab2bd" if is_year else "#e3e6ea"}" stroke-width="1"/>')
        if is_year:
            out.append(f'<text x="{x + 3}" y="{AXIS - 10}" fill="#5f6368">{day.year}年</text>')
    if (since.month, since.day) != (1, 1):
        out.append(f'<text x="{LABEL + 3}" y="{AXIS - 10}" fill="#5f6368">{escape(_cn(since))}</text>')

    # Gap days: a light red band through every lane, and a solid red bar on the gap lane.
    for first, last in gap_intervals:
        x, w = scale.x(first), scale.width(first, last)
        n = (last - first).days + 1
        label = escape(f"断档：{_cn(first)}至{_cn(last)}，{n}天" if n > 1 else f"断档：{_cn(first)}，1天")
        out.append(f'<rect x="{x}" y="{AXIS}" width="{w}" height="{gap_lane_y - AXIS}" fill="{RED}" fill-opacity="0.12"/>')
        out.append(f'<rect class="gap" x="{x}" y="{gap_lane_y + (LANE - BAR) / 2}" width="{w}" height="{BAR}" fill="{RED}">'
                   f'<title>{label}</title></rect>')

    by_officer: dict[int, list] = {}
    for letter in letters:
        if letter.issue_date is not None:
            by_officer.setdefault(letter.officer_id, []).append(letter)

    for n, officer in enumerate(lanes):
        y = AXIS + n * LANE
        first = max(officer.term_start, since)
        last = min(officer.term_end or today, today)
        serving = officer.term_end is None
        out.append(f'<text x="{LABEL - 8}" y="{y + LANE / 2 + 4}" text-anchor="end" fill="#1d1d1f">{escape(officer.name)}</text>')
        if last >= first:
            term = f"{_cn(officer.term_start)}起" + ("，在任" if serving else f"至{_cn(officer.term_end)}")
            out.append(f'<rect class="term" x="{scale.x(first)}" y="{y + (LANE - BAR) / 2}" width="{scale.width(first, last)}" '
                       f'height="{BAR}" rx="3" fill="{BLUE if serving else GREY}" fill-opacity="{0.85 if serving else 0.6}">'
                       f'<title>{escape(officer.name)}：{escape(term)}</title></rect>')
        for letter in by_officer.get(officer.id, []):
            if not since <= letter.issue_date <= today:
                continue
            cx, cy = scale.x(letter.issue_date), y + LANE / 2
            points = f"{cx},{cy - 8} {cx + 6},{cy} {cx},{cy + 8} {cx - 6},{cy}"
            out.append(f'<polygon class="letter" points="{points}" fill="{LETTER_FILL.get(letter.state, GREY)}" '
                       f'stroke="#ffffff" stroke-width="1"><title>{escape(letter.number)}，{escape(_cn(letter.issue_date))}签发'
                       f'（{escape(letter.state)}）</title></polygon>')

    out.append(f'<text x="{LABEL - 8}" y="{gap_lane_y + LANE / 2 + 4}" text-anchor="end" fill="{RED}" font-weight="bold">断档</text>')
    out.append(f'<line x1="{LABEL}" y1="{gap_lane_y + LANE}" x2="{WIDTH - RIGHT}" y2="{gap_lane_y + LANE}" stroke="#aab2bd"/>')
    x_today = scale.x(today) + scale.px
    out.append(f'<line x1="{x_today}" y1="{AXIS - 4}" x2="{x_today}" y2="{gap_lane_y + LANE}" stroke="#1d1d1f" stroke-dasharray="3 3"/>')

    # Legend.
    ly = height - 12
    legend = [(BLUE, "在任", "rect"), (GREY, "已离任", "rect"), (RED, "断档", "rect"), (GREEN, "授权委托书（现行）", "diamond"),
              (GREY, "授权委托书（已替换/终止）", "diamond")]
    x = LABEL
    for fill, text, shape in legend:
        if shape == "rect":
            out.append(f'<rect x="{x}" y="{ly - 10}" width="14" height="10" fill="{fill}"/>')
        else:
            out.append(f'<polygon points="{x + 7},{ly - 12} {x + 13},{ly - 5} {x + 7},{ly + 2} {x + 1},{ly - 5}" fill="{fill}"/>')
        out.append(f'<text x="{x + 18}" y="{ly}" fill="#5f6368">{escape(text)}</text>')
        x += 34 + 13 * len(text)
    out.append("</svg>")
    return Markup("".join(out))
