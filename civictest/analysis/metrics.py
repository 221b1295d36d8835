"""The metrics of METRICS.md section 12: pure functions returning plain floats, with None where undefined.

Statistics come from statsmodels and scipy; only SUS/UMUX-Lite/NPS item scoring, the SUS grade lookup,
the small-sample point-estimate rule and the N-1 factor are written here. Inputs are never modified.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from scipy.stats.contingency import expected_freq
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

OUTCOMES = ("success", "partial", "failure", "abandoned")
NOT_ATTEMPTED = "not_attempted"
SEQ_MIN, SEQ_MAX, SEQ_HARD_MAX = 1, 7, 4
# Sauro & Lewis 2016 curved grading scale (METRICS 4.3): first lower bound the unrounded mean reaches.
SUS_GRADES = (
    (84.1, "A+"), (80.8, "A"), (78.9, "A-"), (77.2, "B+"), (74.1, "B"), (72.6, "B-"),
    (71.1, "C+"), (65.0, "C"), (62.7, "C-"), (51.7, "D"), (0.0, "F"),
)
_SUMMARY_KEYS = ("n", "mean", "sd", "lower", "upper")
_TIME_KEYS = ("n", "geometric_mean", "median", "arithmetic_mean", "lower", "upper",
              "central_tendency_reported")
_COMPARE_MEANS_KEYS = ("mean_a", "mean_b", "difference", "t", "df", "p_two_sided", "diff_ci")
_COMPARE_TIMES_KEYS = ("geomean_a", "geomean_b", "ratio_a_over_b", "t", "df", "p_two_sided", "ratio_ci")


# ---------------------------------------------------------------- input helpers
def _is_missing(value: Any) -> bool:
    """True for None, NaN and pandas NA scalars."""
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _floats(values: Iterable[Any] | None) -> np.ndarray:
    """A new 1-D float array from any sequence; missing values become NaN."""
    if values is None:
        return np.empty(0)
    if isinstance(values, (np.ndarray, pd.Series)) and values.ndim == 1 and values.dtype.kind in "fiu":
        # numeric arrays (a report's times) need no per-value check: NaN stays NaN, a copy is made
        return np.array(values, dtype=float)
    return np.array([np.nan if _is_missing(v) else float(v) for v in values], dtype=float)


def _is_whole(value: Any, low: float, high: float) -> bool:
    """True when value is a number (not bool) with an integer value in [low, high]."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        return False
    return math.isfinite(value) and float(value).is_integer() and low <= value <= high


def _counts(successes: Any, n: Any) -> tuple[int, int]:
    """Validated integer counts (x, n) with 0 <= x <= n."""
    for name, value in (("successes", successes), ("n", n)):
        if not _is_whole(value, 0, math.inf):
            raise ValueError(f"{name} must be a non-negative integer, got {value!r}")
    if successes > n:
        raise ValueError(f"successes ({successes}) cannot exceed n ({n})")
    return int(successes), int(n)


def _z(confidence: float) -> float:
    """Two-sided critical z, e.g. norm.ppf(0.975) for 0.95."""
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence!r}")
    return _critical_z(float(confidence))


@functools.lru_cache(maxsize=16)
def _critical_z(confidence: float) -> float:
    """norm.ppf is slow next to everything else a report computes per task, and a report asks for few levels."""
    return float(stats.norm.ppf(1 - (1 - confidence) / 2))


def _times(values: Iterable[Any] | None) -> np.ndarray:
    """Task times in seconds; any missing, non-finite or <= 0 time is a ValueError."""
    t = _floats(values)
    if not np.all(np.isfinite(t)) or np.any(t <= 0):
        raise ValueError("task times must be finite and > 0 seconds (reject them at ingestion)")
    return t


def _wilson_centre(x: int, n: int, z: float) -> float:
    """(x + z^2/2) / (n + z^2): the adjusted-Wald centre, also the Wilson point estimate."""
    return (x + z * z / 2) / (n + z * z)


# ---------------------------------------------------------------- completion and inconvenience
def completion_rate_ci(successes: int, n: int, confidence: float = 0.95) -> dict:
    """Observed rate and adjusted-Wald (Agresti-Coull) interval of successes out of n attempts (1.1)."""
    x, total = _counts(successes, n)
    z = _z(confidence)
    if total == 0:
        return {"n": 0, **dict.fromkeys(("completion_rate", "p_adj", "lower", "upper"))}
    lower, upper = proportion_confint(x, total, alpha=1 - confidence, method="agresti_coull")
    return {"n": total, "completion_rate": x / total, "p_adj": _wilson_centre(x, total, z),
            "lower": float(lower), "upper": float(upper)}


