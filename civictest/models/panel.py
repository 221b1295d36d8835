"""The resident tester panel: members (double opt-in), screeners and quotas per study, invitation rounds.

A member is a person with an e-mail address, so the panel is the one place where civictest keeps contact
data. It is kept apart from the pseudonymous participants: an invitation links a member to the participant
who joined through its personal link, and erasing a member deletes the member and their invitations, so the
answers already given stay, unlinked, as pseudonymous as every other participant's.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON, Boolean, CheckConstraint, Date, DateTime, Float, ForeignKey, Index, Integer, String, UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civictest.extensions import db
from civictest.models.base import created_at_column

MEMBER_STATUSES = ("pending", "active", "left")
INVITATION_STATES = ("queued", "sent", "joined", "finished", "screened_out")
SCREENER_KINDS = ("single", "multiple")
# What members may say about when they can take part, and which languages they read.
AVAILABILITY = ("weekday_daytime", "weekday_evening", "weekend", "remote_any_time")
PANEL_LANGUAGES = ("ja", "en", "zh", "ko", "vi", "pt", "other")


class PanelMember(db.Model):
    """A resident who asked to be invited to tests; a member only once the confirmation link was opened."""

    __tablename__ = "panel_member"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'active', 'left')", name="status"),
        CheckConstraint("language IN ('ja', 'en')", name="language"),
        Index("ix_panel_member_status_last_tested", "status", "last_tested_at"),
        # Covers the figures' GROUP BY over the quota dimensions of active members (reporting.panel.composition)
        # and the selection's candidates (services.panel.candidates): read from the index, not the table.
        Index("ix_panel_member_profile", "status", "age_band", "municipality_code", "device", "online_frequency",
              "assistive_technology", "last_tested_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    language: Mapped[str] = mapped_column(String(2), default="ja")
    status: Mapped[str] = mapped_column(String(10), default="pending")
    # Changes whenever the member's links must stop working (a new confirmation, erasure of data).
    link_nonce: Mapped[str] = mapped_column(String(32))
    consent_version: Mapped[str] = mapped_column(String(20))
    consented_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    left_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    age_band: Mapped[str | None] = mapped_column(String(20))
    municipality_code: Mapped[str | None] = mapped_column(String(6))
    device: Mapped[str | None] = mapped_column(String(20))
    # Assistive technology can reveal a disability (要配慮個人情報): kept only with its own consent.
    assistive_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    assistive_technology: Mapped[str | None] = mapped_column(String(20))
    online_frequency: Mapped[str | None] = mapped_column(String(20))
    languages: Mapped[str] = mapped_column(String(100), default="")  # comma-separated PANEL_LANGUAGES
    availability: Mapped[str] = mapped_column(String(200), default="")  # comma-separated AVAILABILITY
    last_tested_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = created_at_column()

    invitations: Mapped[list[PanelInvitation]] = relationship(
        back_populates="member", cascade="all, delete-orphan", passive_deletes=True)


class PanelMonthlyCount(db.Model):
    """Joins and leaves per month, counted when they happen (an erased member leaves no row to count)."""

    __tablename__ = "panel_monthly_count"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # "2026-12"
    joins: Mapped[int] = mapped_column(Integer, default=0)
    leaves: Mapped[int] = mapped_column(Integer, default=0)


class ScreenerQuestion(db.Model):
    """A question a study asks invitees before they join; answers outside `eligible` end the invitation."""

    __tablename__ = "screener_question"
    __table_args__ = (
        CheckConstraint("kind IN ('single', 'multiple')", name="kind"),
        UniqueConstraint("study_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("study.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10), default="single")
    text_ja: Mapped[str] = mapped_column(String(300))
    text_en: Mapped[str] = mapped_column(String(300), default="")
    # [{"value": "yes", "ja": "はい", "en": "Yes"}, ...] and the values that let an invitee in.
    options: Mapped[list] = mapped_column(JSON)
    eligible: Mapped[list] = mapped_column(JSON)


class PanelQuota(db.Model):
    """One quota cell of a study: profile values (e.g. {"age_band": "40s", "device": "pc"}) and a target,
    either a count of testers or a share of the round."""

    __tablename__ = "panel_quota"
    __table_args__ = (
        UniqueConstraint("study_id", "cell_key"),
        CheckConstraint("(target_count IS NULL) <> (target_share IS NULL)", name="one_target"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("study.id", ondelete="CASCADE"), index=True)
    cell_key: Mapped[str] = mapped_column(String(300))  # "age_band=40s|device=pc", sorted by dimension
    cell: Mapped[dict] = mapped_column(JSON)
    target_count: Mapped[int | None] = mapped_column(Integer)
    target_share: Mapped[float | None] = mapped_column(Float)


class PanelRound(db.Model):
    """One run of `panel invite` for a session: how many were asked for and when."""

    __tablename__ = "panel_round"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("test_session.id"), index=True)
    requested: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = created_at_column()

    invitations: Mapped[list[PanelInvitation]] = relationship(back_populates="round")


class PanelInvitation(db.Model):
    """A member invited to a session: the personal link's token (only its hash is stored) and how far they got."""

    __tablename__ = "panel_invitation"
    __table_args__ = (
        UniqueConstraint("member_id", "session_id"),
        CheckConstraint("state IN ('queued', 'sent', 'joined', 'finished', 'screened_out')", name="state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("panel_member.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("test_session.id"), index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("panel_round.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    cell_key: Mapped[str] = mapped_column(String(300), default="")
    state: Mapped[str] = mapped_column(String(20), default="queued")
    # The participant who joined through the link; the link opens only their session afterwards.
    participant_id: Mapped[int | None] = mapped_column(ForeignKey("participant.id"), unique=True)
    screener_answers: Mapped[dict | None] = mapped_column(JSON)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    joined_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = created_at_column()

    member: Mapped[PanelMember] = relationship(back_populates="invitations")
    round: Mapped[PanelRound] = relationship(back_populates="invitations")
    session: Mapped["TestSession"] = relationship()  # noqa: F821


class PanelIncentive(db.Model):
    """The incentives ledger: what a member was given for taking part in a session (e.g. a 500-yen book card).

    The accounts office needs the record after the member has gone: erasure leaves the row, with no member."""

    __tablename__ = "panel_incentive"
    __table_args__ = (
        UniqueConstraint("member_id", "session_id"),
        CheckConstraint("amount_yen >= 0", name="amount_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("panel_member.id", ondelete="SET NULL"), index=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("test_session.id"), index=True)
    description: Mapped[str] = mapped_column(String(200))
    amount_yen: Mapped[int] = mapped_column(Integer)
    given_on: Mapped[date] = mapped_column(Date, index=True)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = created_at_column()
