"""What the admin mail page shows: the backlog per kind, the last errors, and the outbox's messages."""
from __future__ import annotations

import email
import re
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.message import EmailMessage
from pathlib import Path

from flask import current_app
from sqlalchemy import case, func, select

from civictest.extensions import db
from civictest.models.base import utcnow
from civictest.models.mail import MAIL_STATUSES, OutgoingMail

OUTBOX_NAME = re.compile(r"[0-9]{9}-[a-z0-9_.-]{1,40}\.eml")


@dataclass
class Backlog:
    rows: list[dict]  # per kind: counts per status and "retried" (sent or waiting after more than one attempt)
    totals: dict
    oldest_waiting_seconds: float | None  # the oldest message still queued or waiting for a retry


def backlog() -> Backlog:
    columns = [func.sum(case((OutgoingMail.status == status, 1), else_=0)).label(status) for status in MAIL_STATUSES]
    retried = func.sum(case((OutgoingMail.attempts > 1, 1), else_=0)).label("retried")
    result = db.session.execute(
        select(OutgoingMail.kind, *columns, retried).group_by(OutgoingMail.kind).order_by(OutgoingMail.kind))
    rows = [{"kind": row.kind, **{name: int(getattr(row, name) or 0) for name in (*MAIL_STATUSES, "retried")}}
            for row in result]
    totals = {name: sum(row[name] for row in rows) for name in (*MAIL_STATUSES, "retried")}
    oldest = db.session.scalar(
        select(func.min(OutgoingMail.created_at)).where(OutgoingMail.status.in_(("queued", "sending", "retry"))))
    if oldest is not None and oldest.tzinfo is None:  # SQLite hands back naive UTC
        from datetime import timezone

        oldest = oldest.replace(tzinfo=timezone.utc)
    return Backlog(rows, totals, (utcnow() - oldest).total_seconds() if oldest else None)


def last_errors(limit: int = 20) -> list[OutgoingMail]:
    """The most recent messages that met an error (retrying, failed or bounced), newest first."""
    return db.session.scalars(
        select(OutgoingMail).where(OutgoingMail.last_error.is_not(None),
                                   OutgoingMail.status.in_(("retry", "failed", "bounced")))
        .order_by(OutgoingMail.id.desc()).limit(limit)).all()


@dataclass
class OutboxEntry:
    name: str
    written_at: datetime
    to: str
    subject: str


def outbox_dir() -> Path:
    return Path(current_app.config["MAIL_OUTBOX_DIR"])


def _read(path: Path) -> EmailMessage:
    return email.message_from_bytes(path.read_bytes(), policy=policy.default)


def outbox_entries(limit: int = 200) -> list[OutboxEntry]:
    """The newest messages written to the outbox (no MAIL_SERVER), newest first."""
    directory = outbox_dir()
    if not directory.is_dir():
        return []
    paths = sorted((p for p in directory.iterdir() if OUTBOX_NAME.fullmatch(p.name)), reverse=True)[:limit]
    entries = []
    for path in paths:
        try:
            message = _read(path)
            written = datetime.fromtimestamp(path.stat().st_mtime).astimezone()
        except (OSError, ValueError):
            continue
        entries.append(OutboxEntry(path.name, written, str(message["To"] or ""), str(message["Subject"] or "")))
    return entries


def outbox_message(name: str) -> tuple[EmailMessage, str] | None:
    """One outbox message and its text part, or None for a name that is not an outbox file."""
    if not OUTBOX_NAME.fullmatch(name):
        return None
    path = outbox_dir() / name
    if not path.is_file():
        return None
    message = _read(path)
    body = message.get_body(("plain",))
    return message, body.get_content() if body is not None else ""
