"""The tester panel's use cases: registration with double opt-in, the member's own page, erasure, quotas and
screeners, selection into invitation rounds, personal links, reminders.

Every e-mail goes through civictest.mail.queue_mail (the job queue sends it after the commit) with a dedupe key
per (kind, member, occasion), the member-page link and mail's one-click unsubscribe URL.
"""
from __future__ import annotations

import hashlib
import math
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import contains_eager

from civictest import panel_consent
from civictest.extensions import db
from civictest.geo import municipality_for_postal_code
from civictest.models import (
    PanelIncentive, PanelInvitation, PanelMember, PanelMonthlyCount, PanelQuota, PanelRound, Participant, ScreenerQuestion, Study,
    TestSession,
)
from civictest.models.base import utcnow
from civictest.models.panel import AVAILABILITY, PANEL_LANGUAGES
from civictest.panel_selection import Candidate, Quota, Selection, cell_key, parse_cell_key
from civictest.panel_selection import select as select_members
from civictest.services.errors import InvalidInput, NotFound

PROFILE_FIELDS = ("age_band", "device", "online_frequency")


# ---- links -------------------------------------------------------------------------------------------------

def _confirm_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="civictest-panel-confirm")


def _member_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="civictest-panel-member")


def confirm_token(member: PanelMember) -> str:
    return _confirm_serializer().dumps({"m": member.id, "n": member.link_nonce})


def member_token(member: PanelMember) -> str:
    """The member page's link: works until the member's data is erased (the row and its nonce go)."""
    return _member_serializer().dumps({"m": member.id, "n": member.link_nonce})


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def absolute_url(endpoint: str, **values: object) -> str:
    """An absolute URL for an e-mail, built as mail's unsubscribe URL is: PUBLIC_BASE_URL, else the site URL,
    else the current request's host, else http://localhost:5000 (the embedded demo)."""
    from urllib.parse import urlsplit

    from flask import has_request_context, request

    from civictest.web.urls import site_url

    base = current_app.config.get("PUBLIC_BASE_URL") or site_url() or (
        request.host_url if has_request_context() else "http://localhost:5000")
    parts = urlsplit(base)
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme)
    return adapter.build(endpoint, values, force_external=True)


# ---- registration ------------------------------------------------------------------------------------------

def normalise_email(text: str | None) -> str:
    """The address as stored (mail's normal form: one address, trimmed, lower-case); InvalidInput for anything
    else, CR/LF and other header tricks included."""
    from civictest.mail import normalise_address

    try:
        return normalise_address(text or "")
    except ValueError as error:
        raise InvalidInput("email") from error


def clean_profile(answers: dict) -> dict:
    """The profile columns from a form's answers: the municipality from the postal code (never the code itself),
    assistive technology only with its own consent, languages and availability as known words only."""
    postal = answers.get("postal_code") or ""
    assistive = bool(answers.get("assistive_consent"))
    return {
        "age_band": answers.get("age_band") or None,
        "device": answers.get("device") or None,
        "online_frequency": answers.get("online_frequency") or None,
        "municipality_code": municipality_for_postal_code(postal) if postal else None,
        "assistive_consent": assistive,
        "assistive_technology": (answers.get("assistive_technology") or None) if assistive else None,
        "languages": ",".join(v for v in PANEL_LANGUAGES if v in (answers.get("languages") or ())),
        "availability": ",".join(v for v in AVAILABILITY if v in (answers.get("availability") or ())),
    }


