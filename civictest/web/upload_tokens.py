"""An uploaded file carried from a dry-run page to the commit step without server-side state (several app
servers may answer): the file, compressed, in a signed and timed hidden field. Used by the results import
(manage/imports.py) and the survey roster (surveys/roster_views.py); each has its own salt and scope, so a token
of one page, or of another study or wave, is refused by the other."""
from __future__ import annotations

import base64
import zlib

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

MAX_AGE = 3 * 3600
# The token is a form field: it must stay below MAX_FORM_MEMORY_SIZE with room for the other fields.
ROOM = 20_000


def clean_filename(name: str | None) -> str:
    """The file's base name as the user saw it (Japanese kept), without paths or control characters."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(ch for ch in base if ch.isprintable())[:200] or "upload"


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=salt)


def pack(salt: str, scope: str, scope_id: int, filename: str, raw: bytes) -> str | None:
    """The file as a signed token for the next step, or None when it would be too large for a form field."""
    data = base64.b64encode(zlib.compress(raw, 6)).decode("ascii")
    limit = current_app.config.get("MAX_FORM_MEMORY_SIZE", 500_000) - ROOM
    if len(data) > limit:
        return None
    token = _serializer(salt).dumps({scope: scope_id, "name": filename, "data": data})
    return token if len(token) <= limit else None


def unpack(salt: str, scope: str, scope_id: int, token: str, max_age: int = MAX_AGE) -> tuple[str, bytes] | None:
    """(filename, bytes) of a token made by pack with the same salt and scope, not older than max_age; else None."""
    try:
        payload = _serializer(salt).loads(token, max_age=max_age)
    except BadSignature:
        return None
    if not isinstance(payload, dict) or payload.get(scope) != scope_id:
        return None
    try:
        return str(payload["name"]), zlib.decompress(base64.b64decode(payload["data"]))
    except (KeyError, ValueError, zlib.error):
        return None
