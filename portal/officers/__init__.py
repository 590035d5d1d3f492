"""首席服务员与授权委托书."""
from flask import Blueprint

bp = Blueprint("officers", __name__, url_prefix="/officers")

from . import views  # noqa: E402,F401
