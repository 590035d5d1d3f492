"""Reading a department's list from an uploaded attachment-1 workbook (附件1 导入).

Two steps, neither of which writes anything:

1. ``read_workbook(data, max_rows)`` finds the attachment-1 header in the workbook (line breaks, spaces
   and full-width brackets inside the header cells, a title row, a 填报单位 line and empty rows are all
   tolerated) and returns the data rows with their Excel row numbers. A file that cannot be read, has no
   such header, or holds more than ``max_rows`` rows is refused whole with ``FileRefused``.
2. ``plan(rows, ...)`` checks every row with the same rules as the page (rules.check_item), matches rows
   to the department's existing items by (事项名称, 办理项名称) so that a re-import updates instead of
   duplicating, and returns either the errors (row, column, reason in Chinese) or what to write.

The cell formats shared with the export (首席服务员 ``姓名（终审）``, 未纳入原因 ``原因：说明``) are described
in portal/exports/attachment1.py. Text that the export protected from being read as a formula (a leading
apostrophe before = + - @) is read back without the apostrophe.
"""
from __future__ import annotations

import datetime as dt
import functools
import gc
import io
import re
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass, field
from xml.etree.ElementTree import iterparse

# Loaded with the module rather than on first use: loading openpyxl takes ~60 ms, which the first list
# import after a worker starts would otherwise pay.
from openpyxl.cell.text import Text
from openpyxl.reader.excel import ExcelReader
from openpyxl.utils.cell import column_index_from_string, coordinate_to_tuple
from openpyxl.utils.datetime import from_excel, from_ISO8601
from openpyxl.xml.constants import SHARED_STRINGS, SHEET_MAIN_NS

from . import rules
from .exports import FORMULA_START
from .exports.attachment1 import HEADER, parse_officer_cell, parse_reason_cell
from .uploads import EntityGuard, UploadError

# Column keys, in the order of attachment 1's header.
COLUMNS = ("seq", "department", "item_name", "sub_item_name", "item_type", "inclusion", "officer", "reason")
LABELS = dict(zip(COLUMNS, HEADER))
LABELS["inclusion"] = "是否纳入"  # the full header is too long for an error list
REQUIRED = ("item_name", "sub_item_name", "item_type", "inclusion", "officer", "reason")
HEADER_SCAN_ROWS = 30
_SPACES = re.compile(r"\s+")
INCLUSION_ALIASES = {"是": rules.INCLUDED, "否": rules.EXCLUDED}
# Which column a rules.check_item error belongs to.
FIELD_COLUMNS = {"item_name": "item_name", "sub_item_name": "sub_item_name", "item_type": "item_type",
                 "inclusion": "inclusion", "reason": "reason", "reason_note": "reason",
                 "officer_id": "officer", "mode": "officer", "legal_days": "item_name",
                 "promised_days": "item_name"}


class FileRefused(UploadError):
    """The whole file is refused (unreadable, not attachment 1, too many rows), with the reason."""


@dataclass
class SheetRow:
    line: int  # the row number Excel shows
    cells: dict  # column key → text


@dataclass
class RowError:
    line: int
    column: str  # Chinese column label
    message: str


@dataclass
class Plan:
    """What an import would do: errors (then nothing is written) or the rows to create and update."""

    errors: list[RowError] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)  # each: line, fields, item_id (None → new)
    defaulted_modes: list[int] = field(default_factory=list)  # lines of 纳入 rows given 终审 for want of a mode

    @property
    def ok(self) -> bool:
        return not self.errors


def header_key(value) -> str | None:
    """Which attachment-1 column a header cell names, ignoring spaces, line breaks and bracketed notes."""
    if value is None:
        return None
    text = unicodedata.normalize("NFKC", str(value))  # full-width （） become ()
    text = re.sub(r"\s+", "", text)
    text = re.sub(r"[(\[【〔].*?[)\]】〕]", "", text)
    text = text.strip("*＊:：")
    if not text:
        return None
    if text == "序号":
        return "seq"
    if text in ("实施部门", "实施主体", "实施机关", "部门", "单位"):
        return "department"
    if text in ("事项名称", "主项名称"):
        return "item_name"
    if text in ("办理项名称", "子项名称", "办理项"):
        return "sub_item_name"
    if text == "事项类型":
        return "item_type"
    if text.startswith("是否纳入"):
        return "inclusion"
    if text.startswith("首席服务员"):
        return "officer"
    if text.startswith(("未纳入原因", "未纳入理由", "不纳入原因")):
        return "reason"
    return None


def cell_text(value) -> str:
    """A cell as text: integral floats without '.0', dates as ISO, a formula guard apostrophe dropped."""
    if type(value) is str:  # nearly every cell: tested first (a list has tens of thousands)
        if value[:1] == "'" and value[1:2] in FORMULA_START:
            value = value[1:]
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.date, dt.datetime)):
        return value.strftime("%Y-%m-%d")
    text = str(value)
    if text.startswith("'") and text[1:2] in FORMULA_START:
        text = text[1:]
    return text.strip()


