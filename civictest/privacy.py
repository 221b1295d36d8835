"""Privacy helpers: scrub personal data from resident text, suppress small cells in published figures.

Pure functions: no Flask, no database, no request, no files. See JAPAN.md section 4
(APPI; statistics stop being personal information only when small groups are hidden).
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

MARKERS: dict[str, str] = {
    "email": "[メールアドレス]",
    "my_number": "[個人番号]",
    "phone": "[電話番号]",
    "postal_code": "[郵便番号]",
    "address": "[住所]",
}


@dataclass(frozen=True)
class Scrubbed:
    """Result of scrub_pii: the text with markers, and the kinds of data found in order of first appearance."""

    text: str
    redactions: tuple[str, ...] = ()

    @property
    def redacted(self) -> bool:
        """True when anything was replaced."""
        return bool(self.redactions)


# --- Matching happens on an NFKC copy (full-width digits, ＠, －, ideographic space become ASCII) ---

_DASH_BETWEEN_DIGITS = re.compile(r"(?<=[0-9])[\u2010-\u2015\u2212\u30fc\uff70\ufe63](?=[0-9])")
# Two or more kanji digits in a row (〇九〇, 一二三四) are a number spelled digit by digit: read as ASCII digits.
# A single one (一つ, 三鷹) and counting words (二十三) are left alone.
_KANJI_DIGIT_RUN = re.compile(r"[〇零一二三四五六七八九]{2,}")
_KANJI_DIGITS = str.maketrans("〇零一二三四五六七八九", "00123456789")
_SEP = r"(?:[-.]|\s|\)\s?|\s?\()"  # one separator inside a phone number

_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_MY_NUMBER = re.compile(
    r"(?<![0-9+])(?<![0-9][-\s])[0-9]{4}[-\s]?[0-9]{4}[-\s]?[0-9]{4}(?![0-9])(?![-\s][0-9]{4}(?![0-9]))"
)
_PHONE = re.compile(
    rf"""(?<![0-9+])(?<![0-9][-.])(?:
      \+\s?81{_SEP}?(?:\(0\){_SEP}?)?[1-9][0-9]{{0,3}}{_SEP}[0-9]{{1,4}}{_SEP}[0-9]{{4}}   # +81 3 1234 5678
    | \+81[1-9][0-9]{{8,9}}                                                           # +819012345678
    | \+\s?[1-9][0-9]{{0,2}}(?:{_SEP}?\(?[0-9]{{1,4}}\)?){{1,3}}{_SEP}?[0-9]{{3,4}}       # other countries
    | (?:\(0(?:120|570)\)\s?|0(?:120|570){_SEP})[0-9]{{3}}{_SEP}[0-9]{{3}}               # 0120-123-456
    | (?:\(0800\)\s?|0800{_SEP})[0-9]{{3}}{_SEP}[0-9]{{4}}                               # 0800-123-4567
    | (?:\(0[1-9][0-9]{{0,3}}\)\s?|0[1-9][0-9]{{0,3}}{_SEP})[0-9]{{1,4}}{_SEP}[0-9]{{4}}   # (03)1234-5678, 090-…
    | 0[1-9][0-9]{{8,9}}                                                              # 09012345678
    )(?![0-9])(?!-[0-9])""",
    re.VERBOSE,
)
# A phone number written loosely: groups joined by 〜 ・ ー or a dash with spaces around it
# (090〜1234〜5678, 090・1234・5678, 090 - 1234 - 5678), or digit by digit with spaces (0 9 0 1 2 ...).
# Only numbers starting with 0 are considered; _is_loose_phone then checks the digits.
_LOOSE_SEP = r"[-.~〜・·\u2010-\u2015\u2212\u30fc\uff70\ufe63\u3030]"
_LOOSE_GAP = rf"(?:[ \t]{{0,2}}{_LOOSE_SEP}[ \t]{{0,2}}|[ \t]{{1,2}})"
_LOOSE_PHONE = re.compile(
    rf"(?<![0-9.,])0[0-9]{{0,4}}(?:{_LOOSE_GAP}[0-9]{{1,4}}){{1,10}}(?![0-9])(?![ \t]{{0,2}}{_LOOSE_SEP}[ \t]{{0,2}}[0-9])"
)
_POSTAL = re.compile(
    r"(?:〒\s?|(?<=郵便番号)|(?<=郵便番号:)|(?<=郵便番号 )|(?<=郵便番号: ))[0-9]{3}-?[0-9]{4}(?![0-9])"
    r"|(?<![0-9.,¥$\\-])[0-9]{3}-[0-9]{4}(?![0-9])(?!-[0-9])"
    r"(?!\s?(?:[円人件回個名点歳%年月日時分秒]|km|kg))"
)

_JP = r"\u3005\u3006\u4e00-\u9fff\uf900-\ufaff\u30a1-\u30fa\u30fc"  # kanji, 々, katakana
# A place name: up to 24 kanji/katakana, joined by が/の at most twice (the bounds keep matching linear).
_TOWN = rf"(?:[{_JP}]|[0-9]{{1,2}}条){{1,24}}(?:[がの][{_JP}]{{1,12}}){{0,2}}"  # 新宿区西新宿, 霞が関, 北1条西
_KNUM = r"(?:[0-9]{1,4}|[一二三四五六七八九十〇]{1,4})"
_ADDRESS = re.compile(
    rf"""(?:{_TOWN})?{_KNUM}丁目(?:{_KNUM}(?:番地?|-)(?:の?{_KNUM}号?)?(?:-[0-9]{{1,4}})?)?(?![駅店線])  # 西新宿2丁目8番1号
    | (?:{_TOWN})?{_KNUM}番地(?:の?{_KNUM}号?)?(?:-[0-9]{{1,4}})*                                    # 123番地4
    | {_TOWN}{_KNUM}番{_KNUM}号                                                                     # 本町8番1号
    | (?P<town>{_TOWN})(?P<nums>[0-9]{{1,2}}(?:-[0-9]{{1,4}}){{1,3}})(?![0-9-])                     # 西新宿2-8-1
    | (?:(?:Apt|Apartment|Room|Unit|\#)\.?\s?[0-9A-Za-z]+,?\s)?[0-9]{{1,2}}-[0-9]{{1,3}}-[0-9]{{1,4}},?\s
      [A-Z][a-z]+(?:-[A-Za-z]+)+(?:,\s?[A-Z][a-z]+-(?:ku|shi|cho|machi|mura|gun))?                 # 1-2-3 Nishi-Shinjuku
    | \b[0-9]{{1,2}}-chome(?:[-,\s]+[0-9]{{1,4}}(?:-[0-9]{{1,4}})*)?                                 # 2-chome 8-1
    """,
    re.VERBOSE,
)
# 丁目・番地・号 written with の (東陽4の11の28, 東陽四の十一の二十八): three numbers after a place name.
_ADDRESS_NO = re.compile(rf"(?P<town>{_TOWN})(?P<nums>{_KNUM}の{_KNUM}の{_KNUM})号?(?![0-9])")
# Words that end a kanji run but are not place names ("手順1-2-3", "画面2-1").
_NOT_TOWN = (
    "手順", "画面", "項目", "設問", "質問", "問題", "番号", "章", "節", "図", "表", "版", "ステップ",
    "タスク", "バージョン", "条", "項", "号", "ページ", "頁", "課", "係", "室", "窓口", "所", "年", "月",
    "日", "回", "型", "品番", "型番", "系統", "日付", "期間", "時間", "票", "案", "例",
    "資料", "別紙", "別表", "様式", "附則",
)
_ADMIN_UNIT = re.compile(r"[都道府県市区町村郡]")


def _normalise(text: str) -> tuple[str, list[int]]:
    """NFKC copy of text for matching, plus the source index of every character of the copy."""
    parts: list[str] = []
    source: list[int] = []
    for index, char in enumerate(text):
        if not char.isascii() and unicodedata.category(char) == "Cf":
            continue  # zero-width and other invisible format characters (U+200B, U+2060, U+FEFF, ...)
        norm = char if char.isascii() else unicodedata.normalize("NFKC", char)
        parts.append(norm)
        source.extend([index] * len(norm))
    joined = _KANJI_DIGIT_RUN.sub(lambda m: m.group().translate(_KANJI_DIGITS), "".join(parts))  # 1:1
    return _DASH_BETWEEN_DIGITS.sub("-", joined), source


def _digits(candidate: str) -> str:
    """Only the ASCII digits of candidate."""
    return re.sub(r"[^0-9]", "", candidate)


def _is_phone(candidate: str) -> bool:
    """Digit count check: JP numbers have 10 digits (11 for mobile, IP, 0800); others 8-15 in all."""
    digits = _digits(candidate)
    if candidate.startswith("+"):
        national = re.sub(r"^81(0?)", "", digits) if digits.startswith("81") else None
        return 9 <= len(national) <= 10 if national is not None else 8 <= len(digits) <= 15
    if len(digits) == 11:
        return digits[:3] in {"020", "050", "060", "070", "080", "090"} or digits.startswith("0800")
    return len(digits) == 10


def _is_loose_phone(candidate: str) -> bool:
    """A loosely written number is a phone number when its digits are a Japanese mobile, IP or 0800 number
    (11 digits), or a 10-digit number written in at most three groups (03 〜 1234 〜 5678): ten digits spelled
    one by one ("0 1 2 3 4 5 6 7 8 9") read as a list more often than as a landline."""
    digits = _digits(candidate)
    if len(digits) == 11:
        return digits[:3] in {"020", "050", "060", "070", "080", "090"} or digits.startswith("0800")
    groups = len(re.findall(r"[0-9]+", candidate))
    return len(digits) == 10 and digits[1] != "0" and groups <= 3


def _is_address(match: re.Match[str]) -> bool:
    """Kanji-run + 1-2-3 (or 4の11の28) is an address only after a real place name (3 groups, or 2 after 区/市/町…)."""
    town, nums = match.group("town"), match.group("nums")
    if town is None:
        return True
    if len(town) < 2 or town.endswith(_NOT_TOWN):
        return False
    return nums.count("-") >= 2 or nums.count("の") >= 2 or bool(_ADMIN_UNIT.search(town[:-1]))


def _spans(normalised: str) -> Iterator[tuple[str, int, int]]:
    """Candidate (kind, start, end) spans in priority order; earlier kinds win overlaps."""
    yield from (("email", m.start(), m.end()) for m in _EMAIL.finditer(normalised))
    yield from (("my_number", m.start(), m.end()) for m in _MY_NUMBER.finditer(normalised))
    for m in _PHONE.finditer(normalised):
        if _is_phone(m.group()):
            yield "phone", m.start(), m.end()
    for m in _LOOSE_PHONE.finditer(normalised):
        if _is_loose_phone(m.group()):
            yield "phone", m.start(), m.end()
    yield from (("postal_code", m.start(), m.end()) for m in _POSTAL.finditer(normalised))
    for pattern in (_ADDRESS, _ADDRESS_NO):
        for m in pattern.finditer(normalised):
            if _is_address(m):
                yield "address", m.start(), m.end()


def scrub_pii(text: str) -> Scrubbed:
    """Replace phone numbers, e-mail addresses, My Numbers, postal codes and street addresses with markers.

    Matching runs on an NFKC copy (so ０９０－１２３４－５６７８ and ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ match), but the text
    outside the replaced spans is returned exactly as typed. Dates, times, prices, counts, percentages,
    version numbers and receipt numbers shorter than 10 digits are left alone. A 10-11 digit number
    starting with 0 reads as a phone number, and any 12-digit number (4-4-4) as a My Number, without a
    check-digit test: a mistyped one is still personal. Card numbers are not covered.
    """
    if not isinstance(text, str):
        raise TypeError(f"scrub_pii expects str, got {type(text).__name__}")
    normalised, source = _normalise(text)
    claimed: list[tuple[int, int, str]] = []
    for kind, start, end in _spans(normalised):
        if not any(start < e and s < end for s, e, _ in claimed):
            claimed.append((start, end, kind))
    pieces: list[str] = []
    kinds: list[str] = []
    position = 0
    for start, end, kind in sorted(claimed):
        begin = max(source[start], position)
        pieces += [text[position:begin], MARKERS[kind]]
        position = source[end - 1] + 1
        kinds += [] if kind in kinds else [kind]
    pieces.append(text[position:])
    return Scrubbed("".join(pieces), tuple(kinds))


# --- Small-cell suppression -------------------------------------------------------------------------


def _check_suppression_args(
    table: pd.DataFrame, count_col: str, k: int, groupings: list[list[str]], value_cols: list[str]
) -> pd.Series:
    """Validate arguments; return the counts as floats (NaN = unknown)."""
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}")
    if "suppressed" in table.columns:
        raise ValueError("table already has a 'suppressed' column; suppress the raw counts once")
    needed = [count_col, *value_cols, *(c for cols in groupings for c in cols)]
    missing = [c for c in needed if c not in table.columns]
    if missing:
        raise KeyError(f"columns not in table: {missing}")
    counts = pd.to_numeric(table[count_col]).astype("float64")
    if (counts < 0).any():
        raise ValueError(f"{count_col} has negative counts")
    return counts


def _complement(counts: np.ndarray, suppressed: np.ndarray, rows: np.ndarray, k: int) -> int | None:
    """Position of the next cell to suppress in one group, or None when the group is safe."""
    hidden = rows[suppressed[rows]]
    if len(hidden) == 0 or (len(hidden) >= 2 and counts[hidden].sum() >= k):
        return None
    candidates = rows[~suppressed[rows] & (counts[rows] > 0)]
    if len(candidates) == 0:
        return None  # the group's only positive cell is hidden; its total is < k and suppressed itself
    return int(candidates[np.argmin(counts[candidates])])


def _group_rows(table: pd.DataFrame, cols: list[str]) -> list[np.ndarray]:
    """Positional row indices of each group (the whole table when cols is empty)."""
    if not cols:
        return [np.arange(len(table))]
    return [np.asarray(rows) for rows in table.groupby(cols, dropna=False, sort=False).indices.values()]


def _blank(table: pd.DataFrame, hidden: np.ndarray, columns: list[str]) -> pd.DataFrame:
    """Copy of table with the flag column and hidden cells set to missing (never 0)."""
    out = table.copy()
    for col in dict.fromkeys(columns):
        series = out[col]
        if not pd.api.types.is_extension_array_dtype(series):
            if pd.api.types.is_bool_dtype(series):
                series = series.astype("boolean")
            elif pd.api.types.is_integer_dtype(series):
                series = series.astype("Int64")
        out[col] = series.mask(hidden)  # positional, so duplicate index labels are safe
    out["suppressed"] = hidden
    return out


def suppress_small_cells(
    table: pd.DataFrame,
    count_col: str,
    k: int = 5,
    group_cols: list[str] | None = None,
    value_cols: list[str] | None = None,
    *,
    also_group_by: Sequence[Sequence[str]] = (),
) -> pd.DataFrame:
    """Hide published cells that describe fewer than k people, plus the cells that would give them away.

    Rule (documented for metadata.json):
    1. Primary: a cell with 0 < count < k is suppressed. Count 0 is published as 0: it describes no
       one, and zeros are never used as complements, so a hidden cell is always known to be >= 1.
    2. Secondary: every group (group_cols; the whole table when None) is assumed to have a published
       or derivable total. While a group has exactly one hidden cell, or its hidden cells sum to less
       than k, the smallest positive visible cell is hidden too (ties: first row). Repeat for every
       grouping in also_group_by (e.g. the other margin of a task x age-band table) until stable.
    3. Totals: the table must hold cells only. Publish totals through this function too; a total
       below k is then hidden by rule 1. (If a group's only positive cell is hidden, its total is < k.)
    Hidden count and value_cols cells become missing (integer columns turn into nullable Int64),
    and a boolean 'suppressed' column is added. Do not publish why a cell was hidden: telling
    primary from complementary cells lets a reader narrow the hidden values.
    """
    groupings = [list(group_cols or []), *(list(cols) for cols in also_group_by)]
    values = list(value_cols or [])
    counts = _check_suppression_args(table, count_col, k, groupings, values).to_numpy()
    hidden = (counts > 0) & (counts < k)
    changed = True
    while changed:
        changed = False
        for cols in groupings:
            for rows in _group_rows(table, cols):
                extra = _complement(counts, hidden, rows, k)
                if extra is not None:
                    hidden[extra] = True
                    changed = True
    return _blank(table, hidden, [count_col, *values])