def completion_point_estimates(successes: int, n: int) -> dict:
    """MLE, Laplace, Jeffreys and Wilson estimates and the Lewis & Sauro 2006 best choice (1.2)."""
    x, total = _counts(successes, n)
    if total == 0:
        return dict.fromkeys(("mle", "laplace", "jeffreys", "wilson", "best", "best_method"))
    estimates = {"mle": x / total, "laplace": (x + 1) / (total + 2), "jeffreys": (x + 0.5) / (total + 1),
                 "wilson": _wilson_centre(x, total, _z(0.95))}
    # Paper rule, in exact integer arithmetic: p < 0.5 Wilson, 0.5 <= p <= 0.9 MLE, p > 0.9 Laplace.
    method = "wilson" if 2 * x < total else "mle" if 10 * x <= 9 * total else "laplace"
    return {**estimates, "best": estimates[method], "best_method": method}


def is_inconvenient(outcome: str, hard: bool) -> bool:
    """Section 13: an attempt is inconvenient when its outcome is not success or it was rated hard (SEQ <= 4)."""
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown or excluded outcome {outcome!r}")
    return outcome != "success" or bool(hard)


def inconvenience_from_counts(inconvenient: int, n: int, confidence: float = 0.95) -> dict:
    """Inconvenience rate with its adjusted-Wald interval from counts (13); n = 0 gives None figures."""
    ci = completion_rate_ci(inconvenient, n, confidence)
    return {"n": ci["n"], "inconvenient": int(inconvenient) if ci["n"] else None, "rate": ci["completion_rate"],
            "lower": ci["lower"], "upper": ci["upper"]}


def _attempt_pairs(attempts: Any) -> list[tuple[Any, Any]]:
    """(outcome, seq) pairs from a DataFrame with columns outcome and seq, or from a sequence of pairs."""
    if isinstance(attempts, pd.DataFrame):
        missing = {"outcome", "seq"} - set(attempts.columns)
        if missing:
            raise ValueError(f"attempts frame lacks columns {sorted(missing)}")
        return list(zip(attempts["outcome"], attempts["seq"]))
    pairs = [tuple(pair) for pair in attempts]
    if any(len(pair) != 2 for pair in pairs):
        raise ValueError("each attempt must be an (outcome, seq_or_None) pair")
    return pairs


def inconvenience_rate(attempts: Any) -> dict:
    """Inconvenience rate (13) of (outcome, seq_or_None) pairs or a frame with columns outcome, seq."""
    n = inconvenient = 0
    for outcome, seq in _attempt_pairs(attempts):
        if outcome == NOT_ATTEMPTED:
            continue
        if not _is_missing(seq) and not _is_whole(seq, SEQ_MIN, SEQ_MAX):
            raise ValueError(f"SEQ must be an integer {SEQ_MIN}..{SEQ_MAX}, got {seq!r}")
        hard = not _is_missing(seq) and seq <= SEQ_HARD_MAX
        n += 1
        inconvenient += is_inconvenient(outcome, hard)
    return inconvenience_from_counts(inconvenient, n)


# ---------------------------------------------------------------- times and ratings
def task_time_summary(times_seconds: Iterable[float], confidence: float = 0.95) -> dict:
    """Geometric mean (n < 25) or median (n >= 25) with a log-t interval (2); any time <= 0 is a ValueError."""
    t = _times(times_seconds)
    _z(confidence)
    out: dict = dict.fromkeys(_TIME_KEYS)
    out["n"] = int(t.size)
    if t.size == 0:
        return out
    gm = float(stats.gmean(t))
    out.update(geometric_mean=gm, median=float(np.median(t)), arithmetic_mean=float(np.mean(t)),
               central_tendency_reported="median" if t.size >= 25 else "geometric_mean")
    if t.size == 1:
        return out
    if np.ptp(t) == 0:
        out.update(lower=gm, upper=gm)
        return out
    lower, upper = DescrStatsW(np.log(t)).tconfint_mean(alpha=1 - confidence)
    out.update(lower=float(np.exp(lower)), upper=float(np.exp(upper)))
    return out


