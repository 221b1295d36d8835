"""Every SQL read behind a figure: aggregates over the rows that count, handed to civictest.analysis as tidy frames.

Which rows count is decided in civictest.counting and nowhere else: attempts carry it (Attempt.counts, with the
effective SEQ and time), and counting keeps their sums per task, outcome, SEQ and source in AttemptTally.
Questionnaires and comments count when their participant does: every row of the study minus those of the
excluded participants (withdrawn, or in an invalid session), which are few and read through their own index.

Speed (1,000,000 attempts on SQLite; benchmarks/report.py and benchmarks/pages.py): the counts, ratings and the
time sums a time summary or a comparison needs (n, sum ln t, sum (ln t)^2, sum t) are the study's few hundred
AttemptTally rows; segments and maps read SegmentTally and ParticipantTally (civictest.profile_tallies); a task's
shortest, median and longest time are walks along ix_attempt_times (study_id, counts, task_id, effective_seconds).
No read here visits every attempt, and no ORM objects are built for big reads.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import ColumnElement, Select, and_, func, literal, select, true, union_all

from civictest.analysis.report import IterationData
from civictest.counting import counted_participants, excluded_participants  # noqa: F401 - read here
from civictest.extensions import db
from civictest.models import (
    Attempt, AttemptTally, Comment, CommentTally, FeedbackResponse, FeedbackTally, Finding, Iteration, ParticipantTally, QuestionnaireTally,
    SegmentTally, Study, StudyTask, Task, TestSession,
)
from civictest.profile_tallies import NONE_GIVEN
from civictest.reporting.vocabulary import (
    INCONVENIENT, NO_ATTEMPT, NO_RATING, NO_SCORE, NOT_ATTEMPTED, OBSERVER_NOTE, SEQ_HARD_MAX, TASK_COMMENT,
    UNRESOLVED_FINDING_STATUSES,
)


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


# ---------------------------------------------------------------- frames for civictest.analysis
def _frame(query: Select, columns: list[str]) -> pd.DataFrame:
    """Rows of a Core select as a DataFrame (no ORM objects)."""
    # plain tuples: pandas probes each Row for attributes it lacks, which costs more than the read itself
    rows = [tuple(row) for row in db.session.connection().execute(query)]
    return pd.DataFrame.from_records(rows, columns=columns)


def study_of(iteration_id: int) -> Any:
    """The study row (id, questionnaire, partial_counts_as_success) of an iteration, or None."""
    return db.session.execute(
        select(Study.id, Study.questionnaire, Study.partial_counts_as_success)
        .where(Study.iteration_id == iteration_id)).first()


def has_open_session(study_id: int) -> bool:
    """Does the study have a test session still accepting residents?"""
    return bool(db.session.scalar(select(func.count()).select_from(TestSession)
                                  .where(TestSession.study_id == study_id, TestSession.is_open.is_(True))))


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
    """sus(score): one row per counting participant's questionnaire of that kind (NaN = no valid score),
    expanded from the study's QuestionnaireTally rows (scores take few values)."""
    query = (select(QuestionnaireTally.score, QuestionnaireTally.n)
             .where(QuestionnaireTally.study_id == study_id, QuestionnaireTally.kind == kind, QuestionnaireTally.n > 0)
             .order_by(QuestionnaireTally.score))
    counts = _frame(query, ["score", "n"])
    scores = np.array(counts["score"], dtype=float)  # a copy: the invalid ones become NaN
    scores[scores == NO_SCORE] = np.nan
    return pd.DataFrame({"score": np.repeat(scores, counts["n"].to_numpy(dtype=np.int64))})


def _comment_tally(study_id: int) -> pd.DataFrame:
    """The study's CommentTally rows: (task_id, kind, label, analyzer, state, n)."""
    tally = CommentTally
    query = (select(tally.task_id, tally.kind, tally.label, tally.analyzer, tally.state, tally.n)
             .where(tally.study_id == study_id, tally.n > 0)
             .order_by(tally.task_id, tally.kind, tally.label, tally.analyzer, tally.state))
    return _frame(query, ["task_id", "kind", "label", "analyzer", "state", "n"]).astype({"n": "int64"})


