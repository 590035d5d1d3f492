"""`make test` on a fresh machine: scripts/install-browser (Debian's chromium and its CJK font, installed
only as root with apt-get, otherwise one line saying what to install), the suite's template database
(migrated once per run, copied per test), and passwords hashed cheaply under TESTING only."""
from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import stat
import subprocess
import tempfile

import pytest
from werkzeug.security import check_password_hash, generate_password_hash

from portal import create_app, security
from portal.db import db
from portal.models import Department, User
from tests.conftest import PASSWORD, World, make_app, template_database

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(ROOT, "scripts", "install-browser")
BASH = shutil.which("bash") or "/bin/bash"
on_sqlite = pytest.mark.skipif("postgres" in (os.environ.get("TEST_DATABASE_URL") or ""),
                               reason="the template database is SQLite's")


# --- scripts/install-browser ----------------------------------------------------------------------------


@pytest.fixture
def fake_bin():
    """A PATH of fake tools: `fc-list` answers from $FAKE_FONTS, `apt-get` logs its arguments to $APT_LOG
    and "installs" chromium by creating an executable at $CHROMIUM. World-readable, so that a non-root
    user can run the script with it (pytest's own tmp_path is private to root)."""
    folder = tempfile.mkdtemp(prefix="install-browser-")
    os.chmod(folder, 0o755)
    chmod = shutil.which("chmod")
    tools = {
        "fc-list": '#!/bin/sh\n[ -n "$FAKE_FONTS" ] && echo "/fonts/wqy-microhei.ttc: WenQuanYi Micro Hei"\nexit 0\n',
        "apt-get": '#!/bin/sh\necho "$*" >> "$APT_LOG"\n'
                   f'[ "$1" = install ] && echo "#!/bin/sh" > "$CHROMIUM" && {chmod} +x "$CHROMIUM"\nexit 0\n',
    }
    for name, text in tools.items():
        path = os.path.join(folder, name)
        with open(path, "w") as fh:
            fh.write(text)
        os.chmod(path, 0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def run_script(fake_bin, *, chromium, fonts, apt_get=True, as_user=None):
    log = os.path.join(fake_bin, "apt.log")
    path = fake_bin
    if not apt_get:
        path = os.path.join(fake_bin, "no-apt")
        os.makedirs(path, exist_ok=True)
        os.symlink(os.path.join(fake_bin, "fc-list"), os.path.join(path, "fc-list"))
    env = {"PATH": path, "CHROMIUM": chromium, "APT_LOG": log, "FAKE_FONTS": "1" if fonts else ""}
    command = [BASH, SCRIPT]
    if as_user is not None:
        command = [shutil.which("setpriv"), f"--reuid={as_user}", f"--regid={as_user}", "--clear-groups", *command]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    calls = _read(log).decode().splitlines() if os.path.exists(log) else []
    return result, calls


def test_install_browser_does_nothing_when_both_are_there(fake_bin):
    result, calls = run_script(fake_bin, chromium="/bin/sh", fonts=True)
    assert result.returncode == 0 and result.stdout == "" and result.stderr == ""
    assert calls == []


@pytest.mark.skipif(os.geteuid() != 0, reason="installing is done as root")
def test_install_browser_as_root_updates_then_installs_what_is_missing(fake_bin):
    chromium = os.path.join(fake_bin, "chromium")
    result, calls = run_script(fake_bin, chromium=chromium, fonts=False)
    assert result.returncode == 0, result.stderr
    assert calls == ["update -qq", "install -y -qq chromium fonts-wqy-microhei"]
    assert os.access(chromium, os.X_OK)


@pytest.mark.skipif(os.geteuid() != 0, reason="installing is done as root")
def test_install_browser_installs_only_the_missing_font(fake_bin):
    result, calls = run_script(fake_bin, chromium="/bin/sh", fonts=False)
    assert result.returncode == 0, result.stderr
    assert calls == ["update -qq", "install -y -qq fonts-wqy-microhei"]


def _says_what_to_install(result, packages):
    lines = result.stderr.splitlines()
    assert result.returncode == 1 and result.stdout == ""
    assert len(lines) == 1, result.stderr
    assert f"apt-get install {packages}" in lines[0] and "root" in lines[0]


@pytest.mark.skipif(os.geteuid() == 0 and not shutil.which("setpriv"), reason="needs setpriv to drop root")
def test_install_browser_not_as_root_says_what_to_install(fake_bin):
    # Really as another user: `nobody` when the suite runs as root, else the suite's own user.
    result, calls = run_script(fake_bin, chromium="/nonexistent/chromium", fonts=False,
                               as_user=65534 if os.geteuid() == 0 else None)
    _says_what_to_install(result, "chromium fonts-wqy-microhei")
    assert calls == []


@pytest.mark.skipif(os.geteuid() != 0, reason="the root case without apt-get")
def test_install_browser_without_apt_get_says_what_to_install(fake_bin):
    result, calls = run_script(fake_bin, chromium="/nonexistent/chromium", fonts=True, apt_get=False)
    _says_what_to_install(result, "chromium")
    assert calls == []


def _read(path) -> bytes:
    with open(path, "rb") as fh:
        return fh.read()


def test_make_test_and_ci_call_the_one_script():
    makefile = _read(os.path.join(ROOT, "Makefile")).decode()
    test_recipe = makefile.split("\ntest: ", 1)[1].split("\n\n", 1)[0]
    assert "scripts/install-browser" in test_recipe
    assert test_recipe.index("scripts/install-browser") < test_recipe.index("pytest")
    ci = _read(os.path.join(ROOT, ".ci", "run")).decode()
    assert "scripts/install-browser" in ci and "apt-get" not in ci
    assert ci.index("make test\n") < ci.index("make test-pg")


# --- the template database -------------------------------------------------------------------------------


def _schema(path):
    conn = sqlite3.connect(path)
    try:
        schema = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name").fetchall()
        migrations = [r[0] for r in conn.execute("SELECT name FROM schema_migration ORDER BY name")]
        tables = [r[1] for r in schema if r[0] == "table" and not r[1].startswith("sqlite_")]
        rows = {t: conn.execute(f'SELECT * FROM "{t}"').fetchall() for t in tables if t != "schema_migration"}
        return schema, migrations, rows
    finally:
        conn.close()


@on_sqlite
def test_the_template_is_what_db_upgrade_makes_of_an_empty_file(tmp_path):
    path = tmp_path / "empty.db"
    os.environ["PORTAL_INSTANCE"] = str(tmp_path / "instance")
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "t"})
    result = app.test_cli_runner().invoke(args=["db-upgrade"])
    assert result.exit_code == 0 and "已应用迁移" in result.output and "0001_initial" in result.output
    db.obj.close_all()
    fresh, template = _schema(path), _schema(template_database())
    assert fresh[1] and fresh == template


