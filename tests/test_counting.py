"""civictest.counting: the stored "does this attempt count" values follow the rule through every change.

Each test changes answers the way the app does (ORM objects, or the Core inserts of the resident and facilitator
services) and reads the stored values back with SQL; stale() compares them with the rule worked out afresh, and
stale_tallies() the tally (AttemptTally) with the sums of the attempts as stored.
"""
import math
import random
import threading
import uuid
from datetime import timedelta

import pytest
from helpers import make_service, make_session, make_user
from sqlalchemy import insert, select, text, update

from civictest import counting
from civictest.extensions import db
from civictest.models import Attempt, AttemptTally, Comment, ParticipantTally, SegmentTally
from civictest.models.base import utcnow
from civictest.services import facilitation, participation
from test_data import attempt, resident


@pytest.fixture
def world(ctx):
    service = make_service(tasks=3)
    return {"service": service, "tasks": service.tasks, "session": make_session(service, mode="in_person")}


def stored(attempt_id: int) -> tuple:
    """(counts, effective_seq, effective_seconds, effective_log_seconds) as the database holds them."""
    row = db.session.execute(select(Attempt.counts, Attempt.effective_seq, Attempt.effective_seconds,
                                     Attempt.effective_log_seconds).where(Attempt.id == attempt_id)).one()
    return bool(row[0]), row[1], row[2], row[3]


def nothing_stale() -> bool:
    return db.session.execute(counting.stale()).all() == [] and counting.stale_aggregates(db.session.connection()) == []


def test_a_residents_own_attempt_counts_with_its_own_rating_and_time(world):
    own = attempt(resident(world["session"]), world["tasks"][0], seq=6, seconds=30.0)
    assert stored(own.id) == (True, 6, 30.0, pytest.approx(math.log(30.0)))


def test_not_attempted_never_counts(world):
    skipped = attempt(resident(world["session"]), world["tasks"][0], "not_attempted")
    assert stored(skipped.id)[0] is False


def test_an_observer_attempt_replaces_the_residents_own_and_borrows_what_it_lacks(world):
    person, task = resident(world["session"]), world["tasks"][0]
    own = attempt(person, task, "success", seq=6, seconds=30.0)
    seen = attempt(person, task, "partial", source="observer", seconds=45.0)
    assert stored(own.id)[0] is False
    assert stored(seen.id)[:3] == (True, 6, 45.0)  # the resident's rating, the observer's time


def test_a_late_own_answer_neither_counts_nor_is_lost_to_the_observer_record(world):
    person, task = resident(world["session"]), world["tasks"][0]
    seen = attempt(person, task, "failure", source="observer")  # no rating, no time yet
    own = attempt(person, task, "success", seq=3, seconds=20.0)
    assert stored(own.id)[0] is False
    assert stored(seen.id)[:3] == (True, 3, 20.0)


def test_withdrawing_stops_every_attempt_counting(world):
    person = resident(world["session"])
    rows = [attempt(person, task) for task in world["tasks"]]
    participation.withdraw(person)
    assert [stored(row.id)[0] for row in rows] == [False, False, False]
    assert nothing_stale()


def test_closing_a_session_as_invalid_and_reopening_it(world):
    session = world["session"]
    rows = [attempt(resident(session), world["tasks"][0]) for _ in range(3)]
    session.excluded = True
    db.session.commit()
    assert {stored(row.id)[0] for row in rows} == {False}
    session.excluded = False
    db.session.commit()
    assert {stored(row.id)[0] for row in rows} == {True}


def test_deleting_an_observer_attempt_gives_the_resident_their_own_back(world):
    person, task = resident(world["session"]), world["tasks"][0]
    own = attempt(person, task, seq=5)
    db.session.delete(attempt(person, task, source="observer"))
    db.session.flush()
    assert stored(own.id)[0] is True


def test_editing_an_attempt_refreshes_it(world):
    row = attempt(resident(world["session"]), world["tasks"][0], seconds=10.0)
    row.seconds, row.outcome = 12.0, "abandoned"
    db.session.flush()
    assert stored(row.id)[:3] == (True, None, 12.0)
    row.outcome = "not_attempted"
    db.session.flush()
    assert stored(row.id)[0] is False


