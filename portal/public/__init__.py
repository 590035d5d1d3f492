"""公开页面."""
from flask import Blueprint

bp = Blueprint("public", __name__, url_prefix="/public")

from . import views  # noqa: E402,F401
