"""Live-service feedback per iteration (pure): satisfaction share with its Wilson interval, mean rating with its
t-interval, the "could you do it?" split. Counts in, plain dicts out (docs/metrics.md, "Live feedback").

Satisfied means a rating of 4 or 5 on the 5-point scale (top-two box); the share's interval is Wilson's score
interval (statsmodels' proportion_confint, method="wilson"), which behaves at small n and at 0% or 100%.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping

from statsmodels.stats.proportion import proportion_confint

from civictest.analysis.metrics import rating_summary_from_counts

SATISFIED_MIN = 4
RATINGS = (1, 2, 3, 4, 5)
TASK_DONE = ("yes", "partly", "no")


def satisfaction(rating_counts: Mapping[int, int], confidence: float = 0.95) -> dict:
    """{n, satisfied, rate, lower, upper, mean, mean_lower, mean_upper, sd, ratings} of counts per rating 1..5."""
    counts = {r: int(rating_counts.get(r, 0) or 0) for r in RATINGS}
    if any(value < 0 for value in counts.values()) or set(rating_counts) - set(RATINGS):
        raise ValueError("rating counts must be whole numbers >= 0 for ratings 1..5")
    n = sum(counts.values())
    satisfied = sum(v for r, v in counts.items() if r >= SATISFIED_MIN)
    out = {"n": n, "satisfied": satisfied, "rate": None, "lower": None, "upper": None,
           "ratings": {str(r): counts[r] for r in RATINGS}}
    if n:
        lower, upper = proportion_confint(satisfied, n, alpha=1 - confidence, method="wilson")
        out.update(rate=satisfied / n, lower=float(lower), upper=float(upper))
    mean = rating_summary_from_counts(list(counts), list(counts.values()), 1, 5, confidence)
    out.update(mean=mean["mean"], mean_lower=mean["lower"], mean_upper=mean["upper"], sd=mean["sd"])
    return out


def feedback_points(iterations: Iterable[Mapping], tally: Iterable[tuple[int, int, str, int, int]],
                    confidence: float = 0.95) -> list[dict]:
    """One point per iteration (in the order given: {"id", "number", "label"}) from tally rows
    (iteration_id, rating, task_done or "", n, with_comment); an iteration without answers has n 0."""
    ratings: dict[int, dict[int, int]] = {}
    done: dict[int, dict[str, int]] = {}
    comments: dict[int, int] = {}
    for iteration_id, rating, task_done, n, with_comment in tally:
        ratings.setdefault(iteration_id, {}).setdefault(int(rating), 0)
        ratings[iteration_id][int(rating)] += int(n)
        key = task_done if task_done in TASK_DONE else "unanswered"
        done.setdefault(iteration_id, {})[key] = done.get(iteration_id, {}).get(key, 0) + int(n)
        comments[iteration_id] = comments.get(iteration_id, 0) + int(with_comment)
    points = []
    for it in iterations:
        split = done.get(it["id"], {})
        points.append({"iteration_id": it["id"], "number": it["number"], "label": it["label"],
                       **satisfaction(ratings.get(it["id"], {}), confidence),
                       "task_done": {key: split.get(key, 0) for key in (*TASK_DONE, "unanswered")},
                       "comments": comments.get(it["id"], 0)})
    return points
