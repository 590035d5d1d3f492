"""Operator commands: `flask --app wsgi <command>`. Bad input is refused with a clear message and exit
code 1 (click.ClickException)."""
from __future__ import annotations

import secrets

import click
from peewee import IntegrityError
from werkzeug.security import check_password_hash

from . import db as dbmod
from . import rules, security
from .audit import write
from .db import db
from .forms import account_names
from .models import Department, User


def _copy_rows(step, database_url: str, path: str) -> int:
    """Run a backup or a restore; the rows it copied, or the command fails with the reason in Chinese."""
    from .backup import BackupError

    try:
        return sum(step(database_url, path).values())
    except BackupError as exc:
        _fail(str(exc))


def _fail(message: str):
    raise click.ClickException(message)


def _password(value: str | None, generate: bool, names=(), current_hash: str | None = None) -> tuple[str, bool]:
    """The password given, asked twice, or generated (then printed once). A given one must pass the
    portal's password rules (rules.password_problem): not the account's names (`names`), nor its
    current password (`current_hash`)."""
    if generate:
        return secrets.token_urlsafe(12), True
    if value is None:
        value = click.prompt("密码", hide_input=True, confirmation_prompt="再次输入密码")
    same = bool(current_hash) and check_password_hash(current_hash, value)
    problem = rules.password_problem(value, names, current_hash_matches=same)
    if problem:
        _fail(problem)
    return value, False


