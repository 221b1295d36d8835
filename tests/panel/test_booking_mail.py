"""Booking follow-ups (issue 15): the invitation e-mail of an in-person session with slots carries the booking
link; joining a waiting list sends one short e-mail per booking version."""
from __future__ import annotations

import pytest
from booking_helpers import invite, mails_to, member, slot, venue_session
from helpers import make_service, make_session

from civictest.extensions import db
from civictest.services import booking, panel


@pytest.fixture
def venue(ctx):
    return venue_session()


def _invitation_mail(address: str):  # noqa: ANN202
    (mail,) = [m for m in mails_to(address) if m.kind == "panel_invite"]
    return mail


def test_the_invitation_of_an_in_person_session_with_slots_carries_the_booking_link(venue):
    from datetime import date

    venue.held_on = date(2027, 1, 16)
    slot(venue)
    member("ja@example.jp")
    member("en@example.jp", language="en")
    assert panel.invite(venue, 2, seed=1).queued == 2
    for address, words in (("ja@example.jp", "来場する日時を次のページで予約"), ("en@example.jp", "book the time")):
        mail = _invitation_mail(address)
        assert "/panel/b/" in mail.text_body and "/panel/b/" in mail.html_body
        assert "/panel/i/" in mail.text_body, "the personal link is still there"
        assert words in mail.text_body and words in mail.html_body
        link = next(line for line in mail.text_body.splitlines() if "/panel/b/" in line).strip()
        token = link.split("/panel/b/", 1)[1].split("?", 1)[0]
        found = booking.invitation_from_token(token)
        assert found.member.email == address and found.session_id == venue.id
        if address == "en@example.jp":
            assert "lang=en" in link
        # the session's day as people write it (not 2027-01-16), in the member's language
        words = booking.day_words(venue.held_on, "en" if address.startswith("en") else "ja")
        assert words in mail.text_body and words in mail.html_body and venue.held_on.isoformat() not in mail.text_body
    assert "/panel/b/" not in "".join(m.text_body for m in mails_to("ja@example.jp") if m.kind != "panel_invite")


def test_the_reminder_carries_the_booking_link_too(venue):
    slot(venue)
    member("ja@example.jp")
    panel.invite(venue, 1, seed=1)
    assert panel.remind(venue) == 1
    (reminder,) = [m for m in mails_to("ja@example.jp") if m.kind == "panel_remind"]
    assert "/panel/b/" in reminder.text_body and "/panel/b/" in reminder.html_body


def test_no_booking_link_without_slots_or_for_a_remote_session(ctx):
    service = make_service(tasks=1)
    remote = make_session(service, invite_code="REMOTE-1")
    bare_venue = venue_session("VENUE-NOSLOTS", service=service)
    member("a@example.jp")
    panel.invite(remote, 1, seed=1)
    panel.invite(bare_venue, 1, seed=1)
    mails = [m for m in mails_to("a@example.jp") if m.kind == "panel_invite"]
    assert len(mails) == 2
    for mail in mails:
        assert "/panel/b/" not in mail.text_body and "/panel/b/" not in (mail.html_body or "")
        assert "来場する日時" not in mail.text_body


def test_joining_a_waiting_list_sends_one_short_mail_with_the_place_in_line(venue):
    only = slot(venue, capacity=1)
    inv_a, _ = invite(member("a@example.jp"), venue)
    inv_b, _ = invite(member("b@example.jp"), venue)
    inv_c, _ = invite(member("c@example.jp", language="en"), venue)
    booking.book(inv_a, only.id)
    assert [m.kind for m in mails_to("a@example.jp")] == ["booking_confirmed"], "a booking is not a waiting list"
    b_result = booking.book(inv_b, only.id)
    booking.book(inv_c, only.id)

    (mail_b,) = mails_to("b@example.jp")
    assert mail_b.kind == "booking_waiting" and mail_b.dedupe_key == f"booking:{b_result.booking.id}:0"
    assert not mail_b.attachments, "a place in line is not a calendar event"
    assert "キャンセル待ちの順番: 1番目" in mail_b.text_body and "1番目" in mail_b.html_body
    assert booking.slot_words(only, "ja") in mail_b.text_body
    assert "/panel/b/" in mail_b.text_body and "/panel/b/" in mail_b.html_body, "the link to leave the list"
    assert "メールでお知らせします" in mail_b.text_body
    (mail_c,) = mails_to("c@example.jp")
    assert mail_c.language == "en" and "waiting list" in mail_c.subject
    assert "number 2 on the waiting list" in mail_c.text_body and "lang=en" in mail_c.text_body

    assert booking.book(inv_b, only.id).outcome == "unchanged"
    assert len(mails_to("b@example.jp")) == 1, "choosing the same full slot again sends nothing"


