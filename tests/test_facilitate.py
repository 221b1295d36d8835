"""Facilitator mode: the session board and observed attempts stored beside the resident's own."""
import pytest
from helpers import RESIDENT_CODE, join_and_consent, login, make_service, make_session, make_user, submit

from civictest.extensions import db
from civictest.models import Attempt, Comment, Participant


@pytest.fixture
def in_person(ctx):
    service = make_service(tasks=2)
    test_session = make_session(service, invite_code=RESIDENT_CODE, mode="in_person", venue_name="区民ホール")
    return service, test_session


def _resident_answers_task_one(app):  # noqa: ANN001
    resident = app.test_client()
    join_and_consent(resident)
    submit(resident, "/participate/profile", {})
    submit(resident, "/participate/tasks/1", {"outcome": "success", "seq": "6"})
    return db.session.query(Participant).one()


def test_board_shows_each_participant_and_their_step(client, app, in_person):
    service, test_session = in_person
    _resident_answers_task_one(app)
    login(client, make_user("facilitator", [service]))
    html = client.get(f"/facilitate/sessions/{test_session.id}").get_data(as_text=True)
    assert test_session.name in html and "区民ホール" in html
    assert "タスク 2" in html and "記録する" in html


def test_observation_is_stored_beside_the_residents_answer(client, app, in_person):
    service, test_session = in_person
    person = _resident_answers_task_one(app)
    login(client, make_user("facilitator", [service]))
    url = f"/facilitate/sessions/{test_session.id}/participants/{person.id}/tasks/1"
    response = submit(client, url, {"outcome": "partial", "assistance": "hint", "notes": "ボタンを探していた"})
    assert response.status_code == 302
    attempts = {a.source: a for a in db.session.query(Attempt).filter_by(participant_id=person.id)}
    assert attempts["self"].outcome == "success", "the resident's own answer is never overwritten"
    assert attempts["observer"].outcome == "partial" and attempts["observer"].assistance == "hint"
    assert attempts["observer"].seconds is None, "no timer was started, so no time is claimed"
    assert db.session.query(Comment).filter_by(kind="observer").one().text == "ボタンを探していた"


def test_timer_measures_from_start_to_save(client, app, in_person):
    service, test_session = in_person
    person = _resident_answers_task_one(app)
    login(client, make_user("facilitator", [service]))
    base = f"/facilitate/sessions/{test_session.id}/participants/{person.id}/tasks/2"
    page = client.get(base).get_data(as_text=True)
    from helpers import csrf_token, hidden_fields

    timing = client.post(base + "/start", data={"csrf_token": csrf_token(page)}).get_data(as_text=True)
    assert "タイマーを開始しました" in timing
    response = client.post(base, data={**hidden_fields(timing), "outcome": "failure", "assistance": "took_over"})
    assert response.status_code == 302
    observed = db.session.query(Attempt).filter_by(participant_id=person.id, source="observer").one()
    assert observed.seconds is not None and observed.seconds > 0


def test_saving_twice_keeps_one_observation(client, app, in_person):
    service, test_session = in_person
    person = _resident_answers_task_one(app)
    login(client, make_user("facilitator", [service]))
    url = f"/facilitate/sessions/{test_session.id}/participants/{person.id}/tasks/1"
    from helpers import hidden_fields

    form = hidden_fields(client.get(url).get_data(as_text=True))
    for _ in range(2):
        client.post(url, data={**form, "outcome": "success"})
    assert db.session.query(Attempt).filter_by(source="observer").count() == 1


def test_facilitators_of_other_services_get_404(client, app, in_person):
    service, test_session = in_person
    person = _resident_answers_task_one(app)
    other = make_service("kankyo", "粗大ごみ")
    login(client, make_user("facilitator", [other]))
    assert client.get(f"/facilitate/sessions/{test_session.id}").status_code == 404
    assert client.get(f"/facilitate/sessions/{test_session.id}/participants/{person.id}/tasks/1").status_code == 404


def test_product_owners_and_anonymous_cannot_facilitate(client, in_person):
    service, test_session = in_person
    assert client.get("/facilitate/").status_code == 302
    login(client, make_user("product_owner", [service]))
    assert client.get("/facilitate/").status_code == 403


def test_board_names_task_columns_shows_elapsed_time_and_refreshes(client, app, in_person):
    from datetime import timedelta

    from civictest.models.base import utcnow

    service, test_session = in_person
    person = _resident_answers_task_one(app)
    person.consented_at = utcnow() - timedelta(minutes=12, seconds=30)
    db.session.commit()
    login(client, make_user("facilitator", [service]))
    html = client.get(f"/facilitate/sessions/{test_session.id}").get_data(as_text=True)
    assert '<th scope="col">タスク 1: タスク1</th>' in html and '<th scope="col">タスク 2: タスク2</th>' in html
    assert "経過時間" in html and ">12分<" in html
    assert f'href="/facilitate/sessions/{test_session.id}">最新の状態に更新' in html and "時点の状態" in html
    assert 'data-auto-refresh="10"' in html and "js/facilitate.js" in html
    english = client.get(f"/facilitate/sessions/{test_session.id}?lang=en").get_data(as_text=True)
    assert "Task 1: Task 1" in english and "12 min" in english


def test_observer_options_describe_the_resident_and_the_page_has_unique_ids(client, app, in_person):
    import re

    service, test_session = in_person
    person = _resident_answers_task_one(app)
    login(client, make_user("facilitator", [service]))
    url = f"/facilitate/sessions/{test_session.id}/participants/{person.id}/tasks/1"
    html = client.get(url).get_data(as_text=True)
    assert "参加者が完了した" in html and "参加者が途中でやめた" in html and ">できた<" not in html
    assert "参加者本人の回答: できた" in html  # the resident's own answer as words, not the code "success"
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    english = client.get(url + "?lang=en").get_data(as_text=True)
    assert "The participant completed it" in english and "I did it" not in english.split("<form", 2)[-1]
