"""Files in and out: the workbooks and Word documents the portal hands out (xlsxwriter, python-docx:
one module per layout, docs.py for the official-document style, letter_text.py for the letter's fixed
wording) and the uploaded workbooks it reads (imports.py, openpyxl). Each export is a service that
returns bytes; the view only sends them. Shared here: a workbook that never turns user text into a formula, and the
Chinese download name that reaches the browser intact.

Text that begins with = + - @ is written to a workbook as it was typed: every text cell is a string
cell (write_string, with strings_to_formulas off), which no spreadsheet evaluates, so no apostrophe
is needed and none is shown. A CSV has no cell types: there such text gets the apostrophe (csv_text),
and the import drops exactly that one apostrophe again (imports.cell_text)."""
from __future__ import annotations

import datetime as dt
import io
import re
from urllib.parse import quote
from contextlib import contextmanager

import xlsxwriter
from flask import send_file

FORMULA_START = ("=", "+", "-", "@")


def guarded(text: str) -> bool:
    """Whether a text needs the guard apostrophe in a CSV: it begins with = + - @, or with apostrophes
    before one (so that the import, which drops exactly one apostrophe, gives back what was typed)."""
    return text.lstrip("'").startswith(FORMULA_START)


def csv_text(value):
    """A CSV cell of user text that a spreadsheet might read as a formula (=, +, -, @) is prefixed
    with an apostrophe so that it stays text. For CSV only: a workbook's string cells need none."""
    if isinstance(value, str) and guarded(value):
        return "'" + value
    return value


def xlsx_text(value: str) -> str:
    """A text as a workbook's string cell holds it: as typed. Only a text the clerk began with an
    apostrophe before = + - @ gets one more, which the import drops again (an older export's "'=…")."""
    return "'" + value if value[:1] == "'" and guarded(value) else value


@contextmanager
def workbook(constant_memory: bool = False):
    """An in-memory workbook with formulas from strings off; yields (workbook, buffer)."""
    buffer = io.BytesIO()
    # constant_memory writes each row out as soon as the next begins (rows in order); xlsxwriter
    # ignores it under in_memory, so a streamed workbook assembles in a temporary file instead.
    options = {"in_memory": not constant_memory, "strings_to_formulas": False, "strings_to_urls": False,
               "strings_to_numbers": False, "constant_memory": constant_memory}
    wb = xlsxwriter.Workbook(buffer, options)
    yield wb, buffer
    wb.close()


def write_text_row(sheet, row: int, values, fmt=None) -> None:
    """Write a row where strings are always text (write_string), numbers numbers, None empty."""
    for col, value in enumerate(values):
        if value is None or value == "":
            sheet.write_blank(row, col, None, fmt)
        elif isinstance(value, bool):
            sheet.write_string(row, col, "是" if value else "否", fmt)
        elif isinstance(value, (int, float)):
            sheet.write_number(row, col, value, fmt)
        elif isinstance(value, (dt.date, dt.datetime)):
            sheet.write_string(row, col, value.strftime("%Y-%m-%d"), fmt)
        else:
            sheet.write_string(row, col, xlsx_text(str(value)), fmt)


def download_name(*parts: str, day: dt.date, ext: str = "xlsx", ascii: str | None = None) -> DownloadName:
    """赤壁市公安局-首席服务员审批服务事项清单-2026-11-26.xlsx, with its ASCII fallback (for the
    Content-Disposition ``filename=`` that old clients read): ``ascii`` — a department code and English
    words, e.g. "gaj-item-list" — with the day, gaj-item-list-2026-11-26.xlsx."""
    name = "-".join([p for p in parts if p] + [day.isoformat()]) + "." + ext
    fallback = "-".join([p for p in (_ascii_words(ascii or "chibi-export"),) if p] + [day.isoformat()]) + "." + ext
    return DownloadName(name, fallback)


class DownloadName(str):
    """A download's name (Chinese) that carries its meaningful ASCII fallback (``.ascii``)."""

    def __new__(cls, name: str, fallback: str):
        obj = super().__new__(cls, name)
        obj.ascii = fallback
        return obj


def _ascii_words(text: str) -> str:
    """Letters, digits and hyphens only, lower case: a safe ASCII file name part."""
    return re.sub(r"-{2,}", "-", re.sub(r"[^a-z0-9-]+", "-", text.lower())).strip("-")


def attachment_headers(name: str) -> dict:
    """Content-Disposition for a download: an ASCII ``filename`` that says what it is (the name's
    .ascii, see download_name) and the full name as ``filename*`` (RFC 5987) for every modern browser."""
    fallback = getattr(name, "ascii", None)
    if not fallback:
        stem, _, ext = str(name).rpartition(".")
        fallback = "-".join(p for p in ("chibi", _ascii_words(stem)) if p) + "." + _ascii_words(ext)
    return {"Content-Disposition": f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(str(name), safe='!#$&+^`|~')}"}


def send_download(data: bytes, name: str, mimetype: str, **kwargs):
    """Send a file's bytes under ``name`` (download_name): a Chinese name that arrives intact, and an
    ASCII fallback that says what it is."""
    response = send_file(io.BytesIO(data), as_attachment=True, download_name=str(name), mimetype=mimetype, **kwargs)
    response.headers.update(attachment_headers(name))
    return response


def send_xlsx(data: bytes, name: str):
    """Send workbook bytes (see send_download)."""
    return send_download(data, name, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
