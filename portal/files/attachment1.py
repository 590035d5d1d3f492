"""Attachment 1 (附件1): 赤壁市首席服务员审批服务事项清单, per department and city-wide.

The layout is the plan's own template, defined once here and read back by the import
(portal/files/imports.py):

    row 1   附件1
    row 2   the title, merged across the eight columns
    row 3   填报单位 and 填报日期 (a department's list) or what the city-wide export holds
    row 4   the header: 序号 | 实施部门 | 事项名称 | 办理项名称 | 事项类型 |
            是否纳入首席服务员审批服务清单 | 首席服务员 | 未纳入原因
    rows    one per 办理项; 序号 is the item's place in its department's current list (1, 2, 3 …, a
            retired item takes none), the number every page shows
    then    a blank row, and the template's note on item types, word for word

Two cells carry more than the template's bare value, so that export → edit in Excel → import gives back
the same list:

- 首席服务员 of a 纳入 item is written ``姓名（终审）`` or ``姓名（初审）`` — the approval mode decides the
  section of the authorisation letter, and the template has no column for it. A 纳入 item without an
  officer yet is ``未指定（终审）``. The import also takes a bare name (the mode is then kept from the
  existing item, or 终审 for a new one) and ``张三/初审``.
- 未纳入原因 is written ``原因：说明`` with a full-width colon, e.g. ``涉密：事项办理涉及国家秘密……``. The
  import also takes ``原因:说明`` and ``原因（说明）``; a reason alone is read with an empty explanation
  (which the rules then refuse, as on the page).

Text beginning with = + - @ is written as a string cell, as typed (no apostrophe), never as a formula;
the import drops one leading apostrophe before such text (files exported before, or CSV).
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Iterable

from .. import rules
from . import workbook, xlsx_text

ATTACHMENT = "附件1"
TITLE = "赤壁市首席服务员审批服务事项清单"
TEMPLATE_TITLE = TITLE + "（模板）"  # the blank template's title; a filled-in list drops （模板）
HEADER = ("序号", "实施部门", "事项名称", "办理项名称", "事项类型", "是否纳入首席服务员审批服务清单", "首席服务员", "未纳入原因")
# The template's note under the table, word for word.
NOTE = "（包含公共服务、行政裁决、行政给付、行政奖励、行政确认、行政许可、其他行政权力等所有类型的依申请服务事项。）"
# The note the portal's exports carried before they followed the template: still read as a note.
OLD_NOTE = "注：事项类型包括公共服务、行政裁决、行政给付、行政奖励、行政确认、行政许可、其他行政权力七类。"
DOWNLOAD_TITLE = "首席服务员审批服务事项清单"
HEADER_ROW = 3  # 0-based row of the header in an export
WIDTHS = (6, 20, 32, 32, 12, 16, 16, 40)
UNASSIGNED = "未指定"

_MODE_SUFFIX = re.compile(r"^(?P<name>.*?)[\s/／、,，]*[（(]?\s*(?P<mode>终审|初审)\s*[)）]?$")


def officer_cell(inclusion: str, officer_name: str | None, mode: str | None) -> str:
    """The 首席服务员 cell: ``姓名（终审）`` for a 纳入 item, empty otherwise."""
    if inclusion != rules.INCLUDED:
        return ""
    name = officer_name or UNASSIGNED
    return f"{name}（{mode}）" if mode else name


def parse_officer_cell(value) -> tuple[str, str | None]:
    """(officer name or "", mode or None) from a 首席服务员 cell; 未指定 reads as no officer."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", "" if value is None else str(value)))
    mode = None
    match = _MODE_SUFFIX.match(text)
    if match:
        text, mode = match.group("name"), match.group("mode")
    if text == UNASSIGNED:
        text = ""
    return text, mode


def reason_cell(inclusion: str, reason: str | None, note: str | None) -> str:
    """The 未纳入原因 cell: ``原因：说明`` for a 未纳入 item, empty otherwise."""
    if inclusion != rules.EXCLUDED or not reason:
        return ""
    return f"{reason}：{note}" if note else reason


# Each reason as typed: spaces between its characters (copied from a PDF) are allowed. Longest first,
# so that a reason that begins like another is not cut short.
_REASON_PREFIXES = tuple((reason, re.compile(r"\s*".join(map(re.escape, reason))))
                         for reason in sorted(rules.REASONS, key=len, reverse=True))
_REASON_SEPARATORS = "：:；;，,、-—"


def parse_reason_cell(value) -> tuple[str | None, str]:
    """(reason, explanation) from a 未纳入原因 cell; reason None when the cell names none of the four.

    The category and the explanation share the cell as clerks write them: ``涉密：说明`` (the export's
    own form), ``涉密:说明``, ``涉密，说明``, ``涉密 说明`` or ``涉密（说明）``."""
    text = "" if value is None else str(value).strip()
    if not text:
        return None, ""
    for reason, prefix in _REASON_PREFIXES:
        match = prefix.match(text)
        if match:
            rest = text[match.end():]
            if rest[:1] in ("：", ":"):  # the export's own form: exactly one colon, the rest is the explanation
                return reason, rest[1:].strip()
            rest = rest.strip()
            if rest[:1] in ("（", "(") and rest[-1:] in ("）", ")"):
                return reason, rest[1:-1].strip()
            return reason, rest.lstrip(_REASON_SEPARATORS + " \u3000").strip()
    return None, text


