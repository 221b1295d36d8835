"""Surveys (定点調査), write side: authoring, waves (each copying the previous wave's items), the org-unit tree,
roster upload (all or nothing), personal links, invitations and reminders, and anonymous answers.

The anonymity rule (docs/surveys.md): a link carries a random token that is stored nowhere. The roster entry
keeps SHA-256(token) to find the person (to set has_answered, without a time); the response keeps
HMAC-SHA256(SURVEY_RESPONSE_KEY, token) to find the answer again when the same link comes back. Neither value
can be computed from the other, so the database (even with the app's keys) cannot join a response to a person.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import delete, func, insert, select

from civictest.extensions import db
from civictest.importing.roster import MAX_ROSTER_ROWS, RosterRow, check_roster, unit_path
from civictest.importing.spreadsheets import Problem, Sheet, SpreadsheetError, read_sheet
from civictest.models import Department
from civictest.models.base import utcnow
from civictest.models.surveys import (
    AUDIENCES, ITEM_KINDS, SCALE_KINDS, OrgUnit, RosterEntry, Survey, SurveyAnswer, SurveyItem, SurveyResponse,
    SurveyWave, SurveyWaveItem,
)
from civictest.services.errors import Conflict, InvalidInput, NotFound

JAPAN = ZoneInfo("Asia/Tokyo")
MAX_FREE_TEXT = 2000
SCALE_LABELS = {
    "agreement5": [
        {"ja": "そう思わない", "en": "Disagree"},
        {"ja": "どちらかといえばそう思わない", "en": "Somewhat disagree"},
        {"ja": "どちらともいえない", "en": "Neither agree nor disagree"},
        {"ja": "どちらかといえばそう思う", "en": "Somewhat agree"},
        {"ja": "そう思う", "en": "Agree"},
    ],
    "satisfaction5": [
        {"ja": "不満", "en": "Dissatisfied"},
        {"ja": "やや不満", "en": "Somewhat dissatisfied"},
        {"ja": "どちらともいえない", "en": "Neither satisfied nor dissatisfied"},
        {"ja": "やや満足", "en": "Somewhat satisfied"},
        {"ja": "満足", "en": "Satisfied"},
    ],
}
TRANSITIONS = {"draft": ("open",), "open": ("closed",), "closed": ("open", "published"), "published": ()}


# --- Authoring ---------------------------------------------------------------------------------------


def create_survey(department: Department, title_ja: str, *, audience: str = "staff", languages: str = "ja,en",
                  title_en: str = "", intro_ja: str = "", intro_en: str = "") -> Survey:
    if audience not in AUDIENCES:
        raise InvalidInput("audience")
    survey = Survey(department=department, title_ja=title_ja.strip(), title_en=title_en.strip(), audience=audience,
                    languages=languages, intro_ja=intro_ja, intro_en=intro_en)
    db.session.add(survey)
    db.session.flush()
    return survey


def add_item(survey: Survey, kind: str, wording_ja: str, *, wording_en: str = "", options: list | None = None,
             code: str | None = None, required: bool = False) -> SurveyItem:
    """A new item of the survey, added at the end of every wave that is still a draft."""
    if kind not in ITEM_KINDS:
        raise InvalidInput("kind")
    if kind in SCALE_KINDS:
        options = options or SCALE_LABELS[kind]
        if len(options) != 5:
            raise InvalidInput("options")
    elif kind == "single_choice":
        options = [option for option in (options or []) if (option.get("ja") or "").strip()]
        if len(options) < 2:
            raise InvalidInput("options")
    else:
        options = []
    count = db.session.scalar(select(func.count()).select_from(SurveyItem).where(SurveyItem.survey_id == survey.id))
    item = SurveyItem(survey=survey, kind=kind, wording_ja=wording_ja.strip(), wording_en=wording_en.strip(),
                      options=options, code=code or f"q{count + 1}", required=required)
    db.session.add(item)
    db.session.flush()
    for wave in survey.waves:
        if wave.state == "draft":
            wave.wave_items.append(SurveyWaveItem(item_id=item.id, position=len(wave.wave_items) + 1))
    db.session.flush()
    return item


def create_wave(survey: Survey, label: str, *, opens_on: date | None = None, closes_on: date | None = None) -> SurveyWave:
    """The next wave; its item list is a copy of the previous wave's (same items, same order), so the numbers
    compare item by item. The first wave gets all the survey's items."""
    previous = db.session.scalar(select(SurveyWave).where(SurveyWave.survey_id == survey.id)
                                 .order_by(SurveyWave.number.desc()).limit(1))
    if previous is not None:
        items = [SurveyWaveItem(item_id=wi.item_id, position=wi.position) for wi in previous.wave_items]
    else:
        items = [SurveyWaveItem(item_id=item.id, position=i) for i, item in enumerate(survey.items, 1)]
    wave = SurveyWave(survey=survey, number=(previous.number + 1) if previous else 1, label=label.strip(),
                      opens_on=opens_on, closes_on=closes_on, previous=previous, state="draft", wave_items=items)
    db.session.add(wave)
    db.session.flush()
    return wave