def register(email: str, language: str, answers: dict) -> PanelMember | None:
    """A pending member and their confirmation e-mail. An address already registered gets a new confirmation
    (pending) or a link to their page (active) instead, so the page never tells who is registered."""
    address = normalise_email(email)
    lang = language if language in ("ja", "en") else "ja"
    member = db.session.scalar(select(PanelMember).where(PanelMember.email == address))
    if member is not None and member.status == "active":
        _send_member_link(member)
        db.session.commit()
        return member
    if member is None:
        member = PanelMember(email=address, status="pending")
        db.session.add(member)
    member.language, member.link_nonce = lang, secrets.token_hex(16)
    member.consent_version, member.consented_at = panel_consent.CURRENT_VERSION, utcnow()
    if member.status == "left":
        member.status, member.left_at, member.confirmed_at = "pending", None, None
    for name, value in clean_profile(answers).items():
        setattr(member, name, value)
    db.session.flush()
    _queue(member, "panel_confirm", f"panel-confirm:{member.id}:{member.link_nonce}",
           confirm_url=absolute_url("panel.confirm", token=confirm_token(member)),
           hours=current_app.config["PANEL_CONFIRM_HOURS"])
    db.session.commit()
    return member


def confirm(token: str) -> PanelMember:
    """Open the confirmation link: the member becomes active (once; opening it again changes nothing)."""
    try:
        data = _confirm_serializer().loads(token or "", max_age=current_app.config["PANEL_CONFIRM_HOURS"] * 3600)
    except SignatureExpired as error:
        raise InvalidInput("expired") from error
    except BadSignature as error:
        raise NotFound() from error
    member = _member_by(data)
    if member.status != "active":
        member.status, member.confirmed_at, member.left_at = "active", utcnow(), None
        _count_month("joins")
        db.session.commit()
    return member


def member_from_link(token: str) -> PanelMember:
    try:
        data = _member_serializer().loads(token or "")
    except BadSignature as error:
        raise NotFound() from error
    return _member_by(data)


def _member_by(data: object) -> PanelMember:
    if not isinstance(data, dict):
        raise NotFound()
    member = db.session.get(PanelMember, data.get("m")) if isinstance(data.get("m"), int) else None
    if member is None or member.link_nonce != data.get("n"):
        raise NotFound()
    return member


def update_profile(member: PanelMember, language: str, answers: dict) -> None:
    member.language = language if language in ("ja", "en") else member.language
    for name, value in clean_profile(answers).items():
        setattr(member, name, value)
    db.session.commit()


def leave(member: PanelMember) -> None:
    """Stop being invited but keep the record until erasure (a member may come back with the same address)."""
    if member.status == "active":
        _count_month("leaves")
    member.status, member.left_at = "left", utcnow()
    db.session.commit()


def erase(member: PanelMember) -> None:
    """Delete the member, their e-mail address and their invitations. Answers they gave in tests stay with
    the pseudonymous participant, now linked to nobody (as /withdraw leaves counts but no person)."""
    if member.status == "active":
        _count_month("leaves")
    address = member.email
    from civictest.services import booking

    booking.release_member(member.id)  # a booked place goes to the waiting list, not with the member
    db.session.execute(delete(PanelInvitation).where(PanelInvitation.member_id == member.id))
    db.session.delete(member)
    _forget_address(address)
    db.session.commit()


def _forget_address(address: str) -> None:
    """The mail log keeps recipients: after erasure no stored message names the member (a queued one is then
    never sent: the worker finds no row to claim). Suppressions are hashes and stay."""
    from civictest.mail import normalise_address
    from civictest.models import OutgoingMail

    db.session.execute(delete(OutgoingMail).where(OutgoingMail.to_address == normalise_address(address)))


def _count_month(column: str) -> None:
    month = utcnow().strftime("%Y-%m")
    row = db.session.get(PanelMonthlyCount, month)
    if row is None:
        row = PanelMonthlyCount(month=month, joins=0, leaves=0)
        db.session.add(row)
        db.session.flush()
    setattr(row, column, getattr(row, column) + 1)


# ---- mail --------------------------------------------------------------------------------------------------

def _queue(member: PanelMember, template: str, dedupe_key: str, *, attachments: Iterable = (), **context: object):
    from civictest.mail import queue_mail

    return queue_mail(**_message(member, template, dedupe_key, attachments=attachments, **context))


