"""The read side: SQL aggregates over the rows that count, handed to civictest.analysis as tidy frames.

Which rows count is decided in civictest.counting and nowhere else: attempts carry it (Attempt.counts, with the
effective SEQ and time), and counting keeps their sums per task, outcome, SEQ and source in AttemptTally.
Questionnaires and comments count when their participant does: every row of the study minus those of the
excluded participants (withdrawn, or in an invalid session), which are few and read through their own index.

Speed (1,000,000 attempts on SQLite; benchmarks/report.py): the counts, ratings and the time sums a time
summary needs (n, sum ln t, sum (ln t)^2, sum t) are the study's few hundred tally rows; a task's shortest,
median and longest time are walks along ix_attempt_times (study_id, counts, task_id, effective_seconds, ...).
The times themselves are read only when a statistic needs the vector (comparisons: Welch on log times).
No ORM objects for big reads.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import ColumnElement, Select, and_, func, literal, select, true, union_all

from civictest.analysis.report import IterationData
from civictest.counting import (  # the rule's names, also used from here by other modules
    NO_RATING, NOT_ATTEMPTED, OBSERVER, SELF, counted_participants, excluded_participants,
)
from civictest.extensions import db
from civictest.models import (
    Attempt, AttemptTally, Comment, Iteration, Participant, QuestionnaireResponse, Study, StudyTask, Task,
)

SEQ_HARD_MAX = 4  # METRICS 13: a rating of 4 or less makes an attempt inconvenient
SEGMENTS = {"age_band": "age_band", "municipality": "municipality_code", "device": "device",
            "assistive_technology": "assistive_technology"}


# ---------------------------------------------------------------- the rule, as conditions
def attempted(outcome: ColumnElement) -> ColumnElement:
    """An outcome that counts: anything but not_attempted (METRICS 0)."""
    return outcome != NOT_ATTEMPTED


def reportable(study_id: int, participant_id: ColumnElement, outcome: ColumnElement | None = None) -> ColumnElement:
    """The participant-level filter (for exports and lists of answers): the participant counts and, given an
    outcome column, it was attempted. Attempt figures use counted_attempts, which also applies observer-over-self."""
    condition = participant_id.not_in(excluded_participants(study_id))
    return condition if outcome is None else and_(condition, attempted(outcome))


def counted_attempts(study_id: int) -> list[ColumnElement]:
    """Conditions for the attempts of a study that count (civictest.counting), on ix_attempt_times' prefix."""
    return [Attempt.study_id == study_id, Attempt.counts == true()]


def _minus_excluded(keys: dict[str, ColumnElement], where: list[ColumnElement], participant_id: ColumnElement,
                    study_id: int) -> pd.DataFrame:
    """(keys..., n): rows matching `where` counted per key, less those of the study's excluded participants
    (read through the participant index: they are few), subtracted in SQL; groups left at zero are dropped."""
    labelled = [column.label(name) for name, column in keys.items()]
    counted = select(*labelled, func.count().label("n")).where(*where).group_by(*keys.values())
    excluded = (select(*labelled, (-func.count()).label("n"))
                .where(*where, participant_id.in_(excluded_participants(study_id))).group_by(*keys.values()))
    signed = union_all(counted, excluded).subquery("signed")
    names, total = [signed.c[name] for name in keys], func.sum(signed.c.n)
    query = select(*names, total).group_by(*names).having(total > 0).order_by(*names)
    return _frame(query, [*keys, "n"]).astype({"n": "int64"})


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


_STAT_COLUMNS = ["task_id", "outcome", "seq", "source", "n", "n_timed", "sum_log", "sum_log_sq", "sum_seconds"]
_TASKS_PER_STATEMENT = 40  # order statistics of this many tasks in one UNION ALL (SQLite allows 500 terms)


def _attempt_stats(study_id: int) -> pd.DataFrame:
    """Counting attempts per task_id, outcome, seq (None: no rating), source (n), with how many have a time
    (n_timed) and the sums of those times: the study's rows of AttemptTally."""
    tally = AttemptTally
    query = (select(tally.task_id, tally.outcome, tally.seq, tally.source, tally.n, tally.n_timed,
                    tally.sum_log_seconds, tally.sum_log_seconds_sq, tally.sum_seconds)
             .where(tally.study_id == study_id, tally.n > 0)
             .order_by(tally.task_id, tally.outcome, tally.seq, tally.source))
    stats = _frame(query, _STAT_COLUMNS).astype({"n": "int64", "n_timed": "int64"})
    return stats.assign(seq=stats["seq"].astype(object).where(stats["seq"] != NO_RATING, None))


