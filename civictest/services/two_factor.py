"""TOTP second factor for local password accounts (RFC 6238 through pyotp) and one-time recovery codes.

A code is accepted once: the time step of the last accepted code is stored, and an update that succeeds only
when the new step is later (one SQL statement, so two requests racing with the same code cannot both pass).
Recovery codes are stored as werkzeug hashes and spent by an update that succeeds only while unused.
"""
from __future__ import annotations

import hmac
import secrets
import time

import pyotp
import segno
from sqlalchemy import delete, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from civictest.extensions import db
from civictest.models import RecoveryCode, User
from civictest.models.base import utcnow
from civictest.services.errors import InvalidInput

ISSUER = "civictest"
RECOVERY_CODES = 10
# Steps either side of now that still count (clock drift of a phone): 30 s each.
VALID_WINDOW = 1
# Recovery codes carry 50 random bits, so a fast iterated hash is enough; checking ten stays quick.
_RECOVERY_HASH = "pbkdf2:sha256:50000"


def begin_enrolment(user: User) -> str:
    """A new secret kept as pending until the person confirms a code from it (the old factor, if any, stays)."""
    user.totp_pending_secret = pyotp.random_base32()
    return user.totp_pending_secret


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_code(uri: str) -> dict:
    """The QR code of `uri` as an SVG model: its size in modules (with the quiet zone) and one path of dark runs."""
    symbol = segno.make(uri, error="m")
    parts = []
    for y, row in enumerate(symbol.matrix_iter(scale=1, border=4)):
        x = 0
        row = list(row)
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                parts.append(f"M{start} {y}.5h{x - start}")
            else:
                x += 1
    width, height = symbol.symbol_size(scale=1, border=4)
    return {"size": width, "height": height, "path": "".join(parts)}


def format_secret(secret: str) -> str:
    """The secret in groups of four, easier to read aloud or type (authenticator apps ignore the spaces)."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def _matching_step(secret: str, code: str, now: float) -> int | None:
    totp = pyotp.TOTP(secret)
    step = int(now // totp.interval)
    for candidate in range(step - VALID_WINDOW, step + VALID_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(candidate), code):
            return candidate
    return None


def _clean(code: str) -> str:
    return "".join(ch for ch in (code or "") if ch.isalnum()).lower()


def confirm_enrolment(user: User, code: str, now: float | None = None) -> list[str]:
    """Make the pending secret the factor when `code` comes from it; returns new recovery codes (shown once).
    InvalidInput("wrong_code") otherwise."""
    secret = user.totp_pending_secret
    cleaned = _clean(code)
    step = _matching_step(secret, cleaned, time.time() if now is None else now) if secret and cleaned else None
    if step is None:
        raise InvalidInput("wrong_code")
    user.totp_secret, user.totp_pending_secret, user.totp_last_step = secret, None, step
    return new_recovery_codes(user)


def new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes with fresh ones (returned in clear once, stored hashed)."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = secrets.token_hex(5)
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.session.add(RecoveryCode(user_id=user.id, code_hash=generate_password_hash(raw, method=_RECOVERY_HASH)))
    db.session.flush()
    return codes


def verify(user: User, code: str, now: float | None = None) -> str | None:
    """"totp" or "recovery" when `code` is a current TOTP code not used before or an unused recovery code
    (which is then spent); None otherwise."""
    cleaned = _clean(code)
    if not user.totp_secret or not cleaned:
        return None
    if cleaned.isdigit() and len(cleaned) == 6:
        step = _matching_step(user.totp_secret, cleaned, time.time() if now is None else now)
        if step is None:
            return None
        claimed = db.session.execute(
            update(User).where(User.id == user.id,
                               (User.totp_last_step.is_(None)) | (User.totp_last_step < step))
            .values(totp_last_step=step).execution_options(synchronize_session=False))
        if claimed.rowcount != 1:
            return None  # this code (or a later one) was already used
        user.totp_last_step = step
        return "totp"
    if len(cleaned) == 10:
        for row in db.session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id,
                                                                 RecoveryCode.used_at.is_(None))):
            if check_password_hash(row.code_hash, cleaned):
                spent = db.session.execute(
                    update(RecoveryCode).where(RecoveryCode.id == row.id, RecoveryCode.used_at.is_(None))
                    .values(used_at=utcnow()).execution_options(synchronize_session=False))
                return "recovery" if spent.rowcount == 1 else None
    return None


def recovery_codes_left(user: User) -> int:
    return len(db.session.scalars(select(RecoveryCode.id).where(RecoveryCode.user_id == user.id,
                                                                RecoveryCode.used_at.is_(None))).all())


def remove(user: User) -> None:
    """No second factor any more (the person turned it off, or an admin reset it for a lost phone)."""
    user.totp_secret = user.totp_pending_secret = user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