# The fields an attachment-1 row is made of: build() takes each row as a tuple of these, as city_rows()
# reads them from the cursor.
FIELDS = ("department_name", "item_name", "sub_item_name", "item_type", "inclusion", "officer_name", "mode",
          "reason", "reason_note")


def fields_of(row: dict, department_name: str) -> tuple:
    """An item's or a list row's values (service.as_dict) as a tuple of FIELDS."""
    return (department_name, *[row.get(name) for name in FIELDS[1:]])


def cells(seq: int, department_name, item_name, sub_item_name, item_type, inclusion, officer_name, mode,
          reason, reason_note) -> list:
    """The eight cells of one 办理项, from its FIELDS."""
    return [seq, department_name or "", item_name, sub_item_name, item_type, inclusion,
            officer_cell(inclusion, officer_name, mode), reason_cell(inclusion, reason, reason_note)]


def build(rows: Iterable, *, day: dt.date, unit: str | None = None, city: bool = False,
          stream: bool = False) -> bytes:
    """The attachment-1 workbook of ``rows`` (each a tuple of FIELDS).

    ``unit`` is the 填报单位 of a department's list; ``city`` marks the city-wide export of every
    department's latest approved list.
    """
    with workbook(constant_memory=stream) as (wb, buffer):
        sheet = wb.add_worksheet(ATTACHMENT)
        attachment = wb.add_format({"font_size": 12, "font_name": "黑体", "valign": "vcenter"})
        title = wb.add_format({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter",
                               "font_name": "宋体"})
        info = wb.add_format({"font_size": 11, "valign": "vcenter"})
        info_right = wb.add_format({"font_size": 11, "valign": "vcenter", "align": "right"})
        head = wb.add_format({"bold": True, "border": 1, "text_wrap": True, "align": "center",
                              "valign": "vcenter", "bg_color": "#D9E1F2"})
        cell = wb.add_format({"border": 1, "text_wrap": True, "valign": "vcenter"})
        center = wb.add_format({"border": 1, "text_wrap": True, "valign": "vcenter", "align": "center"})
        note = wb.add_format({"text_wrap": True, "valign": "top", "font_size": 10})

        last_col = len(HEADER) - 1
        sheet.write_string(0, 0, ATTACHMENT, attachment)
        sheet.merge_range(1, 0, 1, last_col, TITLE, title)
        sheet.set_row(1, 32)
        date_text = f"{day.year}年{day.month}月{day.day}日"
        if city:
            sheet.merge_range(2, 0, 2, 4, "汇总范围：全市各部门最新审核通过（公示）的清单", info)
            sheet.merge_range(2, 5, 2, last_col, f"导出日期：{date_text}", info_right)
        else:
            sheet.merge_range(2, 0, 2, 4, f"填报单位：{unit or ''}", info)
            sheet.merge_range(2, 5, 2, last_col, f"填报日期：{date_text}", info_right)
        for col, label in enumerate(HEADER):
            sheet.write_string(HEADER_ROW, col, label, head)
        sheet.set_row(HEADER_ROW, 36)
        for col, width in enumerate(WIDTHS):
            sheet.set_column(col, col, width)

        r = HEADER_ROW
        # Each cell once, the short columns centred as in the template. A province has 400,000 cells:
        # the loop binds what it calls to locals and dispatches on the value inline.
        formats = tuple(center if col in (0, 4, 5) else cell for col in range(len(HEADER)))
        write_blank, write_number, write_string = sheet.write_blank, sheet.write_number, sheet.write_string
        # 序号 counts each department's rows from 1, as its own list, review page and public page do.
        seq, department = 0, object()
        for row in rows:
            r += 1
            if row[0] != department:
                seq, department = 0, row[0]
            seq += 1
            for col, value in enumerate(cells(seq, *row)):
                if value is None or value == "":
                    write_blank(r, col, None, formats[col])
                elif isinstance(value, str):
                    write_string(r, col, value if value[:1] != "'" else xlsx_text(value), formats[col])
                elif isinstance(value, (int, float)) and not isinstance(value, bool):
                    write_number(r, col, value, formats[col])
                else:
                    write_string(r, col, xlsx_text(str(value)), formats[col])
        r += 2  # a blank row, then the note, as in the template
        sheet.merge_range(r, 0, r, last_col, NOTE, note)
        sheet.set_row(r, 30)

        sheet.freeze_panes(HEADER_ROW + 1, 0)
        sheet.repeat_rows(HEADER_ROW)
        sheet.set_landscape()
        sheet.set_paper(9)  # A4
        sheet.fit_to_pages(1, 0)
        sheet.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    return buffer.getvalue()

