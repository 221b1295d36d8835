"""The resident's whole path, in Japanese and English, with JavaScript off (plain form posts)."""
import pytest
from helpers import RESIDENT_CODE, csrf_token, hidden_value, join_and_consent, make_service, make_session, submit

from civictest.extensions import db
from civictest.models import Attempt, Comment, Participant, QuestionnaireResponse

CODE = RESIDENT_CODE


@pytest.fixture
def study_session(ctx):
    service = make_service(tasks=2)
    test_session = make_session(service, invite_code=CODE)
    return service, test_session


def test_whole_path_in_japanese(client, study_session):
    service, _ = study_session
    assert "説明を読んで参加する" in client.get(f"/join/{CODE}").get_data(as_text=True)
    assert db.session.query(Participant).count() == 0, "nothing is stored before consent"
    response = join_and_consent(client)
    assert response.headers["Location"].endswith("/participate/profile")
    response = submit(client, "/participate/profile", {"age_band": "70s", "postal_code": "160-0023", "device": "smartphone"})
    assert response.headers["Location"].endswith("/participate/tasks/1")
    submit(client, "/participate/tasks/1", {"outcome": "success", "seq": "6", "comment": "分かりやすかったです。"})
    response = submit(client, "/participate/tasks/2", {"outcome": "failure", "seq": "2", "comment": "ボタンが見つからない"})
    assert response.headers["Location"].endswith("/participate/questionnaire")
    items = {f"item{i}": "4" if i % 2 else "2" for i in range(1, 11)}
    response = submit(client, "/participate/questionnaire", {**items, "comment": "全体として良かった"}, follow=True)
    html = response.get_data(as_text=True)
    assert 'id="receipt-code"' in html and "ご協力ありがとうございました" in html

    person = db.session.query(Participant).one()
    assert person.municipality_code == "131041" and person.age_band == "70s"
    assert not any(code in str(value) for value in vars(person).values() for code in ("160-0023", "1600023"))
    assert person.consent_version == "2026-11" and person.consented_at is not None
    attempts = db.session.query(Attempt).order_by(Attempt.task_id).all()
    assert [(a.outcome, a.seq, a.source) for a in attempts] == [("success", 6, "self"), ("failure", 2, "self")]
    assert all(a.seconds is not None and a.seconds > 0 for a in attempts)
    assert db.session.query(QuestionnaireResponse).one().score == 75.0
    assert db.session.query(Comment).count() == 3
    assert person.receipt_code in html


def test_whole_path_in_english(client, study_session):
    client.get("/?lang=en")
    html = client.get(f"/join/{CODE}").get_data(as_text=True)
    assert '<html lang="en">' in html and "We are testing the service, not you." in html
    join_and_consent(client)
    submit(client, "/participate/profile", {})
    html = client.get("/participate/tasks/1").get_data(as_text=True)
    assert "Could you do this task?" in html and "Task 1" in html
    submit(client, "/participate/tasks/1", {"outcome": "partial"})
    submit(client, "/participate/tasks/2", {"outcome": "abandoned"})
    html = client.get("/participate/questionnaire").get_data(as_text=True)
    assert "I thought the system was easy to use." in html
    items = {f"item{i}": "3" for i in range(1, 11)}
    html = submit(client, "/participate/questionnaire", items, follow=True).get_data(as_text=True)
    assert "Thank you for taking part" in html and 'id="receipt-code"' in html


def test_profile_questions_are_all_optional_and_keep_no_postal_code(client, study_session):
    join_and_consent(client)
    assert submit(client, "/participate/profile", {}).status_code == 302
    person = db.session.query(Participant).one()
    assert person.profile_done and person.age_band is None and person.municipality_code is None


def test_assistive_technology_is_kept_only_with_its_own_consent(client, study_session):
    join_and_consent(client)
    submit(client, "/participate/profile", {"assistive_technology": "screen_reader"})
    assert db.session.query(Participant).one().assistive_technology is None
    db.session.query(Participant).update({"profile_done": False})
    db.session.commit()
    submit(client, "/participate/profile", {"assistive_technology": "screen_reader", "assistive_consent": "y"})
    assert db.session.query(Participant).one().assistive_technology == "screen_reader"


