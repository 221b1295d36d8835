"""Which answers count in the figures: the one rule, and its upkeep on the attempt rows.

* A participant counts unless withdrawn or in a session closed as invalid (TestSession.excluded).
* An attempt counts when its participant counts, its outcome is not not_attempted, and it is not a resident's
  own attempt (source='self') that an observer attempt of the same participant and task replaces.
* A counting observer attempt takes the resident's own SEQ rating (or time) where the observer recorded none:
  Attempt.effective_seq and Attempt.effective_seconds hold the values the figures use (and
  effective_log_seconds the time's natural logarithm, for geometric means).

Why the result is stored on the rows (Attempt.counts and the effective values) instead of being worked
out in every read: the attempts that count are then one range of an index (study_id, counts, ...), whatever
the share of withdrawn residents, invalid sessions or observed tasks. Working it out per read cost 15-60x a
bare GROUP BY at 1,000,000 attempts on SQLite (README, Performance).

The counting attempts are also summed per study, task, outcome, effective SEQ and source in AttemptTally, the
table a report reads: a few hundred rows instead of every attempt (a grouped scan of the sums over 1,000,000
attempts cost twice a bare GROUP BY on its own). Every refresh reads the stored values of the rows it is
about to change, changes them, and adds the difference to the tally, in the same transaction; a whole study's
tally is rebuilt in SQL instead. Hence one rule for the tally: it is the sum of the attempt rows as stored,
and only the functions here change the values it is made of.

The stored values are refreshed in the same transaction as every change they depend on: listeners cover ORM
changes (attempts added, changed or deleted, a participant withdrawn, a session excluded), and code that
inserts attempts with Core statements calls refresh_answer() itself (one that updates them calls
retract_answer() before the UPDATE and refresh_answer() after it). stale() and stale_tallies() list what
differs from the rule, for tests and `flask --app app check-counts`.
"""
from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Mapping
from itertools import chain
from typing import Any

