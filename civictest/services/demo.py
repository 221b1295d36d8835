"""A realistic, deterministic demo dataset (`flask --app app demo`). Loading it twice changes nothing."""
from __future__ import annotations

import math
import random
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select

from civictest.analysis.metrics import is_inconvenient, sus_score
from civictest.extensions import db
from civictest.models import (
    Attempt, Department, Finding, FindingEvent, Participant, QuestionnaireResponse, Service, Task, User,
)
from civictest.models.base import utcnow
from civictest.reporting.vocabulary import SEQ_HARD_MAX
from civictest.services import accounts, catalog, demo_data as content
from civictest.services.comments import build_comment

SEED = 20261126
DEMO_INVITE_CODE = "DEMO-2026"
PARTICIPANTS_PER_ITERATION = 40


@dataclass
class DemoSummary:
    created: bool
    password: str | None
    counts: dict[str, int] = field(default_factory=dict)

    def describe(self) -> str:
        lines = ["demo data loaded" if self.created else "demo data already present: nothing changed"]
        lines += [f"  {name}: {count}" for name, count in self.counts.items()]
        lines.append("staff accounts:")
        lines += [f"  {email} ({role})" for email, role, _, _ in content.STAFF]
        if self.password:
            lines.append(f"  password for all demo accounts: {self.password}")
        lines.append(f"resident test session: /join/{DEMO_INVITE_CODE}")
        lines.append(f"tester panel: /panel/join; invite: flask --app app panel invite --session {DEMO_INVITE_CODE} "
                     "--count 40")
        lines.append("in-person session with booking: /manage/panel -> the session DEMO-2026-VENUE -> time slots")
        return "\n".join(lines)


def load(password: str | None = None) -> DemoSummary:
    """Load the demo unless it is there already (recognised by its first department's code)."""
    from civictest.services import demo_booking, survey_demo

    if db.session.scalar(select(Department).where(Department.code == content.DEPARTMENTS[0][0])) is not None:
        added = _panel()  # a demo loaded before the panel existed gains it once
        added = demo_booking.load() or added  # and the in-person session with booking
        survey_demo.load()  # a database loaded before surveys existed gets the demo survey once
        _live_feedback(_demo_services())  # a demo loaded before live feedback existed gets its answers
        db.session.commit()
        return DemoSummary(created=added, password=None, counts=_counts())
    rng = random.Random(SEED)
    password = password or secrets.token_urlsafe(12)
    services = _catalog()
    _staff(services, password)
    for service_key, service in services.items():
        for iteration in service.iterations:
            _residents(rng, service_key, service, iteration)
    _findings(services)
    _live_feedback(services)
    _open_demo_session(next(iter(services.values())))
    db.session.flush()
    _panel()
    demo_booking.load()
    survey_demo.load()
    db.session.commit()
    return DemoSummary(created=True, password=password, counts=_counts())


def reset() -> None:
    """Delete every row of every table (the schema and its migration state stay)."""
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()
    db.session.expunge_all()  # the rows are gone; objects kept after commit must not stand in for new ones


def _counts() -> dict[str, int]:
    from sqlalchemy import func

    from civictest.models import Comment

    from civictest.models import PanelMember, RosterEntry, SurveyResponse

    models = {"departments": Department, "services": Service, "participants": Participant,
              "attempts": Attempt, "comments": Comment, "findings": Finding, "staff": User,
              "panel members": PanelMember,
              "survey roster entries": RosterEntry, "survey responses": SurveyResponse}
    return {name: db.session.scalar(select(func.count()).select_from(model)) for name, model in models.items()}


