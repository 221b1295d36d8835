"""URLs in and out: ids in routes, absolute URLs in published files, and which stored links may be followed.

- Every `<int:...>` in a route is `IdConverter` (installed as the app's `int` in create_app): an id no database
  column can hold is a 404, not an overflow in the driver.
- `public_url` builds the absolute URLs of files others copy and cache (open-data metadata) from the configured
  PUBLIC_BASE_URL, never from a Host header the client chose.
- `is_web_url` is the one rule for links staff type in (service and task URLs): http and https only.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app, url_for
from werkzeug.routing import IntegerConverter, Map, ValidationError

from civictest.models.base import ID_MAX

_ID_MAX_DIGITS = len(str(ID_MAX))


class IdConverter(IntegerConverter):
    """`<int:...>` bounded by ID_MAX unless a route says otherwise; longer digit strings are not read at all
    (Python refuses to convert thousands of digits, which would be a 500)."""

    def __init__(self, map: Map, fixed_digits: int = 0, min: int | None = None,  # noqa: A002
                 max: int | None = None, signed: bool = False) -> None:  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=ID_MAX if max is None else max, signed=signed)

    def to_python(self, value: str) -> int:
        if len(value.lstrip("-")) > _ID_MAX_DIGITS:
            raise ValidationError()
        return super().to_python(value)


def install(app: Flask) -> None:
    """Before any blueprint adds a rule: `<int:...>` means IdConverter everywhere."""
    app.url_map.converters["int"] = IdConverter
    app.jinja_env.tests["web_url"] = is_web_url


def public_url(endpoint: str, **values: object) -> str:
    """An absolute URL for a file others copy and cache: PUBLIC_BASE_URL + the path.

    Without PUBLIC_BASE_URL the request's host is used only when TRUSTED_HOSTS restricts it (Flask answers
    400 to any other Host header); otherwise the URL stays relative, so a forged Host never reaches a cache.
    """
    base = current_app.config.get("PUBLIC_BASE_URL")
    if base:
        return base.rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=bool(current_app.config.get("TRUSTED_HOSTS")), **values)


def site_url() -> str | None:
    """Where a request context made outside a request (CLI, publication from a command) stands, so that
    TRUSTED_HOSTS accepts it and URLs name the public site: PUBLIC_BASE_URL, else the first trusted host that
    is not a wildcard; None (localhost) when neither is configured."""
    hosts = [host for host in current_app.config.get("TRUSTED_HOSTS") or [] if not host.startswith(".")]
    return current_app.config.get("PUBLIC_BASE_URL") or (f"https://{hosts[0]}" if hosts else None)


def is_web_url(value: object) -> bool:
    """An http(s) URL with a host: the only kind of stored link the site renders as a link."""
    if not isinstance(value, str) or not value or not value.isprintable() or " " in value:
        return False
    try:
        parts = urlsplit(value)
    except ValueError:  # e.g. an unbalanced [ in the host
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
