"""The mail pages in a real browser: the public unsubscribe page (phone, keyboard only, no JavaScript) and the
admins' mail page with its outbox, in Japanese and English, checked with axe."""
from __future__ import annotations

import pytest

from browser_support import axe, outbox_message_name, staff_login, tab_to
from civictest import mail
from civictest.extensions import db

pytestmark = pytest.mark.browser


def _unsubscribe_path(app, address: str) -> str:
    with app.app_context():
        url = mail.unsubscribe_url_for(address)
        db.session.remove()
    return url.split("://", 1)[1].split("/", 1)[1]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_unsubscribe_page_by_keyboard_on_a_phone_without_javascript(live_server, new_page, lang):
    address = f"unsubscribe-{lang}@example.jp"
    page = new_page(js=False, phone=True)
    page.goto(f"{live_server.url}/{_unsubscribe_path(live_server.app, address)}?lang={lang}")
    assert page.get_attribute("html", "lang") == lang
    axe(page, label=f"unsubscribe ({lang})")
    tab_to(page, "main form button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.is_visible("[role=status]")
    axe(page, label=f"unsubscribed ({lang})")
    with live_server.app.app_context():
        assert mail.is_suppressed(address)
        db.session.remove()


def test_a_broken_link_explains_itself(live_server, new_page):
    page = new_page(phone=True)
    response = page.goto(f"{live_server.url}/mail/unsubscribe/broken")
    assert response.status == 404
    axe(page, label="unsubscribe, broken link")


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_mail_admin_page_and_an_outbox_message_on_a_phone(live_server, new_page, lang):
    with live_server.app.app_context():
        outbox_message_name()
        db.session.remove()
    page = new_page(phone=True)
    page.goto(f"{live_server.url}/auth/login?lang={lang}")
    staff_login(page, live_server.url, "admin@example.jp")
    page.goto(f"{live_server.url}/manage/")
    with page.expect_navigation():
        page.click("a[href='/manage/mail']")
    axe(page, label=f"mail status ({lang})")
    with page.expect_navigation():
        page.click("a[href^='/manage/mail/outbox/']")
    assert "civictest" in page.inner_text("main")
    axe(page, label=f"outbox message ({lang})")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the message page scrolls sideways on a phone ({width} px)"