def _catalog() -> dict[str, Service]:
    departments = {}
    for code, name_ja, name_en in content.DEPARTMENTS:
        departments[code] = Department(code=code, name_ja=name_ja, name_en=name_en)
        db.session.add(departments[code])
    services = {}
    for spec in content.SERVICES:
        service = Service(
            department=departments[spec["department"]], name_ja=spec["name_ja"], name_en=spec["name_en"],
            url=spec["url"], description_ja=spec["description_ja"], description_en=spec["description_en"],
            publish_fixes=True,
        )
        service.tasks = [
            Task(title_ja=t_ja, title_en=t_en, instructions_ja=i_ja, instructions_en=i_en,
                 success_criteria=f"{t_ja}ことができた", start_url=spec["url"])
            for t_ja, t_en, i_ja, i_en in spec["tasks"]
        ]
        db.session.add(service)
        db.session.flush()
        for number, (label, starts, ends, notes) in enumerate(content.ITERATIONS, 1):
            iteration = catalog.create_iteration(
                service, label, starts_on=date.fromisoformat(starts), ends_on=date.fromisoformat(ends),
                change_notes=notes, published=number < len(content.ITERATIONS),
            )
            if number == 1:
                catalog.set_study_tasks(iteration.study, [task.id for task in service.tasks])
                iteration.study.minutes_expected = 15 + 5 * len(service.tasks)
            if iteration.published:
                catalog.set_published(iteration, True)
            db.session.flush()
        services[spec["key"]] = service
    return services


def _demo_services() -> dict[str, Service]:
    """The demo's services by key (found by name, as the demo made them)."""
    by_name = {s.name_ja: s for s in db.session.scalars(select(Service))}
    return {spec["key"]: by_name[spec["name_ja"]] for spec in content.SERVICES if spec["name_ja"] in by_name}


