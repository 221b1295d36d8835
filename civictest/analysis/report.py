"""An iteration's report (per task, overall) and the per-segment report, from the frames civictest.reporting.queries builds.

The frames are already reportable (withdrawn participants, invalid sessions and not_attempted removed); rows
with outcome not_attempted are still dropped here, defensively. Results are plain JSON-serialisable types.
Rules: completion counts `success` only unless partial_counts_as_success=True; the inconvenience rate
(METRICS 13) is not affected by that option (a partial success is always inconvenient); the "success" time
population follows the completion rule (it includes partial when partials count as success).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from civictest.analysis.metrics import (
    NOT_ATTEMPTED, OUTCOMES, _is_missing, completion_point_estimates, completion_rate_ci, inconvenience_from_counts,
    is_inconvenient, rating_summary_from_counts, sus_summary, task_time_summary, task_time_summary_from_moments,
    umux_lite_summary,
)

SOURCES = ("self", "observer")
SENTIMENT_LABELS = ("positive", "neutral", "negative", "unscored")
QUESTIONNAIRES = ("sus", "umux_lite")
TIME_POPULATIONS = ("success", "all_attempts")
COLUMNS = {
    "tasks": ("task_id", "position", "title_ja", "title_en"),
    "attempt_counts": ("task_id", "outcome", "hard", "source", "n"),
    "seq_counts": ("task_id", "seq", "n"),
    "times": ("task_id", "outcome", "seconds"),
    "sus": ("score",),
    "sentiment_counts": ("task_id", "label", "n"),
    "time_stats": ("task_id", "n", "sum_log", "sum_log_sq", "sum_seconds", "constant", "median"),
}


def _frame(frame: pd.DataFrame | None, name: str) -> pd.DataFrame:
    """The frame, or an empty one with the expected columns; a non-empty frame lacking columns is a ValueError."""
    columns = COLUMNS[name]
    if frame is None or (frame.empty and not set(columns) <= set(frame.columns)):
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    missing = set(columns) - set(frame.columns)
    if missing:
        raise ValueError(f"{name} lacks columns {sorted(missing)}")
    return frame


@dataclass(frozen=True, eq=False)
class IterationData:
    """Frames of one iteration: tasks(task_id, position, title_ja, title_en), attempt_counts(task_id, outcome,
    hard, source, n), seq_counts(task_id, seq, n), times(task_id, outcome, seconds), sus(score),
    sentiment_counts(task_id, label, n) or None, and time_stats or None.

    time_stats(task_id, n, sum_log, sum_log_sq, sum_seconds, constant, median) summarises each task's times in
    the time population the data was read for (sums of ln t, (ln t)^2 and t; constant: all times equal), so a
    report need not read the times; when it is given, the iteration report uses it instead of `times`."""

    tasks: pd.DataFrame
    attempt_counts: pd.DataFrame
    seq_counts: pd.DataFrame
    times: pd.DataFrame
    sus: pd.DataFrame
    sentiment_counts: pd.DataFrame | None = None
    time_stats: pd.DataFrame | None = None

    @classmethod
    def empty(cls) -> IterationData:
        """An iteration with no tasks, attempts, ratings, times, questionnaires or sentiment."""
        return cls(*(_frame(None, name) for name in COLUMNS if name not in ("sentiment_counts", "time_stats")))

    def frame(self, name: str) -> pd.DataFrame:
        """One of the frames by name, normalised (an empty frame with the right columns when None)."""
        return _frame(getattr(self, name), name)


def to_plain(value: Any) -> Any:
    """A copy of nested dicts/lists with numpy scalars as Python numbers and NaN/NA as None."""
    if isinstance(value, dict):
        return {to_plain(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    return value


def _for_task(frame: pd.DataFrame, task_id: Any) -> pd.DataFrame:
    """Rows of one task."""
    return frame[frame["task_id"] == task_id]


def _hard(value: Any) -> bool:
    """A hard flag, missing meaning not hard."""
    return False if value is None or pd.isna(value) else bool(value)


def attempt_tally(counts: pd.DataFrame, partial_counts_as_success: bool = False) -> dict:
    """Counts from attempt rows with columns outcome, hard, n (and source when present): n, outcomes,
    sources, successes, inconvenient."""
    rows = counts[counts["outcome"] != NOT_ATTEMPTED]
    unknown = set(rows["outcome"]) - set(OUTCOMES)
    if unknown:
        raise ValueError(f"unknown outcomes {sorted(map(str, unknown))}")
    sizes = [int(v) for v in rows["n"]]
    outcomes = {o: sum(s for s, r in zip(sizes, rows["outcome"]) if r == o) for o in OUTCOMES}
    sources = None
    if "source" in rows.columns:
        sources = {src: sum(s for s, r in zip(sizes, rows["source"]) if r == src) for src in SOURCES}
    inconvenient = sum(s for s, o, h in zip(sizes, rows["outcome"], rows["hard"]) if is_inconvenient(o, _hard(h)))
    successes = outcomes["success"] + (outcomes["partial"] if partial_counts_as_success else 0)
    return {"n": sum(sizes), "outcomes": outcomes, "sources": sources, "successes": successes,
            "inconvenient": inconvenient}


def completion_block(successes: int, n: int) -> dict:
    """completion_rate_ci merged with completion_point_estimates."""
    return {**completion_rate_ci(successes, n), **completion_point_estimates(successes, n)}


def task_times(times: pd.DataFrame, task_id: Any, population: str = "success",
               partial_counts_as_success: bool = False) -> np.ndarray:
    """Seconds of one task's attempts (columns task_id, outcome, seconds) in the chosen time population."""
    if population not in TIME_POPULATIONS:
        raise ValueError(f"time_population must be one of {TIME_POPULATIONS}, got {population!r}")
    rows = _for_task(times, task_id)
    rows = rows[rows["outcome"] != NOT_ATTEMPTED]
    if population == "success":
        wanted = {"success", "partial"} if partial_counts_as_success else {"success"}
        rows = rows[rows["outcome"].isin(wanted)]
    return np.asarray(rows["seconds"], dtype=float)


