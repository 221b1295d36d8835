"""Sign-in with the city's accounts: the whole OpenID Connect flow against a real provider on 127.0.0.1.

The provider (tests/oidc_provider.py) is Authlib's server side on a real HTTP port; the browser's part is played
by the civictest test client and `requests` following each redirect, so discovery, JWKS, the code exchange with
PKCE and the ID token's checks all run as in production.
"""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from conftest import _config_for
from helpers import make_user, post_form
from oidc_provider import OidcProvider
from sqlalchemy import select

from civictest import create_app
from civictest.config import ConfigError
from civictest.extensions import db
from civictest.models import AuditEvent, User
from civictest.services import accounts

CALLBACK = "http://localhost/auth/oidc/callback"


@pytest.fixture(scope="module")
def provider():
    provider = OidcProvider()
    provider.redirect_uris.append(CALLBACK)
    yield provider
    provider.stop()


@pytest.fixture(autouse=True)
def _fresh_provider_state(provider):  # noqa: ANN202
    provider.users.clear()
    provider.user, provider.tamper = None, {}
    yield


_apps: dict = {}


def sso_app(app, provider, **settings):  # noqa: ANN001, ANN003, ANN201
    """civictest configured for the test provider (one app per set of settings, reused across tests)."""
    key = tuple(sorted(settings.items()))
    if key not in _apps:
        config = type("SsoConfig", (_config_for(app.config["SQLALCHEMY_DATABASE_URI"]),), {
            "OIDC_ISSUER": provider.issuer, "OIDC_CLIENT_ID": provider.client_id,
            "OIDC_CLIENT_SECRET": provider.client_secret, **settings})
        _apps[key] = create_app(config)
        _apps[key].test_client_class = app.test_client_class
    return _apps[key]


def sign_in(client, provider, next_url: str | None = None):  # noqa: ANN001, ANN201
    """What a browser does: civictest -> provider's /authorize (real HTTP) -> back to civictest's callback."""
    start = client.get("/auth/oidc/login" + (f"?next={next_url}" if next_url else ""))
    assert start.status_code == 302, start.status_code
    authorize_url = start.headers["Location"]
    assert authorize_url.startswith(provider.issuer + "/authorize?")
    at_provider = requests.get(authorize_url, allow_redirects=False, timeout=10)
    assert at_provider.status_code == 302, at_provider.text
    back = urlsplit(at_provider.headers["Location"])
    assert f"{back.scheme}://{back.netloc}{back.path}" == CALLBACK
    return client.get(f"{back.path}?{back.query}"), authorize_url


def events(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def test_login_page_offers_the_office_account_next_to_passwords(app, provider):
    page = sso_app(app, provider).test_client().get("/auth/login").get_data(as_text=True)
    assert "庁内アカウントでログイン" in page and 'href="/auth/oidc/login"' in page
    assert 'name="password"' in page
    plain = app.test_client().get("/auth/login").get_data(as_text=True)
    assert "庁内アカウントでログイン" not in plain
    assert app.test_client().get("/auth/oidc/login").status_code == 404  # not configured: no such door


def test_roles_come_from_a_keycloak_realm_roles_claim(app, ctx, provider):
    civic = sso_app(app, provider, OIDC_ROLES_CLAIM="realm_access.roles",
                    OIDC_ROLE_MAP="civictest-admin=admin,civictest-team=service_team")
    provider.add_user("sato", email="Sato@City.example.jp", name="佐藤",
                      realm_access={"roles": ["offline_access", "civictest-team"]})
    provider.user = "sato"
    client = civic.test_client()
    response, authorize_url = sign_in(client, provider, next_url="/review/")
    query = parse_qs(urlsplit(authorize_url).query)
    assert query["code_challenge_method"] == ["S256"] and query["nonce"] and query["state"]  # PKCE, nonce, state
    assert response.status_code == 302 and response.headers["Location"] == "/review/"
    assert client.get("/review/").status_code == 200
    user = db.session.scalar(select(User).where(User.email == "sato@city.example.jp"))
    assert (user.role, user.oidc_subject, user.password_hash, user.display_name) == \
        ("service_team", "sub-sato", None, "佐藤")
    assert [(e.user_id, e.detail["method"]) for e in events("login")] == [(user.id, "oidc")]
    assert {"/.well-known/openid-configuration", "/authorize", "/token", "/jwks"} <= set(provider.requests)
    # The provider is the source of roles: a changed claim changes the role at the next sign-in.
    provider.users["sato"]["realm_access"]["roles"] = ["civictest-admin", "civictest-team"]
    sign_in(civic.test_client(), provider)
    assert db.session.get(User, user.id).role == "admin"
    # A password cannot open an SSO-only account.
    assert accounts.authenticate("sato@city.example.jp", "") is None


def test_entra_app_roles_update_a_pre_created_account(app, ctx, provider):
    civic = sso_app(app, provider, OIDC_ROLES_CLAIM="roles", OIDC_ROLE_MAP="Civictest.ProductOwner=product_owner")
    existing = make_user("facilitator", email="tanaka@city.example.jp")
    provider.add_user("tanaka", sub="entra-oid-1", preferred_username="Tanaka@city.example.jp",
                      roles=["Civictest.ProductOwner"])
    provider.user = "tanaka"
    client = civic.test_client()
    response, _ = sign_in(client, provider)
    assert response.status_code == 302
    user = db.session.get(User, existing.id)
    assert (user.role, user.oidc_subject) == ("product_owner", "entra-oid-1")
    assert client.get("/compare/").status_code == 200


def test_a_role_claim_without_a_mapped_value_is_refused(app, ctx, provider):
    civic = sso_app(app, provider, OIDC_ROLES_CLAIM="groups", OIDC_ROLE_MAP="civictest-admins=admin")
    provider.add_user("suzuki", email="suzuki@city.example.jp", groups=["somebody-else"])
    provider.user = "suzuki"
    client = civic.test_client()
    response, _ = sign_in(client, provider)
    assert response.status_code == 403
    assert "権限がありません" in response.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.email == "suzuki@city.example.jp")) is None
    assert client.get("/manage/").status_code == 302
    assert events("login_failed")[-1].detail["reason"] == "no_role"


