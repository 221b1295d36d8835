"""Rate limits for resident endpoints.

Residents at a venue share one Wi-Fi address, so limits are keyed on what identifies one resident (the
participant in their session cookie) or one test (the invite code), with only a generous per-IP ceiling.
Counters live in RATELIMIT_STORAGE_URI (Redis when several app servers run), in memory otherwise.
"""
from flask import request, session
from flask_limiter.util import get_remote_address

from civictest.extensions import limiter

PER_IP_CEILING = "6000 per minute"  # a 300-resident venue makes ~2,000 posts a minute
PER_PARTICIPANT = "60 per minute"
PER_INVITE_CODE = "1000 per minute"
RECEIPT_LOOKUPS = "30 per minute"


def participant_key() -> str:
    return "participant:" + (session.get("participant") or get_remote_address())


def invite_code_key() -> str:
    return "invite:" + (request.view_args or {}).get("invite_code", "").upper()[:64]


ip_ceiling = limiter.shared_limit(PER_IP_CEILING, scope="resident-ip", methods=["POST"])
per_participant = limiter.limit(PER_PARTICIPANT, key_func=participant_key, methods=["POST"])
per_invite_code = limiter.limit(PER_INVITE_CODE, key_func=invite_code_key, methods=["POST"])
receipt_lookups = limiter.limit(RECEIPT_LOOKUPS, methods=["POST"])
