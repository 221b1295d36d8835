"""Issue 14 item 10: one error per unanswered item that names it; plain SUS wording; the methods note says which."""
import re

import pytest
from helpers import RESIDENT_CODE, join_and_consent, make_service, make_session, make_user, login, submit

from civictest import instruments
from civictest.extensions import db
from civictest.models import Iteration, QuestionnaireResponse


@pytest.fixture
def at_questionnaire(client, ctx):
    make_session(make_service(tasks=1), invite_code=RESIDENT_CODE)
    join_and_consent(client)
    submit(client, "/participate/profile", {})
    submit(client, "/participate/tasks/1", {"outcome": "success"})
    return client


def test_each_unanswered_item_gets_its_own_error_naming_it(at_questionnaire):
    response = submit(at_questionnaire, "/participate/questionnaire", {"item2": "1", "item5": "4"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    summary = html.split('id="error-summary-title"')[1].split("</ul>")[0]
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary)
    assert len(links) == 8 and len({text for _, text in links}) == 8, "eight different messages, not one eight times"
    items = instruments.items("sus", "ja")
    for number in (1, 3, 4, 6, 7, 8, 9, 10):
        assert f"{number}.「{items[number - 1]}」に答えてください" in summary
    assert "2.「" not in summary and "5.「" not in summary
    assert db.session.query(QuestionnaireResponse).count() == 0


def test_errors_name_the_item_in_english(at_questionnaire):
    at_questionnaire.get("/?lang=en")
    html = submit(at_questionnaire, "/participate/questionnaire", {}).get_data(as_text=True)
    assert "Please answer 3. “I thought the system was easy to use.”" in html


def test_the_resident_sees_plain_japanese_that_keeps_each_item(at_questionnaire):
    html = at_questionnaire.get("/participate/questionnaire").get_data(as_text=True)
    for hard in ("このシステム", "統合されている", "矛盾", "技術サポート", "同意度"):
        assert hard not in html, hard
    data = instruments.instrument("sus")
    assert data["instrument_id"] == "sus-ja-plain" and data["based_on"]["instrument_id"] == "sus-ja-A"
    assert len(data["items_ja"]) == len(data["based_on"]["items_ja"]) == 10
    assert "このサービスのいろいろな機能は、うまくまとまっていると思う" in html
    assert "全くそう思わない" in html and "とてもそう思う" in html
    items = {f"item{i}": "3" for i in range(1, 11)}
    assert submit(at_questionnaire, "/participate/questionnaire", items).status_code == 302
    assert db.session.query(QuestionnaireResponse).count() == 1


def test_the_dashboard_methods_note_names_the_wording(at_questionnaire, app):
    submit(at_questionnaire, "/participate/questionnaire", {f"item{i}": "4" for i in range(1, 11)})
    staff = app.test_client()
    login(staff, make_user("admin"))
    iteration_id = db.session.query(Iteration).one().id
    html = staff.get(f"/compare/iterations/{iteration_id}").get_data(as_text=True)
    note = html.split('id="questionnaire-wording"')[1].split("</details>")[0]
    assert "sus-ja-plain" in note and "sus-ja-A" in note and "比べないで" in note
