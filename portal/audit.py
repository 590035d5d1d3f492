"""The one write path: every change is made inside `write()`, which opens one transaction (IMMEDIATE
on SQLite), records who changed what with the record before and after, and moves the data version.

    with write() as w:
        item = w.create(ServiceItem, department=dept, ...)
        w.update(item, inclusion="纳入")

Views never call .save() or .create() themselves, so no write escapes the audit log (操作日志).
The one exception is declared below (UNAUDITED), with its reason; tests/test_write_path.py holds the
code to it.
"""
from __future__ import annotations

import json
from contextlib import contextmanager
from contextvars import ContextVar
from types import SimpleNamespace

from flask import has_request_context, request
from flask_login import current_user
from peewee import AutoField, ForeignKeyField, __exception_wrapper__

from . import clock
from .db import db
from .models import AuditLog, DataVersion, Setting

# The one unaudited bookkeeping (不记操作日志的记录): the tables written outside write(), and why.
# Nothing else may be. Logging these would make the audit log record its own reading: every request
# of a signed-in user touches its session, and every login try is itself the record kept of it.
UNAUDITED = {
    "LoginAttempt": "登录尝试: the throttle's own record of each try (security.py); it is the log of logins, "
                    "kept apart so that a password-guessing run cannot flood the audit log",
    "LoginSession": "登录会话: created at login, touched on each request, revoked at logout (security.py); "
                    "an audit entry per request would drown the changes the log is for",
}

# Whether a write() transaction is open in this context: the test of the write path reads it.
_in_write: ContextVar[bool] = ContextVar("in_write", default=False)


def in_write() -> bool:
    """True inside ``with write()``: a change made now is audited."""
    return _in_write.get()


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
# The columns of an audit entry, in the order the batch writers below give their values.
_LOG_FIELDS = (AuditLog.at, AuditLog.user, AuditLog.username, AuditLog.department, AuditLog.action,
               AuditLog.table, AuditLog.record_id, AuditLog.before, AuditLog.after, AuditLog.address)


def _compiled(model, fields) -> str:
    """INSERT INTO <model> (<fields>) VALUES (…) as SQL text for this kind of database, built once."""
    key = (model, tuple(f.name for f in fields), type(db.obj))
    sql = _STATEMENTS.get(key)
    if sql is None:
        sql = _STATEMENTS[key] = model.insert({f: None for f in fields}).sql()[0]
    return sql


# One encoder for every entry: json.dumps with options builds a new one on each call, and an import
# writes thousands of entries.
_ENCODER = json.JSONEncoder(ensure_ascii=False, default=str)


def _dump(value) -> str | None:
    return None if value is None else _ENCODER.encode(value)


