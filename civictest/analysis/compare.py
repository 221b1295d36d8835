"""Iteration vs iteration (between-subjects, METRICS 7) and the trend over many iterations.

Direction: every difference is candidate minus base (the candidate is group 1 / `a` in the metrics calls), so
a positive completion or questionnaire difference is better and a negative inconvenience difference is better;
time ratios are candidate / base (below 1 = faster).
Verdicts: a task's headline is its inconvenience-rate comparison (METRICS 13): `improved` when its
recommended_p < alpha and the rate went down, `worse` when recommended_p < alpha and it went up, otherwise
`no_detectable_change`. Per-task p-values are unadjusted and flagged exploratory; the overall verdict applies
Holm across the tasks' headline p-values: `improved` if any task improves after Holm and none is worse,
`worse` if any is worse and none improves, `mixed` if both, else `no_detectable_change`.
"""

from __future__ import annotations

import gc
from typing import Any

import numpy as np
import pandas as pd
from statsmodels.stats.multitest import multipletests

from civictest.analysis.metrics import (
    compare_completion_rates, compare_means_from_counts, compare_task_times, compare_task_times_from_moments,
    completion_rate_ci, inconvenience_from_counts,
)
from civictest.analysis.report import (
    IterationData, attempt_tally, questionnaire_summary, task_times, to_plain,
)

IMPROVED, WORSE, NO_CHANGE, MIXED = "improved", "worse", "no_detectable_change", "mixed"


def _holm(p_values: list[float], alpha: float) -> list[float]:
    """Holm-adjusted p-values (statsmodels). Its Holm branch ends with an explicit gc.collect() (multitest.py,
    0.14-0.15): a full collection of the whole process, 0.1 s in a web worker, for an adjustment that takes
    microseconds. That one call is skipped; Python's own collector still runs as usual."""
    collect = gc.collect
    gc.collect = lambda *_args: 0
    try:
        return [float(p) for p in multipletests(p_values, alpha=alpha, method="holm")[1]]
    finally:
        gc.collect = collect


def verdict(p: float | None, difference: float | None, alpha: float, lower_is_better: bool) -> str:
    """improved / worse when p < alpha (direction from the sign of difference), else no_detectable_change."""
    if p is None or difference is None or not p < alpha or difference == 0:
        return NO_CHANGE
    return IMPROVED if (difference < 0) == lower_is_better else WORSE


def _task_ids(data: IterationData) -> list:
    """Task ids in position order."""
    tasks = data.frame("tasks").sort_values(["position", "task_id"], kind="stable")
    return list(tasks["task_id"])


def _compare_task(task: Any, base: IterationData, candidate: IterationData, alpha: float, partial: bool) -> dict:
    """Completion, inconvenience, SEQ and success-time comparisons of one task present in both iterations."""
    def tally(data: IterationData) -> dict:
        """Attempt counts of this task in one iteration."""
        counts = data.frame("attempt_counts")
        return attempt_tally(counts[counts["task_id"] == task.task_id], partial)

    b, c = tally(base), tally(candidate)
    inconvenience = compare_completion_rates(c["inconvenient"], c["n"], b["inconvenient"], b["n"])
    completion = compare_completion_rates(c["successes"], c["n"], b["successes"], b["n"])
    completion["verdict"] = verdict(completion["recommended_p"], completion["difference"], alpha, False)
    return {
        "task_id": task.task_id, "position": task.position, "title_ja": task.title_ja, "title_en": task.title_en,
        "n_base": b["n"], "n_candidate": c["n"],
        "completion": completion,
        "inconvenience": inconvenience,
        "seq": compare_means_from_counts(*_rating_counts(candidate, task.task_id), *_rating_counts(base, task.task_id)),
        "time": _compare_times(task.task_id, base, candidate),
        "headline_p": inconvenience["recommended_p"],
        "verdict": verdict(inconvenience["recommended_p"], inconvenience["difference"], alpha, True),
        "exploratory": True,
    }


