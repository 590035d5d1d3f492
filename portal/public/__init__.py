"""公开页面 — published lists, roster, letter verification, evaluations (views); window cards,
bulletin, data feed and highlight cases (channels). No login."""
from flask import Blueprint

bp = Blueprint("public", __name__, url_prefix="/public")

from . import channels, views  # noqa: E402,F401
