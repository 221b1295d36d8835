"""Reads for exports and open data: raw rows, participant counts by profile, published iterations.

Every read follows the one rule of civictest.counting (queries.reportable): withdrawn participants and sessions
closed as invalid never leave the database, in a figure or in a raw file. Raw rows are returned as plain
dicts; civictest.exporting.staff turns them into tables. Figures come from civictest.reporting.figures.
"""
from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import select

from civictest.extensions import db
from civictest.models import Attempt, Comment, Department, Iteration, Participant, Service, StudyTask, Tag, Task
from civictest.models.findings import comment_tag
from civictest.reporting import queries
from civictest.reporting.queries import reportable

PROFILE_SEGMENTS = ("age_band", "municipality")  # what open data breaks participants down by


def profile_counts(iteration: Iteration) -> pd.DataFrame:
    """(segment, value, n): counting participants per age band and per municipality code (None = no answer),
    from ParticipantTally."""
    found = [(segment, value, n) for segment in PROFILE_SEGMENTS
             for value, n in sorted(queries.participant_tally(iteration.study.id, segment).items(), key=str)]
    return pd.DataFrame(found, columns=["segment", "value", "n"])


def raw_attempts(iteration: Iteration) -> list[dict[str, Any]]:
    """Every stored attempt of reportable participants (self and observer), with its comment, in a stable order."""
    study_id = iteration.study.id
    query = (select(Attempt.participant_id, StudyTask.position, Task.title_ja, Attempt.outcome, Attempt.seq,
                    Attempt.seconds, Attempt.source, Attempt.assistance, Comment.text.label("comment"),
                    Comment.sentiment_label.label("sentiment"), Attempt.imported_from)
             .join(Task, Task.id == Attempt.task_id)
             .join(StudyTask, (StudyTask.task_id == Attempt.task_id) & (StudyTask.study_id == study_id))
             .outerjoin(Comment, Comment.attempt_id == Attempt.id)
             .where(Attempt.study_id == study_id, reportable(study_id, Attempt.participant_id))
             .order_by(Attempt.participant_id, StudyTask.position, Attempt.source))
    return [dict(row._mapping) for row in db.session.execute(query)]


def raw_comments(iteration: Iteration) -> list[dict[str, Any]]:
    """Every comment of reportable participants (already PII-scrubbed when stored), with its tags."""
    study_id = iteration.study.id
    query = (select(Comment.id, Comment.participant_id, StudyTask.position, Task.title_ja, Comment.kind,
                    Comment.text, Comment.redactions, Comment.lang, Comment.sentiment_label.label("label"),
                    Comment.sentiment_score.label("score"))
             .outerjoin(Task, Task.id == Comment.task_id)
             .outerjoin(StudyTask, (StudyTask.task_id == Comment.task_id) & (StudyTask.study_id == study_id))
             .where(Comment.study_id == study_id, reportable(study_id, Comment.participant_id))
             .order_by(Comment.participant_id, StudyTask.position, Comment.id))
    rows = [dict(row._mapping) for row in db.session.execute(query)]
    tags: dict[int, list[str]] = {}
    tag_query = (select(comment_tag.c.comment_id, Tag.name).join(Tag, Tag.id == comment_tag.c.tag_id)
                 .where(comment_tag.c.comment_id.in_([r["id"] for r in rows] or [-1])).order_by(Tag.name))
    for comment_id, name in db.session.execute(tag_query):
        tags.setdefault(comment_id, []).append(name)
    return [{**row, "tags": tags.get(row["id"], [])} for row in rows]


def reportable_participant_ids(iteration: Iteration) -> list[int]:
    """Ids of the iteration's participants whose answers count, in id order."""
    return list(db.session.scalars(queries.counted_participants(iteration.study.id).order_by(Participant.id)))


def published_iterations() -> list[Iteration]:
    """Iterations marked published, newest publication first (with service and department loaded)."""
    query = (select(Iteration).join(Service, Service.id == Iteration.service_id)
             .join(Department, Department.id == Service.department_id)
             .where(Iteration.published.is_(True))
             .order_by(Department.id, Service.id, Iteration.number.desc()))
    return list(db.session.scalars(query))


def published_iteration(iteration_id: int) -> Iteration | None:
    """An iteration if it is published; None (a 404 for the public) otherwise."""
    iteration = db.session.get(Iteration, iteration_id)
    return iteration if iteration is not None and iteration.published else None
