"""queue_mail: a message becomes an OutgoingMail row in the caller's transaction; after the commit, a job.

The row is the truth (the job carries only its id): a job lost with a killed worker is found again by the
worker's sweep (delivery.sweep), and a second job for the same row sends nothing (delivery claims the row).
"""
from __future__ import annotations

import base64
import hashlib
import logging
import re
from collections.abc import Iterable

from sqlalchemy import event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, make_transient_to_detached

from civictest.extensions import db
from civictest.models.mail import MailSuppression, OutgoingMail

log = logging.getLogger(__name__)

_PENDING_KEY = "civictest.mail.pending_ids"
# One address, no display name: local@domain, no spaces, no control characters, no angle brackets or commas
# (which would make it a list or a name), at most 254 characters (RFC 5321's path limit).
_ADDRESS = re.compile(r"[^@\s<>,;:\"()\[\]\\]{1,64}@[^@\s<>,;:\"()\[\]\\]{1,252}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def normalise_address(address: str) -> str:
    """One e-mail address, trimmed and lower-cased; ValueError for anything else (a list, a name, CR/LF)."""
    if not isinstance(address, str):
        raise ValueError("the address must be a string")
    _refuse_line_breaks("to", address)
    value = address.strip().lower()
    if len(value) > 254 or not _ADDRESS.fullmatch(value) or "." not in value.rsplit("@", 1)[1]:
        raise ValueError(f"not one e-mail address: {address!r}")
    return value


def address_hash(address: str) -> str:
    """How an address is kept in the suppression list: SHA-256 of the normalised address."""
    return hashlib.sha256(normalise_address(address).encode()).hexdigest()


def is_suppressed(address: str) -> bool:
    """True when no mail may go to the address (it bounced, or its owner stopped all mail)."""
    return _is_hash_suppressed(address_hash(address))


def _is_hash_suppressed(digest: str) -> bool:
    return db.session.scalar(select(MailSuppression.id).where(MailSuppression.address_hash == digest)) is not None


def suppress(address: str, reason: str, detail: str = "") -> None:
    """Stop all mail to the address (reason "bounce" or "unsubscribe"); the caller commits. Idempotent."""
    suppress_hash(address_hash(address), reason, detail)


def suppress_hash(digest: str, reason: str, detail: str = "") -> None:
    if reason not in ("bounce", "unsubscribe"):
        raise ValueError(f"unknown suppression reason {reason!r}")
    db.session.flush()
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(MailSuppression.__table__).on_conflict_do_nothing()
    from civictest.models.base import utcnow

    db.session.execute(statement, {"address_hash": digest, "reason": reason, "detail": detail[:300],
                                   "created_at": utcnow()})


def unsuppress(address: str) -> bool:
    """Allow mail to the address again (e.g. it joins the panel again and confirms); the caller commits."""
    row = db.session.scalar(select(MailSuppression).where(MailSuppression.address_hash == address_hash(address)))
    if row is None:
        return False
    db.session.delete(row)
    return True


def forget_address(address: str) -> int:
    """Erasure: delete the messages to an address (their bodies hold personal data); the caller commits.

    A message a worker is sending at this moment is left to finish. The suppression list keeps only a hash, so
    an address that unsubscribed stays unsubscribed. Returns how many messages were deleted."""
    from sqlalchemy import delete

    result = db.session.execute(
        delete(OutgoingMail).where(OutgoingMail.to_address == normalise_address(address),
                                   OutgoingMail.status != "sending")
        .execution_options(synchronize_session=False))
    return result.rowcount


def message_id_for(dedupe_key: str, sender: str) -> str:
    """The Message-ID, derived from the dedupe key: two copies of one message carry the same id."""
    from email.utils import parseaddr

    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    return f"<{hashlib.sha256(dedupe_key.encode()).hexdigest()[:40]}@{domain}>"


def _refuse_line_breaks(name: str, value: str) -> None:
    if _CONTROL.search(value):
        raise ValueError(f"{name}: line breaks and control characters are not allowed in a mail header")


def queue_mail(*, kind: str, dedupe_key: str, to: str, subject: str, text: str, html: str | None = None,
               unsubscribe_url: str | None = None, attachments: Iterable[tuple[str, str, bytes]] = (),
               language: str = "ja") -> OutgoingMail | None:
    """Add a message to the caller's transaction; the caller commits, then the message is handed to the queue.

    Returns None (and queues nothing) when a message with this dedupe_key was queued before, or when the
    address bounced or unsubscribed from all mail. ValueError for CR/LF or control characters in any header
    value (kind, key, address, subject, unsubscribe URL, attachment names), for an address that is not one
    address, or an attachment that is not (filename, "type/subtype", bytes).
    """
    values = _row_values(kind=kind, dedupe_key=dedupe_key, to=to, subject=subject, text=text, html=html,
                         unsubscribe_url=unsubscribe_url, attachments=attachments, language=language)
    mail_id = _insert_rows([values])[0]
    if mail_id is None:
        return None
    row = OutgoingMail(id=mail_id, **values)  # what was inserted, without reading it back
    make_transient_to_detached(row)
    db.session.add(row)
    return row


# Rows per executemany in queue_mails (SQLAlchemy splits it further into multi-row INSERTs of its own size).
INSERT_CHUNK = 500


def queue_mails(messages: Iterable[dict]) -> list[int | None]:
    """queue_mail for many messages (each a dict of queue_mail's keyword arguments) in the caller's transaction:
    the id queued for each message, or None where queue_mail would have returned None (a dedupe key queued
    before, or earlier in this list; a suppressed address). Every message is checked first (ValueError as in
    queue_mail, and then nothing is queued); then one suppression query and one INSERT ... ON CONFLICT DO
    NOTHING ... RETURNING per INSERT_CHUNK messages instead of a flush and two statements per message, and no
    ORM objects (the session stays small). After the commit the ids go to the queue GROUP per job."""
    rows = [_row_values(**message) for message in messages]
    return _insert_rows(rows)


def _row_values(*, kind: str, dedupe_key: str, to: str, subject: str, text: str, html: str | None = None,
                unsubscribe_url: str | None = None, attachments: Iterable[tuple[str, str, bytes]] = (),
                language: str = "ja") -> dict:
    """The checked column values of one message (ValueError for a header it must refuse)."""
    from flask import current_app

    for name, value in (("kind", kind), ("dedupe_key", dedupe_key), ("subject", subject),
                        ("unsubscribe_url", unsubscribe_url or ""), ("language", language)):
        if not isinstance(value, str):
            raise ValueError(f"{name} must be a string")
        _refuse_line_breaks(name, value)
    if not kind or len(kind) > 40 or not dedupe_key or len(dedupe_key) > 200 or len(subject) > 400:
        raise ValueError("kind (1-40 characters), dedupe_key (1-200) and subject (at most 400) are required")
    if unsubscribe_url and not unsubscribe_url.startswith(("https://", "http://")):
        raise ValueError("unsubscribe_url must be an http(s) URL")
    address = normalise_address(to)
    stored_attachments = []
    for attachment in attachments:
        filename, mimetype, data = attachment
        _refuse_line_breaks("attachment filename", filename)
        _refuse_line_breaks("attachment mimetype", mimetype)
        if not re.fullmatch(r"[a-z0-9.+-]+/[a-z0-9.+-]+", mimetype or "") or not isinstance(data, bytes):
            raise ValueError(f"attachment {filename!r}: expected (filename, 'type/subtype', bytes)")
        stored_attachments.append({"filename": filename, "mimetype": mimetype,
                                   "data": base64.b64encode(data).decode("ascii")})
    from civictest.models.base import utcnow

    return {
        "kind": kind, "dedupe_key": dedupe_key, "to_address": address, "language": language,
        "subject": subject, "text_body": text, "html_body": html, "unsubscribe_url": unsubscribe_url,
        "attachments": stored_attachments,
        "message_id": message_id_for(dedupe_key, current_app.config["MAIL_DEFAULT_SENDER"]),
        "status": "queued", "attempts": 0, "last_error": None, "created_at": utcnow(), "next_attempt_at": None,
        "claimed_at": None, "sent_at": None,
    }


def _insert_rows(rows: list[dict]) -> list[int | None]:
    """Insert the rows not suppressed and not already queued; each row's new id or None. The ids are noted for
    the queue after the commit."""
    if not rows:
        return []
    db.session.flush()  # the caller's pending changes first (as queue_mail always did)
    hashes = {hashlib.sha256(row["to_address"].encode()).hexdigest() for row in rows}
    suppressed: set[str] = set()
    sorted_hashes = sorted(hashes)
    for start in range(0, len(sorted_hashes), INSERT_CHUNK):
        suppressed.update(db.session.scalars(
            select(MailSuppression.address_hash)
            .where(MailSuppression.address_hash.in_(sorted_hashes[start:start + INSERT_CHUNK]))))
    wanted, seen = [], set()
    for row in rows:
        key = row["dedupe_key"]
        if key in seen or hashlib.sha256(row["to_address"].encode()).hexdigest() in suppressed:
            continue
        seen.add(key)
        wanted.append(row)
    table = OutgoingMail.__table__
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    ids: dict[str, int] = {}
    statement = insert(table).on_conflict_do_nothing().returning(table.c.id, table.c.dedupe_key)
    connection = db.session.connection()
    for start in range(0, len(wanted), INSERT_CHUNK):
        # executemany with RETURNING: SQLAlchemy sends it as multi-row INSERTs ("insertmanyvalues"), compiled once
        ids.update((key, mail_id) for mail_id, key in connection.execute(statement, wanted[start:start + INSERT_CHUNK]))
    if ids:
        db.session.info.setdefault(_PENDING_KEY, []).extend(sorted(ids.values()))
    result: list[int | None] = []
    for row in rows:
        mail_id = ids.pop(row["dedupe_key"], None)  # pop: a second message with the key gets None
        result.append(mail_id)
    return result


@event.listens_for(Session, "after_commit")
def _enqueue_after_commit(session: Session) -> None:
    ids = session.info.pop(_PENDING_KEY, None)
    if not ids:
        return
    from civictest.mail import delivery

    try:
        delivery.deliver_group(ids)  # one job per delivery.GROUP rows
    except Exception:  # noqa: BLE001 - the rows stay queued; the worker's sweep finds them
        log.exception("could not hand %d mail(s) to the job queue; the sweep will", len(ids))


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(_PENDING_KEY, None)
