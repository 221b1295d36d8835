"""Residents using a live service: the short feedback form a service embeds on its own site (no login, no cookie)."""
from flask import Blueprint

bp = Blueprint("feedback", __name__, url_prefix="/feedback")

from civictest.feedback import views  # noqa: E402,F401