def _message(member: PanelMember, template: str, dedupe_key: str, *, attachments: Iterable = (),
             unsubscribe_url_for=None, **context: object) -> dict:  # noqa: ANN001
    """queue_mail's arguments for one message to a member (unsubscribe_url_for: a builder made once for many)."""
    from civictest.mail import render, unsubscribe_url_builder

    unsubscribe = (unsubscribe_url_for or unsubscribe_url_builder())(member.email)
    context.update(member_url=absolute_url("panel.member", token=member_token(member)), unsubscribe_url=unsubscribe)
    subject, text, html = render(template, member.language, **context)
    return {"kind": template, "dedupe_key": dedupe_key, "to": member.email, "subject": subject, "text": text,
            "html": html, "unsubscribe_url": unsubscribe, "attachments": tuple(attachments),
            "language": member.language}


# Messages per queue_mails call in invite and remind.
MAIL_BATCH = 1000


def _queue_batched(messages: Iterable[dict]) -> int:
    """queue_mails MAIL_BATCH at a time; how many were queued."""
    from civictest.mail import queue_mails

    queued, batch = 0, []
    for message in messages:
        batch.append(message)
        if len(batch) >= MAIL_BATCH:
            queued += sum(mail_id is not None for mail_id in queue_mails(batch))
            batch = []
    if batch:
        queued += sum(mail_id is not None for mail_id in queue_mails(batch))
    return queued


def _send_member_link(member: PanelMember) -> None:
    _queue(member, "panel_member_link", f"panel-member-link:{member.id}:{utcnow():%Y-%m-%d}")


# ---- quotas and screeners ----------------------------------------------------------------------------------

def parse_cell(key: str) -> dict:
    return parse_cell_key(key)


def study_for_session(code: str) -> TestSession:
    from civictest.services.participation import find_session

    return find_session(code, must_be_open=False)


def set_quotas(study: Study, quotas: list[dict], *, commit: bool = True) -> None:
    """Replace a study's quotas: [{"cell": {...}, "count": n} or {"cell": {...}, "share": 0.25}]."""
    db.session.execute(delete(PanelQuota).where(PanelQuota.study_id == study.id))
    for quota in quotas:
        cell = {str(k): str(v) for k, v in quota["cell"].items()}
        db.session.add(PanelQuota(study_id=study.id, cell=cell, cell_key=cell_key(cell),
                                  target_count=quota.get("count"), target_share=quota.get("share")))
    if commit:
        db.session.commit()


def quotas_of(study_id: int) -> list[PanelQuota]:
    return list(db.session.scalars(select(PanelQuota).where(PanelQuota.study_id == study_id)
                                   .order_by(PanelQuota.cell_key)))


def screener_of(study_id: int) -> list[ScreenerQuestion]:
    return list(db.session.scalars(select(ScreenerQuestion).where(ScreenerQuestion.study_id == study_id)
                                   .order_by(ScreenerQuestion.position)))


def add_screener_question(study: Study, kind: str, text_ja: str, text_en: str, options: list[dict],
                          eligible: list[str], *, commit: bool = True) -> ScreenerQuestion:
    if kind not in ("single", "multiple") or not options or not set(eligible) <= {o["value"] for o in options}:
        raise InvalidInput("screener")
    position = (db.session.scalar(select(func.max(ScreenerQuestion.position))
                                  .where(ScreenerQuestion.study_id == study.id)) or 0) + 1
    question = ScreenerQuestion(study_id=study.id, position=position, kind=kind, text_ja=text_ja,
                                text_en=text_en, options=options, eligible=eligible)
    db.session.add(question)
    if commit:
        db.session.commit()
    else:
        db.session.flush()
    return question


def passes_screener(questions: list[ScreenerQuestion], answers: dict[str, list[str]]) -> bool:
    """Eligible when every question has at least one answer among its eligible values."""
    return all(set(answers.get(str(q.id), ())) & set(q.eligible) for q in questions)


# ---- selection and invitations -----------------------------------------------------------------------------

@dataclass
class RoundResult:
    round: PanelRound
    selection: Selection
    queued: int


