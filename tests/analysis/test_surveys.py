"""civictest.analysis.surveys on hand-made data whose answers are worked out here by hand formulas."""
import math
import random

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from civictest.analysis import surveys

TOL = 5e-5
Z = stats.norm.ppf(0.975)


def approx(value):
    return pytest.approx(value, abs=TOL)


def adjusted_wald(x, n):
    """The adjusted-Wald interval by its formula (METRICS 1.1)."""
    n_adj = n + Z * Z
    p = (x + Z * Z / 2) / n_adj
    half = Z * math.sqrt(p * (1 - p) / n_adj)
    return max(0.0, p - half), min(1.0, p + half)


# ---------------------------------------------------------------- one item
def test_item_summary_bands_shares_intervals_and_mean():
    counts = {1: 2, 2: 3, 3: 5, 4: 6, 5: 4}  # 20 answers: 5 negative, 5 neutral, 10 positive
    out = surveys.item_summary(counts)
    assert out["n"] == 20
    assert out["positive"]["count"] == 10 and out["positive"]["share"] == approx(0.5)
    assert out["neutral"]["count"] == 5 and out["negative"]["count"] == 5
    assert (out["positive"]["lower"], out["positive"]["upper"]) == tuple(map(approx, adjusted_wald(10, 20)))
    assert (out["negative"]["lower"], out["negative"]["upper"]) == tuple(map(approx, adjusted_wald(5, 20)))
    values = np.repeat([1, 2, 3, 4, 5], [2, 3, 5, 6, 4])
    assert out["mean"] == approx(67 / 20)
    sd = values.std(ddof=1)
    half = stats.t.ppf(0.975, 19) * sd / math.sqrt(20)
    assert out["sd"] == approx(sd)
    assert (out["mean_lower"], out["mean_upper"]) == (approx(3.35 - half), approx(3.35 + half))


def test_item_summary_empty_and_bad_input():
    out = surveys.item_summary({})
    assert out["n"] == 0 and out["mean"] is None and out["positive"]["share"] is None
    assert out["counts"] == {1: 0, 2: 0, 3: 0, 4: 0, 5: 0}
    with pytest.raises(ValueError):
        surveys.item_summary({6: 1})
    with pytest.raises(ValueError):
        surveys.item_summary({3: -1})
    with pytest.raises(ValueError):
        surveys.item_summary({2.5: 1})


def test_bands_of_a_five_and_a_seven_point_scale():
    assert [surveys.band_of(v) for v in range(1, 6)] == ["negative"] * 2 + ["neutral"] + ["positive"] * 2
    assert [surveys.band_of(v, 1, 7) for v in range(1, 8)] == ["negative"] * 3 + ["neutral"] + ["positive"] * 3


def test_choice_summary():
    out = surveys.choice_summary({"a": 3, "b": 1, "c": 0})
    assert out["n"] == 4
    assert out["options"]["a"]["share"] == approx(0.75)
    assert (out["options"]["c"]["lower"], out["options"]["c"]["upper"]) == tuple(map(approx, adjusted_wald(0, 4)))


# ---------------------------------------------------------------- suppression and merging upward
def shown(result):
    return {unit for unit, row in result.items() if row["shown"]}


def test_small_unit_is_merged_into_its_parent_and_a_complement_is_hidden():
    # R has A 12, B 15, C 3: C is below k; R - A - B would give C away, so the smaller of A and B goes too
    units = [("R", None), ("A", "R"), ("B", "R"), ("C", "R")]
    out = surveys.suppress_units(units, {"A": 12, "B": 15, "C": 3}, k=10)
    assert shown(out) == {"R", "B"}
    assert out["C"]["shown_as"] == "R" and out["A"]["shown_as"] == "R"
    assert out["R"]["respondents"] == 30 and out["B"]["respondents"] == 15


def test_parents_own_respondents_are_protected_like_a_hidden_child():
    units = [("R", None), ("A", "R"), ("B", "R")]
    assert shown(surveys.suppress_units(units, {"R": 4, "A": 12, "B": 15}, k=10)) == {"R", "B"}
    # with 10 of its own the remainder may be derived: it describes 10 people
    assert shown(surveys.suppress_units(units, {"R": 10, "A": 12, "B": 15}, k=10)) == {"R", "A", "B"}


