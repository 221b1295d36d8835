"""Staff sign-in (password, TOTP second step, the city's OpenID Connect provider), the own account page, logout."""
from flask import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/auth")

from civictest.auth import views  # noqa: E402,F401
from civictest.auth import account_views  # noqa: E402,F401
from civictest.auth import reset_views  # noqa: E402,F401