def candidates(now: datetime) -> list[Candidate]:
    """Every active member as a selection candidate: profile, tests and no-shows in the last 365 days, last
    test."""
    from civictest.reporting.panel import no_show_counts

    year_ago = now - timedelta(days=365)
    tests = dict(db.session.execute(
        select(PanelInvitation.member_id, func.count())
        .where(PanelInvitation.joined_at.is_not(None), PanelInvitation.joined_at >= year_ago)
        .group_by(PanelInvitation.member_id)).all())
    no_shows = no_show_counts(now=now)
    rows = db.session.connection().execute(select(  # Core rows: no ORM bookkeeping for 100,000 members
        PanelMember.id, PanelMember.age_band, PanelMember.municipality_code, PanelMember.device,
        PanelMember.online_frequency, PanelMember.assistive_technology, PanelMember.last_tested_at,
    ).where(PanelMember.status == "active"))
    out = []
    for member_id, age, area, device, frequency, assistive, last in rows:
        if last is not None and last.tzinfo is None:  # SQLite hands back naive UTC
            last = last.replace(tzinfo=timezone.utc)
        out.append(Candidate(member_id, {"age_band": age, "municipality_code": area, "device": device,
                                         "online_frequency": frequency, "assistive_technology": assistive},
                             tests.get(member_id, 0), last, no_shows.get(member_id, 0)))
    return out


def unreachable_members() -> set[int]:
    """Active members whose address is on mail's suppression list (they stopped all mail, or it bounced)."""
    from civictest.mail.queueing import address_hash
    from civictest.models import MailSuppression

    suppressed = set(db.session.scalars(select(MailSuppression.address_hash)))
    if not suppressed:
        return set()
    rows = db.session.connection().execute(
        select(PanelMember.id, PanelMember.email).where(PanelMember.status == "active"))
    return {member_id for member_id, email in rows if address_hash(email) in suppressed}


def invite(test_session: TestSession, count: int, *, seed: int | None = None) -> RoundResult:
    """Select up to `count` members by the study's quotas and queue their invitations (one round)."""
    if count < 1 or count > 100_000:
        raise InvalidInput("count")
    now = utcnow()
    already = set(db.session.scalars(select(PanelInvitation.member_id)
                                      .where(PanelInvitation.session_id == test_session.id)))
    already |= unreachable_members()  # no invitation could be queued for them: never selected, never counted
    quotas = [Quota(q.cell, q.target_count, q.target_share) for q in quotas_of(test_session.study_id)]
    selection = select_members(
        candidates(now), quotas, count, now=now, exclude=already, seed=secrets.randbits(32) if seed is None else seed,
        max_tests_per_year=current_app.config["PANEL_MAX_TESTS_PER_YEAR"],
        cooloff_days=current_app.config["PANEL_COOLOFF_DAYS"],
        max_no_shows=current_app.config["PANEL_NO_SHOW_LIMIT"])
    panel_round = PanelRound(session_id=test_session.id, requested=count)
    db.session.add(panel_round)
    db.session.flush()
    members = {m.id: m for m in db.session.scalars(
        select(PanelMember).where(PanelMember.id.in_([m for m, _ in selection.chosen])))} if selection.chosen else {}
    from civictest.mail import unsubscribe_url_builder

    unsubscribe_url_for, bookable = unsubscribe_url_builder(), _bookable(test_session)

    def messages():  # noqa: ANN202
        for member_id, key in selection.chosen:
            member = members[member_id]
            token = secrets.token_urlsafe(24)
            invitation = PanelInvitation(member_id=member_id, session_id=test_session.id, round_id=panel_round.id,
                                         token_hash=token_hash(token), cell_key=key, state="sent", sent_at=now)
            db.session.add(invitation)
            if bookable:
                db.session.flush()  # the booking link names the invitation (in-person sessions with slots only)
            yield _message(member, "panel_invite", f"panel-invite:{member_id}:{test_session.id}",
                           unsubscribe_url_for=unsubscribe_url_for,
                           **_session_context(test_session, member, token, invitation, bookable))

    queued = _queue_batched(messages())  # each batch flushes its invitations with its mail rows
    db.session.commit()
    return RoundResult(panel_round, selection, queued)


