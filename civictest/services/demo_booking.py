"""The demo's in-person session with booking (issue 15): an open session at the city hall on the demo study,
three time slots (one full, with a waiting list) and bookings of panel members, some already marked.

Added once, recognised by its invite code; its own random stream, so the rest of the demo stays as it was.
Rows are written directly (no e-mail is queued for the demo's example.jp addresses)."""
from __future__ import annotations

import random
from datetime import date, time, timedelta

from sqlalchemy import select

from civictest.extensions import db

DEMO_VENUE_CODE = "DEMO-2026-VENUE"
HELD_ON = date(2027, 1, 16)  # a Saturday
SLOTS = ((time(10), time(11), 4, 3), (time(13), time(14), 4, 1), (time(15), time(16), 2, 2))  # start, end, capacity, booked
WAITING = 1  # people waiting for the last (full) slot
SEED = 20261126 + 1500


def load() -> bool:
    from civictest.models import (
        Booking, BookingSlot, PanelInvitation, PanelMember, PanelRound, TestSession,
    )
    from civictest.models.base import utcnow
    from civictest.services import catalog
    from civictest.services.booking import REFERENCE_ALPHABET, slot_times
    from civictest.services.demo import DEMO_INVITE_CODE
    from civictest.services.demo_data import VENUES
    from civictest.services.panel import token_hash

    if db.session.scalar(select(TestSession.id).where(TestSession.invite_code == DEMO_VENUE_CODE)) is not None:
        return False
    demo_session = db.session.scalar(select(TestSession).where(TestSession.invite_code == DEMO_INVITE_CODE))
    if demo_session is None:
        return False
    members = list(db.session.scalars(select(PanelMember).where(PanelMember.status == "active")
                                      .order_by(PanelMember.id).limit(40)))
    needed = sum(s[3] for s in SLOTS) + WAITING
    if len(members) < needed:
        return False
    rng = random.Random(SEED)
    venue = VENUES[0]
    venue_session = catalog.create_session(
        demo_session.study, name=f"{venue[0]} 体験会（予約制・デモ）", mode="in_person", venue_name=venue[0],
        venue_address=venue[1], venue_municipality_code=venue[2], venue_lat=venue[3], venue_lon=venue[4],
        held_on=HELD_ON, capacity=sum(s[2] for s in SLOTS), invite_code=DEMO_VENUE_CODE, is_open=True)
    db.session.flush()
    panel_round = PanelRound(session_id=venue_session.id, requested=needed)
    db.session.add(panel_round)
    db.session.flush()
    chosen = rng.sample(members, needed)
    now = utcnow()
    people = iter(chosen)

    def reference() -> str:
        return "".join(rng.choice(REFERENCE_ALPHABET) for _ in range(4)) + "-" + "".join(
            rng.choice(REFERENCE_ALPHABET) for _ in range(4))

    def invitation_for(member: PanelMember) -> PanelInvitation:
        row = PanelInvitation(member_id=member.id, session_id=venue_session.id, round_id=panel_round.id,
                              token_hash=token_hash(f"demo-venue-{rng.getrandbits(128):032x}"), state="sent",
                              sent_at=now - timedelta(days=3))
        db.session.add(row)
        db.session.flush()
        return row

    for index, (start, end, capacity, booked) in enumerate(SLOTS):
        starts, ends = slot_times(HELD_ON, start, end)
        slot = BookingSlot(session_id=venue_session.id, starts_at=starts, ends_at=ends, capacity=capacity,
                           booked=booked)
        db.session.add(slot)
        db.session.flush()
        for _ in range(booked):
            invitation = invitation_for(next(people))
            db.session.add(Booking(invitation_id=invitation.id, session_id=venue_session.id, slot_id=slot.id,
                                   state="booked", sequence=1, uid=f"booking-demo-{rng.getrandbits(96):024x}@civictest",
                                   reference=reference(), updated_at=now))
        if index == len(SLOTS) - 1:
            for number in range(WAITING):
                invitation = invitation_for(next(people))
                db.session.add(Booking(invitation_id=invitation.id, session_id=venue_session.id, slot_id=slot.id,
                                       state="waiting", sequence=1, reference=reference(),
                                       uid=f"booking-demo-{rng.getrandbits(96):024x}@civictest",
                                       waiting_since=now - timedelta(hours=number + 1), updated_at=now))
    db.session.flush()
    return True
