"""civictest.analysis.metrics against METRICS.md: every worked example, hand computations and edge cases.

Hand computations use z = norm.ppf(0.975) = 1.959964, z^2 = 3.841459, and t quantiles
t(0.975, 1) = 12.706205, t(0.975, 2) = 4.302653, t(0.975, 4) = 2.776445.
"""

import json
import math

import numpy as np
import pandas as pd
import pytest

from civictest.analysis.metrics import (
    compare_completion_rates, compare_means, compare_task_times, completion_point_estimates,
    completion_rate_ci, inconvenience_rate, nps, rating_summary, rating_summary_from_counts, sus_grade, sus_score,
    sus_summary, task_time_summary, umux_lite, umux_lite_summary,
)

TOL = 5e-5


def approx(value):
    return pytest.approx(value, abs=TOL)


def assert_plain(result):
    """No numpy scalar, NaN or infinity anywhere: strict JSON round trip and type check."""
    json.dumps(result, allow_nan=False)
    values = result.values() if isinstance(result, dict) else [result]
    for value in values:
        if isinstance(value, list):
            assert all(type(v) in (float, int) for v in value)
        else:
            assert value is None or type(value) in (float, int, str, bool)


# ------------------------------------------------------------ 1.1 completion rate, adjusted Wald
@pytest.mark.parametrize("x, n, lower, upper", [
    (4, 5, 0.3596, 0.9797),    # Tullis; published 0.9796 rounds intermediates
    (9, 10, 0.5740, 1.0),      # raw upper 1.0039 clipped
    (5, 5, 0.5109, 1.0),
    (0, 5, 0.0, 0.4891),
    (1, 1, 0.1675, 1.0),
    (45, 50, 0.7821, 0.9609),
])
def test_completion_rate_ci_reference_cases(x, n, lower, upper):
    result = completion_rate_ci(x, n)
    assert result["n"] == n
    assert result["completion_rate"] == approx(x / n)
    assert result["lower"] == approx(lower)
    assert result["upper"] == approx(upper)
    assert_plain(result)


def test_completion_rate_ci_p_adj_worked_examples():
    assert completion_rate_ci(4, 5)["p_adj"] == approx(0.669655)
    assert completion_rate_ci(9, 10)["p_adj"] == approx(0.7890)
    # 4/5 upper uses norm.ppf(0.975), not 1.96: 0.979679, not the published 0.9796
    assert completion_rate_ci(4, 5)["upper"] == pytest.approx(0.979679, abs=1e-6)


def test_completion_rate_ci_hand_computed_3_of_5():
    # p_adj = (3 + 1.920729) / (5 + 3.841459) = 4.920729 / 8.841459 = 0.556552
    # se = sqrt(0.556552 * 0.443448 / 8.841459) = 0.167075; z * se = 0.327461 -> 0.229091 .. 0.884013
    result = completion_rate_ci(3, 5)
    assert result["p_adj"] == approx(0.556552)
    assert (result["lower"], result["upper"]) == (approx(0.229091), approx(0.884013))


def test_completion_rate_ci_zero_attempts_is_all_none_but_n():
    assert completion_rate_ci(0, 0) == {"n": 0, "completion_rate": None, "p_adj": None,
                                        "lower": None, "upper": None}


def test_completion_rate_ci_zero_of_one_is_defined():
    # mirror image of 1/1
    result = completion_rate_ci(0, 1)
    assert (result["lower"], result["upper"]) == (approx(0.0), approx(0.8325))


@pytest.mark.parametrize("x, n", [(6, 5), (-1, 5), (2.5, 5), (1, None)])
def test_completion_rate_ci_rejects_impossible_counts(x, n):
    with pytest.raises(ValueError):
        completion_rate_ci(x, n)


def test_completion_rate_ci_accepts_numpy_counts_and_returns_plain_floats():
    result = completion_rate_ci(np.int64(4), np.int64(5))
    assert type(result["lower"]) is float and type(result["n"]) is int


# ------------------------------------------------------------ 1.2 best point estimate
def test_point_estimates_5_of_5_use_laplace():
    result = completion_point_estimates(5, 5)
    assert result["best_method"] == "laplace"
    assert result["best"] == approx(0.8571)   # 6/7


def test_point_estimates_0_of_5_use_wilson():
    result = completion_point_estimates(0, 5)
    assert result["best_method"] == "wilson"
    assert result["best"] == approx(0.2172)   # 1.920729 / 8.841459


