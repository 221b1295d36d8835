"""Which answers count in the figures: the one rule, and its upkeep on the attempt rows.

* A participant counts unless withdrawn or in a session closed as invalid (TestSession.excluded).
* An attempt counts when its participant counts, its outcome is not not_attempted, and it is not a resident's
  own attempt (source='self') that an observer attempt of the same participant and task replaces.
* A counting observer attempt takes the resident's own SEQ rating (or time) where the observer recorded none:
  Attempt.effective_seq and Attempt.effective_seconds hold the values the figures use (and
  effective_log_seconds the time's natural logarithm, for geometric means).

Why the result is stored on the rows (Attempt.counts and the effective values) instead of being worked
out in every report: a report then reads one range of a covering index (study_id, counts, ...), whatever the
share of withdrawn residents, invalid sessions or observed tasks. Working it out per read cost 15-60x a bare
GROUP BY at 1,000,000 attempts on SQLite (README, Performance).

The stored values are refreshed in the same transaction as every change they depend on: an after_flush listener
covers ORM changes (attempts added, changed or deleted, a participant withdrawn, a session excluded), and code
that inserts attempts with Core statements calls refresh() itself. stale() lists rows whose stored values
differ from the rule, for tests and `flask --app app data check-counts`.
"""
from __future__ import annotations

import functools
from collections.abc import Iterable
from itertools import chain
from typing import Any

from sqlalchemy import (
    ColumnElement, CompoundSelect, Connection, Select, Update, and_, bindparam, case, exists, false, func, inspect,
    not_, or_, select, true, union, update,
)
from sqlalchemy.orm import Session

from civictest.models import Attempt, Participant, TestSession

NOT_ATTEMPTED, SELF, OBSERVER = "not_attempted", "self", "observer"
_ATTEMPT, _PARTICIPANT, _SESSION = Attempt.__table__, Participant.__table__, TestSession.__table__
# Attempt columns the stored values are computed from: a change to one of them means a refresh.
_INPUTS = ("participant_id", "task_id", "outcome", "source", "seq", "seconds")


# ---------------------------------------------------------------- participants
def excluded_participants(study_id: int) -> CompoundSelect:
    """Ids of a study's participants whose answers never count: withdrawn, or in a session closed as invalid.
    Two seeks (withdrawn ones on ix_participant_session_withdrawn; everyone in an invalid session) instead of
    an OR, which would read every participant of the study."""
    in_study = select(Participant.id).join(TestSession, TestSession.id == Participant.session_id).where(
        TestSession.study_id == study_id)
    return union(in_study.where(Participant.withdrawn == true()), in_study.where(TestSession.excluded == true()))


def counted_participants(study_id: int) -> Select:
    """Ids of a study's participants whose answers count (a join on the (session_id, withdrawn) index)."""
    return (select(Participant.id).join(TestSession, TestSession.id == Participant.session_id)
            .where(TestSession.study_id == study_id, Participant.withdrawn == false(), TestSession.excluded == false()))


# ---------------------------------------------------------------- attempts
def _rule(attempt: Any) -> dict[str, ColumnElement]:
    """The stored values (counts and the effective SEQ, time and ln time) of the attempt row `attempt`, in SQL."""
    other = _ATTEMPT.alias("other")
    same_task = and_(other.c.participant_id == attempt.c.participant_id, other.c.task_id == attempt.c.task_id)
    participant_counts = exists().where(
        _PARTICIPANT.c.id == attempt.c.participant_id, _PARTICIPANT.c.withdrawn == false(),
        _SESSION.c.id == _PARTICIPANT.c.session_id, _SESSION.c.excluded == false())
    replaced = and_(attempt.c.source == SELF, exists().where(same_task, other.c.source == OBSERVER))
    counts = and_(attempt.c.outcome != NOT_ATTEMPTED, not_(replaced), participant_counts)

    def effective(name: str) -> ColumnElement:
        own = select(other.c[name]).where(same_task, other.c.source == SELF).scalar_subquery()
        return case((and_(attempt.c.source == OBSERVER, attempt.c[name].is_(None)), own), else_=attempt.c[name])

    seconds = effective("seconds")
    return {"counts": counts, "effective_seq": effective("seq"), "effective_seconds": seconds,
            "effective_log_seconds": func.ln(seconds)}


