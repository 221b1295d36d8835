"""civictest.analysis.report on small hand-made iterations where every figure is known."""

import ast
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from civictest.analysis import metrics
from civictest.analysis import report
from civictest.analysis.report import IterationData, iteration_report, segment_report

TOL = 5e-5
ANALYSIS = Path(__file__).resolve().parents[2] / "civictest" / "analysis"


def approx(value):
    return pytest.approx(value, abs=TOL)


def make_data(sentiment=True):
    """Task 1 (position 1): 3 successes (one rated hard), 1 partial (hard), 1 failure -> n 5.
    Task 2 (position 2): 3 abandoned. Task 3 (position 3): no attempts at all."""
    return IterationData(
        tasks=pd.DataFrame({"task_id": [2, 1, 3], "position": [2, 1, 3],
                            "title_ja": ["申請", "検索", "予約"], "title_en": ["Apply", "Search", None]}),
        attempt_counts=pd.DataFrame({
            "task_id": [1, 1, 1, 1, 2],
            "outcome": ["success", "success", "partial", "failure", "abandoned"],
            "hard": [False, True, True, False, False],
            "source": ["self", "self", "self", "observer", "self"],
            "n": [2, 1, 1, 1, 3]}),
        seq_counts=pd.DataFrame({"task_id": [1, 1], "seq": [6, 3], "n": [3, 2]}),
        times=pd.DataFrame({"task_id": [1, 1, 1, 1, 1], "outcome": ["success"] * 3 + ["partial", "failure"],
                            "seconds": [30.0, 60.0, 45.0, 90.0, 100.0]}),
        sus=pd.DataFrame({"score": [80.0, 70.0, None]}),
        sentiment_counts=pd.DataFrame({"task_id": [1, 1, None], "label": ["positive", "negative", "neutral"],
                                       "n": [2, 1, 1]}) if sentiment else None,
    )


def walk(value):
    """Every leaf of a nested dict/list."""
    if isinstance(value, dict):
        for v in value.values():
            yield from walk(v)
    elif isinstance(value, list):
        for v in value:
            yield from walk(v)
    else:
        yield value


def assert_json_plain(result):
    json.dumps(result, allow_nan=False, ensure_ascii=False)
    for leaf in walk(result):
        assert leaf is None or type(leaf) in (int, float, str, bool), repr(leaf)


def test_tasks_come_in_position_order_with_titles():
    report = iteration_report(make_data(), 5)
    assert [t["task_id"] for t in report["tasks"]] == [1, 2, 3]
    assert report["tasks"][0]["title_ja"] == "検索" and report["tasks"][2]["title_en"] is None


def test_task_counts_outcomes_and_sources():
    task = iteration_report(make_data(), 5)["tasks"][0]
    assert task["n"] == 5
    assert task["outcomes"] == {"success": 3, "partial": 1, "failure": 1, "abandoned": 0}
    assert task["sources"] == {"self": 4, "observer": 1}


def test_completion_counts_only_success_by_default():
    # 3/5: adjusted-Wald 0.229091 .. 0.884013, best = MLE 0.6
    completion = iteration_report(make_data(), 5)["tasks"][0]["completion"]
    assert completion["n"] == 5 and completion["completion_rate"] == approx(0.6)
    assert (completion["lower"], completion["upper"]) == (approx(0.229091), approx(0.884013))
    assert completion["best"] == approx(0.6) and completion["best_method"] == "mle"


def test_partial_can_count_as_success_but_stays_inconvenient():
    # 4/5 -> Tullis case 0.3596 .. 0.9797; inconvenience unchanged at 3/5
    task = iteration_report(make_data(), 5, partial_counts_as_success=True)["tasks"][0]
    assert task["completion"]["completion_rate"] == approx(0.8)
    assert (task["completion"]["lower"], task["completion"]["upper"]) == (approx(0.3596), approx(0.9797))
    assert task["inconvenience"]["inconvenient"] == 3


def test_inconvenience_counts_hard_successes():
    # inconvenient: 1 hard success + 1 partial + 1 failure = 3 of 5
    inconvenience = iteration_report(make_data(), 5)["tasks"][0]["inconvenience"]
    assert inconvenience == {"n": 5, "inconvenient": 3, "rate": approx(0.6),
                             "lower": approx(0.229091), "upper": approx(0.884013)}


def test_time_population_success_only_by_default():
    # 30, 60, 45: geometric mean = 81000^(1/3) = 43.267487
    time = iteration_report(make_data(), 5)["tasks"][0]["time"]
    assert time["n"] == 3 and time["geometric_mean"] == approx(43.267487)


