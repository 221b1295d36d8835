"""A SQLite write lock held longer than the busy timeout: residents get 503 + Retry-After, never 500,
and the resubmitted form (same key) is stored once after the lock is gone.

Always on a SQLite file of its own, whatever DATABASE_URL says: the lock is SQLite's. The server runs
with SQLITE_BUSY_TIMEOUT_MS=200 so that the test need not hold the lock for the production 5 s.
"""
from __future__ import annotations

import sqlite3
import threading
import time

import pytest
from helpers import hidden_fields
from load.harness import Browser, Stats, join_and_fill_profile, task_form, ticket_contents
from load.servers import INVITE_CODE, seed_study
from sqlalchemy import text

pytestmark = pytest.mark.slow

BUSY_TIMEOUT_MS = 200
PARALLEL_POSTS = 4


class WriteLock:
    """BEGIN IMMEDIATE from another connection: readers go on (WAL), every other writer waits, then fails."""

    def __init__(self, path):  # noqa: ANN001
        self.connection = sqlite3.connect(path, isolation_level=None, timeout=0)

    def __enter__(self) -> WriteLock:
        self.connection.execute("BEGIN IMMEDIATE")
        self.taken = time.monotonic()
        return self

    def __exit__(self, *exc: object) -> None:
        self.held = time.monotonic() - self.taken
        self.connection.execute("ROLLBACK")
        self.connection.close()


def test_locked_database_answers_503_and_the_resubmit_stores_once(sqlite_db, start_server, figures):
    sqlite_db.prepare(lambda: seed_study(2, capacity=10))
    server = start_server(sqlite_db, workers=2, extra_env={"SQLITE_BUSY_TIMEOUT_MS": str(BUSY_TIMEOUT_MS)})
    stats = Stats()
    first, second = Browser(server.base, stats), Browser(server.base, stats)
    join_and_fill_profile(first)
    url, answer = task_form(first, 1, outcome="partial", seq="3", comment="入力欄が多すぎます")
    consent_url = f"/join/{INVITE_CODE}/consent"
    consent = {**hidden_fields(second.send("GET", consent_url)[2]), "agree": "y"}

    with WriteLock(sqlite_db.path) as lock:
        started = time.monotonic()
        status, headers, body = first.send_once("POST", url, answer)
        waited = time.monotonic() - started
        parallel = _post_in_parallel(first, url, answer, PARALLEL_POSTS)
        joined = second.send_once("POST", consent_url, consent)
        reading = first.send_once("GET", "/participate/tasks/1")[0]
    figures(f"lock held {lock.held:.2f} s, busy timeout {BUSY_TIMEOUT_MS} ms: task POST answered {status} "
            f"after {waited:.2f} s with Retry-After {headers.get('retry-after')}; parallel POSTs {parallel}; "
            f"consent POST {joined[0]}; page read during the lock {reading}")

    assert status == 503 and headers.get("retry-after", "").isdigit(), (status, headers)
    assert "入力した内容は失われていません" in body, "the page tells the resident to send again"
    assert parallel == [503] * PARALLEL_POSTS
    assert joined[0] == 503 and "retry-after" in joined[1]
    assert reading == 200, "pages still read while a writer holds the lock (WAL)"
    assert 500 not in stats.statuses
    assert "database unavailable" in server.log_text(), "the lock timeout is logged"

    for _ in range(2):  # the resident sends the same form again, twice (a double click on the retry)
        status, headers, _ = first.send_once("POST", url, answer)
        assert status == 302 and headers["location"].endswith("/participate/tasks/2")
    assert second.send_once("POST", consent_url, consent)[0] == 302
    assert _stored(sqlite_db) == ([ticket_contents(answer["ticket"])["k"]], 1, 2), "stored once, joined once"


def _stored(database) -> tuple[list[str], int, int]:  # noqa: ANN001
    """(attempt keys, comments, participants), read straight from the file."""
    engine = database.engine()
    try:
        with engine.connect() as connection:
            return (connection.execute(text("SELECT idempotency_key FROM attempt")).scalars().all(),
                    connection.execute(text("SELECT COUNT(*) FROM comment")).scalar(),
                    connection.execute(text("SELECT COUNT(*) FROM participant")).scalar())
    finally:
        engine.dispose()


def _post_in_parallel(browser: Browser, url: str, data: dict, count: int) -> list[int]:
    statuses: list[int] = []
    threads = [threading.Thread(target=lambda: statuses.append(browser.send_once("POST", url, data)[0]))
               for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(statuses)
