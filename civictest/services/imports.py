"""Spreadsheet rows -> validated attempts, all or nothing.

`prepare` reads the file and checks every row against the study (a dry run: it writes nothing).
`commit` inserts a clean plan in one transaction: one closed test session for the file, one pseudonymous
participant per participant value (the value itself is not stored: it may be an e-mail address), the
attempts marked imported_from / imported_at, and the comments through the same PII scrubbing and
sentiment scoring as typed ones. Every attempt's idempotency key is derived from the file's hash, so the
same file imported twice is refused instead of counted twice.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from civictest.extensions import db
from civictest.importing.rows import ParsedRow, TaskRef, outcome_words, validate_rows
from civictest.importing.spreadsheets import FIELDS, Problem, Sheet, SpreadsheetError, guess_mapping, read_sheet
from civictest.models import Attempt, AuditEvent, Participant, Study, TestSession, User
from civictest.models.base import utcnow
from civictest.services.catalog import new_invite_code
from civictest.services.comments import build_comment
from civictest.services.errors import Conflict, InvalidInput
from civictest.services.participation import new_receipt_code

IMPORTED_CONSENT = "imported"  # consent was collected by whoever ran the form; we record that it was not ours


@dataclass
class ImportPlan:
    """What a dry run found: the sheet, the mapping used, the rows that would be stored, every problem."""

    study_id: int
    filename: str
    sha256: str
    sheet: Sheet | None
    mapping: dict[str, int | None]
    outcomes: dict[str, str]
    rows: list[ParsedRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    file_error: SpreadsheetError | None = None

    @property
    def ok(self) -> bool:
        return self.file_error is None and not self.problems and bool(self.rows)

    @property
    def participants(self) -> int:
        return len({row.participant for row in self.rows})

    @property
    def comments(self) -> int:
        return sum(1 for row in self.rows if row.comment)

    def per_task(self) -> dict[int, int]:
        """Attempts per task id."""
        counts: dict[int, int] = {}
        for row in self.rows:
            counts[row.task_id] = counts.get(row.task_id, 0) + 1
        return counts

    def outcome_words(self) -> list[str]:
        """Distinct outcome words in the outcome column (for the word-to-code step)."""
        return outcome_words(self.sheet, self.mapping.get("outcome")) if self.sheet else []


@dataclass(frozen=True)
class ImportResult:
    session_id: int
    participants: int
    attempts: int
    comments: int


def task_refs(study: Study) -> list[TaskRef]:
    return [TaskRef(st.task_id, st.position, st.task.title_ja, st.task.title_en) for st in study.study_tasks]


def source_label(filename: str, sha256: str) -> str:
    """What imported_from records: the file's name and the start of its hash (255 characters at most)."""
    return f"{(filename or 'upload')[:200]} sha256:{sha256[:16]}"


def prepare(study: Study, raw: bytes, filename: str, mapping: dict[str, int | None] | None = None,
            outcomes: dict[str, str] | None = None, *, max_upload: int | None = None) -> ImportPlan:
    """Read and check the whole file (dry run); the mapping is guessed from the headers when not given.

    max_upload: the app's MAX_CONTENT_LENGTH; a workbook's inflated size is bounded in proportion to it.
    """
    sha256 = hashlib.sha256(raw).hexdigest()
    plan = ImportPlan(study.id, filename, sha256, None, dict.fromkeys(FIELDS), dict(outcomes or {}))
    try:
        plan.sheet = read_sheet(raw, filename, max_upload)
    except SpreadsheetError as error:
        plan.file_error = error
        return plan
    plan.mapping = {**dict.fromkeys(FIELDS), **(mapping if mapping is not None else guess_mapping(plan.sheet.headers))}
    plan.rows, plan.problems = validate_rows(plan.sheet, plan.mapping, task_refs(study), plan.outcomes)
    if plan.rows and _already_imported(study, plan):
        plan.problems.insert(0, Problem(None, None, "already_imported"))
    return plan


