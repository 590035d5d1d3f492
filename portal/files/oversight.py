"""抽查结果 workbook for the leading group: one row per sampled matter (department, matter, investor,
item, officer, finding, requirement, answer, answered on, on time?) and a summary per department."""
from __future__ import annotations

import datetime as dt

from .. import rules
from . import workbook, write_text_row

COLUMNS = [
    ("序号", 6), ("部门", 24), ("投资者/企业", 28), ("项目", 28), ("办理事项", 30), ("首席服务员", 10),
    ("办结日期", 12), ("抽查结论", 10), ("整改要求", 36), ("整改情况", 36), ("整改完成日期", 13),
    ("是否按期答复", 12), ("状态", 10),
]
SUMMARY = [("部门", 24), ("期内办结", 10), ("抽取", 8), ("规范", 8), ("需整改", 8), ("已销号", 8),
           ("待确认", 8), ("待答复", 8), ("逾期", 8)]


def _on_time(f, deadline: dt.date, today: dt.date) -> str:
    """是否按期: only a 需整改 finding has an answer to judge; an open one is late once its deadline passed."""
    if f.finding != rules.FINDING_FIX:
        return ""
    if f.answered_on is None:
        return "逾期未答复" if today > deadline else "未答复"
    return "否" if f.is_late(deadline, today) else "是"


def review_results(review, findings, today: dt.date) -> bytes:
    """The review's results as .xlsx bytes. ``findings`` come with department, matter, investor, item
    and officer joined (oversight.service.findings_query)."""
    pools = {r["department"]: len(r["pool"]) for r in review.draw_record()}
    with workbook() as (wb, buffer):
        title = wb.add_format({"bold": True, "font_size": 14, "align": "center", "valign": "vcenter"})
        note = wb.add_format({"font_size": 10})
        head = wb.add_format({"bold": True, "border": 1, "bg_color": "#EEF1F6", "align": "center",
                              "valign": "vcenter", "text_wrap": True})
        cell = wb.add_format({"border": 1, "valign": "top", "text_wrap": True})
        late = wb.add_format({"border": 1, "valign": "top", "font_color": "#B3261E", "bold": True})

        ws = wb.add_worksheet("抽查结果")
        ws.merge_range(0, 0, 0, len(COLUMNS) - 1, f"赤壁市“首席服务员”放权事项抽查结果（{review.title}）", title)
        ws.set_row(0, 28)
        ws.write_string(1, 0, (f"抽查期间：{review.period_start:%Y-%m-%d} 至 {review.period_end:%Y-%m-%d}；"
                               f"抽查比例 {review.rate * 100:g}%，每部门至少 {review.minimum} 件；"
                               f"随机种子 {review.seed}；整改答复期限 {review.deadline:%Y-%m-%d}；"
                               f"导出日期 {today:%Y-%m-%d}"), note)
        for col, (label, width) in enumerate(COLUMNS):
            ws.set_column(col, col, width)
        write_text_row(ws, 3, [c for c, _ in COLUMNS], head)
        per_dept: dict[int, dict] = {}
        row = 4
        for n, f in enumerate(findings, start=1):
            m = f.matter
            on_time = _on_time(f, review.deadline, today)
            values = [n, f.department.name, m.investor.name, m.project, m.item_name or (m.item.label if m.item else ""),
                      m.officer.name if m.officer else "", m.completed_date, f.finding or "待录入", f.requirement,
                      f.answer if f.answered_on or f.closed else "", f.answered_on, on_time, f.state]
            write_text_row(ws, row, values, cell)
            if on_time in ("否", "逾期未答复"):
                ws.write_string(row, 11, on_time, late)
            row += 1
            s = per_dept.setdefault(f.department_id, {"name": f.department.name, "drawn": 0, "ok": 0, "fix": 0,
                                                      "closed": 0, "answered": 0, "to_answer": 0, "late": 0})
            s["drawn"] += 1
            s["ok"] += f.finding == rules.FINDING_OK
            s["fix"] += f.finding == rules.FINDING_FIX
            s["closed"] += f.state == f.CLOSED
            s["answered"] += f.state == f.ANSWERED
            s["to_answer"] += f.state in (f.TO_FIX, f.RETURNED)
            s["late"] += f.is_late(review.deadline, today)
        if row == 4:
            ws.merge_range(4, 0, 4, len(COLUMNS) - 1, "本次抽查没有抽取到事项。", cell)
        ws.freeze_panes(4, 0)
        ws.autofilter(3, 0, max(row - 1, 4), len(COLUMNS) - 1)
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(3)

        ss = wb.add_worksheet("按部门汇总")
        for col, (label, width) in enumerate(SUMMARY):
            ss.set_column(col, col, width)
        write_text_row(ss, 0, [c for c, _ in SUMMARY], head)
        r = 1
        for dept_id, s in per_dept.items():
            write_text_row(ss, r, [s["name"], pools.get(dept_id, 0), s["drawn"], s["ok"], s["fix"], s["closed"],
                                   s["answered"], s["to_answer"], s["late"]], cell)
            r += 1
        ss.freeze_panes(1, 0)
    return buffer.getvalue()
