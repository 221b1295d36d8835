"""What the service team learned: tags on comments and findings (課題) with evidence and history."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON, CheckConstraint, Column, DateTime, ForeignKey, Integer, String, Table, Text, UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civictest.extensions import db
from civictest.models.base import created_at_column, utcnow
from civictest.reporting.vocabulary import FINDING_STATUSES  # noqa: F401 - the model's codes

SEVERITIES = (1, 2, 3, 4)

comment_tag = Table(
    "comment_tag",
    db.metadata,
    Column("comment_id", ForeignKey("comment.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True),
)
finding_task = Table(
    "finding_task",
    db.metadata,
    Column("finding_id", ForeignKey("finding.id", ondelete="CASCADE"), primary_key=True),
    Column("task_id", ForeignKey("task.id", ondelete="CASCADE"), primary_key=True),
)
finding_comment = Table(
    "finding_comment",
    db.metadata,
    Column("finding_id", ForeignKey("finding.id", ondelete="CASCADE"), primary_key=True),
    Column("comment_id", ForeignKey("comment.id", ondelete="CASCADE"), primary_key=True),
)
finding_attempt = Table(
    "finding_attempt",
    db.metadata,
    Column("finding_id", ForeignKey("finding.id", ondelete="CASCADE"), primary_key=True),
    Column("attempt_id", ForeignKey("attempt.id", ondelete="CASCADE"), primary_key=True),
)


class Tag(db.Model):
    __tablename__ = "tag"
    __table_args__ = (UniqueConstraint("service_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))


class Finding(db.Model):
    """A usability problem, tracked from discovery to a fix that the next iteration's numbers verify."""

    __tablename__ = "finding"
    __table_args__ = (
        CheckConstraint("severity BETWEEN 1 AND 4", name="severity_range"),
        CheckConstraint(
            "status IN ('new', 'triaged', 'planned', 'fixed', 'verified', 'wont_fix')", name="status"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"), index=True)
    found_in_id: Mapped[int] = mapped_column(ForeignKey("iteration.id"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    public_summary_ja: Mapped[str] = mapped_column(Text, default="")
    public_summary_en: Mapped[str] = mapped_column(Text, default="")
    severity: Mapped[int] = mapped_column(Integer, default=2)
    status: Mapped[str] = mapped_column(String(20), default="new")
    fixed_in_id: Mapped[int | None] = mapped_column(ForeignKey("iteration.id"))
    verified_in_id: Mapped[int | None] = mapped_column(ForeignKey("iteration.id"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    found_in: Mapped["Iteration"] = relationship(foreign_keys=[found_in_id])  # noqa: F821
    fixed_in: Mapped["Iteration | None"] = relationship(foreign_keys=[fixed_in_id])  # noqa: F821
    verified_in: Mapped["Iteration | None"] = relationship(foreign_keys=[verified_in_id])  # noqa: F821
    tasks: Mapped[list["Task"]] = relationship(secondary=finding_task)  # noqa: F821
    comments: Mapped[list["Comment"]] = relationship(secondary=finding_comment)  # noqa: F821
    attempts: Mapped[list["Attempt"]] = relationship(secondary=finding_attempt)  # noqa: F821
    events: Mapped[list[FindingEvent]] = relationship(order_by="FindingEvent.id", cascade="all, delete-orphan")


class FindingEvent(db.Model):
    """One change to a finding: who changed which field from what to what, and when."""

    __tablename__ = "finding_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("finding.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    changes: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = created_at_column()

    user: Mapped["User | None"] = relationship()  # noqa: F821