def set_wave_items(wave: SurveyWave, item_ids: list[int]) -> None:
    """Replace a draft wave's item list (order as given); a wave that has opened keeps its items."""
    if wave.state != "draft":
        raise Conflict("wave_not_draft")
    known = {item.id for item in wave.survey.items}
    if len(set(item_ids)) != len(item_ids) or not set(item_ids) <= known:
        raise InvalidInput("items")
    wave.wave_items.clear()
    db.session.flush()
    wave.wave_items.extend(SurveyWaveItem(item_id=item_id, position=i) for i, item_id in enumerate(item_ids, 1))
    db.session.flush()


def set_wave_state(wave: SurveyWave, state: str) -> None:
    """draft -> open -> closed -> published (closed may open again; published is final)."""
    if state not in TRANSITIONS.get(wave.state, ()):
        raise Conflict("wave_state")
    if state == "open" and not wave.wave_items:
        raise Conflict("wave_without_items")
    now = utcnow()
    wave.state = state
    if state == "open":
        wave.opened_at = wave.opened_at or now
        wave.closed_at = None
    elif state == "closed":
        wave.closed_at = now
    elif state == "published":
        wave.published_at = now
    db.session.flush()


# --- Org units -----------------------------------------------------------------------------------------


def ensure_units(paths: list[str]) -> list[OrgUnit]:
    """The units of the given paths (局/部/課), creating each missing unit and its missing parents."""
    known = {unit.path: unit for unit in db.session.scalars(select(OrgUnit))}
    out = []
    for raw in paths:
        path = unit_path(raw)
        if not path:
            continue
        parent = None
        parts = path.split("/")
        for depth in range(1, len(parts) + 1):
            prefix = "/".join(parts[:depth])
            unit = known.get(prefix)
            if unit is None:
                if len(prefix) > 1000 or len(parts[depth - 1]) > 200:
                    raise InvalidInput("unit_too_long")
                unit = OrgUnit(path=prefix, name=parts[depth - 1], depth=depth, parent=parent)
                db.session.add(unit)
                known[prefix] = unit
            parent = unit
        out.append(parent)
    db.session.flush()
    return out


# --- Roster --------------------------------------------------------------------------------------------


