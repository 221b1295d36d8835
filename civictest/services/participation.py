"""Resident participation: join by invite code, consent, profile, answers stored exactly once, withdrawal.

Exactly once: every rendered form carries an idempotency key; the insert ignores a conflict and we learn
whether it inserted from RETURNING (PostgreSQL reports rowcount -1 there). A resubmitted key acknowledges the
answer already stored instead of storing another; a new answer to a task already answered (the resident went
back) changes the stored one: still one row per participant and task.
"""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cache

from sqlalchemy import Insert, Select, bindparam, delete, func, select, update
from sqlalchemy.orm import joinedload
from sqlalchemy.dialects import postgresql, sqlite

from civictest.analysis.metrics import sus_score, umux_lite
from civictest import answer_tallies, counting
from civictest.answer_tallies import attempt_state, comment_key, questionnaire_key
from civictest.reporting.vocabulary import NO_ATTEMPT
from civictest.extensions import db
from civictest.models import Attempt, Comment, Participant, QuestionnaireResponse, Study, StudyTask, TestSession
from civictest.models.base import utcnow
from civictest.services.catalog import INVITE_ALPHABET
from civictest.services.comments import comment_values
from civictest.services.errors import InvalidInput, NotFound, SessionClosed

MAX_INVITE_CODE_LENGTH = 64
INVITE_CODE_PATTERN = re.compile(r"^[A-Z0-9-]+$")
RESIDENT_OUTCOMES = ("success", "partial", "failure", "abandoned")
_ATTEMPT, _COMMENT = Attempt.__table__, Comment.__table__


@dataclass(frozen=True)
class Step:
    """Where a participant stands: `profile`, `task` (with its 1-based position), `questionnaire`, `thanks`."""

    name: str
    position: int | None = None


def find_session(invite_code: str, *, must_be_open: bool = True) -> TestSession:
    """The session for an invite code; unknown codes are NotFound, closed or excluded ones SessionClosed."""
    code = (invite_code or "").strip().upper()
    if not code or len(code) > MAX_INVITE_CODE_LENGTH or not INVITE_CODE_PATTERN.match(code):
        raise NotFound()  # anything but letters, digits and hyphens cannot be a code (NUL would upset PostgreSQL)
    test_session = db.session.scalar(select(TestSession).where(TestSession.invite_code == code))
    if test_session is None:
        raise NotFound()
    if must_be_open and (not test_session.is_open or test_session.excluded):
        raise SessionClosed()
    return test_session


