"""一事联办."""
from flask import Blueprint

bp = Blueprint("joint", __name__, url_prefix="/joint")

from . import views  # noqa: E402,F401
