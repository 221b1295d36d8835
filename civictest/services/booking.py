"""Session booking for in-person sessions (issue 15): staff define time slots, an invitee books, changes or
cancels a place from their personal link, full slots have a waiting list, facilitators mark attendance.

Places: a slot's `booked` count is changed only by conditional UPDATEs (`booked + 1 WHERE booked < capacity`)
and the database refuses more than the capacity (a CHECK constraint), so the last place goes to one person.
A place freed by a cancellation, a change or a larger capacity goes to the first person waiting for that slot
in the same transaction (the slot's row stays locked until the commit, so nobody can slip in between).

E-mails (through civictest.mail.queue_mail, sent by the worker after the commit), each exactly once:
confirmation, change and promotion with an .ics METHOD:REQUEST (`booking:<id>:<sequence>`), cancellation with
METHOD:CANCEL (the same key pattern: a cancellation raises the sequence too), joining a waiting list (the place
in line, no .ics; the same key pattern), the day-before reminder
(`booking-remind:<id>:<slot id>`; a periodic job of the worker, or `flask --app app panel booking-reminders`).
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from email.utils import parseaddr
from zoneinfo import ZoneInfo

from flask import current_app
from huey import crontab
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from civictest.booking_ics import CalendarEvent, ics
from civictest.extensions import db
from civictest.jobs import huey
from civictest.models import Booking, BookingSlot, PanelInvitation, PanelMember, TestSession
from civictest.models.base import aware, parse_id, utcnow
from civictest.services.errors import Conflict, InvalidInput, NotFound

TOKYO = ZoneInfo("Asia/Tokyo")
MAX_CAPACITY = 1000
REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud at the door
WEEKDAYS_JA = "月火水木金土日"


def tokyo(moment: datetime) -> datetime:
    return aware(moment).astimezone(TOKYO)


def slot_words(slot: BookingSlot, language: str, *, now: datetime | None = None, zone: bool = True) -> str:
    """The slot in Japan time, in the reader's language, as people write it: 1月16日(土) 10:00〜11:00 /
    Sat 16 Jan, 10:00-11:00 (Japan time). The year is said only when it is not this year (in Japan time), so a
    January slot booked in December reads 2027年1月16日(土) 10:00〜11:00 / Sat 16 Jan 2027, ... `zone=False`
    leaves out "(Japan time)" where a heading already says it."""
    start, end = tokyo(slot.starts_at), tokyo(slot.ends_at)
    day = day_words(start.date(), language, now=now)
    if language == "en":
        return f"{day}, {start:%H:%M}-{end:%H:%M}" + (" (Japan time)" if zone else "")
    return f"{day} {start:%H:%M}〜{end:%H:%M}"


def day_words(day: date, language: str, *, now: datetime | None = None) -> str:
    """A day as people write it: 1月16日(土) / Sat 16 Jan, with the year only when it is not this year (in Japan
    time): the invitation's session day and every slot."""
    this_year = tokyo(now or utcnow()).year
    if language == "en":
        year = f" {day.year}" if day.year != this_year else ""
        return f"{day:%a} {day.day} {day:%b}{year}"
    year = f"{day.year}年" if day.year != this_year else ""
    return f"{year}{day.month}月{day.day}日({WEEKDAYS_JA[day.weekday()]})"


# ---- the booking link ----------------------------------------------------------------------------------------

def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="civictest-panel-booking")


def booking_token(invitation: PanelInvitation) -> str:
    """The booking page's link (in the personal-link page and every booking e-mail). It outlives a reminder's
    new personal link and stops working when the member's data is erased (the nonce goes with the row)."""
    return _serializer().dumps({"i": invitation.id, "n": invitation.member.link_nonce})


def invitation_from_token(token: str) -> PanelInvitation:
    try:
        data = _serializer().loads(token or "")
    except BadSignature as error:
        raise NotFound() from error
    if not isinstance(data, dict) or not isinstance(data.get("i"), int):
        raise NotFound()
    invitation = db.session.get(PanelInvitation, data["i"])
    if invitation is None or invitation.member.link_nonce != data.get("n"):
        raise NotFound()
    return invitation


def booking_url(invitation: PanelInvitation) -> str:
    from civictest.services.panel import absolute_url

    return absolute_url("panel.booking", token=booking_token(invitation), lang=invitation.member.language)


# ---- slots (staff) --------------------------------------------------------------------------------------------

