"""亮点案例 and 公示渠道 — under /admin with the other office pages; its own area."""
from flask import Blueprint

bp = Blueprint("cases", __name__, url_prefix="/admin")

from . import views  # noqa: E402,F401
