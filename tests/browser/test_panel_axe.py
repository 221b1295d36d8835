"""The resident panel pages in a real browser: axe, both languages, a phone, without JavaScript, keyboard.

Staff panel pages (/manage/panel...) are reached by test_staff_pages_axe from the URL map. The demo's panel
members are shared by every browser test, so this test makes its own member and invitation to look at.
"""
from __future__ import annotations

import secrets

import pytest
from sqlalchemy import select

from browser_support import axe, tab_to, untagged_japanese
from civictest.models import PanelInvitation, PanelMember, PanelRound, TestSession
from civictest.services.demo import DEMO_INVITE_CODE

pytestmark = pytest.mark.browser


def _links(app) -> dict[str, str]:  # noqa: ANN001
    """A pending member of this test's own with an invitation to the demo session: their links."""
    from civictest.extensions import db
    from civictest.models.base import utcnow
    from civictest.services import panel

    with app.app_context():
        member = PanelMember(email=f"axe-{secrets.token_hex(4)}@example.jp", language="ja", status="pending",
                             link_nonce=secrets.token_hex(16), consent_version="2026-12", consented_at=utcnow(),
                             age_band="40s", municipality_code="131041")
        demo_session = db.session.scalar(select(TestSession).where(TestSession.invite_code == DEMO_INVITE_CODE))
        panel_round = PanelRound(session_id=demo_session.id, requested=1)
        db.session.add_all([member, panel_round])
        db.session.flush()
        token = secrets.token_urlsafe(24)
        db.session.add(PanelInvitation(member_id=member.id, session_id=demo_session.id, round_id=panel_round.id,
                                       token_hash=panel.token_hash(token), state="sent"))
        db.session.commit()
        links = {"member": f"/panel/me/{panel.member_token(member)}",
                 "confirm": f"/panel/confirm/{panel.confirm_token(member)}", "invite": f"/panel/i/{token}"}
        links["booking"] = _booking_link()
        db.session.remove()
    return links


def _booking_link() -> str:
    """An active member of this test's own invited to the demo's in-person session with booking (its slots
    are there: one with places, one full with a waiting list): their booking page."""
    from civictest.extensions import db
    from civictest.models.base import utcnow
    from civictest.services import booking, panel
    from civictest.services.demo_booking import DEMO_VENUE_CODE

    venue = db.session.scalar(select(TestSession).where(TestSession.invite_code == DEMO_VENUE_CODE))
    member = PanelMember(email=f"axe-b-{secrets.token_hex(4)}@example.jp", language="ja", status="active",
                         link_nonce=secrets.token_hex(16), consent_version="2026-12", consented_at=utcnow())
    panel_round = PanelRound(session_id=venue.id, requested=1)
    db.session.add_all([member, panel_round])
    db.session.flush()
    invitation = PanelInvitation(member_id=member.id, session_id=venue.id, round_id=panel_round.id,
                                 token_hash=panel.token_hash(secrets.token_urlsafe(24)), state="sent")
    db.session.add(invitation)
    db.session.commit()
    return f"/panel/b/{booking.booking_token(invitation)}"


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("js", [True, False])
def test_panel_pages_pass_axe_on_a_phone(live_server, new_page, lang, js):
    page = new_page(js=js, phone=True)
    links = _links(live_server.app)
    for name, path in (("join", "/panel/join"), ("sent", "/panel/join/sent"), ("confirmed", links["confirm"]),
                       ("member", links["member"]), ("invite", links["invite"]), ("booking", links["booking"])):
        response = page.goto(f"{live_server.url}{path}?lang={lang}")
        assert response.status == 200, name
        assert page.get_attribute("html", "lang") == lang
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{name} scrolls sideways on a phone ({width}px)"
        axe(page, label=f"{name} ({lang}, js={js})")
        if lang == "en":
            assert untagged_japanese(page) == [], name
    page.goto(f"{live_server.url}/panel/join?lang={lang}")
    page.click("button[type=submit]")  # nothing filled in: the errors page
    assert page.locator(".error-summary").count() == 1
    axe(page, label=f"join with errors ({lang}, js={js})")


def test_joining_works_with_the_keyboard_and_the_honeypot_is_out_of_the_tab_order(live_server, page):
    page.goto(f"{live_server.url}/panel/join")
    tab_to(page, "#email")  # every stop on the way shows its focus
    page.keyboard.type("keyboard@example.jp")
    tab_to(page, "#agree")
    assert page.evaluate("document.getElementById('website').tabIndex") == -1
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url("**/panel/join/sent")
