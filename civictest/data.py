"""The read side: SQL aggregates over the rows that count, handed to civictest.analysis as tidy frames.

Which rows count is decided here and nowhere else (`reportable`, `effective_counts`):
* a participant counts unless withdrawn or in a session closed as invalid (TestSession.excluded);
* an attempt counts unless its outcome is not_attempted;
* where a participant has an observer attempt and their own (source='self') for one task, the observer's
  counts: its outcome and time, with the resident's own SEQ rating (or time) when the observer recorded none.
  The attempt then carries source='observer', so every count says which view was used.

Speed (1,000,000 attempts): a row-by-row filter (NOT IN / NOT EXISTS per attempt) costs 2-15x the bare
GROUP BY on SQLite, so counts are a signed sum instead: every attempt of the study, grouped over the covering
index ix_attempt_report, minus the attempts of excluded participants, minus the self/observer pairs, plus the
pairs' effective rows. The corrections read only the few rows they concern. No ORM objects for big reads.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import ColumnElement, Select, and_, func, or_, select, tuple_, union_all

from civictest.analysis.report import IterationData
from civictest.extensions import db
from civictest.models import (
    Attempt, Comment, Iteration, Participant, QuestionnaireResponse, Study, StudyTask, Task, TestSession,
)

NOT_ATTEMPTED, SELF, OBSERVER = "not_attempted", "self", "observer"
SEQ_HARD_MAX = 4  # METRICS 13: a rating of 4 or less makes an attempt inconvenient
SEGMENTS = {"age_band": "age_band", "municipality": "municipality_code", "device": "device",
            "assistive_technology": "assistive_technology"}
_ATTEMPT = Attempt.__table__
_PROFILE = Participant.__table__
Row = Mapping[str, Any]


# ---------------------------------------------------------------- the one rule
def excluded_participants(study_id: int) -> Select:
    """Ids of a study's participants whose answers never count: withdrawn, or in a session closed as invalid."""
    return (select(Participant.id).join(TestSession, TestSession.id == Participant.session_id)
            .where(TestSession.study_id == study_id, or_(Participant.withdrawn, TestSession.excluded)))


def attempted(outcome: ColumnElement) -> ColumnElement:
    """An outcome that counts: anything but not_attempted (METRICS 0)."""
    return outcome != NOT_ATTEMPTED


def reportable(study_id: int, participant_id: ColumnElement, outcome: ColumnElement | None = None) -> ColumnElement:
    """The filter every read applies: the participant counts and, given an outcome column, it was attempted."""
    condition = participant_id.not_in(excluded_participants(study_id))
    return condition if outcome is None else and_(condition, attempted(outcome))


def _signed_parts(study_id: int, fills: tuple[str, ...], profile: bool) -> list[tuple[int, Any, Row, Any]]:
    """(sign, from, row, condition) parts whose signed sum counts each effective, reportable attempt once:
    + every attempt of the study, - those of excluded participants, - self attempts an observer attempt replaces,
    and for observer attempts lacking a `fills` column (seq, seconds): - the row as stored + the row completed
    from the resident's own (the two cancel where the resident has none either)."""
    a, s, o = _ATTEMPT.alias("a"), _ATTEMPT.alias("s"), _ATTEMPT.alias("o")
    in_study, every = a.c.study_id == study_id, dict(a.c)
    observed = select(o.c.participant_id, o.c.task_id).where(
        o.c.study_id == study_id, o.c.source == OBSERVER, reportable(study_id, o.c.participant_id))
    parts = [(1, a, every, in_study),
             (-1, a, every, and_(in_study, a.c.participant_id.in_(excluded_participants(study_id)))),
             # a sorted list probed into the unique index: far faster on SQLite than joining pair by pair
             (-1, a, every, and_(in_study, a.c.source == SELF,
                                 tuple_(a.c.participant_id, a.c.task_id).in_(observed)))]
    if fills:
        def own(name: str) -> Any:  # correlated, so it runs only for the few observer rows with a gap
            return (select(s.c[name]).where(s.c.participant_id == o.c.participant_id, s.c.task_id == o.c.task_id,
                                            s.c.source == SELF).scalar_subquery().label(f"self_{name}"))
        columns = [o.c[name] for name in ("participant_id", "task_id", "outcome", "seq", "source", *fills)]
        gaps = (select(*dict.fromkeys(columns), *(own(name) for name in fills))
                .where(observed.whereclause, or_(*(o.c[name].is_(None) for name in fills))).cte("gaps"))
        stored = dict(gaps.c)
        filled = {**stored, **{n: func.coalesce(gaps.c[n], gaps.c[f"self_{n}"]) for n in fills}}
        parts += [(-1, gaps, stored, None), (1, gaps, filled, None)]
    if not profile:
        return parts
    return [(sign, from_.join(_PROFILE, _PROFILE.c.id == row["participant_id"]), {**_PROFILE.c, **row}, condition)
            for sign, from_, row, condition in parts]