def test_point_estimates_9_of_10_follow_the_paper_not_the_calculator():
    # p = 0.9 is not above 0.9 -> MLE 0.9 (the calculator rule would give Laplace 10/12 = 0.8333)
    result = completion_point_estimates(9, 10)
    assert result["best_method"] == "mle"
    assert result["best"] == approx(0.9)
    assert result["laplace"] == approx(0.8333)


def test_point_estimates_all_four_estimators_for_3_of_5():
    # MLE 3/5; Laplace 4/7; Jeffreys 3.5/6; Wilson = adjusted-Wald centre 0.556552
    result = completion_point_estimates(3, 5)
    assert result == {"mle": approx(0.6), "laplace": approx(0.571429), "jeffreys": approx(0.583333),
                      "wilson": approx(0.556552), "best": approx(0.6), "best_method": "mle"}


@pytest.mark.parametrize("x, n, method, best", [
    (18, 20, "mle", 0.9),          # exactly 0.9 -> MLE
    (19, 20, "laplace", 20 / 22),  # 0.95 > 0.9 -> Laplace
    (5, 10, "mle", 0.5),           # exactly 0.5 -> MLE
    (4, 9, "wilson", 0.461064),    # 0.444 < 0.5 -> (4 + 1.920729) / (9 + 3.841459)
])
def test_point_estimate_rule_boundaries(x, n, method, best):
    result = completion_point_estimates(x, n)
    assert result["best_method"] == method
    assert result["best"] == approx(best)


def test_point_estimates_zero_attempts_are_none():
    assert set(completion_point_estimates(0, 0).values()) == {None}


# ------------------------------------------------------------ 2 time on task
def test_task_time_published_example():
    result = task_time_summary([55, 65, 75, 62, 45, 135])
    assert result["geometric_mean"] == approx(68.2411)
    assert (result["lower"], result["upper"]) == (approx(46.0051), approx(101.2245))
    assert result["central_tendency_reported"] == "geometric_mean"
    assert_plain(result)


def test_task_time_mean_and_median_published_example():
    result = task_time_summary([100, 101, 102, 103, 104, 200])
    assert result["arithmetic_mean"] == approx(118.3333)
    assert result["median"] == approx(102.5)
    assert result["geometric_mean"] == approx(114.1047)


def test_task_time_hand_computed_two_times():
    # ln 10 = 2.302585, ln 40 = 3.688879: mean 2.995732 (gm 20), s = 1.386294 / sqrt 2 = 0.980258,
    # se = s / sqrt 2 = 0.693147; margin 12.706205 * 0.693147 = 8.807249 -> exp(-5.811516), exp(11.802981)
    result = task_time_summary(np.array([10.0, 40.0]))
    assert result["geometric_mean"] == approx(20.0)
    assert result["lower"] == approx(0.0029928)
    assert result["upper"] == pytest.approx(133653.01, rel=1e-6)


def test_task_time_from_25_times_reports_the_median():
    # 1..25: median 13; gm = (25!)^(1/25) = exp(58.003605 / 25) = 10.177142
    result = task_time_summary(range(1, 26))
    assert result["central_tendency_reported"] == "median"
    assert result["median"] == approx(13.0)
    assert result["geometric_mean"] == approx(10.177142)
    assert task_time_summary(range(1, 25))["central_tendency_reported"] == "geometric_mean"


def test_task_time_single_time_has_no_interval():
    result = task_time_summary([42.0])
    assert result["n"] == 1 and result["geometric_mean"] == approx(42.0)
    assert result["lower"] is None and result["upper"] is None


def test_task_time_zero_variance_collapses_the_interval():
    result = task_time_summary([30, 30, 30])
    assert result["lower"] == approx(30.0) and result["upper"] == approx(30.0)
    assert_plain(result)


def test_task_time_no_times():
    result = task_time_summary([])
    assert result["n"] == 0
    assert all(v is None for k, v in result.items() if k != "n")


@pytest.mark.parametrize("times", [[10, 0], [10, -3], [10, None], [10, float("nan")], [float("inf")]])
def test_task_time_rejects_non_positive_or_missing_times(times):
    with pytest.raises(ValueError):
        task_time_summary(times)


def test_task_time_does_not_mutate_input():
    times = pd.Series([55.0, 65.0, 75.0])
    task_time_summary(times)
    assert times.tolist() == [55.0, 65.0, 75.0]


