"""Issue 17: a shared browser (a venue's PC or tablet) must not hand one resident's receipt code to the next."""
import pytest
from helpers import RESIDENT_CODE, csrf_token, hidden_fields, join_and_consent, make_service, make_session, submit

from civictest.extensions import db
from civictest.models import Participant


def _finish(client) -> str:  # noqa: ANN001
    """The whole path with two tasks and SUS; returns the thanks page's HTML."""
    join_and_consent(client)
    submit(client, "/participate/profile", {})
    submit(client, "/participate/tasks/1", {"outcome": "success"})
    submit(client, "/participate/tasks/2", {"outcome": "failure"})
    items = {f"item{i}": "3" for i in range(1, 11)}
    return submit(client, "/participate/questionnaire", items, follow=True).get_data(as_text=True)


def _nothing_of(person: Participant, client) -> None:  # noqa: ANN001
    """What the next person at the browser can reach shows no receipt code and withdraws no one."""
    for url in ("/participate/thanks", "/participate", f"/join/{RESIDENT_CODE}"):
        response = client.get(url, follow_redirects=True)
        assert person.receipt_code not in response.get_data(as_text=True), url
    for url in ("/withdraw", "/resume"):
        html = client.get(url).get_data(as_text=True)
        assert person.receipt_code not in html and person.public_id not in html, url
    form = hidden_fields(client.get("/withdraw").get_data(as_text=True))
    response = client.post("/withdraw", data={**form, "confirm": "y"})  # no receipt code typed in
    assert response.status_code == 400 and "受付番号を入力してください" in response.get_data(as_text=True)
    db.session.refresh(person)
    assert not person.withdrawn


@pytest.fixture
def remote(ctx):
    return make_session(make_service(tasks=2), invite_code=RESIDENT_CODE, mode="remote")


@pytest.fixture
def in_person(ctx):
    return make_session(make_service(tasks=2), invite_code=RESIDENT_CODE, mode="in_person", venue_name="区民ホール")


def test_finish_and_clear_this_device(client, remote):
    html = _finish(client)
    person = db.session.query(Participant).one()
    assert person.receipt_code in html and "終了してこの端末から消す" in html
    assert client.get("/participate/thanks").status_code == 200, "a remote resident's own browser keeps them"
    response = client.post("/participate/finish", data={"csrf_token": csrf_token(html)})
    assert response.status_code == 302 and response.headers["Location"].endswith("/participate/cleared")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "この端末から消しました" in page and person.receipt_code not in page
    assert client.get("/participate/thanks").headers["Location"].endswith("/resume")
    _nothing_of(person, client)


def test_finish_and_clear_in_english(client, remote):
    client.get("/?lang=en")
    html = _finish(client)
    assert "Finish and clear this device" in html
    response = client.post("/participate/finish", data={"csrf_token": csrf_token(html)}, follow_redirects=True)
    assert "Cleared from this device" in response.get_data(as_text=True)


def test_clearing_needs_the_csrf_token(client, remote):
    _finish(client)
    assert client.post("/participate/finish", data={}).status_code == 400
    assert client.get("/participate/thanks").status_code == 200, "nothing was cleared"


def test_a_resident_who_stopped_half_way_can_clear_the_device_and_resume_with_the_code(client, app, remote):
    join_and_consent(client)
    submit(client, "/participate/profile", {})
    submit(client, "/participate/tasks/1", {"outcome": "success"})
    html = client.get("/participate/thanks").get_data(as_text=True)
    person = db.session.query(Participant).one()
    assert "ここまでの回答を保存しました" in html and person.receipt_code in html
    client.post("/participate/finish", data={"csrf_token": csrf_token(html)})
    _nothing_of(person, client)
    response = submit(client, "/resume", {"receipt_code": person.receipt_code})
    assert response.headers["Location"].endswith("/participate/tasks/2")


def test_in_person_sessions_forget_the_resident_once_the_thanks_page_is_shown(client, in_person):
    html = _finish(client)
    person = db.session.query(Participant).one()
    assert person.receipt_code in html, "the resident still sees their code once"
    assert "この端末からはあなたの情報を消しました" in html and "終了してこの端末から消す" not in html
    _nothing_of(person, client)
    response = submit(client, "/withdraw", {"receipt_code": person.receipt_code, "confirm": "y"})
    assert response.status_code == 200, "with the code typed in, the resident can still withdraw"
    db.session.refresh(person)
    assert person.withdrawn


def test_resuming_a_finished_test_says_it_is_finished(client, remote):
    html = _finish(client)
    person = db.session.query(Participant).one()
    client.post("/participate/finish", data={"csrf_token": csrf_token(html)})
    response = submit(client, "/resume", {"receipt_code": person.receipt_code}, follow=True)
    page = response.get_data(as_text=True)
    assert "すでに最後まで回答済みです" in page and "ご協力ありがとうございました" in page
    client.get("/?lang=en")
    client.post("/participate/finish", data={"csrf_token": csrf_token(page)})
    english = submit(client, "/resume", {"receipt_code": person.receipt_code}, follow=True).get_data(as_text=True)
    assert "already answered to the end" in english
