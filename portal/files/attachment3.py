"""Attachment 3: the roster of chief service officers (“首席服务员”名单), per department and city-wide.

Columns as in the city's template: 姓名, 性别, 年龄, 工作单位（股室）及职位, 联系方式, 备注, under the title,
with 填报单位 and the date. The city-wide roster puts each row's department in a first column and lists
a department without a serving officer with that noted, so the office sees the hole.
"""
from __future__ import annotations

import datetime as dt

from .. import rules
from . import workbook, write_text_row

TITLE = "“首席服务员”名单"
COLUMNS = ("姓名", "性别", "年龄", "工作单位（股室）及职位", "联系方式", "备注")
WIDTHS = (12, 6, 6, 30, 34, 24)
OFFICE = "赤壁市推进政府职能转变和“放管服”改革协调小组办公室"


def contact(officer) -> str:
    """联系方式: the work phone, then the mobile (this roster goes to the office, not the public)."""
    parts = []
    if officer.work_phone:
        parts.append(f"办公电话：{officer.work_phone}")
    if officer.mobile:
        parts.append(f"手机：{officer.mobile}")
    return "\n".join(parts)


def row(officer, day: dt.date) -> list:
    """One officer's row of the roster."""
    age = rules.age_on(officer.birth_date, day) if officer.birth_date else None
    return [officer.name, officer.gender, age, officer.position, contact(officer), officer.note]


def roster_workbook(groups: list[tuple[str, list]], day: dt.date, unit: str | None) -> bytes:
    """The roster as .xlsx bytes. ``groups`` are (department name, serving officers); ``unit`` is the
    填报单位 of a department's own roster, None for the city-wide one."""
    city = unit is None
    columns = (("填报单位",) if city else ()) + COLUMNS
    widths = ((26,) if city else ()) + WIDTHS
    last = len(columns) - 1
    with workbook() as (wb, buffer):
        title = wb.add_format({"bold": True, "font_size": 18, "align": "center", "valign": "vcenter",
                               "font_name": "方正小标宋简体"})
        meta = wb.add_format({"font_size": 12, "valign": "vcenter"})
        meta_right = wb.add_format({"font_size": 12, "valign": "vcenter", "align": "right"})
        head = wb.add_format({"bold": True, "border": 1, "align": "center", "valign": "vcenter", "text_wrap": True,
                              "bg_color": "#EEF1F6"})
        cell = wb.add_format({"border": 1, "valign": "vcenter", "text_wrap": True})
        centre = wb.add_format({"border": 1, "valign": "vcenter", "align": "center"})
        sheet = wb.add_worksheet("首席服务员名单")
        sheet.set_paper(9)  # A4
        sheet.set_landscape()
        sheet.fit_to_pages(1, 0)
        sheet.repeat_rows(2)
        for col, width in enumerate(widths):
            sheet.set_column(col, col, width)
        sheet.set_row(0, 36)
        sheet.merge_range(0, 0, 0, last, TITLE, title)
        split = max(1, last // 2)
        sheet.merge_range(1, 0, 1, split, f"填报单位：{unit if unit else OFFICE + '（全市汇总）'}", meta)
        sheet.merge_range(1, split + 1, 1, last, f"填报日期：{day.year}年{day.month}月{day.day}日", meta_right)
        write_text_row(sheet, 2, columns, head)
        r = 3
        for name, officers in groups:
            if not officers and city:
                write_text_row(sheet, r, [name, "", "", "", "", "", "暂无在任首席服务员"], cell)
                r += 1
            for officer in officers:
                values = ([name] if city else []) + row(officer, day)
                write_text_row(sheet, r, values, cell)
                sheet.write_string(r, 2 if city else 1, officer.gender or "", centre)
                r += 1
        sheet.freeze_panes(3, 0)
    return buffer.getvalue()
