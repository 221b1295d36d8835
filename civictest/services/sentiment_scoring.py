"""Re-scoring stored comments after an analyzer or lexicon changes, so reports never mix versions."""
from __future__ import annotations

from sqlalchemy import select

from civictest.extensions import db
from civictest.models import Comment, Study


def rescore(iteration_id: int | None = None, batch_size: int = 500) -> dict[str, int]:
    """Score every stored comment (or one iteration's) with the current analyzers; counts seen and changed."""
    from civictest.sentiment import analyze

    query = select(Comment).order_by(Comment.id)
    if iteration_id is not None:
        query = query.join(Study, Study.id == Comment.study_id).where(Study.iteration_id == iteration_id)
    seen = changed = 0
    for comment in db.session.scalars(query.execution_options(yield_per=batch_size)):
        result = analyze(comment.text)
        before = (comment.sentiment_label, comment.sentiment_score, comment.lang, comment.analyzer)
        after = (result.label, result.score, result.lang, result.analyzer)
        seen += 1
        if before != after:
            comment.sentiment_label, comment.sentiment_score, comment.lang, comment.analyzer = after
            changed += 1
    db.session.commit()
    return {"comments": seen, "changed": changed}
