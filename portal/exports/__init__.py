"""Workbooks the portal hands out (xlsxwriter). Each export is a service that returns bytes; the view
only sends them. Shared here: a workbook that never turns user text into a formula, and the
Chinese download name that reaches the browser intact."""
from __future__ import annotations

import datetime as dt
import io
from contextlib import contextmanager

import xlsxwriter
from flask import send_file

FORMULA_START = ("=", "+", "-", "@")


def safe_text(value):
    """User text that Excel might read as a formula (=, +, -, @) is prefixed so it stays text."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


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
            sheet.write_string(row, col, str(safe_text(value)), fmt)


def download_name(*parts: str, day: dt.date, ext: str = "xlsx") -> str:
    """赤壁市公安局-首席服务员审批服务事项清单-2026-11-26.xlsx"""
    return "-".join([p for p in parts if p] + [day.isoformat()]) + "." + ext


def send_xlsx(data: bytes, name: str):
    """Send workbook bytes; Flask writes filename* (RFC 5987) so the Chinese name arrives intact."""
    return send_file(io.BytesIO(data), as_attachment=True, download_name=name,
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
