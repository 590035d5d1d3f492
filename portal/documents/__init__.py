"""制度文件 (建章立制) — under /admin with the other office pages; its own area."""
from flask import Blueprint

bp = Blueprint("documents", __name__, url_prefix="/admin")

from . import views  # noqa: E402,F401
