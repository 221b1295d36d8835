"""Read an uploaded spreadsheet (CSV or XLSX) into a header row and data rows, and guess its column mapping.

Pure: bytes in, a Sheet out; no Flask, no database, no files. Japanese offices save CSV from Excel as
Shift_JIS (CP932) unless told otherwise, and Google Forms / Microsoft Forms as UTF-8, with or without a
BOM, so the encoding is detected: a BOM first, then strict UTF-8, then strict CP932. Anything else
(binary junk, old .xls, a zip that is not a workbook, a zip bomb) is refused with a code the caller
turns into words. Row numbers are the ones a person sees in Excel: the header is row 1.
"""
from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import Any

from civictest.exporting.writers import safe_cell

MAX_ROWS = 50_000
MAX_COLUMNS = 200
MAX_CELL_CHARS = 10_000
MAX_XLSX_UNCOMPRESSED = 200 * 1024 * 1024  # a 20 MB upload that inflates past this is a zip bomb
# XLSX bombs (issue 17): a 175 kB workbook can hold millions of tiny shared strings, which openpyxl loads
# into memory all at once when it opens the file (0.9 GB and 30 s for 4 million). Everything is bounded
# before openpyxl sees the file, from the zip's own member sizes (zipfile never inflates a member past
# its declared size) and a streamed count, in proportion to the largest upload and to the row limit.
DEFAULT_MAX_UPLOAD = 20 * 1024 * 1024  # the app's default MAX_CONTENT_LENGTH, for callers without one
XLSX_INFLATE_RATIO = 10  # all members together: at most 10x the largest upload (XML compresses ~5-10x)
SHARED_STRINGS_PER_ROW = 10  # ten columns of answers that all differ, in every row
SHARED_STRING_BYTES = 128  # average <si><t>...</t></si> bytes allowed per shared string
CELLS_PER_ROW = 40  # non-empty cells of the first worksheet, per allowed row
_SHARED_STRINGS = "xl/sharedStrings.xml"
_SI_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s/>]")  # <si>, <si/>, <x:si> (a prefixed namespace)
_CHUNK = 1 << 20
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 (.xls)
_ZIP_MAGIC = b"PK\x03\x04"
_ALLOWED_CONTROLS = {"\t", "\n", "\r"}

FIELDS = ("participant", "task", "outcome", "seq", "seconds", "comment", "source", "age_band", "municipality")
REQUIRED = ("participant", "task", "outcome")

# Header words each field is recognised by (after normalising), most specific first.
HEADER_WORDS: dict[str, tuple[str, ...]] = {
    "participant": ("参加者id", "参加者", "回答者id", "回答者", "participantid", "participant", "respondentid",
                    "respondent", "pseudonym", "仮名", "id"),
    "task": ("タスク番号", "タスク名", "タスク", "課題", "taskno", "tasknumber", "taskname", "task"),
    "outcome": ("結果コード", "結果", "達成", "できましたか", "outcomecode", "outcome", "result", "completion"),
    "seq": ("seq", "難易度", "簡単さ", "やさしさ", "ease", "easeofuse"),
    "seconds": ("所要時間_秒", "所要時間（秒）", "所要時間", "時間", "秒", "seconds", "timeontask", "duration", "time"),
    "comment": ("コメント", "ご意見", "意見", "感想", "理由", "comment", "comments", "feedback", "why"),
    "source": ("記録の種類", "情報源", "回答元", "記録者", "source"),
    "age_band": ("年代", "年齢", "agebands", "ageband", "age"),
    "municipality": ("全国地方公共団体コード", "市区町村コード", "市区町村", "お住まい", "municipalitycode",
                     "municipality", "lgcode"),
}


class SpreadsheetError(ValueError):
    """The file cannot be read as a table; `code` names why (see CODES), `detail` adds a row or a name."""

    CODES = ("empty", "binary", "encoding", "xls", "bad_xlsx", "csv_syntax", "no_header",
             "too_many_rows", "too_many_columns", "cell_too_long", "too_large", "too_many_strings", "too_many_cells")

    def __init__(self, code: str, detail: str = "") -> None:
        if code not in self.CODES:
            raise ValueError(f"unknown spreadsheet error {code!r}")
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class Row:
    """One data row: its spreadsheet row number and its cells, padded to the header's width."""

    number: int
    cells: tuple[Any, ...]
    extra: tuple[Any, ...] = ()  # non-empty cells to the right of the last header


