"""The sentiment commands: evaluate a labelled file, re-score stored comments."""
from pathlib import Path

from helpers import make_service, make_session

from sqlalchemy import select

from civictest.extensions import db
from civictest.models import Comment, Participant, Study
from civictest.models.base import utcnow
from civictest.services.sentiment_scoring import rescore

TINY = Path(__file__).resolve().parents[1] / "data" / "sentiment-tiny.jsonl"


def test_evaluate_prints_per_language_figures(app):
    result = app.test_cli_runner().invoke(args=["sentiment", "evaluate", str(TINY)])
    assert result.exit_code == 0, result.output
    assert "macro" in result.output.lower() and "ja" in result.output and "en" in result.output


def _stale_comment(text: str) -> Comment:
    service = make_service()
    test_session = make_session(service)
    person = Participant(public_id="p" * 32, session=test_session, receipt_code="R", join_key="j",
                         consent_version="2026-11", consented_at=utcnow())
    db.session.add(person)
    db.session.flush()
    comment = Comment(participant_id=person.id, study_id=test_session.study_id, text=text, kind="overall",
                      sentiment_label="neutral", sentiment_score=0.0, lang="ja", analyzer="old-analyzer@0")
    db.session.add(comment)
    db.session.commit()
    return comment


def analyzers_in_use(iteration_id: int) -> list[str]:
    """The distinct analyzer versions behind an iteration's stored scores."""
    query = (select(Comment.analyzer).join(Study, Study.id == Comment.study_id)
             .where(Study.iteration_id == iteration_id).distinct())
    return sorted(name for name in db.session.scalars(query) if name)


def test_rescore_replaces_old_analyzer_scores(ctx):
    comment = _stale_comment("ログインできなくて困りました。")
    iteration_id = comment.participant.session.study.iteration_id
    assert analyzers_in_use(iteration_id) == ["old-analyzer@0"]
    counts = rescore(iteration_id)
    db.session.refresh(comment)
    assert counts == {"comments": 1, "changed": 1}
    assert comment.sentiment_label == "negative" and comment.analyzer != "old-analyzer@0"
    assert rescore(iteration_id) == {"comments": 1, "changed": 0}


def test_rescore_command(app, ctx):
    _stale_comment("とても使いやすかったです。")
    result = app.test_cli_runner().invoke(args=["sentiment", "rescore"])
    assert result.exit_code == 0 and "re-scored 1 comments, 1 changed" in result.output
