"""Who may see what (login, roles, the services a user may see) and the audit-log helper.

The security headers on every response are web plumbing: civictest.web.headers."""
from __future__ import annotations

from collections.abc import Iterable

from flask import Flask, abort
from flask_login import current_user
from sqlalchemy import select

from civictest.extensions import db, login_manager
from civictest.models import AuditEvent, Service, User

STAFF_ROLES = ("admin", "service_team", "product_owner", "facilitator")
# Authoring and the tester panel (/manage and the panel's API): the roles that run studies and recruit.
MANAGE_ROLES = ("admin", "service_team")


def register(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_user)


def load_user(user_key: str) -> User | None:
    """The logged-in user, if the cookie's session version is still current and the account active."""
    user_id, _, version = user_key.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


def require_staff(*roles: str) -> None:
    """A blueprint's access rule: logged-in staff with one of `roles` (all staff roles when none given)."""
    if not current_user.is_authenticated:
        abort(401)
    if current_user.role not in (roles or STAFF_ROLES):
        abort(403)


def visible_service_ids(user: User) -> set[int] | None:
    """Services a user may see: None means all (admins); others see the services they are members of."""
    if user.role == "admin":
        return None
    return {service.id for service in user.services}


def can_see_service(user: User, service_id: int) -> bool:
    ids = visible_service_ids(user)
    return ids is None or service_id in ids


def services_for(user: User) -> list[Service]:
    """The services a user may see, in a stable order."""
    query = select(Service).order_by(Service.department_id, Service.id)
    ids = visible_service_ids(user)
    if ids is not None:
        query = query.where(Service.id.in_(ids or {-1}))
    return list(db.session.scalars(query))


def get_visible_or_404(model: type, object_id: int, service_id_of=lambda obj: obj.service_id):  # noqa: ANN001, ANN201
    """An object of a service the current user may see; another service's object is 404, not 403."""
    obj = db.session.get(model, object_id)
    if obj is None or not can_see_service(current_user, service_id_of(obj)):
        abort(404)
    return obj


def audit(action: str, obj: object | None = None, user: User | None = None, **detail: object) -> None:
    """Record a staff action in the audit log (committed with the caller's transaction)."""
    actor = user if user is not None else (current_user if current_user.is_authenticated else None)
    db.session.add(
        AuditEvent(
            user_id=getattr(actor, "id", None),
            action=action,
            object_type=type(obj).__name__.lower() if obj is not None else "",
            object_id=getattr(obj, "id", None),
            detail={key: _jsonable(value) for key, value in detail.items()},
        )
    )


def _jsonable(value: object) -> object:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, Iterable):
        return [str(item) for item in value]
    return str(value)
