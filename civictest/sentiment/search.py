"""Search text: what a comment is found by in the comments inbox, worked out once when it is stored.

Residents write 分かりにくかった, staff search わかりにくい; a phone keyboard gives ﾎﾞﾀﾝ for ボタン. Both sides go
through the same steps, so a plain LIKE over the stored text finds them (no per-row work at query time):

* folding: NFKC (full/half width), case-folded, katakana as hiragana (ボタン, ﾎﾞﾀﾝ and ぼたん are one word);
* base forms: MeCab with ipadic (the tagger the Japanese sentiment analyzer already loads) gives each word's
  base form, so inflected forms meet (見つからなかった -> 見つかる ない た);
* readings: the base form's reading, in hiragana, so kanji and kana spellings meet (分かる, わかる -> わかる).

search_text(text) is three lines: the folded text (any substring, as typed), the base forms and the readings
(whole words, each line starting and ending with a space). needles(query) gives what to look for in each:
the folded query anywhere, and its base forms and readings as a run of whole words. Readings also join
homophones (期間, 機関 -> きかん): a search finds a little more, never less.

Pure: no Flask, no database. Without MeCab (its analyzer failed to load) only the folded line is used.
"""
from __future__ import annotations

import functools
import re
import unicodedata

from . import core

_SPACES = re.compile(r"\s+")
_KATAKANA = {code: code - 0x60 for code in range(0x30A1, 0x30F7)}  # ァ..ヶ -> ぁ..ゖ
_SKIP = ("記号", "BOS/EOS")
_PLAIN_FORMS = ("*", "基本形")


def fold(text: str) -> str:
    """NFKC, case-folded, katakana as hiragana, whitespace collapsed to single spaces."""
    folded = unicodedata.normalize("NFKC", text or "").casefold().translate(_KATAKANA)
    return _SPACES.sub(" ", folded).strip()


def _tagger():  # noqa: ANN202
    analyzer, _ = core._get(core.JA)
    return analyzer.tagger() if analyzer is not None else None


def _tokens(text: str) -> list[tuple[str, str, str, str]] | None:
    """(surface, base form, conjugated form, reading) of each word; None without MeCab."""
    tagger = _tagger()
    if tagger is None:
        return None
    out = []
    for line in tagger.parse(text).split("\n"):
        surface, tab, features = line.partition("\t")
        if not tab or not surface.strip():
            continue
        f = features.split(",")
        if f[0] in _SKIP:
            continue
        base = f[6] if len(f) > 6 and f[6] != "*" else surface
        reading = f[7] if len(f) > 7 and f[7] != "*" else ""
        out.append((surface, base, f[5] if len(f) > 5 else "*", reading))
    return out


@functools.lru_cache(maxsize=20_000)
def _base_reading(base: str) -> str:
    """The reading of a base form (分かる -> わかる): the readings of its own words."""
    words = _tokens(base) or []
    return "".join(reading or surface for surface, _, _, reading in words)


def _words(text: str) -> tuple[list[str], list[str]] | None:
    """(base forms, readings) of the words of folded-width text, all folded; None without MeCab."""
    tokens = _tokens(unicodedata.normalize("NFKC", text or ""))
    if tokens is None:
        return None
    bases, readings = [], []
    for surface, base, form, reading in tokens:
        bases.append(fold(base))
        if form not in _PLAIN_FORMS or not reading:  # inflected: the base form's own reading
            reading = _base_reading(base) if base != surface or not reading else reading
        readings.append(fold(reading or base))
    return [w for w in bases if w], [w for w in readings if w]


def _line(words: list[str]) -> str:
    return f" {' '.join(words)} " if words else ""


def search_text(text: str) -> str:
    """The text a comment is searched by (see the module docstring)."""
    words = _words(text)
    lines = [fold(text)]
    if words is not None:
        lines += [_line(words[0]), _line(words[1])]
    return "\n".join(lines)


def needles(query: str) -> list[str]:
    """What to look for in search_text for a query: the folded query, and its base forms and readings as runs
    of whole words; distinct, non-empty."""
    found = [fold(query)]
    for text in (query, fold(query)):  # also as hiragana: a word typed in katakana (ワカリニクイ) tags as a verb
        words = _words(text)
        if words is not None:
            found += [_line(words[0]), _line(words[1])]
    return list(dict.fromkeys(n for n in found if n.strip()))
