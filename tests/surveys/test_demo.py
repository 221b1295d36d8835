"""The demo's staff survey: two waves over about 300 staff, the second clearly better, loaded once."""
from sqlalchemy import func, select

from civictest.extensions import db
from civictest.models import Department, RosterEntry, SurveyAnswer, SurveyItem, SurveyResponse, SurveyWave
from civictest.services import survey_demo


def test_demo_survey_has_two_comparable_waves_and_loads_once(ctx):
    db.session.add(Department(code="kodomo", name_ja="子ども家庭部"))
    db.session.commit()
    assert survey_demo.load() is True
    db.session.commit()
    waves = list(db.session.scalars(select(SurveyWave).order_by(SurveyWave.number)))
    assert [w.state for w in waves] == ["published", "closed"]
    assert [i.id for i in waves[0].items] == [i.id for i in waves[1].items]
    for wave in waves:
        roster = db.session.scalar(select(func.count()).where(RosterEntry.wave_id == wave.id))
        answered = db.session.scalar(select(func.count()).where(RosterEntry.wave_id == wave.id, RosterEntry.has_answered))
        responses = db.session.scalar(select(func.count()).where(SurveyResponse.wave_id == wave.id))
        assert roster >= 300 and answered == responses and 0.5 < responses / roster < 0.8
    overall = db.session.scalar(select(SurveyItem).where(SurveyItem.kind == "satisfaction5"))
    means = [db.session.scalar(select(func.avg(SurveyAnswer.value)).where(
        SurveyAnswer.wave_id == wave.id, SurveyAnswer.item_id == overall.id)) for wave in waves]
    assert means[1] - means[0] > 0.7  # the clearly better year
    units = db.session.scalar(select(func.count(func.distinct(SurveyResponse.org_unit_id))))
    assert units == len(survey_demo.UNITS)
    counts = db.session.scalar(select(func.count()).select_from(SurveyAnswer))
    assert survey_demo.load() is False
    assert db.session.scalar(select(func.count()).select_from(SurveyAnswer)) == counts