@dataclass
class RosterPlan:
    """The dry run of a roster upload: rows to add and every problem; ok only when there is no problem."""

    filename: str
    sheet: Sheet | None = None
    rows: list[RosterRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    file_error: SpreadsheetError | None = None

    @property
    def ok(self) -> bool:
        return self.file_error is None and not self.problems and bool(self.rows)

    @property
    def encoding(self) -> str:
        return self.sheet.encoding if self.sheet is not None else ""

    def per_unit(self) -> list[tuple[str, int]]:
        counts: dict[str, int] = {}
        for row in self.rows:
            counts[row.unit_path] = counts.get(row.unit_path, 0) + 1
        return sorted(counts.items())


def plan_roster(wave: SurveyWave, raw: bytes, filename: str = "", max_upload: int | None = None) -> RosterPlan:
    plan = RosterPlan(filename=filename)
    try:
        plan.sheet = read_sheet(raw, filename, max_upload=max_upload, max_rows=MAX_ROSTER_ROWS)
    except SpreadsheetError as error:
        plan.file_error = error
        return plan
    known = set(db.session.scalars(select(OrgUnit.path)))
    existing = set(db.session.scalars(select(RosterEntry.email).where(RosterEntry.wave_id == wave.id)))
    plan.rows, plan.problems = check_roster(plan.sheet, known, existing)
    return plan


def commit_roster(wave: SurveyWave, plan: RosterPlan) -> int:
    """Add the plan's rows to the wave's roster, all or nothing; the number added."""
    if not plan.ok:
        raise InvalidInput("roster_has_problems")
    if wave.state not in ("draft", "open"):
        raise Conflict("wave_closed")
    units = {unit.path: unit.id for unit in db.session.execute(select(OrgUnit.path, OrgUnit.id))}
    db.session.flush()
    rows = [{"wave_id": wave.id, "email": row.email, "org_unit_id": units[row.unit_path], "job_grade": row.grade,
             "has_answered": False, "reminders": 0} for row in plan.rows]
    for start in range(0, len(rows), 10_000):  # one multi-row INSERT per batch, not an object per person
        db.session.execute(insert(RosterEntry), rows[start:start + 10_000])
    return len(plan.rows)


# --- Pending roster uploads (between the dry run and its confirmation) ----------------------------------
PENDING_MAX_AGE = timedelta(hours=3)


def keep_pending_roster(wave: SurveyWave, raw: bytes, filename: str, user_id: int | None) -> str:
    """Keep an uploaded roster file until its review is confirmed (app servers keep no local state, and a
    54,000-row file is too large for a hidden form field); the token for the review form, stored only as a
    SHA-256. Uploads older than PENDING_MAX_AGE are removed on the way."""
    from civictest.models.surveys import RosterUpload

    db.session.execute(delete(RosterUpload).where(RosterUpload.created_at < utcnow() - PENDING_MAX_AGE))
    token = new_token()
    db.session.add(RosterUpload(token_hash=token_hash(token), wave_id=wave.id, user_id=user_id,
                                filename=filename[:255], data=raw))
    db.session.flush()
    return token


def take_pending_roster(wave: SurveyWave, token: str, user_id: int | None) -> tuple[str, bytes] | None:
    """(filename, bytes) of a kept upload of this wave and user, or None (unknown, another's, or expired).
    It stays until forget_pending_roster (the review may show problems again)."""
    from civictest.models.surveys import RosterUpload

    if not token or len(token) > 100:
        return None
    upload = db.session.scalar(select(RosterUpload).where(RosterUpload.token_hash == token_hash(token)))
    if upload is None or upload.wave_id != wave.id or upload.user_id != user_id:
        return None
    created = upload.created_at if upload.created_at.tzinfo else upload.created_at.replace(tzinfo=timezone.utc)
    if utcnow() - created > PENDING_MAX_AGE:
        return None
    return upload.filename, upload.data


def forget_pending_roster(token: str) -> None:
    from civictest.models.surveys import RosterUpload

    db.session.execute(delete(RosterUpload).where(RosterUpload.token_hash == token_hash(token)))


# --- Links ---------------------------------------------------------------------------------------------


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What the roster entry keeps of a link's token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def response_key() -> bytes:
    """SURVEY_RESPONSE_KEY, or a key derived from SECRET_KEY for this one purpose when it is not set."""
    configured = current_app.config.get("SURVEY_RESPONSE_KEY") or ""
    if configured:
        return configured.encode("utf-8")
    return hmac.new(str(current_app.secret_key).encode("utf-8"), b"civictest-survey-response-key",
                    hashlib.sha256).digest()


def respondent_key(token: str) -> str:
    """What the response keeps of a link's token: a keyed hash, different from the roster's."""
    return hmac.new(response_key(), token.encode("utf-8"), hashlib.sha256).hexdigest()


def issue_link(entry: RosterEntry) -> str:
    """A fresh token for the entry's link (the previous link stops working); returned once, never stored."""
    token = new_token()
    entry.token_hash = token_hash(token)
    return token


def day_of(moment: datetime) -> datetime:
    """The start of moment's day in Japan, as an aware UTC datetime (responses keep no finer time)."""
    local = moment.astimezone(JAPAN).date()
    return datetime.combine(local, time(0), tzinfo=JAPAN).astimezone(timezone.utc)


def today_in_japan() -> date:
    return utcnow().astimezone(JAPAN).date()


def accepts_answers(wave: SurveyWave) -> bool:
    return wave.state == "open" and (wave.closes_on is None or today_in_japan() <= wave.closes_on)


@dataclass
class LinkState:
    """What a link leads to: the roster entry (never stored with the answer) and the response, if any."""

    entry: RosterEntry
    wave: SurveyWave
    response: SurveyResponse | None


def resolve_link(token: str) -> LinkState:
    """The entry and (through the other hash) the response of a link; NotFound for a link we never sent or
    one that a newer mail replaced."""
    if not token or len(token) > 100:
        raise NotFound("link")
    entry = db.session.scalar(select(RosterEntry).where(RosterEntry.token_hash == token_hash(token)))
    if entry is None:
        raise NotFound("link")
    response = db.session.scalar(select(SurveyResponse).where(
        SurveyResponse.wave_id == entry.wave_id, SurveyResponse.respondent_key == respondent_key(token)))
    return LinkState(entry=entry, wave=entry.wave, response=response)


def check_answers(wave: SurveyWave, raw: dict[int, str]) -> tuple[dict[int, tuple[int | None, str]], dict[int, str]]:
    """(item id -> (value, text), item id -> problem code) for the submitted values of a wave's items."""
    values: dict[int, tuple[int | None, str]] = {}
    problems: dict[int, str] = {}
    for item in wave.items:
        given = (raw.get(item.id) or "").replace("\x00", "").strip()
        if item.kind == "free_text":
            if len(given) > MAX_FREE_TEXT:
                problems[item.id] = "too_long"
            elif given:
                values[item.id] = (None, given)
            elif item.required:
                problems[item.id] = "required"
            continue
        if not given:
            if item.required:
                problems[item.id] = "required"
            continue
        if not given.isdigit() or not 1 <= int(given) <= len(item.options):
            problems[item.id] = "bad_choice"
            continue
        values[item.id] = (int(given), "")
    return values, problems


def save_answers(token: str, raw: dict[int, str], language: str = "ja") -> tuple[SurveyResponse, bool]:
    """Store (or replace) the answers of the link's holder; (response, created). Refused once the wave closed."""
    state = resolve_link(token)
    if not accepts_answers(state.wave):
        raise Conflict("wave_closed")
    values, problems = check_answers(state.wave, raw)
    if problems:
        raise InvalidInput("answers")
    from civictest.privacy import scrub_pii

    now = day_of(utcnow())
    response, created = state.response, state.response is None
    if response is None:
        response = SurveyResponse(id=unused_response_id(), wave_id=state.wave.id, org_unit_id=state.entry.org_unit_id,
                                  job_grade=state.entry.job_grade, respondent_key=respondent_key(token),
                                  language=language, submitted_at=now, updated_at=now)
        db.session.add(response)
    else:
        response.updated_at = now
        response.language = language
        response.answers.clear()
    db.session.flush()
    for item_id, (value, text) in values.items():
        response.answers.append(SurveyAnswer(wave_id=state.wave.id, item_id=item_id, value=value,
                                             text=scrub_pii(text).text if text else ""))
    state.entry.has_answered = True
    db.session.flush()
    return response, created


def unused_response_id() -> int:
    """A random id no response has yet (responses have random ids: a sequence would tell the answer order)."""
    from civictest.models.surveys import random_id

    while True:
        candidate = random_id()
        if db.session.get(SurveyResponse, candidate) is None:
            return candidate


# --- Response rates ------------------------------------------------------------------------------------


def response_rates(wave: SurveyWave) -> list[dict]:
    """Invited and answered per org unit (from the roster's flags, never from the responses)."""
    rows = db.session.execute(
        select(OrgUnit.id, OrgUnit.path, func.count(RosterEntry.id),
               func.count(RosterEntry.id).filter(RosterEntry.has_answered.is_(True)))
        .join(RosterEntry, RosterEntry.org_unit_id == OrgUnit.id)
        .where(RosterEntry.wave_id == wave.id).group_by(OrgUnit.id, OrgUnit.path).order_by(OrgUnit.path)
    ).all()
    return [{"unit_id": unit_id, "path": path, "invited": invited, "answered": answered}
            for unit_id, path, invited, answered in rows]


def roster_counts(wave: SurveyWave) -> dict[str, int]:
    invited, answered, sent, pending = db.session.execute(
        select(func.count(RosterEntry.id),
               func.count(RosterEntry.id).filter(RosterEntry.has_answered.is_(True)),
               func.count(RosterEntry.id).filter(RosterEntry.invited_at.is_not(None)),
               func.count(RosterEntry.id).filter(RosterEntry.invited_at.is_(None)))
        .where(RosterEntry.wave_id == wave.id)).one()
    return {"roster": invited, "answered": answered, "invited": sent, "not_invited": pending}


def reminder_due(entry: RosterEntry, now: datetime, every: timedelta = timedelta(days=7)) -> bool:
    """A non-respondent who was invited and last heard from us at least a week ago."""
    if entry.has_answered or entry.invited_at is None:
        return False
    last = entry.reminded_at or entry.invited_at
    if last.tzinfo is None:
        last = last.replace(tzinfo=timezone.utc)
    return now - last >= every - timedelta(hours=1)