def _attempt_frames(counts: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """attempt_counts(task_id, outcome, hard, source, n) and seq_counts(task_id, seq, n) from _attempt_stats."""
    seq = pd.to_numeric(counts["seq"])
    hard = counts.assign(hard=(seq <= SEQ_HARD_MAX).fillna(False).astype(bool))
    attempts = hard.groupby(["task_id", "outcome", "hard", "source"], as_index=False, sort=True)["n"].sum()
    rated = counts[seq.notna()].astype({"seq": "int64"})
    ratings = rated.groupby(["task_id", "seq"], as_index=False, sort=True)["n"].sum()
    return attempts, ratings


def _timed(study_id: int, task_id: int, outcomes: tuple[str, ...]) -> Select:
    """Effective times of counting attempts of a task with one of `outcomes` (on ix_attempt_times)."""
    seconds = Attempt.effective_seconds
    return select(seconds).where(*counted_attempts(study_id), Attempt.task_id == task_id, seconds.is_not(None),
                                 Attempt.outcome.in_(outcomes))


def _order_statistics(study_id: int, timed: dict[int, int], outcomes: tuple[str, ...]) -> dict[int, tuple]:
    """(min, median, max) of each task's times, given how many times each task has: walks along
    ix_attempt_times to the first, the middle (one or two) and the last row, reading no other time."""
    seconds = Attempt.effective_seconds
    parts = []
    for task, n in timed.items():
        rows = _timed(study_id, task, outcomes)
        ends = [(0, rows.order_by(seconds).limit(1)), (1, rows.order_by(seconds).offset((n - 1) // 2).limit(2 - n % 2)),
                (2, rows.order_by(seconds.desc()).limit(1))]
        parts += [select(literal(task).label("task"), literal(end).label("end"), part.subquery().c.effective_seconds)
                  for end, part in ends]
    values: dict[int, list] = {task: [[], [], []] for task in timed}
    for start in range(0, len(parts), 3 * _TASKS_PER_STATEMENT):
        for task, end, value in db.session.execute(union_all(*parts[start:start + 3 * _TASKS_PER_STATEMENT])).all():
            values[task][end].append(value)
    return {task: (low[0], float(np.mean(middle)), high[0]) for task, (low, middle, high) in values.items()}


def _time_stats(study_id: int, stats: pd.DataFrame, outcomes: tuple[str, ...]) -> pd.DataFrame:
    """time_stats(task_id, n, sum_log, sum_log_sq, sum_seconds, constant, median) of each task's counting times
    with one of `outcomes` (tasks without such a time are left out)."""
    rows = stats[stats["outcome"].isin(outcomes)]
    sums = rows.groupby("task_id", as_index=False, sort=True).agg(
        n=("n_timed", "sum"), sum_log=("sum_log", "sum"), sum_log_sq=("sum_log_sq", "sum"),
        sum_seconds=("sum_seconds", "sum"))
    sums = sums[sums["n"] > 0].reset_index(drop=True)
    ends = _order_statistics(study_id, {int(task): int(n) for task, n in zip(sums["task_id"], sums["n"])}, outcomes)
    sums["constant"] = [ends[int(task)][0] == ends[int(task)][2] for task in sums["task_id"]]
    sums["median"] = [ends[int(task)][1] for task in sums["task_id"]]
    return sums.astype({"n": "int64", "sum_log": float, "sum_log_sq": float, "sum_seconds": float})


def _times(study_id: int, outcomes: tuple[str, ...]) -> pd.DataFrame:
    """times(task_id, outcome, seconds): one row per timed counting attempt with one of `outcomes`.

    Equal times are counted in SQL and expanded here, so ties (times are usually whole or tenth seconds)
    cross the wire once."""
    seconds = Attempt.effective_seconds
    query = (select(Attempt.task_id, Attempt.outcome, seconds, func.count())
             .where(*counted_attempts(study_id), Attempt.outcome.in_(outcomes), seconds.is_not(None))
             .group_by(Attempt.task_id, Attempt.outcome, seconds))
    rows = db.session.connection().execute(query).all()
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


def questionnaire_scores(study_id: int, kind: str) -> pd.DataFrame:
    """sus(score): one row per counting participant's questionnaire of that kind (None = invalid).
    Scores take few values, so they are counted in SQL (on ix_questionnaire_response_scores) and expanded here."""
    counts = _minus_excluded({"score": QuestionnaireResponse.score},
                             [QuestionnaireResponse.study_id == study_id, QuestionnaireResponse.kind == kind],
                             QuestionnaireResponse.participant_id, study_id)
    scores = pd.to_numeric(counts["score"], errors="coerce").to_numpy(dtype=float)
    return pd.DataFrame({"score": np.repeat(scores, counts["n"].to_numpy())})  # NaN: an invalid questionnaire


def _resident_comments(study_id: int) -> pd.DataFrame:
    """(task_id, label, analyzer, n) of residents' own comments (not facilitator notes) that count, in one
    grouped read of ix_comment_study_task (task_id None = general; label None = unscored)."""
    keys = {"task_id": Comment.task_id, "kind": Comment.kind, "label": Comment.sentiment_label,
            "analyzer": Comment.analyzer}  # in index order, so the GROUP BY streams; kind is filtered after
    counts = _minus_excluded(keys, [Comment.study_id == study_id], Comment.participant_id, study_id)
    return counts[counts["kind"] != OBSERVER].drop(columns="kind").reset_index(drop=True)


def sentiment_counts(study_id: int) -> pd.DataFrame:
    """sentiment_counts(task_id, label, analyzer, n) of residents' comments (task_id None = general; label
    unscored if none; analyzer None if unscored)."""
    counts = _resident_comments(study_id)
    return counts.assign(label=counts["label"].astype(object).where(counts["label"].notna(), "unscored"))


def sentiment_analyzers(study_id: int, counts: pd.DataFrame | None = None) -> list[str]:
    """The analyzers (name and version) that scored the counted comments: more than one means mixed versions.
    counts: the study's sentiment_counts when already read."""
    counts = sentiment_counts(study_id) if counts is None else counts
    return sorted({name for name in counts["analyzer"] if name is not None})


def participant_count(iteration_id: int) -> int:
    """Counting participants of an iteration (joined and consented; not withdrawn; valid session)."""
    study = study_of(iteration_id)
    if study is None:
        return 0
    return db.session.scalar(select(func.count()).select_from(counted_participants(study.id).subquery())) or 0


def participants_by_municipality(iteration_id: int) -> dict[str | None, int]:
    """Counting participants of an iteration per municipality_code (None: not given), for the maps."""
    study = study_of(iteration_id)
    if study is None:
        return {}
    query = (select(Participant.municipality_code, func.count())
             .where(Participant.id.in_(counted_participants(study.id))).group_by(Participant.municipality_code))
    return {code: int(n) for code, n in db.session.execute(query).all()}


def iteration_data(iteration_id: int, *, time_population: str = "success", with_times: bool = True) -> IterationData:
    """The frames of one iteration for civictest.analysis. time_stats (sums and medians) always;
    with_times=False skips the only large read, the time vector of every task (comparisons need it)."""
    study = study_of(iteration_id)
    if study is None:
        return IterationData.empty()
    stats = _attempt_stats(study.id)
    attempts, ratings = _attempt_frames(stats)
    outcomes = time_outcomes(time_population, study.partial_counts_as_success)
    return IterationData(tasks=task_frame(study.id), attempt_counts=attempts, seq_counts=ratings,
                         times=_times(study.id, outcomes) if with_times else None,
                         sus=questionnaire_scores(study.id, study.questionnaire),
                         sentiment_counts=sentiment_counts(study.id),
                         time_stats=_time_stats(study.id, stats, outcomes))


def iteration_meta(iteration_id: int, sentiment: pd.DataFrame | None = None) -> dict | None:
    """Plain facts about an iteration for report headers and trend points, or None when it does not exist.
    sentiment: the iteration's sentiment_counts when already read (its analyzers are listed from it)."""
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
    meta["sentiment_analyzers"] = sentiment_analyzers(study.id, sentiment) if study else []
    return meta


def iteration_ids(service_id: int) -> list[int]:
    """A service's iterations in number order."""
    query = select(Iteration.id).where(Iteration.service_id == service_id).order_by(Iteration.number)
    return list(db.session.scalars(query))


def trend_points(service_id: int) -> list[tuple[dict, IterationData]]:
    """(meta, data without times) for each iteration of a service, in number order."""
    points = []
    for iteration_id in iteration_ids(service_id):
        frames = iteration_data(iteration_id, with_times=False)
        points.append((iteration_meta(iteration_id, frames.sentiment_counts), frames))
    return points


def segment_counts(iteration_id: int) -> pd.DataFrame:
    """(segment, value, task_id, outcome, hard, n) of counting attempts per profile answer (None = unknown),
    for segments age_band, municipality, device, assistive_technology."""
    study = study_of(iteration_id)
    columns = ["segment", "value", "task_id", "outcome", "hard", "n"]
    if study is None:
        return pd.DataFrame(columns=columns)
    keys = [*(getattr(Participant, column).label(name) for name, column in SEGMENTS.items()),
            Attempt.task_id, Attempt.outcome, Attempt.effective_seq]
    query = (select(*keys, func.count()).join(Participant, Participant.id == Attempt.participant_id)
             .where(*counted_attempts(study.id)).group_by(*keys))
    frame = _frame(query, [*SEGMENTS, "task_id", "outcome", "seq", "n"])
    frame["hard"] = (pd.to_numeric(frame["seq"]) <= SEQ_HARD_MAX).fillna(False).astype(bool)
    parts = [frame.assign(segment=name, value=frame[name].astype(object))
             .groupby(["segment", "value", "task_id", "outcome", "hard"], dropna=False, as_index=False)["n"].sum()
             for name in SEGMENTS]
    return pd.concat(parts, ignore_index=True)[columns].astype({"n": "int64"})