def test_empty_units_need_no_complement():
    units = [("R", None), ("A", "R"), ("B", "R"), ("C", "R")]
    out = surveys.suppress_units(units, {"A": 12, "B": 15}, k=10)
    assert shown(out) == {"R", "A", "B"}
    assert out["C"]["shown"] is False and out["C"]["respondents"] == 0


def test_hiding_cascades_down_and_complements_apply_at_every_level():
    # R: A (A1 6, A2 11), B 11, C 2. At R: C hidden, remainder 2 -> B (11 < A's 17) hidden.
    # At A: A1 hidden, remainder 6 -> A2 hidden. B's child B1 goes with B.
    units = [("R", None), ("A", "R"), ("A1", "A"), ("A2", "A"), ("B", "R"), ("B1", "B"), ("C", "R")]
    out = surveys.suppress_units(units, {"A1": 6, "A2": 11, "B1": 11, "C": 2}, k=10)
    assert shown(out) == {"R", "A"}
    assert out["A2"]["shown_as"] == "A" and out["B1"]["shown_as"] == "R" and out["C"]["shown_as"] == "R"


def test_whole_survey_below_k_shows_nothing():
    out = surveys.suppress_units([("R", None), ("A", "R")], {"A": 9}, k=10)
    assert shown(out) == set() and out["A"]["shown_as"] is None


def test_no_hidden_group_can_be_derived_by_subtraction_on_random_trees():
    rng = random.Random(16)
    for _ in range(200):
        units = [(0, None)]
        for unit in range(1, rng.randint(2, 40)):
            units.append((unit, rng.randrange(unit)))
        respondents = {u: rng.choice([0, 0, 1, 3, 5, 8, 12, 20]) for u, _ in units}
        k = rng.choice([5, 10])
        out = surveys.suppress_units(units, respondents, k=k)
        children = {}
        for unit, parent in units:
            children.setdefault(parent, []).append(unit)
        for unit, _parent in units:
            row = out[unit]
            if not row["shown"]:
                continue
            assert row["respondents"] >= k
            rest = row["respondents"] - sum(out[c]["respondents"] for c in children.get(unit, []) if out[c]["shown"])
            assert rest == 0 or rest >= k, (units, respondents, k, unit)
        for unit, parent in units:  # a shown unit's parent is shown: merging goes upward only
            if out[unit]["shown"] and parent is not None:
                assert out[parent]["shown"]


def test_bad_trees_are_refused():
    with pytest.raises(ValueError):
        surveys.suppress_units([("A", "B"), ("B", "A")], {})
    with pytest.raises(ValueError):
        surveys.suppress_units([("A", "Z")], {})
    with pytest.raises(ValueError):
        surveys.suppress_units([("A", None)], {"X": 3})
    with pytest.raises(ValueError):
        surveys.suppress_units([("A", None)], {}, k=0)


def test_job_grades_use_the_open_data_rule():
    assert surveys.suppress_groups({"g1": 30, "g2": 4, "g3": 12}, k=10) == {"g1": True, "g2": False, "g3": False}
    assert surveys.suppress_groups({"g1": 30, "g2": 0}, k=10) == {"g1": True, "g2": True}


def test_roll_up_sums_subtrees():
    units = [("R", None), ("A", "R"), ("A1", "A")]
    assert surveys.roll_up(units, {"R": 1, "A": 2, "A1": 4}) == {"R": 7, "A": 6, "A1": 4}


# ---------------------------------------------------------------- response rates
def test_response_rates_roll_up_and_keep_only_shown_units():
    units = [("R", None), ("A", "R"), ("B", "R")]
    out = surveys.response_rates(units, {"A": 20, "B": 30}, {"A": 10, "B": 15}, shown=["R", "B"])
    assert set(out) == {"R", "B"}
    assert out["R"]["invited"] == 50 and out["R"]["answered"] == 25 and out["R"]["rate"] == approx(0.5)
    assert (out["R"]["lower"], out["R"]["upper"]) == tuple(map(approx, adjusted_wald(25, 50)))
    with pytest.raises(ValueError):
        surveys.response_rates(units, {"A": 1}, {"A": 2})


