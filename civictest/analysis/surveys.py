"""Survey results (issue 16): item figures, org-unit suppression, wave comparison, response rates, weighting.

Pure: counts in (as SQL aggregates them), plain unrounded dicts out; no Flask, no database.

* An agreement/satisfaction item is summarised from its answer counts {value: count}. On a scale with an odd
  number of points the answers above the midpoint are positive, the midpoint neutral and those below negative
  (5 points: 4-5, 3, 1-2). Each share has the interval every rate in the app has, the adjusted-Wald interval of
  `metrics.completion_rate_ci` (statsmodels `proportion_confint`, method "agresti_coull"); the mean has the
  t-interval of `metrics.rating_summary_from_counts` (statsmodels `DescrStatsW` with frequency weights).
* Org units form a tree; a unit's figures are its whole subtree's (a 局 includes its 部 and 課). A unit whose
  subtree has fewer than k respondents is not shown: its answers stay in its nearest shown ancestor. Cells that
  would reveal a hidden group by subtraction are hidden too, by the rule of `privacy.suppress_small_cells`: in
  each parent's group (the children's subtree totals and the parent's own respondents, which are never shown on
  their own), while the hidden part is above 0 and below k, the smallest shown child is hidden as well.
* Wave vs wave per item (candidate minus base): % positive by `metrics.compare_completion_rates` (the N-1
  two-proportion test, Fisher when an expected count is below 1, Agresti-Caffo interval of the difference:
  the test iteration comparisons use), the mean by Welch (`metrics.compare_means_from_counts`) and the whole
  scale by Mann-Whitney U (scipy.stats.mannwhitneyu's asymptotic formula on the value counts). The headline is % positive; Holm across the items'
  headline p-values (`compare._holm`) gives each item's certain verdict and the overall one, worded as
  iteration comparisons are (`compare.verdict`: improved / worse / no_detectable_change / mixed).
* Response rate per unit: answered / invited from the roster, with the same interval.
* Post-stratification to the roster's make-up over cells (e.g. top unit x job grade): weight of a cell =
  roster share / respondent share. Cells of the roster without respondents cannot be weighted; the weights
  are then computed over the covered cells and the uncovered roster share is reported. Weighted figures are
  point estimates (shares and mean): the interval of a weighted share would need a design-based variance that
  no library in use provides, so none is shown.
"""
from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import special, stats
from statsmodels.stats.weightstats import DescrStatsW

from civictest.analysis.compare import IMPROVED, MIXED, NO_CHANGE, WORSE, _holm, verdict
from civictest.analysis.metrics import (
    compare_completion_rates, compare_means_from_counts, completion_rate_ci, rating_summary_from_counts,
)
from civictest.privacy import suppress_small_cells
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

DEFAULT_K = 10  # SURVEY_SUPPRESSION_K
MANN_WHITNEY_MAX = 200_000
BANDS = ("positive", "neutral", "negative")
__all__ = [
    "BANDS", "DEFAULT_K", "IMPROVED", "MIXED", "NO_CHANGE", "WORSE", "band_of", "band_table", "choice_summary",
    "compare_units", "compare_waves", "first_levels", "item_summary", "poststratification_weights", "response_rates", "roll_up",
    "suppress_groups", "suppress_units", "wave_results", "weighted_item_summary",
]


# ---------------------------------------------------------------- one item
def _clean_counts(counts: Mapping[Any, Any], scale_min: int, scale_max: int) -> dict[int, int]:
    """{value: count} for every point of the scale (missing points are 0); bad values are a ValueError."""
    if not scale_min < scale_max:
        raise ValueError("scale_min must be below scale_max")
    out = dict.fromkeys(range(scale_min, scale_max + 1), 0)
    for value, count in counts.items():
        if isinstance(value, bool) or int(value) != value or not scale_min <= value <= scale_max:
            raise ValueError(f"answer {value!r} outside the scale {scale_min}..{scale_max}")
        if isinstance(count, bool) or int(count) != count or count < 0:
            raise ValueError(f"count of {value!r} must be a whole number >= 0, got {count!r}")
        out[int(value)] += int(count)
    return out


def band_of(value: int, scale_min: int = 1, scale_max: int = 5) -> str:
    """positive above the midpoint, neutral at it, negative below (an even scale has no neutral point)."""
    mid2 = scale_min + scale_max  # twice the midpoint, so the comparison stays in integers
    return "positive" if 2 * value > mid2 else "negative" if 2 * value < mid2 else "neutral"


def _share(count: int, n: int, confidence: float) -> dict:
    ci = completion_rate_ci(count, n, confidence)
    return {"count": count if n else None, "share": ci["completion_rate"], "lower": ci["lower"],
            "upper": ci["upper"]}


def item_summary(counts: Mapping[Any, Any], scale_min: int = 1, scale_max: int = 5,
                 confidence: float = 0.95) -> dict:
    """Figures of one scale item from its answer counts.

    {"n", "counts": {value: count}, "positive"|"neutral"|"negative": {"count", "share", "lower", "upper"},
     "mean", "sd", "mean_lower", "mean_upper"}; n = 0 gives None for every figure but n and counts."""
    clean = _clean_counts(counts, scale_min, scale_max)
    n = sum(clean.values())
    bands = dict.fromkeys(BANDS, 0)
    for value, count in clean.items():
        bands[band_of(value, scale_min, scale_max)] += count
    out: dict = {"n": n, "counts": clean}
    out.update({band: _share(bands[band], n, confidence) for band in BANDS})
    rating = rating_summary_from_counts(list(clean), list(clean.values()), scale_min, scale_max, confidence)
    out.update(mean=rating["mean"], sd=rating["sd"], mean_lower=rating["lower"], mean_upper=rating["upper"])
    return out


