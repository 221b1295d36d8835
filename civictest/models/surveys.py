"""Recurring surveys (定点調査): surveys, their items, waves, the org-unit tree, the roster and the answers.

Anonymity by design (docs/surveys.md): the roster (who was invited) and the responses (what was answered) share
no column. A roster entry keeps a hash of the person's link token and a has_answered flag without a time; a
response keeps the org unit and job grade copied from the roster entry, times coarsened to the day, and a keyed
hash (HMAC, another key) of the same token, so the holder of the link can change the answer while the database
alone cannot join the two sides: the token itself is stored nowhere.
"""
from __future__ import annotations

import secrets
from datetime import date, datetime

from sqlalchemy import (
    JSON, Boolean, CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, LargeBinary, String, Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civictest.extensions import db
from civictest.models.base import ID_MAX, created_at_column

AUDIENCES = ("residents", "staff")
ITEM_KINDS = ("agreement5", "satisfaction5", "single_choice", "free_text")
SCALE_KINDS = ("agreement5", "satisfaction5")
WAVE_STATES = ("draft", "open", "closed", "published")


def random_id() -> int:
    """A random positive id that fits PostgreSQL INTEGER (a collision is a unique violation; callers retry)."""
    return secrets.randbelow(ID_MAX) + 1


class Survey(db.Model):
    """A survey asked again and again (one wave per year or season), owned by one department."""

    __tablename__ = "survey"
    __table_args__ = (CheckConstraint("audience IN ('residents', 'staff')", name="survey_audience"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    audience: Mapped[str] = mapped_column(String(20), default="staff")
    languages: Mapped[str] = mapped_column(String(20), default="ja,en")  # comma-separated, "ja" first
    title_ja: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200), default="")
    intro_ja: Mapped[str] = mapped_column(Text, default="")
    intro_en: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = created_at_column()

    department: Mapped["Department"] = relationship()  # noqa: F821
    items: Mapped[list[SurveyItem]] = relationship(back_populates="survey", order_by="SurveyItem.id")
    waves: Mapped[list[SurveyWave]] = relationship(back_populates="survey", order_by="SurveyWave.number")

    @property
    def language_list(self) -> list[str]:
        return [code for code in self.languages.split(",") if code]


class SurveyItem(db.Model):
    """One question; it belongs to the survey and stays the same across waves (so waves compare item by item).

    options: for the 5-point scales, the five point labels from 1 (most negative) to 5 (most positive); for a
    single choice, its options in order. Each is {"ja": ..., "en": ...}; an answer stores the 1-based number.
    Free text has no options.
    """

    __tablename__ = "survey_item"
    __table_args__ = (
        CheckConstraint("kind IN ('agreement5', 'satisfaction5', 'single_choice', 'free_text')", name="survey_item_kind"),
        UniqueConstraint("survey_id", "code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))  # short stable name for files and the API, e.g. "q1"
    kind: Mapped[str] = mapped_column(String(20))
    wording_ja: Mapped[str] = mapped_column(Text)
    wording_en: Mapped[str] = mapped_column(Text, default="")
    options: Mapped[list] = mapped_column(JSON, default=list)
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = created_at_column()

    survey: Mapped[Survey] = relationship(back_populates="items")

    @property
    def is_scale(self) -> bool:
        return self.kind in SCALE_KINDS


class SurveyWave(db.Model):
    """One round of a survey (for example 2026年度): its own ordered item list, roster and responses."""

    __tablename__ = "survey_wave"
    __table_args__ = (
        UniqueConstraint("survey_id", "number"),
        CheckConstraint("state IN ('draft', 'open', 'closed', 'published')", name="survey_wave_state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(200))
    opens_on: Mapped[date | None] = mapped_column(Date)
    closes_on: Mapped[date | None] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(20), default="draft")
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("survey_wave.id"))
    opened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = created_at_column()

    survey: Mapped[Survey] = relationship(back_populates="waves")
    previous: Mapped[SurveyWave | None] = relationship(remote_side="SurveyWave.id")
    wave_items: Mapped[list[SurveyWaveItem]] = relationship(
        back_populates="wave", order_by="SurveyWaveItem.position", cascade="all, delete-orphan"
    )

    @property
    def items(self) -> list[SurveyItem]:
        """The wave's items in the order they are asked."""
        return [wave_item.item for wave_item in self.wave_items]


class SurveyWaveItem(db.Model):
    """A wave's item list (as a study's task list): copied from the previous wave when a wave is created."""

    __tablename__ = "survey_wave_item"
    __table_args__ = (UniqueConstraint("wave_id", "item_id"), UniqueConstraint("wave_id", "position"))

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("survey_wave.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("survey_item.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)

    wave: Mapped[SurveyWave] = relationship(back_populates="wave_items")
    item: Mapped[SurveyItem] = relationship()


class OrgUnit(db.Model):
    """A unit of the city's organisation (局 / 部 / 課): a tree; path is the names from the top joined by "/"."""

    __tablename__ = "org_unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    path: Mapped[str] = mapped_column(String(1000), unique=True)
    depth: Mapped[int] = mapped_column(Integer, default=1)  # 1 = 局, 2 = 部, 3 = 課, ...
    created_at: Mapped[datetime] = created_at_column()

    parent: Mapped[OrgUnit | None] = relationship(remote_side="OrgUnit.id")


class RosterEntry(db.Model):
    """One invited person in one wave. Holds who they are, never what they answered: only has_answered (no time).

    token_hash: SHA-256 of the random token in the person's current link (a reminder sends a new link to those
    who have not answered and replaces it). invited_at / reminded_at are when mail was queued, for the staff.
    """

    __tablename__ = "roster_entry"
    __table_args__ = (UniqueConstraint("wave_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("survey_wave.id"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    job_grade: Mapped[str] = mapped_column(String(60), default="")
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    invited_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reminders: Mapped[int] = mapped_column(Integer, default=0)
    has_answered: Mapped[bool] = mapped_column(Boolean, default=False)

    wave: Mapped[SurveyWave] = relationship()
    org_unit: Mapped[OrgUnit | None] = relationship()


class SurveyResponse(db.Model):
    """One person's answers to one wave, with no link to the roster: no roster id, no e-mail, no token.

    respondent_key: HMAC-SHA256 of the link's token under SURVEY_RESPONSE_KEY, so the same link finds the same
    response (to change it until the wave closes). submitted_at / updated_at are the day only (00:00 Japan
    time), so they cannot be matched to the roster side's mail times.
    """

    __tablename__ = "survey_response"
    __table_args__ = (UniqueConstraint("wave_id", "respondent_key"),)

    # A random id, not the next number: a sequence would tell the order people answered in.
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False, default=lambda: random_id())
    wave_id: Mapped[int] = mapped_column(ForeignKey("survey_wave.id"), index=True)
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    job_grade: Mapped[str] = mapped_column(String(60), default="")
    respondent_key: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(5), default="ja")
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    wave: Mapped[SurveyWave] = relationship()
    org_unit: Mapped[OrgUnit | None] = relationship()
    answers: Mapped[list[SurveyAnswer]] = relationship(
        back_populates="response", cascade="all, delete-orphan", order_by="SurveyAnswer.item_id"
    )


class SurveyAnswer(db.Model):
    """One item's answer: value is the 1-based point or option number; text is free text (personal data removed).

    Keyed by (response, item), with no id of its own: a sequence would tell the order people answered in."""

    __tablename__ = "survey_answer"
    __table_args__ = (Index("ix_survey_answer_wave_item", "wave_id", "item_id"),)

    response_id: Mapped[int] = mapped_column(ForeignKey("survey_response.id", ondelete="CASCADE"), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("survey_item.id"), primary_key=True, index=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("survey_wave.id"))  # the response's wave, for GROUP BY
    value: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text, default="")

    response: Mapped[SurveyResponse] = relationship(back_populates="answers")
    item: Mapped[SurveyItem] = relationship()


class SurveyTally(db.Model):
    """Answers with a value per wave, item, org unit, job grade and value: what the results read instead of
    every answer (civictest.survey_tallies). No respondent id, no time: only counts of the anonymous answers.

    Kept by civictest.survey_tallies in the same transaction as every change to the answers (a changed answer
    leaves its old key and joins its new one), never written by hand; `flask --app app check-counts` recounts."""

    __tablename__ = "survey_tally"

    wave_id: Mapped[int] = mapped_column(ForeignKey("survey_wave.id"), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("survey_item.id"), primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(Integer, primary_key=True)  # 0 for none (a key cannot be NULL)
    job_grade: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = mapped_column(Integer)


class RosterUpload(db.Model):
    """A roster file between its dry run and its confirmation, kept in the database (app servers keep no
    local state), found by the SHA-256 of a random token the review form carries. Deleted once added, and
    after a day (older ones are removed at every upload)."""

    __tablename__ = "roster_upload"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("survey_wave.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(255), default="")
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = created_at_column()


class SurveyWaveSnapshot(db.Model):
    """A published wave's open-data files, frozen when it was published (as PublishedSnapshot for iterations):
    the public pages serve these bytes and never recompute them."""

    __tablename__ = "survey_wave_snapshot"

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("survey_wave.id"), unique=True)
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    files_json: Mapped[str] = mapped_column(Text)  # {"survey.csv": text, ...}

    def file_bytes(self, name: str) -> bytes | None:
        import json

        text = json.loads(self.files_json).get(name)
        return None if text is None else text.encode("utf-8")