def slot_times(day: date, start: time, end: time) -> tuple[datetime, datetime]:
    """A day and two clock times typed in Japan time -> aware UTC datetimes."""
    starts = datetime.combine(day, start, tzinfo=TOKYO)
    ends = datetime.combine(day, end, tzinfo=TOKYO)
    return starts.astimezone(timezone.utc), ends.astimezone(timezone.utc)


def slots_of(session_id: int) -> list[BookingSlot]:
    return list(db.session.scalars(select(BookingSlot).where(BookingSlot.session_id == session_id)
                                   .order_by(BookingSlot.starts_at, BookingSlot.id)))


def has_slots(session_id: int) -> bool:
    return db.session.scalar(select(BookingSlot.id).where(BookingSlot.session_id == session_id).limit(1)) is not None


def slot_of_session(test_session: TestSession, slot_id: int) -> BookingSlot:
    slot = db.session.get(BookingSlot, slot_id)
    if slot is None or slot.session_id != test_session.id:
        raise NotFound()
    return slot


def _check_slot(test_session: TestSession, starts_at: datetime, ends_at: datetime, capacity: int) -> None:
    if test_session.mode != "in_person":
        raise InvalidInput("not-in-person")
    if ends_at <= starts_at:
        raise InvalidInput("end-before-start")
    if not 1 <= capacity <= MAX_CAPACITY:
        raise InvalidInput("capacity")


def add_slot(test_session: TestSession, starts_at: datetime, ends_at: datetime, capacity: int) -> BookingSlot:
    """A new slot; the caller writes the audit line and commits."""
    _check_slot(test_session, starts_at, ends_at, capacity)
    if aware(starts_at) <= utcnow():
        raise InvalidInput("past")
    slot = BookingSlot(session_id=test_session.id, starts_at=starts_at, ends_at=ends_at, capacity=capacity, booked=0)
    db.session.add(slot)
    db.session.flush()
    return slot


def active_count(slot_id: int) -> int:
    """Bookings and places on the waiting list of a slot."""
    return db.session.scalar(select(func.count()).select_from(Booking).where(
        Booking.slot_id == slot_id, Booking.state.in_(("booked", "waiting")))) or 0


def update_slot(slot: BookingSlot, starts_at: datetime, ends_at: datetime, capacity: int) -> int:
    """Change a slot. The rule: its times change only while nobody is booked or waiting (nobody's calendar
    would be wrong); its capacity never below the places taken; a larger capacity goes to the waiting list
    first. Returns how many were moved up from the waiting list. The caller audits and commits."""
    _check_slot(slot.session, starts_at, ends_at, capacity)
    moved = aware(starts_at) != aware(slot.starts_at) or aware(ends_at) != aware(slot.ends_at)
    if moved and active_count(slot.id):
        raise Conflict("slot-has-bookings")
    if moved and aware(starts_at) <= utcnow():
        raise InvalidInput("past")
    changed = db.session.execute(
        update(BookingSlot).where(BookingSlot.id == slot.id, BookingSlot.booked <= capacity)
        .values(capacity=capacity, starts_at=starts_at, ends_at=ends_at).execution_options(synchronize_session=False))
    if changed.rowcount != 1:
        raise Conflict("capacity-below-booked")
    db.session.refresh(slot)
    return _promote(slot.id)


def delete_slot(slot: BookingSlot) -> None:
    """Delete a slot nobody is booked or waiting for (cancelled bookings keep no slot). Caller commits."""
    if active_count(slot.id):
        raise Conflict("slot-has-bookings")
    db.session.delete(slot)
    db.session.flush()


# ---- booking (invitees) ---------------------------------------------------------------------------------------

def booking_of(invitation: PanelInvitation) -> Booking | None:
    return db.session.scalar(select(Booking).where(Booking.invitation_id == invitation.id))


def can_book(invitation: PanelInvitation) -> bool:
    test_session = invitation.session
    return (test_session.mode == "in_person" and test_session.is_open and not test_session.excluded
            and invitation.state != "screened_out" and invitation.member.status == "active")


def _check_invitation(invitation: PanelInvitation) -> None:
    if not can_book(invitation):
        raise InvalidInput("closed")


def _slot_for(invitation: PanelInvitation, slot_id: object) -> BookingSlot:
    """The slot the form named: an id of a slot of the invitation's own session, else InvalidInput (a slot of
    another session, a made-up or malformed id all get the same answer)."""
    number = parse_id(slot_id) if isinstance(slot_id, str) else slot_id if isinstance(slot_id, int) else None
    slot = db.session.get(BookingSlot, number) if number else None
    if slot is None or slot.session_id != invitation.session_id:
        raise InvalidInput("slot")
    return slot


