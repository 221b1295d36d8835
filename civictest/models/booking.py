"""Session booking for in-person sessions: time slots with a capacity, and one booking per panel invitation.

A slot keeps how many places are taken (`booked`) beside its capacity, and the database refuses more
(CHECK booked <= capacity): a place is taken by one conditional UPDATE (`booked = booked + 1 WHERE booked <
capacity`), which PostgreSQL's row lock and SQLite's single writer make atomic, so two people can never take
the last place at once. A booking is `booked`, `waiting` (on the slot's waiting list, first come first served
by `waiting_since`) or `cancelled`; `sequence` is the calendar invitation's SEQUENCE and goes up with every
booking, change and cancellation (and names each e-mail exactly once).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civictest.extensions import db
from civictest.models.base import created_at_column

BOOKING_STATES = ("booked", "waiting", "cancelled")
ATTENDANCE = ("attended", "no_show")


class BookingSlot(db.Model):
    """A time slot of an in-person session (stored in UTC, shown in Japan time) and its places."""

    __tablename__ = "booking_slot"
    __table_args__ = (
        CheckConstraint("capacity > 0", name="capacity_positive"),
        CheckConstraint("booked >= 0 AND booked <= capacity", name="booked_within_capacity"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        Index("ix_booking_slot_session_starts", "session_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("test_session.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    capacity: Mapped[int] = mapped_column(Integer)
    booked: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = created_at_column()

    session: Mapped["TestSession"] = relationship()  # noqa: F821


class Booking(db.Model):
    """An invitee's place (or place on the waiting list) in one slot; one row per invitation, reused when they
    book again after cancelling, so the calendar UID stays the same."""

    __tablename__ = "booking"
    __table_args__ = (
        CheckConstraint("state IN ('booked', 'waiting', 'cancelled')", name="state"),
        CheckConstraint("attendance IS NULL OR attendance IN ('attended', 'no_show')", name="attendance"),
        CheckConstraint("state <> 'waiting' OR waiting_since IS NOT NULL", name="waiting_has_time"),
        Index("ix_booking_slot_state_waiting", "slot_id", "state", "waiting_since"),
        Index("ix_booking_session_state", "session_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("panel_invitation.id", ondelete="CASCADE"), unique=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("test_session.id", ondelete="CASCADE"))
    slot_id: Mapped[int | None] = mapped_column(ForeignKey("booking_slot.id", ondelete="SET NULL"))
    state: Mapped[str] = mapped_column(String(10))
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    uid: Mapped[str] = mapped_column(String(100), unique=True)  # the calendar event's UID, never changes
    reference: Mapped[str] = mapped_column(String(12), unique=True)  # what the invitee says at the door
    waiting_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    attendance: Mapped[str | None] = mapped_column(String(10))
    attendance_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    attendance_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    invitation: Mapped["PanelInvitation"] = relationship()  # noqa: F821
    slot: Mapped[BookingSlot | None] = relationship()