def choice_summary(counts: Mapping[Hashable, Any], confidence: float = 0.95) -> dict:
    """A single-choice item: {"n", "options": {option: {"count", "share", "lower", "upper"}}}."""
    n = 0
    for option, count in counts.items():
        if isinstance(count, bool) or int(count) != count or count < 0:
            raise ValueError(f"count of {option!r} must be a whole number >= 0, got {count!r}")
        n += int(count)
    return {"n": n, "options": {option: _share(int(count), n, confidence) for option, count in counts.items()}}


# ---------------------------------------------------------------- org units: suppression and merging upward
def _tree(units: Iterable[tuple[Hashable, Hashable | None]]) -> tuple[list, dict, dict]:
    """(ids in parents-first order, parent of each, children of each); a cycle or unknown parent is a ValueError."""
    parent = dict(units)
    children: dict = {u: [] for u in parent}
    roots = []
    for unit, up in parent.items():
        if up is None:
            roots.append(unit)
        elif up not in parent:
            raise ValueError(f"unit {unit!r} has an unknown parent {up!r}")
        else:
            children[up].append(unit)
    order, todo = [], list(reversed(roots))
    while todo:
        unit = todo.pop()
        order.append(unit)
        todo.extend(reversed(children[unit]))
    if len(order) != len(parent):
        raise ValueError("the org units contain a cycle")
    return order, parent, children


def roll_up(units: Iterable[tuple[Hashable, Hashable | None]], values: Mapping[Hashable, Any]) -> dict:
    """Each unit's value summed over its subtree (numbers, or pandas Series / numpy arrays of counts)."""
    order, parent, _children = _tree(units)
    total: dict = {u: values.get(u, 0) for u in order}
    for unit in reversed(order):  # children before parents
        up = parent[unit]
        if up is not None:
            total[up] = total[up] + total[unit]
    return total


def suppress_units(units: Iterable[tuple[Hashable, Hashable | None]], respondents: Mapping[Hashable, int],
                   k: int = DEFAULT_K) -> dict:
    """Which org units may be shown.

    units: (unit, parent or None) pairs; respondents: direct respondents per unit (absent = 0).
    Returns {unit: {"respondents": subtree total, "shown": bool, "shown_as": nearest shown unit (itself when
    shown; None when no ancestor is shown)}}. A unit is hidden when its subtree has fewer than k respondents,
    when an ancestor is hidden, or when it is the smallest shown child of a parent whose hidden part (own
    respondents plus hidden children) is above 0 and below k. Do not publish why a unit is hidden."""
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}")
    units = list(units)
    order, parent, children = _tree(units)
    for unit, count in respondents.items():
        if unit not in parent:
            raise ValueError(f"respondents for unknown unit {unit!r}")
        if isinstance(count, bool) or int(count) != count or count < 0:
            raise ValueError(f"respondents of {unit!r} must be a whole number >= 0")
    own = {u: int(respondents.get(u, 0)) for u in order}
    total = roll_up(units, own)
    hidden = {u: total[u] < k for u in order}

    def cascade() -> None:
        for unit in order:  # parents first
            if parent[unit] is not None and hidden[parent[unit]]:
                hidden[unit] = True

    cascade()
    changed = True
    while changed:
        changed = False
        for unit in order:
            if hidden[unit] or not children[unit]:
                continue
            rest = own[unit] + sum(total[c] for c in children[unit] if hidden[c])
            if 0 < rest < k:
                shown = [c for c in children[unit] if not hidden[c] and total[c] > 0]
                if shown:
                    hidden[min(shown, key=lambda c: total[c])] = True  # ties: first child
                    cascade()
                    changed = True
    out = {}
    for unit in order:
        up = unit
        while up is not None and hidden[up]:
            up = parent[up]
        out[unit] = {"respondents": total[unit], "shown": not hidden[unit], "shown_as": up}
    return out


def suppress_groups(respondents: Mapping[Hashable, int], k: int = DEFAULT_K) -> dict[Hashable, bool]:
    """A flat breakdown (job grades): {group: shown}, by privacy.suppress_small_cells with the whole as the
    group's known total (a group with 0 respondents is shown, as it describes no one)."""
    groups = list(respondents)
    if not groups:
        return {}
    table = pd.DataFrame({"group": range(len(groups)), "n": [int(respondents[g]) for g in groups]})
    out = suppress_small_cells(table, "n", k)
    return {g: not bool(hidden) for g, hidden in zip(groups, out["suppressed"])}


# ---------------------------------------------------------------- response rates
def response_rates(units: Iterable[tuple[Hashable, Hashable | None]], invited: Mapping[Hashable, int],
                   answered: Mapping[Hashable, int], shown: Iterable[Hashable] | None = None,
                   confidence: float = 0.95) -> dict:
    """{unit: {"invited", "answered", "rate", "lower", "upper"}} over each unit's subtree; only the units in
    `shown` (all when None). invited and answered are direct counts from the roster."""
    units = list(units)
    inv, ans = roll_up(units, dict(invited)), roll_up(units, dict(answered))
    keep = set(inv) if shown is None else set(shown)
    kept = [unit for unit in inv if unit in keep]
    for unit in kept:
        if ans[unit] > inv[unit]:
            raise ValueError(f"unit {unit!r} has more answers than invitations")
    # completion_rate_ci's interval for every unit in one call on arrays (the same arithmetic, element-wise):
    # 500 units cost 500 scalar calls of proportion_confint otherwise.
    x = np.array([int(ans[unit]) for unit in kept], dtype=np.int64)
    n = np.array([int(inv[unit]) for unit in kept], dtype=np.int64)
    lower, upper = (proportion_confint(x, np.maximum(n, 1), alpha=1 - confidence, method="agresti_coull")
                    if kept else ([], []))
    out = {}
    for i, unit in enumerate(kept):
        total, got = int(n[i]), int(x[i])
        out[unit] = {"invited": total, "answered": got, "rate": got / total if total else None,
                     "lower": float(lower[i]) if total else None, "upper": float(upper[i]) if total else None}
    return out


