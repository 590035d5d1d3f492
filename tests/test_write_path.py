"""The write path has no side doors (issue 16 §4): every write to a model goes through ``write()`` (the
Writer's create / update / delete / log / set_setting), or its table is on ``audit.UNAUDITED`` with the
reason written there. Checked twice: in the source, model by model, and on the statements the
database really runs during a working session."""
from __future__ import annotations

import ast
import pathlib
import re
import sys

import peewee
import pytest

from portal import audit, models
from portal.db import db
from portal.models import AuditLog, Setting
from tests.conftest import PASSWORD

PORTAL = pathlib.Path(audit.__file__).parent
# A model's own methods that write; a call of one of them is a write to that model.
WRITE_METHODS = {"create", "insert", "insert_many", "insert_from", "update", "delete", "delete_by_id",
                 "replace", "replace_many", "bulk_create", "bulk_update", "get_or_create", "set_value"}
MODELS = {name: obj for name, obj in vars(models).items()
          if isinstance(obj, type) and issubclass(obj, peewee.Model) and obj.__module__ == models.__name__
          and not obj._meta.options.get("abstract") and name != "BaseModel"}
TABLES = {m._meta.table_name: name for name, m in MODELS.items()}


def _direct_writes() -> list[tuple[str, int, str, str]]:
    """(file, line, model, method) of every call of a write method on a model class, anywhere in the
    portal but the write path itself (audit.py). Inside a model's own class body, ``cls.…`` is that
    model."""
    found = []
    for path in sorted(PORTAL.rglob("*.py")):
        if path.name == "audit.py" and path.parent == PORTAL:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for top in ast.walk(tree):
            if not isinstance(top, ast.ClassDef):
                continue
            for node in ast.walk(top):
                if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                        and isinstance(node.func.value, ast.Name) and node.func.value.id == "cls"
                        and node.func.attr in WRITE_METHODS and top.name in MODELS):
                    found.append((str(path.relative_to(PORTAL)), node.lineno, top.name, node.func.attr))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and isinstance(node.func.value, ast.Name) and node.func.value.id in MODELS
                    and node.func.attr in WRITE_METHODS):
                found.append((str(path.relative_to(PORTAL)), node.lineno, node.func.value.id, node.func.attr))
    return found


def test_every_model_is_written_through_write_or_declared():
    """Model by model: a direct write outside audit.py is a side door unless the model is declared
    unaudited bookkeeping. Setting.set_value is the writer's own step (w.set_setting), so it is found
    in models.py (its definition) and nowhere else."""
    assert MODELS, "no models found"
    doors = []
    for path, line, model, method in _direct_writes():
        if model in audit.UNAUDITED:
            continue
        if (path, model, method) == ("models.py", "Setting", "insert"):  # set_value itself, called by the writer
            continue
        doors.append(f"{path}:{line} {model}.{method}")
    assert doors == [], "writes outside write(): " + ", ".join(doors)


def test_the_declared_bookkeeping_is_real_and_explained():
    """Each declared table is a model the portal does write directly, with a reason of some length."""
    direct = {model for _, _, model, _ in _direct_writes()}
    for model, reason in audit.UNAUDITED.items():
        assert model in MODELS, model
        assert model in direct, f"{model} is declared unaudited but never written directly: drop it"
        assert len(reason) > 30, model


def test_the_source_scan_finds_a_side_door(tmp_path, monkeypatch):
    """The scan would see a direct write: run it on a module that has one."""
    fake = tmp_path / "portal"
    fake.mkdir()
    (fake / "audit.py").write_text("")
    (fake / "sneaky.py").write_text("from .models import ServiceItem\nServiceItem.update(seq=1).execute()\n")
    monkeypatch.setattr(sys.modules[__name__], "PORTAL", fake)
    assert ("sneaky.py", 2, "ServiceItem", "update") in _direct_writes()


_WRITE_SQL = re.compile(r'^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+"?(\w+)"?', re.I)


@pytest.fixture
def statements(app):
    """Every changing statement the database runs, with whether a write() was open around it."""
    seen: list[tuple[str, str, bool]] = []
    database = db.obj
    original = database.execute_sql

    def spy(sql, params=None, *args, **kwargs):
        match = _WRITE_SQL.match(sql)
        if match:
            seen.append((match.group(1).split()[0].upper(), match.group(2), audit.in_write()))
        return original(sql, params, *args, **kwargs)

    database.execute_sql = spy
    try:
        yield seen
    finally:
        del database.execute_sql


def test_a_working_session_writes_only_through_write_or_bookkeeping(client, world, statements):
    """A failed login, a login, pages, a change of the settings and a logout: each statement that
    changes a table outside write() is on a declared table; the setting change is audited."""
    client.post("/login", data={"username": "office", "password": "wrong"})
    assert client.post("/login", data={"username": "office", "password": PASSWORD}).status_code == 302
    assert client.get("/admin/settings").status_code == 200
    response = client.post("/admin/settings", data={"public_base_url": "http://10.0.0.8", "oversight_rate": "6",
                                                     "oversight_minimum": "3", "oversight_answer_days": "10"})
    assert response.status_code == 303, response.get_data(as_text=True)
    client.post("/logout")

    outside = {(verb, table) for verb, table, inside in statements if not inside}
    declared = {models.__dict__[name]._meta.table_name for name in audit.UNAUDITED}
    assert {table for _, table in outside} <= declared, outside
    # The session really wrote bookkeeping (so the check above had something to check) …
    assert any(table == models.LoginAttempt._meta.table_name for _, table in outside)
    assert any(table == models.LoginSession._meta.table_name for _, table in outside)
    # … and the settings through the writer, with their audit entries.
    inside = {table for _, table, ok in statements if ok}
    assert {Setting._meta.table_name, AuditLog._meta.table_name} <= inside
    assert Setting.get_value("oversight_rate") == pytest.approx(0.06)
    assert AuditLog.select().where((AuditLog.action == "setting") & (AuditLog.table == "setting")).count() == 2