def test_the_resident_and_facilitator_services_keep_the_values(world):
    person, task = resident(world["session"]), world["tasks"][1]
    db.session.commit()
    served = utcnow() - timedelta(seconds=40)
    answer = {"outcome": "success", "seq": 7, "comment": "", "client_seconds": None}
    assert participation.record_attempt(person, task.id, answer, uuid.uuid4().hex, served)
    own = db.session.scalar(select(Attempt.id).where(Attempt.participant_id == person.id))
    assert stored(own)[:2] == (True, 7)
    observer = make_user("facilitator", [world["service"]])
    seen = {"outcome": "partial", "timed": "1", "assistance": "hint", "notes": ""}
    assert facilitation.record_observation(person, task.id, seen, uuid.uuid4().hex, served, observer)
    by_source = dict(db.session.execute(select(Attempt.source, Attempt.id).where(Attempt.participant_id == person.id)).all())
    assert stored(by_source["self"])[0] is False
    assert stored(by_source["observer"])[:2] == (True, 7)
    assert nothing_stale()


PROFILES = {"age_band": [None, "20s", "60s", "80_plus"], "municipality_code": [None, "131016", "131130"],
            "device": [None, "smartphone", "pc"], "assistive_technology": [None, "none", "screen_reader"],
            "online_frequency": [None, "weekly", "rarely"]}


def _random_profile(rng: random.Random) -> dict:
    return {column: rng.choice(values) for column, values in PROFILES.items()}


def _random_move(rng: random.Random, world: dict, people: list) -> None:
    """One change of the kinds the app makes: answers (ORM, and the resident and facilitator services' Core
    inserts), edits and deletes, withdrawal, exclusion, profile answers, and residents joining by consent."""
    person, task = rng.choice(people), rng.choice(world["tasks"])
    move = rng.random()
    if move < 0.35:
        source = rng.choice(["self", "observer"])
        exists = db.session.scalar(select(Attempt.id).where(
            Attempt.participant_id == person.id, Attempt.task_id == task.id, Attempt.source == source))
        if exists is None:
            attempt(person, task, rng.choice(["success", "failure", "not_attempted"]), source=source,
                    seq=rng.choice([None, 2, 6]), seconds=rng.choice([None, 8.5, 30.0]))
    elif move < 0.45 and not person.withdrawn and not world["session"].excluded:
        answer = {"outcome": rng.choice(["success", "partial", "abandoned"]), "seq": rng.choice([None, 3, 7]),
                  "comment": rng.choice(["", "ボタンが見つからなかった", "とても分かりやすい"]), "client_seconds": None}
        participation.record_attempt(person, task.id, answer, uuid.uuid4().hex, utcnow() - timedelta(seconds=20))
    elif move < 0.5 and not world["session"].excluded:
        seen = {"outcome": rng.choice(["success", "failure"]), "timed": "1", "assistance": "none",
                "notes": rng.choice(["", "戻るボタンを探していた"])}
        facilitation.record_observation(person, task.id, seen, uuid.uuid4().hex, utcnow() - timedelta(seconds=9),
                                        world["observer"])
    elif move < 0.55:
        row = db.session.scalars(select(Attempt).where(Attempt.participant_id == person.id)).first()
        if row is not None:
            row.outcome, row.seq = rng.choice(["success", "failure"]), rng.choice([None, 1, 5])
    elif move < 0.6:
        _random_comment_change(rng, world, person, task)
    elif move < 0.7:
        for column, value in _random_profile(rng).items():
            setattr(person, column, value)
    elif move < 0.75:
        person.withdrawn = not person.withdrawn
    elif move < 0.8 and not person.withdrawn:
        participation.withdraw(person)
    elif move < 0.87:
        world["session"].excluded = not world["session"].excluded
    elif move < 0.93 and not world["session"].excluded:
        world["session"].is_open = True
        people.append(participation.join(world["session"], "2026-11", uuid.uuid4().hex))
    else:
        row = db.session.scalars(select(Attempt).where(Attempt.participant_id == person.id)).first()
        if row is not None:
            for note in db.session.scalars(select(Comment).where(Comment.attempt_id == row.id)):
                db.session.delete(note)  # its comment goes with it (the foreign key says so)
            db.session.delete(row)
    db.session.flush()


