"""JSON API (/api/v1) over the same analysis functions as the pages; described at /api/v1/openapi.json."""
from flask import Blueprint, abort, g, request
from flask_babel import get_locale
from flask_login import current_user

from civictest.api.params import ParameterError
from civictest.security import STAFF_ROLES
from civictest.services import accounts

bp = Blueprint("api", __name__, url_prefix="/api/v1")
PUBLIC_ENDPOINTS = {"api.openapi_document", "api.docs"}  # descriptions, no data
REALM = "civictest"


@bp.before_request
def _access_rule() -> None:
    """Staff signed in through the site, or a bearer token from `flask users token`; anyone else gets 401.

    A bearer request carries no cookie, so it cannot be forged cross-site: CSRF does not apply to it."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    g.api_token_given = scheme.lower() == "bearer"
    if g.api_token_given:
        user = accounts.user_for_token(token.strip())
    else:
        user = current_user._get_current_object() if current_user.is_authenticated else None
    if user is None or user.role not in STAFF_ROLES:
        abort(401)
    g.api_user = user


@bp.after_request
def _describe_response(response):  # noqa: ANN001, ANN202
    """RFC 6750's challenge on a 401 (invalid_token when a bearer token was sent but is not valid), and the
    language the messages are in (chosen by ?lang or Accept-Language, see web/i18n.py)."""
    if response.status_code == 401:
        challenge = f'Bearer realm="{REALM}"'
        if g.get("api_token_given"):
            challenge += ', error="invalid_token", error_description="The access token is not valid"'
        response.headers["WWW-Authenticate"] = challenge
    response.headers["Content-Language"] = str(get_locale() or "ja")
    response.vary.add("Accept-Language")
    return response


@bp.errorhandler(ParameterError)
def _parameter_error(error: ParameterError):  # noqa: ANN202
    return error.response()


from civictest.api import views  # noqa: E402,F401
