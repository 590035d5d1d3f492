"""服务台账."""
from flask import Blueprint

bp = Blueprint("ledger", __name__, url_prefix="/ledger")

from . import views  # noqa: E402,F401