def _key(study_id: int, sha256: str, row: ParsedRow) -> str:
    digest = hashlib.sha256(f"{study_id}|{sha256}|{row.participant}|{row.task_id}|{row.source}".encode())
    return f"import-{digest.hexdigest()[:48]}"


def _already_imported(study: Study, plan: ImportPlan) -> bool:
    keys = [_key(study.id, plan.sha256, row) for row in plan.rows[:500]]
    return db.session.scalar(select(Attempt.id).where(Attempt.idempotency_key.in_(keys)).limit(1)) is not None


def commit(study: Study, plan: ImportPlan, user: User | None = None, via: str = "web") -> ImportResult:
    """Insert every row of a clean plan in one transaction, or nothing (InvalidInput / Conflict)."""
    if not plan.ok or plan.study_id != study.id:
        raise InvalidInput("import_not_clean")
    now = utcnow()
    try:
        session = _session(study, plan)
        people = _participants(session, plan.rows, now)
        attempts = _attempts(study, plan, people, now)
        comments = _comments(study, plan.rows, people, attempts)
        if study.locked_at is None:
            study.locked_at = now  # answers exist now: the task list may no longer change
        db.session.add(_audit_event(study, plan, user, via))
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        raise Conflict("already_imported") from error
    except Exception:
        db.session.rollback()
        raise
    return ImportResult(session.id, len(people), len(attempts), comments)


def _session(study: Study, plan: ImportPlan) -> TestSession:
    """A closed session that holds this file's participants, so they can be found (or excluded) together."""
    session = TestSession(
        study=study, name=f"取り込み: {plan.filename}"[:200], mode="remote", is_open=False,
        capacity=max(1, plan.participants), invite_code=new_invite_code(),
    )
    db.session.add(session)
    db.session.flush()
    return session


def _participants(session: TestSession, rows: list[ParsedRow], now: datetime) -> dict[str, Participant]:
    people: dict[str, Participant] = {}
    for row in rows:
        person = people.get(row.participant)
        if person is None:
            person = people[row.participant] = Participant(
                public_id=secrets.token_hex(16), session_id=session.id, receipt_code=new_receipt_code(),
                join_key=f"import-{secrets.token_hex(24)}", consent_version=IMPORTED_CONSENT, consented_at=now,
                profile_done=True, finished_at=now,
            )
            db.session.add(person)
        person.age_band = person.age_band or row.age_band
        person.municipality_code = person.municipality_code or row.municipality
    db.session.flush()
    return people


def _attempts(study: Study, plan: ImportPlan, people: dict[str, Participant],
              now: datetime) -> dict[int, Attempt]:
    """Attempts by spreadsheet row number."""
    label = source_label(plan.filename, plan.sha256)
    attempts = {}
    for row in plan.rows:
        attempts[row.row] = Attempt(
            participant_id=people[row.participant].id, study_id=study.id, task_id=row.task_id,
            outcome=row.outcome, source=row.source, seq=row.seq, seconds=row.seconds,
            idempotency_key=_key(study.id, plan.sha256, row), imported_from=label, imported_at=now,
        )
    db.session.add_all(attempts.values())
    db.session.flush()
    return attempts


def _comments(study: Study, rows: list[ParsedRow], people: dict[str, Participant],
              attempts: dict[int, Attempt]) -> int:
    stored = 0
    for row in rows:
        comment = build_comment(row.comment, participant_id=people[row.participant].id, study_id=study.id,
                                task_id=row.task_id, attempt_id=attempts[row.row].id,
                                kind="observer" if row.source == "observer" else "task")
        if comment is not None:
            db.session.add(comment)
            stored += 1
    return stored


def _audit_event(study: Study, plan: ImportPlan, user: User | None, via: str) -> AuditEvent:
    # Built here rather than with security.audit: the CLI has no logged-in user to fall back on.
    return AuditEvent(
        user_id=getattr(user, "id", None), action="import_committed", object_type="study", object_id=study.id,
        detail={"file": plan.filename[:200], "sha256": plan.sha256, "rows": len(plan.rows),
                "participants": plan.participants, "via": via},
    )
