"""Issue 17.2: `flask retention` deletes the free text the consent text promises to delete, keeps the tallies."""
from datetime import date, datetime, timedelta, timezone

import pytest
from exports.residents import add_residents
from helpers import make_service
from sqlalchemy import select, update

from civictest import counting
from civictest.extensions import db
from civictest.models import Comment, CommentTally, Iteration, PublishedSnapshot
from civictest.services import catalog


@pytest.fixture
def studies(ctx):
    service = make_service(tasks=2)
    old = service.iterations[0]
    old.ends_on = date(2020, 3, 31)  # ended more than 3 years ago: its text goes
    add_residents(old, count=8)
    catalog.set_published(old, True)
    recent = catalog.create_iteration(service, "第2版")  # no end date: each comment's own age counts
    db.session.commit()
    add_residents(recent, count=8, seed=2)
    recent_ids = db.session.scalars(select(Comment.id).where(Comment.study_id == recent.study.id)).all()
    aged = recent_ids[0]
    db.session.execute(update(Comment).where(Comment.id == aged)
                       .values(created_at=datetime.now(timezone.utc) - timedelta(days=2000)))
    db.session.commit()
    return old, recent, aged


def _texts(study_id: int) -> list[str]:
    return db.session.scalars(select(Comment.text).where(Comment.study_id == study_id)).all()


def test_retention_blanks_old_text_keeps_recent_text_and_counts(app, studies):
    old, recent, aged = studies
    tallies = db.session.execute(select(CommentTally.study_id, CommentTally.task_id, CommentTally.kind, CommentTally.label, CommentTally.state, CommentTally.n).order_by(CommentTally.study_id, CommentTally.task_id, CommentTally.kind, CommentTally.label, CommentTally.state)).all()
    snapshot = db.session.scalar(select(PublishedSnapshot.files_json))
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["retention", "--dry-run"])
    assert dry.exit_code == 0 and "would blank" in dry.output
    assert all(_texts(old.study.id))
    result = runner.invoke(args=["retention"])
    assert result.exit_code == 0 and "blanked comment_text_" in result.output
    db.session.expire_all()
    assert _texts(old.study.id) and not any(_texts(old.study.id))
    assert db.session.get(Comment, aged).text == ""
    kept = db.session.scalars(select(Comment).where(Comment.study_id == recent.study.id, Comment.id != aged)).all()
    assert kept and all(comment.text for comment in kept)
    assert counting.stale_aggregates(db.session.connection()) == []
    assert runner.invoke(args=["check-counts"]).exit_code == 0
    assert db.session.execute(select(CommentTally.study_id, CommentTally.task_id, CommentTally.kind, CommentTally.label, CommentTally.state, CommentTally.n).order_by(CommentTally.study_id, CommentTally.task_id, CommentTally.kind, CommentTally.label, CommentTally.state)).all() == tallies
    assert db.session.scalar(select(PublishedSnapshot.files_json)) == snapshot
    again = runner.invoke(args=["retention"])  # idempotent
    assert again.exit_code == 0 and "nothing older" in again.output
    assert db.session.get(Iteration, old.id).published