def init_app(app) -> None:
    from . import cli_ops, cli_text

    cli_ops.init_app(app)
    cli_text.init_app(app)

    @app.cli.command("backup")
    @click.argument("path")
    def backup_command(path):
        """Online backup of the SQLite database to PATH (在线备份)."""
        from .backup import backup

        rows = _copy_rows(backup, app.config["DATABASE_URL"], path)
        click.echo(f"已备份到 {path}，完整性校验通过，共 {rows} 行。")

    @app.cli.command("restore")
    @click.argument("path")
    @click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
    def restore_command(path, yes):
        """Restore the SQLite database from a backup file (从备份恢复). Stop the portal first."""
        from .backup import restore

        if not yes:
            click.confirm("恢复将用备份内容替换当前数据库的全部数据，确定继续吗？", abort=True)
        rows = _copy_rows(restore, app.config["DATABASE_URL"], path)
        click.echo(f"已从 {path} 恢复，共 {rows} 行。")

    @app.cli.command("db-upgrade")
    def db_upgrade():
        """Apply pending migrations (升级数据库结构)."""
        applied = dbmod.upgrade()
        click.echo("已应用迁移: " + ", ".join(applied) if applied else "数据库已是最新。")

    @app.cli.command("db-status")
    def db_status():
        """List migrations and whether each is applied."""
        rows = dbmod.status()
        for m in rows:
            state = m.applied.strftime("%Y-%m-%d %H:%M") if m.applied else "未应用"
            click.echo(f"{m.name:40s} {state}")
        pending = [m for m in rows if not m.applied]
        if pending:
            click.echo(f"{len(pending)} 个迁移待应用：请运行 flask --app wsgi db-upgrade")

    @app.cli.command("seed-demo")
    @click.option("--if-empty", is_flag=True, help="Only when the database holds no department yet.")
    def seed_demo(if_empty):
        """Load the demo city (演示数据) and print the demo logins."""
        from .demo import load_demo, print_logins

        with db.connection_context():
            if _pending():
                _fail("数据库结构不是最新的，请先运行 flask --app wsgi db-upgrade。")
            if Department.select().exists():
                if if_empty:
                    click.echo("演示数据已存在，保留现有数据。")
                    print_logins(click.echo)
                    return
                _fail("数据库中已有部门，演示数据只能载入空数据库。")
            load_demo()
            print_logins(click.echo)

    @app.cli.command("create-department")
    @click.option("--code", required=True, help="Short code, e.g. gaj.")
    @click.option("--name", required=True, help="Full name, e.g. 赤壁市公安局.")
    @click.option("--short-name", default="")
    @click.option("--several-officers", is_flag=True)
    @click.option("--no-window", is_flag=True)
    def create_department(code, name, short_name, several_officers, no_window):
        """Add a department (新增部门)."""
        code, name = code.strip(), name.strip()
        if not code or not code.isascii() or not code.replace("-", "").replace("_", "").isalnum():
            _fail("部门代码只能由字母、数字、-、_ 组成。")
        if not name:
            _fail("部门名称不能为空。")
        with db.connection_context():
            if Department.select().where((Department.code == code) | (Department.name == name)).exists():
                _fail(f"部门代码或名称已存在：{code} / {name}")
            with write(username="cli") as w:
                dept = w.create(Department, code=code, name=name, short_name=short_name or name,
                                several_officers=several_officers, has_window=not no_window)
        click.echo(f"已新增部门 {dept.name}（{dept.code}）。")

    @app.cli.command("create-user")
    @click.argument("username")
    @click.option("--role", type=click.Choice(list(rules.ROLES)), required=True)
    @click.option("--department", "department_code", default=None, help="Department code (role department).")
    @click.option("--name", "display_name", default="")
    @click.option("--password", default=None, help="Omit to be asked twice.")
    @click.option("--generate", is_flag=True, help="Generate a password and print it once.")
    def create_user(username, role, department_code, display_name, password, generate):
        """Add an account (新增账号)."""
        username = username.strip()
        if not username or len(username) > 64 or any(c.isspace() for c in username):
            _fail("用户名不能为空、不能含空格，最长64个字符。")
        with db.connection_context():
            dept = None
            if role == rules.ROLE_DEPARTMENT:
                if not department_code:
                    _fail("部门经办人账号必须用 --department 指定部门代码。")
                dept = Department.get_or_none(Department.code == department_code)
                if dept is None:
                    _fail(f"部门代码不存在：{department_code}")
            elif department_code:
                _fail("只有部门经办人账号属于某个部门。")
            if User.select().where(User.username == username).exists():
                _fail(f"用户名已存在：{username}")
            pw, generated = _password(password, generate, account_names(username, display_name, dept))
            try:
                with write(username="cli") as w:
                    w.create(User, username=username, role=role, department=dept,
                             display_name=display_name or username, password_hash=security.hash_password(pw))
            except IntegrityError:
                _fail(f"用户名已存在：{username}")
        click.echo(f"已新增账号 {username}（{rules.ROLE_LABELS[role]}）。")
        if generated:
            click.echo(f"初始密码（只显示这一次）：{pw}")

    @app.cli.command("set-password")
    @click.argument("username")
    @click.option("--password", default=None, help="Omit to be asked twice.")
    @click.option("--generate", is_flag=True)
    def set_password(username, password, generate):
        """Reset an account's password (重置密码); ends its sessions."""
        with db.connection_context():
            user = User.get_or_none(User.username == username)
            if user is None:
                _fail(f"用户名不存在：{username}")
            pw, generated = _password(password, generate,
                                      account_names(user.username, user.display_name, user.department),
                                      user.password_hash)
            with write(username="cli") as w:
                w.update(user, action="password", password_hash=security.hash_password(pw))
                security.revoke_all(user)
        click.echo(f"已重置 {username} 的密码，其所有登录已失效。")
        if generated:
            click.echo(f"新密码（只显示这一次）：{pw}")

    @app.cli.command("disable-user")
    @click.argument("username")
    def disable_user(username):
        """Disable an account (停用账号); ends its sessions. Nothing is deleted."""
        with db.connection_context():
            user = User.get_or_none(User.username == username)
            if user is None:
                _fail(f"用户名不存在：{username}")
            if not user.active:
                _fail(f"账号已是停用状态：{username}")
            with write(username="cli") as w:
                w.update(user, action="disable", active=False)
                security.revoke_all(user)
        click.echo(f"已停用账号 {username}。")


def _pending() -> bool:
    return any(not m.applied for m in dbmod.runner().status())
