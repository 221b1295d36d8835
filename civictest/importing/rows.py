"""Map a sheet's columns to attempt fields and check every row, listing each problem with its row number.

Pure: a Sheet (civictest.importing.spreadsheets), the study's tasks and a mapping in; parsed rows and
problems out. Nothing is skipped silently: a row with any problem makes the whole import refuse (all or
nothing), and the caller shows every problem so the file can be fixed in one go. Words are matched after NFKC
(full-width digits and letters become ASCII), case folding and removing spaces.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from typing import Any

from civictest.geo import lg_code, tokyo_municipalities
from civictest.importing.spreadsheets import FIELDS, Problem, Sheet, cell_text, mapping_problems, word

PROFILE_FIELDS = ("age_band", "municipality")
OUTCOME_CODES = ("success", "partial", "failure", "abandoned", "not_attempted")
MAX_PARTICIPANT_CHARS = 200
MAX_COMMENT_CHARS = 2000
MAX_SECONDS = 6 * 3600

OUTCOME_WORDS: dict[str, tuple[str, ...]] = {
    "success": ("success", "succeeded", "completed", "complete", "done", "yes", "できた", "成功", "完了", "達成",
                "はい"),
    "partial": ("partial", "partialsuccess", "partially", "withdifficulty", "難しかったができた",
                "難しかったけどできた", "難しかったけれどできた", "一部できた", "苦労したができた"),
    "failure": ("failure", "failed", "fail", "no", "notcompleted", "できなかった", "失敗", "未完了", "いいえ"),
    "abandoned": ("abandoned", "gaveup", "giveup", "quit", "あきらめた", "諦めた", "中断", "断念"),
    "not_attempted": ("notattempted", "not_attempted", "skipped", "未実施", "やらなかった"),
}
SOURCE_WORDS = {"self": ("self", "resident", "participant", "本人", "自己申告", "参加者"),
                "observer": ("observer", "facilitator", "観察", "観察者", "ファシリテーター", "記録者")}
AGE_WORDS = {"under_20": ("under_20", "under20", "20歳未満", "10代", "10s", "teens"),
             **{f"{d}s": (f"{d}s", f"{d}代", f"{d}-{d + 9}", f"{d}〜{d + 9}歳", f"{d}～{d + 9}歳")
                for d in range(20, 80, 10)},
             "80_plus": ("80_plus", "80plus", "80+", "80歳以上", "80代", "90代", "80s", "90s", "80代以上")}
_POSITION = re.compile(r"^(?:t|task|タスク|課題|no\.?)?(\d{1,4})(?:[:：.\-ー)）]|$)")
_CLOCK = re.compile(r"^(?:(\d+):)?(\d{1,3}):(\d{1,2}(?:\.\d+)?)$")
_JA_DURATION = re.compile(r"^(?:(\d+(?:\.\d+)?)時間)?(?:(\d+(?:\.\d+)?)分)?(?:(\d+(?:\.\d+)?)秒)?$")
_NUMBER = re.compile(r"^\d+(?:\.\d+)?$")


@dataclass(frozen=True)
class TaskRef:
    task_id: int
    position: int
    title_ja: str
    title_en: str = ""


@dataclass(frozen=True)
class ParsedRow:
    row: int
    participant: str
    task_id: int
    outcome: str
    seq: int | None
    seconds: float | None
    comment: str
    source: str
    age_band: str | None
    municipality: str | None


def _lookup(table: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {word(w): code for code, words in table.items() for w in words}


_OUTCOMES = _lookup(OUTCOME_WORDS)
_SOURCES = _lookup(SOURCE_WORDS)
_AGES = _lookup(AGE_WORDS)


def outcome_code(value: Any, custom: dict[str, str] | None = None) -> str | None:
    """Outcome code of a cell (Japanese or English word, or a code); custom maps normalised words first."""
    key = word(value)
    if custom and key in custom:
        return custom[key]
    return key if key in OUTCOME_CODES else _OUTCOMES.get(key)


class _RowError(Exception):
    def __init__(self, code: str, value: Any = "") -> None:
        super().__init__(code)
        self.code, self.value = code, cell_text(value)[:80]


def _task(value: Any, tasks: list[TaskRef]) -> int:
    key = word(value)
    if not key:
        raise _RowError("required")
    for task in tasks:
        if key in (word(task.title_ja), word(task.title_en)) and key:
            return task.task_id
    match = _POSITION.match(key)
    if match:
        by_position = {task.position: task.task_id for task in tasks}
        if int(match.group(1)) in by_position:
            return by_position[int(match.group(1))]
    raise _RowError("unknown_task", value)


def _seq(value: Any) -> int | None:
    if isinstance(value, bool):
        raise _RowError("bad_seq", value)
    key = word(value)
    if not key:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
    elif _NUMBER.match(key):
        number = float(key)
    else:
        raise _RowError("bad_seq", value)
    if not number.is_integer() or not 1 <= number <= 7:
        raise _RowError("bad_seq", value)
    return int(number)


def _seconds(value: Any) -> float | None:
    if isinstance(value, dt.timedelta):
        seconds = value.total_seconds()
    elif isinstance(value, dt.time):
        seconds = value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = float(value)
    else:
        key = word(value)
        if not key:
            return None
        seconds = _parse_duration(key)
        if seconds is None:
            raise _RowError("bad_seconds", value)
    if not math.isfinite(seconds) or not 0 < seconds <= MAX_SECONDS:
        raise _RowError("bad_seconds", value)
    return round(seconds, 3)


def _parse_duration(key: str) -> float | None:
    """Seconds of "95", "95.5", "1:35", "0:01:35", "1分35秒", "2分", "1時間5分"; None if none of those."""
    if _NUMBER.match(key):
        return float(key)
    clock = _CLOCK.match(key)
    if clock:
        hours, minutes, seconds = clock.groups()
        return int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds)
    japanese = _JA_DURATION.match(key)
    if japanese and any(japanese.groups()):
        hours, minutes, seconds = (float(g or 0) for g in japanese.groups())
        return hours * 3600 + minutes * 60 + seconds
    return None


def _choice(value: Any, lookup: dict[str, str], code: str, default: str | None = None) -> str | None:
    key = word(value)
    if not key:
        return default
    if key in lookup.values():
        return key
    if key in lookup:
        return lookup[key]
    raise _RowError(code, value)


_TOKYO_NAMES = {word(m["name_ja"]): m["code"] for m in tokyo_municipalities()}


def _municipality(value: Any) -> str | None:
    key = word(value)
    if not key:
        return None
    code = lg_code(key) if key.isdigit() else _TOKYO_NAMES.get(key)
    if code is None:
        raise _RowError("bad_municipality", value)
    return code


def _text(value: Any, limit: int, code: str) -> str:
    text = cell_text(value)
    if len(text) > limit:
        raise _RowError(code, text)
    return text


def _parse(cells: tuple[Any, ...], mapping: dict[str, int | None], tasks: list[TaskRef],
           outcomes: dict[str, str] | None) -> tuple[dict[str, Any], list[tuple[str, _RowError]]]:
    """Every mapped field of one row, and the errors of the fields that could not be read."""
    def cell(name: str) -> Any:
        index = mapping.get(name)
        return None if index is None else cells[index]

    readers = {
        "participant": lambda v: _text(v, MAX_PARTICIPANT_CHARS, "too_long") or _raise("required"),
        "task": lambda v: _task(v, tasks),
        "outcome": lambda v: outcome_code(v, outcomes) or _raise("unknown_outcome" if word(v) else "required", v),
        "seq": _seq,
        "seconds": _seconds,
        "comment": lambda v: _text(v, MAX_COMMENT_CHARS, "too_long"),
        "source": lambda v: _choice(v, _SOURCES, "bad_source", "self"),
        "age_band": lambda v: _choice(v, _AGES, "bad_age_band"),
        "municipality": _municipality,
    }
    values: dict[str, Any] = {}
    errors: list[tuple[str, _RowError]] = []
    for name, read in readers.items():
        try:
            values[name] = read(cell(name))
        except _RowError as error:
            errors.append((name, error))
    return values, errors


def _raise(code: str, value: Any = "") -> Any:
    raise _RowError(code, value)


def validate_rows(sheet: Sheet, mapping: dict[str, int | None], tasks: list[TaskRef],
                  outcomes: dict[str, str] | None = None) -> tuple[list[ParsedRow], list[Problem]]:
    """Parsed rows and every problem (file, mapping and row level); rows are usable only with no problems."""
    problems = mapping_problems(mapping, len(sheet.headers))
    if not tasks:
        problems.append(Problem(None, "task", "no_tasks"))
    if problems:
        return [], problems
    if not sheet.rows:
        return [], [Problem(None, None, "no_rows")]
    parsed: list[ParsedRow] = []
    for row in sheet.rows:
        values, errors = _parse(row.cells, mapping, tasks, outcomes)
        problems += [Problem(row.number, name, error.code, error.value) for name, error in errors]
        if row.extra:
            problems.append(Problem(row.number, None, "extra_cells", cell_text(row.extra[0])[:80]))
        if not errors:
            parsed.append(ParsedRow(row=row.number, task_id=values.pop("task"), **values))
    problems += _cross_row_problems(parsed)
    return parsed, sorted(problems, key=lambda p: (p.row or 0, FIELDS.index(p.field) if p.field else -1))


def _cross_row_problems(rows: list[ParsedRow]) -> list[Problem]:
    """One answer per participant, task and source; one profile per participant."""
    problems: list[Problem] = []
    first_row: dict[tuple[str, int, str], int] = {}
    profile: dict[str, dict[str, str | None]] = {}
    for row in rows:
        key = (row.participant, row.task_id, row.source)
        if key in first_row:
            problems.append(Problem(row.row, "task", "duplicate", str(first_row[key])))
        else:
            first_row[key] = row.row
        known = profile.setdefault(row.participant, {})
        for name in PROFILE_FIELDS:
            value = getattr(row, name)
            if value is None:
                continue
            if known.setdefault(name, value) != value:
                problems.append(Problem(row.row, name, "profile_conflict", value))
    return problems


def outcome_words(sheet: Sheet, column: int | None, limit: int = 40) -> list[str]:
    """Distinct normalised outcome words of a column in order of appearance (for the mapping step)."""
    if column is None or not 0 <= column < len(sheet.headers):
        return []
    found: dict[str, None] = {}
    for row in sheet.rows:
        key = word(row.cells[column])
        if key and key not in found:
            found[key] = None
            if len(found) >= limit:
                break
    return list(found)