# ---------------------------------------------------------------- post-stratification
ROSTER = {("A", "g1"): 60, ("A", "g2"): 40, ("B", "g1"): 100}
RESPONDENTS = {("A", "g1"): 30, ("A", "g2"): 10, ("B", "g1"): 10}
ANSWERS = {("A", "g1"): {5: 30}, ("A", "g2"): {3: 10}, ("B", "g1"): {1: 10}}


def test_weights_are_roster_share_over_respondent_share():
    out = surveys.poststratification_weights(ROSTER, RESPONDENTS)
    assert out["weights"] == {("A", "g1"): approx(0.5), ("A", "g2"): approx(1.0), ("B", "g1"): approx(2.5)}
    assert out["covered_roster_share"] == approx(1.0) and out["uncovered_cells"] == []


def test_weighted_and_unweighted_figures_differ_as_worked_out_by_hand():
    weights = surveys.poststratification_weights(ROSTER, RESPONDENTS)["weights"]
    weighted = surveys.weighted_item_summary(ANSWERS, weights)
    merged = {}
    for counts in ANSWERS.values():
        for value, count in counts.items():
            merged[value] = merged.get(value, 0) + count
    unweighted = surveys.item_summary(merged)
    assert unweighted["positive"]["share"] == approx(0.6) and unweighted["mean"] == approx(3.8)
    # masses 30*0.5=15 (5s), 10*1=10 (3s), 10*2.5=25 (1s) of 50
    assert weighted == {"n": 50, "positive": approx(0.3), "neutral": approx(0.2), "negative": approx(0.5),
                        "mean": approx(2.6)}


def test_roster_cells_without_respondents_are_reported_not_weighted():
    out = surveys.poststratification_weights({**ROSTER, ("B", "g2"): 50}, RESPONDENTS)
    assert out["covered_roster_share"] == approx(0.8) and out["uncovered_cells"] == [("B", "g2")]
    assert out["weights"][("B", "g1")] == approx(2.5)
    with pytest.raises(ValueError):
        surveys.poststratification_weights({("A", "g1"): 1}, {("C", "g1"): 1})
    assert surveys.poststratification_weights({("A", "g1"): 5}, {})["weights"] == {}


# ---------------------------------------------------------------- wave vs wave
def n_minus_1(x1, n1, x2, n2):
    """N-1 two-proportion z and two-sided p by the hand formula (METRICS 7.1)."""
    p1, p2, pooled, total = x1 / n1, x2 / n2, (x1 + x2) / (n1 + n2), n1 + n2
    z = (p1 - p2) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2)) * math.sqrt((total - 1) / total)
    return z, 2 * stats.norm.sf(abs(z))


def scale(positive, neutral, negative):
    return {5: positive, 3: neutral, 1: negative}


def test_wave_comparison_with_known_answers_and_holm():
    base = {"q1": scale(20, 40, 40), "q2": scale(30, 40, 30), "q3": scale(50, 20, 30), "gone": scale(1, 1, 1)}
    candidate = {"q1": scale(40, 30, 30), "q2": scale(30, 40, 30), "q3": scale(35, 35, 30), "new": scale(1, 1, 1)}
    out = surveys.compare_waves(base, candidate)
    items = {item["item"]: item for item in out["items"]}
    assert list(items) == ["q1", "q2", "q3"]
    assert out["only_base"] == ["gone"] and out["only_candidate"] == ["new"]
    z1, p1 = n_minus_1(40, 100, 20, 100)
    z3, p3 = n_minus_1(35, 100, 50, 100)
    assert items["q1"]["positive"]["n1_z"] == approx(z1) and items["q1"]["headline_p"] == approx(p1)
    assert items["q3"]["positive"]["n1_z"] == approx(z3) and items["q3"]["headline_p"] == approx(p3)
    assert items["q1"]["positive"]["difference"] == approx(0.2)
    assert items["q2"]["headline_p"] == approx(1.0)
    # unadjusted: q1 better (p 0.002), q3 worse (p 0.032); Holm: 3 * 0.002 < 0.05, 2 * 0.032 > 0.05
    assert items["q1"]["verdict"] == surveys.IMPROVED and items["q3"]["verdict"] == surveys.WORSE
    assert items["q2"]["verdict"] == surveys.NO_CHANGE
    assert items["q1"]["holm_adjusted_p"] == approx(3 * p1) and items["q3"]["holm_adjusted_p"] == approx(2 * p3)
    assert items["q1"]["holm_verdict"] == surveys.IMPROVED and items["q3"]["holm_verdict"] == surveys.NO_CHANGE
    assert out["verdict"] == surveys.IMPROVED
    # means: q1 base (100+120+40)/100 = 2.6, candidate (200+90+30)/100 = 3.2
    assert items["q1"]["mean"]["mean_b"] == approx(2.6) and items["q1"]["mean"]["difference"] == approx(0.6)


