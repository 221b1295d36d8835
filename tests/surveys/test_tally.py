"""The survey tally (civictest.survey_tallies) equals a recount from the answer rows after random sequences of
first answers and changed answers through personal links, after direct ORM changes, and after deletions; it keeps
no respondent id; `flask --app app check-counts` finds and repairs a tally changed by hand (survey and feedback)."""
from __future__ import annotations

import random

import pytest
from sqlalchemy import delete, func, inspect, select, text, update
from survey_helpers import UNITS, add_roster, make_survey

from civictest import survey_tallies
from civictest.extensions import db
from civictest.models import OrgUnit, SurveyAnswer, SurveyResponse, SurveyTally
from civictest.services import surveys

GRADES = ("主事", "主任", "係長")


def _recount(wave_id: int | None = None) -> dict[tuple, int]:
    """The tally worked out here, independently, in Python from every answer row."""
    rows = db.session.execute(
        select(SurveyAnswer.wave_id, SurveyAnswer.item_id, SurveyResponse.org_unit_id, SurveyResponse.job_grade,
               SurveyAnswer.value).join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)).all()
    out: dict[tuple, int] = {}
    for wave, item, unit, grade, value in rows:
        if value is not None and (wave_id is None or wave == wave_id):
            key = (wave, item, unit or 0, grade, value)
            out[key] = out.get(key, 0) + 1
    return out


def _stored(wave_id: int | None = None) -> dict[tuple, int]:
    query = select(SurveyTally.wave_id, SurveyTally.item_id, SurveyTally.org_unit_id, SurveyTally.job_grade,
                   SurveyTally.value, SurveyTally.n).where(SurveyTally.n != 0)
    if wave_id is not None:
        query = query.where(SurveyTally.wave_id == wave_id)
    return {tuple(row[:-1]): row[-1] for row in db.session.execute(query)}


def _random_answers(rng: random.Random, wave) -> dict[int, str]:  # noqa: ANN001
    raw = {}
    for item in wave.items:
        roll = rng.random()
        if roll < 0.15:
            continue  # not answered (no item is required)
        if item.kind == "free_text":
            raw[item.id] = rng.choice(["端末が遅い", "特になし", ""])
        else:
            raw[item.id] = str(rng.randint(1, len(item.options)))
    return raw


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_first_answers_and_changes_keep_the_tally_equal_to_a_recount(ctx, seed):
    rng = random.Random(seed)
    survey, wave = make_survey()
    surveys.set_wave_state(wave, "open")
    db.session.commit()
    people = [(f"p{i}@city.example.jp", rng.choice(UNITS), rng.choice(GRADES)) for i in range(12)]
    links = [token for _entry, token in add_roster(wave, people)]
    for step in range(60):
        token = rng.choice(links)
        surveys.save_answers(token, _random_answers(rng, wave), rng.choice(["ja", "en"]))
        if rng.random() < 0.2:
            db.session.rollback()  # a request that failed after storing: nothing of it stays, tally included
        else:
            db.session.commit()
        if step % 10 == 9:
            assert _stored(wave.id) == _recount(wave.id)
            assert survey_tallies.stale(db.session.connection()) == []
    assert _stored() == _recount()
    assert sum(_stored().values()) > 0


def test_orm_changes_deletions_and_moves_keep_the_tally(ctx):
    survey, wave = make_survey()
    surveys.set_wave_state(wave, "open")
    db.session.commit()
    links = [token for _e, token in add_roster(wave, [(f"q{i}@city.example.jp", UNITS[i % 3], GRADES[i % 2])
                                                      for i in range(6)])]
    scale = wave.items[0]
    for i, token in enumerate(links):
        surveys.save_answers(token, {scale.id: str(1 + i % 5), wave.items[2].id: "1"})
    db.session.commit()
    assert _stored() == _recount()
    answer = db.session.scalars(select(SurveyAnswer).where(SurveyAnswer.item_id == scale.id)).first()
    answer.value = 5 if answer.value != 5 else 1  # a changed value: old key down, new key up
    db.session.commit()
    assert _stored() == _recount()
    db.session.delete(db.session.scalars(select(SurveyAnswer)).first())  # one answer deleted
    db.session.commit()
    assert _stored() == _recount()
    response = db.session.scalars(select(SurveyResponse)).first()
    other = db.session.scalar(select(OrgUnit.id).where(OrgUnit.path == UNITS[2]))
    response.org_unit_id, response.job_grade = (other if response.org_unit_id != other else None), "課長"
    db.session.commit()  # a response moved: its answers change keys
    assert _stored() == _recount()
    db.session.delete(db.session.scalars(select(SurveyResponse)).all()[-1])  # a whole response (cascade)
    db.session.commit()
    assert _stored() == _recount()
    gone = db.session.scalars(select(SurveyResponse)).first()
    db.session.expunge_all()
    db.session.delete(db.session.get(SurveyResponse, gone.id))  # answers not loaded: deleted at flush
    db.session.commit()
    assert _stored() == _recount() and sum(_stored().values()) > 0


