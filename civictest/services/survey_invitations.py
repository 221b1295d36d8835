"""Personal links by mail (through the mail queue): invitations, and weekly reminders to non-respondents only.

Each mail carries a fresh random token; the roster entry keeps only its SHA-256 (services.surveys). A reminder
therefore sends a new link and the old one stops working (we cannot send the old token again: it is stored
nowhere). The mail rows' bodies hold the link until the worker has sent them; forget_sent_links() blanks
them afterwards, so the token does not stay in the database: a job queued after each batch (after_queueing,
behind the batch's deliveries) and a periodic job in the worker every 10 minutes.
"""
from __future__ import annotations

from datetime import timedelta

from flask import current_app, url_for
from huey import crontab
from sqlalchemy import select, update

from civictest.extensions import db
from civictest.jobs import huey
from civictest.models.base import utcnow
from civictest.models.surveys import RosterEntry, SurveyWave
from civictest.services.errors import Conflict
from civictest.services.surveys import accepts_answers, issue_link, reminder_due

KINDS = ("survey_invite", "survey_remind")
REMIND_EVERY = timedelta(days=7)
FORGOTTEN = "(sent; the personal link is not kept)"


def answer_link(token: str) -> str:
    """The absolute link a person answers by (PUBLIC_BASE_URL, else the request's or CLI context's root)."""
    base = current_app.config.get("PUBLIC_BASE_URL")
    if base:
        return base.rstrip("/") + url_for("respond.answer", t=token)
    return url_for("respond.answer", t=token, _external=True)


# Messages per queue_mails call while inviting or reminding (the roster entries' changes are flushed with each).
BATCH = 1000


class _Messages:
    """The invitation or reminder messages of one wave, queued BATCH at a time through queue_mails.

    The templates are rendered once per wave with stand-ins for the personal link and the unsubscribe URL,
    which are then put in each message's text: the rest of the message is the same for everyone (the templates
    are plain text; a value that HTML escaping would change is rendered in full, never substituted)."""

    def __init__(self, wave: SurveyWave, kind: str) -> None:
        import secrets

        from civictest.mail import render, unsubscribe_url_builder

        self.wave, self.kind, self.count = wave, kind, 0
        self.unsubscribe_url = unsubscribe_url_builder()
        self.pending: list[dict] = []
        self._marks = (f"civictestlink{secrets.token_hex(8)}", f"civictestunsub{secrets.token_hex(8)}")
        self._template = render(kind, "ja", **self._context(*self._marks))

    def _context(self, link: str, unsubscribe: str) -> dict:
        return {"survey": self.wave.survey, "wave": self.wave, "link": link,
                "english": "en" in self.wave.survey.language_list, "unsubscribe_url": unsubscribe}

    def add(self, entry: RosterEntry, occasion: str) -> None:
        from civictest.mail import render

        token = issue_link(entry)
        unsubscribe, link = self.unsubscribe_url(entry.email), answer_link(token)
        if any(c in value for value in (link, unsubscribe) for c in "&<>\"'"):
            subject, text, html = render(self.kind, "ja", **self._context(link, unsubscribe))
        else:
            subject, text, html = (None if part is None else
                                   part.replace(self._marks[0], link).replace(self._marks[1], unsubscribe)
                                   for part in self._template)
        self.pending.append({"kind": self.kind, "dedupe_key": f"{self.kind}:{entry.id}:{occasion}",
                             "to": entry.email, "subject": subject, "text": text, "html": html,
                             "unsubscribe_url": unsubscribe, "language": "ja"})
        if len(self.pending) >= BATCH:
            self.flush()

    def flush(self) -> None:
        from civictest.mail import queue_mails

        if self.pending:
            self.count += sum(mail_id is not None for mail_id in queue_mails(self.pending))
            self.pending = []


def invite(wave: SurveyWave) -> int:
    """Queue an invitation with a personal link to everyone on the roster not yet invited; the number queued.
    The caller commits (the mail rows are handed to the queue after the commit)."""
    if not accepts_answers(wave):
        raise Conflict("wave_not_open")
    now = utcnow()
    messages = _Messages(wave, "survey_invite")
    entries = db.session.scalars(select(RosterEntry).where(RosterEntry.wave_id == wave.id,
                                                           RosterEntry.invited_at.is_(None)).order_by(RosterEntry.id))
    for entry in entries.all():
        messages.add(entry, "1")
        entry.invited_at = now
    messages.flush()
    db.session.flush()
    return messages.count


def remind(wave: SurveyWave, now=None) -> int:  # noqa: ANN001
    """Queue a reminder (a new personal link) to each invited person who has not answered and last got mail
    from us a week ago or more; the number queued. Respondents never get one."""
    if not accepts_answers(wave):
        raise Conflict("wave_not_open")
    now = now or utcnow()
    messages = _Messages(wave, "survey_remind")
    entries = db.session.scalars(select(RosterEntry).where(
        RosterEntry.wave_id == wave.id, RosterEntry.has_answered.is_(False), RosterEntry.invited_at.is_not(None))
        .order_by(RosterEntry.id))
    for entry in entries.all():
        if not reminder_due(entry, now, REMIND_EVERY):
            continue
        entry.reminders = (entry.reminders or 0) + 1
        messages.add(entry, str(entry.reminders))
        entry.reminded_at = now
    messages.flush()
    db.session.flush()
    return messages.count


def forget_sent_links() -> int:
    """Blank the bodies of survey mail that has been sent (they held personal links); the number blanked."""
    from civictest.models.mail import OutgoingMail

    result = db.session.execute(
        update(OutgoingMail).where(OutgoingMail.kind.in_(KINDS), OutgoingMail.status.in_(("sent", "failed", "bounced", "suppressed")),
                                   OutgoingMail.text_body != FORGOTTEN)
        .values(text_body=FORGOTTEN, html_body=None))
    return result.rowcount or 0


def after_queueing() -> None:
    """Call after committing a batch: a job behind the batch's deliveries blanks their bodies once sent."""
    forget_links_job()


@huey.task()
def forget_links_job() -> None:
    forget_sent_links()
    db.session.commit()


@huey.periodic_task(crontab(minute="*/10"))
def periodic_forget_links() -> None:
    forget_sent_links()
    db.session.commit()