def test_mann_whitney_on_the_whole_scale():
    out = surveys.compare_item({1: 3}, {5: 3})
    assert out["mann_whitney"]["u"] == 9  # every candidate answer above every base answer
    same = surveys.compare_item({3: 5}, {3: 5})
    assert same["mann_whitney"] == {"u": None, "p_two_sided": None}


def test_mixed_and_worse_and_empty_waves():
    better, worse = scale(80, 10, 10), scale(10, 10, 80)
    assert surveys.compare_waves({"a": worse, "b": better}, {"a": better, "b": worse})["verdict"] == surveys.MIXED
    assert surveys.compare_waves({"a": better}, {"a": worse})["verdict"] == surveys.WORSE
    empty = surveys.compare_waves({"a": {}}, {"a": better})
    assert empty["verdict"] == surveys.NO_CHANGE and empty["items"][0]["verdict"] is None


# ---------------------------------------------------------------- a whole wave
def wave_frames():
    """Org: R > A (A1 12 respondents, A2 3), R > B (15). Grades s (senior) and j (junior)."""
    units = [{"id": 1, "parent_id": None, "name": "R"}, {"id": 2, "parent_id": 1, "name": "A"},
             {"id": 3, "parent_id": 2, "name": "A1"}, {"id": 4, "parent_id": 2, "name": "A2"},
             {"id": 5, "parent_id": 1, "name": "B"}]
    items = [{"id": 10, "key": "q1", "kind": "scale", "scale_min": 1, "scale_max": 5},
             {"id": 11, "key": "q2", "kind": "choice", "options": ["a", "b"]},
             {"id": 12, "key": "q3", "kind": "text"}]
    respondents = pd.DataFrame([(3, "s", 12), (4, "j", 3), (5, "j", 15)], columns=["unit_id", "grade", "n"])
    answers = pd.DataFrame([(10, 3, "s", 5, 12), (10, 4, "j", 1, 3), (10, 5, "j", 3, 15),
                            (11, 3, "s", "a", 12), (11, 5, "j", "b", 15)],
                           columns=["item_id", "unit_id", "grade", "value", "n"])
    roster = pd.DataFrame([(3, "s", 20, 12), (4, "j", 10, 3), (5, "j", 60, 15)],
                          columns=["unit_id", "grade", "invited", "answered"])
    base = pd.DataFrame([("q1", 5, 5), ("q1", 1, 25)], columns=["item_key", "value", "n"])
    return units, items, respondents, answers, roster, base


def split(units, answers):
    """The two aggregates SQL gives: per first-level unit and grade, and per unit."""
    top = surveys.first_levels(units)
    by_top = (answers.assign(top_id=answers["unit_id"].map(top))
              .groupby(["item_id", "top_id", "grade", "value"], as_index=False)["n"].sum())
    by_unit = answers.groupby(["item_id", "unit_id", "value"], as_index=False)["n"].sum()
    return {"by_top": by_top[["item_id", "top_id", "grade", "value", "n"]], "by_unit": by_unit}


