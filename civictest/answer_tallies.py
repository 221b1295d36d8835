"""The comments and questionnaires of the counting participants, counted per key: the tallies that sentiment
figures, the sentiment validity check and the SUS / UMUX-Lite figures read instead of every row.

Like every tally of civictest.counting, each is the sum of the rows as stored, changed only by adding what a
change made different, in the same transaction. Comments and questionnaires belong to one participant, so the
difference is taken per participant: what their rows add up to before a change and after it
(`owned_sums`). The resident's hot path adds the one key it inserts instead (`add_comment`,
`add_questionnaire`), since it knows it: the participant counts (the session is open and valid, the resident
has not withdrawn), and the comment's attempt is the one just stored.
"""
from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Connection, Insert, Select, and_, case, delete, false, func, insert, or_, select, true
from sqlalchemy.dialects import postgresql, sqlite

from civictest.models import (
    Attempt, Comment, CommentTally, Participant, QuestionnaireResponse, QuestionnaireTally, TestSession,
)
from civictest.reporting.vocabulary import (
    CONVENIENT, INCONVENIENT, NO_ATTEMPT, NO_SCORE, NOT_ATTEMPTED, SEQ_HARD_MAX, SUCCESS, UNSCORED,
)

_COMMENT, _QUESTIONNAIRE = Comment.__table__, QuestionnaireResponse.__table__
_ATTEMPT, _PARTICIPANT, _SESSION = Attempt.__table__, Participant.__table__, TestSession.__table__
_TABLES = {"comment": CommentTally.__table__, "questionnaire": QuestionnaireTally.__table__}
_KEYS = {"comment": ("study_id", "task_id", "kind", "label", "analyzer", "state"),
         "questionnaire": ("study_id", "kind", "score")}


def attempt_state(outcome: str | None, seq: int | None) -> str:
    """CommentTally.state of a comment about an attempt with this outcome and SEQ (None: no attempt)."""
    if outcome is None or outcome == NOT_ATTEMPTED:
        return NO_ATTEMPT
    hard = seq is not None and seq <= SEQ_HARD_MAX
    return INCONVENIENT if outcome != SUCCESS or hard else CONVENIENT


def comment_key(study_id: int, task_id: int | None, kind: str, label: str | None, analyzer: str | None,
                state: str) -> tuple:
    return (study_id, task_id or 0, kind, label or UNSCORED, analyzer or "", state)


def questionnaire_key(study_id: int, kind: str, score: float | None) -> tuple:
    return (study_id, kind, NO_SCORE if score is None else float(score))


# ---------------------------------------------------------------- the rows, as SQL counts them
def _state() -> Any:
    return case((or_(_ATTEMPT.c.id.is_(None), _ATTEMPT.c.outcome == NOT_ATTEMPTED), NO_ATTEMPT),
                (or_(_ATTEMPT.c.outcome != SUCCESS, _ATTEMPT.c.seq <= SEQ_HARD_MAX), INCONVENIENT), else_=CONVENIENT)


def _counting(table: Any) -> Any:
    """Join a participant-owned table to its counting participant."""
    return (table.join(_PARTICIPANT, _PARTICIPANT.c.id == table.c.participant_id)
            .join(_SESSION, and_(_SESSION.c.id == _PARTICIPANT.c.session_id, _SESSION.c.excluded == false(),
                                 _PARTICIPANT.c.withdrawn == false())))


def _comment_query(where: Any) -> Select:
    keys = (_COMMENT.c.study_id, func.coalesce(_COMMENT.c.task_id, 0), _COMMENT.c.kind,
            func.coalesce(_COMMENT.c.sentiment_label, UNSCORED), func.coalesce(_COMMENT.c.analyzer, ""), _state())
    source = _counting(_COMMENT).outerjoin(_ATTEMPT, _ATTEMPT.c.id == _COMMENT.c.attempt_id)
    return select(*keys, func.count()).select_from(source).where(where).group_by(*keys)