def _live_feedback(services: dict[str, Service]) -> bool:
    """Answers to the live-service feedback form of two services, through the same service residents' answers go
    through (scrubbed, scored, counted), each dated inside its iteration's time. Nothing when already there."""
    from civictest.models import FeedbackResponse
    from civictest.services.feedback import record_feedback

    chosen = [services[key] for key in content.FEEDBACK if key in services]
    if not chosen or db.session.scalar(select(FeedbackResponse.id).where(
            FeedbackResponse.service_id.in_([s.id for s in chosen])).limit(1)) is not None:
        return False
    from civictest.services.feedback import today_in_tokyo

    rng, today = random.Random(SEED + 16), today_in_tokyo()
    for key, service in zip(content.FEEDBACK, chosen):
        for iteration, weights in zip(service.iterations, content.FEEDBACK[key]):
            if iteration.starts_on > today:
                continue
            span = min(364, (today - iteration.starts_on).days)  # while it was the live version, never ahead
            for index in range(content.FEEDBACK_ANSWERS_PER_ITERATION):
                rating = rng.choices((1, 2, 3, 4, 5), weights)[0]
                # "could you do it?" fits the rating and the comments (a 1 says the upload failed)
                done = rng.choice({1: ("no", "no", "partly", None), 2: ("yes", "partly", "no", None)}.get(
                    rating, ("yes", "yes", "yes", "partly", None)))
                comment = rng.choice(content.FEEDBACK_COMMENTS[rating]) if rng.random() < 0.3 else ""
                day = iteration.starts_on + timedelta(days=span * index // content.FEEDBACK_ANSWERS_PER_ITERATION)
                record_feedback(service, rating=rating, task_done=done, comment=comment,
                                lang="en" if comment.isascii() and comment else "ja", today=day)
    db.session.flush()
    return True


def _staff(services: dict[str, Service], password: str) -> None:
    for email, role, name, service_keys in content.STAFF:
        if db.session.scalar(select(User).where(User.email == email)) is not None:
            continue
        user = accounts.create_user(email, role, password, name)
        user.services = [services[key] for key in service_keys or []]


def _residents(rng: random.Random, service_key: str, service: Service, iteration) -> None:  # noqa: ANN001
    study = iteration.study
    start = datetime.combine(iteration.starts_on, datetime.min.time(), tzinfo=timezone.utc) + timedelta(hours=1)
    venue = content.VENUES[iteration.number % len(content.VENUES)]
    in_person = catalog.create_session(
        study, name=f"{venue[0]} 体験会", mode="in_person", venue_name=venue[0], venue_address=venue[1],
        venue_municipality_code=venue[2], venue_lat=venue[3], venue_lon=venue[4],
        held_on=iteration.starts_on + timedelta(days=6), capacity=20, is_open=False,
    )
    remote = catalog.create_session(study, name="オンライン参加", mode="remote", held_on=iteration.starts_on,
                                    capacity=100, is_open=False)
    sessions = [in_person, remote]
    if service_key == "sodai" and iteration.number == 1:
        broken = catalog.create_session(study, name="機器トラブルで中止した回", mode="remote", capacity=10,
                                        is_open=False, excluded=True, held_on=iteration.starts_on)
        for _ in range(3):
            _one_resident(rng, service_key, study, broken, start, observed=False)
    for index in range(PARTICIPANTS_PER_ITERATION):
        test_session = sessions[0] if index % 3 == 0 else sessions[1]
        participant = _one_resident(rng, service_key, study, test_session, start + timedelta(minutes=37 * index),
                                    observed=test_session is in_person)
        if service_key == "childcare" and iteration.number == 1 and index == 1:
            participant.withdrawn, participant.withdrawn_at = True, start + timedelta(days=20)
    study.locked_at = start


def _one_resident(rng, service_key, study, test_session, when, observed: bool) -> Participant:  # noqa: ANN001
    participant = Participant(
        public_id=f"{rng.getrandbits(128):032x}", session=test_session, receipt_code=_receipt(rng),
        join_key=f"demo-{rng.getrandbits(64):016x}",
        consent_version="2026-11", consented_at=when, profile_done=True, finished_at=when + timedelta(minutes=25),
        age_band=rng.choice(content.AGE_BANDS), municipality_code=_municipality(rng),
        device=rng.choice(content.DEVICES), assistive_technology=rng.choice(content.ASSISTIVE),
        online_frequency=rng.choice(content.FREQUENCIES),
    )
    db.session.add(participant)
    db.session.flush()
    successes = 0
    for position, study_task in enumerate(study.study_tasks):
        fare = content.FARES[service_key][position][study.iteration.number - 1]
        attempt = _attempt(rng, participant, study, study_task.task_id, fare, "self", when)
        successes += attempt.outcome == "success"
        _maybe_comment(rng, participant, study, attempt)
        if observed and rng.random() < 0.6:
            _observer_attempt(rng, participant, study, attempt)
        when += timedelta(minutes=4)
    _questionnaire(rng, participant, successes / max(1, len(study.study_tasks)))
    return participant


def _municipality(rng: random.Random) -> str:
    weights = [content.MUNICIPALITY_WEIGHTS.get(code, 1) for code in content.MUNICIPALITIES]
    return rng.choices(content.MUNICIPALITIES, weights=weights)[0]


def _receipt(rng: random.Random) -> str:
    raw = "".join(rng.choice(catalog.INVITE_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def _attempt(rng, participant, study, task_id, fare, source, when) -> Attempt:  # noqa: ANN001
    p_success, p_hard, median_seconds = fare
    if rng.random() < p_success:
        outcome = "success"
        seq = rng.randint(2, 4) if rng.random() < p_hard else rng.randint(5, 7)
    else:
        outcome = rng.choices(["partial", "failure", "abandoned"], weights=[4, 4, 2])[0]
        seq = rng.randint(1, 4) if rng.random() < 0.9 else None
    seconds = round(median_seconds * math.exp(rng.gauss(0, 0.35)) * (1.0 if outcome == "success" else 1.4), 1)
    attempt = Attempt(
        participant_id=participant.id, study_id=study.id, task_id=task_id, outcome=outcome, source=source,
        started_at=when, ended_at=when + timedelta(seconds=seconds), seconds=seconds, seq=seq,
        idempotency_key=f"demo-{participant.public_id}-{task_id}-{source}",
    )
    db.session.add(attempt)
    db.session.flush()
    return attempt


def _observer_attempt(rng, participant, study, own: Attempt) -> None:  # noqa: ANN001
    outcome = own.outcome if rng.random() < 0.8 else rng.choice(["success", "partial", "failure"])
    db.session.add(Attempt(
        participant_id=participant.id, study_id=study.id, task_id=own.task_id, outcome=outcome, source="observer",
        started_at=own.started_at, ended_at=own.ended_at, seconds=own.seconds, seq=own.seq,
        assistance=rng.choice(["none", "none", "hint", "took_over"]) if outcome != "success" else "none",
        idempotency_key=f"demo-{participant.public_id}-{own.task_id}-observer",
    ))


def _maybe_comment(rng, participant, study, attempt: Attempt) -> None:  # noqa: ANN001
    if participant.withdrawn or rng.random() > 0.5:
        return
    hard = is_inconvenient(attempt.outcome, attempt.seq is not None and attempt.seq <= SEQ_HARD_MAX)
    if rng.random() < 0.15:
        pool = [text for text, label in content.COMMENTS_EN if (label == "negative") == hard]
    elif rng.random() < 0.02:
        pool = content.COMMENTS_WITH_PII
    elif hard:
        pool = content.COMMENTS_NEGATIVE_JA
    else:
        pool = content.COMMENTS_POSITIVE_JA if rng.random() < 0.65 else content.COMMENTS_NEUTRAL_JA
    comment = build_comment(rng.choice(pool), participant_id=participant.id, study_id=study.id,
                            task_id=attempt.task_id, attempt_id=attempt.id, kind="task")
    db.session.add(comment)


def _questionnaire(rng, participant: Participant, success_share: float) -> None:  # noqa: ANN001
    items = []
    for number in range(1, 11):
        agree = 1 + 4 * success_share + rng.gauss(0, 0.8)
        value = agree if number % 2 else 6 - agree
        items.append(min(5, max(1, round(value))))
    db.session.add(QuestionnaireResponse(
        participant_id=participant.id, study_id=participant.session.study_id, kind="sus", items=items,
        score=sus_score(items),
        idempotency_key=f"demo-{participant.public_id}-sus",
    ))
    if rng.random() < 0.3:
        db.session.add(build_comment(rng.choice(content.OVERALL_COMMENTS), participant_id=participant.id,
                                     study_id=participant.session.study_id, kind="overall"))


def _findings(services: dict[str, Service]) -> None:
    admin = db.session.scalar(select(User).where(User.role == "admin"))
    for key, title, description, severity, status, found, fixed, verified, task_indexes in content.FINDINGS:
        service = services[key]
        by_number = {iteration.number: iteration for iteration in service.iterations}
        finding = Finding(
            service_id=service.id, found_in_id=by_number[found].id, title=title, description=description,
            public_summary_ja=description if status in ("fixed", "verified") else "",
            severity=severity, status=status, fixed_in_id=by_number[fixed].id if fixed else None,
            verified_in_id=by_number[verified].id if verified else None, owner_id=admin.id if admin else None,
            tasks=[service.tasks[i] for i in task_indexes],
        )
        finding.events.append(FindingEvent(user_id=admin.id if admin else None, changes={"status": [None, status]},
                                           created_at=utcnow()))
        db.session.add(finding)


def _open_demo_session(first_service: Service) -> None:
    newest = first_service.iterations[-1]
    catalog.create_session(newest.study, name="オンライン参加（デモ）", mode="remote", capacity=500,
                           invite_code=DEMO_INVITE_CODE, is_open=True, held_on=date(2026, 11, 26))


PANEL_SIZE = 300
PANEL_EMAIL = "panel-{:03d}@example.jp"
AGE_WEIGHTS = {"under_20": 3, "20s": 14, "30s": 18, "40s": 20, "50s": 17, "60s": 12, "70s": 10, "80_plus": 6}
DEVICE_WEIGHTS = {"smartphone": 60, "pc": 28, "tablet": 10, "other": 2}


def _panel() -> bool:
    """A panel of PANEL_SIZE members (mostly confirmed, some pending, some who left), joins and leaves per
    month, and target shares by age band (datafiles/panel-quotas-example.csv) on the open demo session's
    study. Added once: recognised by the first member's address. Its own random stream, so the rest of the
    demo stays as it was."""
    from importlib.resources import files

    from civictest.models import PanelMember, PanelMonthlyCount, TestSession
    from civictest.services import panel

    if db.session.scalar(select(PanelMember.id).where(PanelMember.email == PANEL_EMAIL.format(1))) is not None:
        return False
    demo_session = db.session.scalar(select(TestSession).where(TestSession.invite_code == DEMO_INVITE_CODE))
    if demo_session is None:
        return False
    rng = random.Random(SEED + 15)
    start = datetime(2026, 5, 1, 9, tzinfo=timezone.utc)
    last_leave = start + timedelta(days=214)  # 2026-12-01: joins run to mid-November
    months: dict[str, list[int]] = {}
    for number in range(1, PANEL_SIZE + 1):
        joined = start + timedelta(days=rng.randrange(0, 200), minutes=rng.randrange(0, 600))
        status = rng.choices(("active", "pending", "left"), weights=(88, 5, 7))[0]
        assistive = rng.random() < 0.3
        member = PanelMember(
            email=PANEL_EMAIL.format(number), language="en" if rng.random() < 0.08 else "ja", status=status,
            link_nonce=f"{rng.getrandbits(128):032x}", consent_version="2026-12", consented_at=joined,
            confirmed_at=joined + timedelta(minutes=7) if status != "pending" else None,
            # left 10-60 days after joining, but not after the demo's last month (no leaves in the future)
            left_at=min(joined + timedelta(days=rng.randrange(10, 60)), last_leave) if status == "left" else None,
            age_band=_weighted(rng, AGE_WEIGHTS) if rng.random() < 0.95 else None,
            municipality_code=_municipality(rng), device=_weighted(rng, DEVICE_WEIGHTS),
            assistive_consent=assistive,
            assistive_technology=rng.choice(("none", "none", "none", "screen_reader", "magnifier")) if assistive else None,
            online_frequency=rng.choice(("daily", "weekly", "monthly", "rarely")),
            languages="ja,en" if rng.random() < 0.2 else "ja",
            availability=",".join(sorted({rng.choice(("weekday_daytime", "weekday_evening", "weekend",
                                                       "remote_any_time")) for _ in range(2)})),
            created_at=joined)
        db.session.add(member)
        if member.confirmed_at is not None:
            months.setdefault(f"{member.confirmed_at:%Y-%m}", [0, 0])[0] += 1
        if member.left_at is not None:
            months.setdefault(f"{member.left_at:%Y-%m}", [0, 0])[1] += 1
    for month, (joins, leaves) in sorted(months.items()):
        row = db.session.get(PanelMonthlyCount, month)
        if row is None:
            db.session.add(PanelMonthlyCount(month=month, joins=joins, leaves=leaves))
        else:
            row.joins, row.leaves = row.joins + joins, row.leaves + leaves
    quotas = panel.quotas_from_csv(files("civictest").joinpath("datafiles", "panel-quotas-example.csv").read_bytes())
    study = demo_session.study
    if not panel.quotas_of(study.id):
        panel.set_quotas(study, quotas, commit=False)
    if not panel.screener_of(study.id):
        panel.add_screener_question(
            study, "single", "この1年に、区のオンライン申請を使ったことがありますか。",
            "Have you used one of the city's online applications in the past year?",
            [{"value": "yes", "ja": "ある", "en": "Yes"}, {"value": "no", "ja": "ない", "en": "No"},
             {"value": "unsure", "ja": "わからない", "en": "Not sure"}], ["yes", "no", "unsure"], commit=False)
    db.session.flush()
    return True


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]
