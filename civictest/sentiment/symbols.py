"""Explicit emoji / star-rating / kaomoji mapping (used alone for symbol-only comments, and as extra
evidence inside Japanese and English comments)."""
from __future__ import annotations

import re

SYMBOLS_VERSION = "1"

POSITIVE_EMOJI = frozenset(
    "👍 👏 😊 😀 😃 😄 😁 😆 🙂 😉 😍 🥰 😘 🤗 ❤ 💕 💖 💗 💓 💞 ♥ 💯 ✨ 🎉 🙌 👌 🆗 ⭕ ✅ 😌 🥳 ☺ 💮 🌸 😇 🤩 🎊".split()
)
NEGATIVE_EMOJI = frozenset(
    "👎 😡 😠 🤬 😞 😢 😭 🙁 ☹ 😩 😫 😤 💢 ❌ ✖ 😰 😓 😥 😣 😖 😒 🤮 🤢 💀 😱 😵 🤯 ⛔ 🚫 😔 😟 😕 💔 😿 🥲 😪".split()
)
_FILLED = "★⭐🌟"
_EMPTY = "☆"
_KAOMOJI_POS = re.compile(r"\(\s*\^[_oO\-vω]?\^\s*\)|\(\s*[*´]?\s*[∀▽]\s*[`*]?\s*\)|\^\^")
_KAOMOJI_NEG = re.compile(r"\b(?:orz|OTL)\b|[(（]?\s*[T;]\s*[_ー-]\s*[T;]\s*[)）]?|\(\s*怒\s*\)|\(\s*泣\s*\)|\(\s*涙\s*\)")
_RATING = re.compile(r"(?<![\d.])([0-5](?:\.\d)?)\s*/\s*5(?![\d.])")


def star_rating(text: str) -> float | None:
    """A 0..5 rating from ★/☆ runs or an 'n/5' pattern, else None."""
    filled = sum(text.count(c) for c in _FILLED)
    empty = text.count(_EMPTY)
    if filled or empty:
        if empty:
            return 5.0 * filled / (filled + empty)
        return float(min(filled, 5))
    m = _RATING.search(text)
    if m:
        return float(m.group(1))
    return None


def emoji_counts(text: str) -> tuple[int, int]:
    """(positive, negative) counts of mapped emoji and kaomoji."""
    pos = neg = 0
    for ch in text:
        if ch in POSITIVE_EMOJI:
            pos += 1
        elif ch in NEGATIVE_EMOJI:
            neg += 1
    if "(" in text or "^" in text or "orz" in text or "OTL" in text or "T" in text or ";" in text:
        pos += len(_KAOMOJI_POS.findall(text))
        neg += len(_KAOMOJI_NEG.findall(text))
    return pos, neg


def symbol_score(text: str) -> float | None:
    """Score in [-1, 1] from stars (preferred) or emoji; None when nothing is mapped."""
    rating = star_rating(text)
    if rating is not None:
        return max(-1.0, min(1.0, (rating - 3.0) / 2.0))
    pos, neg = emoji_counts(text)
    if pos or neg:
        return (pos - neg) / (pos + neg)
    return None
