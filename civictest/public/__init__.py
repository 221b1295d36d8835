"""Pages anyone may read without logging in.

Two blueprints: `public` (resident side: the home page's code box, open data, the fixes page, mail
unsubscribe) and `site` (both
sides of a split deployment: home page, health check, accessibility statement; see civictest/serving.py).
"""
from flask import Blueprint

bp = Blueprint("public", __name__)
site_bp = Blueprint("site", __name__)

from civictest.public import views  # noqa: E402,F401
from civictest.public import opendata  # noqa: E402,F401
from civictest.public import site  # noqa: E402,F401
from civictest.public import unsubscribe  # noqa: E402,F401
from civictest.public import survey_opendata  # noqa: E402,F401
