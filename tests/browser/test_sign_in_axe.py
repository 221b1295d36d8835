"""The sign-in pages in Chromium with axe: the login page with the office-account button (and a real sign-in
through the test OpenID Connect provider), a refusal, TOTP set-up and the second step, forgotten password and
the reset page. In Japanese and English; the set-up and second step also at phone width without JavaScript.

A server of this module's own: the demo app configured for the provider on 127.0.0.1, on the browser tests'
database, with accounts made here (the demo accounts keep signing in with a password only).
"""
from __future__ import annotations

import logging
import threading
import time

import pyotp
import pytest
from sqlalchemy import select

from browser_support import axe
from civictest import create_app
from civictest.config import TestConfig
from civictest.extensions import db
from civictest.models import User
from civictest.services import accounts, password_reset
from oidc_provider import OidcProvider

pytestmark = pytest.mark.browser
PASSWORD = "browser sign-in password"


@pytest.fixture(scope="module")
def sso_server(live_server):  # live_server: the schema and demo data exist
    from werkzeug.serving import make_server

    provider = OidcProvider()
    config = type("SsoBrowserConfig", (TestConfig,), {
        "SQLALCHEMY_DATABASE_URI": live_server.app.config["SQLALCHEMY_DATABASE_URI"],
        "OIDC_ISSUER": provider.issuer, "OIDC_CLIENT_ID": provider.client_id,
        "OIDC_CLIENT_SECRET": provider.client_secret})
    app = create_app(config)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    provider.redirect_uris.append(f"{url}/auth/oidc/callback")
    with app.app_context():
        for email, password in (("sso-person@example.jp", None), ("totp-person@example.jp", PASSWORD)):
            if db.session.scalar(select(User).where(User.email == email)) is None:
                user = User(email=email, role="service_team", password_hash=None)
                if password:
                    user.password_hash = accounts.generate_password_hash(password)
                db.session.add(user)
        db.session.commit()
        db.session.remove()
    provider.add_user("sso", email="sso-person@example.jp")
    provider.add_user("stranger", email="stranger@example.jp")
    thread = threading.Thread(target=server.serve_forever, name="sso-live-server", daemon=True)
    thread.start()
    yield url, app, provider
    server.shutdown()
    thread.join(timeout=10)
    provider.stop()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_login_with_the_office_account_button_and_a_refusal_pass_axe(sso_server, new_page, lang):
    url, app, provider = sso_server
    page = new_page()
    page.goto(f"{url}/auth/login?lang={lang}")
    button = page.locator("#sso-login")
    assert button.inner_text() == ("庁内アカウントでログイン" if lang == "ja" else "Log in with your office account")
    axe(page, label=f"login with SSO ({lang})")
    provider.user = "stranger"
    button.click()
    page.wait_for_url(f"{url}/auth/oidc/callback*")
    assert page.locator("#sso-error").is_visible()
    axe(page, label=f"SSO refused ({lang})")
    provider.user = "sso"
    page.locator("#sso-login").click()
    page.wait_for_url(lambda address: "/auth/" not in address and address.startswith(url))  # the staff home
    page.goto(f"{url}/auth/account")
    axe(page, label=f"account page after SSO ({lang})")


def _totp_user(app) -> tuple[int, str | None]:  # noqa: ANN001
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "totp-person@example.jp"))
        result = user.id, user.totp_pending_secret or user.totp_secret
        db.session.remove()
    return result


def _code(secret: str, ahead: int = 0) -> str:
    return pyotp.TOTP(secret).generate_otp(int(time.time() // 30) + ahead)


def _password_login(page, url: str) -> None:  # noqa: ANN001
    page.goto(f"{url}/auth/login")
    page.fill("input[name=email]", "totp-person@example.jp")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("form[action='/auth/login'] button[type=submit]")


def test_totp_set_up_and_second_step_pass_axe_on_a_phone_without_javascript(sso_server, new_page):
    url, app, _ = sso_server
    page = new_page(js=False, phone=True)
    _password_login(page, url)
    page.goto(f"{url}/auth/account")
    axe(page, label="account page, no second factor")
    page.goto(f"{url}/auth/account/two-factor")
    assert page.locator("svg[role=img] title").text_content() and page.locator("#totp-secret").is_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the set-up page scrolls sideways on a phone ({width}px)"
    axe(page, label="TOTP set-up")
    page.fill("input[name=code]", "000000")
    page.click("main form button[type=submit]")
    axe(page, label="TOTP set-up, wrong code")
    _, secret = _totp_user(app)
    page.fill("input[name=code]", _code(secret))
    page.click("main form button[type=submit]")
    assert page.locator(".recovery-codes li").count() == 10
    axe(page, label="recovery codes")

    second = new_page(js=False, phone=True)
    _password_login(second, url)
    assert second.url.endswith("/auth/two-factor")
    axe(second, label="TOTP second step")
    second.fill("input[name=code]", "12345")
    second.click("main form button[type=submit]")
    assert second.locator(".error-summary").is_visible()
    axe(second, label="TOTP second step, wrong code")
    second.fill("input[name=code]", _code(secret, 1))
    second.click("main form button[type=submit]")
    assert "/staff" in second.url or "/review" in second.url, second.url


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_forgotten_password_pages_pass_axe(sso_server, new_page, lang):
    url, app, _ = sso_server
    page = new_page()
    page.goto(f"{url}/auth/forgot?lang={lang}")
    axe(page, label=f"forgot password ({lang})")
    page.click("main form button[type=submit]")
    assert page.locator(".error-summary").is_visible()
    axe(page, label=f"forgot password, empty ({lang})")
    page.fill("input[name=email]", "nobody@example.jp")
    page.click("main form button[type=submit]")
    axe(page, label=f"check your e-mail ({lang})")
    with app.app_context():
        demo = db.session.scalar(select(User).where(User.email == "team@example.jp"))
        token = password_reset.make_token(demo)
        db.session.remove()
    page.goto(f"{url}/auth/reset/{token}")
    axe(page, label=f"new password ({lang})")
    page.fill("input[name=password]", "short")
    page.click("main form button[type=submit]")
    assert page.locator(".error-summary").is_visible()
    axe(page, label=f"new password, errors ({lang})")
    page.goto(f"{url}/auth/reset/not-a-token")
    axe(page, label=f"link cannot be used ({lang})")
