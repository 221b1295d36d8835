"""The tester panel's figures (issue 15): the panel's size, joins and leaves per month, response rate per
invitation round, a study's composition against its target shares, the members' export rows and the
incentives ledger.

Read-only: the staff pages (/manage/panel), the CLI (`flask panel export | incentives`) and the exports read
them here; civictest.services.panel does the writes (registration, rounds, reminders, the ledger's lines).
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import extract, func, select

from civictest import privacy

from civictest.extensions import db
from civictest.models.base import aware, utcnow
from civictest.models import (
    Booking, Iteration, PanelIncentive, PanelInvitation, PanelMember, PanelMonthlyCount, PanelQuota, PanelRound, Participant,
    Service, Study, TestSession, User,
)
from civictest.panel_selection import cell_key
from civictest.security import visible_service_ids

# The members' export: every profile column, never the e-mail address or the link nonce.
MEMBER_COLUMNS = ("id", "status", "language", "consent_version", "confirmed_at", "age_band", "municipality_code",
                  "device", "assistive_technology", "online_frequency", "languages", "availability")


def visible_sessions(user: User, limit: int = 200) -> list[TestSession]:
    """The newest sessions of the services a user may see: the sessions /manage/panel lists, whose rounds the
    page and the API show."""
    query = select(TestSession).join(Study).join(Iteration).join(Service).order_by(TestSession.id.desc()).limit(limit)
    ids = visible_service_ids(user)
    if ids is not None:
        query = query.where(Service.id.in_(ids or {-1}))
    return list(db.session.scalars(query))


def round_rates(session_id: int | None = None, *, session_ids: Iterable[int] | None = None) -> list[dict]:
    """Per invitation round (of one session, of the sessions given, or of all): invited, joined, finished, and the
    response rate (joined / invited). An invitation counts as finished once its participant has finished the
    test, whether or not services.panel.sync_finished has noted it yet, so reading writes nothing."""
    finished = func.coalesce(PanelInvitation.finished_at, Participant.finished_at)
    query = (select(PanelRound.id, PanelRound.session_id, PanelRound.created_at, TestSession.invite_code,
                    func.count(PanelInvitation.id), func.count(PanelInvitation.joined_at), func.count(finished))
             .join(TestSession, TestSession.id == PanelRound.session_id)
             .outerjoin(PanelInvitation, PanelInvitation.round_id == PanelRound.id)
             .outerjoin(Participant, Participant.id == PanelInvitation.participant_id)
             .group_by(PanelRound.id, PanelRound.session_id, PanelRound.created_at, TestSession.invite_code)
             .order_by(PanelRound.id))
    if session_id is not None:
        query = query.where(PanelRound.session_id == session_id)
    if session_ids is not None:
        query = query.where(PanelRound.session_id.in_(list(session_ids) or [-1]))
    out = []
    for round_id, sid, created, code, invited, joined, finished_count in db.session.execute(query):
        out.append({"round": round_id, "session_id": sid, "code": code, "created_at": created,
                    "invited": invited, "joined": joined, "finished": finished_count,
                    "rate": joined / invited if invited else None})
    return out


def panel_size() -> dict[str, int]:
    return dict(db.session.execute(select(PanelMember.status, func.count()).group_by(PanelMember.status)).all())


def monthly_counts() -> list[dict]:
    """Joins and leaves per month ("2026-12"), as counted when they happened."""
    rows = db.session.execute(select(PanelMonthlyCount.month, PanelMonthlyCount.joins, PanelMonthlyCount.leaves)
                              .order_by(PanelMonthlyCount.month))
    return [{"month": month, "joins": joins, "leaves": leaves} for month, joins, leaves in rows]


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


def suppressed_composition(rows: list[dict], k: int) -> list[dict]:
    """composition's rows for readers outside the panel team (the API): a cell's members or participants below k
    (and the cells that would give them away: privacy.suppress_small_cells over the whole table, whose total a
    reader can derive) become None with their shares, flagged members_suppressed / participants_suppressed."""
    if not rows:
        return []
    out = [dict(row) for row in rows]
    for count, share in (("members", "member_share"), ("participants", "participant_share")):
        frame = pd.DataFrame({count: [int(row[count]) for row in rows]})
        hidden = privacy.suppress_small_cells(frame, count, k)["suppressed"].tolist()
        for row, is_hidden in zip(out, hidden):
            row[f"{count}_suppressed"] = bool(is_hidden)
            if is_hidden:
                row[count] = row[share] = None
    return out


def _quotas(study_id: int) -> list[PanelQuota]:
    return list(db.session.scalars(select(PanelQuota).where(PanelQuota.study_id == study_id)
                                   .order_by(PanelQuota.cell_key)))


def export_rows() -> list[dict]:
    """The panel export: one row per member, no e-mail address (staff contact members through invitations).
    Plain rows in one pass, each member's invitations and tests counted in SQL."""
    invited = (select(PanelInvitation.member_id, func.count().label("invitations"),
                      func.count(PanelInvitation.joined_at).label("tests"))
               .group_by(PanelInvitation.member_id).subquery())
    columns = [getattr(PanelMember, name) for name in MEMBER_COLUMNS]
    rows = db.session.execute(
        select(*columns, func.coalesce(invited.c.invitations, 0), func.coalesce(invited.c.tests, 0))
        .outerjoin(invited, invited.c.member_id == PanelMember.id).order_by(PanelMember.id))
    names = ["member" if name == "id" else name for name in MEMBER_COLUMNS] + ["invitations", "tests"]
    return [dict(zip(names, row)) for row in rows]


