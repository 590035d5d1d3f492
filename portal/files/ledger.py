"""服务台账 workbook: one row per matter, as the ledger page shows it."""
from __future__ import annotations

import datetime as dt

from .. import rules
from . import workbook, write_text_row

COLUMNS = ["序号", "投资者/企业", "统一社会信用代码", "联系人", "联系电话", "项目名称", "服务事项", "首席服务员",
           "受理日期", "承诺办结日期", "状态", "办结/退回日期", "时效", "跑动次数", "办理方式", "备注"]
WIDTHS = [6, 30, 22, 10, 16, 30, 36, 10, 12, 13, 8, 13, 10, 9, 9, 30]


def timeliness(matter, today: dt.date) -> str:
    """逾期 / 按时办结 / 超期办结 / 办理中 — the ledger's verdict on one matter (rules.matter_*)."""
    if rules.matter_overdue(matter.status, matter.promised_date, matter.completed_date, today):
        return "逾期"
    verdict = rules.matter_on_time(matter.status, matter.promised_date, matter.completed_date)
    if verdict is None:
        return "办理中" if matter.status in rules.MATTER_OPEN_STATES else ""
    return "按时办结" if verdict else "超期办结"


def ledger_workbook(matters, *, title: str, today: dt.date, with_department: bool = False) -> bytes:
    """The ledger as .xlsx bytes; `matters` carry their investor, item, officer and department joined."""
    columns = (["部门"] if with_department else []) + COLUMNS
    widths = ([24] if with_department else []) + WIDTHS
    with workbook() as (wb, buffer):
        sheet = wb.add_worksheet("服务台账")
        title_fmt = wb.add_format({"bold": True, "font_size": 14})
        head_fmt = wb.add_format({"bold": True, "bg_color": "#EEF1F6", "border": 1, "text_wrap": True,
                                  "valign": "vcenter"})
        cell_fmt = wb.add_format({"border": 1, "text_wrap": True, "valign": "top"})
        late_fmt = wb.add_format({"border": 1, "text_wrap": True, "valign": "top", "font_color": "#B3261E"})
        sheet.write_string(0, 0, title, title_fmt)  # the title starts with a department's name: a string cell
        sheet.write_string(1, 0, f"导出日期：{today.isoformat()}　共{len(matters)}条")
        write_text_row(sheet, 2, columns, head_fmt)
        for col, width in enumerate(widths):
            sheet.set_column(col, col, width)
        sheet.freeze_panes(3, 0)
        for n, m in enumerate(matters, start=1):
            verdict = timeliness(m, today)
            values = ([m.department.name] if with_department else []) + [
                n, m.investor.name, m.investor.credit_code, m.investor.contact, m.investor.phone, m.project,
                m.item_name or (m.item.label if m.item_id else ""), m.officer.name if m.officer_id else "",
                m.received_date, m.promised_date, m.status, m.completed_date, verdict, m.visits,
                m.handling, m.notes,
            ]
            write_text_row(sheet, 2 + n, values, late_fmt if verdict in ("逾期", "超期办结") else cell_fmt)
        if matters:
            sheet.autofilter(2, 0, 2 + len(matters), len(columns) - 1)
    return buffer.getvalue()