# ------------------------------------------------------------ 3 SEQ / ratings
def test_seq_worked_example():
    result = rating_summary([7, 6, 5, 7, 6, 4, 7, 5], 1, 7)
    assert result["n"] == 8
    assert result["mean"] == approx(5.875)
    assert (result["lower"], result["upper"]) == (approx(4.9336), approx(6.8164))
    assert_plain(result)


def test_rating_sd_is_the_sample_sd():
    # 6,6,6,3,3: mean 4.8, SS = 3 * 1.44 + 2 * 3.24 = 10.8, var = 10.8 / 4 = 2.7, sd = 1.643168
    assert rating_summary([6, 6, 6, 3, 3], 1, 7)["sd"] == approx(1.643168)


def test_rating_missing_values_are_excluded_and_counted_out_of_n():
    result = rating_summary([7, None, 5, float("nan")], 1, 7)
    assert result["n"] == 2 and result["mean"] == approx(6.0)


def test_rating_single_value_has_no_sd_or_interval():
    assert rating_summary([4], 1, 7) == {"n": 1, "mean": 4.0, "sd": None, "lower": None, "upper": None}


def test_rating_zero_variance():
    assert rating_summary([5, 5, 5], 1, 7) == {"n": 3, "mean": 5.0, "sd": 0.0, "lower": 5.0, "upper": 5.0}


def test_rating_empty():
    assert rating_summary([], 1, 7) == {"n": 0, "mean": None, "sd": None, "lower": None, "upper": None}


@pytest.mark.parametrize("values", [[0, 5], [8], [7, 6, -1]])
def test_rating_outside_the_scale_is_rejected(values):
    with pytest.raises(ValueError):
        rating_summary(values, 1, 7)


@pytest.mark.parametrize("ratings", [[], [4], [5, 5, 5], [7, 6, 5, 7, 6, 4, 7, 5], [6, 6, 6, 3, 3], [1, 7]])
def test_ratings_from_counts_equal_the_expanded_ratings(ratings):
    values, counts = np.unique(np.asarray(ratings, dtype=float), return_counts=True)
    expected = rating_summary(ratings, 1, 7)
    result = rating_summary_from_counts(values, counts, 1, 7)
    assert result == {key: pytest.approx(value, rel=1e-12) if value is not None else None for key, value in expected.items()}
    assert_plain(result)


def test_ratings_from_counts_at_report_scale():
    rng = np.random.default_rng(7)
    ratings = rng.integers(1, 8, 50_000)
    values, counts = np.unique(ratings, return_counts=True)
    expected = rating_summary(ratings, 1, 7)
    assert rating_summary_from_counts(values, counts, 1, 7) == {k: pytest.approx(v, rel=1e-12) for k, v in expected.items()}


def test_ratings_from_counts_skip_missing_values_and_zero_counts():
    assert rating_summary_from_counts([None, 6, 3], [4, 2, 0], 1, 7) == rating_summary([6, 6], 1, 7)


@pytest.mark.parametrize("values, counts", [([8], [1]), ([3], [1.5]), ([3], [-1]), ([3, 4], [1])])
def test_ratings_from_counts_reject_bad_input(values, counts):
    with pytest.raises(ValueError):
        rating_summary_from_counts(values, counts, 1, 7)


# ------------------------------------------------------------ 4 SUS
def test_sus_published_example():
    assert sus_score([4, 1, 5, 2, 5, 1, 4, 2, 3, 1]) == 85.0


@pytest.mark.parametrize("responses, score", [
    ([5] * 10, 50.0),                # straight-lining is 50, not 100
    ([1] * 10, 50.0),
    ([5, 1] * 5, 100.0),             # odd items 5, even items 1
    ([1, 5] * 5, 0.0),
    ([3] * 10, 50.0),
])
def test_sus_scoring_reverses_even_items(responses, score):
    assert sus_score(responses) == approx(score)


