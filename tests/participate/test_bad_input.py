"""Bad input on resident pages: a clear message in the resident's language, answers kept, nothing stored."""
import re

import pytest

from civictest.extensions import db
from civictest.models import Attempt, Comment, Participant, QuestionnaireResponse
from helpers import RESIDENT_CODE as CODE
from helpers import csrf_token, hidden_value, join_and_consent, make_service, make_session, submit


@pytest.fixture
def on_task_page(client, ctx):
    make_session(make_service(tasks=2), invite_code=CODE)
    join_and_consent(client)
    submit(client, "/participate/profile", {})
    return client


def _nothing_stored() -> bool:
    return db.session.query(Attempt).count() == 0 and db.session.query(Comment).count() == 0


def test_missing_outcome_is_explained_on_the_same_page_and_other_answers_kept(on_task_page):
    response = submit(on_task_page, "/participate/tasks/1", {"seq": "3", "comment": "途中で止まった"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "できたかどうかを選んでください" in html and "<title>エラー:" in html
    assert "途中で止まった" in html
    assert re.search(r'<input checked[^>]*name="seq"[^>]*value="3"', html), "the chosen rating stays chosen"
    assert "maxlength" not in html, "no silent truncation: the limit is a hint plus a server check"
    assert _nothing_stored()


def test_missing_outcome_in_english(on_task_page):
    on_task_page.get("/?lang=en")
    html = submit(on_task_page, "/participate/tasks/1", {}).get_data(as_text=True)
    assert "Choose whether you could do it" in html and "<title>Error:" in html


@pytest.mark.parametrize("seq", ["0", "8", "-1", "3.5", "abc", "9" * 5000, "1e9"])
def test_out_of_range_ease_rating_is_refused(on_task_page, seq):
    response = submit(on_task_page, "/participate/tasks/1", {"outcome": "success", "seq": seq})
    assert response.status_code == 400 and _nothing_stored()


@pytest.mark.parametrize("outcome", ["not_attempted", "great", "", "success ", "SUCCESS"])
def test_unknown_outcomes_are_refused(on_task_page, outcome):
    response = submit(on_task_page, "/participate/tasks/1", {"outcome": outcome})
    assert response.status_code == 400 and _nothing_stored()


def test_oversized_comment_is_refused_with_the_limit_named(on_task_page):
    response = submit(on_task_page, "/participate/tasks/1", {"outcome": "success", "comment": "あ" * 2001})
    assert response.status_code == 400
    assert "2,000文字以内" in response.get_data(as_text=True) and _nothing_stored()


def test_comment_of_exactly_the_limit_is_accepted(on_task_page):
    assert submit(on_task_page, "/participate/tasks/1", {"outcome": "success", "comment": "あ" * 2000}).status_code == 302
    assert len(db.session.query(Comment).one().text) == 2000


def test_nul_bytes_are_stripped_the_same_way_on_both_databases(on_task_page):
    assert submit(on_task_page, "/participate/tasks/1", {"outcome": "success", "comment": "途中\x00で止まった"}).status_code == 302
    assert db.session.query(Comment).one().text == "途中で止まった"


def test_invalid_utf8_does_not_break_anything(on_task_page):
    html = on_task_page.get("/participate/tasks/1").get_data(as_text=True)
    body = (f"csrf_token={csrf_token(html)}&ticket={hidden_value(html, 'ticket')}&outcome=success&comment=%FF%FE%80abc").encode()
    response = on_task_page.post("/participate/tasks/1", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code in (302, 400)
    assert db.session.query(Attempt).count() <= 1


def test_scripts_in_comments_are_stored_as_typed_and_rendered_escaped(on_task_page):
    payload = "<script>alert(1)</script>=HYPERLINK(\"x\")"
    response = submit(on_task_page, "/participate/tasks/1", {"outcome": "success", "comment": "あ" * 2001 + payload})
    assert "<script>alert(1)</script>" not in response.get_data(as_text=True)
    assert "&lt;script&gt;" in response.get_data(as_text=True)


def test_post_without_csrf_token_is_refused(on_task_page):
    html = on_task_page.get("/participate/tasks/1").get_data(as_text=True)
    response = on_task_page.post("/participate/tasks/1", data={"ticket": hidden_value(html, "ticket"), "outcome": "success"})
    assert response.status_code == 400 and _nothing_stored()


def test_forged_ticket_is_refused(on_task_page):
    response = submit(on_task_page, "/participate/tasks/1", {"outcome": "success", "ticket": "forged.ticket"})
    assert response.status_code == 400 and _nothing_stored()


def test_ticket_for_another_task_is_refused(on_task_page):
    html = on_task_page.get("/participate/tasks/2").get_data(as_text=True)
    response = submit(on_task_page, "/participate/tasks/1", {"outcome": "success", "ticket": hidden_value(html, "ticket")})
    assert response.status_code == 400 and _nothing_stored()


def test_task_not_in_the_study_is_not_found(on_task_page):
    assert on_task_page.get("/participate/tasks/3").status_code == 404
    assert on_task_page.get("/participate/tasks/0").status_code == 404


def test_unknown_and_closed_invite_codes(client, ctx):
    make_session(make_service(), invite_code="CLOSED1-CLOSED1", is_open=False)
    assert client.get("/join/NOSUCH0-NOSUCH0/consent").status_code == 404
    assert client.get("/join/CLOSED1-CLOSED1/consent").status_code == 403
    assert db.session.query(Participant).count() == 0


def test_consent_without_the_checkbox_stores_nothing(client, ctx):
    make_session(make_service(), invite_code=CODE)
    response = submit(client, f"/join/{CODE}/consent", {})
    assert response.status_code == 400
    assert "同意のチェックを入れてください" in response.get_data(as_text=True)
    assert db.session.query(Participant).count() == 0


def test_incomplete_questionnaire_keeps_answers_and_stores_nothing(on_task_page):
    submit(on_task_page, "/participate/tasks/1", {"outcome": "success"})
    submit(on_task_page, "/participate/tasks/2", {"outcome": "success"})
    response = submit(on_task_page, "/participate/questionnaire", {"item1": "5", "item2": "1"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "3.「このサービスは使いやすいと思う」に答えてください" in html
    assert "1.「" not in html and "2.「" not in html, "answered items have no error"
    assert db.session.query(QuestionnaireResponse).count() == 0


def test_bad_postal_code_is_explained(on_task_page):
    db.session.query(Participant).update({"profile_done": False})
    db.session.commit()
    response = submit(on_task_page, "/participate/profile", {"postal_code": "12-34"})
    assert response.status_code == 400 and "郵便番号は7桁の数字で入力してください" in response.get_data(as_text=True)