def _bookable(test_session: TestSession) -> bool:
    """An in-person session with time slots: its invitations and reminders carry the booking link."""
    from civictest.services import booking

    return test_session.mode == "in_person" and booking.has_slots(test_session.id)


def _session_context(test_session: TestSession, member: PanelMember, token: str,
                     invitation: PanelInvitation | None = None, bookable: bool = False) -> dict:
    """The invitation's and reminder's words; `booking_url` (the page to book a time) when `bookable`."""
    from civictest.services import booking

    study = test_session.study
    service = study.iteration.service
    name = (service.name_en if member.language == "en" else "") or service.name_ja
    booking_url = booking.booking_url(invitation) if bookable and invitation is not None else None
    held_on = booking.day_words(test_session.held_on, member.language) if test_session.held_on else None
    return {"service_name": name, "held_on": held_on,
            "session": test_session, "minutes": study.minutes_expected,
            "invite_url": absolute_url("panel.personal_link", token=token), "booking_url": booking_url}


def sync_finished(session_id: int) -> None:
    """Invitations whose participant has finished the test are finished (and the member's last test noted)."""
    rows = db.session.execute(
        select(PanelInvitation.id, PanelInvitation.member_id, Participant.finished_at)
        .join(Participant, Participant.id == PanelInvitation.participant_id)
        .where(PanelInvitation.session_id == session_id, PanelInvitation.state == "joined",
               Participant.finished_at.is_not(None))).all()
    for invitation_id, member_id, finished_at in rows:
        db.session.execute(update(PanelInvitation).where(PanelInvitation.id == invitation_id)
                           .values(state="finished", finished_at=finished_at))
    if rows:
        db.session.flush()


def remind(test_session: TestSession) -> int:
    """Remind invited members who have not finished (once per session); returns how many were queued. The
    new personal link replaces the old one (only its hash is kept), unless they already joined."""
    sync_finished(test_session.id)
    waiting = db.session.scalars(
        select(PanelInvitation).join(PanelMember)
        .where(PanelInvitation.session_id == test_session.id, PanelInvitation.state.in_(("sent", "joined")),
               PanelInvitation.reminded_at.is_(None), PanelMember.status == "active")
        .options(contains_eager(PanelInvitation.member))).all()
    from civictest.mail import unsubscribe_url_builder

    unsubscribe_url_for, bookable = unsubscribe_url_builder(), _bookable(test_session)

    def messages():  # noqa: ANN202
        for invitation in waiting:
            token = secrets.token_urlsafe(24)
            if invitation.state == "sent":
                invitation.token_hash = token_hash(token)
                url_token = token
            else:
                url_token = None  # joined: the link continues their own test (resume by receipt code on their device)
            invitation.reminded_at = utcnow()
            context = _session_context(test_session, invitation.member, token, invitation, bookable)
            if url_token is None:
                context["invite_url"] = absolute_url("participate.resume")
            yield _message(invitation.member, "panel_remind", f"panel-remind:{invitation.member_id}:{test_session.id}",
                           unsubscribe_url_for=unsubscribe_url_for, joined=invitation.state == "joined", **context)

    queued = _queue_batched(messages())
    db.session.commit()
    return queued


def invitation_for_link(token: str) -> PanelInvitation:
    invitation = db.session.scalar(select(PanelInvitation).where(PanelInvitation.token_hash == token_hash(token or "")))
    if invitation is None:
        raise NotFound()
    return invitation


