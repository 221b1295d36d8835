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
from civictest.services.errors import Conflict, DomainError, InvalidInput

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
    if user is None or not user.password_hash:  # unknown, or an account that signs in only by SSO
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


def save_user(user: User | None, data: dict, *, sso_accounts: bool = False) -> User:
    """Create or update a staff account from the admin form; disabling or a new password ends its sessions.
    Raises Conflict("email_taken") for another account's address, InvalidInput("password_required") for a new
    account without a password, unless `sso_accounts` (OpenID Connect is configured): then an account without
    a password signs in only with the office account."""
    from civictest.models import Service

    holder = db.session.scalar(select(User.id).where(func.lower(User.email) == normalise_email(data["email"])))
    if holder is not None and (user is None or holder != user.id):
        raise Conflict("email_taken")
    if user is None:
        if not data.get("password") and not sso_accounts:
            raise InvalidInput("password_required")
        if data.get("password"):
            user = create_user(data["email"], data["role"], data["password"], data.get("display_name") or "")
        else:  # signs in only through the city's OpenID Connect provider (bound to its `sub` at first sign-in)
            user = User(email=normalise_email(data["email"]), role=data["role"], password_hash=None,
                        display_name=data.get("display_name") or "")
            db.session.add(user)
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


class SsoRefused(DomainError):
    """A person the provider vouched for may not sign in here; `message` is the reason (shown kindly, audited)."""

    status = 403


def sso_user(claims: dict, *, roles_claim: str, role_map: dict[str, str], create_users: bool) -> User:
    """The staff account for verified OpenID Connect claims, or SsoRefused with one of these reasons:
    "no_subject", "subject_mismatch" (the address's account is bound to another person at the provider),
    "unknown_user", "no_role" (a role claim is configured and no value of it maps to a role), "disabled",
    "created_disabled" (OIDC_CREATE_USERS made a disabled account for an admin to enable).

    With a role claim configured the provider is the source of roles: the role is set at each sign-in and an
    unknown person with a mapped role gets an account. Without one, roles and services are kept in civictest
    and an admin creates the account (by e-mail) first. The account is bound to the provider's `sub` at the first
    sign-in and found by it after that.
    """
    from civictest.oidc_claims import email_from_claims, role_from_claims

    subject = str(claims.get("sub") or "")
    if not subject:
        raise SsoRefused("no_subject")
    email = email_from_claims(claims)
    user = db.session.scalar(select(User).where(User.oidc_subject == subject))
    if user is None and email:
        user = db.session.scalar(select(User).where(func.lower(User.email) == email))
        if user is not None and user.oidc_subject and user.oidc_subject != subject:
            raise SsoRefused("subject_mismatch")
    role = role_from_claims(claims, roles_claim, role_map, ROLES) if roles_claim else None
    if roles_claim and role is None:
        raise SsoRefused("no_role")
    if user is None:
        if not email or not (roles_claim or create_users):
            raise SsoRefused("unknown_user")
        name = str(claims.get("name") or "")[:100]
        user = User(email=email, role=role or "facilitator", display_name=name, password_hash=None,
                    oidc_subject=subject, active=bool(roles_claim))
        db.session.add(user)
        db.session.flush()
        if not user.active:
            raise SsoRefused("created_disabled")
        return user
    if not user.active:
        raise SsoRefused("disabled")
    user.oidc_subject = subject
    if role is not None and user.role != role:
        user.role = role
    user.last_login_at = utcnow()
    return user