def test_the_tally_holds_no_respondent_id_and_no_time():
    columns = {column.name for column in SurveyTally.__table__.columns}
    assert columns == {"wave_id", "item_id", "org_unit_id", "job_grade", "value", "n"}
    assert not any("response" in name or "respondent" in name or "_at" in name for name in columns)


def test_rebuild_matches_and_check_counts_finds_and_repairs_stale_rows(app, ctx):
    survey, wave = make_survey()
    surveys.set_wave_state(wave, "open")
    db.session.commit()
    (entry, token), = add_roster(wave, [("r@city.example.jp", UNITS[0], "主事")])
    surveys.save_answers(token, {wave.items[0].id: "4", wave.items[1].id: "2"})
    db.session.commit()
    runner = app.test_cli_runner()
    clean = runner.invoke(args=["check-counts"])
    assert clean.exit_code == 0 and "0 stale survey tally rows" in clean.output
    db.session.execute(update(SurveyTally).where(SurveyTally.value == 4).values(n=SurveyTally.n + 2))
    db.session.execute(delete(SurveyTally).where(SurveyTally.value == 2))
    db.session.commit()
    found = runner.invoke(args=["check-counts"])
    assert found.exit_code == 1 and f"2 stale survey tally rows in waves [{wave.id}]" in found.output
    fixed = runner.invoke(args=["check-counts", "--fix"])
    assert fixed.exit_code == 0 and f"recounted the survey tally of waves [{wave.id}]" in fixed.output
    db.session.expire_all()
    assert _stored() == _recount() and runner.invoke(args=["check-counts"]).exit_code == 0
    survey_tallies.rebuild(db.session.connection())  # every wave at once gives the same
    assert _stored() == _recount()


def test_check_counts_finds_and_repairs_the_feedback_tally(app, ctx):
    from helpers import make_service

    from civictest.models import FeedbackTally
    from civictest.services.feedback import record_feedback, stored_tally, tally_from_rows

    service = make_service()
    record_feedback(service, rating=4, task_done="yes", comment="", lang="ja")
    record_feedback(service, rating=2, task_done=None, comment="", lang="ja")
    db.session.commit()
    runner = app.test_cli_runner()
    assert "0 stale feedback tally rows" in runner.invoke(args=["check-counts"]).output
    db.session.execute(update(FeedbackTally).where(FeedbackTally.rating == 4).values(n=7))
    db.session.commit()
    found = runner.invoke(args=["check-counts"])
    assert found.exit_code == 1 and "1 stale feedback tally rows" in found.output
    assert runner.invoke(args=["check-counts", "--fix"]).exit_code == 0
    db.session.expire_all()
    assert stored_tally() == tally_from_rows() and runner.invoke(args=["check-counts"]).exit_code == 0


def test_answers_written_with_core_statements_are_counted_by_add(ctx):
    """Code that bypasses the ORM adds the difference itself (as the benchmark's bulk load rebuilds)."""
    survey, wave = make_survey()
    surveys.set_wave_state(wave, "open")
    db.session.commit()
    (entry, token), = add_roster(wave, [("c@city.example.jp", UNITS[1], "係長")])
    response, _ = surveys.save_answers(token, {wave.items[0].id: "3"})
    db.session.commit()
    connection = db.session.connection()
    before = survey_tallies.response_sums(connection, [response.id])
    connection.execute(text("UPDATE survey_answer SET value = 5 WHERE response_id = :r"), {"r": response.id})
    survey_tallies.add(connection, before, survey_tallies.response_sums(connection, [response.id]))
    db.session.commit()
    assert _stored() == _recount()
    assert inspect(db.session.get(SurveyResponse, response.id)) is not None
    assert db.session.scalar(select(func.sum(SurveyTally.n))) == 1


def test_a_failed_flush_leaves_nothing_behind_for_the_next(ctx):
    from sqlalchemy.exc import IntegrityError

    survey, wave = make_survey()
    surveys.set_wave_state(wave, "open")
    db.session.commit()
    links = [token for _e, token in add_roster(wave, [(f"f{i}@city.example.jp", UNITS[0], "主事") for i in range(2)])]
    first, _ = surveys.save_answers(links[0], {wave.items[0].id: "2"})
    db.session.commit()
    twin = SurveyResponse(id=surveys.unused_response_id(), wave_id=wave.id, org_unit_id=first.org_unit_id,
                          job_grade="主事", respondent_key=first.respondent_key, language="ja",
                          submitted_at=first.submitted_at, updated_at=first.updated_at)
    twin.answers.append(SurveyAnswer(wave_id=wave.id, item_id=wave.items[0].id, value=5))
    db.session.add(twin)
    with pytest.raises(IntegrityError):
        db.session.flush()  # the same link twice: refused
    db.session.rollback()
    surveys.save_answers(links[1], {wave.items[0].id: "4"})
    db.session.commit()
    assert _stored() == _recount() and sum(_stored().values()) == 2