def _find_header(row_values) -> dict[int, str] | None:
    found: dict[int, str] = {}
    for index, value in enumerate(row_values):
        key = header_key(value)
        if key and key not in found.values():
            found[index] = key
    keys = set(found.values())
    return found if {"item_name", "sub_item_name"} <= keys else None


def read_workbook(data: bytes, max_rows: int) -> list[SheetRow]:
    """The data rows of an attachment-1 workbook (already passed uploads.check_upload)."""
    with _collector_paused():
        return _read_workbook(data, max_rows)


@contextmanager
def _collector_paused():
    """Python's cyclic garbage collector, paused while a workbook is read.

    Why: reading makes and drops an XML element per cell and value, hundreds of thousands of objects
    in a few tenths of a second, which sets the collector off again and again, several times over the
    whole heap of the process, to find nothing (reference counting frees all of it): a tenth of the
    time of an import. The switch is process-wide, so it is turned back on only by whoever turned it
    off; a thread reading meanwhile finds it off and leaves it."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _read_workbook(data: bytes, max_rows: int) -> list[SheetRow]:
    try:
        wb = load_workbook(data)
    except Exception as exc:  # openpyxl raises many kinds of error on a damaged file
        raise FileRefused("无法读取该 Excel 文件，文件可能已损坏或不是有效的 .xlsx 文件。") from exc
    try:
        for sheet in wb.worksheets:
            rows = _read_sheet(sheet_values(wb, sheet), max_rows)
            if rows is not None:
                return rows
    except FileRefused:
        raise
    except Exception as exc:
        raise FileRefused("读取 Excel 文件时出错，文件可能已损坏。") from exc
    finally:
        wb.close()
    raise FileRefused("文件中未找到附件1的表头（序号、实施部门、事项名称、办理项名称、事项类型、是否纳入首席服务员审批服务清单、"
                      "首席服务员、未纳入原因）。请使用附件1模板或本平台导出的清单。")


def _read_sheet(rows, max_rows: int) -> list[SheetRow] | None:
    columns = None
    out: list[SheetRow] = []
    # A sheet of formatted but empty rows can be huge; stop well before it costs the server.
    scan_limit = max(max_rows * 2, max_rows + 1000)
    for line, values in enumerate(rows, start=1):
        if columns is None:
            if line > HEADER_SCAN_ROWS:
                return None
            columns = _find_header(values)
            if columns is not None:
                missing = [HEADER[COLUMNS.index(k)] for k in REQUIRED if k not in columns.values()]
                if missing:
                    raise FileRefused(f"第{line}行的表头缺少以下列：{'、'.join(missing)}。请使用附件1模板的表头。")
                # Each key with its cell's place in a row, for the rows below (five thousand of them).
                places = list(columns.items())
            continue
        if line > scan_limit:
            raise _too_many(max_rows)
        width = len(values)
        cells = {key: cell_text(values[i]) if i < width else "" for i, key in places}
        if not any(cells.values()):
            continue
        if not cells.get("sub_item_name") and _is_note(values):
            continue
        out.append(SheetRow(line, cells))
        if len(out) > max_rows:
            raise _too_many(max_rows)
    return out if columns is not None else None


# --- reading a workbook faster than openpyxl does ------------------------------------------------
#
# openpyxl's read-only mode parses a sheet's XML and its shared strings through defusedxml's pure-Python
# parser and builds an object per cell and per string: reading a 5,000-row list took longer than
# checking and writing it. The functions below give the very same values (tests/test_import_fast_paths.py
# compares them with openpyxl's on every kind of cell) from the standard library's C parser, with
# openpyxl's own conversions, in about half the time; openpyxl still reads the rest of the workbook
# (its sheets, styles and date formats). What defusedxml was there for, the parts parsed here get from
# uploads.EntityGuard: a DTD or an entity declaration is refused as the part is read, before the
# parser can expand anything.

_MAIN = "{%s}" % SHEET_MAIN_NS
_ROW, _VALUE, _INLINE, _STRING, _TEXT = (_MAIN + tag for tag in ("row", "v", "is", "si", "t"))


def load_workbook(data: bytes):
    """openpyxl.load_workbook(…, read_only=True, data_only=True), its shared strings read faster."""
    reader = _WorkbookReader(io.BytesIO(data), read_only=True, data_only=True)
    reader.read()
    return reader.wb


class _WorkbookReader(ExcelReader):
    """openpyxl's reader of a workbook, but for the shared strings (see _shared_strings)."""

    def read_strings(self):
        # As ExcelReader.read_strings finds the table.
        part = self.package.find(SHARED_STRINGS)
        if part is not None:
            with self.archive.open(part.PartName[1:]) as source:
                self.shared_strings = _shared_strings(source)