def _rating_counts(data: IterationData, task_id: Any) -> tuple[np.ndarray, np.ndarray]:
    """One task's SEQ ratings as (distinct values, how many of each)."""
    rows = data.frame("seq_counts")
    rows = rows[rows["task_id"] == task_id]
    return np.asarray(rows["seq"], dtype=float), np.asarray(rows["n"], dtype=float)


def _score_counts(data: IterationData) -> tuple[np.ndarray, np.ndarray]:
    """Valid questionnaire scores of one iteration as (distinct values, how many of each)."""
    scores = pd.to_numeric(data.frame("sus")["score"], errors="coerce").to_numpy(dtype=float)
    return np.unique(scores[~np.isnan(scores)], return_counts=True)


def _time_moments(data: IterationData, task_id: Any) -> tuple[int, float, float]:
    """(n, sum ln t, sum (ln t)^2) of one task's times in the data's time population."""
    rows = data.time_stats[data.time_stats["task_id"] == task_id]
    if rows.empty:
        return 0, 0.0, 0.0
    return int(rows["n"].iloc[0]), float(rows["sum_log"].iloc[0]), float(rows["sum_log_sq"].iloc[0])


def _compare_times(task_id: Any, base: IterationData, candidate: IterationData) -> dict:
    """Welch on ln times: from the time sums when both iterations carry them (as the database reads them),
    else from the times themselves (same result)."""
    if base.time_stats is not None and candidate.time_stats is not None:
        return compare_task_times_from_moments(_time_moments(candidate, task_id), _time_moments(base, task_id))
    return compare_task_times(task_times(candidate.frame("times"), task_id), task_times(base.frame("times"), task_id))


def _apply_holm(tasks: list[dict], alpha: float) -> str:
    """Add holm_adjusted_p and holm_verdict to each task; return the overall verdict."""
    tested = [t for t in tasks if t["headline_p"] is not None]
    adjusted = _holm([t["headline_p"] for t in tested], alpha) if tested else []
    for t in tasks:
        t["holm_adjusted_p"], t["holm_verdict"] = None, NO_CHANGE
    for t, p in zip(tested, adjusted):
        t["holm_adjusted_p"] = float(p)
        t["holm_verdict"] = verdict(float(p), t["inconvenience"]["difference"], alpha, True)
    found = {t["holm_verdict"] for t in tasks}
    if IMPROVED in found and WORSE in found:
        return MIXED
    return IMPROVED if IMPROVED in found else WORSE if WORSE in found else NO_CHANGE


def _compare_pooled(base: IterationData, candidate: IterationData, alpha: float, partial: bool) -> dict:
    """Pooled (all tasks' attempts) inconvenience and completion comparisons; attempts of one resident are
    not independent, so read these as descriptive."""
    b = attempt_tally(base.frame("attempt_counts"), partial)
    c = attempt_tally(candidate.frame("attempt_counts"), partial)
    inconvenience = compare_completion_rates(c["inconvenient"], c["n"], b["inconvenient"], b["n"])
    completion = compare_completion_rates(c["successes"], c["n"], b["successes"], b["n"])
    return {
        "inconvenience": {**inconvenience, "verdict": verdict(
            inconvenience["recommended_p"], inconvenience["difference"], alpha, True)},
        "completion": {**completion, "verdict": verdict(
            completion["recommended_p"], completion["difference"], alpha, False)},
    }


def _compare_questionnaire(base: IterationData, candidate: IterationData, alpha: float, kind: str) -> dict:
    """Welch comparison of the valid questionnaire scores (higher is better)."""
    comparison = compare_means_from_counts(*_score_counts(candidate), *_score_counts(base))
    return {"base": questionnaire_summary(base.frame("sus"), kind),
            "candidate": questionnaire_summary(candidate.frame("sus"), kind),
            "comparison": comparison,
            "verdict": verdict(comparison["p_two_sided"], comparison["difference"], alpha, False)}


