"""Exactly once under load and a crash: 300 residents at once, 10% resubmits, one worker SIGKILLed mid-run.

Each resident is a thread with its own cookie jar that joins (consent with the page's CSRF token and
key), fills in the profile and answers every task, as a browser would; after a dropped connection or a
503 it resends the same form (same ticket, so the same idempotency key). Afterwards the database is read
directly: every answer the server acknowledged (302) is stored exactly once, and nothing else is.
"""
from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field

import pytest
from load.harness import Browser, Stats, exactly_once_problems, join_and_fill_profile, stored_attempts, task_form
from load.harness import ticket_contents
from load.servers import seed_study
from sqlalchemy import text

from civictest import counting

pytestmark = pytest.mark.slow

RESIDENTS = 300
TASKS = 2
WORKERS = 3
DUPLICATE_EVERY = 10  # every 10th task answer is sent twice: alternately at once and one after the other
KILL_AFTER = 0.3  # share of the expected answers acknowledged before a worker is killed
DEADLINE_SECONDS = 150  # a bound for a hung server, not a target: about 10-30 s on a quiet 2-core box
OUTCOMES = ("success", "partial", "failure", "abandoned")
COMMENTS = ("申請ボタンが見つかりませんでした。", "分かりやすかったです", "")


@dataclass
class Run:
    """Everything the clients did, recorded under one lock."""

    sent: dict = field(default_factory=dict)  # idempotency key -> (participant, task, key)
    acknowledged: set = field(default_factory=set)
    with_comment: set = field(default_factory=set)
    duplicates_sent: int = 0
    submissions: int = 0
    failures: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, ticket: dict, comment: str) -> tuple[tuple, int]:
        answer = (ticket["p"], ticket["t"], ticket["k"])
        with self.lock:
            self.sent[ticket["k"]] = answer
            if comment:
                self.with_comment.add(ticket["k"])
            self.submissions += 1
            return answer, self.submissions

    def ack(self, answer: tuple) -> None:
        with self.lock:
            self.acknowledged.add(answer)


def _post_answer(browser: Browser, run: Run, url: str, data: dict, answer: tuple) -> None:
    status, headers, body = browser.send("POST", url, data)
    assert status == 302, f"{url} answered {status}: {body[:300]}"
    run.ack(answer)


def _answer_task(browser: Browser, run: Run, position: int, rng: random.Random) -> None:
    comment = rng.choice(COMMENTS)
    url, data = task_form(browser, position, outcome=rng.choice(OUTCOMES), seq=str(rng.randint(1, 7)), comment=comment)
    answer, number = run.record(ticket_contents(data["ticket"]), comment)
    if number % DUPLICATE_EVERY:
        _post_answer(browser, run, url, data, answer)
        return
    with run.lock:
        run.duplicates_sent += 1
    if number % (2 * DUPLICATE_EVERY):  # a double click: the same form twice at the same moment
        twin = threading.Thread(target=_guarded, args=(run, _post_answer, browser, run, url, data, answer))
        twin.start()
        _post_answer(browser, run, url, data, answer)
        twin.join()
    else:  # back button and submit again, after the first answer was acknowledged
        _post_answer(browser, run, url, data, answer)
        _post_answer(browser, run, url, data, answer)


def resident(base: str, stats: Stats, run: Run, number: int, deadline: float) -> None:
    rng = random.Random(number)
    browser = Browser(base, stats, deadline=deadline)
    join_and_fill_profile(browser)
    for position in range(1, TASKS + 1):
        _answer_task(browser, run, position, rng)


def _guarded(run: Run, function, *args) -> None:  # noqa: ANN001
    try:
        function(*args)
    except BaseException as error:  # noqa: BLE001 - every client failure is reported by the test
        with run.lock:
            run.failures.append(f"{type(error).__name__}: {error}")


def _kill_one_worker_mid_run(server, run: Run, killed: list, deadline: float) -> None:  # noqa: ANN001
    while time.monotonic() < deadline and len(run.acknowledged) < KILL_AFTER * RESIDENTS * TASKS:
        time.sleep(0.02)
    victim = server.worker_pids()[0]
    server.kill_worker(victim)
    killed.append(victim)
    killed.append(server.wait_respawned(victim))


