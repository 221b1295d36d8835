"""Staff accounts, the services they may see, and the audit log of what they did."""
from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import JSON, Boolean, CheckConstraint, Column, DateTime, ForeignKey, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civictest.extensions import db
from civictest.models.base import created_at_column

ROLES = ("admin", "service_team", "product_owner", "facilitator")

user_service = Table(
    "user_service",
    db.metadata,
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
    Column("service_id", ForeignKey("service.id", ondelete="CASCADE"), primary_key=True),
)


class User(UserMixin, db.Model):
    __tablename__ = "user"
    __table_args__ = (
        CheckConstraint("role IN ('admin', 'service_team', 'product_owner', 'facilitator')", name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(100), default="")
    # None: the account signs in only through the city's OpenID Connect provider (no local password).
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped at logout and when an account is disabled: cookies that carry an older version stop working.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    api_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The OpenID Connect provider's `sub` for this person (set at the first SSO sign-in, matched after that).
    oidc_subject: Mapped[str | None] = mapped_column(String(255), unique=True)
    # TOTP second factor (local password accounts): the confirmed secret, one being enrolled, and the last
    # time step accepted (a code is accepted once: a replay in the same or an earlier step is refused).
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_pending_secret: Mapped[str | None] = mapped_column(String(64))
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = created_at_column()

    services: Mapped[list["Service"]] = relationship(secondary=user_service)  # noqa: F821

    @property
    def has_password(self) -> bool:
        return bool(self.password_hash)

    @property
    def has_totp(self) -> bool:
        return bool(self.totp_secret)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def get_id(self) -> str:
        # The session version travels in the login cookie, so bumping it invalidates old cookies.
        return f"{self.id}:{self.session_version}"


class RecoveryCode(db.Model):
    """A one-time recovery code for a lost TOTP device: only its werkzeug hash is stored; used once."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(255))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = created_at_column()


class AuditEvent(db.Model):
    """A staff action worth answering for later: logins, edits, status changes, exports, publishing."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    action: Mapped[str] = mapped_column(String(60), index=True)
    object_type: Mapped[str] = mapped_column(String(40), default="")
    object_id: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = created_at_column()

    user: Mapped[User | None] = relationship()
