"""civictest.booking_ics: the .ics of a booking, parsed back with icalendar (pure: literals in, bytes out)."""
from datetime import datetime, timezone

import icalendar
import pytest

from civictest.booking_ics import TOKYO, CalendarEvent, ics


def _event(**changes) -> CalendarEvent:  # noqa: ANN003
    values = dict(uid="booking-abc@civictest", sequence=3, starts_at=datetime(2027, 1, 16, 1, 0, tzinfo=timezone.utc),
                  ends_at=datetime(2027, 1, 16, 2, 0, tzinfo=timezone.utc), summary="使いやすさテスト: 保育園",
                  location="区役所本庁舎 区民ホール, 東京都新宿区歌舞伎町1-4-1", description="予約番号 ABCD-EFGH",
                  organizer="civictest@city.example.jp", attendee="a@example.jp",
                  stamp=datetime(2026, 12, 6, 3, 0, tzinfo=timezone.utc))
    values.update(changes)
    return CalendarEvent(**values)


def test_a_request_carries_uid_sequence_and_tokyo_times():
    calendar = icalendar.Calendar.from_ical(ics(_event(), "REQUEST"))
    assert str(calendar["method"]) == "REQUEST"
    event = calendar.walk("VEVENT")[0]
    start = event.decoded("dtstart")
    assert start == datetime(2027, 1, 16, 10, 0, tzinfo=TOKYO) and str(start.tzinfo) == "Asia/Tokyo"
    assert event["dtstart"].params["TZID"] == "Asia/Tokyo"
    assert event.decoded("dtend") == datetime(2027, 1, 16, 11, 0, tzinfo=TOKYO)
    assert str(event["uid"]) == "booking-abc@civictest" and int(event["sequence"]) == 3
    assert str(event["status"]) == "CONFIRMED"
    assert "東京都新宿区歌舞伎町1-4-1" in str(event["location"])
    assert str(event["organizer"]) == "mailto:civictest@city.example.jp"
    assert [c["tzid"] for c in calendar.walk("VTIMEZONE")] == ["Asia/Tokyo"]


def test_a_cancellation_is_method_cancel_with_the_same_uid():
    calendar = icalendar.Calendar.from_ical(ics(_event(sequence=4), "CANCEL"))
    event = calendar.walk("VEVENT")[0]
    assert str(calendar["method"]) == "CANCEL" and str(event["status"]) == "CANCELLED"
    assert str(event["uid"]) == "booking-abc@civictest" and int(event["sequence"]) == 4


def test_refuses_unknown_methods_and_naive_times():
    with pytest.raises(ValueError):
        ics(_event(), "PUBLISH")
    with pytest.raises(ValueError):
        ics(_event(starts_at=datetime(2027, 1, 16, 10, 0)), "REQUEST")
