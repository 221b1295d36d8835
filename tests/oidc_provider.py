"""A real OpenID Connect provider on 127.0.0.1 for the sign-in tests, built with Authlib's server side.

`OidcProvider()` starts a Flask app with authlib.integrations.flask_oauth2.AuthorizationServer (authorization
code grant with the OpenID Connect extension and PKCE required) on a free port, served by werkzeug's HTTP
server in a thread: discovery (/.well-known/openid-configuration), JWKS (an RS256 key generated at start),
/authorize (approves at once as `provider.user`, the person "signed in at the provider"), /token, /userinfo.
civictest reaches it over real HTTP, exactly as it reaches Entra ID or Keycloak.

To test the client's checks the provider can misbehave on purpose, one ID token claim at a time:
`provider.tamper = {"aud": "someone-else"}`, `{"nonce": "x"}`, `{"exp": -3600}` (seconds from now),
`{"aud": "other", "azp": "civictest"}`, `{"iss": ...}` or `{"key": "other"}` (signed with a key that is not in the JWKS, same kid).
"""
from __future__ import annotations

import logging
import secrets
import threading
import time

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core.grants import OpenIDCode
from flask import Flask, jsonify, request
from joserfc.jwk import RSAKey
from werkzeug.serving import make_server


class Client:
    """The relying party (civictest) as the provider knows it."""

    def __init__(self, client_id: str, client_secret: str, redirect_uris: list[str]) -> None:
        self.client_id, self.client_secret, self.redirect_uris = client_id, client_secret, redirect_uris

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str:
        return self.redirect_uris[0]

    def get_allowed_scope(self, scope: str) -> str:
        return " ".join(s for s in scope.split() if s in ("openid", "email", "profile"))

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return secrets.compare_digest(client_secret, self.client_secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


class Code:
    def __init__(self, **fields) -> None:  # noqa: ANN003
        self.__dict__.update(fields)
        self.auth_time = int(time.time())

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time

    def get_acr(self) -> None:
        return None

    def get_amr(self) -> None:
        return None


class OidcProvider:
    def __init__(self, client_id: str = "civictest", client_secret: str = "provider-secret") -> None:
        self.client_id, self.client_secret = client_id, client_secret
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-key-1", "use": "sig", "alg": "RS256"})
        self.other_key = RSAKey.generate_key(2048, parameters={"kid": "test-key-1", "use": "sig", "alg": "RS256"})
        self.users: dict[str, dict] = {}  # login name -> the claims the provider asserts
        self.user: str | None = None  # who is signed in at the provider (approves at once)
        self.tamper: dict = {}
        self.redirect_uris: list[str] = []
        self.codes: dict[str, Code] = {}
        self.tokens: dict[str, str] = {}  # access token -> login name
        self.requests: list[str] = []  # paths served, to show the flow really went through HTTP
        self._server = make_server("127.0.0.1", 0, self._build_app(), threaded=True)
        self.issuer = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="oidc-provider", daemon=True)
        self._thread.start()

    def add_user(self, login: str, **claims) -> None:  # noqa: ANN003
        self.users[login] = {"sub": claims.pop("sub", f"sub-{login}"), **claims}

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=10)

    # The Authlib server -------------------------------------------------------------------------------------
    def _build_app(self) -> Flask:
        provider = self
        app = Flask("oidc-provider")
        app.config.update(SECRET_KEY=secrets.token_hex(16), OAUTH2_TOKEN_EXPIRES_IN={"authorization_code": 3600})

        class AuthorizationCodeGrant(grants.AuthorizationCodeGrant):
            TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

            def save_authorization_code(self, code, request):  # noqa: ANN001, ANN202
                data = request.payload.data
                provider.codes[code] = Code(
                    code=code, client_id=request.client.client_id, redirect_uri=request.payload.redirect_uri,
                    scope=request.payload.scope, user=request.user, nonce=data.get("nonce"),
                    code_challenge=data.get("code_challenge"),
                    code_challenge_method=data.get("code_challenge_method"))

            def query_authorization_code(self, code, client):  # noqa: ANN001, ANN202
                item = provider.codes.get(code)
                return item if item is not None and item.client_id == client.client_id else None

            def delete_authorization_code(self, authorization_code):  # noqa: ANN001, ANN202
                provider.codes.pop(authorization_code.code, None)

            def authenticate_user(self, authorization_code):  # noqa: ANN001, ANN202
                return authorization_code.user

        class OpenIDConnect(OpenIDCode):
            def exists_nonce(self, nonce, request):  # noqa: ANN001, ANN202
                return any(code.nonce == nonce for code in provider.codes.values())

            def resolve_client_private_key(self, client):  # noqa: ANN001, ANN202
                return provider.other_key if provider.tamper.get("key") == "other" else provider.key

            def get_client_algorithm(self, client):  # noqa: ANN001, ANN202
                return "RS256"

            def get_encode_header(self, client):  # noqa: ANN001, ANN202
                return {"alg": "RS256", "kid": "test-key-1"}

            def get_client_claims(self, client):  # noqa: ANN001, ANN202
                now = int(time.time())
                claims = {"iss": provider.tamper.get("iss", provider.issuer),
                          "aud": [provider.tamper.get("aud", client.get_client_id())]}
                if "azp" in provider.tamper:
                    claims["azp"] = provider.tamper["azp"]
                if "exp" in provider.tamper:
                    claims.update(exp=now + provider.tamper["exp"], iat=now + provider.tamper["exp"] - 300)
                return claims

            def get_authorization_code_claims(self, authorization_code):  # noqa: ANN001, ANN202
                claims = super().get_authorization_code_claims(authorization_code)
                if "nonce" in provider.tamper:
                    claims["nonce"] = provider.tamper["nonce"]
                return claims

            def generate_user_info(self, user, scope):  # noqa: ANN001, ANN202
                return dict(provider.users[user])

        def query_client(client_id):  # noqa: ANN001, ANN202
            if client_id == provider.client_id:
                return Client(provider.client_id, provider.client_secret, provider.redirect_uris)
            return None

        def save_token(token, request):  # noqa: ANN001, ANN202
            provider.tokens[token["access_token"]] = request.user

        server = AuthorizationServer(app, query_client=query_client, save_token=save_token)
        server.register_grant(AuthorizationCodeGrant, [OpenIDConnect(require_nonce=True), CodeChallenge(required=True)])

        @app.before_request
        def _note():  # noqa: ANN202
            provider.requests.append(request.path)

        @app.get("/.well-known/openid-configuration")
        def discovery():  # noqa: ANN202
            return jsonify({
                "issuer": provider.issuer,
                "authorization_endpoint": f"{provider.issuer}/authorize",
                "token_endpoint": f"{provider.issuer}/token",
                "userinfo_endpoint": f"{provider.issuer}/userinfo",
                "jwks_uri": f"{provider.issuer}/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "scopes_supported": ["openid", "email", "profile"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
                "code_challenge_methods_supported": ["S256"],
            })

        @app.get("/jwks")
        def jwks():  # noqa: ANN202
            return jsonify({"keys": [provider.key.as_dict(private=False)]})

        @app.get("/authorize")
        def authorize():  # noqa: ANN202
            return server.create_authorization_response(grant_user=provider.user if provider.user in provider.users
                                                        else None)

        @app.post("/token")
        def issue_token():  # noqa: ANN202
            return server.create_token_response()

        @app.get("/userinfo")
        def userinfo():  # noqa: ANN202
            token = request.headers.get("Authorization", "").removeprefix("Bearer ")
            if token not in provider.tokens:
                return jsonify({"error": "invalid_token"}), 401
            return jsonify(provider.users[provider.tokens[token]])

        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        return app
