"""A small world for the product-owner pages: two services of two departments, two iterations of answers."""
from __future__ import annotations

from datetime import date, datetime, timezone
from itertools import count

import pytest
from helpers import make_service, make_user

from civictest.extensions import db
from civictest.models import Attempt, Comment, Finding, Participant, QuestionnaireResponse
from civictest.services import catalog

SHINJUKU, CHIYODA, YOKOHAMA = "131041", "131016", "141003"
WHEN = datetime(2026, 10, 5, 10, 0, tzinfo=timezone.utc)
_serial = count(1)


def _resident(session, municipality: str, outcomes: list[tuple[str, int]], score: float, comment: tuple) -> None:  # noqa: ANN001
    """One participant with an attempt per task (outcome, seq), a SUS score and one comment."""
    n = next(_serial)
    participant = Participant(public_id=f"p{n:031d}", session=session, receipt_code=f"R{n:09d}",
                              join_key=f"k{n}", consent_version="2026-11", consented_at=WHEN,
                              municipality_code=municipality, device="smartphone" if n % 2 else "pc",
                              age_band="40s", profile_done=True, finished_at=WHEN)
    db.session.add(participant)
    db.session.flush()
    study = session.study
    for st, (outcome, seq) in zip(study.study_tasks, outcomes):
        db.session.add(Attempt(participant_id=participant.id, study_id=study.id, task_id=st.task_id,
                               outcome=outcome, source="self", seconds=60.0 + 10 * (n % 5), seq=seq,
                               idempotency_key=f"a{n}-{st.task_id}"))
    db.session.add(QuestionnaireResponse(participant_id=participant.id, study_id=study.id, kind="sus", items=[3] * 10,
                                         score=score, idempotency_key=f"q{n}"))
    text, label = comment
    db.session.add(Comment(participant_id=participant.id, study_id=study.id, task_id=study.study_tasks[0].task_id,
                           kind="task", text=text, sentiment_label=label))


def _iteration(service, iteration, bad_first_task: int, outside: bool = False) -> None:  # noqa: ANN001
    """14 residents: 9 in Shinjuku (the venue's ward), 5 in Chiyoda, optionally one from Yokohama."""
    in_person = catalog.create_session(iteration.study, name="体験会", mode="in_person", venue_name="区役所ホール",
                                       venue_lat=35.6938, venue_lon=139.7034, venue_municipality_code=SHINJUKU)
    remote = catalog.create_session(iteration.study, name="オンライン", mode="remote")
    places = [SHINJUKU] * 9 + [CHIYODA] * 5 + ([YOKOHAMA] if outside else [])
    for i, place in enumerate(places):
        first = ("failure", 2) if i < bad_first_task else ("success", 6)
        comment = ("アップロードでエラーになりました", "negative") if i % 2 else ("使いやすかったです", "positive")
        _resident(in_person if i % 3 == 0 else remote, place, [first, ("success", 6)], 50.0 + 2 * i, comment)
    iteration.study.locked_at = WHEN


@pytest.fixture
def world(app, ctx):
    """Service A (childcare, two iterations: task 1 much better in the second) and service B (other dept)."""
    service_a = make_service("kodomo", "保育園入園のオンライン申請", tasks=2)
    service_b = make_service("kankyo", "粗大ごみ収集の申込み", tasks=1)
    first = service_a.iterations[0]
    second = catalog.create_iteration(service_a, "2026年度版", starts_on=date(2026, 10, 1))
    db.session.flush()
    _iteration(service_a, first, bad_first_task=11)
    _iteration(service_a, second, bad_first_task=2, outside=True)
    _iteration(service_b, service_b.iterations[0], bad_first_task=5)
    db.session.add(Finding(service_id=service_a.id, found_in_id=first.id, title="アップロード", severity=4))
    db.session.add(Finding(service_id=service_a.id, found_in_id=first.id, title="済み", severity=2, status="verified"))
    db.session.commit()
    users = {
        "product_owner": make_user("product_owner", [service_a], "po@example.jp"),
        "service_team": make_user("service_team", [service_a], "team@example.jp"),
        "other_team": make_user("service_team", [service_b], "other@example.jp"),
        "facilitator": make_user("facilitator", [service_a], "f@example.jp"),
        "admin": make_user("admin", [], "admin@example.jp"),
    }
    return {"a": service_a, "b": service_b, "first": first, "second": second, "users": users}