def test_roles_kept_in_civictest_need_an_account_an_admin_created(app, ctx, provider):
    civic = sso_app(app, provider)
    team = make_user("service_team", email="ito@city.example.jp")
    provider.add_user("ito", email="ito@city.example.jp", roles=["civictest-admin"])  # ignored: no claim set
    provider.add_user("stranger", email="stranger@city.example.jp")
    provider.user = "ito"
    client = civic.test_client()
    assert sign_in(client, provider)[0].status_code == 302
    assert db.session.get(User, team.id).role == "service_team"
    assert client.get("/review/").status_code == 200 and client.get("/manage/users").status_code == 403

    provider.user = "stranger"
    refused = civic.test_client()
    response, _ = sign_in(refused, provider)
    assert response.status_code == 403
    assert "civictest に登録されていません" in response.get_data(as_text=True)
    assert refused.get("/review/").status_code == 302
    assert db.session.scalar(select(User).where(User.email == "stranger@city.example.jp")) is None
    assert events("login_failed")[-1].detail["reason"] == "unknown_user"


def test_unknown_people_get_a_disabled_account_when_creation_is_on(app, ctx, provider):
    civic = sso_app(app, provider, OIDC_CREATE_USERS=True)
    provider.add_user("kato", email="kato@city.example.jp")
    provider.user = "kato"
    client = civic.test_client()
    response, _ = sign_in(client, provider)
    assert response.status_code == 403 and "管理者が有効にすると" in response.get_data(as_text=True)
    user = db.session.scalar(select(User).where(User.email == "kato@city.example.jp"))
    assert user is not None and not user.active and user.services == []
    assert client.get("/facilitate/").status_code == 302
    response, _ = sign_in(civic.test_client(), provider)  # still disabled the next time
    assert response.status_code == 403 and events("login_failed")[-1].detail["reason"] == "disabled"


def test_a_disabled_account_cannot_sign_in_by_sso(app, ctx, provider):
    civic = sso_app(app, provider)
    user = make_user("admin", email="off@city.example.jp")
    user.active = False
    db.session.commit()
    provider.add_user("off", email="off@city.example.jp")
    provider.user = "off"
    client = civic.test_client()
    response, _ = sign_in(client, provider)
    assert response.status_code == 403 and "無効になっています" in response.get_data(as_text=True)
    assert client.get("/manage/").status_code == 302
    assert events("login") == []


def test_an_account_bound_to_another_subject_is_refused(app, ctx, provider):
    civic = sso_app(app, provider)
    user = make_user("admin", email="bound@city.example.jp")
    user.oidc_subject = "the-real-person"
    db.session.commit()
    provider.add_user("impostor", sub="someone-else", email="bound@city.example.jp")
    provider.user = "impostor"
    response, _ = sign_in(civic.test_client(), provider)
    assert response.status_code == 403 and events("login_failed")[-1].detail["reason"] == "subject_mismatch"


