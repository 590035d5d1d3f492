"""Home page (首页) with the to-do panel, and the health check."""
from __future__ import annotations

from flask import jsonify, render_template
from flask_login import current_user, login_required

from .. import clock, reminders
from ..db import db
from ..models import DataVersion
from . import bp


@bp.route("/")
@login_required
def home():
    """首页: who I am, and what waits for me (待办), overdue first."""
    todo = reminders.for_user(current_user, clock.today())
    return render_template("dashboard/home.html", todo=todo)


@bp.route("/healthz")
def healthz():
    """Health check for the operator and the load balancer: no login, no personal data."""
    try:
        version = DataVersion.current()
        db.execute_sql("SELECT 1")
        return jsonify(status="ok", database="ok", data_version=version)
    except Exception as exc:  # the health check reports instead of failing
        return jsonify(status="error", database=type(exc).__name__), 503