# ---------------------------------------------------------------- post-stratification
def poststratification_weights(roster: Mapping[Hashable, int], respondents: Mapping[Hashable, int]) -> dict:
    """Weights per cell = roster share / respondent share, over the cells that have respondents.

    Returns {"weights": {cell: weight}, "covered_roster_share": share of the roster in cells with respondents,
    "uncovered_cells": [cells of the roster without respondents]}. Weights average 1 over respondents."""
    frame = pd.DataFrame({"roster": pd.Series(dict(roster), dtype="float64"),
                          "respondents": pd.Series(dict(respondents), dtype="float64")}).fillna(0.0)
    if (frame < 0).any().any():
        raise ValueError("counts must be >= 0")
    if frame["roster"].sum() == 0 or frame["respondents"].sum() == 0:
        return {"weights": {}, "covered_roster_share": None,
                "uncovered_cells": list(frame.index[frame["roster"] > 0])}
    stray = frame.index[(frame["respondents"] > 0) & (frame["roster"] == 0)]
    if len(stray):
        raise ValueError(f"respondents in cells the roster does not have: {list(stray)!r}")
    covered = frame[frame["respondents"] > 0]
    roster_share = covered["roster"] / covered["roster"].sum()
    respondent_share = covered["respondents"] / covered["respondents"].sum()
    weights = roster_share / respondent_share
    return {"weights": {cell: float(w) for cell, w in weights.items()},
            "covered_roster_share": float(covered["roster"].sum() / frame["roster"].sum()),
            "uncovered_cells": list(frame.index[(frame["roster"] > 0) & (frame["respondents"] == 0)])}


def weighted_item_summary(counts_by_cell: Mapping[Hashable, Mapping[Any, Any]], weights: Mapping[Hashable, float],
                          scale_min: int = 1, scale_max: int = 5) -> dict:
    """Weighted shares and mean of one item: {"n" (unweighted answers in weighted cells), "positive",
    "neutral", "negative" (shares), "mean"}; answers in cells without a weight are left out."""
    values, masses, n = [], [], 0
    for cell, counts in counts_by_cell.items():
        if cell not in weights:
            continue
        for value, count in _clean_counts(counts, scale_min, scale_max).items():
            if count:
                values.append(value)
                masses.append(count * weights[cell])
                n += count
    out: dict = {"n": n, **dict.fromkeys((*BANDS, "mean"))}
    if n == 0:
        return out
    x, w = np.array(values, dtype=float), np.array(masses, dtype=float)
    total = w.sum()
    for band in BANDS:
        out[band] = float(w[[band_of(int(v), scale_min, scale_max) == band for v in x]].sum() / total)
    out["mean"] = float(DescrStatsW(x, weights=w).mean)
    return out


# ---------------------------------------------------------------- wave vs wave
def _expanded(counts: Mapping[int, int]) -> np.ndarray:
    return np.repeat(np.array(list(counts), dtype=float), np.array(list(counts.values()), dtype=np.int64))


def _mann_whitney(base: Mapping[int, int], candidate: Mapping[int, int]) -> dict:
    """Mann-Whitney U of the whole scale, two-sided, asymptotic with continuity and tie correction: exactly
    scipy.stats.mannwhitneyu(candidate answers, base answers, method="asymptotic") on the answers expanded from
    their counts (tests/analysis check it), computed from the counts themselves (the average rank of a value is
    known from the counts below it; no ranking of the answers). Above MANN_WHITNEY_MAX answers in both waves
    together it is left out (None), as before: the test on % positive and Welch's test on the mean already have
    all the power they need."""
    if sum(base.values()) + sum(candidate.values()) > MANN_WHITNEY_MAX:
        return {"u": None, "p_two_sided": None}
    values = sorted({v for v, c in base.items() if c} | {v for v, c in candidate.items() if c})
    n1, n2 = sum(candidate.values()), sum(base.values())
    if n1 == 0 or n2 == 0 or len(values) < 2:
        return {"u": None, "p_two_sided": None}
    below, twice_r1, tie_term = 0, 0, 0
    for value in values:
        a, t = candidate.get(value, 0), candidate.get(value, 0) + base.get(value, 0)
        twice_r1 += a * (2 * below + t + 1)  # the value's average rank is below + (t + 1) / 2
        tie_term += t ** 3 - t
        below += t
    # The same floating-point steps as scipy's mannwhitneyu and _get_mwu_z (R1 and the tie term are exact).
    u1 = twice_r1 / 2 - n1 * (n1 + 1) / 2
    u = max(u1, n1 * n2 - u1)
    n = n1 + n2
    sd = np.sqrt(n1 * n2 / 12 * ((n + 1) - np.float64(tie_term) / (n * (n - 1))))
    z = (u - n1 * n2 / 2 - 0.5) / sd
    p = float(np.clip(special.ndtr(-z) * 2, 0.0, 1.0))
    return {"u": float(u1), "p_two_sided": p}


