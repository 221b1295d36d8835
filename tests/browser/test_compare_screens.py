"""The product owner's question on the demo, in a real browser: did iteration 3 of the childcare application
get better than iteration 2, for whom and where? Screenshots of the dashboard, the map and the printed report
are saved under tests/artifacts/screenshots/ for people to look at; axe runs on each."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from browser_support import axe, screenshot, staff_login
from civictest.extensions import db
from civictest.models import Iteration, Service

pytestmark = pytest.mark.browser
OWNER = "owner@example.jp"


@pytest.fixture(scope="module")
def childcare(live_server) -> dict:
    """Ids of the demo's childcare iterations 2 and 3."""
    with live_server.app.app_context():
        service = db.session.scalar(select(Service).where(Service.name_ja == "保育園入園のオンライン申請"))
        ids = {i.number: i.id for i in db.session.scalars(select(Iteration).where(Iteration.service_id == service.id))}
        db.session.remove()
    return {"base": ids[2], "current": ids[3]}


def test_dashboard_answers_the_question(live_server, new_page, childcare):
    page = new_page()
    staff_login(page, live_server.url, OWNER)
    page.goto(f"{live_server.url}/compare/iterations/{childcare['current']}")
    assert page.locator("h2#h-verdict").inner_text() == "第2版と比べて"
    overall = page.locator(".overall-verdict").inner_text()
    assert "総合判定" in overall and "改善したタスク" in overall and "悪化したタスク" in overall
    assert "T" in page.locator(".overall-verdict .headline").first.inner_text()  # a plain sentence up front
    page.locator("details#task-details > summary").click()  # intervals and methods: one click away (「詳しく」)
    headlines = page.locator(".task-verdict .headline-row .verdict-text").all_inner_texts()
    assert len(headlines) == 4 and all(h.split(":")[0] in ("改善", "悪化", "変化は検出されず") for h in headlines)
    assert all("n=" in h and "→" in h for h in headlines)
    assert page.locator("figure#chart-segment-device svg[role=img]").count() == 1  # for whom
    assert page.get_by_role("img", name="タスク別の不便率（版ごと）").count() == 1
    axe(page, label="compare dashboard (ja)")
    screenshot(page, "compare-dashboard-ja")


def test_dashboard_in_english_on_a_phone_without_javascript(live_server, new_page, childcare):
    page = new_page(js=False, phone=True)
    staff_login(page, live_server.url, OWNER)
    page.goto(f"{live_server.url}/compare/iterations/{childcare['current']}?lang=en")
    assert "Compared with iteration 2" in page.content()
    # The "compare with" form works without JavaScript: a plain GET.
    page.select_option("select#base", "0")
    with page.expect_navigation():
        page.click("form.compare-form button[type=submit]")
    assert page.locator(".overall-verdict").count() == 0 and "base=0" in page.url
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1, f"the page scrolls sideways on a phone ({width}px)"
    axe(page, label="compare dashboard (en, phone, no JS)")
    screenshot(page, "compare-dashboard-en-phone")


def test_map_shows_where_with_suppressed_areas_hatched(live_server, new_page, childcare):
    page = new_page()
    staff_login(page, live_server.url, OWNER)
    page.goto(f"{live_server.url}/compare/iterations/{childcare['current']}/map?metric=inconvenience")
    maps = page.locator("figure.chart-map")
    assert maps.count() == 2  # iteration 2 and iteration 3
    assert page.locator("figure.chart-map path.area").count() == 2 * 62
    assert page.locator("figure.chart-map text.attribution").count() == 2
    assert page.locator("p.suppressed-note").inner_text().startswith("参加者が5人未満の地域")
    assert page.locator("figure.chart-map circle.venue-marker").count() >= 2
    axe(page, label="compare map")
    screenshot(page, "compare-map-inconvenience")
    page.goto(f"{live_server.url}/compare/iterations/{childcare['current']}/map?metric=participants&level=region")
    screenshot(page, "compare-map-participants-region")


def test_printed_report_is_a4_without_navigation(live_server, new_page, childcare):
    page = new_page()
    staff_login(page, live_server.url, OWNER)
    page.goto(f"{live_server.url}/compare/iterations/{childcare['current']}/print")
    assert page.locator("nav.site-nav").count() == 0
    page.emulate_media(media="print")
    assert page.locator(".site-header").is_hidden() and page.locator(".screen-only-note").is_hidden()
    assert page.locator(".overall-verdict").is_visible()
    # Every data table is readable on paper (the <details> are printed open).
    first_table = page.locator("figure#chart-inconvenience table.chart-table")
    assert first_table.bounding_box() is not None and first_table.bounding_box()["height"] > 0
    axe(page, label="compare printed report")
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    screenshot(page, "compare-print-report")
