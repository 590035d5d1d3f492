"""抽查 (放权与监管衔接) — the office's random review of departments' finished matters. Under /admin
with the other office pages; its own area (views, service, forms, reminders)."""
from flask import Blueprint

bp = Blueprint("oversight", __name__, url_prefix="/admin")

from . import views  # noqa: E402,F401