@pytest.mark.parametrize("responses", [
    [4, 1, 5, 2, 5, 1, 4, 2, 3],            # 9 items
    [4, 1, 5, 2, 5, 1, 4, 2, 3, 1, 1],      # 11 items
    [4, 1, 5, 2, 5, 1, 4, 2, 3, 6],         # out of range
    [0, 1, 5, 2, 5, 1, 4, 2, 3, 1],         # 0..4 coding is not guessed
    [4, 1, 5, 2, 5, 1, 4, 2, 3.5, 1],       # not an integer
    [4, 1, 5, 2, 5, 1, 4, 2, 3, None],      # missing item, strict mode
    ["4", 1, 5, 2, 5, 1, 4, 2, 3, 1],       # text
    None,
])
def test_sus_invalid_answers_score_none(responses):
    assert sus_score(responses) is None


def test_sus_one_missing_item_is_prorated_when_allowed():
    # contributions of items 1..9: 3+4+4+3+4+4+3+3+2 = 30 -> 30 * 100 / 36 = 83.3333
    assert sus_score([4, 1, 5, 2, 5, 1, 4, 2, 3, None], allow_one_missing=True) == approx(83.3333)
    assert sus_score([4, 1, 5, 2, 5, 1, 4, 2, None, None], allow_one_missing=True) is None


def test_sus_accepts_numpy_and_pandas_rows():
    assert sus_score(np.array([4, 1, 5, 2, 5, 1, 4, 2, 3, 1])) == 85.0
    assert sus_score(pd.Series([4, 1, 5, 2, 5, 1, 4, 2, 3, 1])) == 85.0


@pytest.mark.parametrize("mean, grade", [
    (100, "A+"), (84.1, "A+"), (84.05, "A"), (84.0999, "A"), (80.8, "A"), (80.79, "A-"),
    (78.9, "A-"), (78.89, "B+"), (77.2, "B+"), (74.1, "B"), (75, "B"), (74.05, "B-"), (72.6, "B-"),
    (71.1, "C+"), (71.05, "C"), (68, "C"), (65.0, "C"), (64.99, "C-"), (62.7, "C-"), (62.65, "D"),
    (51.7, "D"), (51.69, "F"), (51.6, "F"), (0, "F"),
])
def test_sus_grade_uses_unrounded_mean_and_lower_bounds(mean, grade):
    assert sus_grade(mean) == grade


def test_sus_grade_edge_inputs():
    assert sus_grade(None) is None
    with pytest.raises(ValueError):
        sus_grade(100.5)


def test_sus_summary_hand_computed():
    # valid 80, 70: mean 75, sd 7.071068, se 5, margin 12.706205 * 5 = 63.531 -> 11.469 .. 138.531 clipped to 100
    result = sus_summary([80.0, 70.0, None])
    assert result["n"] == 2 and result["n_invalid"] == 1
    assert result["mean"] == approx(75.0) and result["sd"] == approx(7.071068)
    assert result["lower"] == approx(11.468976) and result["upper"] == 100.0
    assert result["grade"] == "B"
    assert_plain(result)


def test_sus_summary_worked_example_mean_interval():
    v1 = [72.5, 85, 90, 65, 77.5, 80, 87.5, 70, 92.5, 75]
    result = sus_summary(v1)
    assert result["mean"] == approx(79.5) and result["grade"] == "A-"
    # 79.5 +- t(0.975, 9) 2.262157 * 9.113482 / sqrt(10) = 79.5 +- 6.519392
    assert (result["lower"], result["upper"]) == (approx(72.980608), approx(86.019392))


def test_sus_summary_empty_and_all_invalid():
    assert sus_summary([]) == {"n": 0, "n_invalid": 0, "mean": None, "sd": None, "lower": None,
                               "upper": None, "grade": None}
    assert sus_summary([None, None])["n_invalid"] == 2


def test_sus_summary_rejects_scores_outside_0_100():
    with pytest.raises(ValueError):
        sus_summary([50, 120])


# ------------------------------------------------------------ 5 UMUX-Lite, 6 NPS
@pytest.mark.parametrize("i1, i2, score, sus_eq", [
    (7, 7, 100.0, 87.9),     # 12 * 100 / 12; 0.65 * 100 + 22.9
    (1, 1, 0.0, 22.9),
    (5, 6, 75.0, 71.65),     # 9 * 100 / 12 = 75; 0.65 * 75 + 22.9
])
def test_umux_lite(i1, i2, score, sus_eq):
    assert umux_lite(i1, i2) == {"umux_lite": approx(score), "sus_equivalent": approx(sus_eq)}


def test_umux_lite_invalid_and_missing_items():
    with pytest.raises(ValueError):
        umux_lite(8, 3)
    with pytest.raises(ValueError):
        umux_lite(0, 3)
    assert umux_lite(None, 3) == {"umux_lite": None, "sus_equivalent": None}