@on_sqlite
def test_the_template_is_one_closed_wal_file():
    path = template_database()
    assert not os.path.exists(path + "-wal") and not os.path.exists(path + "-shm")
    header = _read(path)[:20]
    assert header[:16] == b"SQLite format 3\x00"
    assert header[18] == header[19] == 2  # the file's read/write versions: 2 is WAL mode


@on_sqlite
def test_each_app_gets_its_own_copy_and_the_template_stays_as_it_was(tmp_path):
    before = hashlib.sha256(_read(template_database())).hexdigest()
    make_app(tmp_path / "a")
    World().department("gaj", "赤壁市公安局")
    db.close()
    make_app(tmp_path / "b")
    assert not Department.select().exists()
    db.close()
    assert hashlib.sha256(_read(template_database())).hexdigest() == before
    assert stat.S_ISREG(os.stat(tmp_path / "a" / "portal.db").st_mode)


# --- password hashing -----------------------------------------------------------------------------------


def test_an_app_without_testing_hashes_with_werkzeugs_default_method(tmp_path):
    app = make_app(tmp_path, TESTING=False)
    default_method = generate_password_hash("x").split("$", 1)[0]
    assert default_method.startswith("scrypt:")
    with app.app_context():
        assert security.hash_password("long-enough-1").split("$", 1)[0] == default_method
        assert security.dummy_hash().split("$", 1)[0] == default_method
    # And through a real call site: the operator's create-user command.
    result = app.test_cli_runner().invoke(args=["create-user", "li", "--role", "office", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    stored = User.get(User.username == "li").password_hash
    db.close()
    assert stored.split("$", 1)[0] == default_method and check_password_hash(stored, PASSWORD)


def test_the_suites_apps_hash_with_the_cheap_method(app):
    with app.app_context():
        assert security.hash_password("long-enough-1").startswith(security.TESTING_PASSWORD_METHOD + "$")
        assert security.dummy_hash().startswith(security.TESTING_PASSWORD_METHOD + "$")
