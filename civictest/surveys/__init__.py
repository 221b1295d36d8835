"""Surveys for staff (定点調査): surveys, items, waves, org units, roster upload, invitations, response rates.

Admins see every survey; other staff see the surveys of the departments whose services they work on."""
from flask import Blueprint

from civictest.security import require_staff

bp = Blueprint("surveys", __name__, url_prefix="/surveys")


@bp.before_request
def _access_rule() -> None:
    require_staff("admin", "service_team", "product_owner")


from civictest.surveys import views  # noqa: E402,F401
from civictest.surveys import roster_views  # noqa: E402,F401
