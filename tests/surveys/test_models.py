"""The survey schema: waves copy items, and no column links a response to a roster entry (schema and a try)."""
from __future__ import annotations

import itertools

from sqlalchemy import inspect, select, text

from civictest.extensions import db
from civictest.models import OrgUnit, RosterEntry, SurveyAnswer, SurveyResponse
from civictest.services import surveys
from survey_helpers import make_survey

RESPONSE_SIDE = ("survey_response", "survey_answer")
# What both sides may share on purpose: the wave and the groups results are reported by.
SHARED_ON_PURPOSE = {"wave_id", "org_unit_id", "job_grade"}


def test_a_new_wave_copies_the_previous_waves_items_in_order(ctx):
    survey, first = make_survey()
    surveys.set_wave_items(first, [item.id for item in reversed(survey.items[:3])])
    second = surveys.create_wave(survey, "2027年度")
    db.session.commit()
    assert [item.id for item in second.items] == [item.id for item in first.items]
    assert [wi.position for wi in second.wave_items] == [1, 2, 3]
    assert second.previous_id == first.id and second.number == 2
    assert {wi.id for wi in first.wave_items}.isdisjoint({wi.id for wi in second.wave_items})


def test_units_are_a_tree_made_from_paths(ctx):
    make_survey()
    unit = db.session.scalar(select(OrgUnit).where(OrgUnit.path == "総務局/総務部/文書課"))
    assert (unit.name, unit.depth, unit.parent.path, unit.parent.parent.path) == ("文書課", 3, "総務局/総務部", "総務局")
    assert surveys.ensure_units(["総務局／総務部／文書課"])[0].id == unit.id  # full-width slash is the same unit


def test_schema_has_no_column_that_links_a_response_to_the_roster(app):
    with app.app_context():
        inspector = inspect(db.engine)
        roster_columns = {column["name"] for column in inspector.get_columns("roster_entry")}
        for table in RESPONSE_SIDE:
            columns = {column["name"] for column in inspector.get_columns(table)}
            foreign = {fk["referred_table"] for fk in inspector.get_foreign_keys(table)}
            assert "roster_entry" not in foreign, table
            assert not any(word in name for name in columns for word in ("email", "roster", "token", "invite", "remind")), columns
            # Nothing else with the roster's names: no id, no token hash, no times in common.
            assert (columns & roster_columns) - SHARED_ON_PURPOSE - {"id"} == set(), (table, columns & roster_columns)
        for fk in inspector.get_foreign_keys("roster_entry"):
            assert fk["referred_table"] not in RESPONSE_SIDE


def test_trying_to_join_responses_to_the_roster_finds_no_person(ctx):
    """Three people in one unit and grade answer right after their invitation; a fourth does not. Every pair of
    columns is tried as a join key; none may pair the responses with different people (a join that sends every
    response to the same entry, as roster id 1 = wave id 1, tells nothing)."""
    survey, wave = make_survey()
    unit = db.session.scalar(select(OrgUnit).where(OrgUnit.path == "総務局/総務部/総務課"))
    entries = [RosterEntry(wave_id=wave.id, email=f"staff{i}@city.example.jp", org_unit_id=unit.id, job_grade="主事",
                           invited_at=surveys.utcnow(), reminders=0) for i in range(4)]
    db.session.add_all(entries)
    surveys.set_wave_state(wave, "open")
    tokens = [surveys.issue_link(entry) for entry in entries]
    db.session.commit()
    for i, token in enumerate(tokens[:3]):  # in roster order: a sequence would match the roster's ids
        surveys.save_answers(token, {wave.items[0].id: str(i + 2)})
        db.session.commit()
    roster = db.session.execute(text("SELECT * FROM roster_entry")).mappings().all()
    responses = db.session.execute(text("SELECT * FROM survey_response")).mappings().all()
    assert len(responses) == 3 and sum(row["has_answered"] for row in roster) == 3
    for roster_column, response_column in itertools.product(roster[0].keys(), responses[0].keys()):
        if roster_column in SHARED_ON_PURPOSE and response_column == roster_column:
            continue  # the groups themselves: all three share them
        paired = set()
        for response in responses:
            matches = [row["id"] for row in roster if _same(row[roster_column], response[response_column])
                       and row["has_answered"]]
            if len(matches) == 1:
                paired.add(matches[0])
        assert len(paired) < 2, (roster_column, response_column)
    # The token hash and the respondent key are different functions of the token.
    assert {row["token_hash"] for row in roster}.isdisjoint({row["respondent_key"] for row in responses})
    # The response times say only the day, never the moment of the invitation or the answer.
    assert all(row["submitted_at"] == responses[0]["submitted_at"] for row in responses)
    assert db.session.scalar(select(SurveyResponse.submitted_at)) == surveys.day_of(surveys.utcnow()).replace(
        tzinfo=db.session.scalar(select(SurveyResponse.submitted_at)).tzinfo)
    assert db.session.query(SurveyAnswer).count() == 3


def _same(a, b) -> bool:  # noqa: ANN001
    if a is None or b is None or isinstance(a, bool) or isinstance(b, bool):
        return False
    return str(a) == str(b)
