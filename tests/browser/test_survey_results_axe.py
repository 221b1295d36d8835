"""The survey results page in a real browser: the plain summary first, statistics behind 「詳しく」, axe clean in
Japanese and English, on a desktop and on a 390 px phone without JavaScript."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from browser_support import axe, screenshot, staff_login, untagged_japanese
from civictest.extensions import db
from civictest.models import Department
from survey_results_data import two_waves

pytestmark = pytest.mark.browser
ADMIN = "admin@example.jp"


@pytest.fixture(scope="module")
def wave_id(live_server) -> int:
    """The second wave of a two-wave staff survey added to the demo's first department."""
    with live_server.app.app_context():
        department = db.session.scalar(select(Department).order_by(Department.id))
        _survey, _first, second = two_waves(department)
        wave = second.id
        db.session.remove()
    return wave


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_results_page_reads_first_and_passes_axe(live_server, new_page, wave_id, lang):
    page = new_page()
    staff_login(page, live_server.url, ADMIN)
    page.goto(f"{live_server.url}/compare/surveys/waves/{wave_id}?lang={lang}")
    summary = page.locator("section.survey-summary").inner_text()
    assert ("2項目で改善" if lang == "ja" else "2 items improved") in summary  # the change in a plain sentence
    assert page.locator("figure.chart-diverging svg[role=img]").count() >= 2
    assert not page.locator("details#change-details").evaluate("d => d.open")  # the statistics wait behind 「詳しく」
    page.locator("details#change-details > summary").click()
    axe(page, label=f"survey results ({lang})")
    if lang == "en":  # unit and grade names, wave labels: Japanese data in charts, tables and sentences
        assert untagged_japanese(page) == []
    screenshot(page, f"survey-results-{lang}")


def test_results_page_on_a_phone_without_javascript(live_server, new_page, wave_id):
    page = new_page(js=False, phone=True)
    staff_login(page, live_server.url, ADMIN)
    page.goto(f"{live_server.url}/compare/surveys/waves/{wave_id}")
    page.select_option("select#item", index=1)  # the unit breakdown for another item: a plain GET form
    with page.expect_navigation():
        page.click("form.compare-form button[type=submit]")
    assert "item=" in page.url
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1, f"the page scrolls sideways on a phone ({width}px)"
    axe(page, label="survey results (phone, no JS)")
    screenshot(page, "survey-results-phone")
    page.goto(f"{live_server.url}/compare/surveys")
    axe(page, label="survey list (phone, no JS)")