def task_time_summary_from_moments(n: int, sum_log: float, sum_log_sq: float, sum_seconds: float,
                                   median: float | None = None, confidence: float = 0.95, *,
                                   constant: bool | None = None) -> dict:
    """task_time_summary from sums a database can aggregate (n, sum ln t, sum (ln t)^2, sum t) and the median,
    so a report never reads the times themselves. constant=True/False says whether all times are equal
    (min == max); None decides from the variance, which rounding can leave a hair above zero."""
    _z(confidence)
    if not _is_whole(n, 0, math.inf):
        raise ValueError(f"n must be a non-negative integer, got {n!r}")
    out: dict = dict.fromkeys(_TIME_KEYS)
    out["n"] = n = int(n)
    if n == 0:
        return out
    mean_log = sum_log / n
    gm = math.exp(mean_log)
    out.update(geometric_mean=gm, median=None if median is None else float(median), arithmetic_mean=sum_seconds / n,
               central_tendency_reported="median" if n >= 25 else "geometric_mean")
    if n == 1:
        return out
    # sum of squared deviations; rounding can make it slightly negative (or tiny) when all times are equal
    squares = max(sum_log_sq - sum_log * mean_log, 0.0)
    if constant or squares == 0.0 or (constant is None and squares <= 1e-12 * n * (1.0 + mean_log * mean_log)):
        out.update(lower=gm, upper=gm)
        return out
    scale = math.sqrt(squares / (n - 1)) / math.sqrt(n)
    lower, upper = stats.t.interval(confidence, n - 1, loc=mean_log, scale=scale)
    out.update(lower=float(np.exp(lower)), upper=float(np.exp(upper)))
    return out


def _mean_summary(x: np.ndarray, confidence: float) -> dict:
    """n, mean, sample SD (ddof 1) and t-interval of non-missing values; n < 2 gives no SD or interval."""
    _z(confidence)
    out: dict = dict.fromkeys(_SUMMARY_KEYS)
    out["n"] = int(x.size)
    if x.size == 0:
        return out
    mean = float(np.mean(x))
    out["mean"] = mean
    if x.size == 1:
        return out
    if np.ptp(x) == 0:
        out.update(sd=0.0, lower=mean, upper=mean)
        return out
    lower, upper = DescrStatsW(x).tconfint_mean(alpha=1 - confidence)
    out.update(sd=float(np.std(x, ddof=1)), lower=float(lower), upper=float(upper))
    return out


def rating_summary(values: Iterable[Any], scale_min: float, scale_max: float, confidence: float = 0.95) -> dict:
    """Mean, SD and t-interval of ratings (3); missing values are skipped, out-of-scale ones are a ValueError."""
    if not scale_min < scale_max:
        raise ValueError("scale_min must be below scale_max")
    x = _floats(values)
    x = x[~np.isnan(x)]
    if np.any((x < scale_min) | (x > scale_max)):
        raise ValueError(f"rating outside the scale {scale_min}..{scale_max}")
    return _mean_summary(x, confidence)


def rating_summary_from_counts(values: Iterable[Any], counts: Iterable[Any], scale_min: float, scale_max: float,
                               confidence: float = 0.95) -> dict:
    """rating_summary of ratings given as distinct values and how often each occurs (a report's SEQ counts),
    without expanding them: statsmodels' DescrStatsW with frequency weights gives the same n, mean, SD (ddof 1)
    and t-interval as the expanded ratings."""
    if not scale_min < scale_max:
        raise ValueError("scale_min must be below scale_max")
    x, w = _floats(values), _floats(counts)
    if x.shape != w.shape or np.any(np.isnan(w) | (w < 0) | (w != np.floor(w))):
        raise ValueError("counts must be one whole number >= 0 per value")
    keep = ~np.isnan(x) & (w > 0)
    x, w = x[keep], w[keep]
    if np.any((x < scale_min) | (x > scale_max)):
        raise ValueError(f"rating outside the scale {scale_min}..{scale_max}")
    _z(confidence)
    out: dict = dict.fromkeys(_SUMMARY_KEYS)
    out["n"] = n = int(w.sum())
    if n == 0:
        return out
    described = DescrStatsW(x, weights=w, ddof=1)
    out["mean"] = mean = float(described.mean)
    if n == 1:
        return out
    if np.ptp(x) == 0:
        out.update(sd=0.0, lower=mean, upper=mean)
        return out
    lower, upper = described.tconfint_mean(alpha=1 - confidence)
    out.update(sd=float(described.std), lower=float(lower), upper=float(upper))
    return out