@dataclass(frozen=True)
class Sheet:
    """A table read from a file: kind (csv / xlsx), encoding (utf-8-sig, utf-8, cp932, utf-16, xlsx)."""

    kind: str
    encoding: str
    headers: tuple[str, ...]
    rows: tuple[Row, ...]
    blank_rows: int = 0
    sheet_name: str = ""
    other_sheets: tuple[str, ...] = field(default=())

    def column_label(self, index: int) -> str:
        """Excel letter plus header, e.g. "C: 結果", for lists and messages."""
        return f"{column_letter(index)}: {self.headers[index]}"


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA (Excel's column names)."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def read_sheet(raw: bytes, filename: str = "", max_upload: int | None = None, max_rows: int | None = None) -> Sheet:
    """The table in raw (CSV in any supported encoding, or XLSX: the first worksheet); SpreadsheetError if not.

    max_upload: the largest request body the app accepts (MAX_CONTENT_LENGTH); an XLSX file's inflated
    size is bounded in proportion to it (DEFAULT_MAX_UPLOAD when None).
    max_rows: the most data rows accepted (MAX_ROWS when None; a roster allows more, importing.roster). The
    other bounds (bytes, shared strings, cells of a workbook) do not grow with it.
    """
    max_rows = max_rows or MAX_ROWS
    if not raw or not raw.strip(b" \t\r\n\x00"):
        raise SpreadsheetError("empty")
    if raw.startswith(_OLE_MAGIC):
        raise SpreadsheetError("xls")
    if raw.startswith(_ZIP_MAGIC):
        return _read_xlsx(raw, max_upload or DEFAULT_MAX_UPLOAD, max_rows)
    if filename.lower().endswith((".xlsx", ".xlsm")):
        raise SpreadsheetError("bad_xlsx")
    text, encoding = decode_text(raw)
    return _table("csv", encoding, _csv_records(text, max_rows))


def decode_text(raw: bytes) -> tuple[str, str]:
    """(text, encoding) of CSV bytes: BOM (UTF-8 / UTF-16), else strict UTF-8, else strict CP932."""
    if raw.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]  # Excel's "Unicode text" (tab separated)
    else:
        candidates = ["utf-8", "cp932"]
    for encoding in candidates:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        _refuse_binary(text)
        return text, encoding
    if b"\x00" in raw or _looks_binary(raw.decode("latin-1")):
        raise SpreadsheetError("binary")
    raise SpreadsheetError("encoding")


