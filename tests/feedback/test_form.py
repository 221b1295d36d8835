"""The embeddable feedback form through the test client: one answer stores one row and counts it; bad input, an
old or forged token and the honeypot store nothing; a flood from one address is limited, others are not; only
these pages may be framed, by the service's own site."""
from __future__ import annotations

import re
from datetime import date

import pytest
from conftest import _config_for
from helpers import hidden_fields, make_service
from sqlalchemy import func, select

from civictest import create_app
from civictest.extensions import db
from civictest.models import FeedbackResponse, FeedbackTally
from civictest.models.base import ID_MAX
from civictest.services import catalog
from civictest.services.feedback import live_iteration, stored_tally, tally_from_rows


@pytest.fixture
def service(ctx):
    service = make_service()
    service.url = "https://shinsei.city.example.lg.jp/hoiku/start"
    db.session.commit()
    return service


def _count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(FeedbackResponse))


def _post(client, service, data: dict, lang: str = "ja", **kwargs):  # noqa: ANN001, ANN003, ANN202
    url = f"/feedback/{service.id}?lang={lang}"
    html = client.get(url).get_data(as_text=True)
    return client.post(url, data={**hidden_fields(html), **data}, **kwargs)


def test_an_answer_stores_one_row_scrubbed_and_counted_without_any_cookie(client, service):
    page = client.get(f"/feedback/{service.id}")
    assert page.status_code == 200 and 'lang="ja"' in page.get_data(as_text=True)
    assert "Set-Cookie" not in page.headers, "the form must not need (or set) the session cookie"
    client._cookies.clear()  # what a browser blocking third-party cookies sends: none
    response = _post(client, service, {"rating": "4", "task_done": "partly",
                                       "comment": "入力が長い。連絡は090-1234-5678まで"})
    assert response.status_code == 302 and f"/feedback/{service.id}/thanks" in response.headers["Location"]
    assert "Set-Cookie" not in response.headers
    row = db.session.scalars(select(FeedbackResponse)).one()
    assert (row.rating, row.task_done, row.lang, row.iteration_id) == (4, "partly", "ja", service.iterations[0].id)
    assert "090-1234-5678" not in row.comment and row.redactions
    assert row.received_week.weekday() == 0, "dated by the Monday of its week only"
    assert stored_tally(service.id) == tally_from_rows(service.id) == {(service.iterations[0].id, 4, "partly"): (1, 1)}
    thanks = client.get(response.headers["Location"])
    assert thanks.status_code == 200 and "ありがとうございました" in thanks.get_data(as_text=True)


def test_english_form_keeps_its_language_through_the_post(client, service):
    response = _post(client, service, {"rating": "5"}, lang="en")
    assert response.status_code == 302 and "lang=en" in response.headers["Location"]
    assert db.session.scalars(select(FeedbackResponse)).one().lang == "en"
    assert "Thank you" in client.get(response.headers["Location"]).get_data(as_text=True)


@pytest.mark.parametrize("lang, message", [
    ("ja", "満足度を「とても満足」から「とても不満」までの中から1つ選んでください。"),
    ("en", "Choose how satisfied you are, from"),
])
@pytest.mark.parametrize("data", [{}, {"rating": "6"}, {"rating": "abc"}, {"rating": "0"},
                                  {"rating": "", "comment": "とても良い"}])
def test_bad_rating_stores_nothing_and_says_why_in_the_users_language(client, service, lang, message, data):
    response = _post(client, service, data, lang=lang)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html and f'lang="{lang}"' in html
    assert _count() == 0 and db.session.scalar(select(func.count()).select_from(FeedbackTally)) == 0


def test_bad_task_answer_and_too_long_comment_store_nothing(client, service):
    assert _post(client, service, {"rating": "3", "task_done": "maybe"}).status_code == 400
    response = _post(client, service, {"rating": "3", "comment": "あ" * 1001})
    assert response.status_code == 400 and "1000文字以内" in response.get_data(as_text=True)
    assert _count() == 0


def test_forged_or_expired_token_stores_nothing_and_keeps_the_answers(app, client, service):
    response = client.post(f"/feedback/{service.id}", data={"rating": "5", "token": "forged"})
    assert response.status_code == 400 and "有効期限" in response.get_data(as_text=True)
    assert re.search(r'<input checked[^>]*value="5"', response.get_data(as_text=True)), "the choice is kept"
    other = make_service("kankyo", "粗大ごみ")
    token = hidden_fields(client.get(f"/feedback/{other.id}").get_data(as_text=True))["token"]
    assert client.post(f"/feedback/{service.id}", data={"rating": "5", "token": token}).status_code == 400
    app.config["FEEDBACK_TOKEN_MAX_AGE"] = -1  # every token is too old
    try:
        assert _post(client, service, {"rating": "5"}).status_code == 400
    finally:
        app.config["FEEDBACK_TOKEN_MAX_AGE"] = 7200
    assert _count() == 0


