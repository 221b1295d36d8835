"""Retention: what the consent text promises (consent.py, 保存期間) — answers are kept for the retention period
after the test ends, then deleted; the statistics remain.

What is deleted: the free text residents (and facilitators, as observer notes) wrote — every Comment's text and
the list of what was masked in it (redactions) are blanked once the period has passed. The period is counted
from the iteration's end date (Iteration.ends_on) when it has one, else from the comment's creation.

What is kept, on purpose: the pseudonymous attempt, participant and questionnaire rows (no free text, no name),
the comment rows themselves (kind, sentiment label) and therefore every tally, and every published snapshot.
Deleting those rows would change the aggregates the consent text says remain. The text is blanked through the
ORM, in batches, so the counting listeners keep the tallies in step (they count no text, so nothing moves).

Running it twice changes nothing the second time.
"""
from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import and_, func, or_, select

from civictest.extensions import db
from civictest.models import Comment, Iteration, Study

log = logging.getLogger(__name__)
BATCH = 500


def _expired_comment_ids(cutoff: dt.datetime):  # noqa: ANN202
    return (select(Comment.id).join(Study, Study.id == Comment.study_id)
            .join(Iteration, Iteration.id == Study.iteration_id)
            .where(or_(Comment.text != "", Comment.redactions != ""),
                   or_(and_(Iteration.ends_on.is_not(None), Iteration.ends_on < cutoff.date()),
                       and_(Iteration.ends_on.is_(None), Comment.created_at < cutoff)))
            .order_by(Comment.id))


def apply(days: int, *, now: dt.datetime | None = None, dry_run: bool = False) -> dict[str, int]:
    """Blank the free text older than `days`; returns the counts per kind of comment (task, overall, observer)."""
    now = now or dt.datetime.now(dt.timezone.utc)
    cutoff = now - dt.timedelta(days=days)
    ids = _expired_comment_ids(cutoff).subquery()
    counts = dict(db.session.execute(select(Comment.kind, func.count()).where(Comment.id.in_(select(ids.c.id)))
                                     .group_by(Comment.kind)).all())
    if not dry_run:
        while True:
            batch = db.session.scalars(select(Comment).where(Comment.id.in_(
                _expired_comment_ids(cutoff).limit(BATCH)))).all()
            if not batch:
                break
            for comment in batch:
                comment.text = ""
                comment.redactions = ""
            db.session.commit()
    result = {f"comment_text_{kind}": n for kind, n in sorted(counts.items())}
    log.info("retention %s days=%d cutoff=%s %s", "dry-run" if dry_run else "done", days,
             cutoff.date().isoformat(), " ".join(f"{k}={v}" for k, v in result.items()) or "nothing")
    return result
