"""Publishing an iteration's open data: frozen at publication, versioned, never while sessions are open.

Open data recomputed on every request would let two downloads a resident apart reveal that resident's
answers and profile. So publishing stores the files as they are at that moment (PublishedSnapshot), the
public pages serve only stored files, and an iteration with a session still open cannot be published
(its figures would still be moving). Publishing again after a correction adds the next version.
"""
from __future__ import annotations

import json

from sqlalchemy import exists, func, select

from civictest.extensions import db
from civictest.models import Iteration, PublishedSnapshot, TestSession
from civictest.models.base import utcnow
from civictest.services.errors import Conflict

OPEN_SESSIONS = "open_sessions"  # the Conflict's code; the manage views word it in the admin's language


def has_open_session(iteration: Iteration) -> bool:
    study = iteration.study
    if study is None or study.id is None:
        return False
    return bool(db.session.scalar(select(exists().where(TestSession.study_id == study.id,
                                                        TestSession.is_open.is_(True)))))


def publish(iteration: Iteration) -> PublishedSnapshot:
    """Publish (or publish again) the iteration: a new snapshot version of every open-data file."""
    if has_open_session(iteration):
        raise Conflict(OPEN_SESSIONS)
    iteration.published = True
    iteration.published_at = utcnow()
    db.session.flush()
    return _freeze(iteration)


def withdraw(iteration: Iteration) -> None:
    """Take the open data down; its snapshots stay (the record of what was published)."""
    iteration.published = False
    iteration.published_at = None


def latest_snapshot(iteration: Iteration) -> PublishedSnapshot | None:
    return db.session.scalar(select(PublishedSnapshot).where(PublishedSnapshot.iteration_id == iteration.id)
                             .order_by(PublishedSnapshot.version.desc()).limit(1))


def ensure_snapshot(iteration: Iteration) -> PublishedSnapshot:
    """The newest snapshot of a published iteration; one published before snapshots existed is frozen now."""
    snapshot = latest_snapshot(iteration)
    if snapshot is None:
        snapshot = _freeze(iteration)
        db.session.commit()
    return snapshot


def _freeze(iteration: Iteration) -> PublishedSnapshot:
    from civictest.exporting.files import open_data_package

    files, preview = open_data_package(iteration)
    version = (db.session.scalar(select(func.max(PublishedSnapshot.version))
                                 .where(PublishedSnapshot.iteration_id == iteration.id)) or 0) + 1
    snapshot = PublishedSnapshot(
        iteration_id=iteration.id, version=version, published_at=iteration.published_at or utcnow(),
        files_json=json.dumps({name: body.decode("utf-8") for name, body in files.items()}, ensure_ascii=False),
        preview_json=json.dumps(preview, ensure_ascii=False))
    db.session.add(snapshot)
    db.session.flush()
    return snapshot
