"""Reading a department's list from an uploaded attachment-1 workbook (附件1 导入).

Two steps, neither of which writes anything:

1. ``read_workbook(data, max_rows)`` finds the attachment-1 header in the workbook and returns the data
   rows with their Excel row numbers; ``read_sheets`` does the same for every sheet of a city-wide
   workbook. The plan's own template filled in by hand is read as it is: the 附件1 row, the merged title,
   a 填报单位 line, a header whose cells wrap (line breaks, spaces, full-width brackets, a header over two
   rows), blank rows, section rows (一、行政许可), and the template's note under the table are all
   recognised and skipped (``is_not_an_item``). A file that cannot be read, has no such header, or holds
   more than ``max_rows`` rows is refused whole with ``FileRefused``.
2. ``plan(rows, ...)`` checks every row with the same rules as the page (rules.check_item), matches rows
   to the department's existing items by (事项名称, 办理项名称) — ignoring every space, so that a name
   copied from a PDF with a stray space still matches — so that a re-import updates instead of
   duplicating, and returns either the errors (row, column, reason in Chinese) or what to write, with
   each row's place in the file's order (``arrange`` turns that into the list's order).

The cell formats shared with the export (首席服务员 ``姓名（终审）``, 未纳入原因 ``原因：说明``) are described
in portal/files/attachment1.py. Text that the export protected from being read as a formula (a leading
apostrophe before = + - @) is read back without the apostrophe.

序号 in a file only orders the rows: the number every page shows is an item's place in its department's
current list. A file whose rows are in the list's order changes no item's order, however it numbers them
(an export numbers 1…N, a hand-made list may number in any way).
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
from openpyxl.utils.cell import column_index_from_string, coordinate_to_tuple, range_boundaries
from openpyxl.utils.datetime import from_excel, from_ISO8601
from openpyxl.xml.constants import SHARED_STRINGS, SHEET_MAIN_NS

from .. import rules
from ..forms import TextProblem, clean_text
from . import guarded
from .attachment1 import ATTACHMENT, HEADER, NOTE, OLD_NOTE, TITLE, parse_officer_cell, parse_reason_cell
from ..uploads import EntityGuard, UploadError

# Column keys, in the order of attachment 1's header.
COLUMNS = ("seq", "department", "item_name", "sub_item_name", "item_type", "inclusion", "officer", "reason")
LABELS = dict(zip(COLUMNS, HEADER))
LABELS["inclusion"] = "是否纳入"  # the full header is too long for an error list
REQUIRED = ("item_name", "sub_item_name", "item_type", "inclusion", "officer", "reason")
HEADER_SCAN_ROWS = 30
# How many columns of a sheet are read. The table has eight and a clerk's sheet a few more (备注, 联系电话 …);
# one formatted cell far to the right (a border drawn on a whole row) makes the sheet as wide as Excel
# allows, 16,384 columns, which read in full would cost gigabytes for a long list.
MAX_COLUMNS = 64
_SPACES = re.compile(r"\s+")
# What clerks type in 是否纳入, once full-width forms are folded (NFKC), spaces removed and letters
# lower-cased. A blank cell is 待定.
INCLUSION_ALIASES = {
    **{text: rules.INCLUDED for text in ("是", "纳入", "已纳入", "√", "✓", "✔", "☑", "y", "yes")},
    **{text: rules.EXCLUDED for text in ("否", "未纳入", "不纳入", "×", "✗", "✘", "x", "n", "no")},
    **{text: rules.PENDING for text in ("", "待定")},
}
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
    sheet: str = ""  # the sheet's name


@dataclass
class Sheet:
    """One sheet of a workbook that holds an attachment-1 table."""

    title: str
    unit: str  # the 填报单位 named above the header, "" when there is none
    rows: list[SheetRow]


@dataclass
class RowError:
    line: int
    column: str  # Chinese column label
    message: str
    sheet: str = ""


@dataclass
class Plan:
    """What an import would do: errors (then nothing is written) or the rows to create and update."""

    errors: list[RowError] = field(default_factory=list)
    # each: line, fields, item_id (None → new), order (the row's place in the file's order)
    rows: list[dict] = field(default_factory=list)
    defaulted_modes: list[int] = field(default_factory=list)  # lines of 纳入 rows given 终审 for want of a mode
    # lines of 纳入 rows without an officer, given the department's only serving officer (officer_default)
    defaulted_officers: list[int] = field(default_factory=list)
    officer_default: str = ""
    spaced_names: list[tuple[int, str, str]] = field(default_factory=list)  # (line, column, name) with a space inside
    bidi_lines: list[int] = field(default_factory=list)  # lines whose text lost bidi control characters

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
    """A cell as text: integral floats without '.0', dates as ISO, the formula guard apostrophe dropped:
    exactly one apostrophe before = + - @ (files.csv_text and xlsx_text put it there)."""
    if type(value) is str:  # nearly every cell: tested first (a list has tens of thousands)
        if value[:1] == "'" and guarded(value[1:]):
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
    if text[:1] == "'" and guarded(text[1:]):
        text = text[1:]
    return text.strip()


def item_type_value(text: str) -> str:
    """事项类型 as clerks type it: the label itself, with 类/事项 after it (行政许可类), or without 行政
    (许可), or 其他权力 for 其他行政权力; anything else is returned as typed (without spaces), and refused
    by rules.check_item with the list of the seven labels."""
    key = _SPACES.sub("", unicodedata.normalize("NFKC", text or ""))
    if key in rules.ITEM_TYPES:
        return key
    bare = key.removesuffix("事项").removesuffix("类")
    for label in rules.ITEM_TYPES:
        if bare in (label, label.removeprefix("行政")) or (label == "其他行政权力" and bare in ("其他权力", "其他行政权力类")):
            return label
    return key


def inclusion_value(text: str) -> str:
    """是否纳入 as the portal stores it (纳入 / 未纳入 / 待定) from what a clerk typed: 是/否, 纳入/未纳入,
    √/×, Y/N, with spaces and full-width forms; a blank cell is 待定. Anything else is returned as typed
    (and refused by the rules, naming the allowed values)."""
    key = _SPACES.sub("", unicodedata.normalize("NFKC", text or "")).lower()
    return INCLUSION_ALIASES.get(key, text)


def _find_header(row_values) -> dict[int, str] | None:
    found: dict[int, str] = {}
    for index, value in enumerate(row_values):
        key = header_key(value)
        if key and key not in found.values():
            found[index] = key
    keys = set(found.values())
    return found if {"item_name", "sub_item_name"} <= keys else None


# --- rows that are not items ---------------------------------------------------------------------

def _folded(text: str) -> str:
    return _SPACES.sub("", unicodedata.normalize("NFKC", text))


_NOTES = {_folded(NOTE), _folded(OLD_NOTE)}
_TITLES = {_folded(TITLE), _folded(TITLE + "(模板)"), _folded(ATTACHMENT), "附件", "附件一"}
# A line of the form around the table: who filled it in, when, who checked it (填报单位（盖章）：…).
_FORM_LABELS = ("填报单位", "填报日期", "填报时间", "填报人", "填表人", "填表日期", "制表人", "制表日期", "联系人",
                "联系电话", "审核人", "单位负责人", "负责人", "分管领导")
_FORM_LINE = re.compile(r"^(?:%s)(?:\([^)]*\))?:" % "|".join(_FORM_LABELS))


def _is_note_or_form_line(text: str, loose: bool = True) -> bool:
    """Whether a cell's text is the note under the table (the template's, or the portal's own 注：…), the
    附件1 mark, the title, or a 填报单位 / 填报日期 … line. ``loose``: also a label without its colon, and
    the note however retyped (for a row without names, which cannot be an item anyway)."""
    folded = _folded(text)
    if not folded or folded in _NOTES or folded in _TITLES or _FORM_LINE.match(folded):
        return True
    if folded.startswith(("注:", "说明:", "备注:", "填表说明")):
        return True
    if not loose:
        return False
    if folded.startswith(("(包含", "包含")) and "事项" in folded:  # the template's note, however it was retyped
        return True
    return folded.startswith(_FORM_LABELS)


def is_not_an_item(values, cells: dict, first_column: int) -> bool:
    """Whether a row under the header is not an item, and is skipped: a row without 事项名称 and 办理项名称
    that holds text only in its first cell (the note, a section such as 一、行政许可, a 序号 numbered
    ahead of the rows), nothing but 序号 and 实施部门 (rows prepared ahead), or only the note, the title, 附件1 or 填报单位 / 填报日期 lines (which may fall in
    any column, the names' too). A row with any other value but no names is an item with errors, so
    that no filled-in row is dropped unseen."""
    texts = [(index, cell_text(value)) for index, value in enumerate(values)]
    texts = [(index, text) for index, text in texts if text]
    if not texts:
        return True
    if cells.get("item_name") or cells.get("sub_item_name"):
        return all(_is_note_or_form_line(text, loose=False) for _, text in texts)
    if len(texts) == 1 and texts[0][0] <= first_column:
        return True
    if not any(value for key, value in cells.items() if key not in ("seq", "department")):
        return True  # a row of the template numbered, and its department filled in, ahead of its item
    return all(_is_note_or_form_line(text) for _, text in texts)


def _is_form_row(cells: dict) -> bool:
    """A cheap first test, on every row with names, of whether the row might be a form line: a name
    cell that begins like one (a 联系电话：… that fell into the 办理项名称 column)."""
    return any(cells[key][:2] in _FORM_STARTS for key in ("item_name", "sub_item_name") if cells[key])


_FORM_STARTS = {label[:2] for label in _FORM_LABELS} | {"注：", "注:", "说明", "备注", "附件", "赤壁", "（包", "(包"}


def _continues_header(values, columns: dict[int, str]) -> bool:
    """Whether the row just under the header is the header's second line (a header over two rows: 是否纳入
    首席服务员 above, 审批服务清单 below): every text in it is part of its column's header, or a bracketed note."""
    texts = [(index, cell_text(value)) for index, value in enumerate(values)]
    texts = [(index, _folded(text)) for index, text in texts if text]
    if not texts:
        return False
    for index, text in texts:
        key = columns.get(index)
        if key is None:
            return False
        label = _folded(HEADER[COLUMNS.index(key)])
        if not (text in label or header_key(text) == key or re.fullmatch(r"[(\[【〔].*[)\]】〕]", text)):
            return False
    return True


