"""JSON API (/api/v1) over the same analysis functions as the pages."""
from flask import Blueprint, abort, g, request
from flask_login import current_user

from civictest.security import STAFF_ROLES
from civictest.services import accounts

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.before_request
def _access_rule() -> None:
    """Staff signed in through the site, or a bearer token from `flask users token`; anyone else gets 401.

    A bearer request carries no cookie, so it cannot be forged cross-site: CSRF does not apply to it."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer":
        user = accounts.user_for_token(token.strip())
    else:
        user = current_user._get_current_object() if current_user.is_authenticated else None
    if user is None or user.role not in STAFF_ROLES:
        abort(401)
    g.api_user = user


from civictest.api import views  # noqa: E402,F401
