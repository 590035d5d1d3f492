"""系统管理 — departments, accounts, general settings and the audit log (office); the audit log is
also readable by the leading group, and by a department for its own records."""
from __future__ import annotations

import json
import secrets
from decimal import Decimal

from flask import abort, flash, render_template, request, url_for
from flask_login import current_user
from peewee import IntegrityError

from .. import htmx, listing, rules, security
from ..access import any_role, office_required
from ..audit import write
from ..models import AuditLog, Department, Setting, User
from . import bp
from .forms import DepartmentForm, SettingsForm, UserForm


@bp.route("/")
@office_required
def index():
    """系统管理首页: departments, accounts and settings at a glance."""
    departments = list(Department.ordered())
    users = list(User.with_departments())
    return render_template("admin/index.html", departments=departments, users=users)


@bp.route("/departments/new", methods=["GET", "POST"])
@bp.route("/departments/<int:dept_id>", methods=["GET", "POST"])
@office_required
def department(dept_id=None):
    """新增或修改部门: name, window, whether several officers are allowed, active."""
    dept = Department.get_or_none(Department.id == dept_id) if dept_id else None
    if dept_id and dept is None:
        abort(404)
    form = DepartmentForm(obj=dept)
    if form.validate_on_submit():
        fields = dict(code=form.code.data.strip(), name=form.name.data.strip(),
                      short_name=(form.short_name.data or form.name.data).strip(), has_window=form.has_window.data,
                      several_officers=form.several_officers.data, active=form.active.data)
        if Department.taken(fields["code"], fields["name"], except_id=dept.id if dept is not None else None):
            form.code.errors.append("部门代码或名称已被其他部门使用。")
        else:
            try:
                with write() as w:
                    if dept is None:
                        fields["sort_order"] = Department.next_sort_order()
                        dept = w.create(Department, **fields)
                    else:
                        w.update(dept, **fields)
            except IntegrityError:
                form.code.errors.append("部门代码或名称已被其他部门使用。")
            else:
                return htmx.flash_redirect(f"已保存部门 {dept.name}。", "success", "admin.index")
    return render_template("admin/department.html", form=form, dept=dept), (422 if form.errors else 200)


def _department_choices():
    return [("", "（不属于部门）")] + [(str(d.id), d.name) for d in Department.active_ordered()]


@bp.route("/users/new", methods=["GET", "POST"])
@office_required
def user_new():
    """新增账号: the initial password is typed or generated and shown once."""
    form = UserForm()
    form.department.choices = _department_choices()
    generated = None
    if form.validate_on_submit():
        dept = None
        if form.role.data == rules.ROLE_DEPARTMENT:
            dept = Department.get_or_none(Department.id == (listing.record_id(form.department.data) or 0))
            if dept is None:
                form.department.errors.append("部门经办人账号必须选择所属部门。")
        elif form.department.data:
            form.department.errors.append("只有部门经办人账号属于某个部门。")
        username = form.username.data.strip()
        if User.username_taken(username):
            form.username.errors.append("用户名已存在。")
        if not form.errors:
            password = form.password.data or secrets.token_urlsafe(9)
            generated = None if form.password.data else password
            with write() as w:
                user = w.create(User, username=username, display_name=form.display_name.data or username,
                                role=form.role.data, department=dept, password_hash=security.hash_password(password))
            return htmx.flash_redirect(
                f"已新增账号 {user.username}。" + (f"初始密码（只显示这一次）：{generated}" if generated else ""),
                "success", "admin.index")
    return render_template("admin/user.html", form=form), (422 if form.errors else 200)


@bp.route("/users/<int:user_id>/disable", methods=["POST"])
@office_required
def user_disable(user_id):
    """停用账号: nothing is deleted; every session of the account ends."""
    user = User.get_or_none(User.id == user_id) or abort(404)
    if user.id == current_user.id:
        return htmx.flash_redirect("不能停用自己正在使用的账号。", "error", "admin.index")
    return _set_active(user, False)


@bp.route("/users/<int:user_id>/enable", methods=["POST"])
@office_required
def user_enable(user_id):
    """启用账号."""
    return _set_active(User.get_or_none(User.id == user_id) or abort(404), True)


def _set_active(user, active: bool):
    """Enable or disable an account; one already so records nothing (a second click, another tab)."""
    if user.active != active:
        with write() as w:
            w.update(user, action="enable" if active else "disable", active=active)
            if not active:
                security.revoke_all(user)
        flash(f"已{'启用' if active else '停用'}账号 {user.username}。", "success")
    return htmx.redirect_to(url_for("admin.index"))


@bp.route("/users/<int:user_id>/reset", methods=["POST"])
@office_required
def user_reset(user_id):
    """重置密码: a generated password shown once; the account's sessions end."""
    user = User.get_or_none(User.id == user_id) or abort(404)
    password = secrets.token_urlsafe(9)
    with write() as w:
        w.update(user, action="password", password_hash=security.hash_password(password))
        security.revoke_all(user)
    return htmx.flash_redirect(f"已重置 {user.username} 的密码，新密码（只显示这一次）：{password}", "success", "admin.index")


@bp.route("/settings", methods=["GET", "POST"])
@office_required
def settings():
    """系统设置: the public address for QR codes and feeds, and the oversight sampling settings."""
    form = SettingsForm()
    if request.method == "GET":
        form.public_base_url.data = Setting.get_value("public_base_url") or ""
        form.oversight_rate.data = Decimal(str(round(float(Setting.get_value("oversight_rate")) * 100, 1)))
        form.oversight_minimum.data = int(Setting.get_value("oversight_minimum"))
        form.oversight_answer_days.data = int(Setting.get_value("oversight_answer_days"))
    if form.validate_on_submit():
        values = {
            "public_base_url": (form.public_base_url.data or "").rstrip("/"),
            "oversight_rate": float(form.oversight_rate.data) / 100,
            "oversight_minimum": form.oversight_minimum.data,
            "oversight_answer_days": form.oversight_answer_days.data,
        }
        with write() as w:
            for key, value in values.items():
                w.set_setting(key, value)
        return htmx.flash_redirect("系统设置已保存。", "success", "admin.settings")
    return render_template("admin/settings.html", form=form), (422 if form.errors else 200)


@bp.route("/audit")
@any_role
def audit():
    """操作日志: read-only. The office and leaders see everything; a department only its own records."""
    table = request.args.get("table", "").strip()
    record = request.args.get("record", "").strip()
    who = request.args.get("user", "").strip()
    q = AuditLog.entries(current_user.department_id if current_user.is_department else None, table,
                         listing.record_id(record), who)
    page = listing.paginate(q)
    for entry in page.rows:
        entry.before_dict = json.loads(entry.before) if entry.before else {}
        entry.after_dict = json.loads(entry.after) if entry.after else {}
    return htmx.render("admin/audit.html", "admin/_audit_rows.html", page=page, table=table, record=record, who=who)