def test_honeypot_answers_as_if_stored_and_stores_nothing(client, service):
    response = _post(client, service, {"rating": "5", "website": "http://spam.example"})
    assert response.status_code == 302 and "/thanks" in response.headers["Location"]
    assert _count() == 0


def test_unknown_service_too_large_id_and_no_live_iteration_are_404(client, service):
    assert client.get("/feedback/999999").status_code == 404
    assert client.get(f"/feedback/{ID_MAX + 1}").status_code == 404
    assert client.post(f"/feedback/{2**63}", data={"rating": "5"}).status_code == 404
    assert client.get(f"/feedback/{service.id}/thanks").status_code == 200
    service.iterations[0].starts_on = date(2999, 1, 1)  # planned, not live yet: nothing to attribute to
    db.session.commit()
    assert client.get(f"/feedback/{service.id}").status_code == 404


def test_answers_go_to_the_newest_started_iteration(service):
    first = service.iterations[0]
    second = catalog.create_iteration(service, "第2版", starts_on=date(2026, 6, 1))
    third = catalog.create_iteration(service, "第3版", starts_on=date(2027, 1, 1))
    db.session.commit()
    assert live_iteration(service, date(2026, 5, 31)) is first
    assert live_iteration(service, date(2026, 6, 1)) is second
    assert live_iteration(service, date(2027, 1, 1)) is third


def test_only_the_feedback_pages_may_be_framed_and_only_by_the_service_and_configured_sites(app, client, service):
    app.config["FEEDBACK_FRAME_ANCESTORS"] = "https://*.city.example.lg.jp, javascript:alert(1) https://portal.example.jp"
    try:
        for path in (f"/feedback/{service.id}", f"/feedback/{service.id}/thanks"):
            response = client.get(path)
            csp = response.headers["Content-Security-Policy"]
            assert ("frame-ancestors 'self' https://shinsei.city.example.lg.jp https://*.city.example.lg.jp "
                    "https://portal.example.jp") in csp
            assert "javascript" not in csp and "X-Frame-Options" not in response.headers
            assert "form-action 'self'" in csp and "script-src 'self'" in csp
        for path in ("/", "/accessibility", "/feedback/999999", "/auth/login"):
            response = client.get(path)
            assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"], path
            assert response.headers["X-Frame-Options"] == "DENY", path
    finally:
        app.config["FEEDBACK_FRAME_ANCESTORS"] = ""
    service.url = "javascript:alert(1)"  # a URL that is no web origin frames nothing: framing stays denied
    db.session.commit()
    response = client.get(f"/feedback/{service.id}")
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"


@pytest.fixture
def _limiter_as_it_was():  # noqa: ANN202
    """Flask-Limiter keeps its switch and storage on the one Limiter object: put it back after the test."""
    from civictest.extensions import limiter

    saved = dict(vars(limiter))
    yield
    vars(limiter).clear()
    vars(limiter).update(saved)


def test_a_flood_from_one_address_is_limited_kindly_and_other_addresses_are_not(app, service, _limiter_as_it_was):
    config = type("Limited", (_config_for(app.config["SQLALCHEMY_DATABASE_URI"]),),
                  {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://",
                   "FEEDBACK_RATE_LIMIT": "5 per minute", "FEEDBACK_FRAME_ANCESTORS": ""})
    limited = create_app(config)
    flooder = limited.test_client()
    flooder.environ_base["REMOTE_ADDR"] = "203.0.113.7"
    statuses = [_post(flooder, service, {"rating": "1"}, lang="en").status_code for _ in range(8)]
    assert statuses[:5] == [302] * 5 and statuses[5:] == [429] * 3
    last = _post(flooder, service, {"rating": "1"}, lang="en")
    assert last.status_code == 429 and last.headers["Retry-After"] == "60"
    assert "please wait a while" in last.get_data(as_text=True)
    assert "frame-ancestors 'self' https://shinsei.city.example.lg.jp" in last.headers["Content-Security-Policy"]
    assert flooder.get(f"/feedback/{service.id}").status_code == 200, "reading the form is not limited"
    neighbour = limited.test_client()
    neighbour.environ_base["REMOTE_ADDR"] = "198.51.100.20"
    assert _post(neighbour, service, {"rating": "5"}).status_code == 302
    assert _count() == 6
