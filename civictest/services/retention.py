"""Retention: what the consent text promises (consent.py, 保存期間) — answers are kept for the retention period
after the test ends, then deleted; the statistics remain.

What is deleted: the free text residents (and facilitators, as observer notes) wrote — every Comment's text and
the list of what was masked in it (redactions) are blanked once the period has passed. The period is counted
from the iteration's end date (Iteration.ends_on) when it has one, else from the comment's creation.

What is kept, on purpose: the pseudonymous attempt, participant and questionnaire rows (no free text, no name),
the comment rows themselves (kind, sentiment label) and therefore every tally, and every published snapshot.
Deleting those rows would change the aggregates the consent text says remain. The text is blanked through the
ORM, in batches, so the counting listeners keep the tallies in step (they count no text, so nothing moves).

The same period applies to the other free text residents and staff write (JAPAN.md: delete raw responses at the
retention date, keep the aggregates):
- live-service feedback (ご意見フォーム): the comment and its redactions are blanked once the week it arrived
  (`received_week`) is older than the period. The row (rating, task answer, sentiment label) stays, so
  `feedback_tally` and every figure stay as they were (`with_comment` counts the comments that were written).
- survey free-text answers (定点調査): the text is blanked once the wave ended longer ago than the period: its
  closing date (`closes_on`), else the day it was closed (`closed_at`); for a wave with neither, the answer's own
  day (`survey_response.updated_at`). Answer rows and their values stay, so every count and result stays;
  published open data holds no free text.

Running it twice changes nothing the second time.
"""
from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import and_, func, or_, select, update

from civictest.extensions import db
from civictest.models import Comment, FeedbackResponse, Iteration, Study
from civictest.models.surveys import SurveyAnswer, SurveyResponse, SurveyWave

log = logging.getLogger(__name__)
BATCH = 500


def _expired_comment_ids(cutoff: dt.datetime):  # noqa: ANN202
    return (select(Comment.id).join(Study, Study.id == Comment.study_id)
            .join(Iteration, Iteration.id == Study.iteration_id)
            .where(or_(Comment.text != "", Comment.redactions != ""),
                   or_(and_(Iteration.ends_on.is_not(None), Iteration.ends_on < cutoff.date()),
                       and_(Iteration.ends_on.is_(None), Comment.created_at < cutoff)))
            .order_by(Comment.id))


def _expired_feedback(cutoff: dt.datetime):  # noqa: ANN202
    """Feedback answers with a comment whose week began before the cutoff day."""
    return (FeedbackResponse.received_week < cutoff.date(),
            or_(FeedbackResponse.comment != "", FeedbackResponse.redactions != ""))


def _expired_survey_texts(cutoff: dt.datetime):  # noqa: ANN202
    """Survey answers with text whose wave ended before the cutoff (see the module docstring)."""
    ended = select(SurveyWave.id).where(or_(
        and_(SurveyWave.closes_on.is_not(None), SurveyWave.closes_on < cutoff.date()),
        and_(SurveyWave.closes_on.is_(None), SurveyWave.closed_at.is_not(None), SurveyWave.closed_at < cutoff)))
    never_ended = select(SurveyWave.id).where(SurveyWave.closes_on.is_(None), SurveyWave.closed_at.is_(None))
    old_responses = select(SurveyResponse.id).where(SurveyResponse.wave_id.in_(never_ended),
                                                    SurveyResponse.updated_at < cutoff)
    return (SurveyAnswer.text != "",
            or_(SurveyAnswer.wave_id.in_(ended), SurveyAnswer.response_id.in_(old_responses)))


def _blank_other_text(cutoff: dt.datetime, dry_run: bool) -> dict[str, int]:
    """Feedback comments and survey free text past the period: counted, and blanked unless dry_run."""
    out = {}
    for key, model, where, values in (
            ("feedback_comment", FeedbackResponse, _expired_feedback(cutoff), {"comment": "", "redactions": ""}),
            ("survey_free_text", SurveyAnswer, _expired_survey_texts(cutoff), {"text": ""})):
        n = db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0
        if n and not dry_run:
            db.session.execute(update(model).where(*where).values(**values)
                               .execution_options(synchronize_session=False))
            db.session.commit()
        if n:
            out[key] = int(n)
    return out


def apply(days: int, *, now: dt.datetime | None = None, dry_run: bool = False) -> dict[str, int]:
    """Blank the free text older than `days`; returns the counts per kind of comment (task, overall, observer),
    of feedback comments and of survey free-text answers."""
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
    result.update(_blank_other_text(cutoff, dry_run))
    log.info("retention %s days=%d cutoff=%s %s", "dry-run" if dry_run else "done", days,
             cutoff.date().isoformat(), " ".join(f"{k}={v}" for k, v in result.items()) or "nothing")
    return result