# ---------------------------------------------------------------- questionnaires
def sus_score(responses: Iterable[Any], allow_one_missing: bool = False) -> float | None:
    """SUS score 0..100 of ten item responses 1..5 (4.1); invalid answers give None."""
    try:
        items = list(responses)
    except TypeError:
        return None
    missing = [_is_missing(v) for v in items]
    if len(items) != 10 or sum(missing) > (1 if allow_one_missing else 0):
        return None
    if not all(m or _is_whole(v, 1, 5) for v, m in zip(items, missing)):
        return None
    r = np.array([np.nan if m else float(v) for v, m in zip(items, missing)])
    contributions = np.where(np.arange(10) % 2 == 0, r - 1, 5 - r)  # items 1,3,5,7,9 at even indices
    total = float(np.nansum(contributions))
    return total * 100 / 36 if any(missing) else total * 2.5


def sus_grade(mean_sus: float | None) -> str | None:
    """Curved grading scale letter of a mean SUS score (4.3); None for a missing mean."""
    if _is_missing(mean_sus):
        return None
    mean = float(mean_sus)
    if not 0 <= mean <= 100:
        raise ValueError(f"SUS mean must be within 0..100, got {mean_sus!r}")
    return next(grade for bound, grade in SUS_GRADES if mean >= bound)


def _score_summary(scores: Iterable[Any], confidence: float) -> dict:
    """n, n_invalid (missing scores), mean, sd and the t-interval clipped to 0..100."""
    x = _floats(scores)
    valid = x[~np.isnan(x)]
    if np.any((valid < 0) | (valid > 100)):
        raise ValueError("questionnaire scores must be within 0..100")
    out = _mean_summary(valid, confidence)
    if out["lower"] is not None:
        out.update(lower=max(0.0, out["lower"]), upper=min(100.0, out["upper"]))
    return {"n": out["n"], "n_invalid": int(x.size - valid.size), **{k: out[k] for k in _SUMMARY_KEYS[1:]}}


def sus_summary(scores: Iterable[Any], confidence: float = 0.95) -> dict:
    """Mean SUS with t-interval (clipped to 0..100) and grade (4.2); None scores count in n_invalid."""
    out = _score_summary(scores, confidence)
    return {**out, "grade": sus_grade(out["mean"])}


def _sus_equivalent(umux_score: float | None) -> float | None:
    """Regression-adjusted SUS equivalent of a UMUX-Lite score (informational, see METRICS 5)."""
    return None if umux_score is None else 0.65 * umux_score + 22.9


def umux_lite(item1: int | None, item2: int | None) -> dict:
    """UMUX-Lite score 0..100 of two 1..7 items and its SUS equivalent (5); a missing item gives None."""
    if _is_missing(item1) or _is_missing(item2):
        return {"umux_lite": None, "sus_equivalent": None}
    if not (_is_whole(item1, 1, 7) and _is_whole(item2, 1, 7)):
        raise ValueError(f"UMUX-Lite items must be integers 1..7, got {item1!r}, {item2!r}")
    score = (float(item1) + float(item2) - 2) * 100 / 12
    return {"umux_lite": score, "sus_equivalent": _sus_equivalent(score)}


def umux_lite_summary(scores: Iterable[Any], confidence: float = 0.95) -> dict:
    """Mean UMUX-Lite score with t-interval (clipped to 0..100) and the SUS equivalent of the mean."""
    out = _score_summary(scores, confidence)
    return {**out, "sus_equivalent": _sus_equivalent(out["mean"])}


def nps(ratings_0_to_10: Iterable[Any]) -> dict:
    """Net Promoter Score of 0..10 ratings (6); missing ratings are skipped, out-of-scale ones are a ValueError."""
    x = _floats(ratings_0_to_10)
    x = x[~np.isnan(x)]
    if np.any((x < 0) | (x > 10)):
        raise ValueError("NPS ratings must be within 0..10")
    if x.size == 0:
        return {"n": 0, "promoters_pct": None, "detractors_pct": None, "nps": None}
    promoters, detractors = 100 * float(np.mean(x >= 9)), 100 * float(np.mean(x <= 6))
    return {"n": int(x.size), "promoters_pct": promoters, "detractors_pct": detractors,
            "nps": promoters - detractors}


