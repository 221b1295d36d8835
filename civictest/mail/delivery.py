"""Delivery in the worker: jobs carrying OutgoingMail row ids (up to GROUP per job), idempotent; SMTP, or .eml
files in the outbox.

For each row in turn a job claims it (queued/retry -> sending, one UPDATE ... RETURNING, committed) before it
sends, and marks it sent right after (committed with the next row's claim, or alone for the last), so a second
job for the same row sends nothing and a worker killed at any point loses nothing: rows left in `sending` by a
dead worker are handed out again after MAIL_CLAIM_TIMEOUT seconds by the sweep (at worker start and every
minute) - the only copy that can go twice is the one that was in flight. Huey deletes a job from the queue when a
worker takes it, before the claims; the sweep also gives a new job to every waiting row that has none in the
queue or the schedule (a worker killed between taking the job and claiming, or half way through a group).

SMTP down, a timeout or a 4xx answer: the row goes to `retry` and the job is scheduled again after
MAIL_RETRY_DELAY * 2**(attempts-1) seconds; after MAIL_MAX_ATTEMPTS attempts it is `failed`. A 5xx answer for
the recipient: the row is `bounced` and the address suppressed (no further mail is queued to it).
"""
from __future__ import annotations

import base64
import hashlib
import logging
import os
import re
import secrets
import smtplib
import socket
import ssl
import threading
import time
from datetime import datetime, timedelta, timezone
from email.headerregistry import HeaderRegistry
from email.policy import EmailPolicy
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from pathlib import Path

from flask import current_app
from huey import crontab
from sqlalchemy import select, update
from sqlalchemy.orm import make_transient_to_detached

from civictest.extensions import db
from civictest.jobs import huey, on_worker_start
from civictest.mail.queueing import suppress_hash
from civictest.models.base import utcnow
from civictest.models.mail import MailSuppression, OutgoingMail

log = logging.getLogger(__name__)

class _MailPolicy(EmailPolicy):
    """SMTP's policy (CRLF, 7-bit: UTF-8 text goes base64 or quoted-printable, RFC 2047 words in the Subject)
    except that List-Unsubscribe stays one unencoded line: folding would turn a long URL into encoded words,
    which mail clients do not decode there."""

    def fold(self, name: str, value: str) -> str:
        if name.lower() == "list-unsubscribe" and str(value).isascii() and len(str(value)) < 990:
            return f"{name}: {value}{self.linesep}"
        return super().fold(name, value)

    def fold_binary(self, name: str, value: str) -> bytes:
        if name.lower() == "list-unsubscribe" and str(value).isascii() and len(str(value)) < 990:
            return f"{name}: {value}{self.linesep}".encode("ascii")
        return super().fold_binary(name, value)


class _HeaderClasses(HeaderRegistry):
    """The standard header classes, each made once: HeaderRegistry builds a new class for every header set or
    read (a fifth of a worker's time per message before this cache)."""

    def __init__(self) -> None:
        super().__init__()
        self._made: dict[str, type] = {}

    def __getitem__(self, name: str) -> type:
        key = name.lower()
        made = self._made.get(key)
        if made is None:
            made = self._made[key] = super().__getitem__(name)
        return made


MAIL_POLICY = _MailPolicy(linesep="\r\n", cte_type="7bit", header_factory=_HeaderClasses())


class TemporaryFailure(Exception):
    """Try again later: the server is down or slow, or answered 4xx."""


class PermanentFailure(Exception):
    """The server refused the message for good (5xx). bounce: the refusal was about the recipient."""

    def __init__(self, message: str, *, bounce: bool) -> None:
        super().__init__(message)
        self.bounce = bounce


# -- the message ---------------------------------------------------------------------------------------------