def _questionnaire_query(where: Any) -> Select:
    keys = (_QUESTIONNAIRE.c.study_id, _QUESTIONNAIRE.c.kind, func.coalesce(_QUESTIONNAIRE.c.score, NO_SCORE))
    return select(*keys, func.count()).select_from(_counting(_QUESTIONNAIRE)).where(where).group_by(*keys)


def _sums(connection: Connection, query: Select) -> dict[tuple, int]:
    return {tuple(row[:-1]): row[-1] for row in connection.execute(query) if row[-1]}


def owned_sums(connection: Connection, participant_ids: Iterable[int]) -> dict[str, dict[tuple, int]]:
    """What these participants' comments and questionnaires add to the tallies, as the rows are stored now."""
    ids = sorted(set(participant_ids))
    if not ids:
        return {"comment": {}, "questionnaire": {}}
    return {"comment": _sums(connection, _comment_query(_COMMENT.c.participant_id.in_(ids))),
            "questionnaire": _sums(connection, _questionnaire_query(_QUESTIONNAIRE.c.participant_id.in_(ids)))}


# ---------------------------------------------------------------- changing the tallies
def add(connection: Connection, before: Mapping[str, Mapping], after: Mapping[str, Mapping]) -> None:
    """Add after - before to both tallies, each in key order (one lock order for concurrent transactions)."""
    for name in ("comment", "questionnaire"):
        old, new = before.get(name, {}), after.get(name, {})
        changes = [dict(zip(_KEYS[name], key), n=new.get(key, 0) - old.get(key, 0))
                   for key in sorted(old.keys() | new.keys(), key=repr) if new.get(key, 0) != old.get(key, 0)]
        if changes:
            connection.execute(_upsert(connection.dialect.name, name), changes)


def add_comment(connection: Connection, key: tuple) -> None:
    """Count one comment of a counting participant, inserted with a Core statement (key: comment_key)."""
    add(connection, {}, {"comment": {key: 1}})


def add_questionnaire(connection: Connection, key: tuple) -> None:
    """Count one questionnaire of a counting participant, inserted with a Core statement."""
    add(connection, {}, {"questionnaire": {key: 1}})


@functools.cache
def _upsert(dialect: str, name: str) -> Insert:
    table = _TABLES[name]
    statement = (postgresql if dialect == "postgresql" else sqlite).insert(table)
    return statement.on_conflict_do_update(index_elements=list(_KEYS[name]), set_={"n": table.c.n + statement.excluded.n})


# ---------------------------------------------------------------- whole studies, and checks
def _worked_out(study_id: int | None) -> dict[str, Select]:
    comment = _comment_query(_COMMENT.c.study_id == study_id if study_id is not None else true())
    questionnaire = _questionnaire_query(_QUESTIONNAIRE.c.study_id == study_id if study_id is not None else true())
    return {"comment": comment, "questionnaire": questionnaire}


def rebuild(connection: Connection, study_id: int) -> None:
    """Replace a study's tallies by ones worked out from its rows as stored."""
    for name, query in _worked_out(study_id).items():
        table = _TABLES[name]
        connection.execute(delete(table).where(table.c.study_id == study_id))
        connection.execute(insert(table).from_select([*_KEYS[name], "n"], query))


def stale(connection: Connection, study_id: int | None = None) -> list[tuple]:
    """(name, key...) of tally rows that differ from the rows they count (a missing key counts as 0)."""
    found = []
    for name, query in _worked_out(study_id).items():
        table = _TABLES[name]
        kept = select(table).where(table.c.n != 0)
        if study_id is not None:
            kept = kept.where(table.c.study_id == study_id)
        expected, actual = _sums(connection, query), _sums(connection, kept)
        found += [(name, *key) for key in sorted(expected.keys() | actual.keys(), key=repr)
                  if expected.get(key, 0) != actual.get(key, 0)]
    return found