# ---------------------------------------------------------------- comparisons
def _n_minus_1(table: np.ndarray, difference: float) -> tuple[float | None, float | None]:
    """Signed N-1 two-proportion z and two-sided p, via chi-square x (N-1)/N; None when z is undefined."""
    total = int(table.sum())
    successes = int(table[:, 0].sum())
    if successes in (0, total):
        return None, None
    chi2 = stats.chi2_contingency(table, correction=False).statistic * (total - 1) / total
    return math.copysign(math.sqrt(chi2), difference), float(stats.chi2.sf(chi2, 1))


def compare_completion_rates(x1: int, n1: int, x2: int, n2: int, *, fisher_always: bool = True) -> dict:
    """Group 1 vs group 2 rates (7.1): N-1 test, or Fisher exact when an expected count is < 1.
    fisher_always=False computes Fisher's p only when it is the recommended test (fisher_two_sided_p is None
    otherwise): with survey-sized groups (10^4 and more) it is the slowest part and says nothing new."""
    x1, n1 = _counts(x1, n1)
    x2, n2 = _counts(x2, n2)
    out: dict = {"p1": x1 / n1 if n1 else None, "p2": x2 / n2 if n2 else None}
    keys = ("difference", "min_expected_count", "fisher_two_sided_p", "diff_ci_agresti_caffo",
            "n1_z", "n1_two_sided_p", "recommended_test", "recommended_p")
    out.update(dict.fromkeys(keys))
    if n1 == 0 or n2 == 0:
        return out
    table = np.array([[x1, n1 - x1], [x2, n2 - x2]])
    difference = out["p1"] - out["p2"]
    z, p = _n_minus_1(table, difference)
    low, high = confint_proportions_2indep(x1, n1, x2, n2, method="agresti-caffo", compare="diff")
    min_expected = float(expected_freq(table).min())
    use_n1 = min_expected >= 1 and p is not None
    fisher_p = (float(stats.fisher_exact(table, alternative="two-sided").pvalue) if fisher_always or not use_n1
                else None)
    out.update(difference=difference, min_expected_count=min_expected, fisher_two_sided_p=fisher_p,
               diff_ci_agresti_caffo=[float(low), float(high)], n1_z=z, n1_two_sided_p=p,
               recommended_test="n_minus_1_two_proportion" if use_n1 else "fisher_exact",
               recommended_p=p if use_n1 else fisher_p)
    return out


def _welch(a: np.ndarray, b: np.ndarray) -> tuple:
    """(t, df, p, ci_low, ci_high) of Welch's t-test; both groups constant gives (None, None, None, d, d)."""
    if np.ptp(a) == 0 and np.ptp(b) == 0:
        d = float(np.mean(a) - np.mean(b))
        return None, None, None, d, d
    res = stats.ttest_ind(a, b, equal_var=False)
    ci = res.confidence_interval(confidence_level=0.95)
    return float(res.statistic), float(res.df), float(res.pvalue), float(ci.low), float(ci.high)


def compare_means(a: Iterable[Any], b: Iterable[Any]) -> dict:
    """Welch t-test of mean(a) - mean(b) (7.2); missing values skipped; fewer than 2 in a group gives None."""
    xa, xb = _floats(a), _floats(b)
    xa, xb = xa[~np.isnan(xa)], xb[~np.isnan(xb)]
    if xa.size < 2 or xb.size < 2:
        return dict.fromkeys(_COMPARE_MEANS_KEYS)
    t, df, p, low, high = _welch(xa, xb)
    mean_a, mean_b = float(np.mean(xa)), float(np.mean(xb))
    return {"mean_a": mean_a, "mean_b": mean_b, "difference": mean_a - mean_b, "t": t, "df": df,
            "p_two_sided": p, "diff_ci": [low, high]}


