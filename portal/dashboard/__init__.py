"""首页与看板 — each user's home page with the to-do panel, and the office's dashboard."""
from flask import Blueprint

bp = Blueprint("dashboard", __name__)

from . import views  # noqa: E402,F401
