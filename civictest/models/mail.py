"""Outgoing e-mail: one row per message to send (its own state machine), and the addresses we never write to."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from civictest.extensions import db
from civictest.models.base import created_at_column

# queued: waiting for a worker; sending: claimed by a worker (claimed_at); retry: failed for now (server down,
# 4xx), next try at next_attempt_at; sent; failed: every attempt used; bounced: the server refused the address
# for good (5xx); suppressed: the address bounced or unsubscribed after the message was queued.
MAIL_STATUSES = ("queued", "sending", "retry", "sent", "failed", "bounced", "suppressed")


class OutgoingMail(db.Model):
    __tablename__ = "outgoing_mail"
    __table_args__ = (
        CheckConstraint(
            "status IN ('queued', 'sending', 'retry', 'sent', 'failed', 'bounced', 'suppressed')", name="status"),
        Index("ix_outgoing_mail_status_kind", "status", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    # (kind, person, occasion) chosen by the caller: a second message with the same key is never queued.
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    to_address: Mapped[str] = mapped_column(String(254), index=True)
    language: Mapped[str] = mapped_column(String(8), default="ja")
    subject: Mapped[str] = mapped_column(String(400))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str | None] = mapped_column(Text)
    unsubscribe_url: Mapped[str | None] = mapped_column(String(2000))
    # [{"filename", "mimetype", "data" (base64)}]
    attachments: Mapped[list] = mapped_column(JSON, default=list)
    message_id: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(12), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = created_at_column()
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class MailSuppression(db.Model):
    """An address no mail goes to: it bounced (5xx) or its owner stopped all mail (unsubscribe).

    Kept as a SHA-256 of the normalised address, so that erasing a person's data leaves no address here while
    their address stays suppressed."""

    __tablename__ = "mail_suppression"
    __table_args__ = (CheckConstraint("reason IN ('bounce', 'unsubscribe')", name="reason"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    address_hash: Mapped[str] = mapped_column(String(64), unique=True)
    reason: Mapped[str] = mapped_column(String(12))
    detail: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = created_at_column()
