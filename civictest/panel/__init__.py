"""The tester panel for residents (no login): join with double opt-in, the member's own page, personal links."""
from flask import Blueprint

bp = Blueprint("panel", __name__, url_prefix="/panel")

from civictest.panel import views  # noqa: E402,F401
