"""System management by the office: departments, accounts, settings, the read-only audit log."""
from __future__ import annotations

import pytest
from werkzeug.security import check_password_hash

from portal.models import AuditLog, Department, Setting, User


def _count(model):
    return model.select().count()


def test_only_the_office_manages(login):
    for who in ("gaj", "leader"):
        client = login(who)
        assert client.get("/admin/").status_code == 403
        assert client.post("/admin/departments/new", data={"code": "x", "name": "y"}).status_code == 403
        client.post("/logout")


def test_office_adds_and_edits_a_department(login, world):
    client = login("office")
    response = client.post("/admin/departments/new", data={"code": "wsj", "name": "赤壁市卫生健康局", "has_window": "y", "active": "y"})
    assert response.status_code == 303
    dept = Department.get(Department.code == "wsj")
    assert dept.has_window and not dept.several_officers
    client.post(f"/admin/departments/{dept.id}", data={"code": "wsj", "name": "赤壁市卫生健康局", "several_officers": "y", "active": "y"})
    dept = Department.get_by_id(dept.id)
    assert dept.several_officers and not dept.has_window
    assert AuditLog.select().where((AuditLog.table == "department") & (AuditLog.record_id == dept.id)).count() == 2


@pytest.mark.parametrize("path, model, data, message", [
    ("/admin/departments/new", Department, {"code": "", "name": "赤壁市卫生健康局"}, "请填写部门代码"),
    ("/admin/departments/new", Department, {"code": "卫健", "name": "赤壁市卫生健康局"}, "只能由字母"),
    ("/admin/departments/new", Department, {"code": "gaj", "name": "赤壁市卫生健康局"}, "已被其他部门使用"),
    ("/admin/departments/new", Department, {"code": "wsj", "name": "赤壁市公安局"}, "已被其他部门使用"),
    ("/admin/departments/new", Department, {"code": "wsj", "name": ""}, "请填写部门名称"),
    ("/admin/users/new", User, {"username": "gaj", "role": "office"}, "用户名已存在"),
    ("/admin/users/new", User, {"username": "new1", "role": "department", "department": ""}, "必须选择所属部门"),
    ("/admin/users/new", User, {"username": "new2", "role": "leader", "department": "1"}, "只有部门经办人"),
    ("/admin/users/new", User, {"username": "new 3", "role": "office"}, "不能含空格"),
    ("/admin/users/new", User, {"username": "new4", "role": "office", "password": "short"}, "至少需要10个字符"),
    ("/admin/users/new", User, {"username": "new5", "role": "boss"}, "请选择角色"),
])
def test_bad_department_or_account_input_is_refused(login, world, path, model, data, message):
    client = login("office")
    before = _count(model)
    response = client.post(path, data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _count(model) == before


def test_office_creates_an_account_with_a_generated_password(login, world):
    client = login("office")
    response = client.post("/admin/users/new", data={"username": "wang", "role": "department", "department": str(world.fgj.id)}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "只显示这一次" in html
    password = html.split("只显示这一次）：", 1)[1].split("<", 1)[0].strip()
    assert check_password_hash(User.get(User.username == "wang").password_hash, password)




def test_disable_and_reset_end_sessions(app, login, world):
    other = app.test_client()
    other.post("/login", data={"username": "fgj", "password": "test-password-1"})
    assert other.get("/").status_code == 200
    client = login("office")
    fgj = User.get(User.username == "fgj")
    client.post(f"/admin/users/{fgj.id}/disable")
    assert not User.get_by_id(fgj.id).active
    assert other.get("/").status_code == 302
    client.post(f"/admin/users/{fgj.id}/enable")
    assert User.get_by_id(fgj.id).active
    client.post(f"/admin/users/{fgj.id}/reset")
    assert not check_password_hash(User.get_by_id(fgj.id).password_hash, "test-password-1")


def test_office_cannot_disable_itself(login, world):
    client = login("office")
    office = User.get(User.username == "office")
    html = client.post(f"/admin/users/{office.id}/disable", follow_redirects=True).get_data(as_text=True)
    assert "不能停用自己" in html and User.get_by_id(office.id).active


def test_settings_saved_and_bad_values_refused(login, world):
    client = login("office")
    ok = client.post("/admin/settings", data={"public_base_url": "https://zwfw.chibi.gov.cn/", "oversight_rate": "10",
                                              "oversight_minimum": "2", "oversight_answer_days": "7"})
    assert ok.status_code == 303
    assert Setting.get_value("public_base_url") == "https://zwfw.chibi.gov.cn"
    assert Setting.get_value("oversight_rate") == pytest.approx(0.1)
    bad = client.post("/admin/settings", data={"public_base_url": "not a url", "oversight_rate": "0",
                                               "oversight_minimum": "0", "oversight_answer_days": "100"})
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert "请填写完整地址" in html and "0.1%到100%" in html
    assert Setting.get_value("oversight_minimum") == 2


def test_audit_log_is_read_only_and_scoped(login, world):
    client = login("office")
    client.post(f"/admin/departments/{world.fgj.id}", data={"code": "fgj", "name": "赤壁市发展和改革局", "short_name": "发改", "has_window": "y", "active": "y"})
    assert "发改" in client.get("/admin/audit").get_data(as_text=True)
    assert client.post("/admin/audit").status_code == 405
    assert client.delete("/admin/audit").status_code == 405
    gaj = login("gaj")
    html = gaj.get("/admin/audit?table=department").get_data(as_text=True)
    assert "发改" not in html  # another department's history
    fragment = gaj.get("/admin/audit", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and "<table" in fragment
