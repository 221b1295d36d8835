"""Live-service feedback (ご意見フォーム): one anonymous answer from a resident using the live service, and its tally.

A row holds no person: no session, no IP address, no time of day. It is attributed to the service's live
iteration (civictest.services.feedback.live_iteration) and dated by the Monday of the week it arrived (Tokyo
time), so a row cannot be matched to a server log line or to one visit.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civictest.extensions import db
from civictest.models.catalog import Iteration, Service

RATINGS = (1, 2, 3, 4, 5)
TASK_DONE = ("yes", "partly", "no")


class FeedbackResponse(db.Model):
    __tablename__ = "feedback_response"
    __table_args__ = (
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),
        CheckConstraint("task_done IS NULL OR task_done IN ('yes', 'partly', 'no')", name="task_done_kind"),
        CheckConstraint("lang IN ('ja', 'en')", name="lang_kind"),
        # The staff page's comment list: a service's newest comments first, without reading the others.
        Index("ix_feedback_service_newest", "service_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"))
    iteration_id: Mapped[int] = mapped_column(ForeignKey("iteration.id"), index=True)
    rating: Mapped[int] = mapped_column(SmallInteger)  # 1 とても不満 .. 5 とても満足
    task_done: Mapped[str | None] = mapped_column(String(10))  # "could you do what you came to do?"
    comment: Mapped[str] = mapped_column(Text, default="")  # scrubbed of personal data (privacy.scrub_pii)
    redactions: Mapped[str] = mapped_column(String(200), default="")
    sentiment_label: Mapped[str | None] = mapped_column(String(10))
    lang: Mapped[str] = mapped_column(String(5), default="ja")  # the form's language
    received_week: Mapped[date] = mapped_column(Date)  # the Monday of the week it arrived (Asia/Tokyo)

    service: Mapped[Service] = relationship()
    iteration: Mapped[Iteration] = relationship()


class FeedbackTally(db.Model):
    """Answers per iteration, rating and task_done ("" when not answered), and how many had a comment: the
    figures read these few rows, never every answer. Kept by civictest.services.feedback in the same transaction
    as the answer (the only way a row is added); `check_tally` recounts."""

    __tablename__ = "feedback_tally"

    iteration_id: Mapped[int] = mapped_column(ForeignKey("iteration.id"), primary_key=True)
    rating: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_done: Mapped[str] = mapped_column(String(10), primary_key=True)
    n: Mapped[int] = mapped_column(Integer)
    with_comment: Mapped[int] = mapped_column(Integer)
