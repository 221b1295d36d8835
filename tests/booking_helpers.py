"""Test helpers for session booking: an in-person session, slots in Japan time, members with invitations."""
from __future__ import annotations

import base64
import secrets
from datetime import date, time, timedelta

import icalendar
from helpers import make_service, make_session
from sqlalchemy import select

from civictest.extensions import db
from civictest.models import OutgoingMail, PanelInvitation, PanelMember, PanelRound
from civictest.models.base import utcnow
from civictest.services import booking, panel


def venue_session(code: str = "VENUE-2027", service=None):  # noqa: ANN001, ANN201
    service = service or make_service(tasks=1)
    return make_session(service, invite_code=code, mode="in_person", venue_name="区役所本庁舎 区民ホール",
                        venue_address="東京都新宿区歌舞伎町1-4-1", capacity=20)


def tokyo_today() -> date:
    return utcnow().astimezone(booking.TOKYO).date()


def slot(test_session, days: int = 3, hour: int = 10, capacity: int = 2):  # noqa: ANN001, ANN201
    starts, ends = booking.slot_times(tokyo_today() + timedelta(days=days), time(hour), time(hour + 1))
    row = booking.add_slot(test_session, starts, ends, capacity)
    db.session.commit()
    return row


def member(email: str, language: str = "ja") -> PanelMember:
    row = PanelMember(email=email, language=language, status="active", link_nonce=secrets.token_hex(16),
                      consent_version="2026-12", consented_at=utcnow(), confirmed_at=utcnow(), age_band="40s")
    db.session.add(row)
    db.session.commit()
    return row


def invite(person: PanelMember, test_session) -> tuple[PanelInvitation, str]:  # noqa: ANN001
    panel_round = db.session.scalar(select(PanelRound).where(PanelRound.session_id == test_session.id))
    if panel_round is None:
        panel_round = PanelRound(session_id=test_session.id, requested=1)
        db.session.add(panel_round)
        db.session.flush()
    token = secrets.token_urlsafe(24)
    invitation = PanelInvitation(member_id=person.id, session_id=test_session.id, round_id=panel_round.id,
                                 token_hash=panel.token_hash(token), state="sent", sent_at=utcnow())
    db.session.add(invitation)
    db.session.commit()
    return invitation, token


def mails_to(address: str) -> list[OutgoingMail]:
    return list(db.session.scalars(select(OutgoingMail).where(OutgoingMail.to_address == address)
                                   .order_by(OutgoingMail.id)))


def calendar_of(mail: OutgoingMail) -> icalendar.Calendar:
    (attachment,) = [a for a in mail.attachments if a["mimetype"] == "text/calendar"]
    return icalendar.Calendar.from_ical(base64.b64decode(attachment["data"]))