from sqlalchemy import (
    ColumnElement, CompoundSelect, Connection, Insert, Select, Update, and_, bindparam, case, delete, exists, false,
    func, insert, inspect, not_, or_, select, true, union, update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from civictest import answer_tallies, profile_tallies
from civictest.models import Attempt, AttemptTally, Comment, Participant, QuestionnaireResponse, TestSession
from civictest.reporting.vocabulary import NO_RATING, NOT_ATTEMPTED, OBSERVER, SEGMENTS, SELF

_ATTEMPT, _PARTICIPANT, _SESSION = Attempt.__table__, Participant.__table__, TestSession.__table__
_TALLY = AttemptTally.__table__
# Attempt columns the stored values and the tally's key are made of: a change to one of them means a refresh.
_INPUTS = ("participant_id", "study_id", "task_id", "outcome", "source", "seq", "seconds")
# Participant columns whose change moves the participant's answers in or out of the figures, or between keys.
_PARTICIPANT_INPUTS = ("withdrawn", "session_id", *SEGMENTS.values())


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
    """Recompute the stored values of one participant's attempts at one task, and the tally: after an answer is
    stored. The hot path of every resident answer, so its statements are built once per process; locks as _lock."""
    lock, stored, statement = _answer_statements()
    params = {"person": participant_id, "task": task_id}
    if connection.dialect.name == "postgresql":
        connection.execute(lock, params)
    before = connection.execute(stored, params).all()  # read to the end before the UPDATE changes the rows
    _change(connection, before, connection.execute(statement, params))


def retract_answer(connection: Connection, participant_id: int, task_id: int) -> None:
    """Take one participant's attempts at one task out of the figures before a Core UPDATE changes their own
    columns (outcome, SEQ...: the tallies' keys are made of them, so the old values must leave first); call
    refresh_answer after the UPDATE, in the same transaction, to count them again as the rule says."""
    _retract(connection, and_(_ATTEMPT.c.participant_id == participant_id, _ATTEMPT.c.task_id == task_id),
             [participant_id])


@functools.cache
def _answer_statements() -> tuple[Select, Select, Update]:
    person = bindparam("person")  # not a column's name: UPDATE reserves those for its SET values
    lock = select(_PARTICIPANT.c.id).where(_PARTICIPANT.c.id == person).with_for_update(key_share=True)
    answer = and_(_ATTEMPT.c.participant_id == person, _ATTEMPT.c.task_id == bindparam("task"))
    return lock, _stored(answer), _refreshed(answer)


# ---------------------------------------------------------------- the tally
# An attempt row adds to the tally row of its key: the sums of its stored values (when it counts).
_KEY = ("study_id", "task_id", "outcome", "seq", "source")
_SUMS = ("n", "n_timed", "sum_seconds", "sum_log_seconds", "sum_log_seconds_sq")
_ZERO = (0, 0, 0.0, 0.0, 0.0)  # the sums of no rows
_STORED = (_ATTEMPT.c.study_id, _ATTEMPT.c.task_id, _ATTEMPT.c.outcome, _ATTEMPT.c.effective_seq, _ATTEMPT.c.source,
           _ATTEMPT.c.effective_seconds, _ATTEMPT.c.effective_log_seconds, _ATTEMPT.c.participant_id)


def _stored(where: ColumnElement) -> Select:
    """The stored values of the counting attempts matching `where`, as the tally adds them."""
    return select(*_STORED).where(where, _ATTEMPT.c.counts == true())


def _refreshed(where: ColumnElement) -> Update:
    """Recompute the stored values of the attempts matching `where`; returns (counts, stored values) per row."""
    return update(_ATTEMPT).where(where).values(**_rule(_ATTEMPT)).returning(_ATTEMPT.c.counts, *_STORED)


def _sums(rows: Iterable[Any]) -> dict[tuple, tuple]:
    """The tally's sums per key of attempt rows (_STORED values, all counting), as SQL's count and sum would
    add them (a missing value is skipped)."""
    sums: dict[tuple, list] = {}
    for study, task, outcome, seq, source, seconds, log_seconds, _person in rows:
        key = (study, task, outcome, NO_RATING if seq is None else seq, source)
        total = sums.setdefault(key, list(_ZERO))
        total[0] += 1
        if seconds is not None:
            total[1] += 1
            total[2] += seconds
        if log_seconds is not None:
            total[3] += log_seconds
            total[4] += log_seconds * log_seconds
    return {key: tuple(total) for key, total in sums.items()}


def _change(connection: Connection, before: Iterable[Any], after: Iterable[Any]) -> None:
    """Add to the tallies the difference between rows' stored values before (_stored rows) and after a change
    (_refreshed rows: counts first): AttemptTally, then the segments of civictest.profile_tallies."""
    before, after = list(before), [row[1:] for row in after if row[0]]
    _add(connection, _sums(before), _sums(after))
    if before or after:
        answers = profile_tallies.profiles(connection, (row[7] for row in chain(before, after)))

        def segments(rows: list) -> dict[tuple, int]:
            return profile_tallies.segment_sums(((r[0], r[1], r[2], r[3], r[7]) for r in rows), answers)

        profile_tallies.add(connection, "segment", segments(before), segments(after))


def _add(connection: Connection, before: Mapping[tuple, tuple], after: Mapping[tuple, tuple]) -> None:
    """Add after - before to the tally rows of their keys, in key order (so that concurrent transactions lock
    PostgreSQL rows in one order and cannot deadlock)."""
    changes = []
    for key in sorted(before.keys() | after.keys()):
        old, new = before.get(key, _ZERO), after.get(key, _ZERO)
        if old != new:
            changes.append(dict(zip(_KEY, key)) | dict(zip(_SUMS, (b - a for a, b in zip(old, new)))))
    if changes:
        connection.execute(_upsert(connection.dialect.name), changes)


@functools.cache
def _upsert(dialect: str) -> Insert:
    """INSERT a tally row, or add to the one of the same key."""
    statement = (postgresql if dialect == "postgresql" else sqlite).insert(_TALLY)
    return statement.on_conflict_do_update(index_elements=list(_KEY),
                                           set_={name: _TALLY.c[name] + statement.excluded[name] for name in _SUMS})


def _tally_query() -> Select:
    """The tally worked out from the attempts as stored (a GROUP BY over them)."""
    seq = func.coalesce(_ATTEMPT.c.effective_seq, NO_RATING)
    log = _ATTEMPT.c.effective_log_seconds
    keys = (_ATTEMPT.c.study_id, _ATTEMPT.c.task_id, _ATTEMPT.c.outcome, seq, _ATTEMPT.c.source)
    seconds = _ATTEMPT.c.effective_seconds
    sums = (func.count(), func.count(seconds), func.coalesce(func.sum(seconds), 0.0),
            func.coalesce(func.sum(log), 0.0), func.coalesce(func.sum(log * log), 0.0))
    return (select(*(column.label(name) for column, name in zip(keys + sums, _KEY + _SUMS)))
            .where(_ATTEMPT.c.counts == true()).group_by(*keys))


def rebuild_tally(connection: Connection, study_id: int) -> None:
    """Replace a study's tally by one worked out from its attempts as stored (after a whole-study refresh)."""
    connection.execute(delete(_TALLY).where(_TALLY.c.study_id == study_id))
    rows = _tally_query().where(_ATTEMPT.c.study_id == study_id)
    connection.execute(insert(_TALLY).from_select(_KEY + _SUMS, rows))


def stale_tallies(connection: Connection, study_id: int | None = None) -> list[tuple]:
    """Keys of tally rows that differ from the sums of the attempts as stored: counts exactly, sums to 1e-9
    relative (they are added up in another order). A key absent on one side counts as zeros there."""
    worked_out, kept = _tally_query(), select(_TALLY)
    if study_id is not None:
        worked_out, kept = worked_out.where(_ATTEMPT.c.study_id == study_id), kept.where(_TALLY.c.study_id == study_id)
    expected = {tuple(row[:5]): tuple(row[5:]) for row in connection.execute(worked_out)}
    actual = {tuple(row[:5]): tuple(row[5:]) for row in connection.execute(kept)}

    def same(a: tuple, b: tuple) -> bool:
        return a[:2] == b[:2] and all(math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-9) for x, y in zip(a[2:], b[2:]))

    return sorted(key for key in expected.keys() | actual.keys()
                  if not same(expected.get(key, _ZERO), actual.get(key, _ZERO)))


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
    if scopes:
        if people:
            _lock(connection, people)
        scope = or_(*scopes)
        before = connection.execute(_stored(scope)).all()  # read to the end before the UPDATE
        _change(connection, before, connection.execute(_refreshed(scope)))
    if study_id is not None:  # every row: one UPDATE, then the study's tallies from its rows
        connection.execute(update(_ATTEMPT).where(_ATTEMPT.c.study_id == study_id).values(**_rule(_ATTEMPT)))
        rebuild_tally(connection, study_id)
        profile_tallies.rebuild(connection, study_id)
        answer_tallies.rebuild(connection, study_id)