def incentives_of(session_id: int) -> list:
    """A session's ledger lines (id, member_id or None once erased, description, amount_yen, given_on), as plain
    rows read by attribute: the session page lists them without building an ORM object per line."""
    return list(db.session.execute(
        select(PanelIncentive.id, PanelIncentive.member_id, PanelIncentive.description, PanelIncentive.amount_yen,
               PanelIncentive.given_on)
        .where(PanelIncentive.session_id == session_id).order_by(PanelIncentive.given_on, PanelIncentive.id)))


def incentive_months() -> list[dict]:
    """The accounts office's view: per month (of the day given), how many incentives and their total in yen."""
    year, month = extract("year", PanelIncentive.given_on), extract("month", PanelIncentive.given_on)
    rows = db.session.execute(select(year, month, func.count(), func.sum(PanelIncentive.amount_yen))
                              .group_by(year, month).order_by(year, month))
    return [{"month": f"{int(y):04d}-{int(m):02d}", "count": n, "total_yen": int(total)} for y, m, n, total in rows]


def incentive_rows() -> list[dict]:
    rows = db.session.execute(
        select(PanelIncentive.given_on, PanelIncentive.member_id, TestSession.invite_code,
               PanelIncentive.description, PanelIncentive.amount_yen)
        .join(TestSession, TestSession.id == PanelIncentive.session_id)
        .order_by(PanelIncentive.given_on, PanelIncentive.id))
    return [{"given_on": given_on, "member": member_id, "session": code, "description": description,
             "amount_yen": amount} for given_on, member_id, code, description, amount in rows]


# ---- the API's payloads (plain JSON data: dates as ISO 8601 text) ------------------------------------------

def _round_json(row: dict) -> dict:
    created = aware(row["created_at"])  # SQLite gives naive UTC: the API's date-time carries its offset
    return {**row, "created_at": created.isoformat() if created is not None else None}


def panel_summary(user: User) -> dict:
    """/api/v1/panel: the figures of /manage/panel for this user (rounds of the sessions the page lists), no
    personal data: the panel's size by status, joins and leaves per month, response rate per round."""
    sessions = visible_sessions(user)
    size = panel_size()
    return {"size": {status: size.get(status, 0) for status in ("active", "pending", "left")},
            "months": monthly_counts(),
            "rounds": [_round_json(r) for r in round_rates(session_ids=[s.id for s in sessions])]}


def booking_counts(session_id: int) -> dict[str, int]:
    """An in-person session's bookings: booked, waiting, attended, no-show (the panel session page, the slots and
    attendance pages and the API)."""
    rows = db.session.execute(
        select(Booking.state, Booking.attendance, func.count()).where(Booking.session_id == session_id)
        .group_by(Booking.state, Booking.attendance)).all()
    counts = {"booked": 0, "waiting": 0, "attended": 0, "no_show": 0}
    for state, attendance, n in rows:
        if state in ("booked", "waiting"):
            counts[state] += n
        if state == "booked" and attendance:
            counts[attendance] += n
    return counts


def slot_waiting(session_id: int) -> dict[int, int]:
    """How many wait for each slot of a session."""
    return dict(db.session.execute(
        select(Booking.slot_id, func.count()).where(Booking.session_id == session_id, Booking.state == "waiting")
        .group_by(Booking.slot_id)).all())


def no_show_counts(member_ids: list[int] | None = None, now: datetime | None = None) -> dict[int, int]:
    """No-shows per member over the last 365 days (by when they were marked), of the given members or of every
    member who has one (for the fatigue rule of selection: services.panel.candidates)."""
    since = aware(now or utcnow()) - timedelta(days=365)
    query = (select(PanelInvitation.member_id, func.count()).join(Booking, Booking.invitation_id == PanelInvitation.id)
             .where(Booking.attendance == "no_show", Booking.attendance_at >= since))
    if member_ids is not None:
        query = query.where(PanelInvitation.member_id.in_(member_ids))
    return dict(db.session.execute(query.group_by(PanelInvitation.member_id)).all())


def no_shows_in_year(member_ids: list[int], now: datetime | None = None) -> dict[int, int]:
    """No-shows per member over the last 365 days (shown to staff beside each booking; selection leaves out
    members with PANEL_NO_SHOW_LIMIT of them)."""
    if not member_ids:
        return {}
    return no_show_counts(member_ids, now)


def session_bookings(test_session: TestSession) -> dict[str, int] | None:
    """booking_counts for an in-person session; None for a remote one, which has no places to book."""
    return booking_counts(test_session.id) if test_session.mode == "in_person" else None


def session_summary(test_session: TestSession, k: int) -> dict:
    """/api/v1/panel/sessions/<id>: the session page's figures: response rate per round and the study's
    composition against its target shares, cells below k suppressed (suppressed_composition)."""
    return {"session": {"id": test_session.id, "code": test_session.invite_code, "study_id": test_session.study_id,
                        "service_id": test_session.study.iteration.service_id},
            "k": k, "rounds": [_round_json(r) for r in round_rates(test_session.id)],
            "composition": suppressed_composition(composition(test_session.study_id), k),
            "bookings": session_bookings(test_session)}