def _looks_binary(text: str) -> bool:
    """Control characters other than tab and line ends are not in any spreadsheet a person typed."""
    sample = text[:65_536]
    controls = sum(1 for ch in sample if unicodedata.category(ch) == "Cc" and ch not in _ALLOWED_CONTROLS)
    return "\x00" in sample or controls > max(2, len(sample) // 1000)


def _refuse_binary(text: str) -> None:
    if _looks_binary(text):
        raise SpreadsheetError("binary")


def _delimiter(text: str) -> str:
    """Tab when the header line has tabs and no commas (Excel's Unicode text), else comma."""
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    return "\t" if "\t" in first and "," not in first else ","


def _csv_records(text: str, max_rows: int | None = None) -> list[tuple[int, list[Any]]]:
    """(record number, cells) of every CSV record; a record may span lines inside quotes."""
    max_rows = max_rows or MAX_ROWS
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    records = []
    try:
        for number, cells in enumerate(reader, 1):
            if number > max_rows + 1:
                raise SpreadsheetError("too_many_rows", str(max_rows))
            if len(cells) > 2 * MAX_COLUMNS:
                raise SpreadsheetError("too_many_columns", str(MAX_COLUMNS))
            records.append((number, cells))
    except csv.Error as error:
        raise SpreadsheetError("csv_syntax", str(reader.line_num)) from error
    return records


def xlsx_limits(max_upload: int) -> dict[str, int]:
    """The bounds an XLSX file must keep before it is parsed: inflated bytes of all members together and of
    sharedStrings.xml, the number of shared strings, and the non-empty cells of the first worksheet. They stay
    the same when a caller allows more rows (a roster: max_rows of read_sheet), so memory stays bounded too."""
    total = min(MAX_XLSX_UNCOMPRESSED, XLSX_INFLATE_RATIO * max_upload)
    strings = SHARED_STRINGS_PER_ROW * MAX_ROWS
    return {"inflated": total, "shared_bytes": min(total, strings * SHARED_STRING_BYTES),
            "shared_strings": strings, "cells": CELLS_PER_ROW * MAX_ROWS}


def check_xlsx_archive(archive: zipfile.ZipFile, max_upload: int = DEFAULT_MAX_UPLOAD) -> None:
    """Refuse a workbook that would inflate past the limits (xlsx_limits), before any XML is parsed.

    Member sizes come from the zip's directory (zipfile stops reading a member at its declared size, so a
    lie only breaks the file); the shared strings are counted by streaming their bytes, never built.
    """
    limits = xlsx_limits(max_upload)
    infos = archive.infolist()
    if sum(info.file_size for info in infos) > limits["inflated"]:
        raise SpreadsheetError("too_large")
    names = _shared_strings_names(archive)
    shared = [info for info in infos if info.filename.lower() in names]
    if not shared:
        return
    if any(info.file_size > limits["shared_bytes"] for info in shared):
        raise SpreadsheetError("too_large")
    for info in shared:
        if _count_tags(archive, info, limits["shared_strings"]) > limits["shared_strings"]:
            raise SpreadsheetError("too_many_strings", f"{limits['shared_strings']:,}")


def _shared_strings_names(archive: zipfile.ZipFile) -> set[str]:
    """Lower-cased member names of the shared-strings part: the usual path, and whatever part
    [Content_Types].xml declares with the shared-strings content type (openpyxl follows that)."""
    names = {_SHARED_STRINGS.lower()}
    try:
        info = archive.getinfo("[Content_Types].xml")
    except KeyError:
        return names
    if info.file_size > 1_000_000:
        raise SpreadsheetError("bad_xlsx")
    text = archive.read(info).decode("utf-8", "replace")
    for override in re.findall(r"<(?:\w+:)?Override\b[^>]*>", text):
        if "sharedStrings" in override:
            part = re.search(r"PartName\s*=\s*[\"']/?([^\"']+)[\"']", override)
            if part:
                names.add(part.group(1).lower())
    return names


def _count_tags(archive: zipfile.ZipFile, info: zipfile.ZipInfo, stop_after: int) -> int:
    """<si> elements in a member, read in 1 MiB chunks; stops as soon as the count passes stop_after."""
    count, carry = 0, b""
    with archive.open(info) as stream:
        while chunk := stream.read(_CHUNK):
            data = carry + chunk
            cut = data.rfind(b"<")  # a tag cut by the chunk's end starts at the last "<": count it next time
            cut = len(data) if cut < 0 else cut
            count += len(_SI_TAG.findall(data, 0, cut))
            carry = data[cut:]
            if count > stop_after:
                return count
    return count + len(_SI_TAG.findall(carry))


def _read_xlsx(raw: bytes, max_upload: int = DEFAULT_MAX_UPLOAD, max_rows: int | None = None) -> Sheet:
    """The first worksheet's values (cached results for formula cells; a formula is never evaluated)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        names = set(archive.namelist())
        if "xl/workbook.xml" not in names:
            raise SpreadsheetError("bad_xlsx")
        check_xlsx_archive(archive, max_upload)
    except SpreadsheetError:
        raise
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, zlib.error) as error:
        raise SpreadsheetError("bad_xlsx") from error
    from openpyxl import load_workbook  # defusedxml, when installed, guards the XML parsing

    try:
        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except SpreadsheetError:
        raise
    except Exception as error:  # noqa: BLE001 - openpyxl raises many kinds for a broken workbook
        raise SpreadsheetError("bad_xlsx") from error
    try:
        if not workbook.worksheets:
            raise SpreadsheetError("empty")
        sheet = workbook.worksheets[0]
        records = _xlsx_records(sheet, max_rows)
        others = tuple(ws.title for ws in workbook.worksheets[1:])
        return _table("xlsx", "xlsx", records, sheet_name=sheet.title, other_sheets=others)
    except SpreadsheetError:
        raise
    except Exception as error:  # noqa: BLE001
        raise SpreadsheetError("bad_xlsx") from error
    finally:
        workbook.close()


def _xlsx_records(sheet: Any, max_rows: int | None = None) -> list[tuple[int, list[Any]]]:
    max_rows = max_rows or MAX_ROWS
    records = []
    cells, max_cells = 0, CELLS_PER_ROW * MAX_ROWS  # not max_rows: the cells in memory stay bounded
    # max_col: a stray value in column XFD would otherwise pad every row to 16,384 cells.
    for number, values in enumerate(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1), 1):
        if number > max_rows + 1:
            raise SpreadsheetError("too_many_rows", str(max_rows))
        cells += sum(1 for value in values if value is not None)
        if cells > max_cells:
            raise SpreadsheetError("too_many_cells", f"{max_cells:,}")
        records.append((number, list(values)))
    return records


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _header_text(value: Any, index: int) -> str:
    """A header cell as one trimmed line; an empty header is named after its column letter."""
    text = "" if value is None else " ".join(str(value).split())
    return text or f"({column_letter(index)})"


def _check_cells(number: int, cells: list[Any]) -> None:
    for value in cells:
        if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
            raise SpreadsheetError("cell_too_long", str(number))


def _table(kind: str, encoding: str, records: list[tuple[int, list[Any]]], **extra: Any) -> Sheet:
    """Header row (the first row, as the open-data rules want) and the data rows below it."""
    if not records or all(_is_blank(v) for v in records[0][1]):
        raise SpreadsheetError("no_header" if any(any(not _is_blank(v) for v in c) for _, c in records) else "empty")
    header_cells = list(records[0][1])
    while header_cells and _is_blank(header_cells[-1]):
        header_cells.pop()
    if len(header_cells) > MAX_COLUMNS:
        raise SpreadsheetError("too_many_columns", str(MAX_COLUMNS))
    headers = tuple(_header_text(value, i) for i, value in enumerate(header_cells))
    width, rows, blank = len(headers), [], 0
    for number, cells in records[1:]:
        if all(_is_blank(v) for v in cells):
            blank += 1
            continue
        _check_cells(number, cells)
        padded = tuple(cells[:width]) + (None,) * max(0, width - len(cells))
        spill = tuple(v for v in cells[width:] if not _is_blank(v))
        rows.append(Row(number, padded, spill))
    return Sheet(kind, encoding, headers, tuple(rows), blank, **extra)


# --- Column mapping ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One thing wrong: row None means the whole file or mapping; field is one of FIELDS or None."""

    row: int | None
    field: str | None
    code: str
    value: str = ""


def word(value: Any) -> str:
    """The matching form of a cell: NFKC, case-folded, no spaces, no trailing 。.!"""
    text = unicodedata.normalize("NFKC", cell_text(value)).casefold()
    return re.sub(r"\s+", "", text).rstrip("。.!！")


def cell_text(value: Any) -> str:
    """A cell as trimmed text: whole floats without .0 (Excel stores 12 as 12.0), blank for None.

    A leading ' that our own exporters added to neutralise a formula ('=..., '+81...) is taken off again,
    so an exported file imports as the text it came from (the importer never evaluates anything).
    """
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).replace("\x00", "").strip()
    if text.startswith("'") and safe_cell(text[1:]) != text[1:]:
        return text[1:]
    return text