def build_message(row: OutgoingMail, sender: str) -> EmailMessage:
    """The MIME message of a row: text (and HTML alternative), attachments, the headers the row asks for."""
    message = EmailMessage(policy=MAIL_POLICY)
    message["Subject"] = row.subject
    message["From"] = sender
    message["To"] = row.to_address
    message["Date"] = format_datetime(row.created_at if row.created_at.tzinfo else utcnow())
    message["Message-ID"] = row.message_id
    message["Auto-Submitted"] = "auto-generated"
    if row.unsubscribe_url:
        message["List-Unsubscribe"] = f"<{row.unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(row.text_body, charset="utf-8")
    if row.html_body:
        message.add_alternative(row.html_body, subtype="html", charset="utf-8")
    for attachment in row.attachments or ():
        maintype, _, subtype = attachment["mimetype"].partition("/")
        message.add_attachment(base64.b64decode(attachment["data"]), maintype=maintype, subtype=subtype,
                               filename=attachment["filename"])
    message["Content-Language"] = row.language  # after the content: set_content drops Content-* headers
    return message


_SIMPLE_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+")
_PLAIN_HEADER = re.compile(r"[ -~]*")  # printable ASCII, no CR/LF


def message_bytes(row: OutgoingMail, sender: str) -> bytes:
    """The message as sent (CRLF, 7-bit): written directly for the usual message (plain ASCII addresses, text
    and an optional HTML alternative, no attachments), else through build_message and the email package. The two
    are equivalent for a mail reader (tests/mail/test_delivery.py compares them); the direct one takes a tenth of
    the CPU (the email package parsed and folded every header: most of a worker's time per message)."""
    fast = _direct_bytes(row, sender)
    return fast if fast is not None else build_message(row, sender).as_bytes(policy=MAIL_POLICY)


def _direct_bytes(row: OutgoingMail, sender: str) -> bytes | None:
    url = row.unsubscribe_url
    if (row.attachments or not _SIMPLE_ADDRESS.fullmatch(sender) or not _SIMPLE_ADDRESS.fullmatch(row.to_address)
            or not _PLAIN_HEADER.fullmatch(row.message_id) or not _PLAIN_HEADER.fullmatch(row.language)
            or (url and (not _PLAIN_HEADER.fullmatch(url) or len(url) > 900))):
        return None
    created = row.created_at if row.created_at.tzinfo else utcnow()
    lines = [f"Subject: {_encoded_words(row.subject)}", f"From: {sender}", f"To: {row.to_address}",
             f"Date: {format_datetime(created)}", f"Message-ID: {row.message_id}", "Auto-Submitted: auto-generated"]
    if url:
        lines += [f"List-Unsubscribe: <{url}>", "List-Unsubscribe-Post: List-Unsubscribe=One-Click"]
    lines += ["MIME-Version: 1.0", f"Content-Language: {row.language}"]
    text = _text_part("plain", row.text_body)
    if row.html_body:
        boundary = f"=_civictest_{secrets.token_hex(12)}"
        lines.append(f'Content-Type: multipart/alternative; boundary="{boundary}"')
        body = (f"--{boundary}\r\n{text}\r\n--{boundary}\r\n{_text_part('html', row.html_body)}\r\n"
                f"--{boundary}--\r\n")
        return ("\r\n".join(lines) + "\r\n\r\n" + body).encode("ascii")
    return ("\r\n".join(lines) + "\r\n" + text).encode("ascii")


