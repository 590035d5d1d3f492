"""事项清单."""
from flask import Blueprint

bp = Blueprint("items", __name__, url_prefix="/items")

from . import views  # noqa: E402,F401
