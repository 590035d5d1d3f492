"""赤壁市“首席服务员”制度管理门户 — the application factory."""
from __future__ import annotations

import logging
import os
import secrets
import time

from flask import Flask, g, render_template, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.routing import IntegerConverter

from . import db as dbmod
from . import forms, htmx, reminders, security
from .config import Default

csrf = CSRFProtect()

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
AREAS = ("auth", "items", "officers", "tenure", "ledger", "joint", "dashboard", "public", "admin", "oversight",
         "cases", "documents", "assessment")
# The modules whose marked reminder sources make the to-do panel, registered by create_app.
REMINDER_MODULES = ("items.reminders", "officers.reminders", "ledger.reminders", "joint.reminders",
                    "oversight.reminders", "documents.reminders", "cases.reminders")

request_log = logging.getLogger("portal.request")

MAX_ID = 2**63 - 1


class BoundedInt(IntegerConverter):
    """The `int` URL converter, limited to ids the database can hold."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def _secret_key(app: Flask) -> str:
    """The secret key from the environment or the instance folder, made once and kept there."""
    key = os.environ.get("SECRET_KEY") or app.config.get("SECRET_KEY")
    if key:
        return key
    path = os.path.join(app.instance_path, "secret_key")
    if not os.path.exists(path):
        os.makedirs(app.instance_path, exist_ok=True)
        with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as fh:
            fh.write(secrets.token_hex(32))
    with open(path) as fh:
        return fh.read().strip()


def create_app(config: dict | None = None) -> Flask:
    """Build the portal: config, database, extensions, blueprints, CLI and error pages."""
    app = Flask(
        __name__,
        instance_path=os.environ.get("PORTAL_INSTANCE", os.path.join(ROOT, "instance")),
        instance_relative_config=True,
        template_folder=os.path.join(ROOT, "templates"),
        static_folder=os.path.join(ROOT, "static"),
    )
    # Ids beyond a 64-bit integer would overflow the database driver (a 500); they are simply not found.
    app.url_map.converters["int"] = BoundedInt
    app.config.from_object(Default)
    app.config.from_pyfile("config.py", silent=True)
    if os.environ.get("DATABASE_URL"):
        app.config["DATABASE_URL"] = os.environ["DATABASE_URL"]
    if os.environ.get("PORTAL_HTTPS") == "1":
        app.config["SESSION_COOKIE_SECURE"] = True
    if os.environ.get("PUBLIC_BASE_URL"):
        app.config["PUBLIC_BASE_URL"] = os.environ["PUBLIC_BASE_URL"]
    if os.environ.get("TRUSTED_PROXIES"):
        app.config["TRUSTED_PROXIES"] = int(os.environ["TRUSTED_PROXIES"])
    if config:
        app.config.update(config)
    if app.config.get("TRUSTED_PROXIES"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Behind n reverse proxies (each adds X-Forwarded-For/-Proto/-Host): the client's own address
        # (login throttling, audit log), the https scheme and the public host (QR codes, feeds) come
        # from their headers, trusted n deep.
        n = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    if not app.config.get("DATABASE_URL"):
        os.makedirs(app.instance_path, exist_ok=True)
        app.config["DATABASE_URL"] = "sqlite:///" + os.path.join(app.instance_path, "portal.db")
    app.config["SECRET_KEY"] = _secret_key(app)

    dbmod.init_app(app)
    csrf.init_app(app)
    htmx.init_app(app)
    forms.init_app(app)
    security.init_app(app)

    import importlib

    for area in AREAS:
        module = importlib.import_module(f"portal.{area}")
        app.register_blueprint(module.bp)
    for name in REMINDER_MODULES:
        reminders.register(importlib.import_module(f"portal.{name}"))

    from . import cli, filters

    cli.init_app(app)
    filters.init_app(app)
    _error_pages(app)
    _request_log(app)
    from . import poll

    poll.init_app(app)
    return app


def _error_pages(app: Flask) -> None:
    def page(status: int, title: str, message: str):
        template = "errors/fragment.html" if htmx.is_htmx() else "errors/page.html"
        response = app.make_response((render_template(template, status=status, title=title, message=message), status))
        if htmx.is_htmx():
            # htmx shows error responses in the page's message area instead of the target.
            response.headers["HX-Retarget"] = "#messages"
            response.headers["HX-Reswap"] = "innerHTML"
        return response

    # Each error the portal answers, in Chinese: (title, what to do). A long-open tab's stale CSRF
    # token is a 400 of its own, with the way out (reload).
    pages = {
        CSRFError: (400, "页面已过期", "页面打开时间过长或已在别处退出登录，请刷新页面后重试。您填写的内容尚未保存。"),
        400: (400, "请求有误", "提交的内容无法识别，请返回重试。"),
        403: (403, "无权访问", "您的账号没有使用此功能的权限。"),
        404: (404, "页面不存在", "您要找的页面或记录不存在。"),
        405: (405, "操作不允许", "此页面不支持该操作。"),
        413: (413, "文件过大", "上传的文件超过了允许的大小。"),
        500: (500, "系统出错", "系统暂时无法完成您的请求，已记录错误，请稍后重试或联系协调办。"),
    }
    for error, (status, title, message) in pages.items():
        app.register_error_handler(error, lambda e, s=status, t=title, m=message: page(s, t, m))


def _request_log(app: Flask) -> None:
    @app.before_request
    def _start():
        g._started = time.perf_counter()

    @app.after_request
    def _log(response):
        if not request_log.isEnabledFor(logging.INFO):  # not configured: no work on every request
            return response
        user = getattr(current_user, "username", "-") if current_user else "-"
        dept = getattr(current_user, "department_id", None) if current_user else None
        elapsed = (time.perf_counter() - g.get("_started", time.perf_counter())) * 1000
        request_log.info("%s %s %s user=%s dept=%s endpoint=%s %.1fms", request.method, request.path,
                         response.status_code, user, dept or "-", request.endpoint, elapsed)
        return response