def test_double_click_on_consent_joins_once(client, study_session):
    html = client.get(f"/join/{CODE}/consent").get_data(as_text=True)
    data = {"csrf_token": csrf_token(html), "key": hidden_value(html, "key"), "agree": "y"}
    first = client.post(f"/join/{CODE}/consent", data=data)
    second = client.post(f"/join/{CODE}/consent", data=data)
    assert first.status_code == second.status_code == 302
    assert db.session.query(Participant).count() == 1


def test_resubmitting_a_task_page_stores_one_attempt(client, study_session):
    join_and_consent(client)
    submit(client, "/participate/profile", {})
    html = client.get("/participate/tasks/1").get_data(as_text=True)
    data = {"csrf_token": csrf_token(html), "ticket": hidden_value(html, "ticket"), "outcome": "success", "seq": "5",
            "comment": "よかった"}
    for _ in range(3):  # double click, then back-and-resubmit
        assert client.post("/participate/tasks/1", data=data).status_code == 302
    assert db.session.query(Attempt).count() == 1 and db.session.query(Comment).count() == 1


def test_answering_a_task_again_with_a_new_page_changes_the_answer(client, study_session):
    """Issue 14: a resident who goes back and answers again changes their answer (still one row);
    tests/participate/test_resume_and_change.py checks the tallies and replays."""
    join_and_consent(client)
    submit(client, "/participate/profile", {})
    submit(client, "/participate/tasks/1", {"outcome": "success"})
    submit(client, "/participate/tasks/1", {"outcome": "failure"})
    assert [a.outcome for a in db.session.query(Attempt)] == ["failure"]


def test_resume_with_the_same_browser_and_with_the_receipt_code(client, app, study_session):
    join_and_consent(client)
    submit(client, "/participate/profile", {})
    submit(client, "/participate/tasks/1", {"outcome": "success"})
    assert client.get("/participate").headers["Location"].endswith("/participate/tasks/2")
    receipt = db.session.query(Participant).one().receipt_code
    other_browser = app.test_client()
    response = submit(other_browser, "/resume", {"receipt_code": receipt.lower()})
    assert response.headers["Location"].endswith("/participate/tasks/2")


def test_unknown_receipt_code_says_so(client, study_session):
    response = submit(client, "/resume", {"receipt_code": "ZZZZZ-ZZZZZ"})
    assert response.status_code == 400
    assert "この受付番号は見つかりませんでした" in response.get_data(as_text=True)


def test_withdraw_removes_answers_from_figures_and_deletes_text(client, study_session):
    join_and_consent(client)
    submit(client, "/participate/profile", {"age_band": "30s"})
    submit(client, "/participate/tasks/1", {"outcome": "success", "comment": "メモ"})
    person = db.session.query(Participant).one()
    response = submit(client, "/withdraw", {"receipt_code": person.receipt_code, "confirm": "y"})
    assert response.status_code == 200 and "参加を取り消しました" in response.get_data(as_text=True)
    db.session.refresh(person)
    assert person.withdrawn and person.age_band is None
    assert db.session.query(Comment).count() == 0
    assert client.get("/participate").status_code == 302  # the browser's session no longer continues


def test_capacity_is_enforced(client, app, ctx):
    make_session(make_service(), invite_code=CODE, capacity=1)
    join_and_consent(client)
    response = submit(app.test_client(), f"/join/{CODE}/consent", {"agree": "y"})
    assert response.status_code == 403
    assert db.session.query(Participant).count() == 1


def test_closing_the_session_stops_new_answers(client, study_session):
    _, test_session = study_session
    join_and_consent(client)
    submit(client, "/participate/profile", {})
    test_session.is_open = False
    db.session.commit()
    response = submit(client, "/participate/tasks/1", {"outcome": "success"})
    assert response.status_code == 403
    assert db.session.query(Attempt).count() == 0
