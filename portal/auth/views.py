"""Login, logout and password change. Sessions live on the server (security.py) so that logging out,
changing the password or disabling the account kills every copy of the cookie."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.security import check_password_hash

from .. import clock, security
from ..audit import write
from ..db import db
from ..models import User
from . import bp
from .forms import LoginForm, PasswordChangeForm

NEUTRAL = "用户名或密码错误。"


def safe_next(target: str | None) -> str | None:
    """Only our own paths: '/items?x=1' yes; '//evil', 'https://evil', '/\\evil' no."""
    if not target:
        return None
    target = target.strip()
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") \
            or "\\" in target or any(ord(c) < 32 for c in target):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    """登录: neutral message on any failure; throttled per user name and per address."""
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.home"))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        username = form.username.data.strip()
        address = request.remote_addr or ""
        if security.throttled(username, address):
            error = "登录失败次数过多，请15分钟后再试。"
            security.record_attempt(username, address, False)
        else:
            user = User.get_or_none(User.username == username)
            ok = check_password_hash(user.password_hash if user else security.dummy_hash(), form.password.data)
            if user is not None and ok and user.active:
                with db.atomic():
                    security.record_attempt(username, address, True)
                    session.clear()  # a fresh session: nothing carried over from before login
                    security.start_session(user)
                login_user(user)
                return redirect(safe_next(request.args.get("next")) or url_for("dashboard.home"))
            security.record_attempt(username, address, False)
            error = NEUTRAL
    return render_template("auth/login.html", form=form, error=error), (200 if error is None else 401)


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    """退出: the server-side session is revoked, so a copied cookie is dead too.

    GET only asks for confirmation: a link on another site must not be able to log anyone out."""
    if request.method == "GET" and current_user.is_authenticated:
        return render_template("auth/logout.html")
    if current_user.is_authenticated:
        security.revoke_session(current_user.get_id())
        logout_user()
    session.clear()
    flash("您已安全退出。", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """修改密码: needs the current password; ends every other session of the account."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        if not check_password_hash(user.password_hash, form.current.data):
            form.current.errors.append("当前密码不正确。")
        else:
            with write() as w:
                w.update(user, action="password", password_hash=security.hash_password(form.new.data),
                         password_changed_at=clock.now())
                security.revoke_all(user, keep=user.get_id())
            flash("密码已修改，其他设备上的登录已失效。", "success")
            return redirect(url_for("dashboard.home"))
    return render_template("auth/password.html", form=form)
