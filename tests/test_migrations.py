"""Migrations that fill new columns from existing rows: run them on data and compare with the app's own rules."""
import os
import tempfile
import uuid

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from civictest import counting, create_app
from civictest.config import TestConfig, _database_url
from civictest.extensions import db
from civictest.models import Attempt, AttemptTally, QuestionnaireResponse
from helpers import make_service, make_session
from test_data import attempt, questionnaire, resident

BEFORE_COUNTS = "badde53cc3da"  # the revision before attempts stored whether they count


@pytest.fixture
def scratch_url():
    """A database of this test's own: a SQLite file, or a new database on DATABASE_URL's PostgreSQL server."""
    if not os.environ.get("DATABASE_URL"):
        yield f"sqlite:///{tempfile.mkdtemp(prefix='civictest-migration-')}/scratch.sqlite3"
        return
    server = _database_url(os.environ["DATABASE_URL"])
    name = f"civictest_migration_{uuid.uuid4().hex[:12]}"
    engine = create_engine(server, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


def test_existing_answers_get_their_counting_values_their_tally_and_questionnaires_their_study(scratch_url):
    app = create_app(type("ScratchConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": scratch_url}))
    with app.app_context():
        upgrade()
        service = make_service(tasks=2)
        first, second = service.tasks
        session = make_session(service)
        kept, gone = resident(session), resident(session, withdrawn=True)
        own = attempt(kept, first, "success", seq=6, seconds=30.0)
        seen = attempt(kept, first, "partial", source="observer")
        alone = attempt(kept, second, "failure", seconds=12.0)
        withdrawn = attempt(gone, first, "success")
        questionnaire(kept, 80.0)
        db.session.commit()
        downgrade(revision=BEFORE_COUNTS)  # the columns go, the rows stay
        upgrade()  # and the migration fills them again from the rows
        assert db.session.execute(counting.stale()).all() == []
        assert counting.stale_aggregates(db.session.connection()) == []  # the tallies are filled from the same rows
        assert db.session.scalar(select(func.sum(AttemptTally.n))) == 2
        values = dict(db.session.execute(select(Attempt.id, Attempt.counts)).all())
        assert values == {own.id: False, seen.id: True, alone.id: True, withdrawn.id: False}
        assert db.session.execute(select(Attempt.effective_seq, Attempt.effective_seconds)
                                  .where(Attempt.id == seen.id)).one() == (6, 30.0)
        assert db.session.scalar(select(QuestionnaireResponse.study_id)) == session.study_id
        db.session.remove()
        db.engine.dispose()


def test_existing_survey_answers_fill_the_survey_tally(scratch_url):
    from survey_helpers import UNITS, add_roster, make_survey

    from civictest import survey_tallies
    from civictest.models import SurveyTally
    from civictest.services import surveys

    app = create_app(type("ScratchConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": scratch_url}))
    with app.app_context():
        upgrade()
        survey, wave = make_survey()
        surveys.set_wave_state(wave, "open")
        db.session.commit()
        links = add_roster(wave, [(f"m{i}@city.example.jp", UNITS[i % 3], "主事") for i in range(4)])
        for i, (_entry, token) in enumerate(links):
            surveys.save_answers(token, {wave.items[0].id: str(1 + i), wave.items[3].id: "自由記述"})
        db.session.commit()
        before = db.session.execute(select(SurveyTally.__table__)).all()
        db.session.remove()
        downgrade(revision="5b7a36cee3a4")  # the tally goes, the answers stay
        upgrade()  # and the migration counts them again
        assert survey_tallies.stale(db.session.connection()) == []
        assert sorted(db.session.execute(select(SurveyTally.__table__)).all()) == sorted(before)
        assert db.session.scalar(select(func.sum(SurveyTally.n))) == 4  # free text has no value: not counted
        db.session.remove()
        db.engine.dispose()
