"""The change since the previous wave per org unit (issue 16): hand-made waves with known answers, suppression
that holds across the two waves, and the page and the API showing the same function's numbers."""
from __future__ import annotations

import math
import re

from helpers import login, make_user
from scipy import stats
from survey_results_data import add_wave_people, people, two_waves

from civictest.extensions import db
from civictest.reporting import surveys as reporting
from civictest.services import accounts, surveys
from survey_helpers import make_survey

K = 10


def n_minus_one_p(x1: int, n1: int, x2: int, n2: int) -> float:
    """The N-1 two-proportion test by its formula (METRICS 7.1)."""
    n = n1 + n2
    p = (x1 + x2) / n
    z = (x1 / n1 - x2 / n2) / math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2)) * math.sqrt((n - 1) / n)
    return 2 * stats.norm.sf(abs(z))


def by_path(changes: dict) -> dict:
    return {u["path"]: u for u in changes["units"]}


def test_unit_changes_of_two_waves_with_known_answers(ctx):
    """two_waves: 総務課 12 and 文書課 3 respondents in both waves (総務課 hidden as the complement of 文書課),
    財政課 15. Item 0: 総務部 5 of 15 positive -> 12 of 15; 財政課 0 of 15 -> 0 of 15 (all 1 -> all 3)."""
    survey, first, second = two_waves()
    item = survey.items[0].id
    changes = reporting.unit_changes(second, K, item_id=item)
    assert changes["shown"] and changes["items"] == [item]
    units = by_path(changes)
    assert sorted(units) == ["総務局", "総務局/総務部", "財務局", "財務局/主計部", "財務局/主計部/財政課"]
    assert {m["path"]: m["into"] for m in changes["not_compared"]} == {
        "総務局/総務部/総務課": units["総務局/総務部"]["id"], "総務局/総務部/文書課": units["総務局/総務部"]["id"]}
    soumu = units["総務局/総務部"]["items"][str(item)]
    assert (soumu["n_base"], soumu["n_candidate"]) == (15, 15)
    assert units["総務局/総務部"]["respondents_base"] == 15 and units["総務局/総務部"]["respondents_candidate"] == 15
    assert math.isclose(soumu["positive"]["p2"], 5 / 15) and math.isclose(soumu["positive"]["p1"], 12 / 15)
    assert soumu["positive"]["recommended_test"] == "n_minus_1_two_proportion"
    p = n_minus_one_p(12, 15, 5, 15)
    assert math.isclose(soumu["headline_p"], p, rel_tol=1e-9)
    # Welch on the mean: base 5x5 + 10x1 (mean 7/3), candidate 12x5 + 3x1 (mean 4.2)
    base, cand = [5] * 5 + [1] * 10, [5] * 12 + [1] * 3
    welch = stats.ttest_ind(cand, base, equal_var=False)
    assert math.isclose(soumu["mean"]["difference"], 4.2 - 7 / 3) and math.isclose(soumu["mean"]["p_two_sided"],
                                                                                    welch.pvalue, rel_tol=1e-6)
    mann_whitney = stats.mannwhitneyu(cand, base, alternative="two-sided", method="asymptotic")
    assert math.isclose(soumu["mann_whitney"]["p_two_sided"], mann_whitney.pvalue, rel_tol=1e-9)
    # Holm across the units tested for this item: 総務局 and 総務部 have the same p, the smallest
    tested = [u["items"][str(item)]["headline_p"] for u in changes["units"]
              if u["items"][str(item)]["headline_p"] is not None]
    assert math.isclose(soumu["holm_adjusted_p"], min(1.0, len(tested) * p), rel_tol=1e-9)
    assert soumu["holm_verdict"] == ("improved" if len(tested) * p < 0.05 else "no_detectable_change")
    zaisei = units["財務局/主計部/財政課"]["items"][str(item)]
    assert (zaisei["positive"]["p2"], zaisei["positive"]["p1"]) == (0.0, 0.0)
    assert zaisei["holm_verdict"] in ("no_detectable_change", None) and zaisei["verdict"] != "improved"
    # every scale item without ?item=
    assert reporting.unit_changes(second, K)["items"] == [survey.items[0].id, survey.items[1].id]
    assert reporting.unit_changes(first, K) is None  # the first wave has nothing to compare with


def test_a_unit_hidden_in_one_wave_is_not_compared_and_nothing_is_revealed(ctx):
    """文書課 has 3 respondents in wave 1 and 10 in wave 2: wave 2 shows 総務課 and 文書課, wave 1 shows neither
    (文書課 below k, 総務課 as its complement). Comparing them would show wave 1's 総務課 (12) and, by
    subtraction from 総務部, wave 1's 文書課 (3): neither is compared, and every figure given for a wave is one
    that wave's own results show."""
    survey, first = make_survey()
    add_wave_people(first, {"総務局/総務部/総務課": people(12, p0=[5, 1], p1=[3]),
                            "総務局/総務部/文書課": people(3, p0=[1], p1=[3]),
                            "財務局/主計部/財政課": people(15, p0=[1, 5], p1=[3])})
    surveys.set_wave_state(first, "open")
    surveys.set_wave_state(first, "closed")
    second = surveys.create_wave(survey, "2027年度")
    db.session.flush()
    add_wave_people(second, {"総務局/総務部/総務課": people(12, p0=[5], p1=[4]),
                             "総務局/総務部/文書課": people(10, p0=[5], p1=[2]),
                             "財務局/主計部/財政課": people(15, p0=[3], p1=[3])})
    db.session.commit()
    own = {w.id: {u["path"]: u for u in reporting.wave_results(w, K, every_item=True)["units"]}
           for w in (first, second)}
    assert own[second.id]["総務局/総務部/総務課"]["shown"] and own[second.id]["総務局/総務部/文書課"]["shown"]
    assert not own[first.id]["総務局/総務部/総務課"]["shown"] and not own[first.id]["総務局/総務部/文書課"]["shown"]
    changes = reporting.unit_changes(second, K)
    units = by_path(changes)
    assert "総務局/総務部/総務課" not in units and "総務局/総務部/文書課" not in units
    assert {m["path"] for m in changes["not_compared"]} == {"総務局/総務部/総務課", "総務局/総務部/文書課"}
    for path, unit in units.items():  # each wave's figures are those its own page shows
        for wave, side in ((first, "base"), (second, "candidate")):
            shown = own[wave.id][path]
            assert shown["shown"] and unit[f"respondents_{side}"] == shown["respondents"]
            for item_id, change in unit["items"].items():
                counts = shown["items"][item_id]
                assert change[f"n_{side}"] == counts["n"]
                rate = change["positive"]["p2" if side == "base" else "p1"]
                assert math.isclose(rate, counts["positive"]["share"])
    # the hidden groups' numbers (12 and 3 in wave 1) appear nowhere as a base n
    assert all(c["n_base"] not in (3, 12) for u in changes["units"] for c in u["items"].values())


