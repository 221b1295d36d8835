"""Who takes part: test sessions (in person or remote) and their pseudonymous participants."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, DateTime, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civictest.extensions import db
from civictest.models.base import created_at_column

SESSION_MODES = ("in_person", "remote")
AGE_BANDS = ("under_20", "20s", "30s", "40s", "50s", "60s", "70s", "80_plus")
DEVICES = ("smartphone", "tablet", "pc", "other")
ASSISTIVE_TECH = ("none", "screen_reader", "magnifier", "voice_input", "other")
ONLINE_FREQUENCIES = ("daily", "weekly", "monthly", "rarely", "never")


class TestSession(db.Model):
    """A test session of a study: a venue and date in person, or a remote link; joined by invite code."""

    __tablename__ = "test_session"
    __test__ = False  # not a pytest test class
    __table_args__ = (
        CheckConstraint("mode IN ('in_person', 'remote')", name="mode"),
        CheckConstraint("capacity > 0", name="capacity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("study.id"), index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    mode: Mapped[str] = mapped_column(String(20), default="remote")
    venue_name: Mapped[str] = mapped_column(String(200), default="")
    venue_address: Mapped[str] = mapped_column(String(300), default="")
    venue_municipality_code: Mapped[str | None] = mapped_column(String(6))
    venue_lat: Mapped[float | None] = mapped_column(Float)
    venue_lon: Mapped[float | None] = mapped_column(Float)
    held_on: Mapped[date | None] = mapped_column(Date)
    capacity: Mapped[int] = mapped_column(Integer, default=50)
    invite_code: Mapped[str] = mapped_column(String(64), unique=True)
    is_open: Mapped[bool] = mapped_column(Boolean, default=True)
    # Closed as invalid (e.g. the service was down that day): its answers never count in figures.
    excluded: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = created_at_column()

    study: Mapped["Study"] = relationship()  # noqa: F821
    participants: Mapped[list[Participant]] = relationship(back_populates="session", order_by="Participant.id")


class Participant(db.Model):
    """A resident in one session: pseudonymous, with consent and an optional coarse profile."""

    __tablename__ = "participant"
    # The reportable filter asks "withdrawn, or in an excluded session?" for every report; this answers it
    # from the index alone.
    __table_args__ = (Index("ix_participant_session_withdrawn", "session_id", "withdrawn"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("test_session.id"), index=True)
    receipt_code: Mapped[str] = mapped_column(String(32), unique=True)
    # The consent form's idempotency key: a double click on "I agree" joins once, not twice.
    join_key: Mapped[str] = mapped_column(String(64), unique=True)
    consent_version: Mapped[str] = mapped_column(String(20))
    consented_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    age_band: Mapped[str | None] = mapped_column(String(20))
    municipality_code: Mapped[str | None] = mapped_column(String(6), index=True)
    device: Mapped[str | None] = mapped_column(String(20))
    assistive_technology: Mapped[str | None] = mapped_column(String(20))
    online_frequency: Mapped[str | None] = mapped_column(String(20))
    profile_done: Mapped[bool] = mapped_column(Boolean, default=False)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False)
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = created_at_column()

    session: Mapped[TestSession] = relationship(back_populates="participants")