def seq_values(seq_counts: pd.DataFrame, task_id: Any) -> np.ndarray:
    """One task's SEQ ratings rebuilt from seq_counts (columns task_id, seq, n)."""
    rows = _for_task(seq_counts, task_id)
    return np.repeat(np.asarray(rows["seq"], dtype=float), np.asarray(rows["n"], dtype=int))


def _sentiment(rows: pd.DataFrame) -> dict:
    """Comment counts per sentiment label (columns label, n), zeros included."""
    return {label: int(sum(int(n) for n, lab in zip(rows["n"], rows["label"]) if lab == label))
            for label in SENTIMENT_LABELS}


def questionnaire_summary(sus: pd.DataFrame, questionnaire: str = "sus") -> dict:
    """SUS summary with grade, or UMUX-Lite summary with sus_equivalent, of the score column."""
    if questionnaire not in QUESTIONNAIRES:
        raise ValueError(f"questionnaire must be one of {QUESTIONNAIRES}, got {questionnaire!r}")
    scores = sus["score"]
    if questionnaire == "sus":
        return {"kind": "sus", **sus_summary(scores)}
    return {"kind": "umux_lite", **umux_lite_summary(scores), "grade": None}


def _by_task(frame: pd.DataFrame) -> dict:
    """A frame's rows per task_id (one groupby instead of a filter per task)."""
    return {task_id: rows for task_id, rows in frame.groupby("task_id", sort=False)}


def _time_summary(task_id: Any, data: IterationData, time_stats: dict, partial: bool, population: str) -> dict:
    """A task's time summary: from time_stats when the data carries it (already in the chosen population),
    else from the times themselves."""
    if data.time_stats is None:
        return task_time_summary(task_times(data.frame("times"), task_id, population, partial))
    rows = time_stats.get(task_id)
    if rows is None or rows.empty:
        return task_time_summary([])
    row = rows.iloc[0]
    return task_time_summary_from_moments(int(row["n"]), float(row["sum_log"]), float(row["sum_log_sq"]),
                                          float(row["sum_seconds"]), float(row["median"]),
                                          constant=bool(row["constant"]))


def _task_report(task: Any, data: IterationData, split: dict, partial: bool, population: str) -> dict:
    """One task's figures (see iteration_report); split holds each frame's rows per task."""
    def rows(name: str) -> pd.DataFrame:
        return split[name].get(task.task_id, data.frame(name).iloc[0:0])

    tally = attempt_tally(rows("attempt_counts"), partial)
    ratings = rows("seq_counts")
    return {
        "task_id": task.task_id, "position": task.position, "title_ja": task.title_ja, "title_en": task.title_en,
        "n": tally["n"], "outcomes": tally["outcomes"], "sources": tally["sources"],
        "completion": completion_block(tally["successes"], tally["n"]),
        "inconvenience": inconvenience_from_counts(tally["inconvenient"], tally["n"]),
        "time": _time_summary(task.task_id, data, split["time_stats"], partial, population),
        "seq": rating_summary_from_counts(ratings["seq"], ratings["n"], 1, 7),
        "sentiment": None if data.frame("sentiment_counts").empty else _sentiment(rows("sentiment_counts")),
    }


