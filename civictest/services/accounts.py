"""Staff accounts: creation, password checks, login and logout (session versions), API tokens."""
from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from civictest.extensions import db
from civictest.models import User
from civictest.models.base import utcnow
from civictest.models.staff import ROLES
from civictest.services.errors import Conflict, InvalidInput

MIN_PASSWORD_LENGTH = 12
# A constant hash to check against when the e-mail is unknown, so both paths take the same time.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def create_user(email: str, role: str, password: str, display_name: str = "") -> User:
    """A new staff account with a scrypt password hash; rejects short passwords and unknown roles."""
    if role not in ROLES:
        raise InvalidInput(f"role must be one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"password must have at least {MIN_PASSWORD_LENGTH} characters")
    user = User(email=normalise_email(email), role=role, display_name=display_name)
    user.password_hash = generate_password_hash(password)
    db.session.add(user)
    return user


def set_password(user: User, password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"password must have at least {MIN_PASSWORD_LENGTH} characters")
    user.password_hash = generate_password_hash(password)
    user.session_version += 1


def authenticate(email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None."""
    user = db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    user.last_login_at = utcnow()
    return user


def end_sessions(user: User) -> None:
    """Invalidate every cookie this user holds (logout, disabling, password change)."""
    user.session_version += 1


def issue_api_token(user: User) -> str:
    """A new bearer token for the JSON API; only its SHA-256 is stored, so show it once."""
    token = secrets.token_urlsafe(32)
    user.api_token_hash = hash_token(token)
    return token


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def user_for_token(token: str) -> User | None:
    if not token:
        return None
    user = db.session.scalar(select(User).where(User.api_token_hash == hash_token(token)))
    return user if user is not None and user.active else None


def save_user(user: User | None, data: dict) -> User:
    """Create or update a staff account from the admin form; disabling or a new password ends its sessions.
    Raises Conflict("email_taken") for another account's address, InvalidInput("password_required") for a new
    account without a password."""
    from civictest.models import Service

    holder = db.session.scalar(select(User.id).where(func.lower(User.email) == normalise_email(data["email"])))
    if holder is not None and (user is None or holder != user.id):
        raise Conflict("email_taken")
    if user is None:
        if not data.get("password"):
            raise InvalidInput("password_required")
        user = create_user(data["email"], data["role"], data["password"], data.get("display_name") or "")
    else:
        user.email, user.role = normalise_email(data["email"]), data["role"]
        user.display_name = data.get("display_name") or ""
        if data.get("password"):
            set_password(user, data["password"])
        if user.active and not data["active"]:
            end_sessions(user)
    user.active = bool(data["active"])
    user.services = list(db.session.scalars(select(Service).where(Service.id.in_(data["service_ids"] or [-1]))))
    db.session.flush()
    return user