def test_time_population_options():
    # with partial as success: (30*60*45*90)^(1/4) = 51.961524; all attempts: (...*100)^(1/5) = 59.230515
    partial = iteration_report(make_data(), 5, partial_counts_as_success=True)["tasks"][0]["time"]
    everything = iteration_report(make_data(), 5, time_population="all_attempts")["tasks"][0]["time"]
    assert partial["n"] == 4 and partial["geometric_mean"] == approx(51.961524)
    assert everything["n"] == 5 and everything["geometric_mean"] == approx(59.230515)


def test_task_without_times_or_ratings_gets_nones_with_n_zero():
    task = iteration_report(make_data(), 5)["tasks"][1]
    assert task["time"]["n"] == 0 and task["time"]["geometric_mean"] is None
    assert task["seq"] == {"n": 0, "mean": None, "sd": None, "lower": None, "upper": None}
    assert task["completion"]["completion_rate"] == 0.0 and task["inconvenience"]["rate"] == 1.0


def test_task_without_attempts_has_none_figures():
    task = iteration_report(make_data(), 5)["tasks"][2]
    assert task["n"] == 0 and task["completion"]["completion_rate"] is None
    assert task["inconvenience"]["rate"] is None and task["inconvenience"]["inconvenient"] is None


def test_seq_is_rebuilt_from_counts():
    # 6,6,6,3,3: mean 4.8, sd sqrt(10.8 / 4) = 1.643168
    seq = iteration_report(make_data(), 5)["tasks"][0]["seq"]
    assert seq["n"] == 5 and seq["mean"] == approx(4.8) and seq["sd"] == approx(1.643168)


def test_sentiment_counts_include_zeros():
    report = iteration_report(make_data(), 5)
    assert report["tasks"][0]["sentiment"] == {"positive": 2, "neutral": 0, "negative": 1, "unscored": 0}
    assert report["tasks"][1]["sentiment"] == {"positive": 0, "neutral": 0, "negative": 0, "unscored": 0}
    assert report["overall"]["sentiment"] == {"positive": 2, "neutral": 1, "negative": 1, "unscored": 0}
    assert report["overall"]["general_sentiment"] == {"positive": 0, "neutral": 1, "negative": 0, "unscored": 0}


def test_sentiment_is_none_without_sentiment_data():
    report = iteration_report(make_data(sentiment=False), 5)
    assert report["tasks"][0]["sentiment"] is None and report["overall"]["sentiment"] is None


def test_overall_pools_all_attempts():
    # 8 attempts: 3 successes -> 3/8; inconvenient 3 (task 1) + 3 abandoned = 6/8
    overall = iteration_report(make_data(), 5)["overall"]
    assert overall["participants"] == 5 and overall["n"] == 8
    assert overall["completion"]["completion_rate"] == approx(0.375)
    assert overall["inconvenience"]["inconvenient"] == 6 and overall["inconvenience"]["rate"] == approx(0.75)


def test_overall_sus_summary_counts_invalid():
    # 80, 70 valid: mean 75 (grade B), lower 75 - 12.706205 * 5 = 11.468976, upper clipped at 100
    questionnaire = iteration_report(make_data(), 5)["overall"]["questionnaire"]
    assert questionnaire["kind"] == "sus" and questionnaire["n"] == 2 and questionnaire["n_invalid"] == 1
    assert questionnaire["mean"] == approx(75.0) and questionnaire["grade"] == "B"
    assert questionnaire["lower"] == approx(11.468976) and questionnaire["upper"] == 100.0


def test_overall_umux_lite_has_sus_equivalent_and_no_grade():
    data = make_data()
    data = IterationData(data.tasks, data.attempt_counts, data.seq_counts, data.times,
                         pd.DataFrame({"score": [75.0, 100.0]}))
    questionnaire = iteration_report(data, 2, questionnaire="umux_lite")["overall"]["questionnaire"]
    assert questionnaire["kind"] == "umux_lite" and questionnaire["mean"] == approx(87.5)
    assert questionnaire["sus_equivalent"] == approx(79.775) and questionnaire["grade"] is None


def test_report_is_json_serialisable_plain_types():
    report = iteration_report(make_data(), np.int64(5))
    assert_json_plain(report)


def test_report_does_not_mutate_its_inputs():
    data = make_data()
    before = {name: getattr(data, name).copy() for name in ("tasks", "attempt_counts", "seq_counts", "times", "sus")}
    iteration_report(data, 5, partial_counts_as_success=True, time_population="all_attempts")
    for name, frame in before.items():
        pd.testing.assert_frame_equal(getattr(data, name), frame)