def _text_part(subtype: str, content: str) -> str:
    """A UTF-8 text part, base64 in lines of 76; its headers, a blank line, the body."""
    content = content if content.endswith("\n") else content + "\n"
    data = base64.encodebytes(content.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8"))
    body = data.decode("ascii").replace("\n", "\r\n")
    return (f'Content-Type: text/{subtype}; charset="utf-8"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
            f"{body}")


def _encoded_words(text: str) -> str:
    """A header value as it is, when it is short printable ASCII, else RFC 2047 encoded words (UTF-8, base64),
    each at most 75 characters, never splitting a character, one per folded line."""
    if _PLAIN_HEADER.fullmatch(text) and "=?" not in text and len(text) < 900:
        return text
    words, chunk, size = [], [], 0
    for character in text.replace("\r", " ").replace("\n", " "):
        length = len(character.encode("utf-8"))
        if size + length > 45:  # 45 bytes -> 60 base64 characters -> a 72-character encoded word
            words.append("".join(chunk))
            chunk, size = [], 0
        chunk.append(character)
        size += length
    if chunk or not words:
        words.append("".join(chunk))
    return "\r\n ".join(f"=?utf-8?b?{base64.b64encode(word.encode('utf-8')).decode('ascii')}?=" for word in words)


# -- transports ----------------------------------------------------------------------------------------------

_local = threading.local()


def _smtp_settings() -> tuple:
    config = current_app.config
    return (config["MAIL_SERVER"], int(config["MAIL_PORT"]), config.get("MAIL_USERNAME") or "",
            config.get("MAIL_PASSWORD") or "", bool(config.get("MAIL_USE_TLS")), float(config["MAIL_TIMEOUT"]))


def _connection() -> smtplib.SMTP:
    """This thread's SMTP connection, reused from message to message (a NOOP checks one idle for a while)."""
    settings = _smtp_settings()
    cached = getattr(_local, "smtp", None)
    if cached is not None:
        connection, cached_settings, last_used = cached
        if cached_settings == settings:
            if time.monotonic() - last_used < 10:
                return connection
            try:
                if connection.noop()[0] == 250:
                    return connection
            except (smtplib.SMTPException, OSError):
                pass
        close_connection()
    server, port, username, password, use_tls, timeout = settings
    connection = smtplib.SMTP(server, port, timeout=timeout)
    try:
        connection.ehlo()
        if use_tls:
            connection.starttls(context=ssl.create_default_context())
            connection.ehlo()
        if username:
            connection.login(username, password)
    except BaseException:
        connection.close()
        raise
    _local.smtp = (connection, settings, time.monotonic())
    return connection


def close_connection() -> None:
    cached = getattr(_local, "smtp", None)
    _local.smtp = None
    if cached is not None:
        try:
            cached[0].quit()
        except (smtplib.SMTPException, OSError):
            cached[0].close()


def send_smtp(data: bytes, sender: str, recipient: str) -> None:
    """Send one message (message_bytes) over SMTP; TemporaryFailure or PermanentFailure when it did not go."""
    envelope_from = parseaddr(sender)[1]
    try:
        connection = _connection()
        if connection.does_esmtp and connection.has_extn("pipelining") and (envelope_from + recipient).isascii():
            _send_pipelined(connection, envelope_from, recipient, data)
        else:
            connection.sendmail(envelope_from, [recipient], data)
    except smtplib.SMTPRecipientsRefused as error:
        code, text = next(iter(error.recipients.values()))
        _local.smtp = (connection, _smtp_settings(), time.monotonic())
        detail = f"{code} {_text(text)}"
        if code >= 500:
            raise PermanentFailure(detail, bounce=True) from error
        raise TemporaryFailure(detail) from error
    except smtplib.SMTPResponseException as error:
        close_connection()
        detail = f"{error.smtp_code} {_text(error.smtp_error)}"
        if 500 <= error.smtp_code < 600 and not isinstance(error, smtplib.SMTPAuthenticationError):
            raise PermanentFailure(detail, bounce=False) from error
        raise TemporaryFailure(detail) from error
    except (smtplib.SMTPException, OSError, socket.timeout) as error:
        close_connection()
        raise TemporaryFailure(f"{type(error).__name__}: {error}") from error
    _local.smtp = (connection, _smtp_settings(), time.monotonic())


def _send_pipelined(connection: smtplib.SMTP, envelope_from: str, recipient: str, data: bytes) -> None:
    """smtplib's sendmail for one recipient with RFC 2920 PIPELINING (which the server announced): MAIL, RCPT and
    DATA in one write and their three answers read together, then the message: two round trips to the server
    instead of four. A refusal raises smtplib's own exception, as sendmail does, after an RSET that keeps the
    connection usable."""
    connection.send(f"MAIL FROM:{smtplib.quoteaddr(envelope_from)}\r\nRCPT TO:{smtplib.quoteaddr(recipient)}\r\n"
                    "DATA\r\n")
    mail_reply, rcpt_reply, data_reply = connection.getreply(), connection.getreply(), connection.getreply()
    refused = mail_reply[0] != 250 or rcpt_reply[0] not in (250, 251)
    if data_reply[0] == 354 and refused:  # DATA accepted although MAIL or RCPT was not: end it empty
        connection.send(b".\r\n")
        connection.getreply()
    if refused or data_reply[0] != 354:
        try:
            connection.rset()
        except smtplib.SMTPServerDisconnected:
            pass
    if mail_reply[0] != 250:
        raise smtplib.SMTPSenderRefused(mail_reply[0], mail_reply[1], envelope_from)
    if rcpt_reply[0] not in (250, 251):
        raise smtplib.SMTPRecipientsRefused({recipient: rcpt_reply})
    if data_reply[0] != 354:
        raise smtplib.SMTPDataError(*data_reply)
    body = _LEADING_DOT.sub(b"..", data)
    connection.send(body + (b".\r\n" if body.endswith(b"\r\n") else b"\r\n.\r\n"))
    code, reply = connection.getreply()
    if code != 250:
        raise smtplib.SMTPDataError(code, reply)


_LEADING_DOT = re.compile(rb"(?m)^\.")


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def outbox_dir() -> Path:
    return Path(current_app.config["MAIL_OUTBOX_DIR"])


def write_outbox(data: bytes, row: OutgoingMail) -> Path:
    """The message as an .eml file named after the row (a second write of the same row replaces the file)."""
    directory = outbox_dir()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{row.id:09d}-{row.kind}.eml"
    temporary = path.with_suffix(f".tmp{os.getpid()}")
    temporary.write_bytes(data)
    os.replace(temporary, path)
    return path


# -- the jobs ------------------------------------------------------------------------------------------------

# Rows per job: queue_mail's commit and the sweep hand rows to the queue in groups of this many (one job, one
# queue round trip, for a group). A worker still claims, sends and records them one at a time, so a kill
# repeats at most the one in flight; the rest of a group taken by a killed worker is found by the sweep.
GROUP = 100


@huey.task()
def deliver(mail_ids: int | list[int]) -> None:
    """The job queue_mail hands over after its commit (and the sweep, for rows whose job was lost): one row id
    or a list of them, sent one after the other."""
    deliver_many([mail_ids] if isinstance(mail_ids, int) else mail_ids)


def deliver_group(mail_ids: list[int]) -> None:
    """Enqueue `deliver` jobs for these rows, GROUP rows per job."""
    for start in range(0, len(mail_ids), GROUP):
        deliver(list(mail_ids[start:start + GROUP]))


def deliver_now(mail_id: int) -> str | None:
    """Claim the row, send it, record the outcome; the row's new status, or None when it was not ours to send."""
    return deliver_many([mail_id])[0]


def deliver_many(mail_ids: list[int]) -> list[str | None]:
    """deliver_now for each row in turn. A `sent` is committed together with the next row's claim (one
    transaction, right after the server accepted the message), the last one on its own; a kill between the two
    leaves the sent row `sending`, the one copy that may go again.

    On PostgreSQL the two are one statement (the `sent` as a data-modifying CTE of the claim's UPDATE ...
    RETURNING) on a connection held in autocommit for the job: one round trip per message to the database
    (it was five: the pool's ping, BEGIN, two UPDATEs, COMMIT). On SQLite (in-process, no round trips) they
    are two UPDATEs in one transaction.

    The suppression list is read once for the whole group when the job starts (two queries instead of one per
    message), plus the addresses that bounce during the job: an address stopped while a group is being sent
    (at most GROUP messages, about a second) may still get that group's message, as one stopped just after its
    message's check always could."""
    outcomes: list[str | None] = []
    stopped = _suppressed_hashes(mail_ids)
    claims = _Claims()
    try:
        for mail_id in mail_ids:
            outcomes.append(_deliver_claimed(mail_id, stopped, claims))
        claims.record_sent()  # the last `sent`
    except BaseException:
        db.session.rollback()  # a database error: a sent row not yet recorded stays `sending` (sent again later)
        raise
    finally:
        claims.close()
    return outcomes


def _suppressed_hashes(mail_ids: list[int]) -> set[str]:
    """The address hashes of these rows that are on the suppression list now."""
    addresses = db.session.scalars(select(OutgoingMail.to_address).where(OutgoingMail.id.in_(mail_ids))).all()
    hashes = {hashlib.sha256(address.encode()).hexdigest() for address in addresses}  # stored normalised
    found = set(db.session.scalars(select(MailSuppression.address_hash)
                                   .where(MailSuppression.address_hash.in_(hashes)))) if hashes else set()
    db.session.commit()  # no transaction (and no snapshot) held open while the job sends
    return found


def _deliver_claimed(mail_id: int, stopped: set[str], claims: _Claims) -> str | None:
    row = claims.claim(mail_id)  # commits the previous row's `sent` with this claim
    if row is None:
        return None
    config = current_app.config
    digest = hashlib.sha256(row.to_address.encode()).hexdigest()
    if digest in stopped:
        return _finish(row, "suppressed", "the address bounced or unsubscribed after this was queued")
    sender = config["MAIL_DEFAULT_SENDER"]
    try:
        data = message_bytes(row, sender)
        if config.get("MAIL_SERVER"):
            send_smtp(data, sender, row.to_address)
        else:
            write_outbox(data, row)
    except PermanentFailure as failure:
        if failure.bounce:
            suppress_hash(digest, "bounce", str(failure))
            stopped.add(digest)
            return _finish(row, "bounced", str(failure))
        return _finish(row, "failed", str(failure))
    except (TemporaryFailure, OSError) as failure:
        if row.attempts >= int(config["MAIL_MAX_ATTEMPTS"]):
            return _finish(row, "failed", str(failure))
        delay = float(config["MAIL_RETRY_DELAY"]) * 2 ** (row.attempts - 1)
        row.next_attempt_at = utcnow() + timedelta(seconds=delay)
        _finish(row, "retry", str(failure))
        deliver.schedule((mail_id,), delay=delay)
        return "retry"
    claims.sent(row.id)  # recorded with the next claim, or by deliver_many at the end
    return "sent"


_TABLE = OutgoingMail.__table__
_WAITING = ("queued", "retry")


class _Claims:
    """Claims rows for one job, one at a time, and records each `sent` with the next claim."""

    def __init__(self) -> None:
        self._sent: tuple[int, datetime] | None = None
        self._connection = None
        if db.session.get_bind().dialect.name == "postgresql":
            self._connection = db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")

    def sent(self, mail_id: int) -> None:
        self._sent = (mail_id, utcnow())

    def _mark_sent(self):  # noqa: ANN202 - an UPDATE, or None when no `sent` waits to be recorded
        if self._sent is None:
            return None
        mail_id, moment = self._sent
        return update(_TABLE).where(_TABLE.c.id == mail_id).values(status="sent", sent_at=moment)

    def claim(self, mail_id: int) -> OutgoingMail | None:
        """queued/retry -> sending, committed before the message is sent (only one job ever sends a row at a
        time), together with the previous row's `sent`; the row as claimed, or None when it was not waiting."""
        claim = (update(_TABLE).where(_TABLE.c.id == mail_id, _TABLE.c.status.in_(_WAITING))
                 .values(status="sending", claimed_at=utcnow(), attempts=_TABLE.c.attempts + 1)
                 .returning(*_TABLE.c))
        mark = self._mark_sent()
        if self._connection is not None:
            if mark is not None:
                claim = claim.add_cte(mark.returning(_TABLE.c.id).cte("sent_before"))
            found = self._connection.execute(claim).mappings().one_or_none()  # autocommit: committed here
        else:
            db.session.flush()
            if mark is not None:
                db.session.execute(mark)
            found = db.session.execute(claim).mappings().one_or_none()
            db.session.commit()
        self._sent = None
        if found is None:
            return None
        row = OutgoingMail(**{column.key: found[column.name] for column in _TABLE.c})
        make_transient_to_detached(row)  # as claimed, without reading it again; _finish's changes are UPDATEs
        return db.session.merge(row, load=False)  # the session's copy, if it has one, takes these values

    def record_sent(self) -> None:
        mark = self._mark_sent()
        if mark is None:
            return
        if self._connection is not None:
            self._connection.execute(mark)
        else:
            db.session.execute(mark)
            db.session.commit()
        self._sent = None

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()


def _finish(row: OutgoingMail, status: str, error: str | None) -> str:
    row.status = status
    if error is not None:
        row.last_error = error[:1000]
    db.session.commit()
    return status


def _ids_with_a_job() -> set[int]:
    """The rows that a job in the queue or the schedule, or one running in this process, will still send."""
    ids: set[int] = set()
    for task in [*huey.pending(), *huey.scheduled(), *list(getattr(huey, "_tasks_in_flight", ()))]:
        if isinstance(task, deliver.task_class) and task.args:
            ids.update([task.args[0]] if isinstance(task.args[0], int) else task.args[0])
    return ids


def _as_utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)  # SQLite gives naive UTC back