def refresh_answer(connection: Connection, participant_id: int, task_id: int) -> None:
    """Recompute the stored values of one participant's attempts at one task: after an answer is stored.
    The hot path of every resident answer, so its statements are built once per process; locks as _lock."""
    lock, statement = _answer_statements()
    if connection.dialect.name == "postgresql":
        connection.execute(lock, {"person": participant_id})
    connection.execute(statement, {"person": participant_id, "task": task_id})


@functools.cache
def _answer_statements() -> tuple[Select, Update]:
    person = bindparam("person")  # not a column's name: UPDATE reserves those for its SET values
    lock = select(_PARTICIPANT.c.id).where(_PARTICIPANT.c.id == person).with_for_update(key_share=True)
    statement = (update(_ATTEMPT).where(_ATTEMPT.c.participant_id == person, _ATTEMPT.c.task_id == bindparam("task"))
                 .values(**_rule(_ATTEMPT)))
    return lock, statement


def refresh(connection: Connection, participant_ids: Iterable[int] = (), *, session_ids: Iterable[int] = (),
            study_id: int | None = None) -> None:
    """Recompute the stored values of the attempts of these participants, of every participant of these
    sessions, or of a whole study."""
    people, sessions = sorted(set(participant_ids)), sorted(set(session_ids))
    scopes = []
    if people:
        scopes.append(_ATTEMPT.c.participant_id.in_(people))
    if sessions:
        in_sessions = select(_PARTICIPANT.c.id).where(_PARTICIPANT.c.session_id.in_(sessions))
        scopes.append(_ATTEMPT.c.participant_id.in_(in_sessions))
    if study_id is not None:
        scopes.append(_ATTEMPT.c.study_id == study_id)
    if not scopes:
        return
    if people:
        _lock(connection, people)
    connection.execute(update(_ATTEMPT).where(or_(*scopes)).values(**_rule(_ATTEMPT)))


def _lock(connection: Connection, participant_ids: list[int]) -> None:
    """PostgreSQL: serialise refreshes of a participant, so that a self attempt and an observer attempt
    stored at the same moment cannot both stay counted (each refresh would miss the other's uncommitted row).
    FOR NO KEY UPDATE does not conflict with the KEY SHARE locks the attempt inserts' foreign keys hold.
    SQLite writers are serialised already."""
    if connection.dialect.name == "postgresql":
        connection.execute(select(_PARTICIPANT.c.id).where(_PARTICIPANT.c.id.in_(participant_ids))
                           .order_by(_PARTICIPANT.c.id).with_for_update(key_share=True))


def stale(study_id: int | None = None) -> Select:
    """(id, and the rule's values) of attempts whose stored values differ from the rule."""
    rule = _rule(_ATTEMPT)
    differs = [func.coalesce(_ATTEMPT.c[name] != rule[name], _ATTEMPT.c[name].is_(None) != rule[name].is_(None))
               for name in ("effective_seq", "effective_seconds", "effective_log_seconds")]
    query = select(_ATTEMPT.c.id, *(rule[name].label(name) for name in rule)).where(
        or_(_ATTEMPT.c.counts != rule["counts"], *differs))
    return query if study_id is None else query.where(_ATTEMPT.c.study_id == study_id)


# ---------------------------------------------------------------- upkeep of ORM changes
def _changed(obj: Any, names: Iterable[str]) -> bool:
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


def _affected(session: Session) -> tuple[set[int], set[int]]:
    """Participants and sessions whose attempts' stored values this flush may have changed."""
    people, sessions = set(), set()
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, Attempt) and (obj in session.new or obj in session.deleted or _changed(obj, _INPUTS)):
            people.add(obj.participant_id)
            people.update(v for v in inspect(obj).attrs.participant_id.history.deleted if v is not None)
        elif isinstance(obj, Participant) and obj not in session.new and _changed(obj, ("withdrawn", "session_id")):
            people.add(obj.id)
        elif isinstance(obj, TestSession) and obj not in session.new and _changed(obj, ("excluded",)):
            sessions.add(obj.id)
    return {p for p in people if p is not None}, sessions


def _after_flush(session: Session, _context: Any) -> None:
    people, sessions = _affected(session)
    if people or sessions:
        refresh(session.connection(), people, session_ids=sessions)


def install() -> None:
    """Keep the stored values in step with every ORM flush (idempotent)."""
    from sqlalchemy import event

    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
