"""Export writers: one formula-safe cell function and CSV / XLSX / JSON writers that return bytes.

Pure functions: no Flask, no database, no files. Every spreadsheet cell, header included, is guarded
against formula injection (ASVS v5.0.0-1.2.10; LimeSurvey #3677, onadata #3024 in RELIABILITY.md A4):
CSV has no cell types, so CSV text goes through safe_cell (a leading ' on text that could start a
formula); XLSX has them, so every XLSX text cell is written as an explicit string cell, exactly as the
text reads (no apostrophe for Excel to show), and no cell is ever a formula.
CSV follows the Japanese open-data rules in JAPAN.md section 2: UTF-8 with BOM, CRLF, RFC 4180
quoting, one header row, blank (never 0) for missing values.
"""
from __future__ import annotations

import csv
import datetime as dt
import enum
import io
import json
import math
import re
import unicodedata
import uuid
from collections.abc import Iterator, Mapping
from decimal import Decimal
from pathlib import PurePath
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\0")
EXCEL_MAX_CELL_CHARS = 32_767
EXCEL_MAX_SHEET_NAME = 31

# 項目定義 (data dictionary) headers: Japanese name, and the key / English header for each.
DICTIONARY_COLUMNS: tuple[tuple[str, str], ...] = (
    ("項目名", "name_ja"),
    ("物理名", "name_en"),
    ("説明", "description_ja"),
    ("説明（英語）", "description_en"),
    ("型", "type"),
    ("単位", "unit"),
)
_PHYSICAL_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


def _is_missing(value: Any) -> bool:
    """True for None, NaN, pd.NA and NaT; False for containers and everything else."""
    if value is None:
        return True
    if isinstance(value, (str, bytes, list, tuple, dict, set, np.ndarray)):
        return False
    try:
        missing = pd.isna(value)
    except (TypeError, ValueError):
        return False
    return isinstance(missing, (bool, np.bool_)) and bool(missing)


def _neutralise(text: str) -> str:
    """Prefix ' when the first visible character (full-width too: ＝＋－＠) could start a formula."""
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    visible = text.lstrip(" \u3000\n\x0b\x0c")[:1]
    if visible and unicodedata.normalize("NFKC", visible)[:1] in FORMULA_TRIGGERS:
        return "'" + text
    return text


def plain_cell(value: Any) -> Any:
    """One export cell without the text guard: numbers stay numbers, missing becomes None, other
    objects their str(). safe_cell adds the CSV guard on top; XLSX types its text cells instead."""
    if _is_missing(value):
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, np.datetime64):
        return pd.Timestamp(value)
    if isinstance(value, (dt.date, dt.time)):
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return value if isinstance(value, str) else str(value)


def safe_cell(value: Any) -> Any:
    """The formula-injection guard for text formats (CSV): neutralise text, keep numbers, blank missing.

    Text (headers too) whose first character is = + - @ TAB CR or NUL gets a leading '; so does text
    whose first non-space character is one of those or a full-width form of them. Only the type
    decides: the str "-5" is text and gets the prefix, the number -5 stays a number. ints, floats,
    numpy numbers and Decimals stay numbers, bools stay bools, dates and times are returned as they
    are. None, NaN, NA, NaT and infinities become None (an empty cell; blank never means zero).
    Anything else is exported as its str(). XLSX does not use it (see to_xlsx_bytes).
    """
    value = plain_cell(value)
    return _neutralise(value) if isinstance(value, str) else value


def _is_date_only(column: pd.Series) -> bool:
    """A tz-naive datetime column whose values are all midnight is written as plain dates (YYYY-MM-DD)."""
    if not pd.api.types.is_datetime64_dtype(column):
        return False
    present = column.dropna()
    return bool((present == present.dt.normalize()).all())


def _rows(frame: pd.DataFrame) -> Iterator[list[Any]]:
    """Every data row of frame (index not included), date-only datetime columns as dates."""
    date_only = [_is_date_only(frame.iloc[:, i]) for i in range(frame.shape[1])]
    for row in frame.itertuples(index=False, name=None):
        yield [
            value.date() if as_date and not _is_missing(value) else value
            for value, as_date in zip(row, date_only)
        ]


def _safe_rows(frame: pd.DataFrame) -> Iterator[list[Any]]:
    """Every data row of frame as safe cells."""
    for row in _rows(frame):
        yield [safe_cell(value) for value in row]