def sentiment_counts(study_id: int) -> pd.DataFrame:
    """sentiment_counts(task_id, label, analyzer, n) of residents' own comments that count, not facilitators'
    notes (task_id None = overall; label "unscored" if none; analyzer None if none): from CommentTally."""
    rows = _comment_tally(study_id)
    rows = rows[rows["kind"] != OBSERVER_NOTE]
    counts = rows.groupby(["task_id", "label", "analyzer"], as_index=False, sort=True)["n"].sum()
    return pd.DataFrame({
        "task_id": [None if task == 0 else int(task) for task in counts["task_id"]],
        "label": counts["label"].astype(object), "analyzer": [name or None for name in counts["analyzer"]],
        "n": counts["n"].astype("int64")})


def sentiment_analyzers(study_id: int, counts: pd.DataFrame | None = None) -> list[str]:
    """The analyzers (name and version) that scored the counted comments: more than one means mixed versions.
    counts: the study's sentiment_counts when already read."""
    counts = sentiment_counts(study_id) if counts is None else counts
    return sorted({name for name in counts["analyzer"] if name is not None})


def participant_tally(study_id: int, segment: str) -> dict[str | None, int]:
    """Counting participants of a study per answer to one profile question (None: not given)."""
    query = select(ParticipantTally.value, ParticipantTally.n).where(
        ParticipantTally.study_id == study_id, ParticipantTally.segment == segment, ParticipantTally.n > 0)
    return {(None if value == NONE_GIVEN else value): int(n) for value, n in db.session.execute(query).all()}


def participant_count(study_id: int) -> int:
    """Counting participants of a study (not withdrawn; valid session): every one answers each profile question,
    if only with "not given", so one question's counts add up to all of them."""
    return sum(participant_tally(study_id, "age_band").values())


def participants_by_municipality(study_id: int) -> dict[str | None, int]:
    """Counting participants of a study per municipality_code (None: not given), for the maps."""
    return participant_tally(study_id, "municipality")


def iteration_data(study: Any, *, time_population: str = "success") -> IterationData:
    """The frames of one iteration's study (a study_of row, or None) for civictest.analysis: counts, ratings,
    each task's time sums and median (time_stats), SUS, sentiment; never the attempts themselves."""
    if study is None:
        return IterationData.empty()
    stats = _attempt_stats(study.id)
    attempts, ratings = _attempt_frames(stats)
    outcomes = time_outcomes(time_population, study.partial_counts_as_success)
    return IterationData(tasks=task_frame(study.id), attempt_counts=attempts, seq_counts=ratings, times=None,
                         sus=questionnaire_scores(study.id, study.questionnaire),
                         sentiment_counts=sentiment_counts(study.id),
                         time_stats=_time_stats(study.id, stats, outcomes))


def iteration_meta(iteration_id: int, study: Any, sentiment: pd.DataFrame | None = None) -> dict | None:
    """Plain facts about an iteration for report headers and trend points, or None when it does not exist.
    study: its study_of row; sentiment: its sentiment_counts when already read (its analyzers are listed)."""
    row = db.session.execute(
        select(Iteration.id, Iteration.service_id, Iteration.number, Iteration.label, Iteration.starts_on,
               Iteration.ends_on, Iteration.published).where(Iteration.id == iteration_id)).first()
    if row is None:
        return None
    return {"id": row.id, "service_id": row.service_id, "number": row.number, "label": row.label,
            "starts_on": row.starts_on.isoformat() if row.starts_on else None,
            "ends_on": row.ends_on.isoformat() if row.ends_on else None, "published": bool(row.published),
            "questionnaire": study.questionnaire if study else None,
            "partial_counts_as_success": bool(study.partial_counts_as_success) if study else False,
            "participants": participant_count(study.id) if study else 0,
            "sentiment_analyzers": sentiment_analyzers(study.id, sentiment) if study else []}


def iteration_ids(service_id: int) -> list[int]:
    """A service's iterations in number order."""
    query = select(Iteration.id).where(Iteration.service_id == service_id).order_by(Iteration.number)
    return list(db.session.scalars(query))


def segment_counts(study_id: int) -> pd.DataFrame:
    """(segment, value, task_id, outcome, hard, n) of counting attempts per profile answer (value None: not
    given), for every segment of the vocabulary: the study's SegmentTally rows."""
    query = (select(SegmentTally.segment, SegmentTally.value, SegmentTally.task_id, SegmentTally.outcome,
                    SegmentTally.hard, SegmentTally.n)
             .where(SegmentTally.study_id == study_id, SegmentTally.n > 0)
             .order_by(SegmentTally.segment, SegmentTally.value, SegmentTally.task_id, SegmentTally.outcome,
                       SegmentTally.hard))
    frame = _frame(query, ["segment", "value", "task_id", "outcome", "hard", "n"])
    frame["value"] = frame["value"].astype(object).where(frame["value"] != NONE_GIVEN, None)
    return frame.astype({"n": "int64", "hard": bool})


