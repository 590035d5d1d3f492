"""考核 — the leading group's assessment by period: scoring, locking (定稿), the 考核通报 and its workbook."""
from flask import Blueprint

bp = Blueprint("assessment", __name__, url_prefix="/assessment")

from . import views  # noqa: E402,F401