def compare_iterations(base: IterationData, candidate: IterationData, *, alpha: float = 0.05,
                       questionnaire: str = "sus", partial_counts_as_success: bool = False) -> dict:
    """Candidate vs base per task (matched by task_id), Holm-adjusted overall verdict, pooled and questionnaire
    comparisons; differences are candidate minus base. Completion counts partial success only when the study
    says so, as iteration_report does (the inconvenience rate always counts it as inconvenient)."""
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1, got {alpha!r}")
    base_ids, candidate_ids = _task_ids(base), _task_ids(candidate)
    tasks = candidate.frame("tasks").sort_values(["position", "task_id"], kind="stable")
    per_task = [_compare_task(task, base, candidate, alpha, partial_counts_as_success)
                for task in tasks.itertuples(index=False) if task.task_id in set(base_ids)]
    overall = {"verdict": _apply_holm(per_task, alpha),
               **_compare_pooled(base, candidate, alpha, partial_counts_as_success),
               "questionnaire": _compare_questionnaire(base, candidate, alpha, questionnaire),
               "sentiment": compare_sentiment(base, candidate, alpha)}
    return to_plain({
        "alpha": alpha, "difference": "candidate_minus_base", "tasks": per_task,
        "tasks_added": [t for t in candidate_ids if t not in set(base_ids)],
        "tasks_dropped": [t for t in base_ids if t not in set(candidate_ids)],
        "overall": overall,
    })


def trend(points: list[tuple[dict, IterationData]], *, questionnaire: str = "sus") -> list[dict]:
    """Each (meta, data) point's meta keys (id, label, dates...) plus participants (meta["participants"]),
    pooled completion (partial success counting when meta["partial_counts_as_success"] says so, as in the
    iteration's report) and inconvenience, and SUS mean and grade, in the given order."""
    out = []
    for meta, data in points:
        tally = attempt_tally(data.frame("attempt_counts"), bool(meta.get("partial_counts_as_success")))
        kind = meta.get("questionnaire", questionnaire)
        summary = questionnaire_summary(data.frame("sus"), kind)
        out.append({
            **meta, "participants": meta.get("participants"),
            "completion": completion_rate_ci(tally["successes"], tally["n"]),
            "inconvenience": inconvenience_from_counts(tally["inconvenient"], tally["n"]),
            "questionnaire_kind": kind, "questionnaire_n": summary["n"], "questionnaire_mean": summary["mean"],
            "sus_mean": summary["mean"] if kind == "sus" else None, "sus_grade": summary["grade"],
        })
    return to_plain(out)


def _negatives(data: IterationData) -> tuple[int, int]:
    """(negative, scored) resident comments of an iteration (unscored ones say nothing either way)."""
    counts = data.frame("sentiment_counts")
    scored = counts[counts["label"].isin(("positive", "neutral", "negative"))]
    return int(scored.loc[scored["label"] == "negative", "n"].sum()), int(scored["n"].sum())


def compare_sentiment(base: IterationData, candidate: IterationData, alpha: float = 0.05) -> dict:
    """Share of negative comments, candidate vs base, compared as a rate (METRICS 7.1; descriptive, since one
    resident's comments are not independent); lower is better."""
    (negative_c, scored_c), (negative_b, scored_b) = _negatives(candidate), _negatives(base)
    compared = compare_completion_rates(negative_c, scored_c, negative_b, scored_b)
    return to_plain({**compared, "negative": negative_c, "scored": scored_c, "base_negative": negative_b,
                     "base_scored": scored_b,
                     "verdict": verdict(compared["recommended_p"], compared["difference"], alpha, True)})


def pooled_change(latest: dict | None, previous: dict | None, alpha: float = 0.05) -> dict | None:
    """Latest vs previous trend point's pooled inconvenience (METRICS 7.1, differences latest minus previous)
    with its verdict; None without both points."""
    if not latest or not previous:
        return None
    now, before = latest["inconvenience"], previous["inconvenience"]
    compared = compare_completion_rates(now.get("inconvenient") or 0, now.get("n") or 0,
                                        before.get("inconvenient") or 0, before.get("n") or 0)
    return to_plain({**compared, "verdict": verdict(compared["recommended_p"], compared["difference"], alpha, True)})
