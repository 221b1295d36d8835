"""task_time_summary_from_moments gives task_time_summary's figures from sums a database can aggregate."""
import math

import numpy as np
import pytest

from civictest.analysis import metrics
from civictest.analysis.metrics import task_time_summary, task_time_summary_from_moments


def _moments(t: np.ndarray) -> dict:
    logs = np.log(t)
    return {"n": t.size, "sum_log": float(logs.sum()), "sum_log_sq": float((logs * logs).sum()),
            "sum_seconds": float(t.sum()), "median": float(np.median(t)) if t.size else None}


def _assert_same(got: dict, want: dict) -> None:
    assert got.keys() == want.keys()
    for key, value in want.items():
        if isinstance(value, float):
            assert got[key] == pytest.approx(value, rel=1e-9, abs=1e-9), key
        else:
            assert got[key] == value, key


@pytest.mark.parametrize("seed", range(200))
def test_moments_give_the_vector_summary(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.choice([1, 2, 3, 5, 24, 25, 26, 100, 1000, 5000]))
    t = np.exp(rng.normal(rng.uniform(0, 6), rng.uniform(0.01, 2), size=n))
    if seed % 5 == 0:
        t = np.round(t, 1) + 0.1  # ties, as whole or tenth seconds give
    confidence = [0.95, 0.9, 0.99][seed % 3]
    _assert_same(task_time_summary_from_moments(**_moments(t), confidence=confidence),
                 task_time_summary(t, confidence))


@pytest.mark.parametrize("n", [2, 3, 30, 10_000])
@pytest.mark.parametrize("value", [0.1, 1.0, 62.7, 3600.5])
def test_equal_times_collapse_the_interval_to_the_point(n, value):
    t = np.full(n, value)
    want = task_time_summary(t)
    assert want["lower"] == want["upper"]
    _assert_same(task_time_summary_from_moments(**_moments(t)), want)
    _assert_same(task_time_summary_from_moments(**_moments(t), constant=True), want)


def test_rounding_below_zero_is_no_variance():
    logs = math.log(7.3)
    got = task_time_summary_from_moments(3, 3 * logs, 3 * logs * logs * (1 - 1e-15), 21.9, 7.3)
    assert got["lower"] == got["upper"] == pytest.approx(7.3)


def test_empty_and_single():
    assert task_time_summary_from_moments(0, 0.0, 0.0, 0.0) == task_time_summary([])
    _assert_same(task_time_summary_from_moments(**_moments(np.array([42.0]))), task_time_summary([42.0]))


def test_known_sample():
    t = np.array([55, 65, 75, 62, 45, 135.0])
    got = task_time_summary_from_moments(**_moments(t))
    assert (got["geometric_mean"], got["lower"], got["upper"]) == (
        pytest.approx(68.2411, abs=1e-4), pytest.approx(46.0051, abs=1e-4), pytest.approx(101.2245, abs=1e-4))


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        task_time_summary_from_moments(-1, 0.0, 0.0, 0.0)
    with pytest.raises(ValueError):
        task_time_summary_from_moments(3, 1.0, 1.0, 3.0, confidence=1.5)


@pytest.mark.parametrize("seed, sizes", [(1, (2, 3)), (2, (5, 40)), (3, (1000, 7)), (4, (30, 30)), (5, (1, 9))])
def test_comparing_times_from_their_sums_gives_the_figures_of_the_times_themselves(seed, sizes):
    rng = np.random.default_rng(seed)
    a, b = (np.round(np.exp(rng.normal(4 + i / 5, 0.5 + i / 3, n)), 1) for i, n in enumerate(sizes))

    def sums(times: np.ndarray) -> tuple:
        logs = np.log(times)
        return len(times), float(logs.sum()), float((logs ** 2).sum())

    expected = metrics.compare_task_times(a, b)
    assert metrics.compare_task_times_from_moments(sums(a), sums(b)) == {
        key: value if value is None else pytest.approx(value, rel=1e-9) for key, value in expected.items()}


def test_comparing_two_constant_groups_from_their_sums_has_no_test():
    five = (3, 3 * math.log(5.0), 3 * math.log(5.0) ** 2)
    result = metrics.compare_task_times_from_moments(five, five)
    assert result["t"] is None and result["p_two_sided"] is None and result["ratio_ci"] == [1.0, 1.0]


@pytest.mark.parametrize("seed, sizes", [(6, (2, 2)), (7, (5, 9)), (8, (300, 20)), (9, (1, 5))])
def test_comparing_means_from_counts_gives_the_figures_of_the_values_themselves(seed, sizes):
    rng = np.random.default_rng(seed)
    a, b = (rng.integers(1, 8, n).astype(float) for n in sizes)
    expected = metrics.compare_means(a, b)
    counted = metrics.compare_means_from_counts(*np.unique(a, return_counts=True), *np.unique(b, return_counts=True))
    assert counted == {key: value if value is None else pytest.approx(value, rel=1e-9)
                       for key, value in expected.items()}


def test_comparing_two_constant_counted_groups_has_no_test():
    result = metrics.compare_means_from_counts([3], [2], [4], [5])
    assert result["t"] is None and result["diff_ci"] == [-1.0, -1.0]