def _random_comment_change(rng: random.Random, world: dict, person, task) -> None:  # noqa: ANN001
    """Comments and questionnaires change as the app changes them: the questionnaire with its overall comment,
    comments added, re-scored and deleted through the ORM (facilitators, imports, `flask sentiment rescore`)."""
    move = rng.random()
    comment = db.session.scalars(select(Comment).where(Comment.participant_id == person.id)).first()
    if move < 0.3 and not person.withdrawn and not world["session"].excluded:
        participation.record_questionnaire(person, "sus", [rng.randint(1, 5) for _ in range(10)],
                                           rng.choice(["", "全体に使いやすかった"]), uuid.uuid4().hex)
    elif move < 0.5:
        db.session.add(Comment(participant_id=person.id, study_id=person.session.study_id, task_id=task.id,
                               attempt_id=None, kind=rng.choice(["task", "observer"]), text="メモ",
                               sentiment_label=rng.choice([None, "negative"]), analyzer=rng.choice([None, "x 1"])))
    elif move < 0.8 and comment is not None:
        comment.sentiment_label, comment.analyzer = rng.choice(["positive", "neutral", None]), "rescored 2"
    elif comment is not None:
        db.session.delete(comment)


@pytest.mark.parametrize("seed", range(4))
def test_any_sequence_of_changes_leaves_nothing_stale(world, seed):
    """Every stored value and every tally (attempts, segments, participants, comments, questionnaires) equals a
    recount from the rows."""
    rng = random.Random(seed)
    world["observer"] = make_user("facilitator", [world["service"]])
    people = [resident(world["session"], **_random_profile(rng)) for _ in range(6)]
    for step in range(60):
        _random_move(rng, world, people)
        if step % 20 == 19:
            db.session.commit()
            assert nothing_stale(), f"after step {step}"
    db.session.commit()
    assert nothing_stale()


def test_stale_finds_a_value_changed_behind_the_apps_back(world):
    row = attempt(resident(world["session"]), world["tasks"][0], seq=4)
    db.session.execute(update(Attempt).where(Attempt.id == row.id).values(effective_seq=5))
    assert db.session.execute(counting.stale()).all() == [(row.id, True, 4, None, None)]
    counting.refresh(db.session.connection(), study_id=row.study_id)
    assert nothing_stale()


def test_a_bulk_refresh_of_a_study_matches_the_rule(world):
    rows = [attempt(resident(world["session"]), task, seconds=5.0) for task in world["tasks"]]
    db.session.execute(text("UPDATE attempt SET counts = false, effective_seconds = NULL"))
    assert len(db.session.execute(counting.stale()).all()) == len(rows)
    counting.refresh(db.session.connection(), study_id=rows[0].study_id)
    assert nothing_stale()


def tally(study_id: int) -> dict[tuple, tuple]:
    """{(task_id, outcome, seq, source): (n, n_timed, sum t, sum ln t, sum (ln t)^2)} of a study's non-empty rows."""
    rows = db.session.execute(select(AttemptTally).where(AttemptTally.study_id == study_id, AttemptTally.n > 0))
    return {(r.task_id, r.outcome, r.seq, r.source): (r.n, r.n_timed, r.sum_seconds, r.sum_log_seconds,
                                                      r.sum_log_seconds_sq) for (r,) in rows}


