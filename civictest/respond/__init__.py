"""Answering a survey by a personal link (no login): one page with every item, Japanese or English, no JavaScript.

The token travels in the query string (the app's request log keeps the path only) and in the form's hidden
field; see docs/surveys.md for why the link can change its own answer but the database cannot say whose it is."""
from flask import Blueprint

bp = Blueprint("respond", __name__, url_prefix="/respond")

from civictest.respond import views  # noqa: E402,F401
