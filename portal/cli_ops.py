"""Operator commands for moving and keeping the data: copy an SQLite install to PostgreSQL.

    flask --app wsgi copy-to-postgres postgresql://portal:secret@127.0.0.1/portal

The copy reads the current (SQLite) database in one read transaction, so it sees one consistent moment,
and writes the target in one transaction, so a failure leaves the target as empty as it was. Rows are
written in batches with COPY, table by table in foreign-key order; the sequences are moved past the
copied ids, and every table's row count is compared before the target transaction commits.
"""
from __future__ import annotations

import re
import time

import click
from peewee import AutoField, ForeignKeyField, SqliteDatabase, sort_models

from . import db as dbmod
from . import models
from .db import db

BATCH_SIZE = 2000


def _fail(message: str):
    raise click.ClickException(message)


def _masked(url: str) -> str:
    """The URL with its password hidden, for messages."""
    return re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", url)


def copy_models(tables: set[str]) -> list:
    """The portal's models whose tables are in `tables`, in foreign-key order (parents first)."""
    found = set(models.ALL_MODELS)
    stack = [models.BaseModel]
    while stack:  # a model an area defined but did not list in ALL_MODELS is copied too
        for sub in stack.pop().__subclasses__():
            stack.append(sub)
            found.add(sub)
    return sort_models([m for m in found if m._meta.table_name in tables])


def _source_tables() -> set[str]:
    rows = db.execute_sql("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    return {r[0] for r in rows} - {"schema_migration"}


def _qi(name: str) -> str:
    return '"%s"' % name.replace('"', '""')


class Plan:
    """How one model is copied: its columns, and the foreign keys filled in after every table is in
    (a record pointing to itself or to a table copied later, e.g. a document replaced by a newer one)."""

    def __init__(self, model, done: set):
        self.model = model
        self.table = model._meta.table_name
        self.fields = list(model._meta.sorted_fields)
        self.columns = [f.column_name for f in self.fields]
        self.deferred = [i for i, f in enumerate(self.fields)
                         if isinstance(f, ForeignKeyField) and (f.rel_model is model or f.rel_model not in done)]
        pk = model._meta.primary_key
        self.pk_index = self.fields.index(pk) if pk in self.fields else None
        self.serial = isinstance(pk, AutoField)
        self.pending = []  # (pk, column index, value) of deferred keys


def _converted(fields, row):
    # SQLite hands back text dates and 0/1 booleans; the fields turn them into Python values, which
    # psycopg then writes as PostgreSQL's own types.
    out = []
    for field, value in zip(fields, row):
        if value is not None:
            value = field.python_value(value)
            if isinstance(value, memoryview):
                value = bytes(value)
        out.append(value)
    return out


def copy_to_postgres(url: str, batch_size: int = BATCH_SIZE, echo=click.echo) -> list[tuple[str, int, int]]:
    """Copy every table of the current SQLite database into the empty PostgreSQL database at `url`.
    Returns (table, source rows, target rows) per table; raises click.ClickException with a Chinese
    message when the copy is refused or fails (the target is then left unchanged)."""
    if not url.startswith(("postgresql://", "postgres://")):
        _fail("目标地址必须是 PostgreSQL 数据库地址，形如 postgresql://用户名:密码@主机:端口/数据库名。")
    if not isinstance(db.obj, SqliteDatabase):
        _fail("当前数据库不是 SQLite：复制命令把现有的 SQLite 数据库搬到 PostgreSQL，请在原 SQLite 配置下运行。")
    try:
        import psycopg
    except ImportError:  # pragma: no cover - the dependency is declared in the postgres extra
        _fail("缺少 PostgreSQL 驱动 psycopg：请先运行 .venv/bin/pip install 'psycopg[binary]'。")

    with db.connection_context():
        if any(not m.applied for m in dbmod.runner().status()):
            _fail("当前 SQLite 数据库结构不是最新的，请先运行 flask --app wsgi db-upgrade。")
        tables = _source_tables()
        plans_models = copy_models(tables)
        unknown = sorted(tables - {m._meta.table_name for m in plans_models})
        if unknown:
            _fail("当前数据库中有门户不认识的表，无法完整复制：" + "、".join(unknown))

    target_url = "postgresql://" + url.split("://", 1)[1]
    try:
        target = psycopg.connect(target_url, autocommit=False, connect_timeout=10)
    except psycopg.Error as exc:
        _fail(f"无法连接目标数据库 {_masked(url)}：{str(exc).strip()}")
    try:
        _refuse_non_empty(target)
        target.commit()  # end the checking transaction: its locks would block the migrations
        _migrate_target(target_url)
        results = _copy_all(target, plans_models, batch_size, echo)
        wrong = [t for t, a, b in results if a != b]
        if wrong:
            _fail("行数核对不一致，已撤销复制，目标数据库未写入任何数据：" + "、".join(wrong))
        target.commit()
    except psycopg.Error as exc:
        target.rollback()
        _fail(f"复制失败，目标数据库未写入任何数据：{str(exc).strip()}")
    except BaseException:
        target.rollback()
        raise
    finally:
        target.close()
    return results


def _refuse_non_empty(target) -> None:
    """Refuse a target that holds any row (in any table of its public schema), before touching it."""
    with target.cursor() as cur:
        cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migration' "
                    "ORDER BY tablename")
        for (table,) in cur.fetchall():
            cur.execute(f"SELECT count(*) FROM {_qi(table)}")
            n = cur.fetchone()[0]
            if n:
                _fail(f"目标数据库不是空的：表 {table} 已有 {n} 行。复制只写入新建的空数据库，"
                      "以免与已有数据混在一起；目标数据库未作任何改动。")