_UNIT = re.compile(r"填报单位[^:：]*[:：](?P<unit>.*?)(?:填报(?:日期|时间).*)?$")


def _unit_of(values) -> str:
    """The 填报单位 a line above the header names (填报单位（盖章）：赤壁市公安局), or ""."""
    for value in values:
        text = cell_text(value)
        if "填报单位" in text:
            match = _UNIT.search(_SPACES.sub(" ", text))
            if match:
                return match.group("unit").strip(" ：:")
    return ""


# --- reading -------------------------------------------------------------------------------------

def read_workbook(data: bytes, max_rows: int) -> list[SheetRow]:
    """The data rows of an attachment-1 workbook (already passed uploads.check_upload): those of its
    first sheet that holds the attachment-1 header."""
    return read_sheets(data, max_rows, first_only=True)[0].rows


def read_sheets(data: bytes, max_rows: int, first_only: bool = False) -> list[Sheet]:
    """Every sheet of a workbook that holds an attachment-1 table (a city-wide workbook: one sheet, or
    one per department), ``max_rows`` data rows in all."""
    with _collector_paused():
        return _read_sheets(data, max_rows, first_only)


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


def _read_sheets(data: bytes, max_rows: int, first_only: bool) -> list[Sheet]:
    try:
        wb = load_workbook(data)
    except Exception as exc:  # openpyxl raises many kinds of error on a damaged file
        raise FileRefused("无法读取该 Excel 文件，文件可能已损坏或不是有效的 .xlsx 文件。") from exc
    sheets: list[Sheet] = []
    try:
        read = 0
        for worksheet in wb.worksheets:
            merges: list[str] = []
            values = sheet_values(wb, worksheet, merges, max_width=MAX_COLUMNS)
            sheet = _read_sheet(values, max_rows - read, worksheet.title, max_rows,
                                merges)
            if sheet is not None:
                sheets.append(sheet)
                read += len(sheet.rows)
                if first_only:
                    break
    except FileRefused:
        raise
    except Exception as exc:
        raise FileRefused("读取 Excel 文件时出错，文件可能已损坏。") from exc
    finally:
        wb.close()
    if not sheets:
        raise FileRefused("文件中未找到附件1的表头（序号、实施部门、事项名称、办理项名称、事项类型、是否纳入首席服务员审批服务清单、"
                          "首席服务员、未纳入原因）。请使用附件1模板或本平台导出的清单。")
    return sheets