def compare_item(base: Mapping[Any, Any], candidate: Mapping[Any, Any], scale_min: int = 1, scale_max: int = 5,
                 alpha: float = 0.05) -> dict:
    """One item, candidate wave vs base wave (differences are candidate minus base)."""
    b, c = _clean_counts(base, scale_min, scale_max), _clean_counts(candidate, scale_min, scale_max)
    positive = [v for v in b if band_of(v, scale_min, scale_max) == "positive"]
    x_b, n_b = sum(b[v] for v in positive), sum(b.values())
    x_c, n_c = sum(c[v] for v in positive), sum(c.values())
    rates = compare_completion_rates(x_c, n_c, x_b, n_b, fisher_always=False)
    means = compare_means_from_counts(list(c), list(c.values()), list(b), list(b.values()))
    headline = rates["recommended_p"]
    return {"n_base": n_b, "n_candidate": n_c, "positive": rates, "mean": means,
            "mann_whitney": _mann_whitney(b, c), "headline_p": headline,
            "verdict": verdict(headline, rates["difference"], alpha, False) if n_b and n_c else None}


def _rates_many(x1: np.ndarray, n1: np.ndarray, x2: np.ndarray, n2: np.ndarray) -> list[dict]:
    """compare_completion_rates(x1[i], n1[i], x2[i], n2[i], fisher_always=False) for every i, the N-1 test and
    the Agresti-Caffo interval on arrays (the same arithmetic as scipy's chi2_contingency and statsmodels'
    confint_proportions_2indep, element-wise: tests/analysis check the figures are identical). The rare pairs
    that need Fisher's test (an expected count below 1), or an empty group, take the scalar function."""
    x1, n1, x2, n2 = (np.asarray(a, dtype=np.int64) for a in (x1, n1, x2, n2))
    size = len(x1)
    out: list = [None] * size
    full = (n1 > 0) & (n2 > 0)
    if full.any():
        total = n1 + n2
        successes = x1 + x2
        observed = np.stack([x1, n1 - x1, x2, n2 - x2], axis=1).astype(np.float64).reshape(size, 2, 2)
        rows = observed.sum(axis=2, keepdims=True)
        cols = observed.sum(axis=1, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            expected = rows * cols / total.astype(np.float64)[:, None, None]
            chi2 = (((observed - expected) ** 2 / expected).reshape(size, 4).sum(axis=1)
                    * (total - 1) / total)
        p_chi = stats.chi2.sf(chi2, 1)
        low, high = confint_proportions_2indep(x1, np.maximum(n1, 1), x2, np.maximum(n2, 1),
                                               method="agresti-caffo", compare="diff")
        min_expected = expected.reshape(size, 4).min(axis=1)
    for i in range(size):
        a, na, b, nb = int(x1[i]), int(n1[i]), int(x2[i]), int(n2[i])
        defined = bool(full[i]) and int(successes[i]) not in (0, int(total[i]))
        if not full[i] or not defined or not float(min_expected[i]) >= 1:
            out[i] = compare_completion_rates(a, na, b, nb, fisher_always=False)
            continue
        p1, p2 = a / na, b / nb
        difference = p1 - p2
        p = float(p_chi[i])
        out[i] = {"p1": p1, "p2": p2, "difference": difference, "min_expected_count": float(min_expected[i]),
                  "fisher_two_sided_p": None, "diff_ci_agresti_caffo": [float(low[i]), float(high[i])],
                  "n1_z": math.copysign(math.sqrt(float(chi2[i])), difference), "n1_two_sided_p": p,
                  "recommended_test": "n_minus_1_two_proportion", "recommended_p": p}
    return out


def _means_many(pairs: Sequence[tuple[Mapping[int, int], Mapping[int, int]]]) -> list[dict]:
    """compare_means_from_counts(candidate values, counts, base values, counts) of every (base, candidate) pair
    of clean counts: each group's weighted mean and variance as statsmodels' DescrStatsW computes them (np.dot
    on the values with answers), then Welch's t, Satterthwaite's df, the p-value and the interval of
    CompareMeans on arrays, one scipy call for all pairs (tests/analysis check the figures are identical).
    Pairs without a test (a group under 2 answers, both groups constant) take the scalar function."""
    out: list = [None] * len(pairs)
    tested, moments = [], []
    for i, (base, candidate) in enumerate(pairs):
        groups = []
        for counts in (candidate, base):
            x = np.array([v for v, c in counts.items() if c > 0], dtype=np.float64)
            w = np.array([c for c in counts.values() if c > 0], dtype=np.float64)
            if not w.size:
                break
            nobs = w.sum(0)
            mean = np.dot(x.T, w) / nobs
            groups.append((nobs, mean, np.dot(((x - mean) ** 2).T, w) / nobs))
        if len(groups) < 2 or groups[0][0] < 2 or groups[1][0] < 2 or (groups[0][2] == 0 and groups[1][2] == 0):
            out[i] = compare_means_from_counts(list(candidate), list(candidate.values()), list(base),
                                               list(base.values()))
            continue
        tested.append(i)
        moments.append((*groups[0], *groups[1]))
    if tested:
        # per pair with numpy scalars, in CompareMeans' order (an array's ** 2 can round differently from a
        # scalar's); only the t distribution, the costly part, on arrays
        welch = []
        for n1, m1, v1, n2, m2, v2 in moments:
            sem1, sem2 = v1 / (n1 - 1), v2 / (n2 - 1)
            std = np.sqrt(v1 / (n1 - 1) + v2 / (n2 - 1))
            semsum = sem1 + sem2
            df = 1.0 / ((sem1 / semsum) ** 2 / (n1 - 1) + (sem2 / semsum) ** 2 / (n2 - 1))
            welch.append((m1, m2, std, df, (m1 - m2 - 0) / std))
        p = stats.t.sf(np.abs(np.array([w[4] for w in welch])), np.array([w[3] for w in welch])) * 2
        tcrit = stats.t.ppf(1 - 0.05 / 2.0, np.array([w[3] for w in welch]))
        for j, i in enumerate(tested):
            m1, m2, std, df, t = welch[j]
            diff = m1 - m2
            mean_a, mean_b = float(m1), float(m2)
            out[i] = {"mean_a": mean_a, "mean_b": mean_b, "difference": mean_a - mean_b, "t": float(t),
                      "df": float(df), "p_two_sided": float(p[j]),
                      "diff_ci": [float(diff - tcrit[j] * std), float(diff + tcrit[j] * std)]}
    return out


def _compare_many(pairs: Sequence[tuple[Mapping[Any, Any], Mapping[Any, Any]]], scale_min: int, scale_max: int,
                  alpha: float) -> list[dict]:
    """compare_item(base, candidate) of many (base, candidate) pairs, the two-proportion part on arrays."""
    cleaned = [(_clean_counts(b, scale_min, scale_max), _clean_counts(c, scale_min, scale_max)) for b, c in pairs]
    positive = [v for v in range(scale_min, scale_max + 1) if band_of(v, scale_min, scale_max) == "positive"]
    x_b = np.array([sum(b[v] for v in positive) for b, _c in cleaned], dtype=np.int64)
    n_b = np.array([sum(b.values()) for b, _c in cleaned], dtype=np.int64)
    x_c = np.array([sum(c[v] for v in positive) for _b, c in cleaned], dtype=np.int64)
    n_c = np.array([sum(c.values()) for _b, c in cleaned], dtype=np.int64)
    rates = _rates_many(x_c, n_c, x_b, n_b) if cleaned else []
    out = []
    for (b, c), rate, means, nb, nc in zip(cleaned, rates, _means_many(cleaned), n_b.tolist(), n_c.tolist()):
        headline = rate["recommended_p"]
        out.append({"n_base": nb, "n_candidate": nc, "positive": rate, "mean": means,
                    "mann_whitney": _mann_whitney(b, c), "headline_p": headline,
                    "verdict": verdict(headline, rate["difference"], alpha, False) if nb and nc else None})
    return out


def compare_waves(base: Mapping[Hashable, Mapping[Any, Any]], candidate: Mapping[Hashable, Mapping[Any, Any]],
                  scale_min: int = 1, scale_max: int = 5, alpha: float = 0.05) -> dict:
    """Every item present in both waves (matched by key, in the candidate's order): compare_item plus
    holm_adjusted_p and holm_verdict; the overall verdict from the Holm verdicts: improved if any item
    improves and none is worse, worse if the reverse, mixed if both, else no_detectable_change.
    Items in only one wave are listed in only_base / only_candidate."""
    keys: Sequence = [key for key in candidate if key in base]
    items = [{"item": key, **row} for key, row in
             zip(keys, _compare_many([(base[key], candidate[key]) for key in keys], scale_min, scale_max, alpha))]
    tested = [item for item in items if item["headline_p"] is not None]
    adjusted = _holm([item["headline_p"] for item in tested], alpha) if tested else []
    for item in items:
        item["holm_adjusted_p"], item["holm_verdict"] = None, NO_CHANGE
    for item, p in zip(tested, adjusted):
        item["holm_adjusted_p"] = p
        item["holm_verdict"] = verdict(p, item["positive"]["difference"], alpha, False)
    found = {item["holm_verdict"] for item in items}
    overall = (MIXED if IMPROVED in found and WORSE in found else IMPROVED if IMPROVED in found
               else WORSE if WORSE in found else NO_CHANGE)
    return {"items": items, "verdict": overall, "alpha": alpha,
            "only_base": [key for key in base if key not in candidate],
            "only_candidate": [key for key in candidate if key not in base]}


# ---------------------------------------------------------------- many groups at once
def _none(value: Any) -> Any:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def band_table(counts: pd.DataFrame, keys: Sequence[str], scale_min: int = 1, scale_max: int = 5,
               confidence: float = 0.95) -> pd.DataFrame:
    """item_summary's shares for many groups at once (units x items, grades x items): counts has the columns
    keys + ["value", "n"]; one row per group out with n, {band}_count, {band}_share, {band}_lower, {band}_upper
    (the same adjusted-Wald interval, statsmodels' proportion_confint on arrays) and mean (no interval per
    group: the overall figures carry the t-interval). Groups with n = 0 have missing shares."""
    keys = list(keys)
    columns = [*keys, "n", *(f"{b}_{f}" for b in BANDS for f in ("count", "share", "lower", "upper")), "mean"]
    if counts.empty:
        return pd.DataFrame(columns=columns)
    values = counts["value"].astype("int64")
    if ((values < scale_min) | (values > scale_max)).any():
        raise ValueError(f"answer outside the scale {scale_min}..{scale_max}")
    mid2 = scale_min + scale_max
    frame = counts.assign(
        positive=np.where(2 * values > mid2, counts["n"], 0), negative=np.where(2 * values < mid2, counts["n"], 0),
        neutral=np.where(2 * values == mid2, counts["n"], 0), total=values * counts["n"])
    out = frame.groupby(keys, as_index=False, sort=False)[["n", *BANDS, "total"]].sum()
    n = out["n"].to_numpy(dtype="int64")
    safe = np.maximum(n, 1)
    for band in BANDS:
        x = out[band].to_numpy(dtype="int64")
        lower, upper = proportion_confint(x, safe, alpha=1 - confidence, method="agresti_coull")
        out[f"{band}_count"] = x
        out[f"{band}_share"] = np.where(n > 0, x / safe, np.nan)
        out[f"{band}_lower"] = np.where(n > 0, lower, np.nan)
        out[f"{band}_upper"] = np.where(n > 0, upper, np.nan)
    out["mean"] = np.where(n > 0, out["total"] / safe, np.nan)
    return out[columns]


def _band_row(row: Any) -> dict:
    """One band_table row as item_summary's keys (shares only)."""
    out: dict = {"n": int(row["n"])}
    for band in BANDS:
        out[band] = {"count": int(row[f"{band}_count"]), "share": _none(float(row[f"{band}_share"])),
                     "lower": _none(float(row[f"{band}_lower"])), "upper": _none(float(row[f"{band}_upper"]))}
    out["mean"] = _none(float(row["mean"]))
    return out


def _ancestors(units: Sequence[tuple[Hashable, Hashable | None]]) -> pd.DataFrame:
    """(unit, ancestor) pairs, each unit with itself and every unit above it."""
    parent = dict(units)
    pairs = []
    for unit in parent:
        up = unit
        while up is not None:
            pairs.append((unit, up))
            up = parent[up]
    return pd.DataFrame(pairs, columns=["unit_id", "ancestor"])


def _depths(units: Sequence[tuple[Hashable, Hashable | None]]) -> dict:
    order, parent, _children = _tree(units)
    depth: dict = {}
    for unit in order:
        depth[unit] = 0 if parent[unit] is None else depth[parent[unit]] + 1
    return depth


def _scale_groups(items: Sequence[Mapping]) -> dict[tuple[int, int], list]:
    """Scale items grouped by their (scale_min, scale_max), so each group is one vectorised band_table."""
    groups: dict[tuple[int, int], list] = {}
    for item in items:
        groups.setdefault((item["scale_min"], item["scale_max"]), []).append(item["id"])
    return groups


def _per_item_bands(frame: pd.DataFrame, key: str, items: Sequence[Mapping], confidence: float) -> dict:
    """{group key: {item id: band row}} from a frame of item_id, key, value, n (one band_table per scale)."""
    out: dict = {}
    if frame.empty:
        return out
    for (low, high), ids in _scale_groups(items).items():
        part = frame[frame["item_id"].isin(ids)]
        if part.empty:
            continue
        table = band_table(part, ["item_id", key], low, high, confidence)
        for row in _band_rows(table, key):
            out.setdefault(row[0], {})[row[1]] = row[2]
    return out


def _column(table: pd.DataFrame, name: str) -> list:
    """A float column as Python floats, NaN as None (what _band_row gives, column by column)."""
    values = table[name].to_numpy(dtype="float64")
    return np.where(np.isnan(values), None, values).tolist()


def _band_rows(table: pd.DataFrame, key: str) -> list[tuple]:
    """(group, item_id, _band_row) of every row of a band_table, built from whole columns at once."""
    counts = {band: table[f"{band}_count"].to_numpy(dtype="int64").tolist() for band in BANDS}
    floats = {name: _column(table, name) for name in
              (*(f"{b}_{f}" for b in BANDS for f in ("share", "lower", "upper")), "mean")}
    ns = table["n"].to_numpy(dtype="int64").tolist()
    out = []
    for i, (group, item_id) in enumerate(zip(table[key].tolist(), table["item_id"].tolist())):
        row: dict = {"n": ns[i]}
        for band in BANDS:
            row[band] = {"count": counts[band][i], "share": floats[f"{band}_share"][i],
                         "lower": floats[f"{band}_lower"][i], "upper": floats[f"{band}_upper"][i]}
        row["mean"] = floats["mean"][i]
        out.append((group, item_id, row))
    return out


def first_levels(units: Sequence[Mapping]) -> dict:
    """Each unit's first-level unit (a child of a root, e.g. 局), or the root itself for a root."""
    parent = {u["id"]: u.get("parent_id") for u in units}
    top = {}
    for unit in parent:
        up = unit
        while parent[up] is not None and parent[parent[up]] is not None:
            up = parent[up]
        top[unit] = up
    return top


def wave_results(*, items: Sequence[Mapping], units: Sequence[Mapping], by_top: pd.DataFrame,
                 by_unit: pd.DataFrame, respondents: pd.DataFrame, roster: pd.DataFrame | None = None,
                 base_answers: pd.DataFrame | None = None, k: int = DEFAULT_K, alpha: float = 0.05,
                 confidence: float = 0.95) -> dict:
    """Every figure of one wave, from SQL aggregates (pure).

    items: [{"id", "key", "kind": "scale" | "choice" | "text", "scale_min", "scale_max", ...}] in order (other
    keys, e.g. texts, are passed through); units: [{"id", "parent_id", ...}] (a tree; `first_levels` names
    each unit's first-level unit, e.g. its 局);
    by_top: item_id, top_id, grade, value, n: answers with a value (scale point or choice option) per item,
    first-level unit, job grade and value; they give the overall figures, the grades and the weighting;
    by_unit: item_id, unit_id, value, n: the same per unit, for the items whose unit breakdown is wanted;
    respondents: unit_id, grade, n (responses); roster: unit_id, grade, invited, answered (None: no roster);
    base_answers: item_key, value, n of the previous wave (None: no comparison).
    Grades are strings ("" = not given). Weighting cells are first-level unit x grade."""
    pairs = [(u["id"], u.get("parent_id")) for u in units]
    depth = _depths(pairs) if pairs else {}
    top = first_levels(units)
    direct = respondents.groupby("unit_id")["n"].sum().to_dict() if not respondents.empty else {}
    suppression = suppress_units(pairs, {u: int(n) for u, n in direct.items()}, k) if pairs else {}
    shown_units = [u["id"] for u in units if suppression.get(u["id"], {}).get("shown")]
    grade_counts = respondents.groupby("grade")["n"].sum().to_dict() if not respondents.empty else {}
    grades_shown = suppress_groups({g: int(n) for g, n in sorted(grade_counts.items())}, k)
    total = int(respondents["n"].sum()) if not respondents.empty else 0
    whole_shown = total >= k
    scale_items = [i for i in items if i.get("kind") == "scale"]

    # overall per item (hidden entirely when the whole wave has fewer than k respondents)
    per_item: dict = {}
    if not by_top.empty:
        for (item_id, value), n in by_top.groupby(["item_id", "value"])["n"].sum().items():
            per_item.setdefault(item_id, {})[value] = int(n)
    overall: dict = {}
    for item in items:
        counts = per_item.get(item["id"], {})
        if item.get("kind") == "scale":
            overall[item["id"]] = item_summary({int(v): n for v, n in counts.items()}, item["scale_min"],
                                               item["scale_max"], confidence)
        elif item.get("kind") == "choice":
            options = item.get("options") or sorted(counts)
            overall[item["id"]] = choice_summary({o: counts.get(o, 0) for o in options}, confidence)

    # post-stratification: first-level unit x grade
    weighting = None
    weighted: dict = {}
    if roster is not None and not roster.empty and not respondents.empty:
        def cells(frame: pd.DataFrame, column: str) -> dict:
            keys = zip((top[u] for u in frame["unit_id"]), frame["grade"])
            return pd.Series(frame[column].to_numpy(), index=pd.MultiIndex.from_tuples(list(keys))) \
                .groupby(level=[0, 1]).sum().to_dict()
        weighting = poststratification_weights(cells(roster, "invited"), cells(respondents, "n"))
        scale_ids = {i["id"] for i in scale_items}
        per_cell: dict = {}
        for item_id, top_id, grade, value, n in by_top.itertuples(index=False, name=None):
            if item_id in scale_ids:
                cell = per_cell.setdefault(item_id, {}).setdefault((top_id, grade), {})
                cell[int(value)] = cell.get(int(value), 0) + int(n)
        for item in scale_items:
            if item["id"] in per_cell:
                weighted[item["id"]] = weighted_item_summary(per_cell[item["id"]], weighting["weights"],
                                                             item["scale_min"], item["scale_max"])
    weighting_out = None if weighting is None else {
        "cells": "first_level_unit_x_grade", "covered_roster_share": weighting["covered_roster_share"],
        "uncovered_cells": [list(c) for c in weighting["uncovered_cells"]],
        "weights": [{"unit_id": c[0], "grade": c[1], "weight": w} for c, w in weighting["weights"].items()]}

    # per unit (subtree figures of shown units) and per grade, scale items only
    unit_rows: dict = {}
    if not by_unit.empty and shown_units and pairs:
        expanded = by_unit.merge(_ancestors(pairs), on="unit_id")
        expanded = expanded[expanded["ancestor"].isin(shown_units)][["item_id", "ancestor", "value", "n"]]
        unit_rows = _per_item_bands(expanded, "ancestor", scale_items, confidence)
    visible_grades = [g for g, ok in grades_shown.items() if ok and grade_counts.get(g)]
    grade_rows: dict = {}
    if not by_top.empty and visible_grades:
        part = by_top[by_top["grade"].isin(visible_grades)]
        grade_rows = _per_item_bands(part.groupby(["item_id", "grade", "value"], as_index=False)["n"].sum(),
                                     "grade", scale_items, confidence)

    rates: dict = {}
    if roster is not None and not roster.empty and pairs:
        invited = roster.groupby("unit_id")["invited"].sum().to_dict()
        answered = roster.groupby("unit_id")["answered"].sum().to_dict()
        rates = response_rates(pairs, invited, answered, shown=shown_units, confidence=confidence)
    unit_items = sorted(set(by_unit["item_id"])) if not by_unit.empty else []
    unit_out = []
    for unit in units:
        uid = unit["id"]
        row = suppression[uid]
        visible = row["shown"]
        unit_out.append({**unit, "depth": depth[uid], "shown": visible, "shown_as": row["shown_as"],
                         "respondents": row["respondents"] if visible else None,
                         "response_rate": rates.get(uid) if visible else None,
                         "items": unit_rows.get(uid, {}) if visible else None})
    grade_out = [{"grade": g, "shown": ok, "respondents": int(grade_counts[g]) if ok else None,
                  "items": grade_rows.get(g, {}) if ok else None} for g, ok in grades_shown.items()]

    comparison = None
    if base_answers is not None and whole_shown:
        base = {key: {int(v): int(n) for v, n in part.groupby("value")["n"].sum().items()}
                for key, part in base_answers.groupby("item_key", sort=False)} if not base_answers.empty else {}
        current = {i["key"]: overall[i["id"]]["counts"] for i in scale_items}
        first = scale_items[0] if scale_items else {"scale_min": 1, "scale_max": 5}
        comparison = compare_waves({key: base[key] for key in current if key in base}, current,
                                   first["scale_min"], first["scale_max"], alpha)
        ids = {i["key"]: i["id"] for i in scale_items}
        comparison["items"] = [{**c, "item_id": ids[c["item"]]} for c in comparison["items"]]
    item_out = [{**item, "overall": overall.get(item["id"]) if whole_shown else None,
                 "weighted": weighted.get(item["id"]) if whole_shown else None} for item in items]
    root_rate = None
    if roster is not None and not roster.empty:
        answered_all = int(roster["answered"].sum())
        ci = completion_rate_ci(answered_all, int(roster["invited"].sum()), confidence)
        root_rate = {"invited": ci["n"], "answered": answered_all, "rate": ci["completion_rate"],
                     "lower": ci["lower"], "upper": ci["upper"]}
    return {"k": k, "respondents": total, "shown": whole_shown, "response_rate": root_rate,
            "items": item_out, "unit_items": unit_items, "units": unit_out, "grades": grade_out,
            "weighting": weighting_out, "comparison": comparison}


# ---------------------------------------------------------------- wave vs wave per org unit
def compare_units(*, items: Sequence[Mapping], units: Sequence[Mapping], base_respondents: Mapping[Hashable, int],
                  candidate_respondents: Mapping[Hashable, int], base_by_unit: pd.DataFrame,
                  candidate_by_unit: pd.DataFrame, k: int = DEFAULT_K, alpha: float = 0.05) -> dict:
    """The wave-over-wave change per org unit (pure): for each scale item and each unit shown in BOTH waves,
    compare_item on the unit's subtree answers (N-1 two-proportion test on % positive, Welch on the mean,
    Mann-Whitney on the scale), and Holm across the units compared for that item (the family a table of units
    for one item shows) for the corrected verdict.

    units: [{"id", "parent_id", ...}] one tree under a root (the whole organisation, not compared here: the
    whole-wave comparison is compare_waves); *_respondents: direct respondents per unit in each wave;
    *_by_unit: item_id, unit_id, value, n per wave. Suppression: each wave's own `suppress_units` with k, and a
    unit is compared only when both waves show it. So every figure here (a unit's subtree counts in one wave)
    is a figure that wave's own results show; showing fewer units than a wave shows hides only units with k or
    more respondents, so no subtraction within a wave, nor between the two waves' published figures, reveals a
    group below k. Units not compared are listed with the nearest compared unit above them (None: the whole)."""
    pairs = [(u["id"], u.get("parent_id")) for u in units]
    scale_items = [i for i in items if i.get("kind") == "scale"]
    out: dict = {"k": k, "alpha": alpha, "shown": False, "items": [i["id"] for i in scale_items], "units": [],
                 "not_compared": []}
    if not pairs:
        return out
    base_s = suppress_units(pairs, {u: int(n) for u, n in base_respondents.items()}, k)
    cand_s = suppress_units(pairs, {u: int(n) for u, n in candidate_respondents.items()}, k)
    out["shown"] = (sum(int(n) for n in base_respondents.values()) >= k
                    and sum(int(n) for n in candidate_respondents.values()) >= k)
    if not out["shown"]:
        return out
    parent = dict(pairs)
    depth = _depths(pairs)
    compared = [u["id"] for u in units if parent[u["id"]] is not None
                and base_s[u["id"]]["shown"] and cand_s[u["id"]]["shown"]]
    ancestors = _ancestors(pairs)

    def rolled(frame: pd.DataFrame) -> dict:
        if frame.empty or not compared:
            return {}
        part = frame.merge(ancestors, on="unit_id")
        part = part[part["ancestor"].isin(compared)]
        counts: dict = {}
        for (item_id, unit, value), n in part.groupby(["item_id", "ancestor", "value"])["n"].sum().items():
            counts.setdefault((item_id, unit), {})[int(value)] = int(n)
        return counts

    base, candidate = rolled(base_by_unit), rolled(candidate_by_unit)
    per_unit: dict = {u: {} for u in compared}
    for item in scale_items:
        # every unit's compare_item at once: the N-1 test and its interval on arrays over the units
        rows = list(zip(compared, _compare_many(
            [(base.get((item["id"], u), {}), candidate.get((item["id"], u), {})) for u in compared],
            item["scale_min"], item["scale_max"], alpha)))
        tested = [row for _u, row in rows if row["headline_p"] is not None]
        adjusted = _holm([row["headline_p"] for row in tested], alpha) if tested else []
        for _u, row in rows:
            row["holm_adjusted_p"], row["holm_verdict"] = None, NO_CHANGE if row["verdict"] else None
        for row, p in zip(tested, adjusted):
            row["holm_adjusted_p"] = p
            row["holm_verdict"] = verdict(p, row["positive"]["difference"], alpha, False)
        for u, row in rows:
            per_unit[u][item["id"]] = row
    by_id = {u["id"]: u for u in units}
    out["units"] = [{**by_id[u], "depth": depth[u], "respondents_base": base_s[u]["respondents"],
                     "respondents_candidate": cand_s[u]["respondents"], "items": per_unit[u]} for u in compared]
    kept = set(compared)
    for unit in units:
        uid = unit["id"]
        if parent[uid] is None or uid in kept:
            continue
        up = parent[uid]
        while up is not None and up not in kept:
            up = parent[up]
        out["not_compared"].append({**unit, "depth": depth[uid], "into": up})
    return out
