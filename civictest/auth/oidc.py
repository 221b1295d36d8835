"""OpenID Connect sign-in with the city's accounts (Microsoft Entra ID, Keycloak, ...) through Authlib's Flask client.

Authlib does the protocol: discovery at <issuer>/.well-known/openid-configuration, state and nonce kept in the
session, PKCE (S256), the code exchange, and the ID token's checks (signature with the provider's JWKS, iss, aud,
exp, nonce). This module holds the per-app client and the reading of claims; who may sign in is decided in
civictest.services.accounts.sso_user. docs/sign-in.md tells how to register civictest at the provider.
"""
from __future__ import annotations

from flask import Flask, current_app

EXTENSION = "civictest.oidc"
CLIENT_NAME = "city"


def init_app(app: Flask) -> None:
    """Register the provider when OIDC_ISSUER is set; nothing is fetched until the first sign-in."""
    if not app.config.get("OIDC_ISSUER"):
        return
    from authlib.integrations.flask_client import OAuth

    oauth = OAuth()
    oauth.init_app(app)
    oauth.register(
        CLIENT_NAME,
        client_id=app.config["OIDC_CLIENT_ID"],
        client_secret=app.config["OIDC_CLIENT_SECRET"],
        server_metadata_url=f"{app.config['OIDC_ISSUER']}/.well-known/openid-configuration",
        client_kwargs={"scope": app.config["OIDC_SCOPES"], "code_challenge_method": "S256",
                       "default_timeout": app.config.get("OIDC_TIMEOUT_SECONDS", 10)},
    )
    app.extensions[EXTENSION] = oauth


def enabled() -> bool:
    return EXTENSION in current_app.extensions


def client():  # noqa: ANN201
    return getattr(current_app.extensions[EXTENSION], CLIENT_NAME)


def start(redirect_uri: str):  # noqa: ANN201
    """The redirect to the provider's authorization endpoint (state, nonce and PKCE verifier saved in the session)."""
    return client().authorize_redirect(redirect_uri)


class SignInFailed(Exception):
    """The callback did not give a verified ID token; `reason` says why, for the audit log."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def finish() -> dict:
    """The verified ID token's claims for the callback request. SignInFailed when anything is off: a state that
    is not this browser's, the provider's error answer, the provider out of reach, a token whose signature, iss,
    aud, exp or nonce is wrong."""
    from authlib.common.errors import AuthlibBaseError
    from joserfc.errors import JoseError
    from requests import RequestException

    # Authlib checks iss against the discovery document and, for aud, only that a token for several audiences
    # names us as azp: require our client id in aud and the configured issuer, as OpenID Connect Core 3.1.3.7 says.
    options = {"iss": {"essential": True, "values": [current_app.config["OIDC_ISSUER"]]},
               "aud": {"essential": True, "values": [current_app.config["OIDC_CLIENT_ID"]]}}
    try:
        token = client().authorize_access_token(claims_options=options)
    except AuthlibBaseError as error:
        raise SignInFailed(str(getattr(error, "error", "") or type(error).__name__)[:60]) from error
    except JoseError as error:
        raise SignInFailed(f"id_token: {error}"[:60]) from error
    except (RequestException, ValueError) as error:
        raise SignInFailed(type(error).__name__) from error
    claims = token.get("userinfo")
    if not claims:
        raise SignInFailed("no_id_token")
    return dict(claims)
