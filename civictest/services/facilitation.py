"""Facilitation: the session board and observer attempts (source `observer`), stored exactly once."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select

from civictest import counting
from civictest.extensions import db
from civictest.models import Attempt, Participant, TestSession, User
from civictest.models.base import utcnow
from civictest.security import audit, visible_service_ids
from civictest.services.comments import build_comment
from civictest.services.participation import insert_once, next_step


def sessions_for(user: User) -> list[TestSession]:
    """In-person sessions of the services this user may see, open ones first."""
    from civictest.models import Iteration, Study

    query = (select(TestSession).join(Study).join(Iteration)
             .where(TestSession.mode == "in_person").order_by(TestSession.is_open.desc(), TestSession.held_on.desc()))
    ids = visible_service_ids(user)
    if ids is not None:
        query = query.where(Iteration.service_id.in_(ids or {-1}))
    return list(db.session.scalars(query))


def board(test_session: TestSession) -> list[dict]:
    """Each participant with the step they are on and which tasks already have an observation."""
    observed = {(a.participant_id, a.task_id) for a in db.session.scalars(
        select(Attempt).join(Participant).where(Participant.session_id == test_session.id, Attempt.source == "observer")
    )}
    rows = []
    for person in test_session.participants:
        if person.withdrawn:
            continue
        tasks = [(st, (person.id, st.task_id) in observed) for st in test_session.study.study_tasks]
        rows.append({"participant": person, "step": next_step(person), "tasks": tasks,
                     "elapsed_minutes": _minutes_since(person.consented_at, person.finished_at)})
    return rows


def _minutes_since(start: datetime | None, end: datetime | None) -> int | None:
    """Whole minutes from consent to finishing (or to now while the resident is still at it)."""
    if start is None:
        return None
    end = end or utcnow()
    start, end = (t if t.tzinfo else t.replace(tzinfo=timezone.utc) for t in (start, end))
    return max(0, int((end - start).total_seconds() // 60))


def answers_for(person: Participant, task_id: int) -> dict[str, Attempt]:
    """The attempts already stored for this participant and task, by source."""
    attempts = db.session.scalars(select(Attempt).where(Attempt.participant_id == person.id, Attempt.task_id == task_id))
    return {attempt.source: attempt for attempt in attempts}


def record_observation(person: Participant, task_id: int, answer: dict, key: str, started_at: datetime,
                       observer: User) -> bool:
    """Store what the facilitator saw (outcome, time, assistance, notes) beside the resident's own answer."""
    ended = utcnow()
    seconds = (ended - started_at).total_seconds() if answer.get("timed") == "1" else 0
    attempt_id = insert_once(Attempt, dict(
        participant_id=person.id, study_id=person.session.study_id, task_id=task_id, outcome=answer["outcome"],
        source="observer", assistance=answer.get("assistance") or "none", started_at=started_at, ended_at=ended,
        seconds=seconds if seconds > 0 else None, idempotency_key=key,
    ))
    if attempt_id is not None:
        counting.refresh_answer(db.session.connection(), person.id, task_id)  # the resident's own stops counting
        note = build_comment(answer.get("notes") or "", participant_id=person.id, study_id=person.session.study_id,
                             task_id=task_id, attempt_id=attempt_id, kind="observer")
        if note is not None:
            db.session.add(note)
        audit("observation_recorded", user=observer, participant=person.id, task=task_id)
    db.session.commit()
    return attempt_id is not None