def guess_mapping(headers: tuple[str, ...]) -> dict[str, int | None]:
    """Field -> column index for the headers that name a field; each column is used at most once."""
    keys = [word(h) for h in headers]
    mapping: dict[str, int | None] = dict.fromkeys(FIELDS)
    used: set[int] = set()
    for exact in (True, False):
        for field_name, words in HEADER_WORDS.items():
            if mapping[field_name] is not None:
                continue
            for candidate in map(word, words):
                hit = next((i for i, k in enumerate(keys) if i not in used and
                            (k == candidate if exact else len(candidate) > 2 and candidate in k)), None)
                if hit is not None:
                    mapping[field_name] = hit
                    used.add(hit)
                    break
    return mapping


def mapping_problems(mapping: dict[str, int | None], width: int) -> list[Problem]:
    """Required fields unmapped, columns that do not exist, or one column used for two fields."""
    problems = [Problem(None, f, "unmapped") for f in REQUIRED if mapping.get(f) is None]
    seen: dict[int, str] = {}
    for field_name in FIELDS:
        index = mapping.get(field_name)
        if index is None:
            continue
        if not 0 <= index < width:
            problems.append(Problem(None, field_name, "no_such_column", str(index)))
        elif index in seen:
            problems.append(Problem(None, field_name, "mapped_twice", seen[index]))
        else:
            seen[index] = field_name
    return problems
