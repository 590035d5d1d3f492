"""Login, logout and password change. Sessions live on the server (security.py) so that logging out,
changing the password or disabling the account kills every copy of the cookie."""
from __future__ import annotations

import math
from urllib.parse import urlsplit

from flask import current_app, flash, make_response, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.security import check_password_hash

from .. import clock, htmx, security
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
    """登录: one neutral message on any failure. Throttled by backoff (security.check_login): per
    browser where the account has logged in before, else per account and per address; an attempt inside
    the wait is answered 请稍后再试 without its password being checked, and is not counted."""
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.home"))
    form = LoginForm()
    error, status, wait = None, 200, 0
    if form.validate_on_submit():
        check = security.check_login(form.username.data.strip(), request.remote_addr or "")
        wait = check.wait
        if wait:
            error, status = f"登录失败次数较多，请稍后再试（{_duration(wait)}后可再次登录）。", 429
        else:
            user = User.get_or_none(User.username == check.username)
            ok = check_password_hash(user.password_hash if user else security.dummy_hash(), form.password.data)
            if user is not None and ok and user.active:
                with db.atomic():
                    failures = security.record_success(check)
                    session.clear()  # a fresh session: nothing carried over from before login
                    security.start_session(user)
                login_user(user)
                if failures >= current_app.config["LOGIN_NOTICE_FAILURES"]:
                    flash(f"自您上次登录以来，有{failures}次用您的账号登录失败。如果不是您本人操作，"
                          "请立即修改密码，并告知协调办。", "warning")
                response = redirect(safe_next(request.args.get("next")) or url_for("dashboard.home"))
                security.remember_device(response, user.username, check.device)
                return response
            security.record_failure(check)
            error, status = NEUTRAL, 401
    response = make_response(render_template("auth/login.html", form=form, error=error), status)
    if wait:
        response.headers["Retry-After"] = str(wait)
    return response


def _duration(seconds: int) -> str:
    """约N秒 / 约N分钟, for the wait message."""
    return f"{seconds}秒" if seconds < 60 else f"{math.ceil(seconds / 60)}分钟"


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
    return htmx.flash_redirect("您已安全退出。", "info", "auth.login")


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
            return htmx.flash_redirect("密码已修改，其他设备上的登录已失效。", "success", "dashboard.home")
    return render_template("auth/password.html", form=form)
