"""Schema and migrations: one head, nothing pending, and the invariants the database enforces."""
import pytest
from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from helpers import make_service, make_session
from sqlalchemy.exc import IntegrityError

from civictest.extensions import db
from civictest.models import Attempt, Participant
from civictest.models.base import utcnow


def test_migrations_have_exactly_one_head(app):
    config = AlembicConfig()
    config.set_main_option("script_location", str(app.extensions["migrate"].directory))
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def test_models_and_migrations_agree(app):
    """The `flask db check` test: autogenerate finds nothing to add on this database."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with app.app_context(), db.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
    assert diff == []


def _participant(test_session) -> Participant:  # noqa: ANN001
    participant = Participant(public_id="p" * 32, session=test_session, receipt_code="R1", join_key="j1",
                              consent_version="2026-11", consented_at=utcnow())
    db.session.add(participant)
    db.session.commit()
    return participant


def _attempt(participant, task, **fields) -> Attempt:  # noqa: ANN001, ANN003
    values = {"outcome": "success", "source": "self", "idempotency_key": "k1", **fields}
    return Attempt(participant_id=participant.id, study_id=participant.session.study_id, task_id=task.id, **values)


@pytest.mark.parametrize("fields", [
    {"outcome": "great"}, {"seq": 0}, {"seq": 8}, {"seconds": 0.0}, {"seconds": -3.0}, {"source": "robot"},
])
def test_database_refuses_impossible_attempts(ctx, fields):
    service = make_service()
    participant = _participant(make_session(service))
    db.session.add(_attempt(participant, service.tasks[0], **fields))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_one_answer_per_participant_task_and_source(ctx):
    service = make_service()
    participant = _participant(make_session(service))
    db.session.add(_attempt(participant, service.tasks[0], idempotency_key="a"))
    db.session.commit()
    db.session.add(_attempt(participant, service.tasks[0], idempotency_key="b"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    db.session.add(_attempt(participant, service.tasks[0], idempotency_key="c", source="observer"))
    db.session.commit()


def test_idempotency_keys_are_unique_and_required(ctx):
    service = make_service()
    participant = _participant(make_session(service))
    db.session.add(_attempt(participant, service.tasks[0], idempotency_key=None))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
