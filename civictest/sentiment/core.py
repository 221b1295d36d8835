"""The service: normalise, route by script, dispatch to a lazily loaded analyzer.

Analyzers are built on first use under a lock. If one cannot be built (missing package, missing
dictionary), the failure is logged once and that language's comments are ``unscored`` -- never
``neutral``, and Japanese is never handed to the English analyzer.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any

from . import english, japanese, symbols
from .language import EN, JA, OTHER, UND, detect
from .lexicon_ja import JA_LEXICON_VERSION
from .normalize import normalize

log = logging.getLogger("civictest.sentiment")

POSITIVE, NEUTRAL, NEGATIVE, UNSCORED = "positive", "neutral", "negative", "unscored"
LABELS = (POSITIVE, NEUTRAL, NEGATIVE, UNSCORED)
LANGS = (JA, EN, UND, OTHER)

EN_LEXICON_VERSION = english.EN_LEXICON_VERSION
SYMBOLS_VERSION = symbols.SYMBOLS_VERSION
#: Bumped with any change to normalisation, routing, thresholds or a lexicon.
ANALYZER_VERSION = f"ja{JA_LEXICON_VERSION}.en{EN_LEXICON_VERSION}.sym{SYMBOLS_VERSION}"

SYMBOLS_ID = f"symbols@{SYMBOLS_VERSION}"
NONE_ID = "none"
SYMBOL_BAND = 0.1


@dataclass(frozen=True, slots=True)
class Sentiment:
    """Result of ``analyze``: ``score`` is in [-1, 1], or None when ``label == "unscored"``."""

    label: str
    score: float | None
    lang: str
    analyzer: str

    @property
    def scored(self) -> bool:
        return self.label != UNSCORED


def _label(score: float, band: float) -> str:
    if score > band:
        return POSITIVE
    if score < -band:
        return NEGATIVE
    return NEUTRAL


# -- lazy, thread-safe analyzer registry -----------------------------------------------------------
_lock = threading.RLock()
_analyzers: dict[str, Any] = {}
_failures: dict[str, str] = {}
_runtime_errors_logged: set[tuple[str, str]] = set()


def _latin_evidence(span: str) -> float:
    """English evidence for Latin-script fragments of a Japanese comment (0 if English is unavailable)."""
    analyzer, _ = _get(EN)
    return analyzer.evidence(span) if analyzer is not None else 0.0


def _build(lang: str):
    if lang == JA:
        return japanese.load(latin_scorer=_latin_evidence)
    if lang == EN:
        return english.load()
    raise ValueError(f"no analyzer for {lang!r}")


def _ids() -> dict[str, str]:
    return {JA: japanese.ANALYZER_ID, EN: english.ANALYZER_ID}


def _get(lang: str):
    """(analyzer, None) or (None, reason)."""
    analyzer = _analyzers.get(lang)
    if analyzer is not None:
        return analyzer, None
    if lang in _failures:
        return None, _failures[lang]
    with _lock:
        analyzer = _analyzers.get(lang)
        if analyzer is not None:
            return analyzer, None
        if lang in _failures:
            return None, _failures[lang]
        try:
            analyzer = _build(lang)
        except Exception as exc:  # any failure to load: log once, score nothing in that language
            reason = f"{type(exc).__name__}: {exc}"
            _failures[lang] = reason
            log.warning("sentiment: %s analyzer %s unavailable; %s comments will be unscored (%s)",
                        lang, _ids().get(lang, "?"), lang, reason)
            return None, reason
        _analyzers[lang] = analyzer
        return analyzer, None


def reset_analyzers() -> None:
    """Forget loaded analyzers and load failures (tests; after installing a missing package)."""
    with _lock:
        _analyzers.clear()
        _failures.clear()
        _runtime_errors_logged.clear()


def load_failures() -> dict[str, str]:
    """Languages whose analyzer failed to load, with the reason."""
    return dict(_failures)


def warm_up(langs: tuple[str, ...] = (JA, EN)) -> dict[str, str | None]:
    """Load analyzers now (e.g. at worker start); returns lang -> failure reason or None."""
    return {lang: _get(lang)[1] for lang in langs}


def analyzer_versions() -> dict[str, str]:
    """lang -> "name@version" of the analyzers that score new comments now."""
    ids = _ids()
    return {JA: ids[JA], EN: ids[EN], UND: SYMBOLS_ID, "mixed": f"{ids[JA]}+{ids[EN]}"}


# -- public entry point ----------------------------------------------------------------------------
def analyze(text: str | None) -> Sentiment:
    """Sentiment of one resident comment. Never raises on any str/None input."""
    try:
        norm = normalize(text)
        route = detect(norm)
    except Exception:  # pragma: no cover - normalisation is total, this is belt and braces
        log.exception("sentiment: normalisation failed")
        return Sentiment(UNSCORED, None, UND, NONE_ID)
    lang = route.lang
    if lang == UND:
        s = symbols.symbol_score(norm)
        if s is None:
            return Sentiment(UNSCORED, None, UND, NONE_ID)
        return Sentiment(_label(s, SYMBOL_BAND), round(s, 4), UND, SYMBOLS_ID)
    if lang == OTHER:
        return Sentiment(UNSCORED, None, OTHER, NONE_ID)
    analyzer, reason = _get(lang)
    name = _ids()[lang]
    if analyzer is None:
        return Sentiment(UNSCORED, None, lang, f"{name}:unavailable")
    try:
        score = float(analyzer.score(norm))
    except Exception as exc:
        key = (lang, type(exc).__name__)
        if key not in _runtime_errors_logged:
            _runtime_errors_logged.add(key)
            log.exception("sentiment: %s analyzer failed on a comment; it is unscored", lang)
        return Sentiment(UNSCORED, None, lang, f"{name}:error")
    score = max(-1.0, min(1.0, score))
    if route.mixed and lang == JA and _analyzers.get(EN) is not None:
        name = f"{name}+{_ids()[EN]}"
    return Sentiment(_label(score, analyzer.neutral_band), round(score, 4), lang, name)