def _plain_rows(frame: pd.DataFrame) -> Iterator[list[Any]]:
    """Every data row of frame as plain cells (XLSX: text is typed, not prefixed)."""
    for row in _rows(frame):
        yield [plain_cell(value) for value in row]


def _csv_text(value: Any) -> str:
    """Text for one already-safe CSV cell: empty for None, ISO 8601 for dates and times."""
    if value is None:
        return ""
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def _select(
    frame: pd.DataFrame, columns: list[tuple[str, str]] | None, english_header_row: bool
) -> tuple[pd.DataFrame, list[str] | None]:
    """Pick and order the (Japanese-named) columns; return the English header row when asked for."""
    if columns is None:
        if english_header_row:
            raise ValueError("english_header_row needs columns=[(japanese_name, english_name), ...]")
        return frame, None
    names = [ja for ja, _ in columns]
    missing = [name for name in names if name not in frame.columns]
    if missing:
        raise KeyError(f"columns not in frame: {missing}")
    return frame.loc[:, names], ([en for _, en in columns] if english_header_row else None)


def to_csv_bytes(
    frame: pd.DataFrame,
    *,
    columns: list[tuple[str, str]] | None = None,
    english_header_row: bool = False,
) -> bytes:
    """CSV as UTF-8 with BOM, CRLF line ends, RFC 4180 quoting (csv module), every cell through safe_cell.

    columns, as (japanese_name, english_name) pairs, selects and orders the frame's columns.
    english_header_row=True adds the English names as a second header row. The open-data rules
    (L2-03) want one header row, so the default is one row, with the English names in a separate
    data dictionary (data_dictionary). The frame's index is not written: reset_index() first if
    it carries data. Datetime columns that hold only dates are written as YYYY-MM-DD.
    """
    frame, english = _select(frame, columns, english_header_row)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([_csv_text(safe_cell(name)) for name in frame.columns])
    if english is not None:
        writer.writerow([_csv_text(safe_cell(name)) for name in english])
    for row in _safe_rows(frame):
        writer.writerow([_csv_text(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def _sheet_title(name: Any, used: set[str]) -> str:
    """Excel-valid, unique sheet name: no []:*?/\\, no leading/trailing ', at most 31 characters."""
    title = ILLEGAL_CHARACTERS_RE.sub("", re.sub(r"[\[\]:*?/\\]", "_", str(name))).strip("'")
    title = title[:EXCEL_MAX_SHEET_NAME].rstrip("'") or "Sheet"
    if title.casefold() == "history":  # reserved by Excel
        title = "History_"
    base, number = title, 2
    while title.casefold() in used:
        suffix = f" ({number})"
        title, number = base[: EXCEL_MAX_SHEET_NAME - len(suffix)].rstrip("'") + suffix, number + 1
    used.add(title.casefold())
    return title


def _xlsx_value(value: Any) -> Any:
    """Adapt one plain cell to openpyxl: strip XML-illegal characters, cap length, no tz-aware datetimes."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)[:EXCEL_MAX_CELL_CHARS]
    if isinstance(value, (dt.datetime, dt.time)) and value.tzinfo is not None:
        return value.isoformat()  # Excel has no time zones; keep the offset as text
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


def _write_row(sheet: Any, row: int, values: list[Any]) -> None:
    """Write one row (1-based); every str is an explicit string cell, so no text ever becomes a formula.

    openpyxl turns a str starting with = into a formula cell when it is assigned; setting the data type
    back to "s" afterwards stores it as an inline string, which Excel shows exactly as written.
    """
    for column, value in enumerate(values, 1):
        value = _xlsx_value(value)
        if value is None:
            continue
        cell = sheet.cell(row=row, column=column, value=value)
        if isinstance(value, str):
            cell.data_type = "s"


def to_xlsx_bytes(sheets: Mapping[str, pd.DataFrame]) -> bytes:
    """XLSX workbook, one sheet per frame: header row then data.

    Numbers stay numeric cells, dates date cells, and text is written as string cells exactly as it
    reads (no ' prefix: a typed string cell is never evaluated; no cell is ever a formula). Sheet names
    are made Excel-valid and unique (31 characters, no []:*?/\\). The index is not written.
    """
    if not sheets:
        raise ValueError("to_xlsx_bytes needs at least one sheet")
    workbook = Workbook()
    workbook.remove(workbook.active)
    used: set[str] = set()
    for name, frame in sheets.items():
        sheet = workbook.create_sheet(_sheet_title(name, used))
        _write_row(sheet, 1, [plain_cell(column) for column in frame.columns])
        for number, row in enumerate(_plain_rows(frame), 2):
            _write_row(sheet, number, row)
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _json_scalar(value: Any) -> Any:
    """One JSON-ready scalar: numpy to Python, NaN/NA/NaT/inf to None, dates and durations to ISO 8601."""
    if _is_missing(value):
        return None
    if isinstance(value, (str, bool)):
        return value
    if isinstance(value, (np.bool_, np.integer)):
        return value.item()
    if isinstance(value, int):
        return value
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, Decimal):
        if not value.is_finite():
            return None
        return int(value) if value.as_tuple().exponent >= 0 else float(value)
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, np.datetime64):
        return pd.Timestamp(value).isoformat()
    if isinstance(value, (dt.timedelta, np.timedelta64)):
        return pd.Timedelta(value).isoformat()
    if isinstance(value, enum.Enum):
        return _jsonable(value.value)
    if isinstance(value, (uuid.UUID, PurePath)):
        return str(value)
    raise TypeError(f"cannot export {type(value).__name__} as JSON")


def _json_key(key: Any) -> str:
    """Object keys must be strings: 3 -> "3", None -> "null", a date -> its ISO form."""
    if isinstance(key, str):
        return key
    converted = _jsonable(key)
    return converted if isinstance(converted, str) else json.dumps(converted, ensure_ascii=False)


def _jsonable(obj: Any) -> Any:
    """Recursively convert obj (DataFrame, Series, mapping, sequence, scalar) into JSON-ready data."""
    if isinstance(obj, pd.DataFrame):
        keys = [_json_key(column) for column in obj.columns]
        return [dict(zip(keys, _jsonable(row))) for row in _rows(obj)]
    if isinstance(obj, pd.Series):
        if isinstance(obj.index, pd.RangeIndex):
            return [_jsonable(value) for value in obj.tolist()]
        return _jsonable(obj.to_dict())
    if isinstance(obj, Mapping):
        return {_json_key(key): _jsonable(value) for key, value in obj.items()}
    if isinstance(obj, (list, tuple, np.ndarray)):
        return [_jsonable(value) for value in obj]
    if isinstance(obj, (set, frozenset)):
        return sorted((_jsonable(value) for value in obj), key=lambda v: (str(type(v)), str(v)))
    return _json_scalar(obj)


def to_json_bytes(obj: Any, *, indent: int | None = None) -> bytes:
    """UTF-8 JSON (Japanese kept as is): NaN/NA/NaT become null, numpy types Python, dates ISO 8601.

    A DataFrame becomes a list of records; a Series a list (default index) or an object. No
    safe_cell here: JSON is not opened by spreadsheets, and a prefix would change the data.
    """
    data = _jsonable(obj)
    return json.dumps(data, ensure_ascii=False, allow_nan=False, indent=indent).encode("utf-8")


def _dictionary_row(spec: Mapping[str, Any], position: int) -> list[Any]:
    """One checked 項目定義 row in DICTIONARY_COLUMNS order."""
    keys = [key for _, key in DICTIONARY_COLUMNS]
    unknown = sorted(set(spec) - set(keys))
    if unknown:
        raise ValueError(f"column {position}: unknown keys {unknown}; expected {keys}")
    for key in ("name_ja", "name_en", "type"):
        if not isinstance(spec.get(key), str) or not spec[key].strip():
            raise ValueError(f"column {position}: {key} is required")
    if not _PHYSICAL_NAME.fullmatch(spec["name_en"]):
        raise ValueError(f"column {position}: name_en {spec['name_en']!r} must be ASCII (letters, digits, _)")
    return [spec.get(key) for key in keys]


def data_dictionary(columns: list[dict[str, Any]]) -> pd.DataFrame:
    """Open-data 項目定義 table (L3-08): one row per exported column, Japanese headers.

    Each dict has name_ja, name_en (the ASCII physical name scripts use), type (required), and
    description_ja, description_en, unit (optional; missing ones stay blank). Write it with
    to_csv_bytes(table, columns=list(DICTIONARY_COLUMNS), english_header_row=True) for English headers.
    """
    rows = [_dictionary_row(spec, position) for position, spec in enumerate(columns)]
    for index in (0, 1):
        names = [row[index] for row in rows]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"duplicate {DICTIONARY_COLUMNS[index][1]}: {duplicates}")
    return pd.DataFrame(rows, columns=[ja for ja, _ in DICTIONARY_COLUMNS], dtype=object)
