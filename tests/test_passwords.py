"""Password rules wherever a password is set (issue 20 §4): the change form, the office's new account,
the CLI's create-user and set-password. At least 10 characters, not a common one, not the account's
names, not the current one; each refusal with its clear message and nothing changed."""
from __future__ import annotations

import pytest
from werkzeug.security import check_password_hash

from portal.models import AuditLog, User
from tests.conftest import PASSWORD


def _hash(username):
    return User.get(User.username == username).password_hash


@pytest.mark.parametrize("new, message", [
    (PASSWORD, "新密码不能与当前密码相同"),
    ("short-9", "至少需要10个字符"),
    ("password123", "这个密码太常见"),
    ("chibi123456", "这个密码太常见"),
    ("1234567890", "这个密码太常见"),
    ("gaj-2026-gaj", "不能使用用户名"),
    ("赤壁市公安局2026", "不能使用用户名"),
])
def test_the_password_change_refuses_weak_and_unchanged_passwords(login, new, message):
    client = login("gaj")
    before = _hash("gaj")
    response = client.post("/account/password", data={"current": PASSWORD, "new": new, "confirm": new})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and message in html
    assert _hash("gaj") == before
    assert AuditLog.select().where(AuditLog.action == "password").count() == 0


def test_a_good_new_password_is_taken(login):
    client = login("gaj")
    response = client.post("/account/password", data={"current": PASSWORD, "new": "雨后-窗口-2026", "confirm": "雨后-窗口-2026"})
    assert response.status_code == 303
    assert check_password_hash(_hash("gaj"), "雨后-窗口-2026")


@pytest.mark.parametrize("data, message", [
    ({"username": "wang", "role": "office", "password": "password2026"}, "这个密码太常见"),
    ({"username": "wangfang", "role": "office", "password": "wangfang-2026"}, "不能使用用户名"),
    ({"username": "li", "display_name": "李明华", "role": "office", "password": "李明华-1234567"}, "不能使用用户名"),
    ({"username": "zhao", "role": "department", "department": "1", "password": "gaj_12345678"}, "不能使用用户名"),
    ({"username": "sun", "role": "office", "password": "nine-char"}, "至少需要10个字符"),
])
def test_a_new_account_refuses_weak_passwords(login, world, data, message):
    client = login("office")
    data.setdefault("department", "")
    if data["department"]:
        data["department"] = str(world.gaj.id)
    count = User.select().count()
    response = client.post("/admin/users/new", data=data)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert User.select().count() == count


def test_a_new_account_with_a_department_id_no_database_holds(login, world):
    response = login("office").post("/admin/users/new", data={
        "username": "zhou", "role": "department", "department": "9" * 20, "password": "雨后-窗口-2026"})
    assert response.status_code == 422 and "必须选择所属部门" in response.get_data(as_text=True)


def test_generated_passwords_pass_the_rules(login, world):
    from portal import rules

    html = login("office").post("/admin/users/new", data={"username": "wu", "role": "office", "department": ""},
                                follow_redirects=True).get_data(as_text=True)
    password = html.split("只显示这一次）：", 1)[1].split("<", 1)[0].strip()
    assert rules.password_problem(password, ["wu"]) is None


@pytest.mark.parametrize("args, message", [
    (["create-user", "qian", "--role", "office", "--password", "qwertyuiop"], "这个密码太常见"),
    (["create-user", "qianli", "--role", "office", "--password", "QianLi-2026"], "不能使用用户名"),
    (["create-user", "feng", "--role", "department", "--department", "fgj", "--password", "fgj-20261126"],
     "不能使用用户名"),
    (["create-user", "chen", "--role", "office", "--password", "123456789"], "至少需要10个字符"),
])
def test_create_user_refuses_weak_passwords(runner, world, args, message):
    count = User.select().count()
    result = runner.invoke(args=args)
    assert result.exit_code == 1 and message in result.output, result.output
    assert User.select().count() == count


@pytest.mark.parametrize("password, message", [
    (PASSWORD, "新密码不能与当前密码相同"),
    ("password-1", "这个密码太常见"),
    ("gaj经办人2026", "不能使用用户名"),
])
def test_set_password_refuses_weak_and_unchanged_passwords(runner, world, password, message):
    before = _hash("gaj")
    result = runner.invoke(args=["set-password", "gaj", "--password", password])
    assert result.exit_code == 1 and message in result.output, result.output
    assert _hash("gaj") == before