def _migrate_target(url: str) -> None:
    """Apply the portal's migrations to the target, so it has exactly the schema of this version."""
    from peewee import OperationalError
    from playhouse.migrations import Runner
    from playhouse.postgres_ext import Psycopg3Database

    target = Psycopg3Database(url, connect_timeout=10)
    try:
        target.connect()
    except OperationalError as exc:
        _fail(f"无法连接目标数据库 {_masked(url)}：{str(exc).strip()}")
    try:
        applied = Runner(target, dbmod.MIGRATIONS_DIR).up()
    finally:
        target.close()
    if applied:
        click.echo("已在目标数据库建表（应用迁移）：" + ", ".join(applied))


def _copy_all(target, plans_models, batch_size, echo) -> list[tuple[str, int, int]]:
    done: set = set()
    plans = []
    with db.connection_context():
        source = db.connection()
        # One read transaction: the copy sees one moment of the source even if the portal is running.
        source.execute("BEGIN")
        try:
            for model in plans_models:
                plan = Plan(model, done)
                started = time.perf_counter()
                copied = _copy_table(source, target, plan, batch_size)
                done.add(model)
                plans.append(plan)
                echo(f"  {plan.table:24s} {copied:>9d} 行  {time.perf_counter() - started:6.1f} 秒")
            counts = {p.table: source.execute(f"SELECT count(*) FROM {_qi(p.table)}").fetchone()[0] for p in plans}
        finally:
            source.execute("COMMIT")

    with target.cursor() as cur:
        for plan in plans:
            if plan.pending:
                for index in sorted({i for _, i, _ in plan.pending}):
                    column = plan.columns[index]
                    pk_column = plan.columns[plan.pk_index]
                    cur.executemany(
                        f"UPDATE {_qi(plan.table)} SET {_qi(column)} = %s WHERE {_qi(pk_column)} = %s",
                        [(value, pk) for pk, i, value in plan.pending if i == index])
            if plan.serial:
                pk_column = plan.columns[plan.pk_index]
                cur.execute(
                    f"SELECT setval(pg_get_serial_sequence(%s, %s), COALESCE(MAX({_qi(pk_column)}), 1), "
                    f"MAX({_qi(pk_column)}) IS NOT NULL) FROM {_qi(plan.table)}",
                    (_qi(plan.table), pk_column))
        results = []
        for plan in plans:
            cur.execute(f"SELECT count(*) FROM {_qi(plan.table)}")
            results.append((plan.table, counts[plan.table], cur.fetchone()[0]))
    return results


def _copy_table(source, target, plan: Plan, batch_size: int) -> int:
    columns = ", ".join(_qi(c) for c in plan.columns)
    order = f" ORDER BY {_qi(plan.columns[plan.pk_index])}" if plan.pk_index is not None else ""
    cursor = source.execute(f"SELECT {columns} FROM {_qi(plan.table)}{order}")
    copied = 0
    with target.cursor() as cur:
        while True:
            batch = cursor.fetchmany(batch_size)
            if not batch:
                break
            with cur.copy(f"COPY {_qi(plan.table)} ({columns}) FROM STDIN") as copy:
                for raw in batch:
                    row = _converted(plan.fields, raw)
                    for index in plan.deferred:
                        if row[index] is not None:
                            plan.pending.append((row[plan.pk_index], index, row[index]))
                            row[index] = None
                    copy.write_row(row)
            copied += len(batch)
    return copied


def init_app(app) -> None:
    @app.cli.command("copy-to-postgres")
    @click.argument("url")
    @click.option("--batch-size", default=BATCH_SIZE, show_default=True, type=click.IntRange(1, 100000),
                  help="Rows per COPY batch.")
    def copy_to_postgres_command(url, batch_size):
        """Copy this SQLite install into an empty PostgreSQL database (复制到 PostgreSQL), checked by row counts.

        URL: postgresql://user:password@host:port/database. Stop the portal first so that no write
        arrives after the copy has begun.
        """
        if not url.startswith(("postgresql://", "postgres://")):
            _fail("目标地址必须是 PostgreSQL 数据库地址，形如 postgresql://用户名:密码@主机:端口/数据库名。")
        click.echo(f"正在把当前 SQLite 数据库复制到 {_masked(url)} …")
        results = copy_to_postgres(url, batch_size)
        click.echo("")
        click.echo(f"{'table':24s} {'SQLite':>9s} {'PostgreSQL':>10s}  核对")
        for table, source_rows, target_rows in results:
            click.echo(f"{table:24s} {source_rows:>9d} {target_rows:>10d}  {'一致' if source_rows == target_rows else '不一致'}")
        total = sum(r[1] for r in results)
        click.echo(f"复制完成：{len(results)} 张表，共 {total} 行，行数逐表核对一致。")
        click.echo(f"改用 PostgreSQL：设置 DATABASE_URL={_masked(url)} 后重启门户。")