def iteration_report(data: IterationData, participants: int, *, questionnaire: str = "sus",
                     partial_counts_as_success: bool = False, time_population: str = "success") -> dict:
    """Per-task figures in position order plus pooled overall figures, from the frames of IterationData."""
    if time_population not in TIME_POPULATIONS:
        raise ValueError(f"time_population must be one of {TIME_POPULATIONS}, got {time_population!r}")
    tasks = data.frame("tasks").sort_values(["position", "task_id"], kind="stable")
    split = {name: _by_task(data.frame(name)) for name in ("attempt_counts", "seq_counts", "sentiment_counts")}
    split["time_stats"] = {} if data.time_stats is None else _by_task(data.time_stats)
    per_task = [_task_report(task, data, split, partial_counts_as_success, time_population)
                for task in tasks.itertuples(index=False)]
    pooled = attempt_tally(data.frame("attempt_counts"), partial_counts_as_success)
    sentiment_rows = data.frame("sentiment_counts")
    general = sentiment_rows[sentiment_rows["task_id"].isna()]
    overall = {
        "participants": int(participants), "n": pooled["n"], "outcomes": pooled["outcomes"],
        "sources": pooled["sources"], "completion": completion_block(pooled["successes"], pooled["n"]),
        "inconvenience": inconvenience_from_counts(pooled["inconvenient"], pooled["n"]),
        "questionnaire": questionnaire_summary(data.frame("sus"), questionnaire),
        "sentiment": None if sentiment_rows.empty else _sentiment(sentiment_rows),
        "general_sentiment": None if sentiment_rows.empty else _sentiment(general),
    }
    options = {"questionnaire": questionnaire, "partial_counts_as_success": partial_counts_as_success,
               "time_population": time_population}
    return to_plain({"options": options, "tasks": per_task, "overall": overall})


_SEGMENT_FIGURES = ("completion_rate", "completion_lower", "completion_upper",
                    "inconvenience_rate", "inconvenience_lower", "inconvenience_upper")


def _segment_cell(rows: pd.DataFrame, k: int, partial: bool) -> dict:
    """n and rates of one (segment, value, task) cell, or suppressed Nones when n < k."""
    tally = attempt_tally(rows, partial)
    if tally["n"] < k:
        return {"suppressed": True, "n": None, **dict.fromkeys(_SEGMENT_FIGURES)}
    completion = completion_rate_ci(tally["successes"], tally["n"])
    inconvenience = inconvenience_from_counts(tally["inconvenient"], tally["n"])
    return {"suppressed": False, "n": tally["n"],
            "completion_rate": completion["completion_rate"], "completion_lower": completion["lower"],
            "completion_upper": completion["upper"], "inconvenience_rate": inconvenience["rate"],
            "inconvenience_lower": inconvenience["lower"], "inconvenience_upper": inconvenience["upper"]}


def _unknown(column: pd.Series) -> pd.Series:
    """A copy of the column as objects with missing values replaced by "unknown"."""
    return pd.Series(["unknown" if _is_missing(v) else v for v in column], index=column.index, dtype=object)


def segment_report(segment_counts: pd.DataFrame, k: int = 5, *, partial_counts_as_success: bool = False) -> list[dict]:
    """Completion and inconvenience per (segment, value, task_id) from columns segment, value, task_id,
    outcome, hard, n; cells with n < k are suppressed (n and figures None), missing values read "unknown"."""
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}")
    missing = {"segment", "value", "task_id", "outcome", "hard", "n"} - set(segment_counts.columns)
    if missing:
        raise ValueError(f"segment_counts lacks columns {sorted(missing)}")
    if segment_counts["task_id"].isna().any():
        raise ValueError("segment_counts has rows without task_id")
    frame = segment_counts.assign(**{col: _unknown(segment_counts[col]) for col in ("segment", "value")})
    cells = []
    for (segment, value, task_id), rows in frame.groupby(["segment", "value", "task_id"], sort=False):
        cells.append({"segment": segment, "value": value, "task_id": task_id,
                      **_segment_cell(rows, k, partial_counts_as_success)})
    cells.sort(key=lambda c: (str(c["segment"]), str(c["value"]), c["task_id"]))
    return to_plain(cells)


def area_report(participants: dict, segment_counts: pd.DataFrame, task_id: Any = None) -> list[dict]:
    """Per municipality code (in code order; participants who gave none are left out): {code, participants,
    inconvenient, attempts, inconvenience} from participant counts per code and the "municipality" rows of
    segment_counts (segment, value, task_id, outcome, hard, n), for one task or all; inconvenience is
    inconvenience_from_counts of the area's attempts (METRICS 13). Nothing is suppressed here."""
    tallies: dict[str, dict] = {}
    rows = segment_counts[segment_counts["segment"] == "municipality"] if len(segment_counts) else segment_counts
    if task_id is not None and len(rows):
        rows = rows[rows["task_id"] == task_id]
    if len(rows):
        for code, group in rows.groupby("value", dropna=True):
            tallies[str(code)] = attempt_tally(group)
    out = []
    for code, n in sorted(participants.items(), key=str):
        if not code:
            continue
        tally = tallies.get(code, {"inconvenient": 0, "n": 0})
        out.append({"code": code, "participants": int(n), "inconvenient": tally["inconvenient"],
                    "attempts": tally["n"], "inconvenience": inconvenience_from_counts(tally["inconvenient"],
                                                                                       tally["n"])})
    return to_plain(out)
