"""`make bench` (`python -m bench`): the portal at the size of a province, against baselines measured in
the same run on the same machine.

1. Builds a synthetic province (bench/province.py) in a temporary SQLite database.
2. Starts the portal and the baseline app (bench/baseline_app.py) under the same gunicorn command
   (2 workers × 4 threads, gthread) on loopback ports, with FIXED_TODAY set.
3. Logs in with real sessions (CSRF included) and measures each figure of issue 10's table with the
   bounded load generator (bench/load.py: fixed request counts, a time cap, loopback only).
4. Prints one table — absolute numbers, baselines, ratios, targets — and exits 1 when a target is missed.

Options: --quick (a tenth of the province and fewer requests, to try the benchmark itself),
--keep (leave the temporary folder), --seed N.
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import platform
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from urllib.parse import urlencode

from . import load, province, sqlfigures
from .targets import DASHBOARD_KB, EXPORT_PEAK_MB, TARGETS, TARGETS_PG
from .server import HOST, THREADS, WORKERS, Gunicorn

TODAY = province.TODAY


@dataclass
class Figure:
    name: str
    unit: str
    value: float | None = None
    baseline: float | None = None
    higher_is_better: bool = True
    target: float | None = 1.0  # on the ratio; None: printed for the record only
    note: str = ""
    error: str = ""
    extra_check: tuple[str, float, float] | None = None  # (label, value, limit): value ≤ limit
    paired: float | None = None  # the median of the rounds' own ratios, when measured in rounds
    key: str = ""  # its name in bench/targets.py (TARGETS, GROWTH)

    @property
    def ratio(self) -> float | None:
        if self.paired is not None:
            return self.paired
        if self.value is None or not self.baseline:
            return None
        return self.value / self.baseline

    @property
    def ok(self) -> bool:
        if self.error:
            return False
        if self.target is None:
            return True
        if self.ratio is None:
            return False
        met = self.ratio >= self.target if self.higher_is_better else self.ratio <= self.target
        if self.extra_check is not None:
            met = met and self.extra_check[1] <= self.extra_check[2]
        return met


class Session:
    """A logged-in browser: its cookie and CSRF token."""

    def __init__(self, port: int, username: str, password: str):
        self.port = port
        status, headers, body, _ = load.one(HOST, port, "GET", "/login")
        cookie = _cookie(headers)
        token = _csrf(body)
        form = urlencode({"username": username, "password": password, "csrf_token": token}).encode()
        status, headers, body, _ = load.one(HOST, port, "POST", "/login", headers={
            "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}, body=form)
        if status != 302:
            raise RuntimeError(f"login as {username} failed ({status})")
        self.cookie = _cookie(headers) or cookie
        status, headers, body, _ = load.one(HOST, port, "GET", "/", headers=self.headers())
        self.cookie = _cookie(headers) or self.cookie
        self.csrf = _csrf(body)

    def headers(self, **extra) -> dict:
        return {"Cookie": self.cookie, **extra}

    def get(self, path: str, **headers):
        return load.one(HOST, self.port, "GET", path, headers=self.headers(**headers))


def _cookie(headers: dict) -> str:
    for line in headers.get("set-cookie", "").split("\n"):
        if line.startswith("portal_session="):
            return line.split(";", 1)[0]
    return ""


def _csrf(body: bytes) -> str:
    match = re.search(rb'name="csrf-token" content="([^"]+)"', body)
    return match.group(1).decode() if match else ""


def rounds(portal, baseline, n: int) -> tuple[float, float, float]:
    """Measure the portal and its baseline alternately, n rounds: (median portal, median baseline,
    median of the rounds' ratios). Other work on a shared machine comes and goes; alternating in
    short rounds puts both sides under the same conditions, and the median drops the odd round."""
    a, b = [], []
    for _ in range(n):
        a.append(portal())
        b.append(baseline())
    return statistics.median(a), statistics.median(b), statistics.median(x / y for x, y in zip(a, b))


class Bench:
    def __init__(self, args):
        self.args = args
        self.quick = args.quick
        self.n = (lambda full, quick: quick if self.quick else full)
        self.dir = tempfile.mkdtemp(prefix="portal-bench-")
        self.instance = os.path.join(self.dir, "instance")
        os.makedirs(self.instance)
        self.db_path = os.path.join(self.dir, "province.db")
        self.url = f"sqlite:///{self.db_path}"
        with open(os.path.join(self.instance, "config.py"), "w") as fh:
            fh.write(f"FIXED_TODAY = {TODAY.isoformat()!r}\nSECRET_KEY = 'bench-only-secret'\n")
        self.figures: list[Figure] = []
        self.notes: list[str] = []
        self.pg = args.pg  # a postgresql:// URL: the portal runs on it (make bench-pg)

    # --- setup -----------------------------------------------------------------------------------

    def build(self):
        os.environ["PORTAL_INSTANCE"] = self.instance
        from portal import create_app
        from portal import db as dbmod

        self.app = create_app({"DATABASE_URL": self.url})
        with self.app.app_context():
            dbmod.upgrade()
            with dbmod.db.connection_context():
                self.p = province.build(seed=self.args.seed, scale=0.1 if self.quick else 1.0,
                                        growth=self.args.growth)
        size = os.path.getsize(self.db_path) / 1e6
        if self.pg:
            self._to_postgres()
        print(f"province built in {self.p.seconds:.1f} s: " + ", ".join(
            f"{k} {v:,}" for k, v in self.p.counts.items() if not k.startswith("item_department")) + f"; {size:.0f} MB",
            flush=True)

    def _to_postgres(self):
        """The province copied into an empty PostgreSQL database by the portal's own copy-to-postgres;
        from then on the portal (and every portal-side step here) runs on it."""
        import psycopg

        from portal import create_app
        from portal.cli_ops import copy_to_postgres

        started = time.perf_counter()
        with psycopg.connect(self.pg, autocommit=True) as con:
            con.execute("DROP SCHEMA public CASCADE")
            con.execute("CREATE SCHEMA public")
        with self.app.app_context():
            copy_to_postgres(self.pg, echo=lambda *a, **k: None)
        with psycopg.connect(self.pg, autocommit=True) as con:
            con.execute("ANALYZE")
        self.url = self.pg
        self.app = create_app({"DATABASE_URL": self.url})
        print(f"copied to PostgreSQL in {time.perf_counter() - started:.0f} s", flush=True)

    def target(self, key: str):
        """The figure's target on this engine (on PostgreSQL only issue 19's three count)."""
        return TARGETS_PG.get(key) if self.pg else TARGETS[key]

    def start(self):
        env = {"DATABASE_URL": self.url, "PORTAL_INSTANCE": self.instance}
        self.portal = Gunicorn("wsgi:app", env, os.path.join(self.dir, "portal.log")).start()
        self.base = Gunicorn("bench.baseline_app:app", {}, os.path.join(self.dir, "baseline.log")).start()

    def stop(self):
        for server in (getattr(self, "portal", None), getattr(self, "base", None)):
            if server is not None:
                server.stop()

    def add(self, figure: Figure):
        self.figures.append(figure)
        ratio = f"{figure.ratio:.2f}" if figure.ratio is not None else "—"
        print(f"  {figure.name}: {figure.value if figure.value is None else round(figure.value, 3)} {figure.unit} "
              f"vs {figure.baseline if figure.baseline is None else round(figure.baseline, 3)} → {ratio}"
              f"{' ' + figure.error if figure.error else ''}", flush=True)

    # --- figures ---------------------------------------------------------------------------------

    def rate(self, port, path, total, results, expect=(200,), **kw) -> float:
        result = load.run(HOST, port, path, total=total, expect=expect, **kw)
        results.append(result)
        return result.rate

    def pages(self):
        office = Session(self.portal.port, "office", self.p.password)
        n = self.n(5, 3)

        status, headers, body, _ = office.get("/dashboard/")
        tag = headers.get("etag", "")
        poll_headers = office.headers(**{"HX-Request": "true", "If-None-Match": tag})
        self.warm(self.portal.port, "/dashboard/", expect=(204, 304), headers=poll_headers)
        self.warm(self.base.port, "/hello")
        polls, hellos = [], []
        value, base, ratio = rounds(
            lambda: self.rate(self.portal.port, "/dashboard/", self.n(1500, 400), polls, expect=(204, 304),
                              headers=poll_headers),
            lambda: self.rate(self.base.port, "/hello", self.n(1500, 400), hellos), n)
        f = Figure("dashboard poll when nothing changed", "req/s", value, base, key="poll", target=self.target("poll"), paired=ratio,
                   note=f"htmx poll with If-None-Match answered 204 ({polls[-1].statuses}); Flask hello-world")
        self._errors(f, polls)
        self.add(f)

        size = len(body)
        # Against a bare page of the size the page may have (issue 19): a heavier page is not excused.
        bare = DASHBOARD_KB * 1000
        self.warm(self.portal.port, "/dashboard/", headers=office.headers())
        self.warm(self.base.port, f"/plain?size={bare}")
        pages, plains = [], []
        value, base, ratio = rounds(
            lambda: self.rate(self.portal.port, "/dashboard/", self.n(80, 30), pages, headers=office.headers()),
            lambda: self.rate(self.base.port, f"/plain?size={bare}", self.n(80, 30), plains), n)
        f = Figure("dashboard page, figures up to date", "req/s", value, base, key="dashboard", target=self.target("dashboard"),
                   paired=ratio, extra_check=("page kB", size / 1000, float(DASHBOARD_KB)),
                   note=f"{size / 1000:.0f} kB page as the office; plain Jinja page of {DASHBOARD_KB} kB, no query")
        self._errors(f, pages)
        self.add(f)

        dept = Session(self.portal.port, self.p.big_department, self.p.password)
        status, headers, body, _ = dept.get("/items/")
        size = len(body)
        self.warm(self.portal.port, "/items/", headers=dept.headers())
        self.warm(self.base.port, f"/plain?size={size}")
        lists, plains = [], []
        value, base, ratio = rounds(
            lambda: self.rate(self.portal.port, "/items/", self.n(150, 50), lists, headers=dept.headers()),
            lambda: self.rate(self.base.port, f"/plain?size={size}", self.n(150, 50), plains), n)
        f = Figure("a department's list page with 1,000 items", "req/s", value, base, key="list", target=self.target("list"), paired=ratio,
                   note=f"{self.p.item_count[1]:,} items, first page ({size / 1000:.0f} kB) as the department")
        self._errors(f, lists)
        self.add(f)

    def warm(self, port, path, expect=(200,), **kw):
        """A few requests reaching both workers (templates compiled, caches filled) before measuring."""
        load.run(HOST, port, path, total=24, expect=expect, **kw)

    def recompute(self):
        from portal import metrics
        from portal.audit import write
        from portal.db import db
        from portal.models import Department

        with self.app.app_context(), db.connection_context():
            def after_a_write():
                """Seconds to bring the figures up to date after an audited write moved the version."""
                with write(username="bench") as w:
                    dept = Department.get(Department.code == self.p.big_department)
                    w.update(dept, short_name=dept.short_name[:-1] + ("X" if dept.short_name[-1] != "X" else "Y"))
                return _timed(lambda: metrics.city_figures(TODAY))

            after_a_write()
            city = metrics.city_figures(TODAY)
            sql = ((lambda: sqlfigures.compute_pg(self.pg, TODAY)) if self.pg
                   else (lambda: sqlfigures.compute(self.db_path, TODAY)))
            found = sql()
            portal_s, sql_s, ratio = rounds(after_a_write, lambda: _timed(sql), self.n(5, 3))
        differ = [k for k in sqlfigures.CHECKED if city.totals.get(k) != found.get(k)]
        f = Figure("recomputing all dashboard figures after a write", "s", portal_s, sql_s, higher_is_better=False,
                   key="recompute", target=self.target("recompute"), paired=ratio,
                   note="metrics.city_figures after an audited write; the same figures by hand-written SQL via "
                        + ("psycopg" if self.pg else "sqlite3"))
        if differ:
            f.error = "the SQL baseline disagrees on " + ", ".join(
                f"{k} ({city.totals.get(k)} ≠ {found.get(k)})" for k in differ)
        self.add(f)

    def export(self):
        ports, bares = [], []
        value, base, ratio = rounds(lambda: _keep(ports, _probe("export", self.instance, self.url))["seconds"],
                                    lambda: _keep(bares, _probe("xlsxwriter", self.db_path))["seconds"],
                                    self.n(2, 1))
        grown = max(p["peak"] - p["rss_before"] for p in ports)
        portal, bare = ports[-1], bares[-1]
        f = Figure("city-wide attachment-1 export", "s", value, base, higher_is_better=False, key="export", target=self.target("export"),
                   paired=ratio, extra_check=("peak memory MB", grown, EXPORT_PEAK_MB),
                   note=f"{portal['rows']:,} rows, {portal['bytes'] / 1e6:.1f} MB file; memory +{grown:.0f} MB "
                        f"(peak RSS {portal['peak']:.0f} MB); bare xlsxwriter, rows read by one SQL query: "
                        f"+{bare['peak'] - bare['rss_before']:.0f} MB")
        if portal["rows"] != bare["rows"]:
            f.error = f"rows differ: portal {portal['rows']}, baseline {bare['rows']}"
        self.add(f)

    def import_(self):
        from openpyxl import load_workbook

        rows = self.n(5000, 1000)
        samples, bases, ratios = [], [], []
        for code in (province.department_code(self.p.departments - 1), province.department_code(self.p.departments)):
            dept_id = int(code[1:])
            data = _attachment1(self.p, dept_id, rows)

            def read():
                wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
                for _ in wb.worksheets[0].iter_rows(values_only=True):
                    pass
                wb.close()

            session = Session(self.portal.port, code, self.p.password)
            body, ctype = _multipart({"csrf_token": session.csrf}, "file", f"{code}.xlsx", data)
            status, headers, page, seconds = load.one(HOST, self.portal.port, "POST", "/items/import", body=body,
                                                      headers=session.headers(**{"Content-Type": ctype}))
            base = _timed(read)
            if status != 302:
                f = Figure(f"import of a {rows:,}-row list", "s", None, base, higher_is_better=False, key="import", target=self.target("import"))
                f.error = f"import answered {status}: " + _text(page)[:300]
                self.add(f)
                return
            samples.append(seconds)
            bases.append(base)
            ratios.append(seconds / base)
        f = Figure(f"import of a {rows:,}-row list", "s", statistics.median(samples), statistics.median(bases),
                   higher_is_better=False, key="import", target=self.target("import"), paired=statistics.median(ratios),
                   note="POST /items/import (all rows checked, then written in one transaction), two departments; "
                        "bare openpyxl (read_only) reading the same file")
        self.add(f)

    def writes(self):
        from portal.db import db
        from portal.models import Matter

        dept_id = 2
        session = Session(self.portal.port, province.department_code(dept_id), self.p.password)
        form = {
            "investor": str(self.p.investor_ids[dept_id][0]), "project": "基准测试项目",
            "item": str(self.p.item_ids[dept_id][0]), "officer": str(self.p.serving_officer[dept_id][0]),
            "received_date": "2026-11-20", "promised_date": "2026-12-10", "status": "已受理", "completed_date": "",
            "visits": "1", "handling": "窗口办", "notes": "", "csrf_token": session.csrf,
        }
        body = urlencode(form).encode()
        headers = session.headers(**{"Content-Type": "application/x-www-form-urlencoded"})
        status, _, page, _ = load.one(HOST, self.portal.port, "POST", "/ledger/matters/new", headers=headers, body=body)
        total = self.n(1500, 200)
        f = Figure(f"concurrent writes, {WORKERS} workers × {THREADS} threads", "req/s", key="writes", target=self.target("writes"),
                   note="POST /ledger/matters/new (audited, IMMEDIATE); bare Matter.create in one process, each "
                        "insert its own transaction through the portal's own database object (same file, WAL, "
                        "every commit fdatasynced before it returns)")
        if status != 302:
            f.error = f"the write answered {status}: " + _text(page)[:300]
            self.add(f)
            return
        fields = dict(department=dept_id, investor=self.p.investor_ids[dept_id][0], project="基准测试项目",
                      item=self.p.item_ids[dept_id][0], officer=self.p.serving_officer[dept_id][0],
                      received_date=dt.date(2026, 11, 20), promised_date=dt.date(2026, 12, 10))

        def bare():
            with self.app.app_context(), db.connection_context():
                started = time.perf_counter()
                for _ in range(total):
                    Matter.create(**fields)  # each in its own transaction, as each request is
                return total / (time.perf_counter() - started)

        def bare_pg():
            """Bare psycopg inserts on the same server, each its own transaction (autocommit)."""
            import psycopg

            columns = ["department_id", "investor_id", "project", "item_id", "item_name", "officer_id",
                       "received_date", "promised_date", "status", "visits", "handling", "notes", "created_at",
                       "updated_at"]
            now = dt.datetime(2026, 11, 26, 9, 0)
            values = (fields["department"], fields["investor"], fields["project"], fields["item"], "", fields["officer"],
                      fields["received_date"], fields["promised_date"], "已受理", 1, "窗口办", "", now, now)
            sql = (f"INSERT INTO matter ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})")
            with psycopg.connect(self.pg, autocommit=True) as con:
                started = time.perf_counter()
                for _ in range(total):
                    con.execute(sql, values)
                return total / (time.perf_counter() - started)

        def bare_full():
            """The same inserts through a plain peewee SqliteDatabase with SQLite's own synchronous=FULL,
            for the record: the durability is the same, only where the fsync happens differs."""
            from peewee import SqliteDatabase

            from portal.db import SQLITE_PRAGMAS

            plain = SqliteDatabase(self.db_path, pragmas={**SQLITE_PRAGMAS, "synchronous": "full"})
            with plain.bind_ctx([Matter]), plain.connection_context():
                started = time.perf_counter()
                for _ in range(total):
                    Matter.create(**fields)
                return total / (time.perf_counter() - started)

        with self.app.app_context(), db.connection_context():
            before = Matter.select().count()
        results = []
        value, base, ratio = rounds(
            lambda: self.rate(self.portal.port, "/ledger/matters/new", total, results, method="POST", headers=headers,
                              body=body, expect=(302,), cap=60.0),
            bare_pg if self.pg else bare, self.n(5, 2))
        full = None if self.pg else bare_full()
        with self.app.app_context(), db.connection_context():
            # less the bare inserts: the rounds' and the one with synchronous=FULL
            written = Matter.select().count() - before - total * (len(results) + (0 if self.pg else 1))
        answered = sum(r.statuses.get(302, 0) for r in results)
        f.value, f.baseline, f.paired = value, base, ratio
        self._errors(f, results)
        if written != answered:
            f.error = (f.error + "; " if f.error else "") + f"{written} rows written for {answered} answers"
        if self.pg:
            f.note = ("POST /ledger/matters/new (audited) on PostgreSQL; bare psycopg INSERTs on the same server, "
                      "each its own transaction")
        f.note += f"; {sum(r.requests for r in results)} requests, {sum(r.errors for r in results)} errors"
        if not self.pg:
            f.note += f"; bare with SQLite's own synchronous=FULL: {full:,.0f} req/s (ratio {value / full:.2f})"
        self.add(f)

    def _errors(self, f: Figure, results: list):
        errors = sum(r.errors for r in results)
        if errors:
            f.error = f"{errors} errors ({next(r.first_error for r in results if r.first_error)})"
        elif any(r.capped for r in results):
            f.note += " (time cap reached)"

    # --- report ----------------------------------------------------------------------------------

    def report(self) -> int:
        cores = os.cpu_count()
        print()
        print(f"machine: {cores} cores, Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
              f"gunicorn {WORKERS} workers × {THREADS} threads (gthread), load 2 processes × 4 threads, loopback")
        header = ("figure", "portal", "baseline", "ratio", "target", "")
        rows = []
        for f in self.figures:
            fmt = (lambda v: "—" if v is None else (f"{v:,.0f} {f.unit}" if f.unit == "req/s" else f"{v:.3f} {f.unit}"))
            target = "—" if f.target is None else ("≥ " if f.higher_is_better else "≤ ") + f"{f.target:g}"
            if f.extra_check:
                target += f", {f.extra_check[0]} ≤ {f.extra_check[2]:g}"
            rows.append((f.name, fmt(f.value), fmt(f.baseline), "—" if f.ratio is None else f"{f.ratio:.2f}", target,
                         ("(record)" if f.target is None else "ok") if f.ok else "MISSED"))
        widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
        line = lambda r: "| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths)) + " |"
        print(line(header))
        print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
        for r in rows:
            print(line(r))
        print()
        for f in self.figures:
            if f.note or f.error:
                print(f"- {f.name}: {f.note}{(' — ERROR: ' + f.error) if f.error else ''}")
        missed = [f.name for f in self.figures if not f.ok]
        print()
        if missed:
            print("targets missed: " + "; ".join(missed))
            return 1
        print("every target met.")
        return 0


def _timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def _keep(into: list, value):
    into.append(value)
    return value


def _probe(*args) -> dict:
    out = subprocess.run([sys.executable, "-m", "bench.probe", *args], capture_output=True, text=True,
                         cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))), timeout=600)
    if out.returncode != 0:
        raise RuntimeError(f"probe {args[0]} failed: {out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _text(page: bytes) -> str:
    text = re.sub(rb"<[^>]+>", b" ", page).decode("utf-8", "replace")
    return re.sub(r"\s+", " ", text).strip()


def _attachment1(p: province.Province, dept_id: int, rows: int) -> bytes:
    """A department's list in the attachment-1 layout, written with bare xlsxwriter: the first rows are
    its existing items (a few changed), the rest new ones."""
    import xlsxwriter

    from portal import rules

    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = wb.add_worksheet("附件1")
    sheet.write(0, 0, "赤壁市首席服务员审批服务事项清单")
    sheet.write(1, 0, f"填报单位：{p.department_name[dept_id]}")
    sheet.write_row(2, 0, ("序号", "实施部门", "事项名称", "办理项名称", "事项类型", "是否纳入首席服务员审批服务清单",
                           "首席服务员", "未纳入原因"))
    officer = p.serving_officer[dept_id][1]
    for n in range(1, rows + 1):
        subject = province.SUBJECTS[n % len(province.SUBJECTS)]
        word = province.ITEM_WORDS[(n // len(province.SUBJECTS)) % len(province.ITEM_WORDS)]
        item_name = f"{subject}{word}"
        if n % 10 == 7:
            inclusion, officer_cell, reason = "未纳入", "", "涉及重大公共安全：须经集体研究审批。"
        else:
            inclusion, officer_cell, reason = "纳入", f"{officer}（{'初审' if n % 3 == 0 else '终审'}）", ""
        sheet.write_row(2 + n, 0, (n, p.department_name[dept_id], item_name, f"{item_name}（第{n}项办理项）",
                                   rules.ITEM_TYPES[n % len(rules.ITEM_TYPES)], inclusion, officer_cell, reason))
    wb.close()
    return buffer.getvalue()


def _multipart(fields: dict, file_field: str, filename: str, data: bytes) -> tuple[bytes, str]:
    boundary = "----portal-bench-boundary"
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{filename}"\r\n'
                 f"Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n".encode()
                 + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the province, fewer requests")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--only", default="", help="comma-separated: pages,recompute,export,import,writes")
    parser.add_argument("--growth", type=int, default=1,
                        help="build a province this many times larger (departments too); see bench.growth")
    parser.add_argument("--json", default="", help="also write the figures to this file (bench.growth reads it)")
    parser.add_argument("--pg", default=os.environ.get("BENCH_PG_URL", ""),
                        help="a postgresql:// URL of an empty database: run the portal on it (make bench-pg)")
    args = parser.parse_args(argv)
    bench = Bench(args)
    started = time.perf_counter()
    print(f"benchmark folder: {bench.dir}", flush=True)
    try:
        bench.build()
        bench.start()
        steps = [("pages", bench.pages), ("recompute", bench.recompute), ("export", bench.export),
                 ("import", bench.import_), ("writes", bench.writes)]
        only = {s for s in args.only.split(",") if s}
        for name, step in steps:
            if only and name not in only:
                continue
            print(f"{name} …", flush=True)
            try:
                step()
            except Exception as exc:  # one broken figure must not hide the others
                bench.figures.append(Figure(name, "", error=f"{type(exc).__name__}: {exc}"))
                print(f"  {name} failed: {type(exc).__name__}: {exc}", flush=True)
    finally:
        bench.stop()
        if not args.keep:
            shutil.rmtree(bench.dir, ignore_errors=True)
    code = bench.report()
    print(f"(benchmark ran {time.perf_counter() - started:.0f} s)")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"growth": args.growth, "seconds": time.perf_counter() - started,
                       "figures": [{"key": f.key, "name": f.name, "unit": f.unit, "value": f.value,
                                    "baseline": f.baseline, "ratio": f.ratio, "higher_is_better": f.higher_is_better,
                                    "error": f.error} for f in bench.figures]}, fh, ensure_ascii=False)
    return code


if __name__ == "__main__":
    sys.exit(main())
