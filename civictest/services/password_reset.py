"""Password reset by e-mail: a signed, expiring, single-use link.

The token is signed with SECRET_KEY (itsdangerous, through Flask's own dependency) and carries the account id
and a fingerprint of the current password hash: setting a password (through the link or any other way) changes
the hash, so a link works once and dies when the password changes. Nothing is stored for it.
"""
from __future__ import annotations

import hashlib
import logging

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import func, select

from civictest.extensions import db
from civictest.models import User
from civictest.services import accounts

SALT = "civictest.password-reset"
log = logging.getLogger(__name__)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _fingerprint(user: User) -> str:
    return hashlib.sha256(f"{user.id}:{user.password_hash}".encode()).hexdigest()[:20]


def make_token(user: User) -> str:
    return _serializer().dumps({"u": user.id, "p": _fingerprint(user)})


def user_for_token(token: str) -> User | None:
    """The active password account the link is for, while the link is fresh and its password unchanged."""
    try:
        data = _serializer().loads(token, max_age=current_app.config.get("PASSWORD_RESET_MINUTES", 60) * 60)
    except BadSignature:  # also SignatureExpired
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    user = db.session.get(User, data["u"])
    if user is None or not user.active or not user.password_hash or data.get("p") != _fingerprint(user):
        return None
    return user


def request_reset(email: str, language: str, link_for) -> str:  # noqa: ANN001
    """Queue the e-mail for `email` when it belongs to an active account and say which was queued ("reset",
    "sso_only") or why none was ("unknown", "disabled", "no_base_url"). The caller shows the same page whatever
    the answer, so the page tells nobody whether an address has an account. `link_for(token)` is the absolute
    URL of the reset page."""
    from civictest.mail import queue_mail, render

    user = db.session.scalar(select(User).where(func.lower(User.email) == accounts.normalise_email(email)))
    if user is None:
        return "unknown"
    if not user.active:
        return "disabled"
    if not user.password_hash:
        subject, text, html = render("password_reset_sso", language, user=user)
        queue_mail(kind="password_reset_sso", dedupe_key=f"password_reset_sso:{user.id}:{_fingerprint(user)}:"
                   f"{_minute()}", to=user.email, subject=subject, text=text, html=html, language=language)
        return "sso_only"
    token = make_token(user)
    link = link_for(token)
    if not link:
        log.warning("password reset for a staff account not sent: set PUBLIC_BASE_URL so that the link in the "
                    "e-mail names this site (a link built from the request's Host header could be forged)")
        return "no_base_url"
    subject, text, html = render("password_reset", language, user=user, link=link,
                                 minutes=current_app.config.get("PASSWORD_RESET_MINUTES", 60))
    queue_mail(kind="password_reset", dedupe_key=f"password_reset:{accounts.hash_token(token)[:40]}", to=user.email,
               subject=subject, text=text, html=html, language=language)
    return "reset"


def _minute() -> int:
    import time

    return int(time.time() // 60)
