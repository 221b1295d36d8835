"""The tester panel's figures (issue 15): the panel's size, joins and leaves per month, response rate per
invitation round, a study's composition against its target shares, the members' export rows and the
incentives ledger.

Read-only: the staff pages (/manage/panel), the CLI (`flask panel export | incentives`) and the exports read
them here; civictest.services.panel does the writes (registration, rounds, reminders, the ledger's lines).
"""
from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from civictest.extensions import db
from civictest.models import (
    PanelIncentive, PanelInvitation, PanelMember, PanelMonthlyCount, PanelQuota, PanelRound, TestSession,
)
from civictest.panel_selection import cell_key


def round_rates(session_id: int | None = None) -> list[dict]:
    """Per invitation round: invited, joined, finished, and the response rate (joined / invited)."""
    query = (select(PanelRound.id, PanelRound.session_id, PanelRound.created_at, TestSession.invite_code,
                    func.count(PanelInvitation.id),
                    func.count(PanelInvitation.joined_at), func.count(PanelInvitation.finished_at))
             .join(TestSession, TestSession.id == PanelRound.session_id)
             .outerjoin(PanelInvitation, PanelInvitation.round_id == PanelRound.id)
             .group_by(PanelRound.id, PanelRound.session_id, PanelRound.created_at, TestSession.invite_code)
             .order_by(PanelRound.id))
    if session_id is not None:
        query = query.where(PanelRound.session_id == session_id)
    out = []
    for round_id, sid, created, code, invited, joined, finished in db.session.execute(query):
        out.append({"round": round_id, "session_id": sid, "code": code, "created_at": created,
                    "invited": invited, "joined": joined, "finished": finished,
                    "rate": joined / invited if invited else None})
    return out


def panel_size() -> dict[str, int]:
    return dict(db.session.execute(select(PanelMember.status, func.count()).group_by(PanelMember.status)).all())


def monthly_counts() -> list[PanelMonthlyCount]:
    return list(db.session.scalars(select(PanelMonthlyCount).order_by(PanelMonthlyCount.month)))


def composition(study_id: int) -> list[dict]:
    """For each quota cell of a study: target share, share among active members, share among the study's
    participants who came through the panel (finished or joined)."""
    quotas = _quotas(study_id)
    if not quotas:
        return []
    dims = sorted({d for q in quotas for d in q.cell})
    columns = [getattr(PanelMember, d) for d in dims]
    members = Counter()
    for row in db.session.execute(select(*columns, func.count()).where(PanelMember.status == "active")
                                  .group_by(*columns)):
        members[cell_key({d: row[i] for i, d in enumerate(dims) if row[i] is not None})] += row[-1]
    joined = Counter(dict(db.session.execute(
        select(PanelInvitation.cell_key, func.count()).join(TestSession)
        .where(TestSession.study_id == study_id, PanelInvitation.joined_at.is_not(None))
        .group_by(PanelInvitation.cell_key)).all()))
    keys = [q.cell_key for q in quotas]
    member_total = sum(members[k] for k in keys) or 0
    joined_total = sum(joined[k] for k in keys) or 0
    count_total = sum(q.target_count or 0 for q in quotas)
    rows = []
    for q in quotas:
        target = q.target_share if q.target_share is not None else (q.target_count / count_total if count_total else None)
        rows.append({"cell_key": q.cell_key, "cell": q.cell, "target_share": target,
                     "members": members[q.cell_key], "member_share": members[q.cell_key] / member_total if member_total else None,
                     "participants": joined[q.cell_key],
                     "participant_share": joined[q.cell_key] / joined_total if joined_total else None})
    return rows


def _quotas(study_id: int) -> list[PanelQuota]:
    return list(db.session.scalars(select(PanelQuota).where(PanelQuota.study_id == study_id)
                                   .order_by(PanelQuota.cell_key)))


def export_rows() -> list[dict]:
    """The panel export: one row per member, no e-mail address (staff contact members through invitations)."""
    invited = dict(db.session.execute(select(PanelInvitation.member_id, func.count())
                                      .group_by(PanelInvitation.member_id)).all())
    joined = dict(db.session.execute(select(PanelInvitation.member_id, func.count())
                                     .where(PanelInvitation.joined_at.is_not(None))
                                     .group_by(PanelInvitation.member_id)).all())
    rows = []
    for m in db.session.scalars(select(PanelMember).order_by(PanelMember.id)):
        rows.append({"member": m.id, "status": m.status, "language": m.language,
                     "consent_version": m.consent_version, "confirmed_at": m.confirmed_at,
                     "age_band": m.age_band, "municipality_code": m.municipality_code, "device": m.device,
                     "assistive_technology": m.assistive_technology, "online_frequency": m.online_frequency,
                     "languages": m.languages, "availability": m.availability,
                     "invitations": invited.get(m.id, 0), "tests": joined.get(m.id, 0)})
    return rows


def incentives_of(session_id: int) -> list[PanelIncentive]:
    return list(db.session.scalars(select(PanelIncentive).where(PanelIncentive.session_id == session_id)
                                   .order_by(PanelIncentive.given_on, PanelIncentive.id)))


def incentive_months() -> list[dict]:
    """The accounts office's view: per month (of the day given), how many incentives and their total in yen."""
    totals: dict[str, list[int]] = {}
    for given_on, amount in db.session.execute(select(PanelIncentive.given_on, PanelIncentive.amount_yen)):
        month = totals.setdefault(f"{given_on:%Y-%m}", [0, 0])
        month[0] += 1
        month[1] += amount
    return [{"month": month, "count": n, "total_yen": total} for month, (n, total) in sorted(totals.items())]


def incentive_rows() -> list[dict]:
    rows = db.session.execute(
        select(PanelIncentive.given_on, PanelIncentive.member_id, TestSession.invite_code,
               PanelIncentive.description, PanelIncentive.amount_yen)
        .join(TestSession, TestSession.id == PanelIncentive.session_id)
        .order_by(PanelIncentive.given_on, PanelIncentive.id))
    return [{"given_on": given_on, "member": member_id, "session": code, "description": description,
             "amount_yen": amount} for given_on, member_id, code, description, amount in rows]
