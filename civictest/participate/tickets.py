"""Signed form tickets: the idempotency key and the time a task page was served, tamper-proof.

The ticket travels in a hidden field, so time on task needs no server-side state and survives a worker
restart; the signature stops a resident (or a script) from backdating the start time or reusing another
participant's key.
"""
from __future__ import annotations

import re
import secrets
from datetime import datetime, timezone

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

KEY_PATTERN = re.compile(r"^[0-9a-f]{32}$")


def new_key() -> str:
    return secrets.token_hex(16)


def is_key(value: str | None) -> bool:
    return bool(value and KEY_PATTERN.match(value))


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="civictest-task-ticket")


def issue(participant_id: str, task_id: int) -> str:
    served = datetime.now(timezone.utc).timestamp()
    return _serializer().dumps({"k": new_key(), "p": participant_id, "t": task_id, "s": served})


def read(ticket: str | None, participant_id: str, task_id: int) -> tuple[str, datetime] | None:
    """(idempotency key, served-at time) of a valid ticket for this participant and task, else None."""
    try:
        data = _serializer().loads(ticket or "")
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("p") != participant_id or data.get("t") != task_id:
        return None
    return data["k"], datetime.fromtimestamp(float(data["s"]), tz=timezone.utc)
