"""Column helpers shared by the models."""
from __future__ import annotations

import re
from datetime import datetime, timezone

from sqlalchemy import DateTime
from sqlalchemy.orm import Mapped, mapped_column


# The largest id a key column holds: the models' ids are Integer, which is PostgreSQL's 32-bit INTEGER (SQLite
# would take more, but the same code must answer the same on both). A larger id is looked up nowhere: 404.
ID_MAX = 2**31 - 1
_ID_TEXT = re.compile(r"[0-9]{1,19}")


def parse_id(text: object) -> int | None:
    """An id typed into a URL or form ("12"), else None: ASCII digits only (str.isdigit accepts "²", which
    int() refuses), no sign or spaces, from 1 to ID_MAX (a larger one overflows the database driver)."""
    if not isinstance(text, str) or not _ID_TEXT.fullmatch(text):
        return None
    value = int(text)
    return value if 1 <= value <= ID_MAX else None


def utcnow() -> datetime:
    """Now in UTC, timezone-aware (stored as UTC on both databases)."""
    return datetime.now(timezone.utc)


def aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive UTC; PostgreSQL aware times. Always aware UTC out."""
    if moment is None:
        return None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def created_at_column() -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
