"""Password reset by e-mail, end to end: the request page, the queue, the worker's drain, a real SMTP server on
127.0.0.1 (aiosmtpd), the link in the message, the new password."""
from __future__ import annotations

import re

import pytest
from conftest import _config_for
from helpers import PASSWORD, csrf_token, make_user, post_form
from sqlalchemy import select

from civictest import create_app
from civictest.extensions import db
from civictest.models import AuditEvent, User
from civictest.services import accounts

SITE = "https://civictest.city.example.jp"
NEW_PASSWORD = "a long new passphrase 2026"


@pytest.fixture(autouse=True)
def _site(app, monkeypatch):  # noqa: ANN202
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", SITE)


def ask(client, email: str, **kwargs):  # noqa: ANN001, ANN003, ANN201
    return post_form(client, "/auth/forgot", {"email": email}, **kwargs)


def link_in(message) -> str:  # noqa: ANN001
    text = message.get_body(("plain",)).get_content()
    match = re.search(re.escape(SITE) + r"(/auth/reset/\S+)", text)
    assert match, text
    return match.group(1)


def test_the_answer_is_the_same_whether_or_not_the_address_has_an_account(app, ctx, smtp_server, drain_mail):
    user = make_user("service_team", email="team@example.jp")
    known = ask(app.test_client(), " TEAM@example.jp ")
    unknown = ask(app.test_client(), "nobody@example.jp")
    assert known.status_code == unknown.status_code == 200
    assert known.get_data() == unknown.get_data()
    db.session.commit()
    drain_mail(app)
    [message] = smtp_server.messages
    assert message["To"] == user.email and message["Subject"] == "civictest パスワードの再設定"
    assert message["Content-Language"] == "ja"
    assert link_in(message).startswith("/auth/reset/")
    assert f'href="{SITE}/auth/reset/' in message.get_body(("html",)).get_content()
    outcomes = [e.detail["outcome"] for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "password_reset_requested").order_by(AuditEvent.id))]
    assert outcomes == ["reset", "unknown"]


def test_the_link_sets_a_new_password_once(app, ctx, smtp_server, drain_mail):
    user = make_user("service_team", email="team@example.jp")
    old_version = user.session_version
    ask(app.test_client(), user.email)
    drain_mail(app)
    path = link_in(smtp_server.messages[0])
    browser = app.test_client()
    assert browser.get(path).status_code == 200
    short = post_form(browser, path, {"password": "short", "confirm": "short"})
    assert short.status_code == 400 and "12文字以上" in short.get_data(as_text=True)
    mismatch = post_form(browser, path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "x"})
    assert mismatch.status_code == 400 and "一致しません" in mismatch.get_data(as_text=True)
    done = post_form(browser, path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302 and done.headers["Location"] == "/auth/login"
    db.session.expire_all()
    assert accounts.authenticate(user.email, NEW_PASSWORD) is not None
    assert accounts.authenticate(user.email, PASSWORD) is None
    assert db.session.get(User, user.id).session_version > old_version  # other sessions end
    again = app.test_client().get(path)
    assert again.status_code == 400 and "このリンクは使えません" in again.get_data(as_text=True)
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "password_reset")).one().user_id == user.id


def test_the_link_dies_when_the_password_changes_or_time_runs_out(app, ctx, smtp_server, drain_mail, monkeypatch):
    user = make_user("service_team", email="team@example.jp")
    ask(app.test_client(), user.email)
    drain_mail(app)
    path = link_in(smtp_server.messages[0])
    monkeypatch.setitem(app.config, "PASSWORD_RESET_MINUTES", -1)
    assert app.test_client().get(path).status_code == 400  # expired
    monkeypatch.setitem(app.config, "PASSWORD_RESET_MINUTES", 60)
    assert app.test_client().get(path).status_code == 200
    accounts.set_password(db.session.get(User, user.id), "changed by an admin meanwhile")
    db.session.commit()
    assert app.test_client().get(path).status_code == 400
    assert app.test_client().get(path[:-3] + "abc").status_code == 400  # a forged signature


def test_sso_only_accounts_are_told_to_use_the_office_account(app, ctx, smtp_server, drain_mail):
    user = make_user("service_team", email="sso@example.jp")
    user.password_hash = None
    disabled = make_user("admin", email="off@example.jp")
    disabled.active = False
    db.session.commit()
    ask(app.test_client(), user.email)
    ask(app.test_client(), disabled.email)
    drain_mail(app)
    [message] = smtp_server.messages
    text = message.get_body(("plain",)).get_content()
    assert message["To"] == "sso@example.jp" and "庁内アカウントでログイン" in text and "/auth/reset/" not in text


def test_the_mail_is_in_the_page_language(app, ctx, smtp_server, drain_mail):
    make_user("service_team", email="team@example.jp")
    browser = app.test_client()
    browser.get("/auth/forgot?lang=en")
    ask(browser, "team@example.jp", get_url="/auth/forgot")
    drain_mail(app)
    [message] = smtp_server.messages
    assert message["Subject"] == "civictest password reset" and message["Content-Language"] == "en"
    assert "only once" in message.get_body(("plain",)).get_content()


def test_a_forged_host_header_never_reaches_the_link(app, ctx, smtp_server, drain_mail, monkeypatch):
    make_user("service_team", email="team@example.jp")
    browser = app.test_client()
    page = browser.get("/auth/forgot", headers={"Host": "evil.example"}).get_data(as_text=True)
    browser.post("/auth/forgot", data={"csrf_token": csrf_token(page), "email": "team@example.jp"},
                 headers={"Host": "evil.example"})
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "")  # and with no configured site, no link is sent at all
    ask(app.test_client(), "team@example.jp")
    drain_mail(app)
    [message] = smtp_server.messages
    assert "evil.example" not in message.as_string() and link_in(message)
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "password_reset_requested")
                                .order_by(AuditEvent.id)).all()
    assert [e.detail["outcome"] for e in events] == ["reset", "no_base_url"]


@pytest.fixture
def _limiter_as_it_was():  # noqa: ANN202
    from civictest.extensions import limiter

    saved = dict(vars(limiter))
    yield
    vars(limiter).clear()
    vars(limiter).update(saved)


def test_requests_are_limited_per_address_and_per_ip(app, ctx, _limiter_as_it_was):
    limited = create_app(type("Limited", (_config_for(app.config["SQLALCHEMY_DATABASE_URI"]),),
                              {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://",
                               "PUBLIC_BASE_URL": SITE}))
    limited.test_client_class = app.test_client_class
    statuses = []
    for n in range(4):  # one address from four different machines
        browser = limited.test_client()
        env = {"REMOTE_ADDR": f"192.0.2.{n + 1}"}
        token = csrf_token(browser.get("/auth/forgot", environ_base=env).get_data(as_text=True))
        statuses.append(browser.post("/auth/forgot", data={"csrf_token": token, "email": "victim@example.jp"},
                                     environ_base=env).status_code)
    assert statuses == [200, 200, 200, 429]
    browser = limited.test_client()
    env = {"REMOTE_ADDR": "198.51.100.7"}
    statuses = []
    for n in range(11):  # one machine, many addresses
        token = csrf_token(browser.get("/auth/forgot", environ_base=env).get_data(as_text=True))
        statuses.append(browser.post("/auth/forgot", data={"csrf_token": token, "email": f"p{n}@example.jp"},
                                     environ_base=env).status_code)
    assert statuses == [200] * 10 + [429]