class Writer:
    """Makes changes and records each of them in the audit log."""

    def __init__(self, actor=None, username: str | None = None):
        self.actor = actor
        self.username = username or (actor.username if actor is not None else "系统")
        self.count = 0

    def log(self, action: str, record, before: dict | None = None, after: dict | None = None, at=None) -> None:
        """Record one change of `record` (a model instance); `at` for an event the demo city replays."""
        department_id = getattr(record, "department_id", None)
        if department_id is None and self.actor is not None:
            department_id = getattr(self.actor, "department_id", None)
        record_id = record._pk  # not get_id(): User overrides it for flask-login (the session token)
        if not isinstance(record_id, int):  # text keys (settings) are named in before/after instead
            record_id = None
        AuditLog.create(
            at=at or clock.now(), user=self.actor, username=self.username, department=department_id,
            action=action, table=record._meta.table_name, record_id=record_id,
            before=_dump(before), after=_dump(after), address=_address(),
        )
        self.count += 1

    def _entry_context(self) -> tuple:
        """What every entry of a batch shares: (time, user id, the user's department for records
        without one of their own, address)."""
        actor = self.actor
        return (clock.now(), actor.id if actor is not None else None,
                getattr(actor, "department_id", None) if actor is not None else None, _address())

    def set_setting(self, key: str, value) -> bool:
        """设置: change one office setting (a JSON value) and log it with its value before; an unchanged
        value writes nothing. Returns whether it changed."""
        before = Setting.get_value(key)
        if before == value:
            return False
        Setting.set_value(key, value)
        self.log("setting", Setting.get_by_id(key), {key: before}, {key: value})
        return True

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
        at, actor, fallback, address = self._entry_context()
        log_sql = _compiled(AuditLog, _LOG_FIELDS)
        for obj in objs:
            values = [at, actor, self.username, getattr(obj, "department_id", None) or fallback, "create",
                      model._meta.table_name, obj._pk if isinstance(obj._pk, int) else None,
                      None, _dump(obj.snapshot()), address]
            cursor.execute(log_sql, [f.db_value(v) for f, v in zip(_LOG_FIELDS, values)])
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

    def create_rows(self, model, rows: list[dict], common: dict | None = None) -> list[int]:
        """Insert many records of one model from plain values and log each exactly as create_many()
        does (the same INSERT, the same audit entry with the record as snapshot() shows it), for an
        import of thousands of rows whose caller needs no model instances back.

        Why not create_many: building a model instance, its snapshot and its column values field by
        field for each row cost more than the INSERTs themselves. Here what every row shares (the
        fields' defaults and `common`: the department, the time of the import) becomes column and
        snapshot values once; only the fields that the rows name are turned into values per row.
        Every row names the same fields (field names; a related record as itself or its id).
        Returns the new records' ids, in the rows' order."""
        if not rows:
            return []
        meta = model._meta
        if not isinstance(meta.primary_key, AutoField):  # a key the caller gives: create_many's case
            objs = self.create_many(model, [{**(common or {}), **row} for row in rows])
            return [obj.get_id() for obj in objs]
        names = rows[0].keys()
        if any(row.keys() != names for row in rows):
            raise ValueError("create_rows: every row must name the same fields")

        def held(name, value):
            # As a foreign key's setter stores a related record: by its key.
            field = meta.fields[name]
            if isinstance(field, ForeignKeyField) and isinstance(value, field.rel_model):
                return getattr(value, field.rel_field.name)
            return value

        # The record as Model(**values) holds it: the defaults (a callable one is called for each
        # record, as Model() does, unless the value is given), `common`, then the row's own values.
        shared = dict(meta._default_by_name)
        shared.update({name: held(name, value) for name, value in (common or {}).items()})
        per_record = [(name, default) for name, default in meta._default_callable_list
                      if name not in shared and name not in names]
        related = [name for name in names if isinstance(meta.fields[name], ForeignKeyField)]
        varying = [meta.fields[name] for name in names] + [meta.fields[name] for name, _ in per_record]
        columns = [f for f in meta.sorted_fields if f is not meta.primary_key]
        position = {f.name: i for i, f in enumerate(columns)}  # (by name: fields' == builds SQL)
        slots = [(position[f.name], f.db_value, f.name) for f in varying]
        shared_params = [f.db_value(shared.get(f.name)) for f in columns]
        # snapshot() itself on a stand-in holding only what it reads, so that its rules (dates as
        # text, secrets masked) stay in one place: on the shared values once, on each row's per row.
        shared_after = model.snapshot(SimpleNamespace(_meta=meta, __data__=shared))
        row_values = SimpleNamespace(_meta=SimpleNamespace(sorted_fields=varying), __data__=None)
        # The audit entry's department, as create_many takes it: the record's own, else the user's.
        own_department = isinstance(meta.fields.get("department"), ForeignKeyField)
        at, actor, fallback, address = self._entry_context()

        insert_sql = _compiled(model, columns)
        returning = db.param == "%s"  # PostgreSQL: the statement ends in RETURNING id
        log_sql = _compiled(AuditLog, _LOG_FIELDS)
        entry = [f.db_value(v) for f, v in zip(_LOG_FIELDS, [
            at, actor, self.username, None, "create", meta.table_name, None, None, None, address])]
        ids, entries = [], []
        with __exception_wrapper__:  # the driver's errors as peewee's (IntegrityError …), as create() raises them
            cursor = db.cursor()
            for row in rows:
                values = dict(row)
                for name in related:
                    values[name] = held(name, values[name])
                for name, default in per_record:
                    values[name] = default()
                params = shared_params.copy()
                for index, db_value, name in slots:
                    params[index] = db_value(values[name])
                cursor.execute(insert_sql, params)
                new_id = cursor.fetchone()[0] if returning else cursor.lastrowid
                row_values.__data__ = values
                after = shared_after.copy()  # keeps snapshot()'s order of the keys
                after.update(model.snapshot(row_values))
                after[meta.primary_key.name] = new_id
                log = entry.copy()
                department = (values.get("department", shared.get("department")) if own_department else None)
                log[3] = AuditLog.department.db_value(department or fallback)
                log[6], log[8] = new_id, _dump(after)
                ids.append(new_id)
                entries.append(log)
            if returning:  # each statement's RETURNING row is read before the next one runs
                for log in entries:
                    cursor.execute(log_sql, log)
                    cursor.fetchall()
            else:
                cursor.executemany(log_sql, entries)
        self.count += len(rows)
        return ids

    def update_many(self, changes: list[tuple], action: str = "update") -> int:
        """update() for many records, given as (record, {field: value}) pairs (an import's matched
        rows): the same comparison, UPDATE of the fields that really changed and audit entry with
        them before and after, but with the statements compiled once per set of changed columns
        instead of built by peewee for every record. Returns how many records really changed."""
        log_sql = _compiled(AuditLog, _LOG_FIELDS)
        at, actor, fallback, address = self._entry_context()
        returning = db.param == "%s"  # PostgreSQL: the audit INSERT ends in RETURNING id
        changed_records = 0
        with __exception_wrapper__:  # the driver's errors as peewee's, as save() raises them
            cursor = db.cursor()
            for obj, values in changes:
                meta = obj._meta
                raw_before = dict(obj.__data__)
                before = obj.snapshot()
                for name, value in values.items():
                    setattr(obj, name, value)
                after = obj.snapshot()
                # Raw values, as update() compares them (the snapshot masks secrets); in the fields' order.
                changed = [k for k in after if raw_before.get(k) != obj.__data__.get(k)]
                if not changed:
                    continue
                fields = [meta.fields[k] for k in changed]
                key = ("update", type(obj), tuple(changed), type(db.obj))
                update_sql = _STATEMENTS.get(key)
                if update_sql is None:
                    update_sql = _STATEMENTS[key] = (type(obj).update({f: None for f in fields})
                                                     .where(meta.primary_key == 0).sql()[0])
                cursor.execute(update_sql, [f.db_value(obj.__data__[f.name]) for f in fields]
                               + [meta.primary_key.db_value(obj.get_id())])
                obj._dirty -= set(changed)  # as save() leaves a record: what it saved is no longer dirty
                record_id = obj.get_id()
                entry = [at, actor, self.username, getattr(obj, "department_id", None) or fallback, action,
                         meta.table_name, record_id if isinstance(record_id, int) else None,
                         _dump({k: before[k] for k in changed}), _dump({k: after[k] for k in changed}), address]
                cursor.execute(log_sql, [f.db_value(v) for f, v in zip(_LOG_FIELDS, entry)])
                if returning:
                    cursor.fetchall()
                changed_records += 1
        self.count += changed_records
        return changed_records


@contextmanager
def write(actor=None, username: str | None = None):
    """One transaction for one user action, with its audit records and a new data version."""
    writer = Writer(actor if actor is not None else _actor(), username)
    token = _in_write.set(True)
    try:
        with db.atomic():
            yield writer
            if writer.count:
                bump_version()
    finally:
        _in_write.reset(token)


def bump_version() -> None:
    """Move the data version on; the first write of a database creates its row."""
    # Hand-written: every write runs it, and building the peewee query costs more than running it.
    updated = db.execute_sql(f"UPDATE data_version SET version = version + 1, changed_at = {db.param} WHERE id = 1",
                             (DataVersion.changed_at.db_value(clock.now()),)).rowcount
    if not updated:
        DataVersion.insert(id=1, version=1, changed_at=clock.now()).execute()