def join_by_link(invitation: PanelInvitation, join_key: str) -> Participant:
    """Join the invitation's session as a new participant, once: a link already used is refused unless the
    browser is the one that joined (the caller checks that before calling)."""
    from civictest import consent
    from civictest.services import participation
    from civictest.services.errors import Conflict

    claimed = db.session.execute(
        update(PanelInvitation).where(PanelInvitation.id == invitation.id, PanelInvitation.participant_id.is_(None),
                                      PanelInvitation.state == "sent")
        .values(state="joined", joined_at=utcnow()))
    if claimed.rowcount != 1:
        db.session.rollback()
        raise Conflict("used")
    db.session.flush()
    person = participation.join(invitation.session, consent.CURRENT_VERSION, join_key)  # commits
    db.session.execute(update(PanelInvitation).where(PanelInvitation.id == invitation.id)
                       .values(participant_id=person.id))
    db.session.execute(update(PanelMember).where(PanelMember.id == invitation.member_id)
                       .values(last_tested_at=utcnow()))
    db.session.commit()
    return person


def screen_out(invitation: PanelInvitation, answers: dict) -> None:
    invitation.screener_answers, invitation.state = answers, "screened_out"
    db.session.commit()


def quotas_from_csv(raw: bytes) -> list[dict]:
    """Quota rows from a CSV (e.g. a census table): one column per dimension (age_band, municipality_code,
    device, ...) and a `share` (0-1 or percent) or `count` column. InvalidInput names the first bad row."""
    import csv
    import io

    from civictest.importing.spreadsheets import decode_text
    from civictest.panel_selection import QUOTA_DIMENSIONS

    text, _ = decode_text(raw)
    reader = csv.DictReader(io.StringIO(text))
    headers = [h.strip() for h in reader.fieldnames or ()]
    dims = [h for h in headers if h in QUOTA_DIMENSIONS]
    measure = "share" if "share" in headers else "count" if "count" in headers else None
    if not dims or measure is None:
        raise InvalidInput("quota-columns")
    out: list[dict] = []
    for number, row in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
        try:
            value = float(row[measure].rstrip("%"))
        except ValueError as error:
            raise InvalidInput(f"quota-row:{number}") from error
        if not math.isfinite(value) or value < 0 or any(not row.get(d) for d in dims):
            raise InvalidInput(f"quota-row:{number}")
        cell = {d: row[d] for d in dims}
        if measure == "count":
            out.append({"cell": cell, "count": int(value)})
        else:
            out.append({"cell": cell, "share": value / 100 if row[measure].endswith("%") or value > 1 else value})
    if not out:
        raise InvalidInput("quota-columns")
    return out




# ---- incentives ledger -------------------------------------------------------------------------------------

def record_incentive(test_session: TestSession, member_id: int, description: str, amount_yen: int,
                     given_on: date, recorded_by: int | None) -> PanelIncentive:
    """One line of the ledger: only for a member who joined the session through the panel, once per session."""
    from civictest.services.errors import Conflict

    joined = db.session.scalar(select(PanelInvitation.id).where(
        PanelInvitation.session_id == test_session.id, PanelInvitation.member_id == member_id,
        PanelInvitation.joined_at.is_not(None)))
    if joined is None or amount_yen < 0 or not description.strip():
        raise InvalidInput("incentive")
    if db.session.scalar(select(PanelIncentive.id).where(PanelIncentive.session_id == test_session.id,
                                                         PanelIncentive.member_id == member_id)) is not None:
        raise Conflict("incentive")
    row = PanelIncentive(member_id=member_id, session_id=test_session.id, description=description.strip()[:200],
                         amount_yen=amount_yen, given_on=given_on, recorded_by_id=recorded_by)
    db.session.add(row)
    db.session.commit()
    return row


def joined_members(session_id: int) -> list[int]:
    """Members who joined the session through the panel and have no incentive recorded for it yet."""
    given = select(PanelIncentive.member_id).where(PanelIncentive.session_id == session_id,
                                                   PanelIncentive.member_id.is_not(None))
    return list(db.session.scalars(select(PanelInvitation.member_id).where(
        PanelInvitation.session_id == session_id, PanelInvitation.joined_at.is_not(None),
        PanelInvitation.member_id.not_in(given)).order_by(PanelInvitation.member_id)))
