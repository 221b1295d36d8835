"""Review fixtures: two services of two departments, staff of every role, and a comment factory."""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, datetime, timezone

import pytest
from helpers import PASSWORD, make_service, make_session
from werkzeug.security import generate_password_hash

from civictest.extensions import db
from civictest.models import Attempt, Comment, Finding, Iteration, Participant, Service, TestSession, User
from civictest.services import catalog

_counter = itertools.count(1)
_PASSWORD_HASH = generate_password_hash(PASSWORD)  # hashed once: scrypt per user would dominate the run


def make_user(role: str, services: list[Service], email: str) -> User:
    user = User(email=email, display_name=email.split("@")[0], role=role, password_hash=_PASSWORD_HASH)
    user.services = list(services)
    db.session.add(user)
    db.session.commit()
    return user


@dataclass
class World:
    service: Service
    other: Service
    first: Iteration
    second: Iteration
    session: TestSession
    team: User
    other_team: User
    admin: User
    owner: User
    facilitator: User


@pytest.fixture
def world(ctx) -> World:
    service = make_service("kodomo", "保育園入園のオンライン申請", tasks=3)
    second = catalog.create_iteration(service, "第2版", starts_on=date(2026, 6, 1))
    db.session.commit()
    other = make_service("kankyo", "粗大ごみ収集の申込み", tasks=2)
    return World(
        service=service, other=other, first=service.iterations[0], second=second,
        session=make_session(service),
        team=make_user("service_team", [service], "team@example.jp"),
        other_team=make_user("service_team", [other], "team-other@example.jp"),
        admin=make_user("admin", [], "admin@example.jp"),
        owner=make_user("product_owner", [service, other], "owner@example.jp"),
        facilitator=make_user("facilitator", [service], "facilitator@example.jp"),
    )


def session_of(iteration: Iteration, **fields) -> TestSession:  # noqa: ANN003
    test_session = catalog.create_session(iteration.study, name="会場", **fields)
    db.session.commit()
    return test_session


def add_comment(iteration: Iteration, text: str, *, task: int | None = 0, outcome: str = "failure",
                seq: int | None = 3, lang: str = "ja", sentiment: str = "negative", kind: str = "task",
                redactions: str = "", session: TestSession | None = None) -> Comment:
    """One participant with one attempt (unless `task` is None: an overall comment) and its comment."""
    n = next(_counter)
    study = iteration.study
    if session is None:
        session = db.session.query(TestSession).filter_by(study_id=study.id).first() or session_of(iteration)
    person = Participant(public_id=f"p{n}", session_id=session.id, receipt_code=f"R{n}", join_key=f"j{n}",
                         consent_version="2026-11", consented_at=datetime.now(timezone.utc))
    db.session.add(person)
    db.session.flush()
    attempt = None
    task_id = study.tasks[task].id if task is not None else None
    if task is not None:
        attempt = Attempt(participant_id=person.id, study_id=study.id, task_id=task_id, outcome=outcome,
                          source="observer" if kind == "observer" else "self",
                          seq=None if kind == "observer" else seq, idempotency_key=f"a{n}")
        db.session.add(attempt)
        db.session.flush()
    comment = Comment(participant_id=person.id, study_id=study.id, task_id=task_id,
                      attempt_id=attempt.id if attempt else None, kind=kind if task is not None else "overall",
                      text=text, redactions=redactions, lang=lang, sentiment_label=sentiment)
    db.session.add(comment)
    db.session.commit()
    return comment


def add_finding(service: Service, title: str = "ボタンが見つからない", *, status: str = "new",
                found_in: Iteration | None = None, **fields) -> Finding:  # noqa: ANN003
    finding = Finding(service_id=service.id, found_in_id=(found_in or service.iterations[0]).id, title=title,
                      status=status, severity=fields.pop("severity", 3), **fields)
    db.session.add(finding)
    db.session.commit()
    return finding


@pytest.fixture(name="add_comment")
def _add_comment_fixture(world):  # noqa: ANN001, ANN202 - the factory, after the world exists
    return add_comment


@pytest.fixture(name="add_finding")
def _add_finding_fixture(world):  # noqa: ANN001, ANN202
    return add_finding


@pytest.fixture(name="session_of")
def _session_of_fixture(world):  # noqa: ANN001, ANN202
    return session_of


def add_attempts(iteration: Iteration, task: int, outcomes: dict[tuple[str, int], int]) -> None:
    """Participants with one self-reported attempt each: {(outcome, seq): how many}."""
    study = iteration.study
    session = db.session.query(TestSession).filter_by(study_id=study.id).first() or session_of(iteration)
    for (outcome, seq), count in outcomes.items():
        for _ in range(count):
            n = next(_counter)
            person = Participant(public_id=f"p{n}", session_id=session.id, receipt_code=f"R{n}", join_key=f"j{n}",
                                 consent_version="2026-11", consented_at=datetime.now(timezone.utc))
            db.session.add(person)
            db.session.flush()
            db.session.add(Attempt(participant_id=person.id, study_id=study.id, task_id=study.tasks[task].id,
                                   outcome=outcome, source="self", seq=seq, seconds=60.0, idempotency_key=f"a{n}"))
    db.session.commit()


@pytest.fixture(name="add_attempts")
def _add_attempts_fixture(world):  # noqa: ANN001, ANN202
    return add_attempts