def _read_sheet(rows, max_rows: int, title: str = "", limit: int | None = None,
                merges: list[str] | None = None) -> Sheet | None:
    """The table of one sheet, or None when it has no attachment-1 header. ``max_rows``: how many data
    rows it may still hold; ``limit``: the file's limit, named when it is passed; ``merges``: the sheet's
    merged ranges ("C5:C7"), filled in by ``rows`` once it is read to the end (they follow the rows in
    the file), which are filled down over the table (``_fill_merged``)."""
    limit = max_rows if limit is None else limit
    columns = None
    unit = ""
    out: list[SheetRow] = []
    # Rows kept to be looked at: items, and the rows that are not (notes, section rows, the header again).
    scan_limit = max(limit * 2, limit + 1000)
    header_line = 0
    # The rows under the header, kept until the sheet's merged ranges are known (at its end).
    body: list[tuple[int, tuple]] = []
    for line, values in enumerate(rows, start=1):
        if columns is None:
            if line > HEADER_SCAN_ROWS:
                return None
            columns = _find_header(values)
            if columns is not None:
                missing = [HEADER[COLUMNS.index(k)] for k in REQUIRED if k not in columns.values()]
                if missing:
                    sheet = f"工作表“{title}”" if title else ""
                    raise FileRefused(f"{sheet}第{line}行的表头缺少以下列：{'、'.join(missing)}。请使用附件1模板的表头。")
                # Each key with its cell's place in a row, for the rows below (five thousand of them).
                places = list(columns.items())
                first_column = min(columns)
                header_line = line
            elif not unit:
                unit = _unit_of(values)
            continue
        # Rows with nothing in the table's columns are left out here: a template with borders drawn
        # down to row 65,536 (as old .xls templates were) holds a few dozen items, not 65,000 rows.
        width = len(values)
        if not any(values[i] is not None and values[i] != "" for i, _ in places if i < width):
            continue
        if len(body) >= scan_limit:
            raise _too_many(limit)
        body.append((line, values))
    if columns is None:
        return None
    if merges:
        body = _fill_merged(body, merges, header_line, skip=[i for i, key in places if key == "seq"])
    for line, values in body:
        width = len(values)
        cells = {key: cell_text(values[i]) if i < width else "" for i, key in places}
        if not any(cells.values()):
            continue
        if not cells["item_name"] and not cells["sub_item_name"]:
            if is_not_an_item(values, cells, first_column):
                continue
            if line == header_line + 1 and _continues_header(values, columns):
                continue
        elif (len(cells["item_name"]) < 12 and header_key(cells["item_name"]) == "item_name"
              and _find_header(values) is not None):
            continue  # the header again (a list printed page by page)
        elif _is_form_row(cells) and is_not_an_item(values, cells, first_column):
            continue
        out.append(SheetRow(line, cells, title))
        if len(out) > max_rows:
            raise _too_many(limit)
    return Sheet(title, unit, out)


