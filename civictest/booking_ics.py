"""Pure: a booking as an iCalendar (RFC 5545 / iTIP RFC 5546) invitation, built with the icalendar package.

METHOD:REQUEST for a booking or a change (the same UID, a higher SEQUENCE replaces the event in the
invitee's calendar), METHOD:CANCEL when it is cancelled. Times carry TZID=Asia/Tokyo with its VTIMEZONE.
No Flask, no database: plain values in, bytes out.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import icalendar

TOKYO = ZoneInfo("Asia/Tokyo")
PRODID = "-//civictest//session booking//JA"


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    sequence: int
    starts_at: datetime  # aware
    ends_at: datetime  # aware
    summary: str
    location: str
    description: str
    organizer: str  # an e-mail address
    attendee: str  # an e-mail address
    stamp: datetime  # aware: when this version was made


def ics(event: CalendarEvent, method: str) -> bytes:
    """The invitation (method "REQUEST") or its cancellation ("CANCEL") as .ics bytes."""
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(f"unknown iTIP method {method!r}")
    if event.starts_at.tzinfo is None or event.ends_at.tzinfo is None:
        raise ValueError("slot times must be timezone-aware")
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    vevent = icalendar.Event()
    vevent.add("uid", event.uid)
    vevent.add("sequence", event.sequence)
    vevent.add("dtstamp", event.stamp.astimezone(timezone.utc))
    vevent.add("dtstart", event.starts_at.astimezone(TOKYO))
    vevent.add("dtend", event.ends_at.astimezone(TOKYO))
    vevent.add("summary", event.summary)
    vevent.add("location", event.location)
    vevent.add("description", event.description)
    vevent.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    vevent.add("transp", "OPAQUE")
    organizer = icalendar.vCalAddress(f"mailto:{event.organizer}")
    vevent.add("organizer", organizer)
    attendee = icalendar.vCalAddress(f"mailto:{event.attendee}")
    attendee.params["role"] = icalendar.vText("REQ-PARTICIPANT")
    attendee.params["partstat"] = icalendar.vText("ACCEPTED")
    vevent.add("attendee", attendee)
    calendar.add_component(vevent)
    calendar.add_missing_timezones()
    return calendar.to_ical()