def test_umux_lite_summary():
    # 75, 100: mean 87.5 -> SUS equivalent 0.65 * 87.5 + 22.9 = 79.775
    result = umux_lite_summary([75.0, 100.0, None])
    assert result["mean"] == approx(87.5) and result["sus_equivalent"] == approx(79.775)
    assert result["n"] == 2 and result["n_invalid"] == 1 and result["upper"] == 100.0


def test_nps_hand_computed():
    # 10, 9 promoters (2/6); 8, 7 passives; 6, 0 detractors (2/6) -> 0
    result = nps([10, 9, 8, 7, 6, 0])
    assert result["promoters_pct"] == approx(33.3333) and result["detractors_pct"] == approx(33.3333)
    assert result["nps"] == approx(0.0)
    assert nps([10, 10, 9, 5])["nps"] == approx(50.0)   # 75 % - 25 %


def test_nps_edges():
    assert nps([]) == {"n": 0, "promoters_pct": None, "detractors_pct": None, "nps": None}
    with pytest.raises(ValueError):
        nps([11])


# ------------------------------------------------------------ 7.1 comparing completion rates
def test_compare_completion_rates_worked_example():
    result = compare_completion_rates(11, 12, 5, 10)
    assert result["difference"] == approx(11 / 12 - 0.5)
    assert result["n1_z"] == approx(2.1348)
    assert result["n1_two_sided_p"] == approx(0.0328)
    assert result["fisher_two_sided_p"] == approx(0.0557)
    assert result["recommended_test"] == "n_minus_1_two_proportion"
    assert result["recommended_p"] == approx(0.0328)
    assert result["diff_ci_agresti_caffo"] == [approx(0.0201), approx(0.6942)]
    assert_plain(result)


def test_compare_completion_rates_difference_sign_follows_group_order():
    result = compare_completion_rates(5, 10, 11, 12)
    assert result["difference"] < 0 and result["n1_z"] == approx(-2.1348)


def test_compare_completion_rates_routes_sparse_tables_to_fisher():
    # 1/2 vs 0/3: expected successes 2 * 1/5 = 0.4 and 0.6 < 1 -> Fisher.
    # Fisher: P(x1 = 1) = C(2,1) C(3,0) / C(5,1) = 0.4, P(x1 = 0) = 0.6 -> two-sided p = 0.4.
    # N-1 z = 0.5 sqrt(4/5) / sqrt(0.2 * 0.8 * (1/2 + 1/3)) = 1.224745, p = 0.220671 (reported, not recommended)
    result = compare_completion_rates(1, 2, 0, 3)
    assert result["min_expected_count"] == approx(0.4)
    assert result["recommended_test"] == "fisher_exact"
    assert result["recommended_p"] == approx(0.4)
    assert result["n1_z"] == approx(1.224745) and result["n1_two_sided_p"] == approx(0.220671)


def test_compare_completion_rates_all_failures_or_all_successes():
    for x in (0, 5):
        result = compare_completion_rates(x, 5, x, 5)
        assert result["min_expected_count"] == 0.0
        assert result["n1_z"] is None and result["n1_two_sided_p"] is None
        assert result["recommended_test"] == "fisher_exact" and result["recommended_p"] == approx(1.0)
        assert_plain(result)


def test_compare_completion_rates_with_an_empty_group():
    result = compare_completion_rates(3, 5, 0, 0)
    assert result["p1"] == approx(0.6) and result["p2"] is None
    assert result["difference"] is None and result["recommended_p"] is None


# ------------------------------------------------------------ 7.2 means, 7.3 times
def test_compare_means_worked_example():
    v1 = [72.5, 85, 90, 65, 77.5, 80, 87.5, 70, 92.5, 75]
    v2 = [55, 62.5, 70, 47.5, 65, 72.5, 60, 57.5, 67.5, 50, 62.5, 75]
    result = compare_means(v1, v2)
    assert result["difference"] == approx(17.4167)
    assert result["t"] == approx(4.5825) and result["df"] == approx(18.8128)
    assert result["p_two_sided"] == approx(0.0002)
    assert result["diff_ci"] == [approx(9.4564), approx(25.3769)]
    assert_plain(result)


