"""Language routing by script (no model, no dependency).

kana -> ja; Hangul (dominant) -> other; Han -> ja; >= 2 Latin letters -> en; other letters -> other;
nothing alphabetic -> und. Japanese text with Latin words is ``ja`` and flagged as mixed.
Chinese without kana is routed to ``ja`` (documented limitation of the heuristic).
"""
from __future__ import annotations

import re
from typing import NamedTuple

_KANA = re.compile(r"[\u3041-\u309f\u30a0-\u30ff\u31f0-\u31ff]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3005\u3006\u3007]")
_HANGUL = re.compile(r"[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
_LATIN_WORD = re.compile(r"[A-Za-z\u00c0-\u024f][A-Za-z\u00c0-\u024f'\-]+")

JA, EN, UND, OTHER = "ja", "en", "und", "other"


class Route(NamedTuple):
    lang: str
    mixed: bool


def detect(text: str) -> Route:
    """Route a normalised comment to ``ja``, ``en``, ``und`` or ``other``."""
    if not text:
        return Route(UND, False)
    kana = len(_KANA.findall(text))
    han = len(_HAN.findall(text))
    hangul = len(_HANGUL.findall(text))
    latin = len(_LATIN.findall(text))
    alpha = sum(1 for c in text if c.isalpha())
    other = alpha - kana - han - hangul - latin
    if hangul and hangul >= kana + han:
        return Route(OTHER, False)
    if kana or han:
        return Route(JA, _LATIN_WORD.search(text) is not None)
    if latin >= 2 and latin >= other:
        return Route(EN, False)
    if other >= 2 or hangul:
        return Route(OTHER, False)
    return Route(UND, False)


def has_latin_word(text: str) -> bool:
    return _LATIN_WORD.search(text) is not None


def latin_spans(text: str) -> list[str]:
    """Runs of Latin-script words inside mixed text (for scoring English fragments of Japanese comments)."""
    spans = re.findall(r"[A-Za-z\u00c0-\u024f][A-Za-z\u00c0-\u024f0-9'\- ,.!?]*", text)
    return [s.strip(" ,") for s in spans if len(_LATIN.findall(s)) >= 2]
