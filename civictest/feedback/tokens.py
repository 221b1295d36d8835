"""What replaces the session for the embeddable feedback form: a signed, timestamped form token and the frame
origins.

The form is anonymous and may be shown in an iframe on the service's own site, where the browser treats our
session cookie as a third-party cookie and may block it; Flask-WTF's CSRF token lives in that session, so it
cannot be used here. The token below proves that the form was served by this site for this service, recently
(FEEDBACK_TOKEN_MAX_AGE); the honeypot field and the per-address limit (FEEDBACK_RATE_LIMIT) deal with scripts.
docs/feedback.md explains why no CSRF protection is needed for this form.
"""
from __future__ import annotations

import re
import secrets
from urllib.parse import urlsplit

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

_SALT = "civictest-feedback-form"
_HOST = re.compile(r"^[A-Za-z0-9.-]+(:[0-9]{1,5})?$")
_SOURCE = re.compile(r"^https?://(\*\.)?[A-Za-z0-9.-]+(:[0-9]{1,5})?$")


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def issue(service_id: int) -> str:
    """A token for one serving of the form: the service, a random nonce, and (inside the signature) the time."""
    return _serializer().dumps({"s": service_id, "n": secrets.token_hex(8)})


def is_valid(token: str | None, service_id: int) -> bool:
    """Signed by this site, for this service, and served no longer than FEEDBACK_TOKEN_MAX_AGE seconds ago."""
    try:
        data = _serializer().loads(token or "", max_age=current_app.config["FEEDBACK_TOKEN_MAX_AGE"])
    except BadSignature:  # SignatureExpired is a BadSignature
        return False
    return isinstance(data, dict) and data.get("s") == service_id


def origin_of(url: str | None) -> str | None:
    """The scheme://host[:port] of an http(s) URL, or None (a bare or odd value never reaches a header)."""
    try:
        parts = urlsplit((url or "").strip())
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not _HOST.match(parts.netloc or ""):
        return None
    return f"{parts.scheme}://{parts.netloc.lower()}"


def extra_ancestors(setting: str | None) -> list[str]:
    """FEEDBACK_FRAME_ANCESTORS: origins separated by spaces or commas (https://*.city.example.lg.jp allowed);
    anything else is ignored."""
    return [item for item in re.split(r"[\s,]+", setting or "") if _SOURCE.match(item)]


def frame_ancestors(service_url: str | None) -> list[str]:
    """The origins that may frame a service's form: its own URL's origin and the configured extra ones."""
    own = origin_of(service_url)
    extra = extra_ancestors(current_app.config.get("FEEDBACK_FRAME_ANCESTORS"))
    return list(dict.fromkeys(([own] if own else []) + extra))


def form_url(service_id: int) -> str:
    """The form's absolute URL for the snippet staff copy: PUBLIC_BASE_URL when set, else the staff page's own
    host (only the signed-in member of staff reading the page sees it)."""
    from flask import url_for

    base = current_app.config.get("PUBLIC_BASE_URL")
    if base:
        return base.rstrip("/") + url_for("feedback.form", service_id=service_id)
    return url_for("feedback.form", service_id=service_id, _external=True)
