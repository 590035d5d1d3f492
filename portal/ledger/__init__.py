"""服务台账 — the department's investors and matters, the holiday list, and the answers to 好差评."""
from flask import Blueprint

bp = Blueprint("ledger", __name__, url_prefix="/ledger")

from . import views  # noqa: E402,F401