def _shared_strings(source) -> list[str]:
    """The shared strings as openpyxl's read_string_table reads them (a rich text as its runs' text,
    phonetic guides left out, "x005F_" removed); the usual string of one run without openpyxl's objects."""
    strings = []
    for _, node in iterparse(EntityGuard(source)):
        if node.tag == _STRING:
            if len(node) == 1 and node[0].tag == _TEXT:
                text = node[0].text or ""
            else:
                text = Text.from_tree(node).content
            strings.append(text.replace("x005F_", ""))
            node.clear()
    return strings


def sheet_values(wb, sheet):
    """The rows of a read-only sheet as tuples of values, exactly as ``sheet.iter_rows(values_only=True)``
    yields them: missing rows and cells as None, cut to the dimension the sheet states (openpyxl's
    ReadOnlyWorksheet._cells_by_row and _get_row, whose logic this follows line for line)."""
    max_col, max_row = sheet.max_column, sheet.max_row
    empty = (None,) * max_col if max_col is not None else ()
    counter = idx = 1
    for idx, cells in _parsed_rows(wb, sheet):
        if max_row is not None and idx > max_row:
            break
        for _ in range(counter, idx):  # rows the file leaves out
            counter += 1
            yield empty
        if counter <= idx:
            counter += 1
            if not cells and not max_col:
                yield ()
                continue
            width = max_col or cells[-1][0]
            row = [None] * width
            for column, value in cells:
                if 1 <= column <= width:
                    row[column - 1] = value
            yield tuple(row)
    if max_row is not None and max_row < idx:
        for _ in range(counter, max_row + 1):
            yield empty


def _parsed_rows(wb, sheet):
    """(row number, [(column, value) …]) for each <row> of the sheet's XML, values converted as
    openpyxl's WorkSheetParser.parse_row and parse_cell convert them with data_only=True (a formula's
    cached result, not the formula)."""
    # Private to openpyxl, but the very values its own reader is given (see ReadOnlyWorksheet).
    strings, date_formats, timedelta_formats = sheet._shared_strings, wb._date_formats, wb._timedelta_formats
    epoch = wb.epoch
    number = 0
    with sheet._get_source() as source:
        for _, element in iterparse(EntityGuard(source)):
            if element.tag != _ROW:
                continue
            ref = element.get("r")
            if ref is None:
                number += 1
            else:
                try:
                    number = int(ref)
                except ValueError:
                    as_float = float(ref)
                    if not as_float.is_integer():
                        raise ValueError(f"{ref} is not a valid row number") from None
                    number = int(as_float)
            column = 0
            cells = []
            for cell in element:
                ref = cell.get("r")
                column = _column(ref) if ref else column + 1
                kind = cell.get("t", "n")
                if kind == "inlineStr":
                    child = cell.find(_INLINE)
                    cells.append((column, Text.from_tree(child).content if child is not None else None))
                    continue
                value = cell.findtext(_VALUE) or None
                if value is None:
                    pass
                elif kind == "s":  # nearly every cell of a list
                    value = strings[int(value)]
                elif kind == "n":
                    value = float(value) if "." in value or "E" in value or "e" in value else int(value)
                    style = cell.get("s", 0)
                    if style:
                        style = int(style)
                    if style in date_formats:
                        try:
                            value = from_excel(value, epoch, timedelta=style in timedelta_formats)
                        except (OverflowError, ValueError):
                            value = "#VALUE!"  # a date out of range: an error cell, as openpyxl reads it
                elif kind == "b":
                    value = bool(int(value))
                elif kind == "d":
                    value = from_ISO8601(value)
                cells.append((column, value))
            element.clear()
            yield number, cells


def _column(ref: str) -> int:
    """The column of a cell reference ("AB12" → 28) as openpyxl's coordinate_to_tuple finds it, with
    the letters' column looked up once per sheet column instead of worked out for each of its cells."""
    letters = ref.rstrip("0123456789")
    if letters == ref or not letters.isalpha():  # not letters then a row number: openpyxl decides
        return coordinate_to_tuple(ref)[1]
    return _column_of_letters(letters)


@functools.lru_cache(maxsize=None)  # (letters that name no column raise, and are not kept)
def _column_of_letters(letters: str) -> int:
    return column_index_from_string(letters)


def _too_many(max_rows: int) -> FileRefused:
    return FileRefused(f"文件的数据超过 {max_rows} 行（单次导入的上限），未导入任何数据。请拆分为多个文件分批导入。")


def _is_note(values) -> bool:
    """Whether a row without a 办理项名称 is the note under the table (注：事项类型包括……), not an item."""
    first = next((cell_text(v) for v in values if cell_text(v)), "")
    return unicodedata.normalize("NFKC", first).startswith("注:")


