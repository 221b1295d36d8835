"""Live-feedback figures: the statistics on hand-made counts, the tally against the rows, and the dashboard, the
service feedback page and the API showing the same numbers."""
from __future__ import annotations

import math
from html import unescape
import re
from datetime import date

import pytest
from helpers import login, make_service, make_user
from sqlalchemy import select

from civictest.analysis.feedback import feedback_points, satisfaction
from civictest.extensions import db
from civictest.models import FeedbackTally
from civictest.services import accounts, catalog
from civictest.services.feedback import record_feedback, stored_tally, tally_from_rows


def _wilson(x: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """Wilson's score interval written out (the test's own arithmetic, not the library's)."""
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def test_satisfaction_of_hand_made_counts():
    found = satisfaction({5: 3, 4: 1, 2: 1})  # ratings 5,5,5,4,2
    assert (found["n"], found["satisfied"], found["rate"]) == (5, 4, 0.8)
    assert (found["lower"], found["upper"]) == pytest.approx(_wilson(4, 5), abs=1e-12)
    assert found["mean"] == pytest.approx(4.2) and found["sd"] == pytest.approx(math.sqrt(1.7))
    none = satisfaction({})
    assert none["n"] == 0 and none["rate"] is None and none["mean"] is None
    every = satisfaction({5: 10})  # 100%: Wilson still gives an interval below 1
    assert every["rate"] == 1.0 and every["upper"] == pytest.approx(1.0) and every["lower"] == pytest.approx(
        _wilson(10, 10)[0])
    with pytest.raises(ValueError):
        satisfaction({6: 1})


def test_points_per_iteration_from_tally_rows():
    points = feedback_points([{"id": 7, "number": 1, "label": "a"}, {"id": 9, "number": 2, "label": "b"}],
                             [(9, 5, "yes", 2, 1), (9, 1, "", 1, 1), (9, 4, "partly", 1, 0)])
    assert points[0]["n"] == 0 and points[0]["rate"] is None
    assert (points[1]["n"], points[1]["satisfied"], points[1]["comments"]) == (4, 3, 2)
    assert points[1]["task_done"] == {"yes": 2, "partly": 1, "no": 0, "unanswered": 1}


@pytest.fixture
def world(ctx):
    service = make_service()
    first = service.iterations[0]
    second = catalog.create_iteration(service, "第2版", starts_on=date(2026, 6, 1))
    db.session.commit()
    answers = [(first, 2, "no", "わかりにくい"), (first, 4, "yes", ""), (first, 3, None, ""),
               (second, 5, "yes", "便利になりました"), (second, 4, "partly", ""), (second, 5, "yes", ""),
               (second, 1, "no", "メールは taro@example.jp へ")]
    for iteration, rating, done, comment in answers:
        record_feedback(service, rating=rating, task_done=done, comment=comment, lang="ja",
                        today=iteration.starts_on)
    db.session.commit()
    return {"service": service, "first": first, "second": second,
            "team": make_user("service_team", [service], "team@example.jp"),
            "other": make_user("service_team", [make_service("kankyo", "粗大ごみ")], "other@example.jp")}


def test_the_tally_equals_the_rows_and_answers_go_to_the_live_iteration(world):
    assert stored_tally() == tally_from_rows() and sum(n for n, _ in stored_tally().values()) == 7
    assert stored_tally()[(world["second"].id, 5, "yes")] == (2, 1)
    assert db.session.scalar(select(FeedbackTally.n).where(FeedbackTally.iteration_id == world["first"].id,
                                                           FeedbackTally.rating == 3)) == 1


def _api(client, user, url):  # noqa: ANN001, ANN202
    token = accounts.issue_api_token(user)
    db.session.commit()
    return client.get(url, headers={"Authorization": f"Bearer {token}"})


def _table(html: str) -> dict[str, tuple[str, str, str, str]]:
    rows = re.findall(r'<tr data-iteration="(\d+)">.*?<td class="n">(\d+)</td>\s*<td class="satisfied">([^<]*)</td>'
                      r'<td class="interval">([^<]*)</td>\s*<td class="mean">([^<]*)</td>', html, re.S)
    return {iteration: tuple(rest) for iteration, *rest in rows}


def _pct(value: float) -> str:
    return f"{value * 100:.1f}".rstrip("0").rstrip(".") + "%"


def test_dashboard_feedback_page_and_api_show_the_same_numbers(client, world):
    service, second = world["service"], world["second"]
    api = _api(client, world["team"], f"/api/v1/services/{service.id}/feedback")
    assert api.status_code == 200
    points = {str(p["iteration_id"]): p for p in api.json["points"]}
    assert (points[str(second.id)]["n"], points[str(second.id)]["satisfied"]) == (4, 3)
    expected = {key: (str(p["n"]), _pct(p["rate"]), f"{_pct(p['lower'])}–{_pct(p['upper'])}", f"{p['mean']:.2f}")
                for key, p in points.items()}
    login(client, world["team"])
    feedback_page = client.get(f"/compare/services/{service.id}/feedback")
    assert feedback_page.status_code == 200
    assert _table(feedback_page.get_data(as_text=True)) == expected
    dashboard = client.get(f"/compare/iterations/{second.id}").get_data(as_text=True)
    assert 'id="chart-feedback"' in dashboard or "chart-feedback" in dashboard
    assert _table(dashboard) == expected
    dashboard_api = _api(client, world["team"], f"/api/v1/iterations/{second.id}/dashboard").json
    assert dashboard_api["feedback"] == api.json["points"]


def test_feedback_page_lists_scrubbed_comments_and_the_snippet(client, world):
    service = world["service"]
    login(client, world["team"])
    html = client.get(f"/compare/services/{service.id}/feedback").get_data(as_text=True)
    assert "便利になりました" in html and "わかりにくい" in html and "taro@example.jp" not in html
    assert html.index("便利になりました") < html.index("わかりにくい"), "newest first"
    escaped = re.search(r'<textarea id="feedback-snippet-\d+"[^>]*>(.*?)</textarea>', html, re.S).group(1)
    assert "<" not in escaped, "the snippet is shown as text, escaped"
    snippet = unescape(escaped)  # what the team copies
    assert snippet.startswith(f'<iframe src="http://localhost/feedback/{service.id}" title="保育園入園のオンライン申請 へのご意見"')
    assert 'width="100%"' in snippet and f'<a href="http://localhost/feedback/{service.id}">' in snippet
    manage = client.get(f"/manage/services/{service.id}").get_data(as_text=True)
    assert "feedback-snippet" in manage


def test_another_teams_service_is_404_on_page_and_api(client, world):
    service = world["service"]
    assert _api(client, world["other"], f"/api/v1/services/{service.id}/feedback").status_code == 404
    login(client, world["other"])
    assert client.get(f"/compare/services/{service.id}/feedback").status_code == 404


def test_the_feedback_page_says_the_latest_change_in_words():
    """The newest iteration with answers against the one before (an iteration without answers is skipped):
    30 of 60 satisfied -> 45 of 60 by the N-1 two-proportion test, worked out here by its formula."""
    import math

    from scipy import stats

    from civictest.dashboards.feedback import latest_change

    points = [{"number": 1, "n": 60, "satisfied": 30}, {"number": 2, "n": 0, "satisfied": 0},
              {"number": 3, "n": 60, "satisfied": 45}]
    change = latest_change(points)
    n, pooled = 120, 75 / 120
    z = (45 / 60 - 30 / 60) / math.sqrt(pooled * (1 - pooled) * (2 / 60)) * math.sqrt((n - 1) / n)
    assert math.isclose(change["comparison"]["recommended_p"], 2 * stats.norm.sf(z), rel_tol=1e-9)
    assert change["key"] == "improved" and change["sentence"].startswith("改善: 50% → 75%")
    assert (change["base"], change["candidate"]) == ("第1版", "第3版")
    close = latest_change([{"number": 1, "n": 60, "satisfied": 35}, {"number": 2, "n": 60, "satisfied": 40}])
    assert close["key"] == "no_detectable_change"
    assert latest_change(points[:2]) is None  # one iteration with answers: nothing to compare