@on_worker_start
def sweep() -> int:
    """Hand out again what a dead worker or a lost job left behind; how many rows got a new job.

    Rows in `sending` longer than MAIL_CLAIM_TIMEOUT (the worker died between claim and record) go back to
    `queued` with a new job. Rows waiting (`queued`, or `retry`) with no job for them in the queue or the
    schedule get one: a worker takes a job off the queue before it claims the row, so a worker killed between
    the two (or a job lost with the queue file, or a commit whose enqueue failed) leaves a waiting row that
    nothing would ever send. A duplicate job sends nothing: the first one to claim the row sends it."""
    config = current_app.config
    now = utcnow()
    stale = now - timedelta(seconds=float(config["MAIL_CLAIM_TIMEOUT"]))
    released = db.session.scalars(
        select(OutgoingMail.id).where(OutgoingMail.status == "sending", OutgoingMail.claimed_at < stale)).all()
    if released:
        db.session.execute(
            update(OutgoingMail).where(OutgoingMail.id.in_(released), OutgoingMail.status == "sending")
            .values(status="queued").execution_options(synchronize_session=False))
    # The jobs are read before the rows: a row queued (and its job enqueued) in between looks jobless and gets
    # a second job, which is harmless; the other order could miss a row whose job a worker just took.
    with_a_job = _ids_with_a_job()
    waiting = db.session.execute(
        select(OutgoingMail.id, OutgoingMail.status, OutgoingMail.next_attempt_at)
        .where(OutgoingMail.status.in_(("queued", "retry")))).all()
    db.session.commit()
    jobless = [(mail_id, status, due) for mail_id, status, due in waiting
               if mail_id not in with_a_job and mail_id not in released]
    now_ids = list(released)
    for mail_id, status, due in jobless:
        delay = (_as_utc(due) - now).total_seconds() if status == "retry" and due is not None else 0
        if delay > 0:
            deliver.schedule((mail_id,), delay=delay)
        else:
            now_ids.append(mail_id)
    deliver_group(sorted(now_ids))
    count = len(released) + len(jobless)
    if count:
        log.info("mail sweep: %d message(s) handed to the queue again", count)
    return count


@huey.periodic_task(crontab(minute="*"))
def periodic_sweep() -> None:
    sweep()