def effective_counts(study_id: int, keys: Callable[[Row], list], where: Callable[[Row], Any] | None = None, *,
                     fills: tuple[str, ...] = (), profile: bool = False) -> Select:
    """(keys..., n) over the effective, reportable attempts of a study, each counted once.

    keys(row) labels columns of an attempt row (task_id, outcome, seq, seconds, source; participant columns
    with profile=True) and must include "outcome"; where(row) may narrow on key columns only; fills names
    the key columns (seq, seconds) an observer row takes from the resident's own when it has none."""
    selects = []
    for sign, from_, row, condition in _signed_parts(study_id, fills, profile):
        columns = keys(row)
        count = func.count() if sign > 0 else -func.count()
        query = select(*columns, count.label("n")).select_from(from_).group_by(*columns)
        conditions = [c for c in (condition, where(row) if where else None) if c is not None]
        selects.append(query.where(*conditions))
    union = union_all(*selects).subquery("signed")
    names = [c for c in union.c if c.name != "n"]
    total = func.sum(union.c.n)
    return (select(*names, total.label("n")).where(attempted(union.c.outcome))
            .group_by(*names).having(total > 0))


# ---------------------------------------------------------------- frames for civictest.analysis
def _frame(query: Select, columns: list[str]) -> pd.DataFrame:
    """Rows of a Core select as a DataFrame (no ORM objects)."""
    rows = db.session.connection().execute(query).all()
    return pd.DataFrame.from_records(rows, columns=columns)


def study_of(iteration_id: int) -> Any:
    """The study row (id, questionnaire, partial_counts_as_success) of an iteration, or None."""
    return db.session.execute(
        select(Study.id, Study.questionnaire, Study.partial_counts_as_success)
        .where(Study.iteration_id == iteration_id)).first()


def _outcome_counts(study_id: int) -> pd.DataFrame:
    """Effective attempts per task_id, outcome, seq, source (grouped in index order; hard is derived later)."""
    def keys(row: Row) -> list:
        return [row["task_id"].label("task_id"), row["outcome"].label("outcome"), row["seq"].label("seq"),
                row["source"].label("source")]

    frame = _frame(effective_counts(study_id, keys, fills=("seq",)), ["task_id", "outcome", "seq", "source", "n"])
    return frame.astype({"n": "int64"})


