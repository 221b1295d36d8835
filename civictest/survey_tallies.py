"""The answers of survey waves, counted per wave, item, org unit, job grade and value (SurveyTally): the table the
results read instead of every answer (issue 16; reporting.surveys).

One rule, as for the tallies of civictest.counting: the tally is the sum of the answer rows as stored (answers
with a value; a response without a unit counts under unit 0), changed only by adding what a change made
different, in the same transaction. A personal link can change its answers until the wave closes, so the
difference is taken per response: what its answers add up to before a flush and after it (`response_sums`),
the old keys decremented and the new ones incremented. Listeners cover every ORM change (answers added,
changed or deleted, a response deleted or moved to another unit or grade); code that writes answers with Core
statements calls `add` with the sums before and after itself, or `rebuild` for a whole wave.

The tally keeps no respondent id and no time: only counts of anonymous answers.
"""
from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from itertools import chain
from typing import Any

from sqlalchemy import Connection, Insert, Select, delete, func, insert, inspect, select, true
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from civictest.models.surveys import SurveyAnswer, SurveyResponse, SurveyTally

_ANSWER, _RESPONSE, _TALLY = SurveyAnswer.__table__, SurveyResponse.__table__, SurveyTally.__table__
KEY = ("wave_id", "item_id", "org_unit_id", "job_grade", "value")
NO_UNIT = 0  # the tally's unit of a response without one (reporting.surveys.WHOLE)


def _query(where: Any) -> Select:
    """(wave, item, unit, grade, value, count) of the answers with a value matching `where`, as the tally adds them."""
    unit = func.coalesce(_RESPONSE.c.org_unit_id, NO_UNIT)
    keys = (_ANSWER.c.wave_id, _ANSWER.c.item_id, unit, _RESPONSE.c.job_grade, _ANSWER.c.value)
    return (select(*keys, func.count()).select_from(_ANSWER.join(_RESPONSE, _RESPONSE.c.id == _ANSWER.c.response_id))
            .where(where, _ANSWER.c.value.is_not(None)).group_by(*keys))


def _sums(connection: Connection, query: Select) -> dict[tuple, int]:
    return {tuple(row[:-1]): row[-1] for row in connection.execute(query) if row[-1]}


def response_sums(connection: Connection, response_ids: Iterable[int]) -> dict[tuple, int]:
    """What these responses' answers add to the tally, as the rows are stored now."""
    ids = sorted(set(response_ids))
    out: dict[tuple, int] = {}
    for start in range(0, len(ids), 500):  # bounded IN lists
        out.update(_sums(connection, _query(_ANSWER.c.response_id.in_(ids[start:start + 500]))))
    return out


def add(connection: Connection, before: Mapping[tuple, int], after: Mapping[tuple, int]) -> None:
    """Add after - before to the tally rows of their keys, in key order (one lock order for concurrent
    transactions on PostgreSQL, so they cannot deadlock)."""
    changes = [dict(zip(KEY, key), n=after.get(key, 0) - before.get(key, 0))
               for key in sorted(before.keys() | after.keys(), key=repr) if after.get(key, 0) != before.get(key, 0)]
    if changes:
        connection.execute(_upsert(connection.dialect.name), changes)


@functools.cache
def _upsert(dialect: str) -> Insert:
    statement = (postgresql if dialect == "postgresql" else sqlite).insert(_TALLY)
    return statement.on_conflict_do_update(index_elements=list(KEY), set_={"n": _TALLY.c.n + statement.excluded.n})


# ---------------------------------------------------------------- whole waves, and checks
def rebuild(connection: Connection, wave_id: int | None = None) -> None:
    """Replace a wave's tally (every wave's without one) by one worked out from its answers as stored."""
    if wave_id is None:
        connection.execute(delete(_TALLY))
        connection.execute(insert(_TALLY).from_select([*KEY, "n"], _query(true())))
        return
    connection.execute(delete(_TALLY).where(_TALLY.c.wave_id == wave_id))
    connection.execute(insert(_TALLY).from_select([*KEY, "n"], _query(_ANSWER.c.wave_id == wave_id)))


def stale(connection: Connection, wave_id: int | None = None) -> list[tuple]:
    """("survey", key...) of tally rows that differ from the answers they count (a missing key counts as 0)."""
    worked_out = _query(_ANSWER.c.wave_id == wave_id if wave_id is not None else true())
    kept = select(_TALLY).where(_TALLY.c.n != 0)
    if wave_id is not None:
        kept = kept.where(_TALLY.c.wave_id == wave_id)
    expected, actual = _sums(connection, worked_out), _sums(connection, kept)
    return [("survey", *key) for key in sorted(expected.keys() | actual.keys(), key=repr)
            if expected.get(key, 0) != actual.get(key, 0)]


# ---------------------------------------------------------------- upkeep of ORM changes
def _responses(session: Session) -> set[int]:
    """Responses whose answers' tally keys this flush may change: any answer added, changed, deleted or taken
    out of its response's collection (an orphan, deleted during the flush), and any response changed or
    deleted (its unit, grade or answers). A few more than needed cost one small read each."""
    ids: set[int] = set()
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, SurveyAnswer):
            state = inspect(obj)
            ids |= {r for r in (obj.response_id, *state.attrs.response_id.history.deleted) if r is not None}
            for response in (obj.__dict__.get("response"), *state.attrs.response.history.deleted):
                if response is not None and response.id is not None:  # loaded only: no query inside a flush
                    ids.add(response.id)
        elif isinstance(obj, SurveyResponse) and inspect(obj).persistent:
            ids.add(obj.id)
    return ids


def _lock(connection: Connection, response_ids: list[int]) -> None:
    """PostgreSQL: serialise changes to one response, so that two requests of the same link cannot both take
    the same 'before'. SQLite writers are serialised already."""
    if connection.dialect.name == "postgresql" and response_ids:
        connection.execute(select(_RESPONSE.c.id).where(_RESPONSE.c.id.in_(response_ids))
                           .order_by(_RESPONSE.c.id).with_for_update(key_share=True))


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    ids = _responses(session)
    session.info.pop("survey_tally_before", None)  # what a failed flush left behind is no 'before' of this one
    if not ids:
        return
    connection = session.connection()
    persistent = sorted(ids)
    _lock(connection, persistent)
    session.info["survey_tally_before"] = (ids, response_sums(connection, persistent))


def _after_flush(session: Session, _context: Any) -> None:
    ids, before = session.info.pop("survey_tally_before", (set(), {}))
    ids = ids | _responses_new(session)
    if ids:
        connection = session.connection()
        add(connection, before, response_sums(connection, ids))


def _responses_new(session: Session) -> set[int]:
    """Responses whose answers were added in this flush (ids known only after it, for new responses)."""
    return {obj.response_id for obj in session.new if isinstance(obj, SurveyAnswer) and obj.response_id is not None}


def install() -> None:
    """Keep the survey tally in step with every ORM flush (idempotent)."""
    from sqlalchemy import event

    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
