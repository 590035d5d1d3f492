"""任期调整报告."""
from flask import Blueprint

bp = Blueprint("tenure", __name__, url_prefix="/tenure")

from . import views  # noqa: E402,F401
