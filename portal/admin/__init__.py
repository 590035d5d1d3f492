"""系统管理 — settings, departments and accounts (views), rule documents (documents), oversight
reviews (oversight), highlight cases (cases). One blueprint, one module per subject."""
from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from . import cases, documents, oversight, views  # noqa: E402,F401