def _load(server, stats: Stats, run: Run, killed: list) -> str:  # noqa: ANN001
    """All residents at once and the killer thread, within the deadline; returns the time and CPU figures."""
    started, client_cpu, server_cpu = time.monotonic(), time.process_time(), server.cpu_seconds()
    deadline = started + DEADLINE_SECONDS
    threads = [threading.Thread(target=_guarded, args=(run, resident, server.base, stats, run, n, deadline))
               for n in range(RESIDENTS)]
    killer = threading.Thread(target=_guarded, args=(run, _kill_one_worker_mid_run, server, run, killed, deadline))
    for thread in [killer, *threads]:
        thread.start()
    for thread in [*threads, killer]:
        thread.join(timeout=max(deadline - time.monotonic(), 0) + 10)
    assert not any(thread.is_alive() for thread in threads), "clients still running after the deadline"
    return (f"{time.monotonic() - started:.1f} s (CPU: clients {time.process_time() - client_cpu:.1f} s, "
            f"gunicorn {server.cpu_seconds() - server_cpu:.1f} s)")


def _read_back(database) -> tuple[list, int, list, list]:  # noqa: ANN001
    """Straight from the database, not through the app: attempts, participants, keys of commented attempts, and
    what differs from the counting rule (stale stored values, then stale tally rows)."""
    engine = database.engine()
    try:
        with engine.connect() as connection:
            participants = connection.execute(text("SELECT COUNT(*) FROM participant")).scalar()
            commented = connection.execute(text(
                "SELECT a.idempotency_key FROM comment c JOIN attempt a ON a.id = c.attempt_id")).scalars().all()
            stale = [*connection.execute(counting.stale()).all(), *counting.stale_aggregates(connection)]
        return stored_attempts(engine), participants, commented, stale
    finally:
        engine.dispose()


def test_every_acknowledged_answer_is_stored_exactly_once(scratch_db, start_server, figures):
    scratch_db.prepare(lambda: seed_study(TASKS, capacity=RESIDENTS + 50))
    server = start_server(scratch_db, workers=WORKERS)
    stats, run, killed = Stats(), Run(), []
    timing = _load(server, stats, run, killed)
    stored, participants, commented, stale = _read_back(scratch_db)
    figures(f"{scratch_db.url.split(':')[0]}, {WORKERS} workers, {RESIDENTS} residents x {TASKS} tasks: "
            f"submitted {run.submissions}, acknowledged {len(run.acknowledged)}, stored {len(stored)}, "
            f"duplicates sent {run.duplicates_sent}, retries {stats.retries}, "
            f"connection errors {dict(stats.connection_errors)}, statuses {dict(stats.statuses)}, "
            f"killed worker pid {killed[:1]}, {timing}")

    assert not run.failures, run.failures[:5]
    assert len(killed) == 2 and len(killed[1]) == WORKERS, "a worker was killed mid-run and gunicorn replaced it"
    assert not [s for s in stats.statuses if s >= 500 and s != 503], f"server errors: {stats.statuses}"
    assert stats.unavailable_without_retry_after == 0, "every 503 carries Retry-After"
    assert run.duplicates_sent >= RESIDENTS * TASKS // DUPLICATE_EVERY
    assert len(run.acknowledged) == run.submissions == RESIDENTS * TASKS, "every answer was acknowledged"
    assert exactly_once_problems(run.acknowledged, set(run.sent), stored) == []
    assert participants == RESIDENTS, "each resident joined exactly once, retries included"
    acknowledged_keys = {key for _, _, key in run.acknowledged}
    assert sorted(commented) == sorted(run.with_comment & acknowledged_keys), "one comment per commented answer"
    assert stale == [], "the stored counting values and the tally follow every answer, however they interleave"


def test_the_exactly_once_check_catches_lost_doubled_and_stray_rows():
    """The check above can fail: fed a lost answer, a doubled one and a stray one, it names each."""
    acknowledged = {("p1", 1, "k1"), ("p1", 2, "k2"), ("p2", 1, "k3")}
    assert exactly_once_problems(acknowledged, {"k1", "k2", "k3"}, sorted(acknowledged)) == []
    lost = exactly_once_problems(acknowledged, {"k1", "k2", "k3"}, [("p1", 1, "k1"), ("p1", 2, "k2")])
    doubled = exactly_once_problems(acknowledged, {"k1", "k2", "k3"}, [*acknowledged, ("p2", 1, "k3")])
    stray = exactly_once_problems(acknowledged, {"k1", "k2", "k3"}, [*acknowledged, ("p2", 2, "k9")])
    second_key = exactly_once_problems(acknowledged, {"k1", "k2", "k3", "k4"}, [*acknowledged, ("p1", 1, "k4")])
    assert "1 acknowledged answers not stored" in lost[0]
    assert "1 keys stored more than once" in doubled[0]
    assert any("match no submission" in problem for problem in stray)
    assert any("(participant, task) pairs stored more than once" in problem for problem in second_key)