def _new_reference() -> str:
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(4)) + "-" + "".join(
        secrets.choice(REFERENCE_ALPHABET) for _ in range(4))


def _lock_slots(*slot_ids: int | None) -> None:
    """PostgreSQL: lock the slots a change touches in id order (two opposite changes never deadlock). SQLite
    has one writer at a time and ignores FOR UPDATE."""
    ids = sorted({i for i in slot_ids if i})
    if ids:
        db.session.execute(select(BookingSlot.id).where(BookingSlot.id.in_(ids)).order_by(BookingSlot.id)
                           .with_for_update())


def _take_place(slot_id: int) -> bool:
    result = db.session.execute(
        update(BookingSlot).where(BookingSlot.id == slot_id, BookingSlot.booked < BookingSlot.capacity)
        .values(booked=BookingSlot.booked + 1).execution_options(synchronize_session=False))
    return result.rowcount == 1


def _free_place(slot_id: int) -> None:
    db.session.execute(update(BookingSlot).where(BookingSlot.id == slot_id, BookingSlot.booked > 0)
                       .values(booked=BookingSlot.booked - 1).execution_options(synchronize_session=False))


def _bump(booking: Booking) -> None:
    """Raise the sequence only if nobody changed the booking since it was read (a double click, two tabs):
    the row is locked until the commit and the second request gets Conflict."""
    result = db.session.execute(
        update(Booking).where(Booking.id == booking.id, Booking.sequence == booking.sequence)
        .values(sequence=Booking.sequence + 1, updated_at=utcnow()).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.session.rollback()
        raise Conflict("changed")
    set_committed_value(booking, "sequence", booking.sequence + 1)


@dataclass
class BookingResult:
    booking: Booking
    outcome: str  # "booked", "changed", "unchanged", "waiting"


def book(invitation: PanelInvitation, slot_id: object, *, now: datetime | None = None) -> BookingResult:
    """Book a place in a slot of the invitation's session, or move the booking there, or (a full slot, nothing
    booked yet) join its waiting list. InvalidInput("slot"|"past"|"closed"), Conflict("full"|"changed");
    nothing is stored when an error is raised. Commits."""
    _check_invitation(invitation)
    slot = _slot_for(invitation, slot_id)
    now = now or utcnow()
    if aware(slot.starts_at) <= now:
        raise InvalidInput("past")
    booking = booking_of(invitation)
    if booking is not None and booking.state == "waiting" and booking.slot_id == slot.id:
        return BookingResult(booking, "unchanged")  # already in line for it: keep their place in line
    if booking is not None and booking.state == "booked":
        if booking.slot_id == slot.id:
            return BookingResult(booking, "unchanged")
        if booking.slot is not None and aware(booking.slot.starts_at) <= now:
            raise InvalidInput("past")
    old_slot = booking.slot_id if booking is not None and booking.state == "booked" else None
    if booking is not None:
        _bump(booking)
    _lock_slots(slot.id, old_slot)
    if _take_place(slot.id):
        if old_slot is not None:
            _free_place(old_slot)
        booking = _store(invitation, booking, slot, "booked", now)
        outcome = "changed" if old_slot is not None else "booked"
        _mail_booking(booking, outcome)
        if old_slot is not None:
            _promote(old_slot)
    elif old_slot is not None:
        db.session.rollback()
        raise Conflict("full")
    else:
        booking = _store(invitation, booking, slot, "waiting", now)
        outcome = "waiting"
        _mail_waiting(booking)
    try:
        db.session.commit()
    except IntegrityError as error:  # a second tab booked the same invitation first
        db.session.rollback()
        raise Conflict("changed") from error
    return BookingResult(booking, outcome)


def _store(invitation: PanelInvitation, booking: Booking | None, slot: BookingSlot, state: str,
           now: datetime) -> Booking:
    if booking is None:
        booking = Booking(invitation_id=invitation.id, session_id=invitation.session_id, sequence=0,
                          uid=f"booking-{secrets.token_hex(12)}@civictest", reference=_new_reference())
        db.session.add(booking)
    booking.slot_id, booking.state = slot.id, state
    booking.waiting_since = now if state == "waiting" else None
    booking.reminded_at, booking.attendance, booking.attendance_at, booking.attendance_by_id = None, None, None, None
    booking.updated_at = now
    db.session.flush()
    db.session.refresh(booking, ["slot"])
    return booking


def cancel(invitation: PanelInvitation, *, now: datetime | None = None) -> Booking:
    """Cancel the booking (the place goes to the first person waiting for the slot) or leave the waiting list.
    InvalidInput("nothing") without one, InvalidInput("past") once the slot has started. Commits."""
    booking = booking_of(invitation)
    now = now or utcnow()
    if booking is None or booking.state not in ("booked", "waiting"):
        raise InvalidInput("nothing")
    if booking.state == "booked" and booking.slot is not None and aware(booking.slot.starts_at) <= now:
        raise InvalidInput("past")
    was_booked, slot_id = booking.state == "booked", booking.slot_id
    _bump(booking)
    booking.state, booking.waiting_since, booking.updated_at = "cancelled", None, now
    db.session.flush()
    if was_booked and slot_id is not None:
        _lock_slots(slot_id)
        _free_place(slot_id)
        _mail_booking(booking, "cancelled")
        _promote(slot_id)
    db.session.commit()
    return booking


def _promote(slot_id: int) -> int:
    """Give the slot's free places to the people waiting for it, first come first served, and tell them."""
    promoted = 0
    while True:
        first = db.session.scalar(
            select(Booking).where(Booking.slot_id == slot_id, Booking.state == "waiting")
            .order_by(Booking.waiting_since, Booking.id).limit(1).with_for_update()
            .execution_options(populate_existing=True))
        if first is None or not _take_place(slot_id):
            return promoted
        _bump(first)
        first.state, first.waiting_since, first.updated_at = "booked", None, utcnow()
        db.session.flush()
        _mail_booking(first, "promoted")
        promoted += 1


# ---- e-mail -----------------------------------------------------------------------------------------------------

def _event(booking: Booking, member: PanelMember) -> CalendarEvent:
    test_session = booking.invitation.session
    service = test_session.study.iteration.service
    english = member.language == "en"
    name = (service.name_en if english else "") or service.name_ja
    summary = (f"Usability test: {name}" if english else f"使いやすさテスト: {name}")
    url = booking_url(booking.invitation)
    description = (f"Booking reference {booking.reference}. Change or cancel: {url}" if english
                   else f"予約番号 {booking.reference}。変更・取り消し: {url}")
    location = ", ".join(part for part in (test_session.venue_name, test_session.venue_address) if part)
    return CalendarEvent(uid=booking.uid, sequence=booking.sequence, starts_at=aware(booking.slot.starts_at),
                         ends_at=aware(booking.slot.ends_at), summary=summary, location=location,
                         description=description, organizer=parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1],
                         attendee=member.email, stamp=utcnow())


