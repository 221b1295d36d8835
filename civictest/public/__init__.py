"""Pages anyone may read without logging in: home, health check, later open data."""
from flask import Blueprint

bp = Blueprint("public", __name__)

from civictest.public import views  # noqa: E402,F401
from civictest.public import opendata  # noqa: E402,F401
from civictest.public import unsubscribe  # noqa: E402,F401
from civictest.public import survey_opendata  # noqa: E402,F401
