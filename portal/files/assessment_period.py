"""The workbook of an assessment period (考核表): the ranking with a bar chart of the scores, the city's
figures with a line chart of 纳入率 and 合规率 over the period (from the daily snapshots), the problems
per rule and the points lost per department. Native Excel charts: no fonts needed on the server.

It takes the period's result as plain data (portal/assessment/service.Assessment) and writes the cells
through the dashboard workbook's writer (files/assessment._Writer)."""
from __future__ import annotations

from . import workbook
from .assessment import _cn, _Writer

RATES = (("inclusion_rate", "纳入率"), ("on_time_rate", "按时办结率"), ("one_visit_rate", "最多跑一次率"),
         ("satisfaction_rate", "满意率"))


def period_workbook(result, rank_changes: dict, city_changes: list, trend: list) -> bytes:
    """The workbook's bytes. rank_changes: department id → change since the previous period;
    city_changes: service.city_changes; trend: service.trend."""
    with workbook() as (wb, buffer):
        w = _Writer(wb)
        _ranking(wb, w, result, rank_changes)
        _city(wb, w, result, city_changes, trend)
        _problems(wb, w, result)
        _lost(wb, w, result)
    return buffer.getvalue()


def _title(ws, w, result, text):
    period = result.period
    ws.write_string(0, 0, f"{text}（{period.name}，截至{_cn(result.as_of)}）", w.title)
    ws.write_string(1, 0, "已定稿" if period.locked else "未定稿：数字会随记录变化", w.note)


def _ranking(wb, w, result, rank_changes):
    ws = wb.add_worksheet("考核排名")
    _title(ws, w, result, "首席服务员制度考核排名")
    labels = ["名次", "部门", "得分", "名次变化", "合规率"] + [label for _, label in RATES] + ["扣分合计", "扣分项"]
    w.header(ws, 3, labels)
    row = 3
    for d in result.departments:
        row += 1
        change = rank_changes.get(d["id"])
        values = [(d["rank"], "int"), (d["name"], "text"), (d["score"], "int"),
                  ("—" if change is None else ("不变" if change == 0 else f"{'上升' if change > 0 else '下降'}{abs(change)}名"), "text"),
                  (d["compliance_rate"], "rate")]
        values += [(d["rates"][key], "rate") for key, _ in RATES]
        values += [(round(sum(e["points"] for e in d["lost"]), 2), "int"),
                   ("；".join(f"{e['name']}−{e['points']:.2f}" for e in d["lost"]), "text")]
        for col, (value, kind) in enumerate(values):
            w.value(ws, row, col, value, kind)
    ws.set_column(0, 0, 6)
    ws.set_column(1, 1, 28)
    ws.set_column(2, len(labels) - 2, 11)
    ws.set_column(len(labels) - 1, len(labels) - 1, 60)
    ws.freeze_panes(4, 2)
    if result.departments:
        chart = wb.add_chart({"type": "bar"})
        chart.add_series({"name": "得分", "categories": ["考核排名", 4, 1, row, 1], "values": ["考核排名", 4, 2, row, 2],
                          "data_labels": {"value": True}})
        chart.set_title({"name": f"{result.period.name}各部门考核得分"})
        chart.set_x_axis({"min": 0, "max": 100})
        chart.set_y_axis({"reverse": True})
        chart.set_legend({"none": True})
        chart.set_size({"width": 720, "height": max(360, 22 * len(result.departments))})
        ws.insert_chart(3, len(labels) + 1, chart)


def _city(wb, w, result, city_changes, trend):
    ws = wb.add_worksheet("总体情况")
    _title(ws, w, result, "全市总体情况")
    w.header(ws, 3, ["指标", "本期", "上期", "变化（百分点）"])
    row = 3
    for c in city_changes:
        row += 1
        w.value(ws, row, 0, c["label"], "text")
        w.value(ws, row, 1, c["now"], "rate")
        w.value(ws, row, 2, c["before"], "rate")
        w.value(ws, row, 3, None if c["change"] is None else round(c["change"] * 100, 1), "int")
    row += 1
    w.value(ws, row, 0, "平均得分", "text")
    w.value(ws, row, 1, result.city.get("average_score"), "int")
    start = row + 2
    ws.write_string(start, 0, "本期每日快照：全市纳入率与平均合规率", w.title)
    w.header(ws, start + 1, ["日期", "纳入率", "合规率"])
    r = start + 1
    for day, inclusion, compliance in trend:
        r += 1
        w.value(ws, r, 0, day, "date")
        w.value(ws, r, 1, inclusion, "rate")
        w.value(ws, r, 2, compliance, "rate")
    if not trend:
        ws.write_string(start + 2, 0, "本期没有每日快照，无法绘制走势。", w.note)
    else:
        chart = wb.add_chart({"type": "line"})
        for col, name in ((1, "纳入率"), (2, "合规率")):
            chart.add_series({"name": name, "categories": ["总体情况", start + 2, 0, r, 0],
                              "values": ["总体情况", start + 2, col, r, col]})
        chart.set_title({"name": f"{result.period.name}全市纳入率与合规率走势"})
        chart.set_y_axis({"min": 0, "max": 1, "num_format": "0%"})
        chart.set_size({"width": 720, "height": 360})
        ws.insert_chart(3, 5, chart)
    ws.set_column(0, 0, 14)
    ws.set_column(1, 3, 14)


def _problems(wb, w, result):
    ws = wb.add_worksheet("存在问题")
    _title(ws, w, result, "存在问题：各规则未达标的部门")
    w.header(ws, 3, ["规则", "部门", "情况"])
    row = 3
    for number, name, entries in problems_by_rule(result):
        for dept, detail in entries:
            row += 1
            w.value(ws, row, 0, f"规则{number} {name}", "text")
            w.value(ws, row, 1, dept, "text")
            w.value(ws, row, 2, detail, "text")
    if row == 3:
        ws.write_string(4, 0, "各部门全部达标", w.text)
    ws.set_column(0, 0, 26)
    ws.set_column(1, 1, 28)
    ws.set_column(2, 2, 60)


def _lost(wb, w, result):
    ws = wb.add_worksheet("扣分明细")
    _title(ws, w, result, "各部门扣分明细")
    w.header(ws, 3, ["部门", "得分", "扣分项", "原因", "扣分"])
    row = 3
    for d in result.departments:
        for e in d["lost"]:
            row += 1
            for col, (value, kind) in enumerate(((d["name"], "text"), (d["score"], "int"), (e["name"], "text"),
                                                 (e["detail"], "text"), (e["points"], "int"))):
                w.value(ws, row, col, value, kind)
    ws.set_column(0, 0, 28)
    ws.set_column(2, 2, 22)
    ws.set_column(3, 3, 50)
    ws.freeze_panes(4, 1)


def problems_by_rule(result) -> list[tuple[int, str, list[tuple[str, str]]]]:
    """存在问题: per rule, the departments that fall short with the facts (rule number, name, [(dept, detail)])."""
    rules_seen: dict[int, tuple[str, list]] = {}
    for d in result.departments:
        for p in d["problems"]:
            rules_seen.setdefault(p["rule"], (p["name"], []))[1].append((d["name"], p["detail"]))
    return [(n, name, entries) for n, (name, entries) in sorted(rules_seen.items())]
