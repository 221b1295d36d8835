"""What the public sees of an iteration: the open-data files frozen at publication, one row per version."""
from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from civictest.extensions import db


class PublishedSnapshot(db.Model):
    """The open-data package of an iteration as published: the files' exact bytes (UTF-8 text, a CSV's BOM
    included) and the dataset page's preview. Publishing again (after a correction) adds the next version;
    the public always gets the newest, and nothing a resident does afterwards changes a byte of it."""

    __tablename__ = "published_snapshot"
    __table_args__ = (UniqueConstraint("iteration_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    iteration_id: Mapped[int] = mapped_column(ForeignKey("iteration.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    files_json: Mapped[str] = mapped_column(Text)  # {"metrics.csv": text, ...}
    preview_json: Mapped[str] = mapped_column(Text, default="[]")

    @property
    def files(self) -> dict[str, str]:
        return json.loads(self.files_json)

    def file_bytes(self, name: str) -> bytes | None:
        text = self.files.get(name)
        return None if text is None else text.encode("utf-8")

    @property
    def preview(self) -> list[dict]:
        return json.loads(self.preview_json or "[]")
