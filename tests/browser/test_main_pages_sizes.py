"""The main pages at laptop (1366×768) and phone (390 px) size, in Japanese and English: screenshots for people to
look at (SCREENSHOT_DIR, default tests/artifacts/screenshots/), no sideways scrolling of the page on a phone, the
overview readable on a phone, Japanese data marked lang="ja" on English pages, and axe on the pages issue 14 added
(wrong invite code, closed session, "you said, we did" list, withdrawal confirmation)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from browser_support import axe, screenshot, staff_login, untagged_japanese
from civictest.extensions import db
from civictest.models import Iteration, Service, TestSession

pytestmark = pytest.mark.browser
LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def demo_ids(live_server) -> dict:
    with live_server.app.app_context():
        service = db.session.scalar(select(Service).where(Service.name_ja == "保育園入園のオンライン申請"))
        latest = db.session.scalar(select(Iteration).where(Iteration.service_id == service.id)
                                   .order_by(Iteration.number.desc()).limit(1))
        closed = db.session.scalar(select(TestSession.invite_code).where(TestSession.is_open.is_(False)).limit(1))
        ids = {"service": service.id, "iteration": latest.id, "closed": closed}
        db.session.remove()
    return ids


def _pages(ids: dict) -> list[tuple[str, str, bool]]:
    """(name, path, staff?) of the main pages."""
    return [
        ("home", "/", False),
        ("join", "/join/DEMO-2026", False),
        ("invite-not-found", "/join/NOSUCH0-CODE000", False),
        ("session-closed", f"/join/{ids['closed']}", False),
        ("fixes", "/fixes", False),
        ("open-data", "/open-data/", False),
        ("dashboard", f"/compare/iterations/{ids['iteration']}", True),
        ("map", f"/compare/iterations/{ids['iteration']}/map", True),
        ("overview", "/compare/overview", True),
        ("inbox", f"/review/services/{ids['service']}/comments", True),
    ]


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("size", ["laptop", "phone"])
def test_main_pages_at_laptop_and_phone_size(live_server, browser, demo_ids, lang, size):
    options = {"viewport": PHONE if size == "phone" else LAPTOP, "locale": "ja-JP", "timezone_id": "Asia/Tokyo"}
    if size == "phone":
        options.update(is_mobile=True, has_touch=True, device_scale_factor=2)
    context = browser.new_context(**options)
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.goto(f"{live_server.url}/?lang={lang}")
    staff_login(page, live_server.url, "admin@example.jp")
    problems = []
    for name, path, staff in _pages(demo_ids):
        page.goto(live_server.url + path)
        assert page.get_attribute("html", "lang") == lang, path
        screenshot(page, f"{name}-{lang}-{size}", full_page=size == "phone")
        if size == "phone":
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE["width"] + 1:
                problems.append(f"{path} scrolls sideways on a phone ({width}px)")
        if lang == "en" and not path.startswith("/compare/iterations/") and (texts := untagged_japanese(page)):
            problems.append(f"{path}: Japanese without lang=ja: {texts[:5]}")
        if name in ("invite-not-found", "session-closed", "fixes") and size == "phone":
            axe(page, label=f"{name} ({lang}, phone)")
        if name == "overview" and size == "phone":
            problems += _overview_on_a_phone(page)
    context.close()
    assert not problems, "\n".join(problems)


def _overview_on_a_phone(page) -> list[str]:  # noqa: ANN001
    """The overview's columns keep their width (the table scrolls in its own box) and the severity counts take
    at most two lines."""
    found = []
    columns = page.evaluate("[...document.querySelectorAll('table.overview thead th')]"
                            ".map(th => th.getBoundingClientRect().width)")
    if min(columns) < 56:
        found.append(f"overview columns collapse on a phone: {[round(c) for c in columns]}")
    lines = page.evaluate("""[...document.querySelectorAll('.severity-counts')].map(ul => {
        const line = parseFloat(getComputedStyle(ul).lineHeight) || 20;
        return Math.round(ul.getBoundingClientRect().height / line); })""")
    if not lines or max(lines) > 2:
        found.append(f"severity counts take {lines} lines on a phone")
    box = page.locator(".overview-wrap")
    if box.get_attribute("tabindex") != "0":
        found.append("the overview's scrolling box cannot take keyboard focus")
    return found


def test_withdrawal_confirmation_has_a_warning_button_and_passes_axe(live_server, new_page):
    with live_server.app.app_context():
        from civictest.models import Participant

        receipt = db.session.scalar(select(Participant.receipt_code).where(Participant.withdrawn.is_(False))
                                    .order_by(Participant.id).limit(1))
        db.session.remove()
    page = new_page(phone=True)
    page.goto(f"{live_server.url}/withdraw")
    page.fill("input[name=receipt_code]", receipt)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    button = page.locator("main form button.warning")
    assert button.inner_text() == "参加を取り消す"
    colour = button.evaluate("b => getComputedStyle(b).backgroundColor")
    assert colour == "rgb(206, 0, 0)", colour  # dark red, not the normal blue
    axe(page, label="withdraw confirmation (phone)")
    screenshot(page, "withdraw-confirm-ja-phone")
