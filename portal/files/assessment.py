"""The assessment workbook (考核表) of the dashboard: one sheet with the ranking and every figure, and one
sheet per compliance rule listing the departments that fail it. Figures are numbers, rates are numbers
with a percentage format, and every text cell is written as text."""
from __future__ import annotations

import datetime as dt

from .. import metrics, rules
from . import download_name, workbook, xlsx_text

TITLE = "赤壁市首席服务员制度考核排名"
FLAG_TEXT = {True: "是", False: "否", None: "未到期"}


def assessment_filename(day: dt.date) -> str:
    """赤壁市首席服务员制度考核排名-2026-11-26.xlsx"""
    return download_name(TITLE, day=day, ascii="chibi-assessment-ranking")


def _cn(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


class _Writer:
    """Writes one value with the format its kind needs."""

    def __init__(self, wb):
        base = {"border": 1, "valign": "vcenter"}
        self.title = wb.add_format({"bold": True, "font_size": 14})
        self.note = wb.add_format({"font_color": "#5F6368"})
        self.head = wb.add_format({**base, "bold": True, "bg_color": "#EEF1F6", "text_wrap": True, "align": "center"})
        self.text = wb.add_format(base)
        self.int = wb.add_format({**base, "num_format": "0"})
        self.dec = wb.add_format({**base, "num_format": "0.0"})
        self.pct = wb.add_format({**base, "num_format": "0.0%"})
        self.bad = wb.add_format({**base, "font_color": "#B3261E"})

    def value(self, ws, row, col, value, kind="int"):
        if kind == "flag":
            ws.write_string(row, col, FLAG_TEXT.get(value, ""), self.text)
        elif value is None or value == "":
            ws.write_blank(row, col, None, self.text)
        elif kind == "rate":
            ws.write_number(row, col, value, self.pct)
        elif kind == "date":
            ws.write_string(row, col, value.isoformat() if hasattr(value, "isoformat") else str(value), self.text)
        elif isinstance(value, bool):
            ws.write_string(row, col, "是" if value else "否", self.text)
        elif isinstance(value, (int, float)):
            ws.write_number(row, col, value, self.int if float(value).is_integer() else self.dec)
        else:
            ws.write_string(row, col, xlsx_text(str(value)), self.text)

    def header(self, ws, row, labels):
        for col, label in enumerate(labels):
            ws.write_string(row, col, label, self.head)


def assessment_workbook(city: metrics.City) -> bytes:
    """The workbook's bytes for the city's figures (metrics.City)."""
    with workbook() as (wb, buffer):
        w = _Writer(wb)
        _ranking_sheet(wb, w, city)
        for rule in metrics.RULES:
            _rule_sheet(wb, w, city, rule)
    return buffer.getvalue()


def _ranking_sheet(wb, w: _Writer, city: metrics.City) -> None:
    ws = wb.add_worksheet("考核排名")
    ws.write_string(0, 0, f"赤壁市“首席服务员”制度落实情况考核排名（截至{_cn(city.today)}）", w.title)
    ws.write_string(1, 0, f"合规率 = 达标规则数 ÷ 适用规则数；{rules.ranking_text()}，各项均相同的部门名次并列。", w.note)
    labels = (["排名", "部门", "合规率", "达标规则", "适用规则"]
              + [f"{c.group}·{c.label}" for c in metrics.COLUMNS]
              + [f"规则{r.number} {r.name}" for r in metrics.RULES])
    head_row = 3
    w.header(ws, head_row, labels)
    row = head_row
    for d in city.departments:
        row += 1
        values = [(d.rank, "int"), (d.name, "text"), (d.compliance_rate, "rate"), (d.met, "int"),
                  (d.applicable, "int")]
        values += [(c.value(d), c.kind) for c in metrics.COLUMNS]
        values += [(metrics.VERDICT_LABELS[d.verdicts[r.number]], "text") for r in metrics.RULES]
        for col, (value, kind) in enumerate(values):
            w.value(ws, row, col, value, kind)
    row += 1
    t = city.totals
    totals = [(None, "int"), ("全市", "text"), (t["compliance_rate"], "rate"), (None, "int"), (None, "int")]
    for c in metrics.COLUMNS:
        value = t.get(c.total) if c.total else None
        # flags total as a count of departments ("是"), text totals as a count of departments concerned
        totals.append((value, "int" if c.kind in ("flag", "text") else c.kind))
    totals += [(f"{t['rules_failing'][r.number]}个部门未达标", "text") for r in metrics.RULES]
    for col, (value, kind) in enumerate(totals):
        w.value(ws, row, col, value, kind)
    ws.set_row(head_row, 48)
    ws.set_column(0, 0, 6)
    ws.set_column(1, 1, 28)
    ws.set_column(2, len(labels) - 1, 11)
    ws.freeze_panes(head_row + 1, 2)
    ws.autofilter(head_row, 0, row - 1, len(labels) - 1)


def _rule_sheet(wb, w: _Writer, city: metrics.City, rule: metrics.Rule) -> None:
    ws = wb.add_worksheet(f"规则{rule.number} {rule.short}")
    ws.write_string(0, 0, f"规则{rule.number}：{rule.name} — 未达标部门（截至{_cn(city.today)}）", w.title)
    applies = [d for d in city.departments if d.verdicts[rule.number] != metrics.NA]
    failing = [d for d in city.departments if d.verdicts[rule.number] == metrics.NOT_MET]
    ws.write_string(1, 0, f"适用部门{len(applies)}个，达标{len(applies) - len(failing)}个，未达标{len(failing)}个。", w.note)
    labels = ["排名", "部门", "未达标原因"] + [label for label, _, _ in rule.columns]
    w.header(ws, 3, labels)
    row = 3
    for d in failing:
        row += 1
        values = [(d.rank, "int"), (d.name, "text"), (rule.detail(d), "text")]
        values += [(get(d), kind) for _, get, kind in rule.columns]
        for col, (value, kind) in enumerate(values):
            w.value(ws, row, col, value, kind)
    if not failing:
        ws.write_string(4, 0, "全部达标" if applies else "无适用部门", w.text)
    ws.set_column(0, 0, 6)
    ws.set_column(1, 1, 28)
    ws.set_column(2, 2, 44)
    ws.set_column(3, max(3, len(labels) - 1), 14)
    ws.freeze_panes(4, 2)