def _bare_department(s: str) -> str:
    s = _SPACES.sub("", s or "")
    return s.removeprefix("赤壁市").removeprefix("市")


def _same_department(cell: str, name: str, short_name: str) -> bool:
    value = _bare_department(cell)
    return not value or value in {_bare_department(name), _bare_department(short_name)}


def _per_value(fn):
    """`fn` of one cell, each different value worked out once: a column such as 实施部门, 首席服务员
    or 未纳入原因 holds a handful of values over thousands of rows. For the length of one import."""
    results: dict = {}

    def cached(value):
        if value not in results:
            results[value] = fn(value)
        return results[value]

    return cached


def plan(rows: list[SheetRow], *, department_name: str, short_name: str, officers: list[tuple[int, str]],
         existing: dict[tuple[str, str], dict]) -> Plan:
    """Checks every row and decides, for each, whether it creates a new item or updates one.

    ``officers`` are the department's serving officers (id, 姓名); ``existing`` maps each of its items'
    (事项名称, 办理项名称) — retired ones included — to {"id", "mode"}.
    """
    result = Plan()
    if not rows:
        result.errors.append(RowError(0, "文件", "文件中没有事项数据（表头下方是空的）。"))
        return result
    by_name: dict[str, list[int]] = {}
    for officer_id, name in officers:
        by_name.setdefault(_SPACES.sub("", name), []).append(officer_id)
    officer_ids = {officer_id for officer_id, _ in officers} or None
    seen: dict[tuple[str, str], int] = {}
    same_department = _per_value(lambda cell: _same_department(cell, department_name, short_name))
    officer_cell = _per_value(parse_officer_cell)
    reason_cell = _per_value(parse_reason_cell)
    no_spaces = _per_value(lambda cell: _SPACES.sub("", cell))

    for row in rows:
        c = row.cells
        errors: dict[str, str] = {}
        item_name = rules.normalize_text(c.get("item_name"))
        sub_item_name = rules.normalize_text(c.get("sub_item_name"))
        item_type = no_spaces(c.get("item_type", ""))
        inclusion = no_spaces(c.get("inclusion", ""))
        inclusion = INCLUSION_ALIASES.get(inclusion, inclusion)
        key = (item_name, sub_item_name)
        current = existing.get(key)

        if not same_department(c.get("department", "")):
            errors["department"] = f"实施部门「{c.get('department')}」不是本部门（{department_name}）"

        officer_id = mode = reason = None
        reason_note = ""
        defaulted = False
        if inclusion == rules.INCLUDED:
            name, mode = officer_cell(c.get("officer"))
            if name:
                matches = by_name.get(name, [])
                if len(matches) == 1:
                    officer_id = matches[0]
                elif len(matches) > 1:
                    errors["officer"] = f"本部门有多名在任首席服务员名为「{name}」，请导入后在页面上逐项指定"
                else:
                    errors["officer"] = f"「{name}」不是本部门在任的首席服务员"
            if mode is None:
                mode = (current or {}).get("mode") or rules.FINAL
                defaulted = not (current or {}).get("mode")
        elif inclusion == rules.EXCLUDED:
            reason, reason_note = reason_cell(c.get("reason"))
            if reason is None and c.get("reason"):
                errors["reason"] = ("未纳入原因须以" + "、".join(rules.REASONS) + "之一开头，后接具体说明，"
                                    "如「涉密：事项办理涉及国家秘密」")

        fields = {"item_name": item_name, "sub_item_name": sub_item_name, "item_type": item_type,
                  "inclusion": inclusion, "officer_id": officer_id, "mode": mode, "reason": reason,
                  "reason_note": reason_note}
        for name, message in rules.check_item(fields, officer_ids=officer_ids).items():
            column = FIELD_COLUMNS.get(name, "item_name")
            errors.setdefault(column, message)
        if item_name and sub_item_name and key in seen and "sub_item_name" not in errors:
            errors["sub_item_name"] = f"与第{seen[key]}行的事项名称、办理项名称相同（同一办理项只能出现一次）"
        seen.setdefault(key, row.line)

        if errors:
            result.errors.extend(RowError(row.line, LABELS[column], errors[column])
                                 for column in COLUMNS if column in errors)
            continue
        seq_text = c.get("seq", "")
        result.rows.append({
            "line": row.line,
            "item_id": current["id"] if current else None,
            "fields": {
                "seq": int(seq_text) if seq_text.isascii() and seq_text.isdigit() else None,
                "item_name": item_name, "sub_item_name": sub_item_name, "item_type": item_type,
                "inclusion": inclusion, "officer": officer_id, "mode": mode, "reason": reason,
                "reason_note": reason_note,
            },
        })
        if defaulted:
            result.defaulted_modes.append(row.line)
    return result
