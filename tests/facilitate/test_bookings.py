"""Facilitators mark attendance and no-shows per booking (/facilitate/sessions/<id>/bookings); the counts on
the staff pages; another session's booking is 404; not before the slot's day."""
from __future__ import annotations

from datetime import timedelta

import pytest
from booking_helpers import invite, member, slot, venue_session
from helpers import csrf_token, login, make_service, make_user
from sqlalchemy import select, update

from civictest.extensions import db
from civictest.models import AuditEvent, Booking, BookingSlot
from civictest.models.base import utcnow
from civictest.reporting import panel as panel_figures
from civictest.services import booking


@pytest.fixture
def venue(ctx):
    return venue_session()


def _today_slot(test_session, capacity: int = 3):  # noqa: ANN001, ANN202
    row = slot(test_session, days=2, capacity=capacity)
    return row


def _move_to_today(row) -> None:  # noqa: ANN001
    start = utcnow() + timedelta(minutes=1)  # bookings are made for the future; then the day comes
    db.session.execute(update(BookingSlot).where(BookingSlot.id == row.id).values(
        starts_at=start, ends_at=start + timedelta(hours=1)))
    db.session.commit()


def test_facilitator_marks_attended_and_no_show_and_the_counts_follow(client, venue):
    row = _today_slot(venue)
    inv_a, _ = invite(member("a@example.jp"), venue)
    inv_b, _ = invite(member("b@example.jp"), venue)
    booking.book(inv_a, row.id)
    booking.book(inv_b, row.id)
    service = venue.study.iteration.service
    facilitator = make_user("facilitator", services=[service])
    login(client, facilitator)
    url = f"/facilitate/sessions/{venue.id}/bookings"
    a, b = booking.booking_of(inv_a), booking.booking_of(inv_b)
    html = client.get(url).get_data(as_text=True)
    assert a.reference in html and b.reference in html and "@example.jp" not in html

    early = client.post(f"{url}/{a.id}/attendance", data={"csrf_token": csrf_token(html), "attendance": "attended"},
                        follow_redirects=True)
    assert "その日より前には記録できません" in early.get_data(as_text=True)
    assert db.session.get(Booking, a.id).attendance is None

    _move_to_today(row)
    for booking_id, value in ((a.id, "attended"), (b.id, "no_show")):
        response = client.post(f"{url}/{booking_id}/attendance", data={"csrf_token": csrf_token(html),
                                                                       "attendance": value})
        assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Booking, a.id).attendance == "attended"
    assert db.session.get(Booking, b.id).attendance == "no_show"
    assert panel_figures.booking_counts(venue.id) == {"booked": 2, "waiting": 0, "attended": 1, "no_show": 1}
    assert panel_figures.no_shows_in_year([inv_b.member_id]) == {inv_b.member_id: 1}
    html = client.get(url).get_data(as_text=True)
    assert "来場 1人、欠席 1人" in html
    assert db.session.scalar(select(AuditEvent.user_id).where(AuditEvent.action == "booking_attendance")) == facilitator.id
    assert client.post(f"{url}/{a.id}/attendance", data={"csrf_token": csrf_token(html), "attendance": "maybe"},
                       follow_redirects=True).status_code == 200
    assert db.session.get(Booking, a.id).attendance == "attended", "an unknown value changes nothing"

    login(admin_client := client.application.test_client(), make_user("admin"))
    page = admin_client.get(f"/manage/panel/sessions/{venue.id}").get_data(as_text=True)
    assert '<td class="num">2</td><td class="num">0</td><td class="num">1</td><td class="num">1</td>' in page


def test_a_booking_of_another_session_is_404_and_stays_unmarked(client, venue):
    other = venue_session(code="OTHER-2027", service=venue.study.iteration.service)
    row = _today_slot(other)
    invitation, _ = invite(member("a@example.jp"), other)
    booking.book(invitation, row.id)
    _move_to_today(row)
    login(client, make_user("admin"))
    url = f"/facilitate/sessions/{venue.id}/bookings"
    html = client.get(url).get_data(as_text=True)
    foreign = booking.booking_of(invitation)
    response = client.post(f"{url}/{foreign.id}/attendance", data={"csrf_token": csrf_token(html),
                                                                   "attendance": "no_show"})
    assert response.status_code == 404
    assert db.session.get(Booking, foreign.id).attendance is None


def test_facilitators_of_other_services_see_nothing(client, venue):
    login(client, make_user("facilitator", services=[make_service(code="other", name="ほか")]))
    assert client.get(f"/facilitate/sessions/{venue.id}/bookings").status_code == 404
