"""civictest.analysis.compare: candidate minus base, Holm across tasks, pooled figures and the trend."""

import json

import pandas as pd
import pytest

from civictest.analysis.compare import compare_iterations, trend
from civictest.analysis.report import IterationData

TOL = 5e-5


def approx(value):
    return pytest.approx(value, abs=TOL)


def iteration(tasks, sus=(), seq=None, times=None):
    """tasks: {task_id: (successes, failures)}; every attempt self-reported and rated easy."""
    counts = []
    for task_id, (successes, failures) in tasks.items():
        counts.append((task_id, "success", False, "self", successes))
        counts.append((task_id, "failure", False, "self", failures))
    seq = seq or {}
    times = times or {}
    return IterationData(
        tasks=pd.DataFrame({"task_id": list(tasks), "position": range(1, len(tasks) + 1),
                            "title_ja": [f"課題{t}" for t in tasks], "title_en": [f"Task {t}" for t in tasks]}),
        attempt_counts=pd.DataFrame(counts, columns=["task_id", "outcome", "hard", "source", "n"]),
        seq_counts=pd.DataFrame([(t, s, n) for t, pairs in seq.items() for s, n in pairs],
                                columns=["task_id", "seq", "n"]),
        times=pd.DataFrame([(t, o, s) for t, rows in times.items() for o, s in rows],
                           columns=["task_id", "outcome", "seconds"]),
        sus=pd.DataFrame({"score": list(sus)}, dtype=object),
    )


# base: task 1 1/10 successes (9 inconvenient), task 2 5/10, task 3 only in base
BASE = iteration({1: (1, 9), 2: (5, 5), 3: (4, 1)}, sus=[60, 65, 70],
                 seq={1: [(2, 2), (3, 1)], 2: [(5, 2)]},
                 times={1: [("success", 10.0), ("success", 40.0), ("failure", 5.0)]})
# candidate: task 1 9/10 (1 inconvenient), task 2 unchanged, task 4 new
CANDIDATE = iteration({1: (9, 1), 2: (5, 5), 4: (5, 0)}, sus=[80, 85, 90, None],
                      seq={1: [(6, 2), (7, 1)], 2: [(5, 1)]},
                      times={1: [("success", 20.0), ("success", 80.0), ("abandoned", 1.0)]})


def test_tasks_are_matched_by_id_with_added_and_dropped():
    result = compare_iterations(BASE, CANDIDATE)
    assert [t["task_id"] for t in result["tasks"]] == [1, 2]
    assert result["tasks_added"] == [4] and result["tasks_dropped"] == [3]


def test_inconvenience_difference_is_candidate_minus_base():
    # inconvenience 1/10 (candidate) vs 9/10 (base): difference -0.8. Expected counts all 5 -> N-1 test:
    # chi2 = 20 (1*1 - 9*9)^2 / 10^4 = 12.8; x 19/20 = 12.16 -> p = 0.000488
    task = compare_iterations(BASE, CANDIDATE)["tasks"][0]
    assert task["inconvenience"]["difference"] == approx(-0.8)
    assert task["inconvenience"]["recommended_test"] == "n_minus_1_two_proportion"
    assert task["headline_p"] == approx(0.000488)
    assert task["verdict"] == "improved" and task["exploratory"] is True


def test_completion_difference_is_candidate_minus_base():
    task = compare_iterations(BASE, CANDIDATE)["tasks"][0]
    assert task["completion"]["p1"] == approx(0.9) and task["completion"]["p2"] == approx(0.1)
    assert task["completion"]["difference"] == approx(0.8)
    assert (task["n_base"], task["n_candidate"]) == (10, 10)


def test_seq_and_time_comparisons_are_candidate_first():
    # SEQ 6,6,7 vs 2,2,3: difference +4; times (success only) 20, 80 vs 10, 40: ratio 40 / 20 = 2
    task = compare_iterations(BASE, CANDIDATE)["tasks"][0]
    assert task["seq"]["difference"] == approx(4.0)
    assert task["time"]["ratio_a_over_b"] == approx(2.0)
    assert task["time"]["geomean_a"] == approx(40.0) and task["time"]["geomean_b"] == approx(20.0)


def test_seq_comparison_needs_two_ratings_per_iteration():
    assert compare_iterations(BASE, CANDIDATE)["tasks"][1]["seq"]["p_two_sided"] is None


def test_unchanged_task_has_no_detectable_change():
    task = compare_iterations(BASE, CANDIDATE)["tasks"][1]
    assert task["inconvenience"]["difference"] == approx(0.0) and task["headline_p"] == approx(1.0)
    assert task["verdict"] == "no_detectable_change"


def test_holm_adjusts_headline_p_values_across_tasks():
    # p = 0.000488 and 1.0: Holm -> 2 x 0.000488 = 0.000977 and max(0.000977, 1.0) = 1.0
    result = compare_iterations(BASE, CANDIDATE)
    first, second = result["tasks"]
    assert first["holm_adjusted_p"] == approx(0.000977) and second["holm_adjusted_p"] == approx(1.0)
    assert first["holm_verdict"] == "improved" and second["holm_verdict"] == "no_detectable_change"
    assert result["overall"]["verdict"] == "improved"


def test_swapping_iterations_gives_worse():
    result = compare_iterations(CANDIDATE, BASE)
    assert result["tasks"][0]["verdict"] == "worse" and result["overall"]["verdict"] == "worse"
    assert result["tasks_added"] == [3] and result["tasks_dropped"] == [4]


