"""How far to trust comment sentiment: does it agree with the same attempts' outcomes and ease ratings?

Input: a frame with one row per group of task comments: `inconvenient` (bool: the comment's attempt was
not a success or its SEQ was 4 or lower), `label` (positive/neutral/negative/unscored) and `n`.
If the analyzer reads residents well, negative comments are much commoner on inconvenient attempts.
"""
from __future__ import annotations

import pandas as pd

from civictest.analysis.metrics import compare_completion_rates, completion_rate_ci

SCORED = ("positive", "neutral", "negative")


def _count(frame: pd.DataFrame, **where: object) -> int:
    mask = pd.Series(True, index=frame.index)
    for column, value in where.items():
        mask &= frame[column].isin(value) if isinstance(value, tuple) else frame[column] == value
    return int(frame.loc[mask, "n"].sum())


def sentiment_validity(frame: pd.DataFrame) -> dict:
    """Negative share among inconvenient vs convenient attempts (with intervals and the N-1 test), and agreement."""
    scored = frame[frame["label"].isin(SCORED)] if len(frame) else frame
    neg_bad, n_bad = _count(scored, inconvenient=True, label="negative"), _count(scored, inconvenient=True)
    neg_good, n_good = _count(scored, inconvenient=False, label="negative"), _count(scored, inconvenient=False)
    agree = neg_bad + _count(scored, inconvenient=False, label="positive")
    polar = _count(scored, label=("positive", "negative"))
    comparison = compare_completion_rates(neg_bad, n_bad, neg_good, n_good) if n_bad and n_good else None
    return {
        "negative_among_inconvenient": completion_rate_ci(neg_bad, n_bad),
        "negative_among_convenient": completion_rate_ci(neg_good, n_good),
        "comparison": comparison,
        "agreement": completion_rate_ci(agree, polar),
        "unscored": _count(frame, label="unscored") if len(frame) else 0,
        "consistent": bool(comparison and comparison["difference"] > 0 and comparison["recommended_p"] < 0.05),
    }
