"""The few small reads the product-owner pages need beyond civictest.reports: venues, open findings and the
comments behind the themes. Each goes through data.reportable where residents' answers are concerned."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import pandas as pd
from sqlalchemy import case, func, select

from civictest import data
from civictest.extensions import db
from civictest.models import Attempt, Comment, Finding, TestSession

OPEN_STATUSES = ("new", "triaged", "planned", "fixed")  # "fixed" stays open until the next round verifies it


def venues(iteration_id: int) -> list[dict]:
    """In-person venues of an iteration's valid sessions that have coordinates: {name, lon, lat}."""
    study = data.study_of(iteration_id)
    if study is None:
        return []
    rows = db.session.execute(
        select(TestSession.venue_name, TestSession.venue_lon, TestSession.venue_lat)
        .where(TestSession.study_id == study.id, TestSession.mode == "in_person", TestSession.excluded.is_(False),
               TestSession.venue_lon.is_not(None), TestSession.venue_lat.is_not(None))
        .order_by(TestSession.id)).all()
    seen, out = set(), []
    for name, lon, lat in rows:
        if (name, lon, lat) not in seen:
            seen.add((name, lon, lat))
            out.append({"name": name, "lon": lon, "lat": lat})
    return out


def open_findings(service_ids: Iterable[int]) -> dict[int, dict[int, int]]:
    """{service_id: {severity: open findings}} (open: not verified and not won't-fix)."""
    ids = list(service_ids)
    out: dict[int, dict[int, int]] = defaultdict(dict)
    if not ids:
        return out
    rows = db.session.execute(
        select(Finding.service_id, Finding.severity, func.count())
        .where(Finding.service_id.in_(ids), Finding.status.in_(OPEN_STATUSES))
        .group_by(Finding.service_id, Finding.severity)).all()
    for service_id, severity, n in rows:
        out[service_id][severity] = n
    return out


def theme_comments(iteration_id: int, limit: int = 2000) -> list[tuple[str, str | None]]:
    """(text, sentiment label) of residents' own comments that count, newest first, for themes()."""
    study = data.study_of(iteration_id)
    if study is None:
        return []
    rows = db.session.execute(
        select(Comment.text, Comment.sentiment_label)
        .where(Comment.study_id == study.id, Comment.kind != "observer",
               data.reportable(study.id, Comment.participant_id))
        .order_by(Comment.id.desc()).limit(limit)).all()
    return [(text, label) for text, label in rows]



def sentiment_by_attempt(iteration_id: int) -> pd.DataFrame:
    """(inconvenient, label, n) of residents' task comments joined to their attempts, for the validity check."""
    study = data.study_of(iteration_id)
    if study is None:
        return pd.DataFrame(columns=["inconvenient", "label", "n"])
    inconvenient = case((Attempt.outcome != "success", True), (Attempt.seq <= 4, True), else_=False)
    label = func.coalesce(Comment.sentiment_label, "unscored")
    rows = db.session.execute(
        select(inconvenient, label, func.count())
        .join(Attempt, Attempt.id == Comment.attempt_id)
        .where(Comment.study_id == study.id, Comment.kind == "task", Attempt.outcome != "not_attempted",
               data.reportable(study.id, Comment.participant_id))
        .group_by(inconvenient, label)).all()
    return pd.DataFrame([(bool(i), lab, int(n)) for i, lab, n in rows], columns=["inconvenient", "label", "n"])
