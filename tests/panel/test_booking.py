"""Session booking (civictest.services.booking and the invitee's page /panel/b/<token>): book, change, cancel,
waiting list and promotion, the .ics e-mails, the day-before reminder, bad input, someone else's link, and two
people racing for the last place."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from booking_helpers import calendar_of, invite, mails_to, member, slot, venue_session
from helpers import hidden_fields
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from civictest.booking_ics import TOKYO
from civictest.extensions import db
from civictest.models import Booking, BookingSlot, OutgoingMail
from civictest.services import booking
from civictest.services.errors import Conflict, InvalidInput, NotFound


@pytest.fixture
def venue(ctx):
    return venue_session()


def _places(slot_id: int) -> int:
    db.session.expire_all()
    return db.session.get(BookingSlot, slot_id).booked


def test_book_change_and_cancel_each_send_an_ics_with_one_uid_and_a_rising_sequence(venue):
    first, second = slot(venue, days=3), slot(venue, days=4, hour=14)
    person = member("a@example.jp")
    invitation, _ = invite(person, venue)

    result = booking.book(invitation, str(first.id))
    assert result.outcome == "booked" and _places(first.id) == 1
    (mail,) = mails_to("a@example.jp")
    assert mail.kind == "booking_confirmed" and mail.dedupe_key == f"booking:{result.booking.id}:0"
    assert "区役所本庁舎 区民ホール" in mail.text_body and "東京都新宿区歌舞伎町1-4-1" in mail.text_body
    assert result.booking.reference in mail.text_body and "/panel/b/" in mail.text_body
    calendar = calendar_of(mail)
    event = calendar.walk("VEVENT")[0]
    assert str(calendar["method"]) == "REQUEST" and int(event["sequence"]) == 0
    assert event["dtstart"].params["TZID"] == "Asia/Tokyo"
    assert event.decoded("dtstart") == booking.tokyo(first.starts_at) and booking.tokyo(first.starts_at).hour == 10
    uid = str(event["uid"])

    assert booking.book(invitation, str(first.id)).outcome == "unchanged"
    assert len(mails_to("a@example.jp")) == 1, "booking the same slot again sends nothing"

    changed = booking.book(invitation, str(second.id))
    assert changed.outcome == "changed" and _places(first.id) == 0 and _places(second.id) == 1
    mail = mails_to("a@example.jp")[-1]
    event = calendar_of(mail).walk("VEVENT")[0]
    assert str(event["uid"]) == uid and int(event["sequence"]) == 1 and mail.dedupe_key.endswith(":1")
    assert event.decoded("dtstart").hour == 14 and "変更" in mail.subject

    booking.cancel(invitation)
    assert _places(second.id) == 0
    mail = mails_to("a@example.jp")[-1]
    calendar = calendar_of(mail)
    event = calendar.walk("VEVENT")[0]
    assert mail.kind == "booking_cancelled" and str(calendar["method"]) == "CANCEL"
    assert str(event["uid"]) == uid and int(event["sequence"]) == 2
    with pytest.raises(InvalidInput):
        booking.cancel(invitation)


def test_english_member_gets_english_mail(venue):
    first = slot(venue)
    invitation, _ = invite(member("en@example.jp", language="en"), venue)
    booking.book(invitation, first.id)
    (mail,) = mails_to("en@example.jp")
    assert mail.language == "en" and "booking" in mail.subject.lower()
    assert "(Japan time)" in mail.text_body and "lang=en" in mail.text_body
    summary = str(calendar_of(mail).walk("VEVENT")[0]["summary"])
    assert summary.startswith("Usability test")


def test_a_full_slot_offers_the_waiting_list_and_a_cancellation_promotes_the_first_in_line(venue):
    only, other = slot(venue, capacity=1), slot(venue, days=5, capacity=3)
    inv_a, _ = invite(member("a@example.jp"), venue)
    inv_b, _ = invite(member("b@example.jp"), venue)
    inv_c, _ = invite(member("c@example.jp"), venue)
    assert booking.book(inv_a, only.id).outcome == "booked"
    assert booking.book(inv_b, only.id).outcome == "waiting"
    assert booking.book(inv_c, only.id).outcome == "waiting"
    (waiting,) = mails_to("b@example.jp")
    assert waiting.kind == "booking_waiting" and waiting.attachments in ([], None, ()), "not a calendar event"
    assert booking.book(inv_b, only.id).outcome == "unchanged", "choosing it again keeps the place in line"
    assert len(mails_to("b@example.jp")) == 1, "choosing it again sends nothing"
    b_row, c_row = booking.booking_of(inv_b), booking.booking_of(inv_c)
    assert booking.waiting_position(b_row) == 1 and booking.waiting_position(c_row) == 2

    booking.book(inv_a, other.id)  # a change frees the place too
    db.session.expire_all()
    assert booking.booking_of(inv_b).state == "booked" and _places(only.id) == 1
    (_, promotion) = mails_to("b@example.jp")
    assert "キャンセル待ち" in promotion.subject and str(calendar_of(promotion)["method"]) == "REQUEST"
    assert booking.booking_of(inv_c).state == "waiting" and booking.waiting_position(booking.booking_of(inv_c)) == 1

    booking.cancel(inv_b)
    db.session.expire_all()
    assert booking.booking_of(inv_c).state == "booked" and _places(only.id) == 1
    assert [m.kind for m in mails_to("c@example.jp")] == ["booking_waiting", "booking_confirmed"]


def test_a_booked_person_cannot_move_to_a_full_slot_and_keeps_their_place(venue):
    full, mine = slot(venue, capacity=1), slot(venue, days=4, capacity=1)
    inv_a, _ = invite(member("a@example.jp"), venue)
    inv_b, _ = invite(member("b@example.jp"), venue)
    booking.book(inv_a, full.id)
    booking.book(inv_b, mine.id)
    with pytest.raises(Conflict):
        booking.book(inv_b, full.id)
    db.session.expire_all()
    assert booking.booking_of(inv_b).slot_id == mine.id and _places(mine.id) == 1 and _places(full.id) == 1
    assert len(mails_to("b@example.jp")) == 1


def test_a_larger_capacity_goes_to_the_waiting_list_first(venue):
    only = slot(venue, capacity=1)
    inv_a, _ = invite(member("a@example.jp"), venue)
    inv_b, _ = invite(member("b@example.jp"), venue)
    booking.book(inv_a, only.id)
    booking.book(inv_b, only.id)
    promoted = booking.update_slot(only, only.starts_at, only.ends_at, 2)
    db.session.commit()
    assert promoted == 1 and booking.booking_of(inv_b).state == "booked" and _places(only.id) == 2
    with pytest.raises(Conflict):
        booking.update_slot(only, only.starts_at, only.ends_at, 1)
    db.session.rollback()
    with pytest.raises(Conflict):
        booking.update_slot(only, only.starts_at + timedelta(hours=1), only.ends_at + timedelta(hours=1), 2)


def test_the_database_refuses_more_places_than_the_capacity(venue):
    only = slot(venue, capacity=1)
    with pytest.raises(IntegrityError):
        db.session.execute(update(BookingSlot).where(BookingSlot.id == only.id).values(booked=2))
        db.session.flush()
    db.session.rollback()


def test_two_people_racing_for_the_last_place_get_one_place_and_one_waiting(app, venue):
    only = slot(venue, capacity=1)
    ids = [invite(member(f"r{n}@example.jp"), venue)[0].id for n in range(2)]
    slot_id = only.id
    barrier = threading.Barrier(2)
    outcomes, errors = [], []

    def attempt(invitation_id: int) -> None:
        with app.app_context():
            from civictest.models import PanelInvitation

            invitation = db.session.get(PanelInvitation, invitation_id)
            invitation.member, invitation.session  # noqa: B018 - loaded before the race starts
            db.session.commit()
            barrier.wait()
            try:
                outcomes.append(booking.book(invitation, slot_id).outcome)
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == [] and sorted(outcomes) == ["booked", "waiting"]
    assert _places(slot_id) == 1
    states = dict(db.session.execute(select(Booking.state, func.count()).group_by(Booking.state)).all())
    assert states == {"booked": 1, "waiting": 1}


def test_bad_input_gives_a_clear_error_and_stores_nothing(venue):
    other_session = venue_session(code="OTHER-2027")
    foreign = slot(other_session)
    past = slot(venue)
    db.session.execute(update(BookingSlot).where(BookingSlot.id == past.id).values(
        starts_at=datetime.now(TOKYO) - timedelta(hours=2), ends_at=datetime.now(TOKYO) - timedelta(hours=1)))
    db.session.commit()
    invitation, _ = invite(member("a@example.jp"), venue)
    for bad in (str(foreign.id), "abc", "999999", "-1", "1.5", "", "99999999999999999999", None):
        with pytest.raises(InvalidInput) as caught:
            booking.book(invitation, bad)
        assert caught.value.message == "slot", bad
    with pytest.raises(InvalidInput) as caught:
        booking.book(invitation, str(past.id))
    assert caught.value.message == "past"
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 0
    assert db.session.scalar(select(func.count()).select_from(OutgoingMail)) == 0
    assert _places(past.id) == 0 and _places(foreign.id) == 0


def test_the_booking_page_books_changes_and_cancels_without_javascript(app, client, venue):
    first, second = slot(venue), slot(venue, days=4, capacity=1)
    invitation, token = invite(member("a@example.jp"), venue)
    page = client.get(f"/panel/i/{token}").get_data(as_text=True)
    link = page.split('href="/panel/b/', 1)[1].split('"', 1)[0]
    url = f"/panel/b/{link}"
    html = client.get(url).get_data(as_text=True)
    assert "まだ予約はありません" in html and "残り2席" in html and "<script" not in html.split("<main", 1)[1]

    response = client.post(url, data={**hidden_fields(html), "action": "book", "slot": str(first.id)})
    assert response.status_code == 302 and "done=booked" in response.headers["Location"]
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    reference = booking.booking_of(invitation).reference
    assert "予約しました" in html and reference in html and "ご予約中" in html

    response = client.post(url, data={**hidden_fields(html), "action": "book", "slot": str(second.id)})
    assert "done=changed" in response.headers["Location"]
    html = client.get(url + "?lang=en").get_data(as_text=True)
    assert "(Japan time)" in html and "Cancel the booking" in html
    response = client.post(url, data={**hidden_fields(html), "action": "cancel"})
    assert "done=cancelled" in response.headers["Location"]
    assert booking.booking_of(invitation).state == "cancelled" and _places(second.id) == 0


def test_the_page_refuses_a_slot_of_another_session_with_a_message(client, venue):
    slot(venue)
    foreign = slot(venue_session(code="OTHER-2027"))
    invitation, _ = invite(member("a@example.jp"), venue)
    url = f"/panel/b/{booking.booking_token(invitation)}"
    html = client.get(url).get_data(as_text=True)
    response = client.post(url, data={**hidden_fields(html), "action": "book", "slot": str(foreign.id)})
    assert response.status_code == 422 and "その時間枠は選べません" in response.get_data(as_text=True)
    response = client.post(url, data={**hidden_fields(html), "action": "book"})
    assert response.status_code == 422 and "時間枠を選んでください" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 0


def test_someone_elses_link_gets_nothing(client, venue):
    first = slot(venue)
    inv_a, _ = invite(member("a@example.jp"), venue)
    inv_b, _ = invite(member("b@example.jp"), venue)
    booking.book(inv_a, first.id)
    reference = booking.booking_of(inv_a).reference
    html = client.get(f"/panel/b/{booking.booking_token(inv_b)}").get_data(as_text=True)
    assert reference not in html and "まだ予約はありません" in html
    from itsdangerous import URLSafeSerializer

    forged = URLSafeSerializer(client.application.config["SECRET_KEY"], salt="civictest-panel-booking").dumps(
        {"i": inv_a.id, "n": inv_b.member.link_nonce})
    assert client.get(f"/panel/b/{forged}").status_code == 404, "b's nonce does not open a's booking"
    token_b = booking.booking_token(inv_b)
    assert client.get(f"/panel/b/{token_b[:-2]}xx").status_code == 404
    with pytest.raises(NotFound):
        booking.invitation_from_token("not-a-token")


def test_the_day_before_reminder_goes_once_and_not_to_cancelled_bookings(app, venue):
    tomorrow, later = slot(venue, days=1, capacity=3), slot(venue, days=2)
    inv_a, _ = invite(member("a@example.jp"), venue)
    inv_b, _ = invite(member("b@example.jp"), venue)
    inv_c, _ = invite(member("c@example.jp"), venue)
    booking.book(inv_a, tomorrow.id)
    booking.book(inv_b, tomorrow.id)
    booking.book(inv_c, later.id)
    booking.cancel(inv_b)
    assert booking.send_reminders() == 1
    assert [m.kind for m in mails_to("a@example.jp")] == ["booking_confirmed", "booking_reminder"]
    assert "booking_reminder" not in [m.kind for m in mails_to("b@example.jp")]
    assert "booking_reminder" not in [m.kind for m in mails_to("c@example.jp")], "not the day before yet"
    assert booking.send_reminders() == 0
    result = app.test_cli_runner().invoke(args=["panel", "booking-reminders"])
    assert result.exit_code == 0 and "0 booking reminders queued" in result.output
    assert db.session.scalar(select(func.count()).select_from(OutgoingMail)
                             .where(OutgoingMail.kind == "booking_reminder")) == 1


def test_the_reminder_job_is_registered_with_the_worker():
    from civictest import jobs

    jobs.import_task_modules()
    assert "civictest.services.booking" in jobs.TASK_MODULES
    assert any(task.__name__ == "periodic_reminders" for task in jobs.huey._registry._periodic_tasks)


def test_end_to_end_through_smtp_promotion_mail_with_its_ics(app, client, venue, smtp_server, drain_mail):
    only = slot(venue, capacity=1)
    inv_a, _ = invite(member("a@example.jp"), venue)
    inv_b, _ = invite(member("b@example.jp", language="en"), venue)
    for invitation in (inv_a, inv_b):
        url = f"/panel/b/{booking.booking_token(invitation)}"
        html = client.get(url).get_data(as_text=True)
        assert client.post(url, data={**hidden_fields(html), "action": "book", "slot": str(only.id)}).status_code == 302
    drain_mail(app)
    assert [m["To"] for m in smtp_server.messages] == ["a@example.jp", "b@example.jp"]
    assert "waiting list" in smtp_server.messages[1]["Subject"]
    url = f"/panel/b/{booking.booking_token(inv_a)}"
    html = client.get(url).get_data(as_text=True)
    assert client.post(url, data={**hidden_fields(html), "action": "cancel"}).status_code == 302
    drain_mail(app)
    by_address = {}
    for message in smtp_server.messages[2:]:
        by_address[message["To"]] = message
    assert set(by_address) == {"a@example.jp", "b@example.jp"}
    import icalendar

    def calendar(message):  # noqa: ANN001, ANN202
        (part,) = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
        return icalendar.Calendar.from_ical(part.get_payload(decode=True))

    assert str(calendar(by_address["a@example.jp"])["method"]) == "CANCEL"
    promoted = calendar(by_address["b@example.jp"])
    event = promoted.walk("VEVENT")[0]
    assert str(promoted["method"]) == "REQUEST" and event["dtstart"].params["TZID"] == "Asia/Tokyo"
    assert "waiting list" in by_address["b@example.jp"]["Subject"]
    assert by_address["b@example.jp"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_erasing_a_booked_member_frees_the_place_for_the_first_waiting(venue):
    from civictest.services import panel

    only = slot(venue, capacity=1)
    inv_a, _ = invite(member("a@example.jp"), venue)
    inv_b, _ = invite(member("b@example.jp"), venue)
    booking.book(inv_a, only.id)
    booking.book(inv_b, only.id)
    panel.erase(inv_a.member)
    db.session.expire_all()
    assert _places(only.id) == 1 and booking.booking_of(inv_b).state == "booked"
    assert mails_to("a@example.jp") == []
    assert [m.kind for m in mails_to("b@example.jp")] == ["booking_waiting", "booking_confirmed"]
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 1


def test_the_booking_page_is_not_for_search_engines(client, venue):
    invitation, _ = invite(member("a@example.jp"), venue)
    response = client.get(f"/panel/b/{booking.booking_token(invitation)}")
    assert "noindex" in response.headers.get("X-Robots-Tag", "")
    assert "Disallow: /panel/b/" in client.get("/robots.txt").get_data(as_text=True)