def _fill_merged(body: list[tuple[int, tuple]], merges: list[str], header_line: int,
                 skip: list[int]) -> list[tuple[int, tuple]]:
    """The table's rows with each vertically merged cell's value in every row it spans.

    Clerks merge 事项名称 (and often 实施部门, 事项类型, 是否纳入, 首席服务员) down over the 办理项 of one
    item; the file holds the value in the range's top cell only, and the rows below would read as items
    without a name. Only ranges that start below the header are filled, down their first column, and
    never into 序号 (``skip``): a 办理项 without a 序号 keeps its place under the row above. A range merged
    across columns only (a note line over the whole width) stays in its first cell."""
    rows = {line: list(values) for line, values in body}
    for ref in merges:
        try:
            first_column, first_row, _, last_row = range_boundaries(ref)
        except (TypeError, ValueError):
            continue  # a range the file states wrongly: read as if it were not merged
        if first_row <= header_line or last_row <= first_row or first_column - 1 in skip:
            continue
        top = rows.get(first_row)
        index = first_column - 1
        if top is None or index >= len(top) or top[index] is None:
            continue
        for line in range(first_row + 1, last_row + 1):
            row = rows.get(line)
            if row is not None and index < len(row) and row[index] is None:
                row[index] = top[index]
    return [(line, tuple(rows[line])) for line, _ in body]


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
_ROW, _VALUE, _INLINE, _STRING, _TEXT, _MERGE = (_MAIN + tag for tag in ("row", "v", "is", "si", "t", "mergeCell"))


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