def compare_task_times(a: Iterable[float], b: Iterable[float]) -> dict:
    """Welch t-test on ln(times) (7.3): ratio of geometric means a/b with its CI; times <= 0 are a ValueError."""
    ta, tb = _times(a), _times(b)
    if ta.size < 2 or tb.size < 2:
        return dict.fromkeys(_COMPARE_TIMES_KEYS)
    la, lb = np.log(ta), np.log(tb)
    t, df, p, low, high = _welch(la, lb)
    return {"geomean_a": float(stats.gmean(ta)), "geomean_b": float(stats.gmean(tb)),
            "ratio_a_over_b": float(np.exp(np.mean(la) - np.mean(lb))), "t": t, "df": df,
            "p_two_sided": p, "ratio_ci": [float(np.exp(low)), float(np.exp(high))]}


def _sample_of_moments(n: int, mean: float, variance: float) -> DescrStatsW:
    """A two-point sample with frequency weights that has exactly this n, mean and (n - 1)-variance: Welch's
    test depends on nothing else, so statsmodels can run it from a database's sums."""
    half = math.sqrt(variance * (n - 1) / n)
    return DescrStatsW(np.array([mean - half, mean + half]), weights=np.array([n / 2, n / 2]))


def _log_moments(n: int, sum_log: float, sum_log_sq: float) -> tuple[float, float]:
    """Mean and (n - 1)-variance of ln t from the sums (rounding can leave the variance a hair below zero)."""
    mean = sum_log / n
    return mean, max(sum_log_sq - sum_log * mean, 0.0) / (n - 1)


def compare_task_times_from_moments(a: tuple[int, float, float], b: tuple[int, float, float]) -> dict:
    """compare_task_times from each group's (n, sum ln t, sum (ln t)^2), so comparisons never read the times."""
    if a[0] < 2 or b[0] < 2:
        return dict.fromkeys(_COMPARE_TIMES_KEYS)
    (mean_a, var_a), (mean_b, var_b) = _log_moments(*a), _log_moments(*b)
    scale = 1e-12 * (1.0 + mean_a * mean_a + mean_b * mean_b)  # below this a variance is rounding, not spread
    out = {"geomean_a": math.exp(mean_a), "geomean_b": math.exp(mean_b),
           "ratio_a_over_b": math.exp(mean_a - mean_b)}
    if var_a <= scale and var_b <= scale:  # both groups constant, as _welch
        ratio = out["ratio_a_over_b"]
        return {**out, "t": None, "df": None, "p_two_sided": None, "ratio_ci": [ratio, ratio]}
    compared = CompareMeans(_sample_of_moments(a[0], mean_a, var_a), _sample_of_moments(b[0], mean_b, var_b))
    t, p, df = compared.ttest_ind(usevar="unequal")
    low, high = compared.tconfint_diff(alpha=0.05, usevar="unequal")
    return {**out, "t": float(t), "df": float(df), "p_two_sided": float(p),
            "ratio_ci": [float(np.exp(low)), float(np.exp(high))]}


def compare_means_from_counts(values_a: Iterable[Any], counts_a: Iterable[Any], values_b: Iterable[Any],
                              counts_b: Iterable[Any]) -> dict:
    """compare_means of two samples given as their distinct values and how often each occurs (frequency
    weights, as ratings and scores are counted in SQL): the same Welch test, without expanding the values."""
    groups = []
    for values, counts in ((values_a, counts_a), (values_b, counts_b)):
        x, w = _floats(values), _floats(counts)
        keep = ~np.isnan(x) & (w > 0)
        groups.append(DescrStatsW(x[keep], weights=w[keep]) if keep.any() else None)
    a, b = groups
    if a is None or b is None or a.sum_weights < 2 or b.sum_weights < 2:
        return dict.fromkeys(_COMPARE_MEANS_KEYS)
    mean_a, mean_b = float(a.mean), float(b.mean)
    if a.var == 0 and b.var == 0:  # both constant: no test, as _welch
        d = mean_a - mean_b
        return {"mean_a": mean_a, "mean_b": mean_b, "difference": d, "t": None, "df": None, "p_two_sided": None,
                "diff_ci": [d, d]}
    compared = CompareMeans(a, b)
    t, p, df = compared.ttest_ind(usevar="unequal")
    low, high = compared.tconfint_diff(alpha=0.05, usevar="unequal")
    return {"mean_a": mean_a, "mean_b": mean_b, "difference": mean_a - mean_b, "t": float(t), "df": float(df),
            "p_two_sided": float(p), "diff_ci": [float(low), float(high)]}