def test_the_tally_sums_the_counting_attempts_per_task_outcome_rating_and_source(world):
    session, (first, second, _) = world["session"], world["tasks"]
    for seconds in (10.0, 40.0):
        attempt(resident(session), first, seq=6, seconds=seconds)
    attempt(resident(session), first, seq=6)  # no time: counted, not timed
    attempt(resident(session), second, "failure")  # no rating: seq 0
    attempt(resident(session), second, "not_attempted", seq=6, seconds=5.0)  # never counts
    logs = (math.log(10.0), math.log(40.0))
    assert tally(session.study_id) == {
        (first.id, "success", 6, "self"): (3, 2, 50.0, pytest.approx(sum(logs)),
                                           pytest.approx(sum(x * x for x in logs))),
        (second.id, "failure", counting.NO_RATING, "self"): (1, 0, 0.0, 0.0, 0.0)}


def test_an_observer_attempt_moves_the_answer_to_its_own_tally_row(world):
    person, task = resident(world["session"]), world["tasks"][0]
    attempt(person, task, "success", seq=6, seconds=30.0)
    attempt(person, task, "partial", source="observer", seconds=45.0)
    assert tally(person.session.study_id) == {
        (task.id, "partial", 6, "observer"): (1, 1, 45.0, pytest.approx(math.log(45.0)),
                                              pytest.approx(math.log(45.0) ** 2))}


def test_editing_an_attempts_outcome_moves_it_between_tally_rows(world):
    row = attempt(resident(world["session"]), world["tasks"][0], seconds=10.0)
    row.outcome = "abandoned"
    db.session.flush()
    assert list(tally(row.study_id)) == [(row.task_id, "abandoned", counting.NO_RATING, "self")]
    db.session.delete(row)
    db.session.flush()
    assert tally(row.study_id) == {}


def test_withdrawing_and_excluding_empty_the_tally_and_reopening_fills_it_again(world):
    session = world["session"]
    people = [resident(session) for _ in range(3)]
    for person in people:
        attempt(person, world["tasks"][0], seq=5, seconds=20.0)
    full = tally(session.study_id)
    participation.withdraw(people[0])
    assert next(iter(tally(session.study_id).values()))[0] == 2
    session.excluded = True
    db.session.commit()
    assert tally(session.study_id) == {}
    session.excluded = False
    db.session.commit()
    assert {key: n for key, (n, *_) in tally(session.study_id).items()} == {key: 2 for key in full}
    assert nothing_stale()


def test_stale_tallies_finds_a_tally_row_changed_behind_the_apps_back(world):
    row = attempt(resident(world["session"]), world["tasks"][0], seq=4, seconds=8.0)
    db.session.execute(update(AttemptTally).values(sum_seconds=AttemptTally.sum_seconds + 1e-6))
    assert counting.stale_tallies(db.session.connection()) == [(row.study_id, row.task_id, "success", 4, "self")]
    counting.refresh(db.session.connection(), study_id=row.study_id)
    assert nothing_stale()


def test_a_self_and_an_observer_answer_stored_at_the_same_moment_leave_one_counted(app, world, is_postgres):
    """PostgreSQL runs the two transactions side by side: the second refresh must wait for the first and then see
    its row, or the resident's own answer would stay counted beside the observer's (SQLite serialises writers)."""
    if not is_postgres:
        pytest.skip("SQLite runs one writer at a time")
    person, task = resident(world["session"]), world["tasks"][0]
    db.session.commit()
    row = {"participant_id": person.id, "study_id": person.session.study_id, "task_id": task.id, "outcome": "success"}

    def store(connection, source):  # noqa: ANN001, ANN202
        connection.execute(insert(Attempt).values(**row, source=source, idempotency_key=uuid.uuid4().hex))
        counting.refresh_answer(connection, person.id, task.id)

    with db.engine.connect() as first, db.engine.connect() as second:
        store(first, "observer")  # holds the participant's lock until it commits
        worker = threading.Thread(target=lambda: (store(second, "self"), second.commit()))
        worker.start()
        worker.join(timeout=1)
        assert worker.is_alive()  # waiting for the lock, not racing past it
        first.commit()
        worker.join(timeout=10)
    assert db.session.execute(select(Attempt.source, Attempt.counts).order_by(Attempt.source)).all() == [
        ("observer", True), ("self", False)]
    assert nothing_stale()


