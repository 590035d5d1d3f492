"""Online backup and restore of the SQLite database (备份与恢复).

SQLite's backup API copies a consistent snapshot page by page while the portal keeps serving: readers
and writers are not stopped, and a write that lands during the copy makes the copy restart from a
consistent point. PostgreSQL installs use pg_dump / pg_restore instead."""
from __future__ import annotations

import os
import sqlite3


class BackupError(Exception):
    """Refused, with the reason in Chinese for the operator."""


def sqlite_path(url: str) -> str:
    if not url.startswith("sqlite:///"):
        raise BackupError("备份命令只适用于 SQLite 数据库；PostgreSQL 请使用 pg_dump / pg_restore。")
    return url[len("sqlite:///"):]


def integrity(path: str) -> str:
    """PRAGMA integrity_check of a database file ('ok' when sound)."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return con.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        con.close()


def backup(url: str, target: str) -> dict:
    """Copy the live database to `target` (which must not exist); returns row counts per table."""
    source_path = sqlite_path(url)
    if os.path.exists(target):
        raise BackupError(f"目标文件已存在：{target}（不会覆盖已有备份）")
    directory = os.path.dirname(os.path.abspath(target))
    if not os.path.isdir(directory):
        raise BackupError(f"目标目录不存在：{directory}")
    src = sqlite3.connect(source_path, timeout=30)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst, pages=256)
        dst.execute("PRAGMA journal_mode=DELETE")  # a backup is a single self-contained file
    finally:
        dst.close()
        src.close()
    result = integrity(target)
    if result != "ok":
        os.remove(target)
        raise BackupError(f"备份文件校验失败：{result}")
    return counts(target)


def restore(url: str, source: str) -> dict:
    """Replace the live database's content with a backup file, after checking the backup."""
    target_path = sqlite_path(url)
    if not os.path.exists(source):
        raise BackupError(f"备份文件不存在：{source}")
    try:
        result = integrity(source)
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"不是有效的数据库备份文件：{source}") from exc
    if result != "ok":
        raise BackupError(f"备份文件已损坏：{result}")
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target_path, timeout=30)
    try:
        if not src.execute("SELECT 1 FROM sqlite_master WHERE name = 'schema_migration'").fetchone():
            raise BackupError("该文件不是本门户的数据库备份。")
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    return counts(target_path)


def counts(path: str) -> dict:
    """Rows per table of a database file."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        return {t: con.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        con.close()
