"""civictest.reporting.figures on small hand-made iterations where every answer is known (METRICS.md worked examples)."""
import json

import pytest
from helpers import make_service, make_session
from test_data import attempt, comment, questionnaire, resident

from civictest.reporting import figures
from civictest.extensions import db
from civictest.services import catalog
from civictest.services.errors import NotFound

TOL = 5e-5
SUS_V1 = [72.5, 85, 90, 65, 77.5, 80, 87.5, 70, 92.5, 75]
SUS_V2 = [55, 62.5, 70, 47.5, 65, 72.5, 60, 57.5, 67.5, 50, 62.5, 75]


def approx(value):  # noqa: ANN001, ANN201
    return pytest.approx(value, abs=TOL)


def known_service():  # noqa: ANN201
    """Eight counted residents (plus ones that must not count) over three tasks:
    task 1: 4 successes and 1 failure (the failure is an observer's view of a self-reported success) -> 4/5;
    task 2: 6 successes timed 55, 65, 75, 62, 45, 135 s;
    task 3: 8 successes rated 7, 6, 5, 7, 6, 4, 7, 5 (one hard -> inconvenience 1/8); resident 1's SUS is 85."""
    service = make_service("known", "既知の答え", tasks=3)
    t1, t2, t3 = service.tasks
    valid, invalid = make_session(service), make_session(service, excluded=True)
    people = [resident(valid, age_band="30s") for _ in range(8)]
    for i, person in enumerate(people[:5]):
        attempt(person, t1, "success")
        if i == 4:
            attempt(person, t1, "failure", source="observer")
    attempt(people[5], t1, "not_attempted")
    for person, seconds in zip(people, [55, 65, 75, 62, 45, 135]):
        attempt(person, t2, "success", seconds=float(seconds))
    for person, seq in zip(people, [7, 6, 5, 7, 6, 4, 7, 5]):
        attempt(person, t3, "success", seq=seq)
    questionnaire(people[0], 85.0)
    comment(people[0], t1, "negative")
    for stranger in (resident(valid, withdrawn=True), resident(invalid)):
        for task in (t1, t2, t3):
            attempt(stranger, task, "failure", seq=1, seconds=500.0)
        questionnaire(stranger, 0.0)
        comment(stranger, t1, "positive")
    db.session.commit()
    return service


@pytest.fixture
def known(ctx):
    return known_service()


def by_task(result):  # noqa: ANN001, ANN201
    return {task["position"]: task for task in result["tasks"]}


def test_iteration_report_has_every_known_answer(known):
    result = figures.iteration_report(known.iterations[0])
    tasks = by_task(result)
    assert result["iteration"]["participants"] == 8
    assert tasks[1]["n"] == 5 and tasks[1]["outcomes"]["failure"] == 1
    assert tasks[1]["sources"] == {"self": 4, "observer": 1}
    assert tasks[1]["completion"]["completion_rate"] == 0.8
    assert (tasks[1]["completion"]["lower"], tasks[1]["completion"]["upper"]) == (approx(0.3596), approx(0.9797))
    assert tasks[1]["inconvenience"]["rate"] == 0.2
    time = tasks[2]["time"]
    assert (time["n"], time["geometric_mean"]) == (6, approx(68.2411))
    assert (time["lower"], time["upper"]) == (approx(46.0051), approx(101.2245))
    seq = tasks[3]["seq"]
    assert (seq["n"], seq["mean"], seq["lower"], seq["upper"]) == (8, 5.875, approx(4.9336), approx(6.8164))
    assert tasks[3]["inconvenience"]["inconvenient"] == 1 and tasks[3]["inconvenience"]["rate"] == 0.125
    assert tasks[1]["sentiment"] == {"positive": 0, "neutral": 0, "negative": 1, "unscored": 0}


def test_overall_figures_pool_the_counted_attempts(known):
    overall = figures.iteration_report(known.iterations[0])["overall"]
    assert overall["n"] == 5 + 6 + 8
    assert overall["completion"]["completion_rate"] == pytest.approx(18 / 19)
    assert overall["inconvenience"]["inconvenient"] == 2
    assert overall["questionnaire"]["n"] == 1 and overall["questionnaire"]["mean"] == 85.0
    assert overall["sources"] == {"self": 18, "observer": 1}


