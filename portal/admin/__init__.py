"""系统管理 — settings, departments, accounts and the audit log. The other office pages under /admin
(oversight, cases, documents) are areas of their own."""
from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from . import views  # noqa: E402,F401
