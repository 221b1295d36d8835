"""TOTP second factor for local password accounts: enrolment, the second step at login, replays, recovery codes,
the code limit, an admin's reset, and REQUIRE_TOTP_FOR_ADMINS."""
from __future__ import annotations

import re
import time

import pyotp
import pytest
from conftest import _config_for
from helpers import csrf_token, login, make_user, post_form
from sqlalchemy import select

from civictest import create_app
from civictest.extensions import db
from civictest.models import AuditEvent, RecoveryCode, User


def code_for(secret: str, steps_ahead: int = 0) -> str:
    totp = pyotp.TOTP(secret)
    return totp.generate_otp(int(time.time() // totp.interval) + steps_ahead)


def with_totp(user: User) -> str:
    user.totp_secret = pyotp.random_base32()
    db.session.commit()
    return user.totp_secret


def actions() -> list[str]:
    db.session.expire_all()
    return [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def test_enrolment_shows_a_qr_code_and_the_key_and_needs_a_right_code(client, ctx):
    user = make_user("service_team", email="team@example.jp")
    login(client, user)
    page = client.get("/auth/account/two-factor")
    html = page.get_data(as_text=True)
    pending = db.session.get(User, user.id).totp_pending_secret
    assert page.status_code == 200 and pending
    assert re.search(r'<svg role="img" aria-labelledby="qr-title"[^>]*>\s*<title id="qr-title">', html)
    assert re.search(r'<path d="M\d+ \d+\.5h\d+', html)  # the QR code's dark modules
    grouped = " ".join(pending[i:i + 4] for i in range(0, len(pending), 4))
    assert f'<code id="totp-secret" lang="en" translate="no">{grouped}</code>' in html  # for screen readers
    wrong = post_form(client, "/auth/account/two-factor", {"code": "000000" if code_for(pending) != "000000" else "111111"})
    assert wrong.status_code == 400 and "確認コードが正しくありません" in wrong.get_data(as_text=True)
    assert db.session.get(User, user.id).totp_secret is None
    done = post_form(client, "/auth/account/two-factor", {"code": code_for(pending)})
    codes = re.findall(r"<code>([0-9a-f]{5}-[0-9a-f]{5})</code>", done.get_data(as_text=True))
    assert done.status_code == 200 and len(set(codes)) == 10
    stored = db.session.get(User, user.id)
    assert stored.totp_secret == pending and stored.totp_pending_secret is None
    hashes = db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)).all()
    assert len(hashes) == 10 and not any(code.replace("-", "") in h for code in codes for h in hashes)
    assert "totp_enabled" in actions()
    assert "回復コードの残り: 10個" in client.get("/auth/account").get_data(as_text=True)


def test_login_asks_for_the_code_refuses_a_wrong_one_and_a_replay(app, client, ctx):
    user = make_user("admin", email="admin@example.jp")
    secret = with_totp(user)
    first = login(client, user)
    assert first.status_code == 302 and first.headers["Location"] == "/auth/two-factor"
    assert client.get("/manage/").status_code == 302  # the password alone opens nothing
    good = code_for(secret)
    wrong = post_form(client, "/auth/two-factor", {"code": f"{(int(good) + 1) % 1_000_000:06d}"})
    assert wrong.status_code == 400 and "確認コードが正しくないか" in wrong.get_data(as_text=True)
    ok = post_form(client, "/auth/two-factor", {"code": good})
    assert ok.status_code == 302 and client.get("/manage/").status_code == 200
    login_event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "login")).one()
    assert login_event.detail["method"] == "password+totp"

    other = app.test_client()  # someone who watched the code being typed, within the same 30 seconds
    login(other, user)
    replay = post_form(other, "/auth/two-factor", {"code": good})
    assert replay.status_code == 400 and other.get("/manage/").status_code == 302
    later = post_form(other, "/auth/two-factor", {"code": code_for(secret, 1)})  # the next step's code works
    assert later.status_code == 302 and other.get("/manage/").status_code == 200
    assert actions().count("login_failed") == 2


def test_a_recovery_code_works_once(app, client, ctx):
    user = make_user("service_team", email="team@example.jp")
    login(client, user)
    client.get("/auth/account/two-factor")
    pending = db.session.get(User, user.id).totp_pending_secret
    done = post_form(client, "/auth/account/two-factor", {"code": code_for(pending)})
    code = re.findall(r"<code>([0-9a-f]{5}-[0-9a-f]{5})</code>", done.get_data(as_text=True))[3]

    first = app.test_client()
    login(first, user)
    response = post_form(first, "/auth/two-factor", {"code": code.upper().replace("-", " ")}, follow=True)
    assert response.status_code == 200 and "残りは9個です" in response.get_data(as_text=True)
    assert first.get("/review/").status_code == 200
    again = app.test_client()
    login(again, user)
    assert post_form(again, "/auth/two-factor", {"code": code}).status_code == 400
    assert again.get("/review/").status_code == 302
    assert "recovery_code_used" in actions()