def test_report_is_plain_json(known):
    result = figures.iteration_report(known.iterations[0])
    assert json.loads(json.dumps(result, allow_nan=False)) == result
    assert "observer" in result["counting"]


def comparison_service():  # noqa: ANN201
    """One task; base 5/10 successes with SUS_V2 (12 residents), candidate 11/12 with SUS_V1 (METRICS 7.1, 7.2)."""
    service = make_service("compare", "比較", tasks=1)
    task = service.tasks[0]
    base_session = make_session(service)
    for i in range(12):
        person = resident(base_session)
        questionnaire(person, float(SUS_V2[i]))
        if i < 10:
            attempt(person, task, "success" if i < 5 else "failure")
    candidate = catalog.create_iteration(service, "第2版")
    db.session.flush()
    candidate_session = catalog.create_session(candidate.study)
    db.session.flush()
    for i in range(12):
        person = resident(candidate_session)
        attempt(person, task, "success" if i < 11 else "failure")
        if i < 10:
            questionnaire(person, float(SUS_V1[i]))
    db.session.commit()
    return service


def test_compare_matches_the_worked_examples(ctx):
    service = comparison_service()
    base, candidate = service.iterations
    result = figures.compare(service, base.id, candidate.id)
    completion = result["tasks"][0]["completion"]
    assert completion["difference"] == pytest.approx(11 / 12 - 5 / 10)
    assert (completion["n1_z"], completion["n1_two_sided_p"]) == (approx(2.1348), approx(0.0328))
    assert completion["recommended_test"] == "n_minus_1_two_proportion"
    sus = result["overall"]["questionnaire"]["comparison"]
    assert (sus["difference"], sus["t"], sus["df"]) == (approx(17.4167), approx(4.5825), approx(18.8128))
    assert (result["base"]["id"], result["candidate"]["id"]) == (base.id, candidate.id)


def test_compare_refuses_an_iteration_of_another_service(ctx):
    service = comparison_service()
    other = make_service("other", "別のサービス", tasks=1)
    with pytest.raises(NotFound):
        figures.compare(service, service.iterations[0].id, other.iterations[0].id)


def test_trend_has_one_point_per_iteration_in_order(ctx):
    service = comparison_service()
    points = figures.trend(service)["points"]
    assert [p["number"] for p in points] == [1, 2]
    assert [p["completion"]["completion_rate"] for p in points] == [0.5, pytest.approx(11 / 12)]
    assert points[1]["sus_mean"] == pytest.approx(sum(SUS_V1) / 10)
    assert [p["participants"] for p in points] == [12, 12]


def test_segments_suppress_small_cells_and_the_cells_that_would_reveal_them(ctx):
    service = make_service("segments", "区分", tasks=1)
    task, session = service.tasks[0], make_session(service)
    for band, count in (("30s", 6), ("50s", 7), ("40s", 2)):
        for _ in range(count):
            attempt(resident(session, age_band=band), task, "success")
    db.session.commit()
    result = figures.segments(service.iterations[0], k=5)
    cells = {c["value"]: c for c in result["cells"] if c["segment"] == "age_band"}
    assert cells["40s"]["suppressed"] and cells["40s"]["n"] is None and cells["40s"]["completion_rate"] is None
    assert cells["30s"]["suppressed"] and cells["30s"]["n"] is None  # else 15 - 6 - 7 would give 40s away
    assert not cells["50s"]["suppressed"] and cells["50s"]["n"] == 7 and cells["50s"]["completion_rate"] == 1.0
    devices = [c for c in result["cells"] if c["segment"] == "device"]
    assert [(c["value"], c["n"]) for c in devices] == [("unknown", 15)]
    assert result["k"] == 5


def test_report_table_has_one_row_per_task(known):
    table = figures.report_table(figures.iteration_report(known.iterations[0]))
    assert list(table["position"]) == [1, 2, 3]
    assert table.loc[0, "completion_completion_rate"] == 0.8 and table.loc[0, "source_observer"] == 1
