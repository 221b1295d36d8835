"""A bad-input corpus against every public POST route: never a 500, never a partial row, text escaped.

Each case is sent in every field of the form at once (with a valid CSRF token, key and ticket, so the
input itself is what is judged); tokens are then attacked on their own. Runs on both databases.
"""
from urllib.parse import urlencode

import pytest
from helpers import (
    RESIDENT_CODE, csrf_token, hidden_fields, join_and_consent, make_service, make_session, make_user, submit,
)
from sqlalchemy import func, select

from civictest.extensions import db
from civictest.models import Attempt, Comment, Participant, QuestionnaireResponse

CORPUS = [
    "", " ", "\t", "\n\n", "\x00", "a\x00b", "\x00" * 100, "あ" * 2001, "x" * 100_000, "𠮷" * 3000,
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "\"><svg onload=alert(1)>", "javascript:alert(1)",
    "';DROP TABLE attempt;--", "1 OR 1=1", "%00", "%FF%FE", b"\xed\xa0\x80", b"\xff\xfe\xfd", b"\xc3\x28", "\u202e\u202d", "\ufeff",
    "=1+2", "+SUM(A1:A9)", "-2+3", "@SUM(1)", "=HYPERLINK(\"http://evil\")", "\t=1", "\r=1",
    "0", "-1", "-999999999999", "9" * 30, "1e308", "-1e308", "NaN", "Infinity", "-0", "0x1F", "1_000",
    "3.5", "７", "٣", "true", "null", "None", "[]", "{}", "[1,2]", '{"a":1}',
    "success", "not_attempted", "observer", "SUCCESS", " success ", "success\x00", "8", "1", "5",
    "../../etc/passwd", "${7*7}", "{{7*7}}", "{% raw %}", "\\", "\"", "'", "`", "😀" * 500,
    "ABCDE-FGHJK", "abcde-fghjk", "ZZZZZ-ZZZZZ", "A" * 64, "A" * 65, "160-0023", "１６０－００２３",
]

RESIDENT_TABLES = (Participant, Attempt, Comment, QuestionnaireResponse)
OK_STATUSES = {200, 302, 400, 403, 404, 413, 429}


def _counts() -> tuple[int, ...]:
    return tuple(db.session.scalar(select(func.count()).select_from(model)) for model in RESIDENT_TABLES)


def _fields(html: str) -> list[str]:
    import re

    names = set(re.findall(r'<(?:input|textarea|select)[^>]*name="([^"]+)"', html))
    return sorted(names - {"csrf_token", "key", "ticket"})


def _attack(client, url: str, value: str):  # noqa: ANN001, ANN202
    html = client.get(url).get_data(as_text=True)
    hidden = hidden_fields(html)
    before = _counts()
    # Invalid UTF-8 cannot be a str, so those cases go as a raw url-encoded body.
    body = urlencode({**hidden, **{name: value for name in _fields(html)}})
    response = client.post(url, data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code in OK_STATUSES, (url, repr(value)[:60], response.status_code)
    if response.status_code != 302:
        assert _counts() == before, f"partial row stored for {url} {value!r:.60}"
    page = response.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "<img src=x onerror" not in page
    return response


@pytest.fixture
def resident(client, ctx):
    make_session(make_service(tasks=2), invite_code=RESIDENT_CODE, capacity=10_000)
    return client


def test_corpus_has_at_least_sixty_cases():
    assert len(CORPUS) >= 60


def test_consent_resume_and_withdraw_survive_the_corpus(resident):
    for value in CORPUS:
        for url in (f"/join/{RESIDENT_CODE}/consent", "/resume", "/withdraw"):
            _attack(resident, url, value)
    assert all("\x00" not in code for code in db.session.scalars(select(Participant.receipt_code)))


def test_profile_task_and_questionnaire_survive_the_corpus(resident, app):
    for value in CORPUS:
        browser = app.test_client()
        join_and_consent(browser)
        for url in ("/participate/profile", "/participate/tasks/1", "/participate/questionnaire"):
            _attack(browser, url, value)
    texts = db.session.scalars(select(Comment.text)).all()
    assert all("\x00" not in text and len(text) <= 2000 for text in texts)
    assert all(a.seq is None or 1 <= a.seq <= 7 for a in db.session.scalars(select(Attempt)))


def test_login_survives_the_corpus(client, ctx):
    make_user("admin")
    for value in CORPUS:
        response = _attack(client, "/auth/login", value)
        assert response.status_code != 302


def test_missing_wrong_and_replayed_tokens(resident, app):
    join_and_consent(resident)
    submit(resident, "/participate/profile", {})
    html = resident.get("/participate/tasks/1").get_data(as_text=True)
    form = {**hidden_fields(html), "outcome": "success"}
    before = _counts()
    assert resident.post("/participate/tasks/1", data={**form, "csrf_token": ""}).status_code == 400
    assert resident.post("/participate/tasks/1", data={**form, "csrf_token": "forged"}).status_code == 400
    stranger = app.test_client()
    stranger.get("/")
    assert stranger.post("/participate/tasks/1", data=form).status_code in (302, 400)  # no participant: sent away
    assert _counts() == before
    assert resident.post("/participate/tasks/1", data=form).status_code == 302
    assert resident.post("/participate/tasks/1", data=form).status_code == 302  # replay: acknowledged, not stored
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 1


def test_stored_text_is_rendered_escaped_to_staff(resident, app):
    join_and_consent(resident)
    submit(resident, "/participate/profile", {})
    submit(resident, "/participate/tasks/1", {"outcome": "failure", "comment": "<script>alert(1)</script>困った"})
    stored = db.session.scalar(select(Comment.text))
    assert stored == "<script>alert(1)</script>困った", "text is stored as typed (encoded on output, not input)"


def test_oversized_body_is_refused_politely(resident):
    html = resident.get(f"/join/{RESIDENT_CODE}/consent").get_data(as_text=True)
    response = resident.post(f"/join/{RESIDENT_CODE}/consent",
                             data={"csrf_token": csrf_token(html), "agree": "y", "pad": "x" * (21 * 1024 * 1024)})
    assert response.status_code == 413
    assert db.session.scalar(select(func.count()).select_from(Participant)) == 0
