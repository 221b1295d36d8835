"""Product owners and the CIO: iteration dashboards, comparisons, maps, printable reports, overview."""
from flask import Blueprint

from civictest.security import require_staff

bp = Blueprint("compare", __name__, url_prefix="/compare")


@bp.before_request
def _access_rule() -> None:
    require_staff("product_owner", "service_team", "admin")


from civictest.compare import views  # noqa: E402,F401
from civictest.compare import exports  # noqa: E402,F401
from civictest.compare import surveys  # noqa: E402,F401