def test_the_check_counts_command_finds_and_fixes_stale_values(app, world):
    row = attempt(resident(world["session"]), world["tasks"][0])
    db.session.execute(update(Attempt).where(Attempt.id == row.id).values(counts=False))
    db.session.commit()
    runner = app.test_cli_runner()
    found = runner.invoke(args=["check-counts"])
    # the attempt's row of the attempt tally and its five segment rows (one per profile question)
    assert found.exit_code == 1 and "1 attempts with stale counting values, 6 stale tally rows" in found.output
    assert runner.invoke(args=["check-counts", "--fix"]).exit_code == 0
    assert runner.invoke(args=["check-counts"]).output.startswith("0 attempts with stale counting values, 0 stale")


def test_the_check_counts_command_finds_and_fixes_a_stale_tally(app, world):
    attempt(resident(world["session"]), world["tasks"][0])
    db.session.execute(update(AttemptTally).values(n=AttemptTally.n + 1))
    db.session.commit()
    runner = app.test_cli_runner()
    found = runner.invoke(args=["check-counts"])
    assert found.exit_code == 1 and "0 attempts with stale counting values, 1 stale tally rows" in found.output
    assert runner.invoke(args=["check-counts", "--fix"]).exit_code == 0
    assert runner.invoke(args=["check-counts"]).exit_code == 0


@pytest.mark.parametrize("table", [SegmentTally, ParticipantTally])
def test_the_check_counts_command_finds_and_fixes_a_stale_segment_or_participant_tally(app, world, table):
    attempt(resident(world["session"], age_band="60s"), world["tasks"][0])
    db.session.execute(update(table).where(table.segment == "age_band").values(n=table.n + 1))
    db.session.commit()
    runner = app.test_cli_runner()
    found = runner.invoke(args=["check-counts"])
    assert found.exit_code == 1 and "0 attempts with stale counting values, 1 stale tally rows" in found.output
    assert runner.invoke(args=["check-counts", "--fix"]).exit_code == 0
    assert runner.invoke(args=["check-counts"]).exit_code == 0


def test_segment_and_participant_tallies_follow_a_residents_profile(world):
    person = resident(world["session"], age_band="60s", device="pc")
    attempt(person, world["tasks"][0], "success", seq=3)
    db.session.commit()
    ages = select(SegmentTally.value, SegmentTally.outcome, SegmentTally.hard, SegmentTally.n).where(
        SegmentTally.segment == "age_band", SegmentTally.n > 0)
    people = select(ParticipantTally.value, ParticipantTally.n).where(
        ParticipantTally.segment == "age_band", ParticipantTally.n > 0)
    assert db.session.execute(ages).all() == [("60s", "success", True, 1)]
    assert db.session.execute(people).all() == [("60s", 1)]
    person.age_band = "70s"
    db.session.commit()
    assert db.session.execute(ages).all() == [("70s", "success", True, 1)]
    assert db.session.execute(people).all() == [("70s", 1)]
    participation.withdraw(person)
    assert db.session.execute(ages).all() == [] and db.session.execute(people).all() == []
    assert nothing_stale()


IMPORTED = ("参加者ID,タスク番号,結果,SEQ,所要時間_秒,コメント,年代\r\n"
            "P1,1,できた,6,95,とても分かりやすかった,30代\r\n"
            "P1,2,難しかったができた,3,1:30,入力欄が分かりにくい,30代\r\n"
            "P2,1,あきらめた,,2分,ボタンが見つからず困った,70代\r\n"
            "P2,3,できなかった,2,,,70代\r\n")


@pytest.mark.parametrize("seed", range(2))
def test_an_import_among_other_changes_leaves_every_tally_equal_to_a_recount(world, seed):
    from civictest.services import imports

    rng = random.Random(seed)
    world["observer"] = make_user("facilitator", [world["service"]])
    people = [resident(world["session"], **_random_profile(rng)) for _ in range(4)]
    study = world["session"].study
    for step in range(30):
        if step == 10:
            imports.commit(study, imports.prepare(study, IMPORTED.encode(), f"answers-{seed}.csv"))
            assert nothing_stale()
        _random_move(rng, world, people)
    db.session.commit()
    assert nothing_stale()