def test_the_page_and_the_api_show_the_same_unit_changes(app, client):
    with app.app_context():
        survey, first, second = two_waves()
        admin = make_user("admin")
        token = accounts.issue_api_token(admin)
        db.session.commit()
        ids = survey.id, second.id, survey.items[0].id
        scale_ids = [survey.items[0].id, survey.items[1].id]
        expected = reporting.unit_changes(second, K, item_id=ids[2])
    headers = {"Authorization": f"Bearer {token}"}
    url = f"/api/v1/surveys/{ids[0]}/waves/{ids[1]}/unit-changes"
    api = client.get(f"{url}?item={ids[2]}", headers=headers)
    assert api.status_code == 200 and api.json == expected
    assert client.get(url, headers=headers).json["items"] == scale_ids  # without ?item=: every scale item
    assert client.get(f"/api/v1/surveys/{ids[0]}/waves/{first.id}/unit-changes", headers=headers).status_code == 404
    assert client.get(f"{url}?item=x", headers=headers).status_code == 400
    assert client.get(url).status_code == 401
    login(client, admin)
    html = client.get(f"/compare/surveys/waves/{ids[1]}?item={ids[2]}").get_data(as_text=True)
    table = html[html.index('<table class="survey-unit-changes">'):]
    table = table[:table.index("</table>")]
    rows = re.findall(r'<th scope="row">(.*?)</th><td class="num">(\d+)%<br><span class="muted">n=(\d+)</span></td>'
                      r'<td class="num">(\d+)%<br><span class="muted">n=(\d+)</span></td><td>(.*?)</td></tr>', table, re.S)
    assert [r[0] for r in rows] == [u["path"] for u in api.json["units"]]
    for row, unit in zip(rows, api.json["units"]):
        change = unit["items"][str(ids[2])]
        assert int(row[1]) == round(change["positive"]["p2"] * 100) and int(row[2]) == change["n_base"]
        assert int(row[3]) == round(change["positive"]["p1"] * 100) and int(row[4]) == change["n_candidate"]
        text = re.sub(r"<[^>]+>", "", row[5]).strip()
        if change["holm_verdict"] == "no_detectable_change" and change["verdict"] in ("improved", "worse"):
            assert text.endswith("変わったように見えるが確かではない")  # alone a change, not once corrected
        else:
            word = {"improved": "改善", "worse": "悪化", "no_detectable_change": "変化は検出されず"}[change["holm_verdict"]]
            assert text.endswith(word)
    details = html[html.index('<table class="survey-unit-change-details">'):]
    assert "差の95%信頼区間" in details[:details.index("</table>")]  # the sentence with the interval, behind 詳しく
    assert "総務局/総務部/文書課 → 総務部" in html


def test_a_change_that_holm_does_not_confirm_is_worded_as_uncertain():
    """A unit whose own test finds a change that Holm across the units does not confirm is not called "no
    detectable change" beside an interval that excludes 0: the sentence says it is not certain."""
    from civictest.dashboards.surveys import unit_change_rows

    change = {"n_base": 12, "n_candidate": 20, "verdict": "improved", "holm_verdict": "no_detectable_change",
              "holm_adjusted_p": 0.2, "headline_p": 0.01,
              "positive": {"p1": 0.55, "p2": 0.17, "difference": 0.38, "diff_ci_agresti_caffo": [0.03, 0.63],
                           "recommended_p": 0.01},
              "mean": {"mean_a": 3.6, "mean_b": 2.8, "difference": 0.8, "p_two_sided": 0.03, "diff_ci": [0.1, 1.5]},
              "mann_whitney": {"u": 1.0, "p_two_sided": 0.02}}
    changes = {"shown": True, "base_wave": {"label": "2025年度"}, "not_compared": [],
               "units": [{"id": 3, "name": "窓口係", "path": "区民部/区民課/窓口係", "depth": 3, "items": {"7": change}}]}
    rows = unit_change_rows(changes, 7)["rows"]
    assert "17% → 55%" in rows[0]["headline"]["sentence"] and "確かとは言えません" in rows[0]["headline"]["sentence"]
    assert rows[0]["holm"]["key"] == "no_detectable_change"
    assert rows[0]["short"]["word"] == "変わったように見えるが確かではない"
    change["verdict"] = "no_detectable_change"  # no change either way: the usual sentence
    assert unit_change_rows(changes, 7)["rows"][0]["headline"]["sentence"].startswith("変化は検出されず")
