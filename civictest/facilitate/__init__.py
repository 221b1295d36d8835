"""Facilitators at in-person sessions: who is on which task, observed outcomes, timer, assistance, notes."""
from flask import Blueprint

from civictest.security import require_staff

bp = Blueprint("facilitate", __name__, url_prefix="/facilitate")


@bp.before_request
def _access_rule() -> None:
    require_staff("facilitator", "service_team", "admin")


from civictest.facilitate import views  # noqa: E402,F401
from civictest.facilitate import booking_views  # noqa: E402,F401
