"""Staff time slots of an in-person session (/manage/panel/sessions/<id>/slots): add, change, delete, the
rules for slots with bookings, other services' sessions, the audit log, the panel session page's counts."""
from __future__ import annotations

from datetime import timedelta

import pytest
from booking_helpers import invite, member, slot, tokyo_today, venue_session
from helpers import login, make_service, make_session, make_user, post_form
from sqlalchemy import func, select

from civictest.extensions import db
from civictest.models import AuditEvent, BookingSlot
from civictest.services import booking


@pytest.fixture
def venue(ctx):
    return venue_session()


def _slots(session_id: int) -> list[BookingSlot]:
    db.session.expire_all()
    return booking.slots_of(session_id)


def test_admin_adds_a_slot_in_japan_time_and_it_is_audited(client, venue):
    login(client, make_user("admin"))
    url = f"/manage/panel/sessions/{venue.id}/slots"
    day = tokyo_today() + timedelta(days=10)
    response = post_form(client, url, {"day": day.isoformat(), "start": "10:00", "end": "11:30", "capacity": "3"})
    assert response.status_code == 302
    (row,) = _slots(venue.id)
    assert booking.tokyo(row.starts_at).hour == 10 and booking.aware(row.starts_at).hour == 1  # 10:00 JST = 01:00 UTC
    assert row.capacity == 3 and row.booked == 0
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "booking_slot_added"))
    html = client.get(url).get_data(as_text=True)
    assert "10:00〜11:30" in html
    page = client.get(f"/manage/panel/sessions/{venue.id}").get_data(as_text=True)
    assert "会場の予約" in page and f"/manage/panel/sessions/{venue.id}/slots" in page


@pytest.mark.parametrize(("fields", "message"), [
    ({"start": "11:00", "end": "10:00"}, "終了は開始より後の時刻にしてください。"),
    ({"day": "2020-01-01"}, "これから先の日時を入力してください。"),
    ({"capacity": "0"}, "定員は1から1,000の間で入力してください"),
    ({"start": "25:00"}, ""),
])
def test_bad_slots_are_refused_with_a_message_and_nothing_stored(client, venue, fields, message):
    login(client, make_user("admin"))
    data = {"day": (tokyo_today() + timedelta(days=10)).isoformat(), "start": "10:00", "end": "11:00",
            "capacity": "3", **fields}
    response = post_form(client, f"/manage/panel/sessions/{venue.id}/slots", data)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert _slots(venue.id) == []


def test_a_slot_with_bookings_keeps_its_times_but_its_capacity_can_change(client, venue):
    login(client, make_user("admin"))
    row = slot(venue, days=5, capacity=1)
    booking.book(invite(member("a@example.jp"), venue)[0], row.id)
    booking.book(invite(member("b@example.jp"), venue)[0], row.id)  # waiting
    url = f"/manage/panel/slots/{row.id}"
    start = booking.tokyo(row.starts_at)
    moved = post_form(client, url, {"day": start.date().isoformat(), "start": "15:00", "end": "16:00", "capacity": "1"})
    assert moved.status_code == 422 and "日時の変更も削除もできません" in moved.get_data(as_text=True)
    bigger = post_form(client, url, {"day": start.date().isoformat(), "start": start.strftime("%H:%M"),
                                     "end": booking.tokyo(row.ends_at).strftime("%H:%M"), "capacity": "2"})
    assert bigger.status_code == 302
    assert _slots(venue.id)[0].booked == 2, "the person waiting got the new place"
    response = post_form(client, url + "/delete", {}, get_url=url)
    assert response.status_code == 302 and len(_slots(venue.id)) == 1
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "booking_slot_deleted")) == 0


def test_an_empty_slot_can_be_deleted(client, venue):
    login(client, make_user("admin"))
    row = slot(venue)
    url = f"/manage/panel/slots/{row.id}"
    assert post_form(client, url + "/delete", {}, get_url=url).status_code == 302
    assert _slots(venue.id) == []
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "booking_slot_deleted"))


def test_other_services_and_remote_sessions_are_404(client, venue):
    other_service = make_service(code="other", name="ほかのサービス")
    login(client, make_user("service_team", services=[other_service]))
    assert client.get(f"/manage/panel/sessions/{venue.id}/slots").status_code == 404
    remote = make_session(other_service, invite_code="REMOTE-1")
    assert client.get(f"/manage/panel/sessions/{remote.id}/slots").status_code == 404
    foreign_slot = slot(venue)
    assert client.get(f"/manage/panel/slots/{foreign_slot.id}").status_code == 404, "a slot of another service"
    assert client.get("/manage/panel/slots/999999").status_code == 404