def sheet_values(wb, sheet, merges: list[str] | None = None, max_width: int | None = None):
    """The rows of a read-only sheet as tuples of values, exactly as ``sheet.iter_rows(values_only=True)``
    yields them: missing rows and cells as None, cut to the dimension the sheet states (openpyxl's
    ReadOnlyWorksheet._cells_by_row and _get_row, whose logic this follows line for line). The sheet's
    merged ranges, which openpyxl's read-only mode leaves out, are appended to ``merges`` when given.
    ``max_width`` cuts every row to that many columns (openpyxl has no such option)."""
    max_col, max_row = sheet.max_column, sheet.max_row
    if max_width is not None and max_col is not None:
        max_col = min(max_col, max_width)
    empty = (None,) * max_col if max_col is not None else ()
    counter = idx = 1
    for idx, cells in _parsed_rows(wb, sheet, merges):
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
            if max_width is not None:
                width = min(width, max_width)
            row = [None] * width
            for column, value in cells:
                if 1 <= column <= width:
                    row[column - 1] = value
            yield tuple(row)
    if max_row is not None and max_row < idx:
        for _ in range(counter, max_row + 1):
            yield empty


def _parsed_rows(wb, sheet, merges: list[str] | None = None):
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
                if element.tag == _MERGE and merges is not None and element.get("ref"):
                    merges.append(element.get("ref"))
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


# --- departments by name -------------------------------------------------------------------------

# Left out of a name before it is compared, in this order (湖北省咸宁市赤壁市公安局, 赤壁市公安局, 市公安局).
_PLACE_PREFIXES = ("湖北省", "咸宁市", "赤壁市", "市")


def department_key(text: str | None) -> str:
    """A department's name as 实施部门 is matched: spaces and full-width forms folded, the province's and
    the city's names in front left out, so that 赤壁市公安局, 公安局 and 市公安局 are one department."""
    key = _folded(text or "")
    for prefix in _PLACE_PREFIXES:
        key = key.removeprefix(prefix)
    return key


def department_keys(name: str, short_name: str) -> set[str]:
    """Every form of a department's name that 实施部门 may give: its full name, its short name, either
    without the city's name in front."""
    return {department_key(name), department_key(short_name)} - {""}


def _per_value(fn):
    """`fn` of one cell, each different value worked out once: a column such as 实施部门, 首席服务员
    or 未纳入原因 holds a handful of values over thousands of rows. For the length of one import."""
    results: dict = {}

    def cached(value):
        if value not in results:
            results[value] = fn(value)
        return results[value]

    return cached


# --- the plan of an import -----------------------------------------------------------------------

# A space next to a Chinese character inside a name: left there by copying from a PDF or Word file.
_SPACE_IN_NAME = re.compile(r"[\u3400-\u9fff（）]\s|\s[\u3400-\u9fff（）]")


def match_key(item_name: str, sub_item_name: str) -> tuple[str, str]:
    """(事项名称, 办理项名称) as rows are matched to items: without any space (易制毒化 学品 is 易制毒化学品)."""
    return _SPACES.sub("", item_name), _SPACES.sub("", sub_item_name)


def _seq_number(text: str) -> int | None:
    text = unicodedata.normalize("NFKC", text or "").strip()
    return int(text) if text.isascii() and text.isdigit() else None


def _clean_cell(text):
    """forms.clean_text of one cell (a cell may hold line breaks): (text, bidi removed) or (None, message)."""
    try:
        return clean_text(text, multiline=True)
    except TextProblem as problem:
        return None, str(problem)


def _cleaned_cells(cells: dict, cleaned, errors: dict) -> tuple[dict, bool]:
    """The row's cells through the input filter; a refused cell is an error of its column (and is
    left out). Returns (cells, whether bidi characters were removed)."""
    out, removed = {}, False
    for column, text in cells.items():
        if not text:
            out[column] = text
            continue
        value, note = cleaned(text)
        if value is None:
            errors[column] = note
            continue
        out[column] = value
        removed = removed or note
    return out, removed


