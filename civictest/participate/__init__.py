"""Residents: join with an invite code, consent, profile, one task per page, questionnaire, thanks, withdraw."""
from flask import Blueprint

bp = Blueprint("participate", __name__)

from civictest.participate import views  # noqa: E402,F401