def test_wave_results_put_every_figure_together():
    units, items, respondents, answers, roster, base = wave_frames()
    out = surveys.wave_results(items=items, units=units, **split(units, answers), respondents=respondents,
                               roster=roster, base_answers=base, k=10)
    assert out["respondents"] == 30 and out["shown"]
    q1 = out["items"][0]["overall"]
    assert q1["n"] == 30 and q1["positive"]["share"] == approx(12 / 30) and q1["mean"] == approx(108 / 30)
    assert out["items"][1]["overall"]["options"]["b"]["share"] == approx(15 / 27)
    assert out["items"][2]["overall"] is None  # free text is not counted here
    shown_units = {u["name"]: u for u in out["units"] if u["shown"]}
    # A2 (3) is hidden; A1 would give it away from A's total, so A1 is hidden too; A itself shows 15
    assert set(shown_units) == {"R", "A", "B"}
    assert shown_units["A"]["respondents"] == 15
    assert shown_units["A"]["items"][10]["positive"]["share"] == approx(12 / 15)
    a2 = next(u for u in out["units"] if u["name"] == "A2")
    assert a2["items"] is None and a2["respondents"] is None and a2["shown_as"] == 2
    assert shown_units["R"]["response_rate"]["rate"] == approx(30 / 90)
    assert shown_units["B"]["response_rate"]["invited"] == 60
    # grades: s 12, j 18, both >= 10
    grades = {g["grade"]: g for g in out["grades"]}
    assert grades["j"]["items"][10]["negative"]["share"] == approx(3 / 18)
    # weights by top unit x grade: (A, s) roster 20/90 over 12/30; (B, j) 60/90 over 15/30; (A, j) 10/90 over 3/30
    weights = {(w["unit_id"], w["grade"]): w["weight"] for w in out["weighting"]["weights"]}
    assert weights == {(2, "s"): approx((20 / 90) / (12 / 30)), (2, "j"): approx((10 / 90) / (3 / 30)),
                       (5, "j"): approx((60 / 90) / (15 / 30))}
    weighted = out["items"][0]["weighted"]
    assert weighted["positive"] == approx(20 / 90) and weighted["neutral"] == approx(60 / 90)
    change = out["comparison"]["items"][0]
    assert change["item_id"] == 10 and change["positive"]["p2"] == approx(5 / 30)
    assert change["positive"]["p1"] == approx(12 / 30)


def test_wave_below_k_shows_nothing():
    units, items, respondents, answers, roster, base = wave_frames()
    out = surveys.wave_results(items=items, units=units, **split(units, answers), respondents=respondents,
                               roster=roster, base_answers=base, k=31)
    assert not out["shown"] and out["items"][0]["overall"] is None and out["comparison"] is None
    assert not any(u["shown"] for u in out["units"]) and not any(g["shown"] for g in out["grades"])


def test_band_table_matches_item_summary():
    counts = pd.DataFrame([("x", 1, 2), ("x", 2, 3), ("x", 3, 5), ("x", 4, 6), ("x", 5, 4), ("y", 3, 0)],
                          columns=["g", "value", "n"])
    table = surveys.band_table(counts, ["g"]).set_index("g")
    single = surveys.item_summary({1: 2, 2: 3, 3: 5, 4: 6, 5: 4})
    for band in surveys.BANDS:
        assert table.loc["x", f"{band}_share"] == approx(single[band]["share"])
        assert table.loc["x", f"{band}_lower"] == approx(single[band]["lower"])
        assert table.loc["x", f"{band}_upper"] == approx(single[band]["upper"])
    assert table.loc["x", "mean"] == approx(single["mean"])
    assert table.loc["y", "n"] == 0 and np.isnan(table.loc["y", "positive_share"])


def test_fisher_only_when_it_is_the_recommended_test():
    from civictest.analysis.metrics import compare_completion_rates

    large = compare_completion_rates(450, 1000, 400, 1000, fisher_always=False)
    assert large["fisher_two_sided_p"] is None and large["recommended_test"] == "n_minus_1_two_proportion"
    assert large["recommended_p"] == approx(compare_completion_rates(450, 1000, 400, 1000)["recommended_p"])
    small = compare_completion_rates(0, 1, 1, 1, fisher_always=False)  # expected counts 0.5
    assert small["recommended_test"] == "fisher_exact" and small["fisher_two_sided_p"] == approx(1.0)


