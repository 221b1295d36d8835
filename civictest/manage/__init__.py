"""Authoring for admins and service teams: departments, services, tasks, iterations, studies, sessions, staff."""
from flask import Blueprint

from civictest.security import MANAGE_ROLES, require_staff

bp = Blueprint("manage", __name__, url_prefix="/manage")


@bp.before_request
def _access_rule() -> None:
    require_staff(*MANAGE_ROLES)


from civictest.manage import views  # noqa: E402,F401
from civictest.manage import imports  # noqa: E402,F401
from civictest.manage import exports  # noqa: E402,F401
from civictest.manage import panel_views  # noqa: E402,F401
from civictest.manage import mail_views  # noqa: E402,F401
from civictest.manage import booking_views  # noqa: E402,F401
