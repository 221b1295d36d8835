"""Every comment, typed or imported, goes through the same steps before it is stored: personal data scrubbed,
sentiment scored, and the text it is searched by worked out (civictest.sentiment.search)."""
from __future__ import annotations

from civictest.models import Comment
from civictest.privacy import scrub_pii

MAX_COMMENT_LENGTH = 2000


def build_comment(text: str, **fields: object) -> Comment | None:
    """A Comment row for `text` after PII scrubbing and sentiment scoring; None for blank text."""
    values = comment_values(text, **fields)
    return None if values is None else Comment(**values)


def comment_values(text: str, **fields: object) -> dict | None:
    """The columns of a Comment row for `text` after PII scrubbing and sentiment scoring; None for blank text.

    For callers that insert the row directly (a resident's answer) instead of through an ORM object.
    """
    text = (text or "").replace("\x00", "").strip()
    if not text:
        return None
    from civictest.sentiment import analyze  # the analyzers load lazily, on the first comment
    from civictest.sentiment.search import search_text

    scrubbed = scrub_pii(text)
    sentiment = analyze(scrubbed.text)
    return dict(
        text=scrubbed.text,
        redactions=",".join(scrubbed.redactions),
        lang=sentiment.lang,
        sentiment_label=sentiment.label,
        sentiment_score=sentiment.score,
        analyzer=sentiment.analyzer,
        search_text=search_text(scrubbed.text),
        **fields,
    )