def _retract(connection: Connection, scope: ColumnElement, participant_ids: list[int]) -> None:
    """Take the attempts matching `scope` out of the figures before their own columns, or their participant's,
    change or they are deleted (an ORM flush): the tallies' keys are made of those columns, so the old values
    must leave them first. They count again (as the rule says) when refresh() runs after the flush. Locks as
    _lock."""
    _lock(connection, participant_ids)
    before = connection.execute(_stored(scope)).all()
    connection.execute(update(_ATTEMPT).where(scope, _ATTEMPT.c.counts == true()).values(counts=False))
    _change(connection, before, [])


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
            people |= _participants_of(obj)
        elif isinstance(obj, Participant) and obj not in session.new and _changed(obj, _PARTICIPANT_INPUTS):
            people.add(obj.id)
        elif isinstance(obj, TestSession) and obj not in session.new and _changed(obj, ("excluded",)):
            sessions.add(obj.id)
    return people, sessions


def _participants_of(attempt: Attempt) -> set[int]:
    """The participant of an attempt object, and the one it had before a change in this flush."""
    return {p for p in (attempt.participant_id, *inspect(attempt).attrs.participant_id.history.deleted)
            if p is not None}


def _moving_participants(session: Session) -> list[int]:
    """Persistent participants whose counting or profile this flush changes (their own columns, or their
    session's exclusion), or who are deleted."""
    people, sessions = set(), set()
    for obj in chain(session.dirty, session.deleted):
        if not inspect(obj).persistent:
            continue
        if isinstance(obj, Participant) and (obj in session.deleted or _changed(obj, _PARTICIPANT_INPUTS)):
            people.add(obj.id)
        elif isinstance(obj, TestSession) and _changed(obj, ("excluded",)):
            sessions.add(obj.id)
    if sessions:
        people |= set(session.connection().scalars(
            select(_PARTICIPANT.c.id).where(_PARTICIPANT.c.session_id.in_(sorted(sessions)))))
    return sorted(people)


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    connection = session.connection()
    changing = [obj for obj in chain(session.dirty, session.deleted) if isinstance(obj, Attempt)
                and inspect(obj).persistent and (obj in session.deleted or _changed(obj, _INPUTS))]
    if changing:
        _retract(connection, _ATTEMPT.c.id.in_(sorted(obj.id for obj in changing)),
                 sorted(set().union(*map(_participants_of, changing))))
    moving = _moving_participants(session)
    # What these participants add to ParticipantTally, and the owners of the comments and questionnaires this
    # flush may change add to their tallies, now; after the flush, the differences are added.
    owners = sorted(set(moving) | _owners(session))
    session.info["counting_before"] = (moving, profile_tallies.participant_sums(connection, moving),
                                       owners, answer_tallies.owned_sums(connection, owners))
    if moving:
        _retract(connection, _ATTEMPT.c.participant_id.in_(moving), moving)