def test_compare_means_hand_computed():
    # 1,2,3 vs 4,5,6: diff -3, var 1 each, se sqrt(2/3) = 0.816497, t = -3.674235, Welch df = 4,
    # p = 0.021312, CI -3 +- 2.776445 * 0.816497 = -3 +- 2.266958
    result = compare_means([1, 2, 3], [4, 5, 6])
    assert result["t"] == approx(-3.674235) and result["df"] == approx(4.0)
    assert result["p_two_sided"] == approx(0.021312)
    assert result["diff_ci"] == [approx(-5.266958), approx(-0.733042)]


def test_compare_means_needs_two_values_per_group():
    assert set(compare_means([5], [4, 5, 6]).values()) == {None}
    assert set(compare_means([5, None], [4, 5]).values()) == {None}


def test_compare_means_zero_variance_in_both_groups():
    result = compare_means([70, 70, 70], [80, 80])
    assert result["difference"] == approx(-10.0)
    assert result["t"] is None and result["p_two_sided"] is None
    assert result["diff_ci"] == [approx(-10.0), approx(-10.0)]
    assert_plain(result)


def test_compare_task_times_hand_computed():
    # a = 10, 40 (gm 20); b = 20, 80 (gm 40): ratio 0.5. Log SDs equal (0.980258), se = 0.980258,
    # t = -ln 2 / 0.980258 = -1/sqrt 2, df 2, p = 1 - 0.707107 / sqrt(2.5) = 0.552786,
    # CI exp(-0.693147 +- 4.302653 * 0.980258) = 0.007366 .. 33.938946
    result = compare_task_times([10, 40], [20, 80])
    assert result["geomean_a"] == approx(20.0) and result["geomean_b"] == approx(40.0)
    assert result["ratio_a_over_b"] == approx(0.5)
    assert result["t"] == approx(-1 / math.sqrt(2)) and result["df"] == approx(2.0)
    assert result["p_two_sided"] == approx(0.552786)
    assert result["ratio_ci"] == [approx(0.007366), approx(33.938946)]


def test_compare_task_times_edges():
    assert set(compare_task_times([10], [20, 30]).values()) == {None}
    with pytest.raises(ValueError):
        compare_task_times([10, 0], [20, 30])


# ------------------------------------------------------------ 13 inconvenience rate
ATTEMPTS = [("success", 6), ("success", 4), ("failure", None), ("partial", 7),
            ("not_attempted", None), ("success", None)]


def test_inconvenience_rate_pairs():
    # hard success (SEQ 4), failure, partial -> 3 of 5 (not_attempted excluded; success without SEQ is fine)
    result = inconvenience_rate(ATTEMPTS)
    assert result["n"] == 5 and result["inconvenient"] == 3 and result["rate"] == approx(0.6)
    assert (result["lower"], result["upper"]) == (approx(0.229091), approx(0.884013))
    assert_plain(result)


def test_inconvenience_rate_dataframe_matches_pairs():
    frame = pd.DataFrame(ATTEMPTS, columns=["outcome", "seq"])
    before = frame.copy()
    assert inconvenience_rate(frame) == inconvenience_rate(ATTEMPTS)
    pd.testing.assert_frame_equal(frame, before)


def test_inconvenience_rate_all_easy_successes_is_zero():
    result = inconvenience_rate([("success", 7)] * 5)
    assert result["inconvenient"] == 0 and result["rate"] == 0.0
    assert (result["lower"], result["upper"]) == (approx(0.0), approx(0.4891))


def test_inconvenience_rate_seq_5_is_not_hard():
    assert inconvenience_rate([("success", 5)])["inconvenient"] == 0
    assert inconvenience_rate([("success", 4)])["inconvenient"] == 1


def test_inconvenience_rate_nothing_attempted():
    assert inconvenience_rate([("not_attempted", None)]) == {
        "n": 0, "inconvenient": None, "rate": None, "lower": None, "upper": None}
    assert inconvenience_rate([])["n"] == 0


@pytest.mark.parametrize("attempts", [[("success", 8)], [("success", 0)], [("won", 5)], [("success",)]])
def test_inconvenience_rate_rejects_bad_attempts(attempts):
    with pytest.raises(ValueError):
        inconvenience_rate(attempts)


def test_inconvenience_rate_frame_needs_its_columns():
    with pytest.raises(ValueError):
        inconvenience_rate(pd.DataFrame({"outcome": ["success"]}))