def _mail_context(booking: Booking, member: PanelMember) -> dict:
    test_session = booking.invitation.session
    service = test_session.study.iteration.service
    name = (service.name_en if member.language == "en" else "") or service.name_ja
    return {"service_name": name, "when": slot_words(booking.slot, member.language),
            "venue_name": test_session.venue_name, "venue_address": test_session.venue_address,
            "reference": booking.reference, "booking_url": booking_url(booking.invitation),
            "minutes": test_session.study.minutes_expected}


def _mail_booking(booking: Booking, what: str) -> None:
    """The confirmation (booked, changed, promoted) or the cancellation, with its .ics, exactly once."""
    from civictest.services.panel import _queue

    member = booking.invitation.member
    if booking.slot is None:
        db.session.refresh(booking, ["slot"])
    method = "CANCEL" if what == "cancelled" else "REQUEST"
    attachment = ("cancel.ics" if method == "CANCEL" else "invite.ics", "text/calendar",
                  ics(_event(booking, member), method))
    template = "booking_cancelled" if what == "cancelled" else "booking_confirmed"
    _queue(member, template, f"booking:{booking.id}:{booking.sequence}", attachments=[attachment], what=what,
           **_mail_context(booking, member))


def _mail_waiting(booking: Booking) -> None:
    """A place on a waiting list: its place in line and how to leave, once per version (no .ics: it is not a
    calendar event)."""
    from civictest.services.panel import _queue

    member = booking.invitation.member
    _queue(member, "booking_waiting", f"booking:{booking.id}:{booking.sequence}",
           position=waiting_position(booking), **_mail_context(booking, member))