def new_receipt_code() -> str:
    """A receipt code (受付番号): 10 characters of a 32-letter alphabet (50 bits), easy to copy by hand."""
    raw = "".join(secrets.choice(INVITE_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def join(test_session: TestSession, consent_version: str, join_key: str) -> Participant:
    """Create the participant at consent (nothing is stored before); a repeated key returns the same one."""
    existing = db.session.scalar(select(Participant).where(Participant.join_key == join_key))
    if existing is not None:
        return existing
    _ensure_open(test_session)
    joined = db.session.scalar(select(func.count()).where(Participant.session_id == test_session.id))
    if joined >= test_session.capacity:
        raise SessionClosed("full")
    values = dict(public_id=secrets.token_hex(16), session_id=test_session.id, receipt_code=new_receipt_code(),
                  consent_version=consent_version, consented_at=utcnow(), join_key=join_key)
    participant_id = insert_once(Participant, values)
    if participant_id is not None:
        counting.participant_joined(db.session.connection(), participant_id)
    db.session.commit()
    return db.session.scalar(select(Participant).where(Participant.join_key == join_key))


def participant(public_id: str | None) -> Participant | None:
    """The participant a browser session points at, unless withdrawn."""
    if not public_id:
        return None
    found = db.session.scalars(_participant_query(), {"public_id": public_id}).unique().first()
    return found if found is not None and not found.withdrawn else None


@cache
def _participant_query() -> Select:
    """One query for what every resident page needs: the participant, their session, study and task list.

    Built once per process with a bound parameter: SQLAlchemy then reuses its cache key too, and building
    this eager-loading statement cost more than running it. The task list is joined (a handful of rows)
    rather than a second SELECT ... IN query.
    """
    return select(Participant).where(Participant.public_id == bindparam("public_id")).options(
        joinedload(Participant.session).joinedload(TestSession.study).joinedload(Study.study_tasks)
    )


def by_receipt_code(code: str) -> Participant | None:
    normalised = (code or "").strip().upper().replace(" ", "")[:32]
    if len(normalised) == 10 and "-" not in normalised:
        normalised = f"{normalised[:5]}-{normalised[5:]}"
    return db.session.scalar(select(Participant).where(Participant.receipt_code == normalised))


def save_profile(person: Participant, answers: dict) -> None:
    """Store the optional coarse profile; only the municipality code of a postal code is kept."""
    from civictest.geo import municipality_for_postal_code

    person.age_band = answers.get("age_band") or None
    postal = answers.get("postal_code") or ""
    person.municipality_code = municipality_for_postal_code(postal) if postal else None
    person.device = answers.get("device") or None
    person.online_frequency = answers.get("online_frequency") or None
    # Assistive technology can reveal a disability (要配慮個人情報): kept only with its own consent.
    person.assistive_technology = (answers.get("assistive_technology") or None) if answers.get("assistive_consent") else None
    person.profile_done = True
    db.session.commit()


def next_step(person: Participant) -> Step:
    """The first unanswered step: a resident who comes back continues where they stopped."""
    if not person.profile_done:
        return Step("profile")
    answered = set(db.session.scalars(_answered_tasks_query(), {"participant_id": person.id}))
    for study_task in person.session.study.study_tasks:
        if study_task.task_id not in answered:
            return Step("task", study_task.position)
    done = db.session.scalar(_questionnaire_done_query(), {"participant_id": person.id})
    return Step("thanks") if done else Step("questionnaire")


# next_step runs after every answer; its statements are built once (see _participant_query).
@cache
def _answered_tasks_query() -> Select:
    return select(Attempt.task_id).where(Attempt.participant_id == bindparam("participant_id"),
                                         Attempt.source == "self")


@cache
def _questionnaire_done_query() -> Select:
    return select(QuestionnaireResponse.id).where(QuestionnaireResponse.participant_id == bindparam("participant_id"))


def task_at(person: Participant, position: int) -> StudyTask:
    for study_task in person.session.study.study_tasks:
        if study_task.position == position:
            return study_task
    raise NotFound()


def record_attempt(person: Participant, task_id: int, answer: dict, key: str, served_at: datetime) -> bool:
    """Store one self-reported attempt and its comment in one transaction; False when it was already stored."""
    _ensure_open(person.session)
    if task_id not in {st.task_id for st in person.session.study.study_tasks}:
        raise InvalidInput("task")
    if answer["outcome"] not in RESIDENT_OUTCOMES:
        raise InvalidInput("outcome")
    ended = utcnow()
    seconds = _seconds(served_at, ended, answer.get("client_seconds"))
    comment = _scored_comment(answer.get("comment"), person, task_id=task_id, kind="task")
    attempt_id = insert_once(Attempt, dict(
        participant_id=person.id, study_id=person.session.study_id, task_id=task_id, outcome=answer["outcome"],
        source="self", seq=answer.get("seq"), started_at=served_at, ended_at=ended, seconds=seconds,
        idempotency_key=key,
    ))
    if attempt_id is not None:
        counting.refresh_answer(db.session.connection(), person.id, task_id)
        _insert_comment(comment, attempt_id=attempt_id)
        _count_comment(comment, attempt_state(answer["outcome"], answer.get("seq")))
        _lock_study(person.session.study)
        changed = True
    else:
        changed = _change_answer(person, task_id, answer, comment, key)
    db.session.commit()
    return changed


def _change_answer(person: Participant, task_id: int, answer: dict, comment: dict | None, key: str) -> bool:
    """A resident who went back to a task they had answered and answered again: their own attempt takes the new
    outcome, SEQ and comment (its time on task stays the first measure). The page they went back to may be the
    browser's copy, with the ticket (key) of the stored answer: so a replay is told by its answer, not its key,
    and a submission that says what is stored already (a double click, a resent form) changes nothing (False).

    Core statements, so the upkeep is ours: retract_answer before the UPDATE and refresh_answer after it for the
    attempt's stored values and tallies (their keys hold the outcome and SEQ), and the owner's comment sums
    before and after (a comment's tally key also holds its attempt's outcome and SEQ)."""
    connection = db.session.connection()
    stored = connection.execute(
        select(_ATTEMPT.c.id, _ATTEMPT.c.outcome, _ATTEMPT.c.seq)
        .where(_ATTEMPT.c.participant_id == person.id, _ATTEMPT.c.task_id == task_id, _ATTEMPT.c.source == "self")
        .with_for_update()).first()
    if stored is None:
        return False
    old = connection.execute(select(_COMMENT.c.id, _COMMENT.c.text).where(_COMMENT.c.attempt_id == stored.id)).first()
    text = comment["text"] if comment is not None else None
    if (stored.outcome, stored.seq, old.text if old else None) == (answer["outcome"], answer.get("seq"), text):
        return False
    before = answer_tallies.owned_sums(connection, [person.id])
    counting.retract_answer(connection, person.id, task_id)
    connection.execute(update(_ATTEMPT).where(_ATTEMPT.c.id == stored.id).values(
        outcome=answer["outcome"], seq=answer.get("seq"), idempotency_key=key))
    counting.refresh_answer(connection, person.id, task_id)
    if old is not None and comment is None:
        connection.execute(delete(_COMMENT).where(_COMMENT.c.id == old.id))
    elif old is not None:
        connection.execute(update(_COMMENT).where(_COMMENT.c.id == old.id).values(**comment))
    else:
        _insert_comment(comment, attempt_id=stored.id)
    answer_tallies.add(connection, before, answer_tallies.owned_sums(connection, [person.id]))
    return True


def stored_answer(person: Participant, task_id: int) -> dict | None:
    """The resident's own answer to a task (outcome, SEQ, comment), to show when they come back to it."""
    row = db.session.execute(
        select(Attempt.outcome, Attempt.seq, Comment.text).outerjoin(Comment, Comment.attempt_id == Attempt.id)
        .where(Attempt.participant_id == person.id, Attempt.task_id == task_id, Attempt.source == "self")).first()
    return None if row is None else {"outcome": row.outcome, "seq": row.seq, "comment": row.text}


def record_questionnaire(person: Participant, kind: str, items: list[int], comment: str, key: str) -> bool:
    """Store the SUS or UMUX-Lite answers with their score, and the overall comment, once."""
    _ensure_open(person.session)
    score = sus_score(items) if kind == "sus" else umux_lite(*items)["umux_lite"]
    overall = _scored_comment(comment, person, kind="overall")
    response_id = insert_once(QuestionnaireResponse, dict(
        participant_id=person.id, study_id=person.session.study_id, kind=kind, items=list(items), score=score,
        idempotency_key=key,
    ))
    if response_id is not None:
        _insert_comment(overall)
        _count_comment(overall, NO_ATTEMPT)
        answer_tallies.add_questionnaire(db.session.connection(),
                                         questionnaire_key(person.session.study_id, kind, score))
        person.finished_at = utcnow()
    db.session.commit()
    return response_id is not None


def withdraw(person: Participant) -> None:
    """Remove a participant from every figure (the reportable filter skips them) and delete their free text."""
    person.withdrawn, person.withdrawn_at = True, utcnow()
    person.age_band = person.municipality_code = person.device = None
    person.assistive_technology = person.online_frequency = None
    db.session.flush()  # counting takes their answers out of every tally first; then the text goes
    db.session.execute(delete(Comment).where(Comment.participant_id == person.id))
    db.session.commit()


def _ensure_open(test_session: TestSession) -> None:
    if not test_session.is_open or test_session.excluded:
        raise SessionClosed()


def _seconds(served_at: datetime, ended: datetime, client_seconds: float | None) -> float | None:
    """Server-measured time on task, refined by the browser's own measure when it is plausible."""
    if served_at.tzinfo is None:
        served_at = served_at.replace(tzinfo=timezone.utc)
    server = (ended - served_at).total_seconds()
    if client_seconds is not None and 0 < client_seconds <= server + 2:
        return client_seconds
    return server if server > 0 else None


def _scored_comment(text: str | None, person: Participant, **fields: object) -> dict | None:
    """The comment's row, scrubbed and scored before the answer's INSERT: on SQLite the write lock is held
    from the first INSERT to the commit, and every other worker's answer waits for it meanwhile."""
    return comment_values(text or "", participant_id=person.id, study_id=person.session.study_id, **fields)


def _insert_comment(values: dict | None, **fields: object) -> None:
    """A plain INSERT in the caller's transaction: nothing reads the row back in this request, and an ORM
    object's flush cost four times as much."""
    if values is not None:
        statement = _insert_statement(Comment, db.session.get_bind().dialect.name, on_conflict=False)
        db.session.execute(statement, {**values, **fields})


def _count_comment(values: dict | None, state: str) -> None:
    """Count a comment inserted with _insert_comment: its participant counts (the session is open and valid,
    and a withdrawn resident can no longer answer)."""
    if values is not None:
        key = comment_key(values["study_id"], values.get("task_id"), values["kind"], values.get("sentiment_label"),
                          values.get("analyzer"), state)
        answer_tallies.add_comment(db.session.connection(), key)


def _lock_study(study: Study) -> None:
    if study.locked_at is None:
        study.locked_at = utcnow()


def insert_once(model: type, values: dict) -> int | None:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING id: the new row's id, or None when it already existed.

    A Core INSERT on the model's table, which does not flush pending ORM objects by itself: flushed here
    first, so that the row may refer to objects added earlier in the transaction.
    """
    db.session.flush()
    statement = _insert_statement(model, db.session.get_bind().dialect.name, on_conflict=True)
    return db.session.execute(statement, values).scalar()


@cache
def _insert_statement(model: type, dialect: str, *, on_conflict: bool) -> Insert:
    """An INSERT into the model's table taking its values as parameters, built once per process.

    Building an ORM insert with .values() on every answer cost several times more than running it; the
    table's Python-side column defaults (created_at) still apply to a Core INSERT.
    """
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(model.__table__)
    if on_conflict:
        statement = statement.on_conflict_do_nothing().returning(model.__table__.c.id)
    return statement
