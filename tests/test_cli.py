"""Operator commands, each with its bad-input path: a clear message and exit code 1."""
from __future__ import annotations

from werkzeug.security import check_password_hash

from portal.models import Department, LoginSession, ServiceItem, User


def test_db_status_lists_the_applied_migrations(runner):
    result = runner.invoke(args=["db-status"])
    assert result.exit_code == 0 and "0001_initial" in result.output and "未应用" not in result.output


def test_db_upgrade_is_idempotent(runner):
    result = runner.invoke(args=["db-upgrade"])
    assert result.exit_code == 0 and "已是最新" in result.output


def test_seed_demo_loads_the_city_once(runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert Department.select().count() == 33
    assert ServiceItem.select().count() >= 133  # the csv; later demo steps adjust a list
    assert "chibi-demo-2026" in result.output and "gaj" in result.output
    gaj = User.get(User.username == "gaj")
    assert check_password_hash(gaj.password_hash, "chibi-demo-2026")
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 1 and "已有部门" in again.output
    keep = runner.invoke(args=["seed-demo", "--if-empty"])
    assert keep.exit_code == 0 and Department.select().count() == 33


def test_create_department(runner):
    ok = runner.invoke(args=["create-department", "--code", "wsj", "--name", "赤壁市卫生健康局"])
    assert ok.exit_code == 0 and Department.get(Department.code == "wsj").name == "赤壁市卫生健康局"
    dup = runner.invoke(args=["create-department", "--code", "wsj", "--name", "另一个局"])
    assert dup.exit_code == 1 and "已存在" in dup.output
    bad = runner.invoke(args=["create-department", "--code", "卫健", "--name", "x"])
    assert bad.exit_code == 1 and "部门代码" in bad.output
    empty = runner.invoke(args=["create-department", "--code", "abc", "--name", "  "])
    assert empty.exit_code == 1 and "不能为空" in empty.output
    assert Department.select().count() == 1


def test_create_user_with_password_asked_twice(runner, world):
    result = runner.invoke(args=["create-user", "zhang", "--role", "department", "--department", "gaj"],
                           input="long-enough-1\nlong-enough-1\n")
    assert result.exit_code == 0, result.output
    user = User.get(User.username == "zhang")
    assert user.department.code == "gaj" and check_password_hash(user.password_hash, "long-enough-1")


def test_create_user_generated_password_printed_once(runner, world):
    result = runner.invoke(args=["create-user", "li", "--role", "office", "--generate"])
    assert result.exit_code == 0 and "只显示这一次" in result.output
    password = result.output.strip().rsplit("：", 1)[1]
    assert check_password_hash(User.get(User.username == "li").password_hash, password)


def test_create_user_refuses_bad_input(runner, world):
    count = User.select().count()
    cases = [
        (["create-user", "x1", "--role", "department"], "必须用 --department"),
        (["create-user", "x2", "--role", "department", "--department", "nope"], "部门代码不存在"),
        (["create-user", "x3", "--role", "office", "--department", "gaj"], "只有部门经办人"),
        (["create-user", "gaj", "--role", "office", "--password", "long-enough-1"], "用户名已存在"),
        (["create-user", "x4", "--role", "office", "--password", "short"], "至少"),
        (["create-user", "a b", "--role", "office", "--password", "long-enough-1"], "不能含空格"),
    ]
    for args, message in cases:
        result = runner.invoke(args=args)
        assert result.exit_code == 1, (args, result.output)
        assert message in result.output, (args, result.output)
    bad_role = runner.invoke(args=["create-user", "x5", "--role", "boss"])
    assert bad_role.exit_code != 0
    assert User.select().count() == count


def test_set_password(runner, world, client):
    client.post("/login", data={"username": "gaj", "password": "test-password-1"})
    result = runner.invoke(args=["set-password", "gaj", "--password", "another-pass-2"])
    assert result.exit_code == 0
    assert check_password_hash(User.get(User.username == "gaj").password_hash, "another-pass-2")
    assert LoginSession.select().where(LoginSession.revoked_at.is_null()).count() == 0
    missing = runner.invoke(args=["set-password", "nobody", "--password", "another-pass-2"])
    assert missing.exit_code == 1 and "不存在" in missing.output
    short = runner.invoke(args=["set-password", "gaj", "--password", "short"])
    assert short.exit_code == 1
    assert check_password_hash(User.get(User.username == "gaj").password_hash, "another-pass-2")


def test_disable_user_bad_input(runner, world):
    assert runner.invoke(args=["disable-user", "nobody"]).exit_code == 1
    assert runner.invoke(args=["disable-user", "gaj"]).exit_code == 0
    again = runner.invoke(args=["disable-user", "gaj"])
    assert again.exit_code == 1 and "已是停用" in again.output
