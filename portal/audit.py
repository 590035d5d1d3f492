"""The one write path: every change is made inside `write()`, which opens one transaction (IMMEDIATE
on SQLite), records who changed what with the record before and after, and moves the data version.

    with write() as w:
        item = w.create(ServiceItem, department=dept, ...)
        w.update(item, inclusion="纳入")

Views never call .save() or .create() themselves, so no write escapes the audit log (操作日志).
"""
from __future__ import annotations

import json
from contextlib import contextmanager

from flask import has_request_context, request
from flask_login import current_user
from peewee import __exception_wrapper__

from . import clock
from .db import db
from .models import AuditLog, DataVersion


def _actor():
    if has_request_context() and getattr(current_user, "is_authenticated", False):
        return current_user._get_current_object()
    return None


def _address() -> str:
    # Staff actions record where they came from; the public's (evaluations) do not: a visitor's
    # address is personal data the portal has no business keeping.
    if not has_request_context() or not getattr(current_user, "is_authenticated", False):
        return ""
    return request.remote_addr or ""


_STATEMENTS: dict = {}


def _compiled(model, fields) -> str:
    """INSERT INTO <model> (<fields>) VALUES (…) as SQL text for this kind of database, built once."""
    key = (model, tuple(f.name for f in fields), type(db.obj))
    sql = _STATEMENTS.get(key)
    if sql is None:
        sql = _STATEMENTS[key] = model.insert({f: None for f in fields}).sql()[0]
    return sql


def _dump(value) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, default=str)


class Writer:
    """Makes changes and records each of them in the audit log."""

    def __init__(self, actor=None, username: str | None = None):
        self.actor = actor
        self.username = username or (actor.username if actor is not None else "系统")
        self.count = 0

    def log(self, action: str, record, before: dict | None = None, after: dict | None = None) -> None:
        """Record one change of `record` (a model instance)."""
        department_id = getattr(record, "department_id", None)
        if department_id is None and self.actor is not None:
            department_id = getattr(self.actor, "department_id", None)
        record_id = record.get_id()
        if not isinstance(record_id, int):  # text keys (settings) are named in before/after instead
            record_id = None
        AuditLog.create(
            at=clock.now(), user=self.actor, username=self.username, department=department_id,
            action=action, table=record._meta.table_name, record_id=record_id,
            before=_dump(before), after=_dump(after), address=_address(),
        )
        self.count += 1

    def create(self, model, **fields):
        """Insert a record and log it (through create_many's statements, compiled once)."""
        return self.create_many(model, [fields])[0]

    def create_many(self, model, rows: list[dict]) -> list:
        """Insert many records of one model (an import) and log each, as create() would: the two
        statements are compiled once and run row by row, instead of building the SQL 2 × N times."""
        if not rows:
            return []
        # The driver's errors as peewee's (IntegrityError …), as Model.create would raise them.
        with __exception_wrapper__:
            return self._create_many(model, rows)

    def _create_many(self, model, rows: list[dict]) -> list:
        objs = [model(**fields) for fields in rows]
        fields = [f for f in model._meta.sorted_fields if not (f.primary_key and objs[0].__data__.get(f.name) is None)]
        insert_sql = _compiled(model, fields)
        returning = db.param == "%s"  # PostgreSQL: the statement ends in RETURNING id
        given_key = any(f is model._meta.primary_key for f in fields)  # a text key (settings) is the caller's, not a rowid
        cursor = db.cursor()
        for obj in objs:
            cursor.execute(insert_sql, [f.db_value(obj.__data__.get(f.name)) for f in fields])
            if returning:
                key = cursor.fetchone()[0]
                if not given_key:
                    obj._pk = key
            elif not given_key:
                obj._pk = cursor.lastrowid
            obj._dirty.clear()
        log_fields = [AuditLog.at, AuditLog.user, AuditLog.username, AuditLog.department, AuditLog.action,
                      AuditLog.table, AuditLog.record_id, AuditLog.before, AuditLog.after, AuditLog.address]
        at, actor = clock.now(), self.actor.id if self.actor is not None else None
        fallback = getattr(self.actor, "department_id", None) if self.actor is not None else None
        address = _address()
        log_sql = _compiled(AuditLog, log_fields)
        for obj in objs:
            values = [at, actor, self.username, getattr(obj, "department_id", None) or fallback, "create",
                      model._meta.table_name, obj.get_id() if isinstance(obj.get_id(), int) else None,
                      None, _dump(obj.snapshot()), address]
            cursor.execute(log_sql, [f.db_value(v) for f, v in zip(log_fields, values)])
            if returning:
                cursor.fetchall()
        self.count += len(objs)
        return objs

    def update(self, obj, action: str = "update", **changes):
        """Change fields of a record; logs only the fields that really changed."""
        raw_before = dict(obj.__data__)
        before = obj.snapshot()
        for name, value in changes.items():
            setattr(obj, name, value)
        after = obj.snapshot()
        # Compare raw values: the snapshot masks secrets, which would hide that they changed.
        changed = {k for k in after if raw_before.get(k) != obj.__data__.get(k)}
        if changed:
            obj.save(only=[obj._meta.fields[k] for k in changed])
            self.log(action, obj, {k: before[k] for k in changed}, {k: after[k] for k in changed})
        return obj

    def delete(self, obj, action: str = "delete") -> None:
        """Remove a record that is part of another (a row of a draft); the log keeps it whole."""
        before = obj.snapshot()
        obj.delete_instance()
        self.log(action, obj, before, None)


@contextmanager
def write(actor=None, username: str | None = None):
    """One transaction for one user action, with its audit records and a new data version."""
    writer = Writer(actor if actor is not None else _actor(), username)
    with db.atomic():
        yield writer
        if writer.count:
            bump_version()


def bump_version() -> None:
    """Move the data version on; the first write of a database creates its row."""
    # Hand-written: every write runs it, and building the peewee query costs more than running it.
    updated = db.execute_sql(f"UPDATE data_version SET version = version + 1, changed_at = {db.param} WHERE id = 1",
                             (DataVersion.changed_at.db_value(clock.now()),)).rowcount
    if not updated:
        DataVersion.insert(id=1, version=1, changed_at=clock.now()).execute()