def plan(rows: list[SheetRow], *, department_name: str, short_name: str, officers: list[tuple[int, str]],
         existing: dict[tuple[str, str], dict]) -> Plan:
    """Checks every row and decides, for each, whether it creates a new item or updates one.

    ``officers`` are the department's serving officers (id, 姓名), first appointed first; ``existing``
    maps each of its items' (事项名称, 办理项名称) — retired ones included — to {"id", "mode"}. A row
    matches the item of the same names, or, failing that, the one item whose names differ from its own
    only in spaces; the row's names are kept as typed.
    """
    result = Plan()
    if not rows:
        result.errors.append(RowError(0, "文件", "文件中没有事项数据（表头下方是空的）。"))
        return result
    by_name: dict[str, list[int]] = {}
    for officer_id, name in officers:
        by_name.setdefault(_SPACES.sub("", name), []).append(officer_id)
    officer_ids = {officer_id for officer_id, _ in officers} or None
    only_officer = officers[0] if len(officers) == 1 else None
    several = "、".join(name for _, name in officers) if len(officers) > 1 else ""
    without_spaces: dict[tuple[str, str], list[tuple[tuple[str, str], dict]]] = {}
    for key, item in existing.items():
        without_spaces.setdefault(match_key(*key), []).append((key, item))
    seen: dict[tuple[str, str], SheetRow] = {}
    keys = department_keys(department_name, short_name)
    same_department = _per_value(lambda cell: not cell or department_key(cell) in keys)
    officer_cell = _per_value(parse_officer_cell)
    reason_cell = _per_value(parse_reason_cell)
    type_of = _per_value(item_type_value)
    inclusion_of = _per_value(inclusion_value)
    cleaned = _per_value(_clean_cell)
    sheet_place: dict[str, int] = {}
    numbers: dict[str, int] = {}  # each sheet's last 序号, which a row without one shares

    for row in rows:
        errors: dict[str, str] = {}
        c, removed = _cleaned_cells(row.cells, cleaned, errors)
        if removed:
            result.bidi_lines.append(row.line)
        item_name = rules.normalize_text(c.get("item_name"))
        sub_item_name = rules.normalize_text(c.get("sub_item_name"))
        item_type = type_of(c.get("item_type", ""))
        inclusion = inclusion_of(c.get("inclusion", ""))
        key = (item_name, sub_item_name)
        loose = match_key(item_name, sub_item_name)
        current = existing.get(key)
        if current is None:
            candidates = without_spaces.get(loose, [])
            if len(candidates) == 1:
                current = candidates[0][1]
            elif len(candidates) > 1 and item_name and sub_item_name:
                names = "、".join(f"「{n}」「{s}」" for (n, s), _ in candidates)
                errors["item_name"] = f"清单中有多个事项与本行的名称只差空格（{names}），请按其中一个填写"

        if not same_department(c.get("department", "")):
            errors["department"] = f"实施部门「{c.get('department')}」不是本部门（{department_name}）"

        officer_id = mode = reason = None
        reason_note = ""
        defaulted_mode = defaulted_officer = False
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
            elif only_officer is not None:  # the department's one serving officer: nobody else it can be
                officer_id, defaulted_officer = only_officer[0], True
            elif several:
                errors["officer"] = f"请填写首席服务员：{several}"
            if mode is None:
                mode = (current or {}).get("mode") or rules.FINAL
                defaulted_mode = not (current or {}).get("mode")
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
        if item_name and sub_item_name and loose in seen and "sub_item_name" not in errors:
            first = seen[loose]
            where = f"工作表“{first.sheet}”" if first.sheet != row.sheet else ""
            errors["sub_item_name"] = f"与{where}第{first.line}行的事项名称、办理项名称相同（同一办理项只能出现一次）"
        seen.setdefault(loose, row)

        number = _seq_number(c.get("seq", ""))
        if number is None:  # a row without its own 序号 stays where it stands, after the row above
            number = numbers.get(row.sheet, 0)
        numbers[row.sheet] = number
        if errors:
            result.errors.extend(RowError(row.line, LABELS[column], errors[column], row.sheet)
                                 for column in COLUMNS if column in errors)
            continue
        result.rows.append({
            "line": row.line,
            "item_id": current["id"] if current else None,
            "order": (sheet_place.setdefault(row.sheet, len(sheet_place)), number, row.line),
            "fields": {
                "item_name": item_name, "sub_item_name": sub_item_name, "item_type": item_type,
                "inclusion": inclusion, "officer": officer_id, "mode": mode, "reason": reason,
                "reason_note": reason_note,
            },
        })
        if defaulted_mode:
            result.defaulted_modes.append(row.line)
        if defaulted_officer:
            result.defaulted_officers.append(row.line)
            result.officer_default = only_officer[1]
        for column, name in (("item_name", item_name), ("sub_item_name", sub_item_name)):
            if _SPACE_IN_NAME.search(name):
                result.spaced_names.append((row.line, LABELS[column], name))
    return result