# ---------------------------------------------------------------- the dashboard's other reads
def venues(study_id: int) -> list[dict]:
    """In-person venues of a study's valid sessions that have coordinates: {name, lon, lat}, each once."""
    rows = db.session.execute(
        select(TestSession.venue_name, TestSession.venue_lon, TestSession.venue_lat)
        .where(TestSession.study_id == study_id, TestSession.mode == "in_person", TestSession.excluded.is_(False),
               TestSession.venue_lon.is_not(None), TestSession.venue_lat.is_not(None))
        .order_by(TestSession.id)).all()
    seen, out = set(), []
    for name, lon, lat in rows:
        if (name, lon, lat) not in seen:
            seen.add((name, lon, lat))
            out.append({"name": name, "lon": lon, "lat": lat})
    return out


def unresolved_findings(service_ids: list[int]) -> dict[int, dict[int, int]]:
    """{service_id: {severity: findings not yet verified or set aside}} (vocabulary.UNRESOLVED_FINDING_STATUSES)."""
    out: dict[int, dict[int, int]] = {service_id: {} for service_id in service_ids}
    if not service_ids:
        return out
    rows = db.session.execute(
        select(Finding.service_id, Finding.severity, func.count())
        .where(Finding.service_id.in_(service_ids), Finding.status.in_(UNRESOLVED_FINDING_STATUSES))
        .group_by(Finding.service_id, Finding.severity)).all()
    for service_id, severity, n in rows:
        out[service_id][severity] = n
    return out


def theme_comments(study_id: int, limit: int = 2000) -> list[tuple[str, str | None]]:
    """(text, sentiment label) of residents' own comments that count, newest first, for themes()."""
    rows = db.session.execute(
        select(Comment.text, Comment.sentiment_label)
        .where(Comment.study_id == study_id, Comment.kind != OBSERVER_NOTE, reportable(study_id, Comment.participant_id))
        .order_by(Comment.id.desc()).limit(limit)).all()
    return [(text, label) for text, label in rows]


def sentiment_by_attempt(study_id: int) -> pd.DataFrame:
    """(inconvenient, label, n) of residents' task comments that count, by whether their attempt was
    inconvenient (METRICS 13, on the resident's own answer; not attempted ones left out), for the sentiment
    validity check: from CommentTally."""
    rows = _comment_tally(study_id)
    rows = rows[(rows["kind"] == TASK_COMMENT) & (rows["state"] != NO_ATTEMPT)]
    counts = rows.groupby(["state", "label"], as_index=False, sort=True)["n"].sum()
    return pd.DataFrame({"inconvenient": (counts["state"] == INCONVENIENT).astype(bool),
                         "label": counts["label"].astype(object), "n": counts["n"].astype("int64")})


# ---------------------------------------------------------------- live-service feedback
def feedback_tally(service_id: int) -> list[tuple[int, int, str, int, int]]:
    """(iteration_id, rating, task_done or "", n, with_comment) of a service's FeedbackTally rows: a few per
    iteration, whatever the number of answers (civictest.services.feedback keeps them)."""
    query = (select(FeedbackTally.iteration_id, FeedbackTally.rating, FeedbackTally.task_done, FeedbackTally.n,
                    FeedbackTally.with_comment)
             .join(Iteration, Iteration.id == FeedbackTally.iteration_id)
             .where(Iteration.service_id == service_id))
    return [tuple(row) for row in db.session.execute(query)]


def feedback_comments(service_id: int, limit: int, offset: int = 0) -> list[dict]:
    """A service's newest feedback comments (a walk back along ix_feedback_service_newest)."""
    query = (select(FeedbackResponse.id, FeedbackResponse.comment, FeedbackResponse.rating,
                    FeedbackResponse.task_done, FeedbackResponse.sentiment_label, FeedbackResponse.lang,
                    FeedbackResponse.received_week, Iteration.number)
             .join(Iteration, Iteration.id == FeedbackResponse.iteration_id)
             .where(FeedbackResponse.service_id == service_id, FeedbackResponse.comment != "")
             .order_by(FeedbackResponse.id.desc()).limit(limit).offset(offset))
    return [{"id": r.id, "text": r.comment, "rating": r.rating, "task_done": r.task_done,
             "sentiment": r.sentiment_label, "lang": r.lang, "week": r.received_week.isoformat(),
             "iteration_number": r.number} for r in db.session.execute(query)]
