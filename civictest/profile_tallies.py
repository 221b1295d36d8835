"""The counting attempts and participants per profile answer: the tallies that segments and maps read.

SegmentTally sums the counting attempts of a study per segment (age band, municipality, device, assistive
technology, online frequency), the participant's answer, task, outcome and whether the effective SEQ was hard;
ParticipantTally counts the counting participants per segment and answer. Both exist so that no page joins every
attempt to its participant (at 1,000,000 attempts that join cost more than the whole report).

They follow the same rule as AttemptTally (civictest.counting): each is the sum of the rows as stored, changed
only by adding the difference between what a change's rows contributed before and after it, in the same
transaction. A participant's answers move between keys when their profile changes, so counting takes their
attempts out of the figures before such a change is flushed and puts them back after it.
"""
from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Connection, Insert, Select, and_, case, delete, false, func, insert, literal, select, true
from sqlalchemy.dialects import postgresql, sqlite

from civictest.models import Attempt, Participant, ParticipantTally, SegmentTally, TestSession
from civictest.reporting.vocabulary import SEGMENTS, SEQ_HARD_MAX

_ATTEMPT, _PARTICIPANT, _SESSION = Attempt.__table__, Participant.__table__, TestSession.__table__
_SEGMENTS, _PARTICIPANTS = SegmentTally.__table__, ParticipantTally.__table__
_PROFILE = tuple(_PARTICIPANT.c[column] for column in SEGMENTS.values())
NONE_GIVEN = ""  # the tallies' value for a question left unanswered (a key can't be NULL)


def _answer(value: Any) -> str:
    return NONE_GIVEN if value is None else value


def profiles(connection: Connection, participant_ids: Iterable[int]) -> dict[int, tuple[str, ...]]:
    """Each participant's answers, in SEGMENTS order."""
    ids = sorted(set(participant_ids))
    if not ids:
        return {}
    rows = connection.execute(select(_PARTICIPANT.c.id, *_PROFILE).where(_PARTICIPANT.c.id.in_(ids)))
    return {row[0]: tuple(_answer(value) for value in row[1:]) for row in rows}


# ---------------------------------------------------------------- attempts per segment
def segment_sums(rows: Iterable[Any], answers: Mapping[int, tuple[str, ...]]) -> dict[tuple, int]:
    """SegmentTally's n per key of counting attempt rows (study, task, outcome, effective SEQ, participant)."""
    sums: dict[tuple, int] = {}
    for study, task, outcome, seq, person in rows:
        hard = seq is not None and seq <= SEQ_HARD_MAX
        for segment, value in zip(SEGMENTS, answers[person]):
            key = (study, segment, value, task, outcome, hard)
            sums[key] = sums.get(key, 0) + 1
    return sums


def add(connection: Connection, table: str, before: Mapping[tuple, int], after: Mapping[tuple, int]) -> None:
    """Add after - before to the rows of `table` ("segment" or "participant"), in key order (so concurrent
    PostgreSQL transactions lock rows in one order, after AttemptTally's)."""
    keys = _SEGMENT_KEY if table == "segment" else _PARTICIPANT_KEY
    changes = [dict(zip(keys, key), n=after.get(key, 0) - before.get(key, 0))
               for key in sorted(before.keys() | after.keys()) if after.get(key, 0) != before.get(key, 0)]
    if changes:
        connection.execute(_upsert(connection.dialect.name, table), changes)


_SEGMENT_KEY = ("study_id", "segment", "value", "task_id", "outcome", "hard")
_PARTICIPANT_KEY = ("study_id", "segment", "value")


@functools.cache
def _upsert(dialect: str, table: str) -> Insert:
    target, keys = (_SEGMENTS, _SEGMENT_KEY) if table == "segment" else (_PARTICIPANTS, _PARTICIPANT_KEY)
    statement = (postgresql if dialect == "postgresql" else sqlite).insert(target)
    return statement.on_conflict_do_update(index_elements=list(keys), set_={"n": target.c.n + statement.excluded.n})


