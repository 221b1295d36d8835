"""Live-service feedback: which iteration is live, and storing one answer with its tally in one transaction.

"Live" iteration: the service's highest-numbered iteration that has started, i.e. whose `starts_on` is today or
earlier in Tokyo time (or is not set). An iteration planned for a later date is not live yet, so answers keep
going to the version residents are using. A service with no started iteration has nothing to attribute
feedback to: its form is a 404.
"""
from __future__ import annotations

import functools
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import case, delete, func, insert, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql import Select
from sqlalchemy.sql.dml import Insert

from civictest.extensions import db
from civictest.models import FeedbackResponse, FeedbackTally, Iteration, Service
from civictest.models.feedback import RATINGS, TASK_DONE
from civictest.privacy import scrub_pii
from civictest.services.errors import InvalidInput, NotFound

MAX_FEEDBACK_COMMENT = 1000
TOKYO = ZoneInfo("Asia/Tokyo")
NO_ANSWER = ""  # task_done not answered, in the tally


def today_in_tokyo(now: datetime | None = None) -> date:
    return (now or datetime.now(TOKYO)).astimezone(TOKYO).date()


def week_of(day: date) -> date:
    """The Monday of the day's ISO week: how finely an answer is dated."""
    return day - timedelta(days=day.weekday())


def live_iteration(service: Service, today: date | None = None) -> Iteration | None:
    """The iteration residents are using now (see the module docstring), or None."""
    today = today or today_in_tokyo()
    started = [i for i in service.iterations if i.starts_on is None or i.starts_on <= today]
    return max(started, key=lambda i: i.number) if started else None


def record_feedback(service: Service, *, rating: int, task_done: str | None, comment: str, lang: str,
                    today: date | None = None) -> FeedbackResponse:
    """Store one answer (comment scrubbed of personal data and scored) and count it; the caller commits."""
    iteration = live_iteration(service, today)
    if iteration is None:
        raise NotFound("iteration")
    if rating not in RATINGS or (task_done is not None and task_done not in TASK_DONE) or lang not in ("ja", "en"):
        raise InvalidInput("feedback")
    text = (comment or "").replace("\x00", "").strip()[:MAX_FEEDBACK_COMMENT]
    redactions, label = "", None
    if text:
        from civictest.sentiment import analyze  # the analyzers load lazily, on the first comment

        scrubbed = scrub_pii(text)
        text, redactions = scrubbed.text, ",".join(scrubbed.redactions)
        label = analyze(text).label
    row = FeedbackResponse(service_id=service.id, iteration_id=iteration.id, rating=rating, task_done=task_done,
                           comment=text, redactions=redactions[:200], sentiment_label=label, lang=lang,
                           received_week=week_of(today or today_in_tokyo()))
    db.session.add(row)
    db.session.flush()
    db.session.execute(_upsert(db.session.get_bind().dialect.name),
                       {"iteration_id": iteration.id, "rating": rating, "task_done": task_done or NO_ANSWER,
                        "n": 1, "with_comment": int(bool(text))})
    return row


@functools.cache
def _upsert(dialect: str) -> Insert:
    """INSERT a tally row, or add to the one of the same key (concurrent answers add up, none is lost)."""
    table = FeedbackTally.__table__
    statement = (postgresql if dialect == "postgresql" else sqlite).insert(table)
    return statement.on_conflict_do_update(
        index_elements=["iteration_id", "rating", "task_done"],
        set_={"n": table.c.n + statement.excluded.n, "with_comment": table.c.with_comment + statement.excluded.with_comment})


def _recount() -> Select:
    """The tally's rows as a GROUP BY over the answers. A comment blanked by retention still counts as written:
    its sentiment label (set only for a comment) stays."""
    task = func.coalesce(FeedbackResponse.task_done, NO_ANSWER)
    written = or_(FeedbackResponse.comment != "", FeedbackResponse.sentiment_label.is_not(None))
    return (select(FeedbackResponse.iteration_id, FeedbackResponse.rating, task, func.count(),
                   func.sum(case((written, 1), else_=0)))
            .group_by(FeedbackResponse.iteration_id, FeedbackResponse.rating, task))


def tally_from_rows(service_id: int | None = None) -> dict[tuple[int, int, str], tuple[int, int]]:
    """The tally worked out from the stored answers: what `FeedbackTally` must hold."""
    query = _recount()
    if service_id is not None:
        query = query.where(FeedbackResponse.service_id == service_id)
    return {(i, r, t): (int(n), int(c or 0)) for i, r, t, n, c in db.session.execute(query)}


def stored_tally(service_id: int | None = None) -> dict[tuple[int, int, str], tuple[int, int]]:
    query = select(FeedbackTally.iteration_id, FeedbackTally.rating, FeedbackTally.task_done, FeedbackTally.n,
                   FeedbackTally.with_comment)
    if service_id is not None:
        query = query.join(Iteration, Iteration.id == FeedbackTally.iteration_id).where(
            Iteration.service_id == service_id)
    return {(i, r, t): (n, c) for i, r, t, n, c in db.session.execute(query) if n}


def stale_tally() -> list[tuple]:
    """("feedback", iteration, rating, task_done) of tally rows that differ from the answers as stored."""
    expected, actual = tally_from_rows(), stored_tally()
    return [("feedback", *key) for key in sorted(expected.keys() | actual.keys())
            if expected.get(key, (0, 0)) != actual.get(key, (0, 0))]


def rebuild_tally() -> None:
    """Replace the whole tally by one worked out from the stored answers (after a change made outside the app)."""
    table = FeedbackTally.__table__
    db.session.execute(delete(table))
    db.session.execute(insert(table).from_select(["iteration_id", "rating", "task_done", "n", "with_comment"],
                                                 _recount()))
