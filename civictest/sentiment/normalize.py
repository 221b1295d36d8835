"""Text normalisation for resident comments.

``clean`` never raises on any ``str`` (including NUL bytes and lone surrogates) and returns
NFKC text without HTML, URLs kept (they are removed by ``strip_urls`` where scoring needs it),
control characters removed and whitespace collapsed.
"""
from __future__ import annotations

import html
import re
import unicodedata

#: Comments longer than this are scored on their head and tail (see ``truncate``).
MAX_CHARS = 2000
#: Raw input beyond this is cut (head and tail kept) before any processing.
RAW_CAP = 50 * MAX_CHARS

_BLOCK = re.compile(r"<(script|style|head|template)\b[^>]{0,500}>.*?</\1\s*>", re.I | re.S)
_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.S)
# Tags that separate words when rendered; other tags (b, i, span, a ...) are removed without a gap
# so that Japanese text such as とても<b>使いやすい</b>です stays one run of text.
_BREAK_TAG = re.compile(
    r"</?(?:p|div|br|li|ul|ol|tr|td|th|table|h[1-6]|section|article|header|footer|blockquote|pre|hr)\b[^<>]{0,500}>",
    re.I,
)
_TAG = re.compile(r"</?[A-Za-z!][^<>]{0,500}>")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
# C0/C1 controls except tab/newline/CR (they become spaces), zero-width space, BOM, word joiner,
# bidi controls, private use. ZWJ (U+200D) and variation selectors are kept for emoji sequences.
_JUNK = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff\ue000-\uf8ff]")
_WS = re.compile(r"\s+")
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"]+|[\w.+-]+@[\w-]+\.[\w.-]+", re.I)


def _collapse(match: re.Match) -> str:
    return "\n" if "\n" in match.group() or "\r" in match.group() else " "


def clean(text: object) -> str:
    """Normalise a comment: strip HTML, NFKC, drop control characters, collapse whitespace."""
    if text is None:
        return ""
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    elif not isinstance(text, str):
        text = str(text)
    if not text:
        return ""
    if len(text) > RAW_CAP:  # bound the work on pathological input; head and tail survive
        text = text[: RAW_CAP // 2] + "\n" + text[-RAW_CAP // 2:]
    text = _SURROGATE.sub("", text)
    if "<" in text:
        text = _BLOCK.sub(" ", text)
        text = _COMMENT.sub(" ", text)
        text = _BREAK_TAG.sub(" ", text)
        text = _TAG.sub("", text)
    if "&" in text:
        text = html.unescape(text)
        text = _SURROGATE.sub("", text)  # &#xd800; unescapes to a lone surrogate
    text = unicodedata.normalize("NFKC", text)
    text = _JUNK.sub("", text)
    text = _WS.sub(_collapse, text)
    return text.strip()


def strip_urls(text: str) -> str:
    """Remove URLs and e-mail addresses (they carry no sentiment and confuse routing)."""
    if "http" not in text and "www" not in text and "@" not in text:
        return text
    return _WS.sub(_collapse, _URL.sub(" ", text)).strip()


def truncate(text: str, max_chars: int = MAX_CHARS) -> str:
    """Cap the length, keeping the head and the tail (complaints often come after a polite preamble)."""
    if len(text) <= max_chars:
        return text
    half = max_chars // 2
    return text[:half] + "\n" + text[-half:]


def normalize(text: object, max_chars: int = MAX_CHARS) -> str:
    """``clean`` + ``strip_urls`` + ``truncate``: the text the analyzers see."""
    return truncate(strip_urls(clean(text)), max_chars)