def test_empty_iteration():
    report = iteration_report(IterationData.empty(), 0)
    assert report["tasks"] == []
    assert report["overall"]["n"] == 0 and report["overall"]["completion"]["completion_rate"] is None
    assert report["overall"]["questionnaire"]["mean"] is None and report["overall"]["sentiment"] is None
    assert_json_plain(report)


def test_invalid_options_are_rejected():
    with pytest.raises(ValueError):
        iteration_report(make_data(), 5, time_population="fastest")
    with pytest.raises(ValueError):
        iteration_report(make_data(), 5, questionnaire="nps")


def test_not_attempted_rows_are_ignored_defensively():
    data = make_data()
    counts = pd.concat([data.attempt_counts, pd.DataFrame({"task_id": [1], "outcome": ["not_attempted"],
                                                           "hard": [False], "source": ["self"], "n": [4]})])
    data = IterationData(data.tasks, counts, data.seq_counts, data.times, data.sus)
    assert iteration_report(data, 5)["tasks"][0]["n"] == 5


# ------------------------------------------------------------ segments
def segment_frame():
    """age_band 30s, task 1: 4 successes (1 hard) + 1 failure; 40s: 2 successes; missing age: 5 failures."""
    return pd.DataFrame({
        "segment": ["age_band"] * 5,
        "value": ["30s", "30s", "30s", "40s", None],
        "task_id": [1, 1, 1, 1, 1],
        "outcome": ["success", "success", "failure", "success", "failure"],
        "hard": [False, True, False, False, False],
        "n": [3, 1, 1, 2, 5],
    })


def test_segment_cell_figures():
    # 30s: completion 4/5 (0.3596 .. 0.9797); inconvenience 2/5 (mirror of 3/5: 0.115987 .. 0.770909)
    cells = {c["value"]: c for c in segment_report(segment_frame())}
    thirties = cells["30s"]
    assert thirties["suppressed"] is False and thirties["n"] == 5
    assert thirties["completion_rate"] == approx(0.8)
    assert (thirties["completion_lower"], thirties["completion_upper"]) == (approx(0.3596), approx(0.9797))
    assert thirties["inconvenience_rate"] == approx(0.4)
    assert (thirties["inconvenience_lower"], thirties["inconvenience_upper"]) == (approx(0.115987), approx(0.770909))


def test_small_segment_cells_are_suppressed_never_zero():
    cells = {c["value"]: c for c in segment_report(segment_frame())}
    forties = cells["40s"]
    assert forties["suppressed"] is True and forties["n"] is None
    assert all(forties[k] is None for k in forties if k.endswith(("rate", "lower", "upper")))


def test_missing_segment_values_read_unknown():
    cells = {c["value"]: c for c in segment_report(segment_frame())}
    assert set(cells) == {"30s", "40s", "unknown"}
    assert cells["unknown"]["n"] == 5 and cells["unknown"]["completion_rate"] == 0.0


def test_segment_k_threshold():
    assert all(not c["suppressed"] for c in segment_report(segment_frame(), k=2))
    assert all(c["suppressed"] for c in segment_report(segment_frame(), k=6))
    with pytest.raises(ValueError):
        segment_report(segment_frame(), k=0)


def test_segment_report_is_plain_and_pure():
    frame = segment_frame()
    before = frame.copy()
    cells = segment_report(frame)
    assert_json_plain(cells)
    pd.testing.assert_frame_equal(frame, before)


# ------------------------------------------------------------ purity
@pytest.mark.parametrize("module", ["metrics.py", "report.py", "compare.py"])
def test_analysis_modules_do_no_io(module):
    tree = ast.parse((ANALYSIS / module).read_text(encoding="utf-8"))
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom) and node.module}
    assert not imported & {"flask", "sqlalchemy", "psycopg", "os", "io", "requests", "pathlib"}
    calls = {node.func.id for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}
    assert "open" not in calls and "print" not in calls


def test_area_report_pools_the_municipality_segment_and_rates_each_area():
    counts = pd.DataFrame({"segment": ["municipality"] * 3 + ["device"], "value": ["131041", "131041", None, "pc"],
                           "task_id": [1, 2, 1, 1], "outcome": ["failure", "success", "success", "failure"],
                           "hard": [True, False, False, True], "n": [3, 4, 2, 9]})
    rows = report.area_report({"131041": 5, None: 1}, counts)
    assert [{k: r[k] for k in ("code", "participants", "inconvenient", "attempts")} for r in rows] == [
        {"code": "131041", "participants": 5, "inconvenient": 3, "attempts": 7}]
    assert rows[0]["inconvenience"] == metrics.inconvenience_from_counts(3, 7)
    assert report.area_report({"131041": 5}, counts, task_id=2)[0]["attempts"] == 4
