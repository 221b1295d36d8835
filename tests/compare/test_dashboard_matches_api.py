"""On the demo, every number the iteration dashboard shows is the API's number: one computation for both.

The page is read as a resident of the office would read it (the text of the cards and the task verdicts); the
API's figures are formatted with the dashboards' own display rules and must appear there.
"""
import re

import pytest
from demo_snapshot import load_demo
from helpers import PASSWORD, post_form
from sqlalchemy import select

from civictest.dashboards.verdicts import one_decimal, percent
from civictest.extensions import db
from civictest.models import Iteration

CARD = re.compile(r'<li class="card card-(\w+)">.*?<p class="value">([^<]*)', re.DOTALL)


@pytest.fixture
def iterations(ctx, client):
    load_demo(PASSWORD)
    post_form(client, "/auth/login", {"email": "admin@example.jp", "password": PASSWORD})
    return db.session.scalars(select(Iteration).where(Iteration.number > 1).order_by(Iteration.id)).all()


def _figures(client, iteration_id: int) -> tuple[str, dict, dict]:
    page = client.get(f"/compare/iterations/{iteration_id}")
    api = client.get(f"/api/v1/iterations/{iteration_id}/dashboard")
    assert page.status_code == 200 and api.status_code == 200
    current = next(point["report"] for point in api.json["history"] if point["id"] == iteration_id)
    return page.get_data(as_text=True), current, api.json["comparison"]


def test_the_headline_cards_show_the_apis_figures(client, iterations):
    assert len(iterations) >= 6
    for iteration in iterations:
        html, report, comparison = _figures(client, iteration.id)
        cards = dict(CARD.findall(html))
        overall = report["overall"]
        sentiment = comparison["overall"]["sentiment"]
        assert cards["participants"].startswith(str(overall["participants"]))
        assert cards["inconvenience"].strip() == percent(overall["inconvenience"]["rate"])
        assert cards["completion"].strip() == percent(overall["completion"]["completion_rate"])
        assert cards[overall["questionnaire"]["kind"]].strip() == one_decimal(overall["questionnaire"]["mean"])
        assert cards["sentiment"].strip() == percent(sentiment["negative"] / sentiment["scored"])


def test_the_task_verdicts_show_the_apis_comparison(client, iterations):
    for iteration in iterations:
        html, _, comparison = _figures(client, iteration.id)
        for task in comparison["tasks"]:
            change = task["inconvenience"]
            assert f"{percent(change['p2'])} → {percent(change['p1'])}" in html, task["title_ja"]


def test_the_api_serves_the_segments_and_checks_the_page_draws(client, iterations):
    iteration = iterations[0]
    api = client.get(f"/api/v1/iterations/{iteration.id}/dashboard?base=0").json
    assert api["base"] is None and api["comparison"] is None and api["segments"]["base"] is None
    assert {cell["segment"] for cell in api["segments"]["current"]} >= {"age_band", "device", "municipality"}
    assert set(api["validity"]) >= {"negative_among_inconvenient", "negative_among_convenient", "consistent"}


def test_the_segment_charts_of_the_page_are_the_apis_cells(client, iterations):
    iteration = iterations[-1]
    api = client.get(f"/api/v1/iterations/{iteration.id}/dashboard").json
    html = client.get(f"/compare/iterations/{iteration.id}?task={api['segments']['task_id']}").get_data(as_text=True)
    shown = [cell for cell in api["segments"]["current"]
             if cell["segment"] == "device" and not cell["suppressed"] and cell["inconvenience_rate"] is not None]
    assert shown and all(cell["task_id"] == api["segments"]["task_id"] for cell in api["segments"]["current"])
    for cell in shown:
        assert f"n={cell['n']}" in html
