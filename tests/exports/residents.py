"""Build residents' answers straight into the database (as the demo does), for export and open-data tests."""
from __future__ import annotations

import random
from datetime import datetime, timezone

from civictest.analysis.metrics import sus_score
from civictest.extensions import db
from civictest.models import Attempt, Participant, QuestionnaireResponse
from civictest.services import catalog
from civictest.services.comments import build_comment

AGES = ["20s", "30s", "30s", "40s", "40s", "50s", "70s", None]
PLACES = ["131083", "131083", "131016", "131041", "132012", None]
COMMENTS = ["とても分かりやすかった", "ボタンが見つからず困った", "=HYPERLINK(\"http://evil.example\",\"x\")",
            "+81 は電話番号の頭です", "＝SUM(A1:A3)", "@admin 見てください", "-1 点です", "It was easy."]


def add_residents(iteration, count: int = 12, seed: int = 1, withdrawn: int = 0, observed: bool = True) -> list:  # noqa: ANN001
    """`count` participants in a new closed session of the iteration, each answering every task of its study."""
    rng = random.Random(seed)
    study = iteration.study
    session = catalog.create_session(study, name="テスト", mode="in_person", is_open=False, capacity=count + 5)
    db.session.flush()
    now = datetime(2026, 10, 2, 10, tzinfo=timezone.utc)
    people = []
    for index in range(count):
        person = Participant(
            public_id=f"{seed:04d}{index:028d}", session_id=session.id, receipt_code=f"R{seed:03d}-{index:05d}",
            join_key=f"k-{seed}-{index}", consent_version="2026-11", consented_at=now, profile_done=True,
            age_band=AGES[index % len(AGES)], municipality_code=PLACES[index % len(PLACES)], device="pc",
            withdrawn=index < withdrawn,
        )
        db.session.add(person)
        db.session.flush()
        for study_task in study.study_tasks:
            _attempt(rng, person, study, study_task.task_id, "self")
            if observed and index % 3 == 0:
                _attempt(rng, person, study, study_task.task_id, "observer")
        items = [rng.randint(1, 5) for _ in range(10)]
        db.session.add(QuestionnaireResponse(participant_id=person.id, study_id=study.id, kind="sus", items=items,
                                             score=sus_score(items), idempotency_key=f"q-{seed}-{index}"))
        people.append(person)
    study.locked_at = now
    db.session.commit()
    return people


def _attempt(rng, person, study, task_id, source) -> None:  # noqa: ANN001
    outcome = rng.choices(["success", "partial", "failure", "abandoned"], weights=[6, 2, 2, 1])[0]
    seq = rng.choice([None, 1, 2, 3, 4, 5, 6, 7]) if source == "self" or rng.random() < 0.5 else None
    seconds = round(rng.uniform(20, 400), 1) if rng.random() < 0.9 else None
    attempt = Attempt(participant_id=person.id, study_id=study.id, task_id=task_id, outcome=outcome, source=source,
                      seq=seq, seconds=seconds, idempotency_key=f"a-{person.public_id}-{task_id}-{source}",
                      assistance="hint" if source == "observer" else None)
    db.session.add(attempt)
    db.session.flush()
    if rng.random() < 0.6:
        comment = build_comment(rng.choice(COMMENTS), participant_id=person.id, study_id=study.id, task_id=task_id,
                                attempt_id=attempt.id, kind="observer" if source == "observer" else "task")
        db.session.add(comment)