def send_reminders(now: datetime | None = None) -> int:
    """The day-before reminder: every booking (not cancelled, not waiting) whose slot starts tomorrow in Japan
    time and was not reminded yet; once per booking and slot. Commits; returns how many were queued."""
    from civictest.services.panel import _queue

    now = aware(now or utcnow())
    tomorrow = now.astimezone(TOKYO).date() + timedelta(days=1)
    start = datetime.combine(tomorrow, time(0), tzinfo=TOKYO).astimezone(timezone.utc)
    end = start + timedelta(days=1)
    due = db.session.scalars(
        select(Booking).join(BookingSlot, BookingSlot.id == Booking.slot_id)
        .join(PanelInvitation, PanelInvitation.id == Booking.invitation_id)
        .join(PanelMember, PanelMember.id == PanelInvitation.member_id)
        .join(TestSession, TestSession.id == Booking.session_id)
        .where(Booking.state == "booked", Booking.reminded_at.is_(None), BookingSlot.starts_at >= start,
               BookingSlot.starts_at < end, PanelMember.status == "active", TestSession.excluded.is_(False))
        .order_by(Booking.id)).all()
    queued = 0
    for booking in due:
        member = booking.invitation.member
        booking.reminded_at = now
        if _queue(member, "booking_reminder", f"booking-remind:{booking.id}:{booking.slot_id}",
                  **_mail_context(booking, member)) is not None:
            queued += 1
    db.session.commit()
    return queued


@huey.periodic_task(crontab(minute="15"))
def periodic_reminders() -> None:
    """Every hour: a worker that was down at one hour catches up at the next (each booking is reminded once)."""
    send_reminders()


# ---- attendance (facilitators) ------------------------------------------------------------------------------------

def bookings_of(session_id: int) -> list[Booking]:
    """Booked and waiting places of a session, by slot and then by who came first."""
    return list(db.session.scalars(
        select(Booking).join(BookingSlot, BookingSlot.id == Booking.slot_id)
        .where(Booking.session_id == session_id, Booking.state.in_(("booked", "waiting")))
        .order_by(BookingSlot.starts_at, BookingSlot.id, Booking.state, Booking.waiting_since, Booking.id)))


def mark_attendance(test_session: TestSession, booking_id: object, value: str, user_id: int | None,
                    *, now: datetime | None = None) -> Booking:
    """Mark a booking attended or no-show (or "" to clear). NotFound for a booking of another session or one
    not booked; InvalidInput("not-yet") before the slot's day (Japan time). The caller audits and commits."""
    number = parse_id(booking_id) if isinstance(booking_id, str) else booking_id if isinstance(booking_id, int) else None
    booking = db.session.get(Booking, number) if number else None
    if booking is None or booking.session_id != test_session.id or booking.state != "booked" or booking.slot is None:
        raise NotFound()
    if value not in ("attended", "no_show", ""):
        raise InvalidInput("attendance")
    now = aware(now or utcnow())
    if tokyo(booking.slot.starts_at).date() > now.astimezone(TOKYO).date():
        raise InvalidInput("not-yet")
    booking.attendance = value or None
    booking.attendance_at, booking.attendance_by_id = (now, user_id) if value else (None, None)
    db.session.flush()
    return booking


def waiting_position(booking: Booking) -> int | None:
    """1 for the first person waiting for the slot, and so on; None when not waiting."""
    if booking.state != "waiting" or booking.waiting_since is None:
        return None
    ahead = db.session.scalar(select(func.count()).select_from(Booking).where(
        Booking.slot_id == booking.slot_id, Booking.state == "waiting",
        (Booking.waiting_since < booking.waiting_since)
        | ((Booking.waiting_since == booking.waiting_since) & (Booking.id < booking.id)))) or 0
    return ahead + 1


def release_member(member_id: int) -> int:
    """Erasure: the member's booked places are freed (and go to the waiting list) and their places in line
    dropped, before their invitations and bookings are deleted. No e-mail goes to an erased address. The
    caller commits. Returns how many booked places were freed."""
    rows = db.session.scalars(
        select(Booking).join(PanelInvitation, PanelInvitation.id == Booking.invitation_id)
        .where(PanelInvitation.member_id == member_id, Booking.state.in_(("booked", "waiting")))
        .order_by(Booking.slot_id)).all()
    freed = 0
    for row in rows:
        was_booked, slot_id = row.state == "booked", row.slot_id
        row.state, row.waiting_since = "cancelled", None
        db.session.flush()
        if was_booked and slot_id is not None:
            _lock_slots(slot_id)
            _free_place(slot_id)
            _promote(slot_id)
            freed += 1
    return freed
