"""公开页面 — published lists, roster, letter verification, evaluations, window cards, bulletin, data
feed and highlight cases (views); what the channels are made of (service). No login."""
from flask import Blueprint

bp = Blueprint("public", __name__, url_prefix="/public")

from . import views  # noqa: E402,F401