def arrange(current: list, placed: list) -> tuple[list, bool]:
    """The order of a department's list after an import (序号 is an item's place in it).

    ``current`` holds the ids of the list's items in its order; ``placed`` the file's rows in the file's
    order (by 序号, a row without one where it stands), each the id of the list item it updates, or any
    other token for a row that joins the list (a new item, a retired one restored). The items of the file
    take, among themselves, the file's order, in the places they hold in the list; items the file does
    not name keep their places; a joining row goes after the file row above it (before the first one,
    when it is above them all; at the end, when the file names no item of the list).

    Returns (order, kept): every item and joining row in the new order, and whether the list's items
    keep their order with the joining rows after them all — then no 序号 needs to change, which is the
    case of a file whose rows are in the list's order however they are numbered (an export numbers
    1…N, and a list with retired items has gaps in its stored order)."""
    in_list = set(current)
    in_file = set(placed)
    from_file = iter([token for token in placed if token in in_list])
    slots = [next(from_file) if token in in_file else token for token in current]
    leading, following, anchor = [], {}, None
    for token in placed:
        if token in in_list:
            anchor = token
        elif anchor is None:
            leading.append(token)
        else:
            following.setdefault(anchor, []).append(token)
    order: list = []
    for token in slots:
        if leading and token in in_file:
            order.extend(leading)
            leading = []
        order.append(token)
        order.extend(following.get(token, ()))
    order.extend(leading)  # the file names no item of the list
    return order, order[:len(current)] == current


# --- a city-wide workbook ------------------------------------------------------------------------


@dataclass
class CitySplit:
    """A city-wide workbook's rows, each given to its department by 实施部门, and what could not be."""

    rows: dict[int, list[SheetRow]] = field(default_factory=dict)  # department id → its rows, in the file's order
    errors: list[RowError] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # the 实施部门 names no department has, as written


def split_by_department(sheets: list[Sheet], departments: list[tuple[int, str, str, bool]]) -> CitySplit:
    """Gives each row of a city-wide workbook to its department (``departments``: id, name, short name,
    active). A row goes by its 实施部门 — the full name (赤壁市公安局), the short name (公安局), or the name
    without the city's (department_key); a row that leaves it blank goes to the department its sheet is
    named after, or whose 填报单位 the sheet gives (one sheet per department). A name no department has,
    one that fits several, or a retired department is an error, as is a row whose department cannot be
    told at all."""
    by_key: dict[str, list[tuple[int, str, bool]]] = {}
    for dept_id, name, short_name, active in departments:
        for key in department_keys(name, short_name):
            entries = by_key.setdefault(key, [])
            if all(entry[0] != dept_id for entry in entries):
                entries.append((dept_id, name, active))
    result = CitySplit()
    unknown_lines: dict[str, list[SheetRow]] = {}

    def lookup(text: str):
        """(department id or None, error or "") for a department's name."""
        found = by_key.get(department_key(text), [])
        if len(found) > 1:
            return None, f"实施部门「{text}」可对应多个部门（{'、'.join(n for _, n, _ in found)}），请填写部门全称"
        if not found:
            return None, ""
        dept_id, name, active = found[0]
        if not active:
            return None, f"{name}已停用，不能导入其清单"
        return dept_id, ""

    for sheet in sheets:
        sheet_dept = None
        for text in (sheet.title, sheet.unit):
            if text:
                sheet_dept, _ = lookup(text)
                if sheet_dept is not None:
                    break
        for row in sheet.rows:
            cell = row.cells.get("department", "")
            if cell:
                dept_id, error = lookup(cell)
                if dept_id is None and not error:
                    unknown_lines.setdefault(cell, []).append(row)
                    continue
            else:
                dept_id, error = sheet_dept, ""
                if dept_id is None:
                    error = "请填写实施部门（全市汇总的清单须写明每一行的实施部门，或每个部门一个工作表、以部门名称命名）"
            if error:
                result.errors.append(RowError(row.line, LABELS["department"], error, row.sheet))
                continue
            result.rows.setdefault(dept_id, []).append(row)
    for name, rows in unknown_lines.items():
        result.unknown.append(name)
        lines = "、".join(str(r.line) for r in rows[:10]) + ("等" if len(rows) > 10 else "")
        result.errors.append(RowError(rows[0].line, LABELS["department"],
                                      f"实施部门「{name}」不是本平台登记的部门（第{lines}行）", rows[0].sheet))
    return result
