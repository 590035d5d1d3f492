"""Measurements that need a process of their own, so that peak memory is the measured work's alone:

    python -m bench.probe export <instance dir> <database url>   the portal's city-wide attachment-1 export
    python -m bench.probe xlsxwriter <sqlite path>               the same rows with bare xlsxwriter

Each prints one JSON line: seconds, bytes written, rows, resident memory before and at peak (MB).
"""
from __future__ import annotations

import io
import json
import os
import resource
import sqlite3
import sys
import time


def _rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _peak_mb() -> float:
    # VmHWM is this program's own peak; getrusage's ru_maxrss would also count the parent that forked
    # it (Linux keeps the high-water mark across fork and exec).
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


CITY_ROWS_SQL = """
SELECT d.name, r.item_name, r.sub_item_name, r.item_type, r.inclusion, r.officer_name, r.mode, r.reason, r.reason_note
FROM list_row r
JOIN item_list l ON l.id = r.item_list_id
JOIN department d ON d.id = l.department_id
WHERE d.active = 1 AND l.state = '已通过'
  AND l.revision = (SELECT MAX(revision) FROM item_list WHERE department_id = l.department_id AND state = '已通过')
ORDER BY d.sort_order, d.id, r.seq, r.id
"""


def export(instance: str, url: str) -> dict:
    os.environ["PORTAL_INSTANCE"] = instance
    from portal import create_app

    app = create_app({"DATABASE_URL": url, "WTF_CSRF_ENABLED": False})
    client = app.test_client()
    from bench.province import PASSWORD

    assert client.post("/login", data={"username": "office", "password": PASSWORD}).status_code == 302
    client.get("/healthz")
    before = _rss_mb()
    started = time.perf_counter()
    response = client.get("/items/export/city")
    data = response.get_data()
    seconds = time.perf_counter() - started
    assert response.status_code == 200, response.status_code
    return {"seconds": seconds, "bytes": len(data), "rss_before": before, "peak": _peak_mb(), "rows": _rows(data)}


def _rows(data: bytes) -> int:
    """Data rows in the workbook (read back outside the timing): all rows less the template's own —
    附件1, title, info, header, and after the rows a blank row and the note."""
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data), read_only=True)
    try:
        return max(0, wb.worksheets[0].max_row - 6)
    finally:
        wb.close()


def xlsxwriter_baseline(path: str) -> dict:
    """The same workbook by hand: the rows by one SQL query through sqlite3, written cell by cell with
    bare xlsxwriter (its fastest, default in-memory mode) in attachment 1's layout and cell formats —
    title, header, borders and wrapping, the short columns centred — so that the ratio measures what
    the portal adds, not the cost of the template itself."""
    import xlsxwriter

    before = _rss_mb()
    started = time.perf_counter()
    con = sqlite3.connect(path)
    rows = con.execute(CITY_ROWS_SQL)
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                      "strings_to_numbers": False})
    sheet = wb.add_worksheet("附件1")
    title = wb.add_format({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"})
    head = wb.add_format({"bold": True, "border": 1, "text_wrap": True, "align": "center", "valign": "vcenter"})
    cell = wb.add_format({"border": 1, "text_wrap": True, "valign": "vcenter"})
    center = wb.add_format({"border": 1, "text_wrap": True, "valign": "vcenter", "align": "center"})
    sheet.write_string(0, 0, "附件1")
    sheet.merge_range(1, 0, 1, 7, "赤壁市首席服务员审批服务事项清单", title)
    sheet.write_string(2, 0, "全市各部门清单")
    sheet.write_row(3, 0, ("序号", "实施部门", "事项名称", "办理项名称", "事项类型", "是否纳入首席服务员审批服务清单",
                           "首席服务员", "未纳入原因"), head)
    formats = (center, cell, cell, cell, center, center, cell, cell)
    n = 0
    for n, (dept, item, sub, kind, inclusion, officer, mode, reason, note) in enumerate(rows, start=1):
        values = (n, dept, item, sub, kind, inclusion, f"{officer or '未指定'}（{mode}）" if mode else "",
                  f"{reason}：{note}" if reason else "")
        r = 3 + n
        for col, value in enumerate(values):
            if value == "":
                sheet.write_blank(r, col, None, formats[col])
            elif col == 0:
                sheet.write_number(r, col, value, formats[col])
            else:
                sheet.write_string(r, col, value, formats[col])
    sheet.merge_range(5 + n, 0, 5 + n, 7, "（包含公共服务、行政裁决、行政给付、行政奖励、行政确认、行政许可、其他行政权力等"
                                          "所有类型的依申请服务事项。）", cell)
    wb.close()
    con.close()
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "bytes": len(buffer.getvalue()), "rss_before": before, "peak": _peak_mb(),
            "rows": n}


def main(argv: list[str]) -> None:
    if argv[0] == "export":
        out = export(argv[1], argv[2])
    elif argv[0] == "xlsxwriter":
        out = xlsxwriter_baseline(argv[1])
    else:
        raise SystemExit(f"unknown probe {argv[0]}")
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1:])
