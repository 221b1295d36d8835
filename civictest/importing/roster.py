"""Check a survey roster (e-mail, org unit path 局/部/課, optional job grade) read by spreadsheets.read_sheet.

Pure: a Sheet, the known unit paths and the e-mails already on the wave's roster in; parsed rows and problems
out. All or nothing, as the results import: one problem and nothing is stored; every problem is listed with
its row number so the file can be fixed in one go.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from civictest.exporting.writers import safe_cell
from civictest.importing.spreadsheets import Problem, Sheet, cell_text, word

ROSTER_FIELDS = ("email", "unit", "grade")
ROSTER_REQUIRED = ("email", "unit")
HEADER_WORDS: dict[str, tuple[str, ...]] = {
    "email": ("メールアドレス", "メール", "電子メール", "e-mail", "email", "mail", "mailaddress"),
    "unit": ("所属", "組織", "部署", "所属部署", "課", "orgunit", "unit", "department", "organisation", "organization"),
    "grade": ("職層", "職位", "職級", "役職", "級", "jobgrade", "grade", "rank"),
}
MAX_EMAIL = 254
# A roster may be a whole city's staff (Tokyo: 53,162): more rows than spreadsheets.MAX_ROWS allows results.
# The other bounds of read_sheet (upload bytes, a workbook's shared strings and cells) stay as they are.
MAX_ROSTER_ROWS = 200_000
MAX_GRADE = 60
_EMAIL = re.compile(r"^[^@\s\"'<>,;()\[\]]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")


@dataclass(frozen=True)
class RosterRow:
    row: int
    email: str
    unit_path: str
    grade: str


def unit_path(value: str) -> str:
    """A unit path as stored: NFKC, parts split on / ／ > ＞, each part trimmed, joined with "/"."""
    text = unicodedata.normalize("NFKC", value or "")
    parts = [part.strip() for part in re.split(r"[/>]", text)]
    return "/".join(part for part in parts if part)


def guess_columns(headers: tuple[str, ...]) -> dict[str, int | None]:
    keys = [word(h) for h in headers]
    mapping: dict[str, int | None] = dict.fromkeys(ROSTER_FIELDS)
    used: set[int] = set()
    for exact in (True, False):
        for name, words in HEADER_WORDS.items():
            if mapping[name] is not None:
                continue
            for candidate in map(word, words):
                hit = next((i for i, k in enumerate(keys) if i not in used and
                            (k == candidate if exact else len(candidate) > 2 and candidate in k)), None)
                if hit is not None:
                    mapping[name] = hit
                    used.add(hit)
                    break
    return mapping


def _formula_like(value: Any) -> bool:
    """A text cell that a spreadsheet would run as a formula (=, +, -, @, full-width too)."""
    return isinstance(value, str) and bool(value.strip()) and safe_cell(value) != value


def check_roster(sheet: Sheet, known_units: set[str], existing_emails: set[str]) -> tuple[list[RosterRow], list[Problem]]:
    """(rows, problems) of a roster sheet; e-mails compared case-insensitively and stored lower-cased."""
    mapping = guess_columns(sheet.headers)
    problems = [Problem(None, name, "unmapped") for name in ROSTER_REQUIRED if mapping[name] is None]
    if problems:
        return [], problems
    if not sheet.rows:
        return [], [Problem(None, None, "no_rows")]
    rows: list[RosterRow] = []
    first_row: dict[str, int] = {}
    for row in sheet.rows:
        cells = {name: (row.cells[index] if index is not None else None) for name, index in mapping.items()}
        bad = False
        for name, value in cells.items():
            if _formula_like(value):
                problems.append(Problem(row.number, name, "formula", str(value)[:60]))
                bad = True
        number = row.number
        email = cell_text(cells["email"]).lower()
        path = unit_path(cell_text(cells["unit"]))
        grade = " ".join(cell_text(cells["grade"]).split())
        if bad:
            continue
        if not email:
            problems.append(Problem(number, "email", "required"))
        elif len(email) > MAX_EMAIL or not _EMAIL.match(email):
            problems.append(Problem(number, "email", "bad_email", email[:80]))
        elif email in first_row:
            problems.append(Problem(number, "email", "duplicate_email", str(first_row[email])))
        elif email in existing_emails:
            problems.append(Problem(number, "email", "already_on_roster", email))
        else:
            first_row[email] = number
        if not path:
            problems.append(Problem(number, "unit", "required"))
        elif path not in known_units:
            problems.append(Problem(number, "unit", "unknown_unit", path[:120]))
        if len(grade) > MAX_GRADE:
            problems.append(Problem(number, "grade", "too_long"))
        if row.extra:
            problems.append(Problem(number, None, "extra_cells", ", ".join(cell_text(v) for v in row.extra)[:80]))
        rows.append(RosterRow(number, email, path, grade))
    return rows, problems