def _attempt_frames(counts: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """attempt_counts(task_id, outcome, hard, source, n) and seq_counts(task_id, seq, n) from _outcome_counts."""
    seq = pd.to_numeric(counts["seq"])
    hard = counts.assign(hard=(seq <= SEQ_HARD_MAX).fillna(False).astype(bool))
    attempts = hard.groupby(["task_id", "outcome", "hard", "source"], as_index=False, sort=True)["n"].sum()
    rated = counts[seq.notna()].astype({"seq": "int64"})
    ratings = rated.groupby(["task_id", "seq"], as_index=False, sort=True)["n"].sum()
    return attempts, ratings


def _times(study_id: int, outcomes: tuple[str, ...]) -> pd.DataFrame:
    """times(task_id, outcome, seconds): one row per timed effective attempt with one of `outcomes`.

    Equal times are counted in SQL and expanded here, so ties (times are usually whole or tenth seconds)
    cross the wire once."""
    def keys(row: Row) -> list:
        return [row["task_id"].label("task_id"), row["outcome"].label("outcome"), row["seconds"].label("seconds")]

    def where(row: Row) -> Any:
        return and_(row["outcome"].in_(outcomes), row["seconds"].is_not(None))

    rows = db.session.connection().execute(effective_counts(study_id, keys, where, fills=("seconds",))).all()
    if not rows:
        return pd.DataFrame({"task_id": pd.Series(dtype="int64"), "outcome": pd.Series(dtype="category"),
                             "seconds": pd.Series(dtype="float64")})
    task_id, outcome, seconds, n = zip(*rows)
    n = np.asarray(n, dtype=np.int64)
    return pd.DataFrame({  # categorical outcome: the analysis filters it per task, which is fast on codes
        "task_id": np.repeat(np.asarray(task_id, dtype=np.int64), n),
        "outcome": pd.Categorical(np.repeat(np.asarray(outcome, dtype=object), n)),
        "seconds": np.repeat(np.asarray(seconds, dtype=np.float64), n),
    })


def time_outcomes(population: str, partial_counts_as_success: bool) -> tuple[str, ...]:
    """Outcomes whose times a time population needs (METRICS 0; partial joins success when it counts as one)."""
    if population == "all_attempts":
        return ("success", "partial", "failure", "abandoned")
    return ("success", "partial") if partial_counts_as_success else ("success",)


def task_frame(study_id: int) -> pd.DataFrame:
    """tasks(task_id, position, title_ja, title_en) of a study."""
    query = (select(Task.id, StudyTask.position, Task.title_ja, Task.title_en)
             .join(StudyTask, StudyTask.task_id == Task.id).where(StudyTask.study_id == study_id))
    return _frame(query, ["task_id", "position", "title_ja", "title_en"])


def _participants_of(study_id: int) -> Select:
    """Ids of a study's reportable participants."""
    return (select(Participant.id).join(TestSession, TestSession.id == Participant.session_id)
            .where(TestSession.study_id == study_id, reportable(study_id, Participant.id)))


def questionnaire_scores(study_id: int, kind: str) -> pd.DataFrame:
    """sus(score): one row per reportable participant's questionnaire of that kind (None = invalid)."""
    query = (select(QuestionnaireResponse.score)
             .where(QuestionnaireResponse.kind == kind,
                    QuestionnaireResponse.participant_id.in_(_participants_of(study_id))))
    return _frame(query, ["score"])


def _resident_comments(study_id: int) -> list:
    """Conditions for the comments that count: residents' own (not facilitator notes), reportable."""
    return [Comment.study_id == study_id, Comment.kind != OBSERVER, reportable(study_id, Comment.participant_id)]


def sentiment_counts(study_id: int) -> pd.DataFrame:
    """sentiment_counts(task_id, label, n) of residents' comments (task_id None = general; unscored if no label)."""
    label = func.coalesce(Comment.sentiment_label, "unscored")
    query = (select(Comment.task_id, label, func.count()).where(*_resident_comments(study_id))
             .group_by(Comment.task_id, label).order_by(Comment.task_id, label))
    return _frame(query, ["task_id", "label", "n"]).astype({"n": "int64"})


def sentiment_analyzers(study_id: int) -> list[str]:
    """The analyzers (name and version) that scored the counted comments: more than one means mixed versions."""
    query = (select(Comment.analyzer).distinct()
             .where(*_resident_comments(study_id), Comment.analyzer.is_not(None)).order_by(Comment.analyzer))
    return list(db.session.scalars(query))


def participant_count(iteration_id: int) -> int:
    """Reportable participants of an iteration (joined and consented; not withdrawn; valid session)."""
    study = study_of(iteration_id)
    if study is None:
        return 0
    return db.session.scalar(select(func.count()).select_from(_participants_of(study.id).subquery())) or 0


def participants_by_municipality(iteration_id: int) -> dict[str | None, int]:
    """Reportable participants of an iteration per municipality_code (None: not given), for the maps."""
    study = study_of(iteration_id)
    if study is None:
        return {}
    query = (select(Participant.municipality_code, func.count())
             .where(Participant.id.in_(_participants_of(study.id))).group_by(Participant.municipality_code))
    return {code: int(n) for code, n in db.session.execute(query).all()}


def iteration_data(iteration_id: int, *, time_population: str = "success", with_times: bool = True) -> IterationData:
    """The frames of one iteration for civictest.analysis (with_times=False skips the only large read)."""
    study = study_of(iteration_id)
    if study is None:
        return IterationData.empty()
    attempts, ratings = _attempt_frames(_outcome_counts(study.id))
    outcomes = time_outcomes(time_population, study.partial_counts_as_success)
    times = _times(study.id, outcomes) if with_times else None
    return IterationData(tasks=task_frame(study.id), attempt_counts=attempts, seq_counts=ratings, times=times,
                         sus=questionnaire_scores(study.id, study.questionnaire),
                         sentiment_counts=sentiment_counts(study.id))


def iteration_meta(iteration_id: int) -> dict | None:
    """Plain facts about an iteration for report headers and trend points, or None when it does not exist."""
    row = db.session.execute(
        select(Iteration.id, Iteration.service_id, Iteration.number, Iteration.label, Iteration.starts_on,
               Iteration.ends_on, Iteration.published).where(Iteration.id == iteration_id)).first()
    if row is None:
        return None
    study = study_of(iteration_id)
    meta = {"id": row.id, "service_id": row.service_id, "number": row.number, "label": row.label,
            "starts_on": row.starts_on.isoformat() if row.starts_on else None,
            "ends_on": row.ends_on.isoformat() if row.ends_on else None, "published": bool(row.published),
            "questionnaire": study.questionnaire if study else None,
            "partial_counts_as_success": bool(study.partial_counts_as_success) if study else False}
    meta["participants"] = participant_count(iteration_id)
    meta["sentiment_analyzers"] = sentiment_analyzers(study.id) if study else []
    return meta


def iteration_ids(service_id: int) -> list[int]:
    """A service's iterations in number order."""
    query = select(Iteration.id).where(Iteration.service_id == service_id).order_by(Iteration.number)
    return list(db.session.scalars(query))


def trend_points(service_id: int) -> list[tuple[dict, IterationData]]:
    """(meta, data without times) for each iteration of a service, in number order."""
    return [(iteration_meta(i), iteration_data(i, with_times=False)) for i in iteration_ids(service_id)]


def segment_counts(iteration_id: int) -> pd.DataFrame:
    """(segment, value, task_id, outcome, hard, n) of effective attempts per profile answer (None = unknown),
    for segments age_band, municipality, device, assistive_technology."""
    study = study_of(iteration_id)
    columns = ["segment", "value", "task_id", "outcome", "hard", "n"]
    if study is None:
        return pd.DataFrame(columns=columns)

    def keys(row: Row) -> list:
        profile = [row[column].label(name) for name, column in SEGMENTS.items()]
        return [*profile, row["task_id"].label("task_id"), row["outcome"].label("outcome"), row["seq"].label("seq")]

    query = effective_counts(study.id, keys, fills=("seq",), profile=True)
    frame = _frame(query, [*SEGMENTS, "task_id", "outcome", "seq", "n"])
    frame["hard"] = (pd.to_numeric(frame["seq"]) <= SEQ_HARD_MAX).fillna(False).astype(bool)
    parts = [frame.assign(segment=name, value=frame[name].astype(object))
             .groupby(["segment", "value", "task_id", "outcome", "hard"], dropna=False, as_index=False)["n"].sum()
             for name in SEGMENTS]
    return pd.concat(parts, ignore_index=True)[columns].astype({"n": "int64"})
