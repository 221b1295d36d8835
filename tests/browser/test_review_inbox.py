"""The comments inbox on a 1366×768 laptop and a phone: the bulk-action bar is one compact line that never
hides the first comment (issue 14). Screenshots go to tests/artifacts/screenshots/review-inbox-*.png."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from browser_support import axe, screenshot, staff_login
from civictest.extensions import db
from civictest.models import Service

pytestmark = pytest.mark.browser
TEAM = "team@example.jp"
LAPTOP = {"width": 1366, "height": 768}
ONE_LINE = 64  # px: one row of 44 px controls and the bar's padding


@pytest.fixture(scope="module")
def inbox_url(live_server) -> str:
    with live_server.app.app_context():
        service_id = db.session.scalar(select(Service.id).where(Service.name_ja == "保育園入園のオンライン申請"))
        db.session.remove()
    return f"{live_server.url}/review/services/{service_id}/comments"


def _box(page, selector: str) -> dict | None:  # noqa: ANN001
    return page.locator(selector).first.bounding_box()


def _overlap(a: dict, b: dict) -> bool:
    return not (a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"]
                or a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"])


def _first_comment_uncovered(page) -> None:  # noqa: ANN001
    """The first comment is inside the window and no part of it lies under the bar."""
    comment = _box(page, ".comment-list > li")
    height = page.viewport_size["height"]
    # within a pixel: layout positions are fractional, and scrolling rounds them
    assert comment is not None and comment["y"] >= -1 and comment["y"] + comment["height"] <= height + 1
    bar = _box(page, "fieldset.bulk")
    if bar is not None:
        assert not _overlap(comment, bar), f"the bulk bar {bar} covers the first comment {comment}"


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_laptop_with_javascript_the_bar_appears_on_selection_as_one_line(live_server, new_page, inbox_url, lang):
    page = new_page()
    page.set_viewport_size(LAPTOP)
    staff_login(page, live_server.url, TEAM)
    page.goto(f"{inbox_url}?lang={lang}")
    assert page.locator("fieldset.bulk").is_hidden()  # nothing selected: no bar
    _first_comment_uncovered(page)
    page.locator(".comment-list > li input[type=checkbox]").first.check()
    bar = page.locator("fieldset.bulk")
    assert bar.is_visible()
    assert bar.evaluate("el => getComputedStyle(el).position") == "sticky"
    print(screenshot(page, f"review-inbox-laptop-selected-{lang}", full_page=False))
    height = bar.bounding_box()["height"]
    assert height < ONE_LINE, f"bulk bar is {height}px high at 1366×768"
    _first_comment_uncovered(page)
    axe(page, label=f"comments inbox, one comment selected (laptop, {lang})")


def test_laptop_without_javascript_the_bar_is_compact_and_in_the_flow(live_server, new_page, inbox_url):
    page = new_page(js=False)
    page.set_viewport_size(LAPTOP)
    staff_login(page, live_server.url, TEAM)
    page.goto(inbox_url)
    bar = page.locator("fieldset.bulk")
    assert bar.evaluate("el => getComputedStyle(el).position") == "static"
    assert bar.bounding_box()["height"] < ONE_LINE
    _first_comment_uncovered(page)
    print(screenshot(page, "review-inbox-laptop-nojs", full_page=False))


def test_phone_the_bar_does_not_hide_the_comments(live_server, new_page, inbox_url):
    page = new_page(phone=True)
    staff_login(page, live_server.url, TEAM)
    page.goto(inbox_url)
    page.locator(".comment-list > li input[type=checkbox]").first.check()
    bar = page.locator("fieldset.bulk")
    assert bar.is_visible()
    # On a phone the bar may wrap, so it stays in the flow after the list instead of covering the comments.
    assert bar.evaluate("el => getComputedStyle(el).position") == "static"
    # the first comment at the top of the window (scrolling only "if needed" can leave it a fraction of a pixel
    # below the fold, depending on how long the comments above the list are)
    page.locator(".comment-list > li").first.evaluate("el => el.scrollIntoView({block: 'start'})")
    _first_comment_uncovered(page)
    axe(page, label="comments inbox, one comment selected (phone)")
    print(screenshot(page, "review-inbox-phone-selected", full_page=False))
