"""civictest.reporting.surveys: SQL aggregates of a real wave give the figures worked out by hand."""
from __future__ import annotations

import json

import pytest

from civictest.reporting import surveys as reporting
from survey_results_data import two_waves

TOL = 5e-5


def approx(value):
    return pytest.approx(value, abs=TOL)


def test_wave_results_from_the_database(ctx):
    survey, first, second = two_waves()
    out = reporting.wave_results(second, k=10)
    json.dumps(out)  # JSON-ready as it is
    assert out["respondents"] == 30 and out["shown"]
    assert out["wave"]["label"] == "2027年度" and out["base_wave"]["id"] == first.id
    q0, q1, q2, q3 = out["items"]
    assert q0["overall"]["positive"]["share"] == approx(12 / 30)
    assert q0["overall"]["negative"]["share"] == approx(3 / 30) and q0["overall"]["neutral"]["count"] == 15
    assert q0["overall"]["mean"] == approx((60 + 3 + 45) / 30)
    assert q2["kind"] == "choice" and q2["overall"]["options"]["1"]["count"] == 12
    assert q3["kind"] == "text" and q3["text"]["answers"] == 15 and q3["text"]["read"] == 15
    assert q3["text"]["sentiment"].get("negative", 0) >= 1
    assert any(theme["phrase"] == "端末" for theme in q3["text"]["themes"])
    units = {u["path"]: u for u in out["units"]}
    # 文書課 (3) is hidden; 総務課 would give it away from 総務部's 15, so it is hidden too
    assert not units["総務局/総務部/文書課"]["shown"] and not units["総務局/総務部/総務課"]["shown"]
    assert units["総務局/総務部/総務課"]["shown_as"] == units["総務局/総務部"]["id"]
    assert units["総務局/総務部"]["respondents"] == 15
    assert units["総務局/総務部"]["items"][str(q0["id"])]["positive"]["share"] == approx(12 / 15)
    assert units["財務局/主計部/財政課"]["response_rate"]["rate"] == approx(15 / 60)
    assert units[""]["response_rate"]["rate"] == approx(30 / 90)
    assert out["response_rate"]["invited"] == 90 and out["response_rate"]["answered"] == 30
    grades = {g["grade"]: g for g in out["grades"]}
    # 課長 (3) is hidden, and 主事 with it: the total minus 主事 would give 課長 away
    assert not grades["課長"]["shown"] and not grades["主事"]["shown"] and grades["主事"]["items"] is None
    # weighting by 局 x grade: (総務局, 主事) 20/90 over 12/30, (総務局, 課長) 10/90 over 3/30, (財務局, 主事) 60/90 over 15/30
    weighted = q0["weighted"]
    assert weighted["positive"] == approx(20 / 90) and weighted["negative"] == approx(10 / 90)
    change = out["comparison"]["items"][0]
    assert change["item_id"] == q0["id"]
    assert change["positive"]["p2"] == approx(5 / 30) and change["positive"]["p1"] == approx(12 / 30)
    assert change["n_base"] == 30 and change["n_candidate"] == 30


def test_first_wave_has_no_comparison_and_small_k_shows_more(ctx):
    survey, first, second = two_waves()
    out = reporting.wave_results(first, k=3)
    assert out["comparison"] is None and out["base_wave"] is None
    assert all(u["shown"] for u in out["units"])


def test_a_wave_below_k_shows_no_figure(ctx):
    survey, first, second = two_waves()
    out = reporting.wave_results(second, k=31)
    assert not out["shown"] and out["items"][0]["overall"] is None and out["items"][3]["text"] is None
