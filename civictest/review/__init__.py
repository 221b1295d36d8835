"""Service teams: comments inbox, tags, findings register."""
from flask import Blueprint

from civictest.security import require_staff

bp = Blueprint("review", __name__, url_prefix="/review")


@bp.before_request
def _access_rule() -> None:
    require_staff("service_team", "admin")


from civictest.review import views  # noqa: E402,F401
