"""Reliability: concurrent writers lose nothing and never see "database is locked"; online backup
under load, then restore, gives a sound database with every row."""
from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap
import threading

import pytest

from portal.audit import write
from portal.db import db
from portal.models import AuditLog, Evaluation, Investor, Matter, ServiceItem

THREADS = 6
PER_THREAD = 15


def _writer(kind: str, dept_id: int, tag: str, n: int, errors: list):
    """Write n records of one kind, each in its own audited transaction, as a request would."""
    try:
        for i in range(n):
            with write(username=tag) as w:
                if kind == "item":
                    w.create(ServiceItem, department=dept_id, seq=i, item_name=f"{tag}-事项{i}", sub_item_name=f"{tag}-办理项{i}",
                             item_type="行政许可", inclusion="待定")
                elif kind == "matter":
                    inv = Investor.get(Investor.department == dept_id)
                    w.create(Matter, department=dept_id, investor=inv, project=f"{tag}-项目{i}", received_date=dt.date(2026, 11, 2))
                else:
                    w.create(Evaluation, department=dept_id, level=5, comment=f"{tag}-{i}")
    except Exception as exc:  # collected, so the test reports every failure, not the first
        errors.append(repr(exc))
    finally:
        db.close()


SUBPROCESS = textwrap.dedent("""
    import sys
    from portal import create_app
    from tests.test_reliability import _writer
    app = create_app({"DATABASE_URL": sys.argv[1], "SECRET_KEY": "x", "TESTING": True})
    errors = []
    _writer(sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5]), errors)
    print("\\n".join(errors))
    sys.exit(1 if errors else 0)
""")


@pytest.mark.skipif("postgres" in (__import__("os").environ.get("TEST_DATABASE_URL") or ""), reason="SQLite locking")
def test_concurrent_writers_in_threads_and_processes_lose_nothing(app, world):
    with write(username="test") as w:
        w.create(Investor, department=world.gaj, name="湖北赤壁测试有限公司", credit_code="91421281MA49ABCD09")
    url = app.config["DATABASE_URL"]
    procs = [subprocess.Popen([sys.executable, "-c", SUBPROCESS, url, kind, str(world.gaj.id), f"proc{n}", str(PER_THREAD)],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
             for n, kind in enumerate(("item", "evaluation"))]
    errors: list = []
    threads = [threading.Thread(target=_writer, args=(kind, world.gaj.id, f"thr{n}", PER_THREAD, errors))
               for n, kind in enumerate(["item", "matter", "evaluation"] * (THREADS // 3))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    outputs = [p.communicate(timeout=120)[0] for p in procs]
    assert errors == []
    assert all(p.returncode == 0 for p in procs), outputs
    assert not any("locked" in o for o in outputs)
    per_kind = PER_THREAD * (THREADS // 3)
    assert ServiceItem.select().count() == per_kind + PER_THREAD
    assert Matter.select().count() == per_kind
    assert Evaluation.select().count() == per_kind + PER_THREAD
    # every write left its audit record
    assert AuditLog.select().where(AuditLog.username.startswith("thr") | AuditLog.username.startswith("proc")).count() == 3 * per_kind + 2 * PER_THREAD


@pytest.mark.skipif("postgres" in (__import__("os").environ.get("TEST_DATABASE_URL") or ""), reason="SQLite backup")
def test_backup_under_load_then_restore(app, world, runner, tmp_path):
    target = tmp_path / "backup.db"
    with write(username="test") as w:
        for i in range(50):
            w.create(Evaluation, department=world.gaj, level=4, comment=f"before-{i}")
    committed_before = Evaluation.select().count()
    stop = threading.Event()
    errors: list = []

    def keep_writing():
        i = 0
        while not stop.is_set() and i < 500:
            _writer("evaluation", world.fgj.id, f"load{i}", 1, errors)
            i += 1

    loader = threading.Thread(target=keep_writing)
    loader.start()
    try:
        result = runner.invoke(args=["backup", str(target)])
    finally:
        stop.set()
        loader.join()
    assert result.exit_code == 0, result.output
    assert "完整性校验通过" in result.output
    assert errors == []

    from portal.backup import counts, integrity

    assert integrity(str(target)) == "ok"
    saved = counts(str(target))
    assert saved["evaluation"] >= committed_before
    # More writes after the backup, then a restore brings back exactly the backup.
    with write(username="test") as w:
        w.create(Evaluation, department=world.gaj, level=1, comment="after backup")
    db.close()
    restored = runner.invoke(args=["restore", str(target), "--yes"])
    assert restored.exit_code == 0, restored.output
    assert Evaluation.select().count() == saved["evaluation"]
    assert not Evaluation.select().where(Evaluation.comment == "after backup").exists()
    assert db.execute_sql("PRAGMA integrity_check").fetchone()[0] == "ok"


@pytest.mark.skipif("postgres" in (__import__("os").environ.get("TEST_DATABASE_URL") or ""), reason="SQLite backup")
def test_backup_and_restore_refuse_bad_input(runner, tmp_path, world):
    existing = tmp_path / "exists.db"
    existing.write_bytes(b"")
    assert "不会覆盖" in runner.invoke(args=["backup", str(existing)]).output
    assert runner.invoke(args=["backup", str(tmp_path / "no-dir" / "x.db")]).exit_code == 1
    assert runner.invoke(args=["restore", str(tmp_path / "missing.db"), "--yes"]).exit_code == 1
    junk = tmp_path / "junk.db"
    junk.write_text("not a database")
    result = runner.invoke(args=["restore", str(junk), "--yes"])
    assert result.exit_code == 1 and "不是有效" in result.output
    assert Evaluation.select().count() == 0  # untouched by the refused restore
