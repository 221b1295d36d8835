"""The panel export: one row per member, no e-mail address, through the shared CSV writer."""
from __future__ import annotations

import pandas as pd

from civictest.exporting.writers import to_csv_bytes

COLUMNS = ["member", "status", "language", "consent_version", "confirmed_at", "age_band", "municipality_code",
           "device", "assistive_technology", "online_frequency", "languages", "availability", "invitations", "tests"]


def members_csv(rows: list[dict]) -> bytes:
    frame = pd.DataFrame(rows, columns=COLUMNS)
    if len(frame):
        frame["confirmed_at"] = pd.to_datetime(frame["confirmed_at"], utc=True).dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    return to_csv_bytes(frame)


INCENTIVE_COLUMNS = ["given_on", "member", "session", "description", "amount_yen"]


def incentives_csv(rows: list[dict]) -> bytes:
    """The incentives ledger, one row per incentive (member empty once erased)."""
    frame = pd.DataFrame(rows, columns=INCENTIVE_COLUMNS)
    frame["member"] = frame["member"].astype("Int64")
    return to_csv_bytes(frame)