@pytest.mark.parametrize(("tamper", "reason"), [
    ({"aud": "another-app"}, "aud"),
    ({"aud": "another-app", "azp": "civictest"}, "aud"),  # Authlib alone let this one through
    ({"nonce": "not-the-nonce-we-sent"}, "nonce"),
    ({"exp": -3600}, "expired"),
    ({"iss": "http://127.0.0.1:1/evil"}, "iss"),
    ({"key": "other"}, "bad_signature"),
])
def test_an_id_token_that_fails_a_check_is_refused(app, ctx, provider, tamper, reason):
    civic = sso_app(app, provider)
    make_user("admin", email="yamada@city.example.jp")
    provider.add_user("yamada", email="yamada@city.example.jp")
    provider.user = "yamada"
    provider.tamper = tamper
    client = civic.test_client()
    response, _ = sign_in(client, provider)
    assert response.status_code == 400, reason
    assert "ログインを完了できませんでした" in response.get_data(as_text=True)
    assert client.get("/manage/").status_code == 302
    assert events("login") == []
    failed = events("login_failed")[-1].detail
    assert failed["method"] == "oidc" and failed["reason"].startswith("id_token:"), failed
    assert reason in failed["reason"], failed
    provider.tamper = {}  # the same person with an honest token gets in (the refusal was about the token)
    assert sign_in(civic.test_client(), provider)[0].status_code == 302


def test_a_callback_with_another_browsers_state_is_refused(app, ctx, provider):
    civic = sso_app(app, provider)
    make_user("admin", email="mori@city.example.jp")
    provider.add_user("mori", email="mori@city.example.jp")
    provider.user = "mori"
    victim = civic.test_client()
    start = victim.get("/auth/oidc/login")
    callback = requests.get(start.headers["Location"], allow_redirects=False, timeout=10).headers["Location"]
    attacker = civic.test_client()  # a login CSRF: someone else's code and state in this browser
    attacker.get("/auth/login")
    back = urlsplit(callback)
    response = attacker.get(f"{back.path}?{back.query}")
    assert response.status_code == 400 and attacker.get("/manage/").status_code == 302
    tampered = back.query.replace("state=", "state=x")  # this browser's flow, but a changed state
    response = victim.get(f"{back.path}?{tampered}")
    assert response.status_code == 400 and victim.get("/manage/").status_code == 302
    assert events("login") == [] and len(events("login_failed")) == 2


def test_a_person_the_provider_refuses_comes_back_with_a_message(app, ctx, provider):
    civic = sso_app(app, provider)
    provider.user = None  # nobody signed in at the provider: it answers error=access_denied
    response, _ = sign_in(civic.test_client(), provider)
    assert response.status_code == 400 and events("login_failed")[-1].detail["reason"] == "access_denied"


def test_oidc_only_hides_and_refuses_local_passwords(app, ctx, provider):
    civic = sso_app(app, provider, OIDC_ONLY=True)
    user = make_user("admin", email="local@city.example.jp")
    client = civic.test_client()
    page = client.get("/auth/login").get_data(as_text=True)
    assert "庁内アカウントでログイン" in page and 'name="password"' not in page
    from helpers import PASSWORD, csrf_token

    response = client.post("/auth/login", data={"csrf_token": csrf_token(sso_app(app, provider).test_client()
                                                                          .get("/auth/login").get_data(as_text=True)),
                                                "email": user.email, "password": PASSWORD})
    assert response.status_code == 400 and client.get("/manage/").status_code == 302
    assert post_form(app.test_client(), "/auth/login", {"email": user.email, "password": PASSWORD}).status_code == 302


def test_half_configured_sso_stops_the_app_at_start(app):
    base = _config_for(app.config["SQLALCHEMY_DATABASE_URI"])
    for settings, named in [({"OIDC_ISSUER": "https://idp.example.jp"}, "OIDC_CLIENT_ID"),
                            ({"OIDC_ONLY": True}, "OIDC_ISSUER"),
                            ({"OIDC_ISSUER": "https://idp.example.jp", "OIDC_CLIENT_ID": "a", "OIDC_CLIENT_SECRET": "b",
                              "OIDC_ROLE_MAP": "x=superuser"}, "superuser")]:
        with pytest.raises(ConfigError, match=named):
            create_app(type("Bad", (base,), settings))


def test_an_admin_creates_an_office_account_without_a_password(app, ctx, provider):
    civic = sso_app(app, provider)
    admin = make_user("admin", email="admin@city.example.jp")
    browser = civic.test_client()
    from helpers import login

    login(browser, admin)
    response = post_form(browser, "/manage/users/new", {"email": "Nakamura@City.example.jp", "display_name": "中村",
                                                       "role": "facilitator", "active": "y", "password": ""})
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "nakamura@city.example.jp"))
    assert user.password_hash is None and user.oidc_subject is None
    plain = app.test_client()  # without SSO configured, a new account still needs a password
    login(plain, admin)
    refused = post_form(plain, "/manage/users/new", {"email": "x@city.example.jp", "role": "facilitator",
                                                    "active": "y", "password": ""})
    assert refused.status_code == 400
    provider.add_user("nakamura", sub="kc-42", email="nakamura@city.example.jp")
    provider.user = "nakamura"
    person = civic.test_client()
    assert sign_in(person, provider)[0].status_code == 302
    assert person.get("/facilitate/").status_code == 200
    assert db.session.get(User, user.id).oidc_subject == "kc-42"
