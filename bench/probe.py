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
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


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
    """Data rows in the workbook (read back outside the timing): all rows less title, info, header, note."""
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data), read_only=True)
    try:
        return max(0, wb.worksheets[0].max_row - 4)
    finally:
        wb.close()


def xlsxwriter_baseline(path: str) -> dict:
    import xlsxwriter

    before = _rss_mb()
    started = time.perf_counter()
    con = sqlite3.connect(path)
    rows = con.execute(CITY_ROWS_SQL).fetchall()
    con.close()
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = wb.add_worksheet("附件1")
    sheet.write_row(0, 0, ("序号", "实施部门", "事项名称", "办理项名称", "事项类型", "是否纳入首席服务员审批服务清单",
                           "首席服务员", "未纳入原因"))
    for n, (dept, item, sub, kind, inclusion, officer, mode, reason, note) in enumerate(rows, start=1):
        sheet.write_row(n, 0, (n, dept, item, sub, kind, inclusion, f"{officer}（{mode}）" if mode else "",
                               f"{reason}：{note}" if reason else ""))
    wb.close()
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "bytes": len(buffer.getvalue()), "rss_before": before, "peak": _peak_mb(),
            "rows": len(rows)}


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