def test_the_second_step_expires_and_needs_the_password_first(app, client, ctx):
    user = make_user("admin", email="admin@example.jp")
    secret = with_totp(user)
    assert client.get("/auth/two-factor").headers["Location"].startswith("/auth/login")
    login(client, user)
    with client.session_transaction() as session:
        session["pending_2fa"] = {**session["pending_2fa"], "at": session["pending_2fa"]["at"] - 301}
    response = post_form(client, "/auth/two-factor", {"code": code_for(secret)}, get_url="/auth/login")
    assert response.status_code == 302 and response.headers["Location"].startswith("/auth/login")
    assert client.get("/manage/").status_code == 302


@pytest.fixture
def _limiter_as_it_was():  # noqa: ANN202
    from civictest.extensions import limiter

    saved = dict(vars(limiter))
    yield
    vars(limiter).clear()
    vars(limiter).update(saved)


def test_code_attempts_are_limited_per_account(app, ctx, _limiter_as_it_was):
    limited = create_app(type("Limited", (_config_for(app.config["SQLALCHEMY_DATABASE_URI"]),),
                              {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://"}))
    limited.test_client_class = app.test_client_class
    user = make_user("admin", email="admin@example.jp")
    secret = with_totp(user)
    statuses = []
    for attempt in range(6):  # a fresh browser each time: the limit is the account's, not the cookie's
        browser = limited.test_client()
        login(browser, user)
        token = csrf_token(browser.get("/auth/two-factor").get_data(as_text=True))
        statuses.append(browser.post("/auth/two-factor", data={"csrf_token": token, "code": "12345x"}).status_code)
    assert statuses == [400] * 5 + [429]
    response = browser.post("/auth/two-factor", data={"csrf_token": token, "code": code_for(secret)})
    assert response.status_code == 429 and browser.get("/manage/").status_code == 302


def test_an_admin_resets_a_lost_second_factor_and_it_is_audited(app, client, ctx):
    admin = make_user("admin", email="admin@example.jp")
    team = make_user("service_team", email="team@example.jp")
    with_totp(team)
    login(client, admin)
    listing = client.get("/manage/users").get_data(as_text=True)
    assert "2段階認証を解除" in listing
    response = client.post(f"/manage/users/{team.id}/two-factor/reset", data={"csrf_token": csrf_token(listing)})
    assert response.status_code == 302
    assert db.session.get(User, team.id).totp_secret is None
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "totp_reset")).one()
    assert (event.user_id, event.object_id, event.detail) == (admin.id, team.id, {"had_totp": True})
    person = app.test_client()
    assert login(person, team).headers["Location"] == "/auth/staff"  # the password alone is enough again
    intruder = app.test_client()
    login(intruder, team)
    refused = intruder.post(f"/manage/users/{admin.id}/two-factor/reset",
                            data={"csrf_token": csrf_token(intruder.get("/review/").get_data(as_text=True))})
    assert refused.status_code == 403


def test_people_turn_their_own_second_factor_off_with_a_code(client, ctx):
    user = make_user("service_team", email="team@example.jp")
    secret = with_totp(user)
    login(client, user)
    post_form(client, "/auth/two-factor", {"code": code_for(secret)})
    refused = post_form(client, "/auth/account/two-factor/off", {"disable-code": "000000"}, get_url="/auth/account")
    assert refused.status_code == 302 and db.session.get(User, user.id).totp_secret == secret
    done = post_form(client, "/auth/account/two-factor/off", {"disable-code": code_for(secret, 1)},
                     get_url="/auth/account")
    assert done.status_code == 302 and db.session.get(User, user.id).totp_secret is None
    assert "totp_disabled" in actions()


def test_admins_must_set_up_a_second_factor_when_required(app, ctx):
    strict = create_app(type("Strict", (_config_for(app.config["SQLALCHEMY_DATABASE_URI"]),),
                             {"REQUIRE_TOTP_FOR_ADMINS": True}))
    strict.test_client_class = app.test_client_class
    admin = make_user("admin", email="admin@example.jp")
    team = make_user("service_team", email="team@example.jp")
    browser = strict.test_client()
    login(browser, admin)
    response = browser.get("/manage/")
    assert response.status_code == 302 and response.headers["Location"] == "/auth/account/two-factor"
    assert browser.get("/auth/account/two-factor").status_code == 200
    pending = db.session.get(User, admin.id).totp_pending_secret
    post_form(browser, "/auth/account/two-factor", {"code": code_for(pending)})
    assert browser.get("/manage/").status_code == 200
    other = strict.test_client()
    login(other, team)
    assert other.get("/review/").status_code == 200  # only admins