def test_the_waiting_mail_goes_once_per_version(venue):
    only = slot(venue, capacity=1)
    inv_a, _ = invite(member("a@example.jp"), venue)
    inv_b, _ = invite(member("b@example.jp"), venue)
    booking.book(inv_a, only.id)
    first = booking.book(inv_b, only.id).booking
    booking._mail_waiting(first)  # the same version queued again (a retry): the dedupe key keeps it once
    db.session.commit()
    assert len(mails_to("b@example.jp")) == 1
    booking.cancel(inv_b)  # leaving the list: nothing to put in a calendar, no e-mail
    assert len(mails_to("b@example.jp")) == 1
    again = booking.book(inv_b, only.id).booking  # back in line: a new version, a new e-mail
    mails = mails_to("b@example.jp")
    assert [m.kind for m in mails] == ["booking_waiting", "booking_waiting"]
    assert mails[1].dedupe_key == f"booking:{again.id}:{again.sequence}" and again.sequence == 2


def _no_show(invitation, slot_row, days_ago: int) -> None:  # noqa: ANN001
    from datetime import timedelta

    from civictest.models import Booking
    from civictest.models.base import utcnow

    marked = utcnow() - timedelta(days=days_ago)
    db.session.add(Booking(invitation_id=invitation.id, session_id=invitation.session_id, slot_id=slot_row.id,
                           state="booked", sequence=0, uid=f"b-{invitation.id}@test", reference=f"TEST-{invitation.id:04d}",
                           attendance="no_show", attendance_at=marked, attendance_by_id=None, updated_at=marked))
    db.session.commit()


def test_selection_leaves_out_members_with_the_no_show_limit_in_the_year(app, venue):
    """PANEL_NO_SHOW_LIMIT (default 2 within 365 days): the candidates query passes the counts in."""
    from civictest.models.base import utcnow

    people = {name: member(f"{name}@example.jp") for name in ("none", "one", "two", "old")}
    for name, marks in (("one", [10]), ("two", [10, 200]), ("old", [10, 400])):
        for days_ago in marks:
            other = venue_session(f"PAST-{name}-{days_ago}", service=venue.study.iteration.service)
            past_slot = slot(other, days=2)
            invitation, _ = invite(people[name], other)
            _no_show(invitation, past_slot, days_ago)
    counts = {c.member_id: c.no_shows_last_year for c in panel.candidates(utcnow())}
    assert counts[people["two"].id] == 2 and counts[people["old"].id] == 1 and counts[people["none"].id] == 0
    assert app.config["PANEL_NO_SHOW_LIMIT"] == 2
    target = make_session(venue.study.iteration.service, invite_code="NEXT-1")
    result = panel.invite(target, 10, seed=1)
    invited = {m for m, _ in result.selection.chosen}
    assert invited == {people["none"].id, people["one"].id, people["old"].id}
    app.config["PANEL_NO_SHOW_LIMIT"] = 0
    try:
        again = make_session(venue.study.iteration.service, invite_code="NEXT-2")
        assert people["two"].id in {m for m, _ in panel.invite(again, 10, seed=1).selection.chosen}
    finally:
        app.config["PANEL_NO_SHOW_LIMIT"] = 2


def test_slot_words_read_as_people_write_dates(venue):
    from datetime import datetime, time, timezone

    from civictest.models import BookingSlot

    starts, ends = booking.slot_times(datetime(2027, 1, 16).date(), time(10), time(11))
    row = BookingSlot(session_id=venue.id, starts_at=starts, ends_at=ends, capacity=1, booked=0)
    december = datetime(2026, 12, 6, 3, tzinfo=timezone.utc)
    january = datetime(2027, 1, 2, 3, tzinfo=timezone.utc)
    assert booking.slot_words(row, "ja", now=january) == "1月16日(土) 10:00〜11:00"
    assert booking.day_words(starts.date(), "ja", now=december) == "2027年1月16日(土)"
    assert booking.slot_words(row, "ja", now=december) == "2027年1月16日(土) 10:00〜11:00"
    assert booking.slot_words(row, "en", now=january) == "Sat 16 Jan, 10:00-11:00 (Japan time)"
    assert booking.slot_words(row, "en", now=december) == "Sat 16 Jan 2027, 10:00-11:00 (Japan time)"
    late = BookingSlot(session_id=venue.id, starts_at=datetime(2027, 1, 15, 15, tzinfo=timezone.utc),
                       ends_at=datetime(2027, 1, 15, 16, tzinfo=timezone.utc), capacity=1, booked=0)
    assert booking.slot_words(late, "ja", now=january) == "1月16日(土) 00:00〜01:00", "Japan time, not UTC"
