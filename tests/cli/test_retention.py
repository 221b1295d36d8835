"""Issue 17.2: `flask retention` deletes the free text the consent text promises to delete, keeps the tallies."""
from datetime import date, datetime, timedelta, timezone

import pytest
from exports.residents import add_residents
from helpers import make_service
from sqlalchemy import func, select, update

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


def test_retention_blanks_old_feedback_comments_and_keeps_the_figures(app, ctx):
    """Live feedback: a comment whose week is older than the period is blanked, a newer one kept; the tally, the
    recount from the rows and the figures do not move."""
    from civictest.models import FeedbackResponse
    from civictest.reporting import figures as report
    from civictest.services import feedback, retention

    service = make_service()
    service.iterations[0].starts_on = None
    db.session.commit()
    old = feedback.record_feedback(service, rating=2, task_done="no", comment="申請画面が分かりにくい", lang="ja",
                                   today=date(2026, 11, 30))
    silent = feedback.record_feedback(service, rating=4, task_done=None, comment="", lang="ja",
                                      today=date(2026, 11, 30))
    new = feedback.record_feedback(service, rating=5, task_done="yes", comment="とても使いやすい", lang="ja",
                                   today=date(2029, 12, 17))
    db.session.commit()
    tally, figures = feedback.stored_tally(service.id), report.feedback(service)
    now = datetime(2030, 1, 1, tzinfo=timezone.utc)  # 1,096 days back: 2026-12-31
    assert retention.apply(1096, now=now, dry_run=True) == {"feedback_comment": 1}
    assert db.session.get(FeedbackResponse, old.id).comment
    assert retention.apply(1096, now=now) == {"feedback_comment": 1}
    db.session.expire_all()
    assert (db.session.get(FeedbackResponse, old.id).comment, db.session.get(FeedbackResponse, old.id).redactions) \
        == ("", "")
    assert db.session.get(FeedbackResponse, old.id).rating == 2  # the answer itself stays
    assert db.session.get(FeedbackResponse, new.id).comment == "とても使いやすい"
    assert db.session.get(FeedbackResponse, silent.id) is not None
    assert feedback.stored_tally(service.id) == tally == feedback.tally_from_rows(service.id)
    assert report.feedback(service) == figures
    assert feedback.stale_tally() == []  # check-counts finds nothing to repair after retention
    feedback.rebuild_tally()  # and its --fix rebuilds the same tally
    db.session.commit()
    assert feedback.stored_tally(service.id) == tally
    assert retention.apply(1096, now=now) == {}  # nothing left the second time


def test_retention_blanks_survey_free_text_after_the_wave_ended(app, ctx):
    """Survey free text: blanked once the wave ended longer ago than the period (its closing date; for a wave
    never closed, the answer's day); the answers' values and every result but the free-text figures stay."""
    from survey_results_data import two_waves

    from civictest.models import SurveyAnswer
    from civictest.reporting import surveys as reporting
    from civictest.services import retention

    survey, first, second = two_waves()
    text_item = survey.items[3].id
    second.closes_on = date(2027, 3, 31)  # after the cutoff: kept
    db.session.commit()
    now = datetime(2030, 1, 1, tzinfo=timezone.utc)
    before = reporting.wave_results(second, 10, with_text=False)
    assert retention.apply(1096, now=now, dry_run=True) == {}
    second.closes_on = None  # never closed: each answer's day (2026-06-01) counts
    db.session.commit()
    assert retention.apply(1096, now=now, dry_run=True) == {"survey_free_text": 15}
    second.closes_on = date(2026, 12, 1)  # closed before the cutoff
    db.session.commit()
    assert retention.apply(1096, now=now) == {"survey_free_text": 15}
    db.session.expire_all()
    texts = db.session.scalars(select(SurveyAnswer.text).where(SurveyAnswer.item_id == text_item)).all()
    assert len(texts) == 15 and not any(texts)
    values = db.session.scalar(select(func.count()).select_from(SurveyAnswer)
                               .where(SurveyAnswer.wave_id == second.id, SurveyAnswer.value.is_not(None)))
    assert values == 30 * 3  # three scale/choice items answered by 30 people
    assert reporting.wave_results(db.session.get(type(second), second.id), 10, with_text=False) == before
    assert retention.apply(1096, now=now) == {}