def _after_flush(session: Session, _context: Any) -> None:
    connection = session.connection()
    moving, before, owners, owned = session.info.pop("counting_before", ([], {}, [], {}))
    people, sessions = _affected(session)
    people |= set(moving)
    if people or sessions:
        refresh(connection, people, session_ids=sessions)
    joined = [obj.id for obj in session.new if isinstance(obj, Participant)]
    if moving or joined:
        after = profile_tallies.participant_sums(connection, [*moving, *joined])
        profile_tallies.add(connection, "participant", before, after)
    if owners:
        answer_tallies.add(connection, owned, answer_tallies.owned_sums(connection, owners))


def _owners(session: Session) -> set[int]:
    """Participants whose comments or questionnaires this flush adds, changes or deletes, or whose attempts
    change (a comment's tally key holds what its attempt says)."""
    owners = set()
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, (Comment, QuestionnaireResponse)):
            state = inspect(obj)
            owners |= {p for p in (obj.participant_id, *state.attrs.participant_id.history.deleted) if p is not None}
        elif isinstance(obj, Attempt) and (obj in session.new or obj in session.deleted or _changed(obj, _INPUTS)):
            owners |= _participants_of(obj)
    return owners


def participant_joined(connection: Connection, participant_id: int) -> None:
    """Count a participant inserted with a Core statement (the ORM's are counted at flush)."""
    profile_tallies.add(connection, "participant", {}, profile_tallies.participant_sums(connection, [participant_id]))


def stale_aggregates(connection: Connection, study_id: int | None = None) -> list[tuple]:
    """Every tally row that differs from the rows it sums: ("attempt", key...), ("segment", key...),
    ("participant", key...), ("comment", key...) and ("questionnaire", key...); empty when all agree."""
    return ([("attempt", *key) for key in stale_tallies(connection, study_id)]
            + profile_tallies.stale(connection, study_id) + answer_tallies.stale(connection, study_id))


def install() -> None:
    """Keep the stored values and the tally in step with every ORM flush (idempotent)."""
    from sqlalchemy import event

    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
