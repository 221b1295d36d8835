"""What residents answered: one attempt per participant x task x source, questionnaires, comments."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON, Boolean, CheckConstraint, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civictest.extensions import db
from civictest.models.base import created_at_column
from civictest.reporting.vocabulary import OUTCOMES, SENTIMENT_LABELS, SOURCES  # noqa: F401 - the model's codes

ASSISTANCE = ("none", "hint", "took_over")


class Attempt(db.Model):
    """One participant's try at one task, as they reported it (self) or as a facilitator saw it (observer)."""

    __tablename__ = "attempt"
    __table_args__ = (
        # A second answer for the same task and source is refused, whatever key it carries.
        UniqueConstraint("participant_id", "task_id", "source"),
        CheckConstraint(
            "outcome IN ('success', 'partial', 'failure', 'abandoned', 'not_attempted')", name="outcome"
        ),
        CheckConstraint("source IN ('self', 'observer')", name="source"),
        CheckConstraint("seq IS NULL OR (seq >= 1 AND seq <= 7)", name="seq_range"),
        CheckConstraint("seconds IS NULL OR seconds > 0", name="seconds_positive"),
        # Reports read the counts and time sums from AttemptTally; of the attempts themselves only this covering
        # index over those that count (civictest.counting): the ordered walk to each task's median time, and
        # the time vectors a comparison needs.
        Index("ix_attempt_times", "study_id", "counts", "task_id", "effective_seconds", "outcome"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id"), index=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("study.id"))
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(10), default="self")
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    seconds: Mapped[float | None] = mapped_column(Float)
    seq: Mapped[int | None] = mapped_column(Integer)
    assistance: Mapped[str | None] = mapped_column(String(20))
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    imported_from: Mapped[str | None] = mapped_column(String(255))
    imported_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = created_at_column()
    # Kept by civictest.counting from the rows above, never set by hand: whether this attempt counts in the
    # figures, and the SEQ and time it counts with (an observer's, or the resident's own where it has none);
    # ln(time) too, so that a report sums logarithms without computing one per row.
    # Deferred and server-side, so a Python object never holds a value the database has since changed.
    counts: Mapped[bool] = mapped_column(Boolean, server_default=false(), deferred=True)
    effective_seq: Mapped[int | None] = mapped_column(Integer, deferred=True)
    effective_seconds: Mapped[float | None] = mapped_column(Float, deferred=True)
    effective_log_seconds: Mapped[float | None] = mapped_column(Float, deferred=True)

    participant: Mapped["Participant"] = relationship()  # noqa: F821
    task: Mapped["Task"] = relationship()  # noqa: F821


class AttemptTally(db.Model):
    """The attempts of a study that count, summed per task, outcome, effective SEQ and source: what a report
    reads instead of the attempts (a few hundred rows, whatever the number of attempts).

    Kept by civictest.counting in the same transaction as every change to the attempts it sums, never written
    by hand; `flask --app app check-counts` compares it with the attempts."""

    __tablename__ = "attempt_tally"

    study_id: Mapped[int] = mapped_column(ForeignKey("study.id"), primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id"), primary_key=True)
    outcome: Mapped[str] = mapped_column(String(20), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)  # effective SEQ; 0 for none (a key can't be NULL)
    source: Mapped[str] = mapped_column(String(10), primary_key=True)
    n: Mapped[int] = mapped_column(Integer)  # attempts
    n_timed: Mapped[int] = mapped_column(Integer)  # of which with an effective time; the sums are over those
    sum_seconds: Mapped[float] = mapped_column(Float)
    sum_log_seconds: Mapped[float] = mapped_column(Float)
    sum_log_seconds_sq: Mapped[float] = mapped_column(Float)


class QuestionnaireResponse(db.Model):
    """A participant's SUS or UMUX-Lite answers, with the score computed at storage time."""

    __tablename__ = "questionnaire_response"

    # The report's score counts read only this index (study_id spares a join through participant).
    __table_args__ = (Index("ix_questionnaire_response_scores", "study_id", "kind", "score"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id"), unique=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("study.id"))
    kind: Mapped[str] = mapped_column(String(20))
    items: Mapped[list] = mapped_column(JSON)
    score: Mapped[float | None] = mapped_column(Float)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    created_at: Mapped[datetime] = created_at_column()


def _search_text(context) -> str:  # noqa: ANN001 - SQLAlchemy's DefaultExecutionContext
    from civictest.sentiment.search import search_text  # MeCab loads on the first comment, not at import

    return search_text(context.get_current_parameters().get("text") or "")


class Comment(db.Model):
    """Free text, stored after PII scrubbing, with the sentiment it was scored with."""

    __tablename__ = "comment"
    # Covering the report's sentiment counts and analyzer list as well as lookups by study and task.
    # ix_comment_study_newest: the newest comments of a study (the themes) are a walk back along it.
    __table_args__ = (Index("ix_comment_study_task", "study_id", "task_id", "kind", "sentiment_label", "analyzer"),
                      Index("ix_comment_study_newest", "study_id", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id"), index=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("study.id"))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("task.id"))
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("attempt.id"), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default="task")  # task | overall | observer
    text: Mapped[str] = mapped_column(Text)
    redactions: Mapped[str] = mapped_column(String(200), default="")  # kinds of PII removed, comma-separated
    lang: Mapped[str | None] = mapped_column(String(8))
    sentiment_label: Mapped[str | None] = mapped_column(String(10))
    sentiment_score: Mapped[float | None] = mapped_column(Float)
    analyzer: Mapped[str | None] = mapped_column(String(80))
    # What the inbox search looks in (civictest.sentiment.search): folded text, base forms, readings. Set from
    # `text` when the row is inserted (comment_values sets it; the default covers any other insert).
    search_text: Mapped[str] = mapped_column(Text, default=_search_text, server_default="")
    created_at: Mapped[datetime] = created_at_column()

    attempt: Mapped["Attempt | None"] = relationship()
    task: Mapped["Task | None"] = relationship()  # noqa: F821
    participant: Mapped["Participant"] = relationship()  # noqa: F821
    tags: Mapped[list["Tag"]] = relationship(secondary="comment_tag", order_by="Tag.name")  # noqa: F821


class SegmentTally(db.Model):
    """The counting attempts of a study per profile segment and answer, task, outcome and whether the effective
    SEQ was hard (METRICS 13): what the "for whom" charts and the maps read instead of joining every attempt to
    its participant. value is the participant's answer, "" when none was given (a key can't be NULL).

    Kept by civictest.counting with AttemptTally, in the same transaction as every change; never written by hand."""

    __tablename__ = "segment_tally"

    study_id: Mapped[int] = mapped_column(ForeignKey("study.id"), primary_key=True)
    segment: Mapped[str] = mapped_column(String(30), primary_key=True)
    value: Mapped[str] = mapped_column(String(20), primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id"), primary_key=True)
    outcome: Mapped[str] = mapped_column(String(20), primary_key=True)
    hard: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    n: Mapped[int] = mapped_column(Integer)


class ParticipantTally(db.Model):
    """The counting participants of a study per profile segment and answer ("" when none was given): the
    participant counts of reports and maps. Kept by civictest.counting, in the same transaction as every change."""

    __tablename__ = "participant_tally"

    study_id: Mapped[int] = mapped_column(ForeignKey("study.id"), primary_key=True)
    segment: Mapped[str] = mapped_column(String(30), primary_key=True)
    value: Mapped[str] = mapped_column(String(20), primary_key=True)
    n: Mapped[int] = mapped_column(Integer)


class CommentTally(db.Model):
    """The comments of a study's counting participants per task (0: none, an overall comment), kind, sentiment
    label ("unscored" when none), analyzer ("" when none) and the state of the attempt it is about
    ("inconvenient", "convenient", or "" for no attempt or one not attempted): the sentiment figures and the
    sentiment validity check read it instead of every comment. Kept by civictest.counting."""

    __tablename__ = "comment_tally"

    study_id: Mapped[int] = mapped_column(ForeignKey("study.id"), primary_key=True)
    task_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    label: Mapped[str] = mapped_column(String(10), primary_key=True)
    analyzer: Mapped[str] = mapped_column(String(80), primary_key=True)
    state: Mapped[str] = mapped_column(String(12), primary_key=True)
    n: Mapped[int] = mapped_column(Integer)


class QuestionnaireTally(db.Model):
    """The questionnaires of a study's counting participants per kind and score (-1: no valid score): the SUS
    and UMUX-Lite figures read it instead of every questionnaire. Kept by civictest.counting."""

    __tablename__ = "questionnaire_tally"

    study_id: Mapped[int] = mapped_column(ForeignKey("study.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    score: Mapped[float] = mapped_column(Float, primary_key=True)
    n: Mapped[int] = mapped_column(Integer)
