"""Authoring: departments, services, tasks, iterations (each copying the previous study), sessions."""
from __future__ import annotations

import secrets

from sqlalchemy import func, select

from civictest.extensions import db
from civictest.models import Iteration, Service, Study, StudyTask, Task, TestSession
from civictest.services.errors import Conflict, InvalidInput

INVITE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud at venues


def new_invite_code(length: int = 14) -> str:
    """An unguessable invite code (14 chars of a 32-letter alphabet = 70 bits), grouped for reading aloud."""
    raw = "".join(secrets.choice(INVITE_ALPHABET) for _ in range(length))
    return "-".join(raw[i:i + 7] for i in range(0, length, 7))


def create_iteration(service: Service, label: str, **fields: object) -> Iteration:
    """The next iteration of a service; its study starts as a copy of the previous one (same tasks, order)."""
    previous = db.session.scalar(
        select(Iteration).where(Iteration.service_id == service.id).order_by(Iteration.number.desc()).limit(1)
    )
    with db.session.no_autoflush:
        previous_study = previous.study if previous is not None else None
        iteration = Iteration(
            service=service, number=(previous.number + 1) if previous else 1, label=label, previous=previous,
            **fields,
        )
        study = Study(iteration=iteration)
        if previous_study is not None:
            study.questionnaire = previous_study.questionnaire
            study.partial_counts_as_success = previous_study.partial_counts_as_success
            study.minutes_expected = previous_study.minutes_expected
            study.study_tasks = [StudyTask(task_id=st.task_id, position=st.position) for st in previous_study.study_tasks]
        db.session.add_all([iteration, study])
    return iteration


def set_study_tasks(study: Study, task_ids: list[int]) -> None:
    """Replace a study's ordered task list; refused once residents have answered (the study is locked)."""
    if study.locked_at is not None:
        raise Conflict("locked")
    db.session.flush()  # a new study's iteration needs its service_id before we look the tasks up
    valid = set(db.session.scalars(select(Task.id).where(Task.service_id == study.iteration.service_id)))
    if not task_ids or any(task_id not in valid for task_id in task_ids) or len(set(task_ids)) != len(task_ids):
        raise InvalidInput("tasks")
    study.study_tasks.clear()
    db.session.flush()
    study.study_tasks.extend(StudyTask(task_id=task_id, position=i) for i, task_id in enumerate(task_ids, 1))


def create_session(study: Study, **fields: object) -> TestSession:
    session = TestSession(study=study, invite_code=fields.pop("invite_code", None) or new_invite_code(), **fields)
    db.session.add(session)
    return session


def participant_count(session: TestSession) -> int:
    from civictest.models import Participant

    return db.session.scalar(select(func.count()).where(Participant.session_id == session.id)) or 0


def set_published(iteration: Iteration, published: bool) -> None:
    """Publish (freezing the open-data files as a new version; Conflict while a session is open) or withdraw."""
    from civictest.services import publication

    if published:
        publication.publish(iteration)
    else:
        publication.withdraw(iteration)


def parse_task_order(form: dict, task_ids: list[int]) -> list[int]:
    """Task ids ordered by their `position-<id>` inputs; blank means "not in this study"."""
    positioned = []
    for task_id in task_ids:
        raw = (form.get(f"position-{task_id}") or "").strip()
        if not raw:
            continue
        if not raw.isdigit() or not 1 <= int(raw) <= 1000:
            raise InvalidInput("position")
        positioned.append((int(raw), task_id))
    return [task_id for _, task_id in sorted(positioned)]
