"""Verdict sentences: exact words, rounding only for display, n always said, Japanese and English."""
from pathlib import Path

import pytest
from babel.support import Translations

from civictest.dashboards import verdicts
from civictest.dashboards.verdicts import mean_verdict, percent, points, rate_verdict, signed, time_verdict

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def en():
    return Translations.load(str(ROOT / "civictest" / "translations"), ["en"]).gettext


def completion(p_base, p_candidate, low, high, p_value):
    """A compare_completion_rates(candidate, base) dict: p1 is the candidate."""
    return {"p1": p_candidate, "p2": p_base, "difference": p_candidate - p_base, "recommended_p": p_value,
            "diff_ci_agresti_caffo": [low, high]}


def test_improved_completion_sentence_is_exact_in_japanese_and_english(en):
    compared = completion(0.48, 0.81, 0.1234, 0.5251, 0.01)
    ja = rate_verdict(compared, 25, 26, lower_is_better=False)
    assert ja["sentence"] == "改善: 48% → 81%（差の95%信頼区間 12〜53ポイント、n=25→26）"
    assert (ja["key"], ja["icon"], ja["classes"]) == ("improved", "✓", "verdict verdict-improved")
    english = rate_verdict(compared, 25, 26, lower_is_better=False, gettext=en)
    assert english["sentence"] == "improved: 48% → 81% (95% interval of the difference 12 to 53 points, n = 25 → 26)"


def test_lower_inconvenience_is_improved_with_typographic_minus(en):
    compared = completion(0.62, 0.31, -0.5449, -0.0612, 0.002)
    assert rate_verdict(compared, 26, 26, lower_is_better=True)["sentence"] == \
        "改善: 62% → 31%（差の95%信頼区間 −54〜−6ポイント、n=26→26）"
    worse = rate_verdict(completion(0.23, 0.85, 0.36, 0.79, 0.0001), 26, 26, lower_is_better=True, gettext=en)
    assert worse["key"] == "worse"
    assert worse["sentence"] == "worse: 23% → 85% (95% interval of the difference 36 to 79 points, n = 26 → 26)"


def test_no_detectable_change_and_the_analysis_verdict_wins(en):
    compared = completion(0.42, 0.50, -0.19, 0.33, 0.54)
    ja = rate_verdict(compared, 26, 26, lower_is_better=True)
    assert ja["sentence"] == "変化は検出されず: 42% → 50%（差の95%信頼区間 −19〜33ポイント、n=26→26）"
    # A Holm-adjusted or task verdict from civictest.analysis is shown as given, not re-derived.
    assert rate_verdict(compared, 26, 26, lower_is_better=True, key="worse")["key"] == "worse"
    assert rate_verdict(compared, 26, 26, lower_is_better=True, gettext=en)["sentence"].startswith(
        "no detectable change: 42% → 50% (95% interval of the difference −19 to 33 points")


def test_missing_group_is_not_comparable_and_still_says_n(en):
    compared = {"p1": 0.5, "p2": None, "difference": None, "recommended_p": None, "diff_ci_agresti_caffo": None}
    result = rate_verdict(compared, 0, 12, lower_is_better=True)
    assert result["key"] == "not_comparable"
    assert result["sentence"] == "比較できるデータが不足: – → 50%（n=0→12）"
    assert rate_verdict(compared, 0, 12, lower_is_better=True, gettext=en)["sentence"] == \
        "not enough data to compare: – → 50% (n = 0 → 12)"


def test_means_and_times(en):
    sus = {"mean_a": 58.46, "mean_b": 70.0, "difference": -11.54, "p_two_sided": 0.051, "diff_ci": [-24.01, 0.93]}
    assert mean_verdict(sus, 26, 26)["sentence"] == \
        "変化は検出されず: 70.0 → 58.5（差の95%信頼区間 −24.0〜0.9点、n=26→26）"
    seq = {"mean_a": 5.5, "mean_b": 3.2, "difference": 2.3, "p_two_sided": 0.0001, "diff_ci": [1.3, 3.2]}
    assert mean_verdict(seq, 24, 25, gettext=en)["sentence"] == \
        "improved: 3.2 → 5.5 (95% interval of the difference 1.3 to 3.2 points, n = 24 → 25)"
    faster = {"geomean_a": 105.4, "geomean_b": 256.2, "ratio_a_over_b": 0.41, "p_two_sided": 0.0001,
              "ratio_ci": [0.336, 0.502]}
    assert time_verdict(faster, 12, 21)["sentence"] == \
        "改善: 256秒 → 105秒（時間の比の95%信頼区間 0.34〜0.50倍、n=12→21）"
    assert time_verdict(faster, 12, 21, gettext=en)["sentence"] == \
        "improved: 256 s → 105 s (95% interval of the time ratio 0.34 to 0.50, n = 12 → 21)"
    slower = {**faster, "ratio_a_over_b": 1.8, "ratio_ci": [1.43, 2.4]}
    assert time_verdict(slower, 24, 9)["key"] == "worse"


def test_display_rounding_only():
    assert percent(0.4849) == "48%" and percent(0.485001) == "49%" and percent(None) == "–"
    assert points(-0.004) == "0" and points(-0.006) == "−1"
    assert signed("-0.0") == "0.0" and signed("-1.5") == "−1.5"


def test_every_verdict_has_a_word_and_an_icon():
    for key in verdicts.WORDS:
        shown = verdicts.word(key)
        assert shown["word"] and shown["icon"] and key in shown["classes"]
    assert len(set(verdicts.ICONS.values())) == len(verdicts.ICONS)