def test_mann_whitney_is_left_out_for_very_large_waves():
    big = {1: surveys.MANN_WHITNEY_MAX // 2, 5: 1}
    assert surveys.compare_item(big, big)["mann_whitney"] == {"u": None, "p_two_sided": None}


def test_mann_whitney_from_counts_is_scipy_on_the_expanded_answers():
    """The U and p computed from the counts are exactly scipy's on the answers themselves (random waves)."""
    import numpy as np
    from scipy import stats as scipy_stats

    rng = np.random.default_rng(16)
    for _ in range(300):
        points = int(rng.integers(2, 8))
        base = {v: int(c) for v, c in zip(range(1, points + 1), rng.integers(0, 60, points))}
        candidate = {v: int(c) for v, c in zip(range(1, points + 1), rng.integers(0, 60, points) * rng.integers(0, 2, points))}
        out = surveys._mann_whitney(base, candidate)
        a, b = surveys._expanded(candidate), surveys._expanded(base)
        if a.size == 0 or b.size == 0 or np.ptp(np.concatenate([a, b])) == 0:
            assert out == {"u": None, "p_two_sided": None}
            continue
        expected = scipy_stats.mannwhitneyu(a, b, alternative="two-sided", method="asymptotic")
        assert out == {"u": float(expected.statistic), "p_two_sided": float(expected.pvalue)}


def test_unit_changes_reveal_no_group_below_k_in_either_wave_on_random_trees():
    """compare_units on random trees and two waves: a unit is compared only when both waves show it under their
    own suppression, and in each wave every compared unit (and the whole) minus its compared children is 0 or at
    least k, so no subtraction within a wave, nor between the two waves' figures, gives a group below k."""
    rng = random.Random(1616)
    for _ in range(150):
        pairs = [(0, None)]
        for unit in range(1, rng.randint(2, 30)):
            pairs.append((unit, rng.randrange(unit)))
        units = [{"id": u, "parent_id": p} for u, p in pairs]
        k = rng.choice([5, 10])
        waves = [{u: rng.choice([0, 0, 1, 3, 5, 8, 12, 20]) for u, _ in pairs} for _ in range(2)]
        frames = [pd.DataFrame([(1, u, rng.randint(1, 5), n) for u, n in w.items() if n],
                               columns=["item_id", "unit_id", "value", "n"]) for w in waves]
        out = surveys.compare_units(items=[{"id": 1, "kind": "scale", "scale_min": 1, "scale_max": 5}], units=units,
                                    base_respondents=waves[0], candidate_respondents=waves[1],
                                    base_by_unit=frames[0], candidate_by_unit=frames[1], k=k)
        if not out["shown"]:
            assert out["units"] == []
            continue
        compared = {u["id"] for u in out["units"]}
        children: dict = {}
        for unit, parent in pairs:
            children.setdefault(parent, []).append(unit)
        for wave, side in zip(waves, ("base", "candidate")):
            own = surveys.suppress_units(pairs, wave, k)
            assert all(own[u]["shown"] for u in compared)
            for unit in compared | {0}:
                rest = own[unit]["respondents"] - sum(own[c]["respondents"] for c in children.get(unit, [])
                                                      if c in compared)
                assert rest == 0 or rest >= k, (pairs, wave, k, unit)
            for row in out["units"]:
                assert row[f"respondents_{side}"] == own[row["id"]]["respondents"] >= k
                assert row["items"][1][f"n_{side}"] == own[row["id"]]["respondents"]
        for row in out["not_compared"]:  # merged into the nearest compared unit above, or the whole (None)
            assert row["id"] not in compared and (row["into"] is None or row["into"] in compared)


def test_compare_units_batch_gives_exactly_compare_item_per_unit():
    """compare_units computes the N-1 test, its interval and Welch's test of all its units on arrays: every
    figure must equal compare_item's on the same counts, to the last bit (Fisher cases and empty groups too)."""
    rng = random.Random(2016)
    pairs = []
    for _ in range(1500):
        def counts() -> dict:
            most = rng.choice([0, 1, 3, 10, 50, 400, 5000])
            return {v: rng.randint(0, most) for v in range(1, 6) if rng.random() < 0.8}
        pairs.append((counts(), counts()))
    pairs += [({5: 3}, {5: 4}), ({1: 3}, {5: 3}), ({}, {3: 2}), ({3: 5}, {3: 5}), ({4: 1}, {1: 1})]
    many = surveys._compare_many(pairs, 1, 5, 0.05)
    assert len(many) == len(pairs)
    for (base, candidate), row in zip(pairs, many):
        assert row == surveys.compare_item(base, candidate, 1, 5, 0.05), (base, candidate)
