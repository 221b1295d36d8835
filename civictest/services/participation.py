"""Resident participation: finding a session by invite code, consent, answers stored exactly once."""
from __future__ import annotations

from sqlalchemy import select

from civictest.extensions import db
from civictest.models import TestSession
from civictest.services.errors import NotFound, SessionClosed

MAX_INVITE_CODE_LENGTH = 64


def find_session(invite_code: str, *, must_be_open: bool = True) -> TestSession:
    """The session for an invite code; unknown codes are NotFound, closed or excluded ones SessionClosed."""
    code = (invite_code or "").strip().upper()
    if not code or len(code) > MAX_INVITE_CODE_LENGTH:
        raise NotFound()
    test_session = db.session.scalar(select(TestSession).where(TestSession.invite_code == code))
    if test_session is None:
        raise NotFound()
    if must_be_open and (not test_session.is_open or test_session.excluded):
        raise SessionClosed()
    return test_session
