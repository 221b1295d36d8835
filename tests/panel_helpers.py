"""Hand-made panels for the panel's figure tests (tests/panel/test_reporting.py, tests/api/test_panel_api.py):
members, rounds, invitations with their participants, monthly counts."""
from __future__ import annotations

from datetime import datetime, timezone

from helpers import make_service, make_session

from civictest.extensions import db
from civictest.models import PanelInvitation, PanelMember, PanelMonthlyCount, PanelRound, Participant
from civictest.services import panel

WHEN = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)


def member(email: str, status: str = "active", **profile) -> PanelMember:  # noqa: ANN003
    row = PanelMember(email=email, language="ja", status=status, link_nonce=email[:32].ljust(32, "n"),
                      consent_version="2026-12", consented_at=WHEN, confirmed_at=WHEN, **profile)
    db.session.add(row)
    db.session.flush()
    return row


def invite(panel_round: PanelRound, who: PanelMember, *, joined: bool = False, finished: bool = False,
           participant_finished: bool = False, cell: str = "") -> PanelInvitation:
    """An invitation; `participant_finished`: its participant finished but the invitation was not synced yet."""
    person = None
    if joined:
        person = Participant(session_id=panel_round.session_id, public_id=f"p-{who.id}-{panel_round.id}",
                             receipt_code=f"r-{who.id}-{panel_round.id}", join_key=f"k-{who.id}-{panel_round.id}",
                             consent_version="v", consented_at=WHEN,
                             finished_at=WHEN if finished or participant_finished else None)
        db.session.add(person)
        db.session.flush()
    row = PanelInvitation(member_id=who.id, session_id=panel_round.session_id, round_id=panel_round.id,
                          token_hash=panel.token_hash(f"{who.id}-{panel_round.id}"), cell_key=cell,
                          state="finished" if finished else "joined" if joined else "sent",
                          participant_id=person.id if person else None, joined_at=WHEN if joined else None,
                          finished_at=WHEN if finished else None)
    db.session.add(row)
    db.session.flush()
    return row


def build_world() -> dict:
    """Two services with a session each; seven members (five active: three in their 20s, two in their 60s);
    round one of session A: four invited, three joined, two finished (one not synced yet); round two of B: one."""
    service, other = make_service(tasks=1), make_service("other", "別のサービス", tasks=1)
    mine, theirs = make_session(service, invite_code="PANEL-A"), make_session(other, invite_code="PANEL-B")
    people = [member(f"a{i}@example.jp", age_band="20s" if i < 3 else "60s", device="pc") for i in range(5)]
    people += [member("p@example.jp", "pending"), member("l@example.jp", "left", age_band="20s")]
    first, second = PanelRound(session_id=mine.id, requested=4), PanelRound(session_id=theirs.id, requested=1)
    db.session.add_all([first, second])
    db.session.flush()
    invite(first, people[0], joined=True, finished=True, cell="age_band=20s")
    invite(first, people[1], joined=True, participant_finished=True, cell="age_band=20s")
    invite(first, people[3], joined=True, cell="age_band=60s")
    invite(first, people[4])
    invite(second, people[0])
    db.session.add_all([PanelMonthlyCount(month="2026-11", joins=5, leaves=1),
                        PanelMonthlyCount(month="2026-10", joins=2, leaves=0)])
    db.session.commit()
    return {"service": service, "other": other, "mine": mine, "theirs": theirs, "people": people,
            "first": first, "second": second}