# ---------------------------------------------------------------- participants per segment
def _counted(where: Any) -> Select:
    """(study, answers...) of the counting participants matching `where`."""
    return (select(_SESSION.c.study_id, *_PROFILE).join(_SESSION, _SESSION.c.id == _PARTICIPANT.c.session_id)
            .where(where, _PARTICIPANT.c.withdrawn == false(), _SESSION.c.excluded == false()))


def participant_sums(connection: Connection, participant_ids: Iterable[int]) -> dict[tuple, int]:
    """ParticipantTally's n per key of these participants, as they are stored now (those that count)."""
    ids = sorted(set(participant_ids))
    sums: dict[tuple, int] = {}
    if not ids:
        return sums
    for study, *answers in connection.execute(_counted(_PARTICIPANT.c.id.in_(ids))):
        for segment, value in zip(SEGMENTS, answers):
            key = (study, segment, _answer(value))
            sums[key] = sums.get(key, 0) + 1
    return sums


# ---------------------------------------------------------------- whole studies, and checks
def _segment_parts(study_id: int | None) -> list[Select]:
    """SegmentTally worked out from the attempts as stored (SEGMENTS order): one GROUP BY per segment."""
    seq = _ATTEMPT.c.effective_seq
    hard = case((and_(seq.is_not(None), seq <= SEQ_HARD_MAX), true()), else_=false())
    parts = []
    for segment, column in SEGMENTS.items():
        value = func.coalesce(_PARTICIPANT.c[column], NONE_GIVEN)
        keys = (_ATTEMPT.c.study_id, value, _ATTEMPT.c.task_id, _ATTEMPT.c.outcome, hard)
        query = (select(_ATTEMPT.c.study_id, literal(segment), value, _ATTEMPT.c.task_id, _ATTEMPT.c.outcome,
                        hard, func.count())
                 .join(_PARTICIPANT, _PARTICIPANT.c.id == _ATTEMPT.c.participant_id)
                 .where(_ATTEMPT.c.counts == true()).group_by(*keys))
        parts.append(query if study_id is None else query.where(_ATTEMPT.c.study_id == study_id))
    return parts


def _participant_parts(study_id: int | None) -> list[Select]:
    """ParticipantTally worked out from the participants as stored."""
    parts = []
    for segment, column in SEGMENTS.items():
        value = func.coalesce(_PARTICIPANT.c[column], NONE_GIVEN)
        query = (select(_SESSION.c.study_id, literal(segment), value, func.count())
                 .join(_SESSION, _SESSION.c.id == _PARTICIPANT.c.session_id)
                 .where(_PARTICIPANT.c.withdrawn == false(), _SESSION.c.excluded == false())
                 .group_by(_SESSION.c.study_id, value))
        parts.append(query if study_id is None else query.where(_SESSION.c.study_id == study_id))
    return parts


def rebuild(connection: Connection, study_id: int) -> None:
    """Replace a study's tallies by ones worked out from its rows as stored (after a whole-study refresh)."""
    for table, parts, keys in ((_SEGMENTS, _segment_parts(study_id), _SEGMENT_KEY),
                               (_PARTICIPANTS, _participant_parts(study_id), _PARTICIPANT_KEY)):
        connection.execute(delete(table).where(table.c.study_id == study_id))
        for part in parts:
            connection.execute(insert(table).from_select([*keys, "n"], part))


def _as_dict(connection: Connection, queries: Iterable[Select]) -> dict[tuple, int]:
    return {tuple(row[:-1]): row[-1] for query in queries for row in connection.execute(query) if row[-1]}


def stale(connection: Connection, study_id: int | None = None) -> list[tuple]:
    """("segment" or "participant", key...) of tally rows that differ from the rows they count (a missing key
    counts as 0)."""
    found = []
    for name, table, parts in (("segment", _SEGMENTS, _segment_parts(study_id)),
                               ("participant", _PARTICIPANTS, _participant_parts(study_id))):
        kept = select(table).where(table.c.n != 0)
        if study_id is not None:
            kept = kept.where(table.c.study_id == study_id)
        expected, actual = _as_dict(connection, parts), _as_dict(connection, [kept])
        found += [(name, *key) for key in sorted(expected.keys() | actual.keys(), key=repr)
                  if expected.get(key, 0) != actual.get(key, 0)]
    return found