def test_mixed_overall_verdict():
    base = iteration({1: (1, 9), 2: (9, 1)})
    candidate = iteration({1: (9, 1), 2: (1, 9)})
    result = compare_iterations(base, candidate)
    assert [t["verdict"] for t in result["tasks"]] == ["improved", "worse"]
    assert result["overall"]["verdict"] == "mixed"


def test_a_per_task_change_can_vanish_after_holm():
    # 11/12 vs 5/10: inconvenient 1 of 12 vs 5 of 10 -> unadjusted N-1 p 0.0328 (< 0.05); with a second
    # task at p = 1.0, Holm gives 2 x 0.0328 = 0.0656 (> 0.05): exploratory improvement, overall no change
    base = iteration({1: (5, 5), 2: (5, 5)})
    candidate = iteration({1: (11, 1), 2: (5, 5)})
    result = compare_iterations(base, candidate)
    assert result["tasks"][0]["headline_p"] == approx(0.0328) and result["tasks"][0]["verdict"] == "improved"
    assert result["tasks"][0]["holm_adjusted_p"] == approx(0.0656)
    assert result["overall"]["verdict"] == "no_detectable_change"


def test_pooled_inconvenience_comparison():
    # base tasks 1-3: 9 + 5 + 1 = 15 inconvenient of 25; candidate tasks 1, 2, 4: 1 + 5 + 0 = 6 of 25
    pooled = compare_iterations(BASE, CANDIDATE)["overall"]["inconvenience"]
    assert pooled["p1"] == approx(6 / 25) and pooled["p2"] == approx(15 / 25)
    assert pooled["difference"] == approx(-0.36) and pooled["verdict"] == "improved"


def test_questionnaire_comparison():
    # SUS 80, 85, 90 vs 60, 65, 70: diff 20, se sqrt(25/3 * 2) = 4.082483, t 4.898979, df 4, p 0.008050
    block = compare_iterations(BASE, CANDIDATE)["overall"]["questionnaire"]
    assert block["comparison"]["difference"] == approx(20.0)
    assert block["comparison"]["t"] == approx(4.898979) and block["comparison"]["p_two_sided"] == approx(0.008050)
    assert block["verdict"] == "improved"
    assert block["candidate"]["n_invalid"] == 1 and block["candidate"]["grade"] == "A+"
    assert block["base"]["grade"] == "C"


def test_comparison_is_plain_json():
    result = compare_iterations(BASE, CANDIDATE)
    json.dumps(result, allow_nan=False, ensure_ascii=False)


def test_compare_against_an_empty_iteration():
    result = compare_iterations(IterationData.empty(), CANDIDATE)
    assert result["tasks"] == [] and result["tasks_added"] == [1, 2, 4]
    assert result["overall"]["verdict"] == "no_detectable_change"
    assert result["overall"]["questionnaire"]["comparison"]["p_two_sided"] is None
    json.dumps(result, allow_nan=False)


def test_alpha_must_be_a_probability():
    with pytest.raises(ValueError):
        compare_iterations(BASE, CANDIDATE, alpha=5)


def test_trend_keeps_order_and_meta():
    meta_base = {"id": 7, "label": "2024", "start_date": "2024-04-01", "participants": 12}
    meta_candidate = {"id": 9, "label": "2025", "start_date": "2025-04-01", "participants": 14}
    points = trend([(meta_candidate, CANDIDATE), (meta_base, BASE)])
    assert [p["id"] for p in points] == [9, 7]
    assert points[1]["label"] == "2024" and points[1]["start_date"] == "2024-04-01"
    assert points[1]["participants"] == 12
    assert points[1]["inconvenience"]["rate"] == approx(0.6)       # 15 / 25
    assert points[1]["completion"]["completion_rate"] == approx(0.4)  # 10 / 25
    assert points[1]["sus_mean"] == approx(65.0) and points[1]["sus_grade"] == "C"
    assert points[0]["sus_mean"] == approx(85.0) and points[0]["sus_grade"] == "A+"
    assert "inconvenience" not in meta_base   # meta dicts are not mutated


def test_trend_of_an_empty_iteration():
    point = trend([({"id": 1, "participants": 0}, IterationData.empty())])[0]
    assert point["inconvenience"]["rate"] is None and point["sus_mean"] is None and point["sus_grade"] is None


def test_completion_counts_partial_success_only_when_the_study_says_so():
    def with_partials(successes: int, partials: int, failures: int) -> IterationData:
        data = iteration({1: (successes, failures)})
        extra = pd.DataFrame([(1, "partial", True, "self", partials)], columns=data.attempt_counts.columns)
        return IterationData(tasks=data.tasks, attempt_counts=pd.concat([data.attempt_counts, extra]),
                             seq_counts=data.seq_counts, times=data.times, sus=data.sus)

    base, candidate = with_partials(2, 2, 6), with_partials(2, 6, 2)
    strict = compare_iterations(base, candidate)["tasks"][0]
    lenient = compare_iterations(base, candidate, partial_counts_as_success=True)["tasks"][0]
    assert (strict["completion"]["p1"], strict["completion"]["p2"]) == (approx(0.2), approx(0.2))
    assert (lenient["completion"]["p1"], lenient["completion"]["p2"]) == (approx(0.8), approx(0.4))
    # partial success is always inconvenient, whichever way completion counts it
    assert strict["inconvenience"] == lenient["inconvenience"]
