"""公开页面 — what anyone on the intranet sees without logging in."""
from __future__ import annotations

from flask import render_template

from ..models import Department
from . import bp


@bp.route("/")
def index():
    """公开首页: the departments whose lists are published."""
    departments = list(Department.active_ordered())
    return render_template("public/index.html", departments=departments)
