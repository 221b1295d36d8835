"""Stopping all mail to an address: a signed link per address (it carries the address's hash, never the address).

The link works for ever (RFC 8058 one-click links are followed long after the message was sent) and only for
the address it was made for; the page behind it is public (public.mail_unsubscribe)."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, has_request_context, request
from itsdangerous import BadSignature, URLSafeSerializer

from civictest.mail.queueing import address_hash, suppress_hash

_SALT = "civictest.mail.unsubscribe"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def token_for(address: str) -> str:
    return _serializer().dumps(address_hash(address))


def address_from_token(token: str) -> str | None:
    """The address hash a token was made for, or None when the token is not one of ours."""
    try:
        value = _serializer().loads(token)
    except BadSignature:
        return None
    return value if isinstance(value, str) and len(value) == 64 else None


def unsubscribe_url_for(address: str) -> str:
    """The absolute one-click unsubscribe URL for the address (pass it to queue_mail as unsubscribe_url).

    Built on PUBLIC_BASE_URL; without it, on the current request's host, else http://localhost:5000 (the
    embedded demo)."""
    return unsubscribe_url_builder()(address)


def unsubscribe_url_builder():  # noqa: ANN201 - Callable[[str], str]
    """unsubscribe_url_for as a function made once for many addresses (the URL adapter and the signer are built
    once, not for every message)."""
    base = current_app.config.get("PUBLIC_BASE_URL") or ""
    if not base:
        from civictest.web.urls import site_url

        base = site_url() or (request.host_url if has_request_context() else "http://localhost:5000")
    parts = urlsplit(base)
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme)
    serializer = _serializer()

    def build(address: str) -> str:
        return adapter.build("public.mail_unsubscribe", {"token": serializer.dumps(address_hash(address))},
                             force_external=True)

    return build


def unsubscribe_by_token(token: str) -> bool:
    """Stop every kind of mail to the token's address; the caller commits. False for a token not ours."""
    digest = address_from_token(token)
    if digest is None:
        return False
    suppress_hash(digest, "unsubscribe", "one-click or unsubscribe page")
    return True
